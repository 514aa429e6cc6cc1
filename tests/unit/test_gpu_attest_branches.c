// SPDX-License-Identifier: Apache-2.0
/*
 * The local GPU attestation gate (init/gpu/attest_verify.c) on real H100
 * evidence from every driver branch NVIDIA's attestation SDK publishes a
 * sample of (tests/fixtures/nvidia-gpu/branches/<driver>/: report.hex,
 * chain.pem, nonce.hex), against NVIDIA's pinned root. Each sample's
 * expected verdict is NVIDIA's own, taken with nvtrust's local_gpu_verifier
 * and recorded in tests/fixtures/README.md ("NVIDIA's verdict per driver
 * branch"): ccinit must agree on every sample, check by check.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/x509_crt.h>

#include "init/base/fileio.h"
#include "init/base/hex.h"
#include "init/gpu/attest.h"
#include "init/gpu/attest_fwid.h"
#include "tests/lib/tap.h"

#define BRANCHES "tests/fixtures/nvidia-gpu/branches/"

enum fwid_verdict {
	FWID_NONE,  /* no FWID opaque field in the report: NVIDIA skips the comparison */
	FWID_MATCH, /* the report's FWID equals the leaf's */
	FWID_DIFFER,
};

/* One sample and NVIDIA's verdict on it, column by column as the README's table. */
struct branch {
	const char *dir;
	const char *driver; /* as the report's opaque data carries it */
	const char *vbios;
	enum fwid_verdict fwid;
	bool signature;
	/* NULL: accepted. Otherwise the check ccinit must name first, and its error. */
	const char *refused_by;
	int err;
};

static const struct branch branches[] = {
        {"535.86.09", "535.86.09", "96.00.5E.00.01", FWID_NONE, true, NULL, 0},
        /* NVIDIA's cc_admin stops at the FWID, before its signature check; ccinit checks the
         * signature first. Both checks fail on both sides. */
        {"560.00-invalid-signature", "560.00", "96.00.A5.00.01", FWID_DIFFER, false,
         "signature: ", -EKEYREJECTED},
        {"570.124.03", "570.124.03", "96.00.5E.00.04", FWID_MATCH, true, NULL, 0},
        {"580.159.03", "580.159.03", "96.00.74.00.20", FWID_MATCH, true, NULL, 0},
        {"590.12", "590.12", "96.00.A5.00.01", FWID_MATCH, true, NULL, 0},
};

#define N_BRANCHES (sizeof(branches) / sizeof(branches[0]))

struct sample {
	uint8_t report[8192];
	size_t report_size;
	char *chain; /* NUL-terminated by read_full_file */
	size_t chain_size;
	uint8_t nonce[GPU_REPORT_NONCE_SIZE];
};

/* A fixture file; with trim, its trailing newline and blanks cut (the hex files). */
static char *read_text(const char *dir, const char *name, bool trim, size_t *len)
{
	char path[256], *buf;

	snprintf(path, sizeof(path), BRANCHES "%s/%s", dir, name);
	if (read_full_file(path, 1 << 20, &buf, len) < 0)
		tap_fail("cannot read %s", path);
	while (trim && *len && (buf[*len - 1] == '\n' || buf[*len - 1] == ' '))
		buf[--*len] = '\0';
	return buf;
}

static void sample_load(struct sample *s, const char *dir)
{
	size_t len;
	char *hex = read_text(dir, "report.hex", true, &len);
	int n = hex_decode(hex, len, s->report, sizeof(s->report));

	free(hex);
	if (n <= 0)
		tap_fail("%s: bad report hex", dir);
	s->report_size = (size_t)n;
	hex = read_text(dir, "nonce.hex", true, &len);
	n = hex_decode(hex, len, s->nonce, sizeof(s->nonce));
	free(hex);
	if (n != GPU_REPORT_NONCE_SIZE)
		tap_fail("%s: nonce.hex is not %d bytes", dir, GPU_REPORT_NONCE_SIZE);
	s->chain = read_text(dir, "chain.pem", false, &s->chain_size);
}

static struct sample s;
static struct gpu_report rep;
static char why[512];

