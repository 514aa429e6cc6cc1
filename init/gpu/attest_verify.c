// SPDX-License-Identifier: Apache-2.0
/*
 * The checks of the local GPU attestation gate, in the order NVIDIA's local
 * verifier runs them (init/gpu/attestation.md, 3): the certificate chain to
 * the pinned root, its shape and that its leaf is a GPU's, the report's
 * signature by the leaf key, our nonce in the signed request, and the
 * report's FWID against the leaf certificate's.
 * Cryptography is mbedTLS's (X.509 path validation, ECDSA P-384, SHA-384);
 * the choice is explained in init/gpu/attestation.md, 4.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/ecdsa.h>
#include <mbedtls/oid.h>
#include <mbedtls/sha512.h>
#include <mbedtls/x509_crt.h>

#include "init/base/why.h"
#include "init/gpu/attest.h"
#include "init/gpu/attest_fwid.h"

/* NVIDIA's chains are ECDSA P-384 with SHA-384 throughout: allow nothing weaker. */
static const mbedtls_x509_crt_profile profile_p384 = {
        .allowed_mds =
                MBEDTLS_X509_ID_FLAG(MBEDTLS_MD_SHA384) | MBEDTLS_X509_ID_FLAG(MBEDTLS_MD_SHA512),
        .allowed_pks =
                MBEDTLS_X509_ID_FLAG(MBEDTLS_PK_ECDSA) | MBEDTLS_X509_ID_FLAG(MBEDTLS_PK_ECKEY),
        .allowed_curves = MBEDTLS_X509_ID_FLAG(MBEDTLS_ECP_DP_SECP384R1),
        .rsa_min_bitlen = 0xffffffff, /* no RSA at all */
};

static int parse_chain(mbedtls_x509_crt *chain, const char *pem, size_t size, char *why,
                       size_t why_size)
{
	char *copy;
	int r;

	if (size == 0 || !memmem(pem, size, "-----BEGIN CERTIFICATE-----", 27))
		return why_set(why, why_size, -EKEYREJECTED,
		               "certificate chain: no PEM certificate");
	/* mbedTLS reads PEM only from a NUL-terminated buffer, its length counting the NUL. */
	copy = malloc(size + 1);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, pem, size);
	copy[size] = '\0';
	r = mbedtls_x509_crt_parse(chain, (const unsigned char *)copy, size + 1);
	free(copy);
	if (r != 0)
		return why_set(why, why_size, -EKEYREJECTED,
		               "certificate chain: %s certificate does not parse (mbedTLS -0x%04x)",
		               r > 0 ? "a" : "the first", r > 0 ? 0 : (unsigned)-r);
	return 0;
}

static int check_chain(mbedtls_x509_crt *chain, const struct gpu_attest_input *in, char *why,
                       size_t why_size)
{
	mbedtls_x509_crt root, *last = chain;
	char subject[160], info[256];
	uint32_t flags = 0;
	int r;

	while (last->next)
		last = last->next;
	if (last->raw.len != in->root_size || memcmp(last->raw.p, in->root_der, in->root_size)) {
		mbedtls_x509_dn_gets(subject, sizeof(subject), &last->subject);
		return why_set(why, why_size, -EKEYREJECTED,
		               "certificate chain: ends in \"%s\", not the pinned root", subject);
	}
	mbedtls_x509_crt_init(&root);
	r = mbedtls_x509_crt_parse_der(&root, in->root_der, in->root_size);
	if (r == 0)
		r = mbedtls_x509_crt_verify_with_profile(chain, &root, NULL, &profile_p384, NULL,
		                                         &flags, NULL, NULL);
	mbedtls_x509_crt_free(&root);
	if (r == 0)
		return 0;
	if (flags == 0)
		return why_set(why, why_size, -EKEYREJECTED,
		               "certificate chain: cannot be verified (mbedTLS -0x%04x)",
		               (unsigned)-r);
	mbedtls_x509_crt_verify_info(info, sizeof(info), "", flags);
	info[strcspn(info, "\n")] = '\0';
	return why_set(why, why_size,
	               flags & (MBEDTLS_X509_BADCERT_EXPIRED | MBEDTLS_X509_BADCERT_FUTURE)
	                       ? -EKEYEXPIRED
	                       : -EKEYREJECTED,
	               "certificate chain: %s", info);
}

