// SPDX-License-Identifier: Apache-2.0
/*
 * The leaf certificate's FWID, the SHA-384 of the GPU firmware that holds
 * the attestation key, against the one the signed report carries. NVIDIA's
 * leaves carry it in one of two TCG DICE extensions (init/gpu/attestation.md,
 * 3): Hopper's 2.23.133.5.4.1, a structure ending in the FWID, and
 * Blackwell's 2.23.133.5.4.1.1, a DiceTcbInfo whose fwids list starts with
 * it. NVIDIA's verifiers take the form from the architecture NVML reports;
 * NVIDIA's attestation SDK pairs each architecture with one OID, so the OID
 * names the form here and nothing else has to be asked of the driver. The
 * DER is walked with mbedTLS's bounded ASN.1 readers: this is outside input
 * (the leaf is the GPU's, and a forged one only fails later if we get here
 * first).
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include <mbedtls/asn1.h>
#include <mbedtls/oid.h>
#include <mbedtls/x509_crt.h>

#include "init/base/why.h"
#include "init/gpu/attest_fwid.h"
#include "init/gpu/report.h"

#define SEQUENCE (MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE)
/* DiceTcbInfo's fwids: [6] IMPLICIT SEQUENCE OF FWID, so context-specific and constructed. */
#define TCBINFO_FWIDS (MBEDTLS_ASN1_CONTEXT_SPECIFIC | MBEDTLS_ASN1_CONSTRUCTED | 6)

/* 2.23.133.5.4.1 (tcg-dice-TcbInfo's arc, as Hopper's leaves use it). */
static const uint8_t oid_hopper[] = {0x67, 0x81, 0x05, 0x05, 0x04, 0x01};
/* 2.23.133.5.4.1.1, Blackwell's leaves: a DiceTcbInfo. */
static const uint8_t oid_tcbinfo[] = {0x67, 0x81, 0x05, 0x05, 0x04, 0x01, 0x01};

/* FWID ::= SEQUENCE { hashAlg OID, digest OCTET STRING } filling [p, end): SHA-384 only. */
static const char *read_fwid(unsigned char *p, const unsigned char *end, const uint8_t **fwid)
{
	size_t len;

	if (mbedtls_asn1_get_tag(&p, end, &len, SEQUENCE) || p + len != end)
		return "its FWID is not one DER SEQUENCE";
	if (mbedtls_asn1_get_tag(&p, end, &len, MBEDTLS_ASN1_OID))
		return "its FWID names no hash algorithm";
	/* A digest of another algorithm cannot equal the report's SHA-384: refuse it by name. */
	if (len != MBEDTLS_OID_SIZE(MBEDTLS_OID_DIGEST_ALG_SHA384) ||
	    memcmp(p, MBEDTLS_OID_DIGEST_ALG_SHA384, len))
		return "its FWID is not SHA-384";
	p += len;
	if (mbedtls_asn1_get_tag(&p, end, &len, MBEDTLS_ASN1_OCTET_STRING) ||
	    len != GPU_REPORT_FWID_SIZE || p + len != end)
		return "its FWID digest is not 48 bytes";
	*fwid = p;
	return NULL;
}

/* Steps over one element of any tag; its start in *start, NULL when it does not fit. */
static const char *skip(unsigned char **p, const unsigned char *end, unsigned char **start,
                        int *tag)
{
	size_t len;

	*start = *p;
	*tag = **p;
	if (mbedtls_asn1_get_tag(p, end, &len, *tag))
		return "an element overruns it";
	*p += len;
	return NULL;
}

/* Hopper: SEQUENCE { ..., FWID }. NVIDIA reads the value's last 48 bytes; those are its digest. */
static const char *hopper_fwid(unsigned char *p, const unsigned char *end, const uint8_t **fwid)
{
	unsigned char *last = NULL;
	const char *e;
	int tag;

	while (p < end)
		if ((e = skip(&p, end, &last, &tag)))
			return e;
	if (!last)
		return "it is empty";
	return read_fwid(last, end, fwid);
}

/*
 * Blackwell: DiceTcbInfo ::= SEQUENCE { vendor [0], model [1], version [2],
 * svn [3], layer [4], index [5], fwids [6], flags [7], ... }, every field
 * OPTIONAL, so [6] is found by its tag, not its place. The first FWID is
 * the firmware's, as NVIDIA's verifiers read it (the second, all zeros in
 * the published leaf, is a slot NVIDIA leaves empty); the list must parse
 * to its end, as NVIDIA's SDK requires.
 */