TEST(every_branch_report_parses_with_its_driver_and_nonce)
{
	for (size_t i = 0; i < N_BRANCHES; i++) {
		const struct branch *b = &branches[i];

		sample_load(&s, b->dir);
		if (gpu_report_parse(s.report, s.report_size, &rep, why, sizeof(why)) != 0)
			tap_fail("%s: %s", b->dir, why);
		if (strcmp(rep.driver_version, b->driver) != 0 ||
		    strcmp(rep.vbios_version, b->vbios) != 0)
			tap_fail("%s: driver %s VBIOS %s, expected %s %s", b->dir,
			         rep.driver_version, rep.vbios_version, b->driver, b->vbios);
		ASSERT_EQ(rep.spdm_version, 0x11);
		if (memcmp(rep.request_nonce, s.nonce, GPU_REPORT_NONCE_SIZE) != 0)
			tap_fail("%s: the report's request nonce is not nonce.hex", b->dir);
		if ((rep.fwid != NULL) != (b->fwid != FWID_NONE))
			tap_fail("%s: the report %s an FWID", b->dir,
			         rep.fwid ? "carries" : "does not carry");
		free(s.chain);
	}
}

TEST(every_branch_gate_verdict_is_nvidias)
{
	for (size_t i = 0; i < N_BRANCHES; i++) {
		const struct branch *b = &branches[i];
		struct gpu_attest_input in;
		int r;

		sample_load(&s, b->dir);
		in = (struct gpu_attest_input){
		        .report = s.report,
		        .report_size = s.report_size,
		        .chain_pem = s.chain,
		        .chain_size = s.chain_size,
		        .nonce = s.nonce,
		        .root_der = gpu_attest_nvidia_root,
		        .root_size = gpu_attest_nvidia_root_size,
		};
		why[0] = '\0';
		r = gpu_attest_verify(&in, &rep, why, sizeof(why));
		if (!b->refused_by && r != 0)
			tap_fail("%s: NVIDIA accepts it, ccinit refuses it: %s", b->dir, why);
		if (b->refused_by &&
		    (r != b->err || strncmp(why, b->refused_by, strlen(b->refused_by)) != 0))
			tap_fail("%s: NVIDIA refuses it (%s), ccinit gives %d: %s", b->dir,
			         b->refused_by, r, why);
		if (r == 0) {
			ASSERT_STR(rep.leaf_chip, "GH100");
			ASSERT_STR(rep.hwmodel, "GH100 A01 GSP BROM");
		}
		free(s.chain);
	}
}

/*
 * The FWID column alone: ccinit's gate stops at the signature on the invalid-signature
 * sample, so its FWID check is called on the leaf directly, as NVIDIA's comparison is.
 */
TEST(every_branch_fwid_verdict_is_nvidias)
{
	for (size_t i = 0; i < N_BRANCHES; i++) {
		const struct branch *b = &branches[i];
		mbedtls_x509_crt chain;
		int r;

		sample_load(&s, b->dir);
		ASSERT_EQ(gpu_report_parse(s.report, s.report_size, &rep, why, sizeof(why)), 0);
		mbedtls_x509_crt_init(&chain);
		if (mbedtls_x509_crt_parse(&chain, (const unsigned char *)s.chain,
		                           s.chain_size + 1) != 0)
			tap_fail("%s: the chain does not parse", b->dir);
		r = gpu_attest_check_fwid(&chain, &rep, why, sizeof(why));
		mbedtls_x509_crt_free(&chain);
		if (b->fwid == FWID_DIFFER) {
			if (r != -EKEYREJECTED)
				tap_fail("%s: NVIDIA finds the FWIDs differ, ccinit gives %d",
				         b->dir, r);
			ASSERT_CONTAINS(why, "FWID: ");
		} else if (r != 0)
			tap_fail("%s: NVIDIA passes the FWID, ccinit: %s", b->dir, why);
		free(s.chain);
	}
}

/* Every sample's chain is the same five-certificate GH100 path; its links end 9999-12-31. */
TEST(every_branch_chain_is_five_gh100_certificates_that_do_not_expire)
{
	for (size_t i = 0; i < N_BRANCHES; i++) {
		const struct branch *b = &branches[i];
		mbedtls_x509_crt chain;
		const mbedtls_x509_crt *c;
		unsigned n = 0;

		sample_load(&s, b->dir);
		mbedtls_x509_crt_init(&chain);
		ASSERT_EQ(mbedtls_x509_crt_parse(&chain, (const unsigned char *)s.chain,
		                                 s.chain_size + 1),
		          0);
		for (c = &chain; c && c->raw.p; c = c->next, n++)
			if (c->valid_to.year != 9999)
				tap_fail("%s: certificate %u ends in %d", b->dir, n,
				         c->valid_to.year);
		mbedtls_x509_crt_free(&chain);
		if (n != 5)
			tap_fail("%s: %u certificates", b->dir, n);
		free(s.chain);
	}
}
