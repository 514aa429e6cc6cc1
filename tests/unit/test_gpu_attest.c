// SPDX-License-Identifier: Apache-2.0
/*
 * The local GPU attestation gate (init/gpu/attest_verify.c) on NVIDIA's
 * published H100 report and chain (tests/fixtures/nvidia-gpu/), and on our
 * test PKI (tests/fixtures/gpu-attest-test/) for the failures a real chain
 * cannot show: each check fails closed and names itself.
 */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "init/base/fileio.h"
#include "init/base/hex.h"
#include "init/gpu/attest.h"
#include "init/base/sha256.h"
#include "tests/lib/tap.h"

#define NV   "tests/fixtures/nvidia-gpu/"
#define OURS "tests/fixtures/gpu-attest-test/"

/* The nonce nvtrust's sample report was requested with (bytes 4..35 of the request). */
static const char sample_nonce[] =
        "931d8dd0add203ac3d8b4fbde75e115278eefcdceac5b87671a748f32364dfcb";

struct vectors {
	uint8_t report[8192];
	size_t report_size;
	char *chain;
	size_t chain_size;
	uint8_t nonce[GPU_REPORT_NONCE_SIZE];
	uint8_t root[2048];
	size_t root_size;
};

static char *read_text(const char *path, size_t *len)
{
	char *buf;

	if (read_full_file(path, 1 << 20, &buf, len) < 0)
		tap_fail("cannot read %s", path);
	return buf;
}

/* DER from a one-certificate PEM, through the hex decoder: base64 by hand is not worth it. */
/* DER from a one-certificate PEM by OpenSSL's command line: a reading independent of mbedTLS. */
static size_t pem_to_der(const char *pem_path, uint8_t *out, size_t size)
{
	char cmd[512], tmp[64], *hex;
	size_t len;
	int n;

	snprintf(tmp, sizeof(tmp), "/tmp/test_gpu_attest.%d.hex", (int)getpid());
	snprintf(cmd, sizeof(cmd),
	         "openssl x509 -in %s -outform DER | od -An -v -tx1 | tr -d ' \\n' >%s", pem_path,
	         tmp);
	if (system(cmd) != 0)
		tap_fail("openssl could not convert %s", pem_path);
	hex = read_text(tmp, &len);
	unlink(tmp);
	n = hex_decode(hex, len, out, size);
	free(hex);
	if (n <= 0)
		tap_fail("bad DER hex for %s", pem_path);
	return (size_t)n;
}

static void load(struct vectors *v, const char *report_hex, const char *chain, const char *root)
{
	size_t len;
	char *hex = read_text(report_hex, &len);
	int n;

	while (len && (hex[len - 1] == '\n' || hex[len - 1] == ' '))
		len--;
	n = hex_decode(hex, len, v->report, sizeof(v->report));
	free(hex);
	if (n <= 0)
		tap_fail("bad report hex in %s", report_hex);
	v->report_size = (size_t)n;
	v->chain = read_text(chain, &v->chain_size);
	ASSERT_EQ(hex_decode(sample_nonce, 64, v->nonce, sizeof(v->nonce)), 32);
	if (root)
		v->root_size = pem_to_der(root, v->root, sizeof(v->root));
	else {
		memcpy(v->root, gpu_attest_nvidia_root, gpu_attest_nvidia_root_size);
		v->root_size = gpu_attest_nvidia_root_size;
	}
}

static int verify(struct vectors *v, struct gpu_report *rep, char *why, size_t size)
{
	struct gpu_attest_input in = {
	        .report = v->report,
	        .report_size = v->report_size,
	        .chain_pem = v->chain,
	        .chain_size = v->chain_size,
	        .nonce = v->nonce,
	        .root_der = v->root,
	        .root_size = v->root_size,
	};
	return gpu_attest_verify(&in, rep, why, size);
}

static struct vectors v;
static struct gpu_report rep;
static char why[512];

TEST(pinned_root_is_nvidias)
{
	uint8_t der[2048], digest[32];
	char hex[65];
	size_t n = pem_to_der(NV "verifier_device_root.pem", der, sizeof(der));

	ASSERT_EQ(n, gpu_attest_nvidia_root_size);
	ASSERT_MEM(der, gpu_attest_nvidia_root, n);
	struct sha256 ctx;

	sha256_init(&ctx);
	sha256_update(&ctx, gpu_attest_nvidia_root, gpu_attest_nvidia_root_size);
	sha256_final(&ctx, digest);
	hex_encode(digest, sizeof(digest), hex);
	ASSERT_STR(hex, GPU_ATTEST_NVIDIA_ROOT_SHA256);
}

TEST(nvidia_sample_passes)
{
	load(&v, NV "hopperAttestationReport.txt", NV "hopperCertChain.txt", NULL);
	if (verify(&v, &rep, why, sizeof(why)) != 0)
		tap_fail("%s", why);
	ASSERT_EQ(rep.spdm_version, 0x11);
	ASSERT_EQ(rep.block_count, 64);
	ASSERT_STR(rep.driver_version, "550.90.07");
	ASSERT_STR(rep.vbios_version, "96.00.9F.00.01");
	ASSERT_TRUE(rep.fwid != NULL);
	ASSERT_EQ(rep.blocks[0].index, 1);
	ASSERT_EQ(rep.blocks[0].value_size, 48);
}