/* NVIDIA's GPU chains: leaf, BROM, provisioner ICA, identity CA, root (attestation.md, 2). */
#define GPU_CHAIN_LENGTH 5

/*
 * nvtrust refuses any other count; mbedTLS, like the attestation SDK's
 * OpenSSL, would build a path through spare or missing CAs. Each certificate
 * must also be followed by its issuer, so the five are one path, not a path
 * with a stray CA beside it.
 */
static int check_shape(const mbedtls_x509_crt *chain, char *why, size_t why_size)
{
	const mbedtls_x509_crt *c;
	unsigned n = 0;

	for (c = chain; c; c = c->next)
		n++;
	if (n != GPU_CHAIN_LENGTH)
		return why_set(why, why_size, -EKEYREJECTED,
		               "certificate chain: %u certificates, NVIDIA's GPU chains have %d "
		               "(leaf, BROM, provisioner ICA, identity CA, root)",
		               n, GPU_CHAIN_LENGTH);
	n = 0;
	for (c = chain; c->next; c = c->next, n++)
		if (c->issuer_raw.len != c->next->subject_raw.len ||
		    memcmp(c->issuer_raw.p, c->next->subject_raw.p, c->issuer_raw.len) != 0)
			return why_set(
			        why, why_size, -EKEYREJECTED,
			        "certificate chain: certificate %u is not issued by certificate "
			        "%u: it must run leaf first, each followed by its issuer",
			        n, n + 1);
	return 0;
}

/* The first common name of a DN, or "". */
static void common_name(const mbedtls_x509_name *dn, char *out, size_t size)
{
	out[0] = '\0';
	for (; dn; dn = dn->next)
		if (MBEDTLS_OID_CMP(MBEDTLS_OID_AT_CN, &dn->oid) == 0) {
			snprintf(out, size, "%.*s", (int)dn->val.len, (const char *)dn->val.p);
			return;
		}
}

/*
 * An NVSwitch's chain (leaf "LS_10 A01 FSP FMC LF") hangs under the same root
 * and identity CA and carries the same FWID extension, and NVIDIA's verifiers
 * tell it apart only by the API the evidence came from. Here the leaf's name
 * must say whose firmware it speaks for (attestation.md, 2): a GPU's is its
 * GPU System Processor's ("GH100 A01 GSP FMC LF", "GB100 A01 GSP FMC LF"), a
 * switch's its FSP's. Only that word is held, not the chip or the layout of
 * the name, so that a GPU NVIDIA's verifier accepts is not refused here for
 * a name this rule did not foresee.
 */
static int check_gpu_leaf(const mbedtls_x509_crt *chain, char *why, size_t why_size)
{
	char leaf[96], padded[100];

	common_name(&chain->subject, leaf, sizeof(leaf));
	snprintf(padded, sizeof(padded), " %s ", leaf);
	if (!strstr(padded, " GSP ") || strstr(padded, " FSP "))
		return why_set(why, why_size, -EKEYREJECTED,
		               "certificate chain: the leaf \"%s\" is not a GPU's (its name must "
		               "name the GPU System Processor, as \"GH100 A01 GSP FMC LF\"; an "
		               "NVSwitch's is \"LS_10 A01 FSP FMC LF\")",
		               leaf);
	return 0;
}