static const char *tcbinfo_fwid(unsigned char *p, const unsigned char *end, const uint8_t **fwid)
{
	unsigned char *list = NULL, *list_end = NULL, *start, *first_end = NULL;
	const char *e;
	size_t len;
	int tag;

	while (p < end) {
		if ((e = skip(&p, end, &start, &tag)))
			return e;
		if (tag != TCBINFO_FWIDS)
			continue;
		if (list)
			return "its TcbInfo has two fwids fields";
		list = start;
		list_end = p;
	}
	if (!list)
		return "its TcbInfo has no fwids";
	if (mbedtls_asn1_get_tag(&list, list_end, &len, TCBINFO_FWIDS) || list == list_end)
		return "its TcbInfo's fwids list is empty";
	start = list;
	while (list < list_end) {
		if (mbedtls_asn1_get_tag(&list, list_end, &len, SEQUENCE))
			return "its TcbInfo's fwids list does not parse";
		list += len;
		if (!first_end)
			first_end = list;
	}
	return read_fwid(start, first_end, fwid);
}

/* The extension's value: one SEQUENCE filling the OCTET STRING, read in the OID's form. */
static const char *ext_fwid(unsigned char *p, const unsigned char *end, bool tcbinfo,
                            const uint8_t **fwid)
{
	size_t len;

	if (mbedtls_asn1_get_tag(&p, end, &len, SEQUENCE) || p + len != end)
		return "it is not one DER SEQUENCE";
	return tcbinfo ? tcbinfo_fwid(p, end, fwid) : hopper_fwid(p, end, fwid);
}

static int leaf_fwid(const mbedtls_x509_crt *leaf, const uint8_t **fwid, char *why, size_t why_size)
{
	unsigned char *p = leaf->v3_ext.p, *end = p + leaf->v3_ext.len;
	unsigned char *value = NULL, *value_end = NULL;
	bool tcbinfo = false;
	const char *e;
	size_t len;

	if (mbedtls_asn1_get_tag(&p, end, &len, SEQUENCE))
		return why_set(why, why_size, -EKEYREJECTED,
		               "FWID: the leaf certificate has no extensions");
	end = p + len;
	while (p < end) {
		unsigned char *ext_end;
		bool is_tcbinfo;
		int critical = 0;

		if (mbedtls_asn1_get_tag(&p, end, &len, SEQUENCE))
			return why_set(why, why_size, -EKEYREJECTED,
			               "FWID: the leaf certificate's extensions do not parse");
		ext_end = p + len;
		if (mbedtls_asn1_get_tag(&p, ext_end, &len, MBEDTLS_ASN1_OID))
			return why_set(why, why_size, -EKEYREJECTED,
			               "FWID: the leaf certificate's extensions do not parse");
		is_tcbinfo = len == sizeof(oid_tcbinfo) && !memcmp(p, oid_tcbinfo, len);
		if (!is_tcbinfo && (len != sizeof(oid_hopper) || memcmp(p, oid_hopper, len))) {
			p = ext_end;
			continue;
		}
		/* Two would leave the choice to the order: neither NVIDIA form has two. */
		if (value)
			return why_set(
			        why, why_size, -EKEYREJECTED,
			        "FWID: the leaf certificate carries two DICE FWID extensions");
		p += len;
		(void)mbedtls_asn1_get_bool(&p, ext_end, &critical);
		if (mbedtls_asn1_get_tag(&p, ext_end, &len, MBEDTLS_ASN1_OCTET_STRING) ||
		    p + len != ext_end)
			return why_set(why, why_size, -EKEYREJECTED,
			               "FWID: the leaf certificate's extensions do not parse");
		value = p;
		value_end = ext_end;
		tcbinfo = is_tcbinfo;
		p = ext_end;
	}
	if (!value)
		return why_set(why, why_size, -EKEYREJECTED,
		               "FWID: the leaf certificate carries none (no 2.23.133.5.4.1 or "
		               "2.23.133.5.4.1.1 extension)");
	e = ext_fwid(value, value_end, tcbinfo, fwid);
	if (e)
		return why_set(why, why_size, -EKEYREJECTED,
		               "FWID: the leaf certificate's %s extension: %s",
		               tcbinfo ? "2.23.133.5.4.1.1" : "2.23.133.5.4.1", e);
	return 0;
}

int gpu_attest_check_fwid(const struct mbedtls_x509_crt *leaf, const struct gpu_report *rep,
                          char *why, size_t why_size)
{
	const uint8_t *cert_fwid;
	int r;

	/*
	 * Drivers before the FWID opaque field (the 535 branch) send none; NVIDIA's
	 * verifiers then skip this comparison and so do we. The report is still
	 * signed by the leaf's key, which the chain ties to NVIDIA's root.
	 */
	if (!rep->fwid)
		return 0;
	r = leaf_fwid(leaf, &cert_fwid, why, why_size);
	if (r < 0)
		return r;
	if (memcmp(cert_fwid, rep->fwid, GPU_REPORT_FWID_SIZE) != 0)
		return why_set(why, why_size, -EKEYREJECTED,
		               "FWID: the report's differs from the leaf certificate's");
	return 0;
}