TEST(flipped_signature_bit_fails)
{
	load(&v, NV "hopperAttestationReport.txt", NV "hopperCertChain.txt", NULL);
	v.report[v.report_size - 10] ^= 0x01;
	ASSERT_EQ(verify(&v, &rep, why, sizeof(why)), -EKEYREJECTED);
	ASSERT_CONTAINS(why, "signature: ");
}

TEST(flipped_measurement_bit_fails_the_signature)
{
	load(&v, NV "hopperAttestationReport.txt", NV "hopperCertChain.txt", NULL);
	v.report[37 + 8 + 7] ^= 0x80; /* the first measurement's value */
	ASSERT_EQ(verify(&v, &rep, why, sizeof(why)), -EKEYREJECTED);
	ASSERT_CONTAINS(why, "signature: ");
}

TEST(wrong_nonce_fails)
{
	load(&v, NV "hopperAttestationReport.txt", NV "hopperCertChain.txt", NULL);
	v.nonce[31] ^= 0xff;
	ASSERT_EQ(verify(&v, &rep, why, sizeof(why)), -ESTALE);
	ASSERT_CONTAINS(why, "nonce: ");
}

TEST(debug_mode_fails)
{
	struct gpu_attest_input in = {.devtools = true};

	ASSERT_EQ(gpu_attest_verify(&in, &rep, why, sizeof(why)), -EPERM);
	ASSERT_CONTAINS(why, "debug: ");
}

TEST(chain_to_another_root_fails)
{
	load(&v, OURS "report.hex", OURS "chain.pem", NULL);
	ASSERT_EQ(verify(&v, &rep, why, sizeof(why)), -EKEYREJECTED);
	ASSERT_CONTAINS(why, "certificate chain: ends in \"CN=ccinit test root");
}

TEST(test_pki_passes_with_its_own_root)
{
	/* The control for the next test: only the expiry differs. */
	load(&v, OURS "report.hex", OURS "chain.pem", OURS "root.pem");
	if (verify(&v, &rep, why, sizeof(why)) != 0)
		tap_fail("%s", why);
}

TEST(expired_link_fails)
{
	load(&v, OURS "report.hex", OURS "chain-expired.pem", OURS "root.pem");
	ASSERT_EQ(verify(&v, &rep, why, sizeof(why)), -EKEYEXPIRED);
	ASSERT_CONTAINS(why, "certificate chain: ");
	ASSERT_CONTAINS(why, "expired");
}

TEST(report_signed_by_another_leaf_fails)
{
	/* NVIDIA's chain, our leaf's signature over the same bytes. */
	load(&v, OURS "report.hex", NV "hopperCertChain.txt", NULL);
	ASSERT_EQ(verify(&v, &rep, why, sizeof(why)), -EKEYREJECTED);
	ASSERT_CONTAINS(why, "signature: ");
}

TEST(chain_missing_link_fails)
{
	char *second, *third;

	load(&v, NV "hopperAttestationReport.txt", NV "hopperCertChain.txt", NULL);
	/* Cut out the leaf's issuer: the chain still ends in the root, the leaf no longer reaches
	 * it. */
	second = strstr(v.chain + 1, "-----BEGIN");
	third = strstr(second + 1, "-----BEGIN");
	memmove(second, third, v.chain_size - (size_t)(third - v.chain));
	v.chain_size -= (size_t)(third - second);
	ASSERT_EQ(verify(&v, &rep, why, sizeof(why)), -EKEYREJECTED);
	ASSERT_CONTAINS(why, "certificate chain: The certificate is not correctly signed");
}

TEST(not_pem_fails)
{
	load(&v, NV "hopperAttestationReport.txt", NV "hopperCertChain.txt", NULL);
	v.chain_size = 10;
	ASSERT_EQ(verify(&v, &rep, why, sizeof(why)), -EKEYREJECTED);
	ASSERT_CONTAINS(why, "certificate chain: no PEM");
}

TEST(truncated_report_fails_to_parse)
{
	load(&v, NV "hopperAttestationReport.txt", NV "hopperCertChain.txt", NULL);
	for (size_t cut = 0; cut < v.report_size; cut += 97) {
		ASSERT_EQ(gpu_report_parse(v.report, cut, &rep, why, sizeof(why)), -EBADMSG);
		ASSERT_CONTAINS(why, "GPU attestation report, byte ");
	}
}

TEST(report_length_fields_are_checked)
{
	load(&v, NV "hopperAttestationReport.txt", NV "hopperCertChain.txt", NULL);
	v.report[37 + 5] ^= 0x01; /* the measurement record length */
	ASSERT_EQ(gpu_report_parse(v.report, v.report_size, &rep, why, sizeof(why)), -EBADMSG);
	v.report[37 + 5] ^= 0x01;
	v.report[1] = 0x61; /* not GET_MEASUREMENTS */
	ASSERT_EQ(gpu_report_parse(v.report, v.report_size, &rep, why, sizeof(why)), -EBADMSG);
	ASSERT_CONTAINS(why, "byte 1: not an SPDM GET_MEASUREMENTS request");
}