/* The identity no other GPU of this boot may share (gpu/attest.c). */
static void leaf_identity(const mbedtls_x509_crt *leaf, struct gpu_report *rep)
{
	size_t n = leaf->serial.len < sizeof(rep->leaf_serial) ? leaf->serial.len
	                                                       : sizeof(rep->leaf_serial);

	char cn[96];

	memcpy(rep->leaf_serial, leaf->serial.p, n);
	rep->leaf_serial_size = n;
	if (mbedtls_x509_dn_gets(rep->leaf_subject, sizeof(rep->leaf_subject), &leaf->subject) < 0)
		rep->leaf_subject[0] = '\0';
	/* "GH100 A01 GSP FMC LF": the chip NVIDIA names its driver RIMs for. */
	common_name(&leaf->subject, cn, sizeof(cn));
	snprintf(rep->leaf_chip, sizeof(rep->leaf_chip), "%.*s", (int)strcspn(cn, " "), cn);
	common_name(&leaf->issuer, rep->hwmodel, sizeof(rep->hwmodel));
}

static int check_signature(const mbedtls_x509_crt *leaf, const struct gpu_report *rep, char *why,
                           size_t why_size)
{
	const mbedtls_ecp_keypair *key;
	unsigned char hash[64]; /* SHA-512's size: SHA-384 fills the first 48 */
	mbedtls_mpi r, s;
	int e;

	if (!mbedtls_pk_can_do(&leaf->pk, MBEDTLS_PK_ECKEY) ||
	    mbedtls_pk_ec(leaf->pk)->grp.id != MBEDTLS_ECP_DP_SECP384R1)
		return why_set(why, why_size, -EKEYREJECTED,
		               "signature: the leaf key is not P-384");
	key = mbedtls_pk_ec(leaf->pk);
	mbedtls_sha512_ret(rep->signed_data, rep->signed_size, hash, 1 /* SHA-384 */);
	mbedtls_mpi_init(&r);
	mbedtls_mpi_init(&s);
	e = mbedtls_mpi_read_binary(&r, rep->signature, GPU_REPORT_SIGNATURE_SIZE / 2);
	if (e == 0)
		e = mbedtls_mpi_read_binary(&s, rep->signature + GPU_REPORT_SIGNATURE_SIZE / 2,
		                            GPU_REPORT_SIGNATURE_SIZE / 2);
	if (e == 0)
		e = mbedtls_ecdsa_verify((mbedtls_ecp_group *)&key->grp, hash, 48, &key->Q, &r, &s);
	mbedtls_mpi_free(&r);
	mbedtls_mpi_free(&s);
	if (e != 0)
		return why_set(why, why_size, -EKEYREJECTED,
		               "signature: the report is not signed by the leaf certificate's key");
	return 0;
}

static int check_claims(const struct gpu_attest_input *in, const struct gpu_report *rep,
                        const mbedtls_x509_crt *leaf, char *why, size_t why_size)
{
	if (memcmp(rep->request_nonce, in->nonce, GPU_REPORT_NONCE_SIZE) != 0)
		return why_set(why, why_size, -ESTALE,
		               "nonce: the report answers another request, not this boot's nonce");
	return gpu_attest_check_fwid(leaf, rep, why, why_size);
}

int gpu_attest_verify(const struct gpu_attest_input *in, struct gpu_report *report, char *why,
                      size_t why_size)
{
	mbedtls_x509_crt chain;
	int r;

	if (in->devtools)
		return why_set(why, why_size, -EPERM,
		               "debug: the GPU is in CC devtools mode, which lets a debugger in");
	r = gpu_report_parse(in->report, in->report_size, report, why, why_size);
	if (r < 0)
		return r;
	mbedtls_x509_crt_init(&chain);
	r = parse_chain(&chain, in->chain_pem, in->chain_size, why, why_size);
	if (r == 0)
		r = check_chain(&chain, in, why, why_size);
	/* After the path: a missing or expired link is named as such first. */
	if (r == 0)
		r = check_shape(&chain, why, why_size);
	if (r == 0)
		r = check_gpu_leaf(&chain, why, why_size);
	if (r == 0) {
		leaf_identity(&chain, report);
		r = check_signature(&chain, report, why, why_size);
	}
	if (r == 0)
		r = check_claims(in, report, &chain, why, why_size);
	mbedtls_x509_crt_free(&chain);
	return r;
}
