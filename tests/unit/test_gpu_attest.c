// SPDX-License-Identifier: Apache-2.0
/*
 * The local GPU attestation gate (init/gpu/attest_verify.c) on NVIDIA's
 * published H100 report and chain (tests/fixtures/nvidia-gpu/), and on our
 * test PKI (tests/fixtures/gpu-attest-test/) for the failures a real chain
 * cannot show: each check fails closed and names itself. NVIDIA's
 * published GB100 (Blackwell) report and chain, from its attestation SDK,
 * carry the FWID in a DiceTcbInfo; mutated copies of that leaf no longer
 * chain, so the FWID check (init/gpu/attest_fwid.c) is called on them alone,
 * and our GB100-style test PKI (bw-*) carries the same mutations in leaves
 * that do chain, for the whole gate. Both test PKIs have NVIDIA's shape (five
 * certificates, GPU names); valid paths of another shape, a switch-shaped
 * leaf and NVIDIA's own NVSwitch chain must be refused (issue 25).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <mbedtls/pem.h>
#include <mbedtls/x509_crt.h>

#include "init/base/fileio.h"
#include "init/base/hex.h"
#include "init/gpu/attest.h"
#include "init/gpu/attest_fwid.h"
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
	/* The VBIOS RIM's key and the driver RIM's chip (attestation.md, 6). */
	ASSERT_STR(rep.project, "1010");
	ASSERT_STR(rep.project_sku, "0200");
	ASSERT_STR(rep.chip_sku, "882");
	ASSERT_STR(rep.leaf_chip, "GH100");
	ASSERT_STR(rep.hwmodel, "GH100 A01 GSP BROM");
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

/* NVIDIA's shape (tests/lib/gen_gpu_attest_pki.py): each of these is a valid path to the root. */
static int verify_ours(const char *report, const char *chain)
{
	load(&v, report, chain, OURS "root.pem");
	return verify(&v, &rep, why, sizeof(why));
}

TEST(chain_of_four_fails)
{
	ASSERT_EQ(verify_ours(OURS "report.hex", OURS "chain-4.pem"), -EKEYREJECTED);
	ASSERT_CONTAINS(why, "certificate chain: 4 certificates, NVIDIA's GPU chains have 5");
}

TEST(chain_of_six_fails)
{
	ASSERT_EQ(verify_ours(OURS "report.hex", OURS "chain-6.pem"), -EKEYREJECTED);
	ASSERT_CONTAINS(why, "certificate chain: 6 certificates, NVIDIA's GPU chains have 5");
}

TEST(chain_of_five_with_a_stray_ca_fails)
{
	/* leaf, BROM, an ICA the root issued, an identity CA nothing uses, root. */
	ASSERT_EQ(verify_ours(OURS "report.hex", OURS "chain-stray.pem"), -EKEYREJECTED);
	ASSERT_CONTAINS(why, "certificate chain: certificate 2 is not issued by certificate 3");
}

TEST(switch_shaped_leaf_fails)
{
	/* An LS_10 leaf under the same identity CA, the report signed by it. */
	ASSERT_EQ(verify_ours(OURS "report-switch.hex", OURS "chain-switch.pem"), -EKEYREJECTED);
	ASSERT_CONTAINS(why, "the leaf \"LS_10 A01 FSP FMC LF\" is not a GPU's");
}

TEST(nvidia_switch_chain_fails_as_not_a_gpu)
{
	/* NVIDIA's own NVSwitch chain chains to the pinned root: its names refuse it. */
	load(&v, NV "hopperAttestationReport.txt", NV "switchCertChain.txt", NULL);
	ASSERT_EQ(verify(&v, &rep, why, sizeof(why)), -EKEYREJECTED);
	ASSERT_CONTAINS(why, "certificate chain: the leaf \"LS_10 A01 FSP FMC LF\"");
}

TEST(leaf_identity_is_nvidias_ueid)
{
	/* nvtrust's and the SDK's ueid claim: the leaf's serial number. */
	static const uint8_t serial[] = {0x53, 0xc2, 0x2b, 0xa1, 0x5e, 0x5d, 0x68,
	                                 0x08, 0x82, 0x82, 0xda, 0x07, 0x4e, 0xd9,
	                                 0xfb, 0x37, 0xaa, 0x58, 0x57, 0x71};

	load(&v, NV "hopperAttestationReport.txt", NV "hopperCertChain.txt", NULL);
	if (verify(&v, &rep, why, sizeof(why)) != 0)
		tap_fail("%s", why);
	ASSERT_EQ(rep.leaf_serial_size, sizeof(serial));
	ASSERT_MEM(rep.leaf_serial, serial, sizeof(serial));
	ASSERT_CONTAINS(rep.leaf_subject, "CN=GH100 A01 GSP FMC LF");
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

TEST(nvidia_blackwell_sample_passes)
{
	/* NVIDIA's SDK sample was requested with the same nonce as nvtrust's H100 one. */
	load(&v, NV "blackwellAttestationReport.txt", NV "blackwellCertChain.txt", NULL);
	if (verify(&v, &rep, why, sizeof(why)) != 0)
		tap_fail("%s", why);
	ASSERT_EQ(rep.spdm_version, 0x11);
	ASSERT_EQ(rep.block_count, 64);
	ASSERT_STR(rep.driver_version, "575.32");
	ASSERT_STR(rep.vbios_version, "97.00.88.00.0F");
	ASSERT_TRUE(rep.fwid != NULL);
	ASSERT_STR(rep.project, "G525");
	ASSERT_STR(rep.project_sku, "0220");
	ASSERT_STR(rep.chip_sku, "886");
	ASSERT_STR(rep.leaf_chip, "GB100");
	ASSERT_STR(rep.hwmodel, "GB100 A01 GSP BROM");
}

/* The leaf of a chain file as mbedTLS reads it, and its DER in der[] for mutating. */
static uint8_t leaf_der[4096];
static size_t leaf_size;

static void leaf_parse(mbedtls_x509_crt *crt)
{
	mbedtls_x509_crt_init(crt);
	ASSERT_EQ(mbedtls_x509_crt_parse_der(crt, leaf_der, leaf_size), 0);
}

static void load_blackwell(void)
{
	load(&v, NV "blackwellAttestationReport.txt", NV "blackwellCertChain.txt", NULL);
	ASSERT_EQ(gpu_report_parse(v.report, v.report_size, &rep, why, sizeof(why)), 0);
	ASSERT_TRUE(rep.fwid != NULL);
	leaf_size = pem_to_der(NV "blackwellCertChain.txt", leaf_der, sizeof(leaf_der));
}

/* Where in the leaf's DER the bytes [p, p + n) are; fails the test when absent. */
static size_t leaf_find(const void *p, size_t n)
{
	const uint8_t *at = memmem(leaf_der, leaf_size, p, n);

	if (!at)
		tap_fail("not in the leaf's DER");
	return (size_t)(at - leaf_der);
}

static int check_leaf_fwid(void)
{
	mbedtls_x509_crt crt;
	int r;

	leaf_parse(&crt);
	r = gpu_attest_check_fwid(&crt, &rep, why, sizeof(why));
	mbedtls_x509_crt_free(&crt);
	return r;
}

TEST(blackwell_leaf_fwid_matches_the_report)
{
	load_blackwell();
	if (check_leaf_fwid() != 0)
		tap_fail("%s", why);
}

TEST(blackwell_flipped_fwid_byte_fails)
{
	load_blackwell();
	leaf_der[leaf_find(rep.fwid, GPU_REPORT_FWID_SIZE) + 20] ^= 0x01;
	ASSERT_EQ(check_leaf_fwid(), -EKEYREJECTED);
	ASSERT_CONTAINS(why, "FWID: the report's differs from the leaf certificate's");
}

TEST(blackwell_without_fwids_fails)
{
	/* [6] fwids, 126 bytes, its first FWID's SEQUENCE and OID: retagged [10], an unknown field.
	 */
	static const uint8_t fwids[] = {0xa6, 0x7e, 0x30, 0x3d, 0x06, 0x09};

	load_blackwell();
	leaf_der[leaf_find(fwids, sizeof(fwids))] = 0xaa;
	ASSERT_EQ(check_leaf_fwid(), -EKEYREJECTED);
	ASSERT_CONTAINS(why, "FWID: the leaf certificate's 2.23.133.5.4.1.1 extension: its "
	                     "TcbInfo has no fwids");
}

TEST(blackwell_fwid_of_another_hash_fails)
{
	/* sha384's OID, 2.16.840.1.101.3.4.2.2, then the digest's OCTET STRING header. */
	static const uint8_t sha384[] = {0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65,
	                                 0x03, 0x04, 0x02, 0x02, 0x04, 0x30};

	load_blackwell();
	leaf_der[leaf_find(sha384, sizeof(sha384)) + 10] = 0x01; /* sha256 */
	ASSERT_EQ(check_leaf_fwid(), -EKEYREJECTED);
	ASSERT_CONTAINS(why, "FWID: the leaf certificate's 2.23.133.5.4.1.1 extension: its FWID "
	                     "is not SHA-384");
}

TEST(blackwell_mutated_leaf_fails_the_chain)
{
	/* The whole gate on the same mutation: the leaf's signature no longer holds. */
	char *pem;
	size_t olen;

	load_blackwell();
	leaf_der[leaf_find(rep.fwid, GPU_REPORT_FWID_SIZE) + 20] ^= 0x01;
	pem = malloc(8192 + v.chain_size);
	ASSERT_TRUE(pem != NULL);
	ASSERT_EQ(mbedtls_pem_write_buffer("-----BEGIN CERTIFICATE-----\n",
	                                   "-----END CERTIFICATE-----\n", leaf_der, leaf_size,
	                                   (unsigned char *)pem, 8192, &olen),
	          0);
	olen--; /* the NUL it counts */
	memcpy(pem + olen, strstr(v.chain + 1, "-----BEGIN"),
	       v.chain_size - (size_t)(strstr(v.chain + 1, "-----BEGIN") - v.chain));
	olen += v.chain_size - (size_t)(strstr(v.chain + 1, "-----BEGIN") - v.chain);
	free(v.chain);
	v.chain = pem;
	v.chain_size = olen;
	ASSERT_EQ(verify(&v, &rep, why, sizeof(why)), -EKEYREJECTED);
	ASSERT_CONTAINS(why, "certificate chain: ");
}

TEST(hopper_leaf_fwid_still_read_and_checked)
{
	load(&v, NV "hopperAttestationReport.txt", NV "hopperCertChain.txt", NULL);
	ASSERT_EQ(gpu_report_parse(v.report, v.report_size, &rep, why, sizeof(why)), 0);
	leaf_size = pem_to_der(NV "hopperCertChain.txt", leaf_der, sizeof(leaf_der));
	if (check_leaf_fwid() != 0)
		tap_fail("%s", why);
	leaf_der[leaf_find(rep.fwid, GPU_REPORT_FWID_SIZE)] ^= 0x80;
	ASSERT_EQ(check_leaf_fwid(), -EKEYREJECTED);
	ASSERT_CONTAINS(why, "FWID: the report's differs");
}

TEST(report_without_fwid_skips_the_comparison)
{
	/*
	 * A 535-era report has no FWID opaque field: NVIDIA's verifiers skip the
	 * comparison. The same leaf then passes even with its FWID changed.
	 */
	load_blackwell();
	leaf_der[leaf_find(rep.fwid, GPU_REPORT_FWID_SIZE) + 20] ^= 0x01;
	rep.fwid = NULL;
	ASSERT_EQ(check_leaf_fwid(), 0);
}

TEST(leaf_without_dice_extension_fails)
{
	/* The leaf's 2.23.133.5.4.1.1 made 2.23.133.5.4.9.1, none of NVIDIA's. */
	static const uint8_t dice[] = {0x06, 0x07, 0x67, 0x81, 0x05, 0x05, 0x04, 0x01, 0x01};

	load_blackwell();

	leaf_der[leaf_find(dice, sizeof(dice)) + 7] = 0x09;
	ASSERT_EQ(check_leaf_fwid(), -EKEYREJECTED);
	ASSERT_CONTAINS(why, "FWID: the leaf certificate carries none (no 2.23.133.5.4.1 or "
	                     "2.23.133.5.4.1.1 extension)");
}

TEST(blackwell_dice_extension_byte_flips_fail_closed)
{
	/*
	 * Every byte of the leaf's 2.23.133.5.4.1.1 extension flipped in turn: no
	 * read outside it (the sanitizers watch), and an accepted leaf only where
	 * the flip missed the FWID NVIDIA reads. A leaf mbedTLS no longer parses
	 * is refused before this check, so it is skipped.
	 */
	static const uint8_t dice[] = {0x06, 0x07, 0x67, 0x81, 0x05, 0x05, 0x04, 0x01, 0x01};
	size_t from, to, fwid_at;
	int accepted = 0, refused = 0;

	load_blackwell();
	from = leaf_find(dice, sizeof(dice));
	to = from + sizeof(dice) + 3 + 180; /* OCTET STRING, 0x81 0xb4 length, value */
	fwid_at = leaf_find(rep.fwid, GPU_REPORT_FWID_SIZE);
	for (size_t i = from; i < to; i++) {
		mbedtls_x509_crt crt;
		int r;

		leaf_der[i] ^= 0x5a;
		mbedtls_x509_crt_init(&crt);
		if (mbedtls_x509_crt_parse_der(&crt, leaf_der, leaf_size) == 0) {
			r = gpu_attest_check_fwid(&crt, &rep, why, sizeof(why));
			ASSERT_TRUE(r == 0 || r == -EKEYREJECTED);
			if (r == 0) {
				ASSERT_TRUE(i < fwid_at || i >= fwid_at + GPU_REPORT_FWID_SIZE);
				accepted++;
			} else {
				ASSERT_CONTAINS(why, "FWID: ");
				refused++;
			}
		}
		mbedtls_x509_crt_free(&crt);
		leaf_der[i] ^= 0x5a;
	}
	/* The vendor, model and flags bytes are not the FWID; its digest and framing are. */
	ASSERT_TRUE(accepted > 0);
	ASSERT_TRUE(refused >= GPU_REPORT_FWID_SIZE);
}

/* Our GB100-style PKI (tests/lib/gen_gpu_attest_bw.py): every leaf chains, so the FWID decides. */
static int verify_bw(const char *report, const char *chain)
{
	load(&v, report, chain, OURS "bw-root.pem");
	return verify(&v, &rep, why, sizeof(why));
}

TEST(blackwell_test_pki_passes)
{
	/* The control for the next four: NVIDIA's TcbInfo, our keys. */
	if (verify_bw(OURS "bw-report.hex", OURS "bw-chain.pem") != 0)
		tap_fail("%s", why);
}

TEST(blackwell_signed_leaf_with_another_fwid_fails)
{
	ASSERT_EQ(verify_bw(OURS "bw-report.hex", OURS "bw-chain-fwid-flipped.pem"), -EKEYREJECTED);
	ASSERT_CONTAINS(why, "FWID: the report's differs from the leaf certificate's");
}

TEST(blackwell_signed_leaf_without_fwids_fails)
{
	ASSERT_EQ(verify_bw(OURS "bw-report.hex", OURS "bw-chain-no-fwids.pem"), -EKEYREJECTED);
	ASSERT_CONTAINS(why, "its TcbInfo has no fwids");
}

TEST(blackwell_signed_leaf_with_a_sha256_fwid_fails)
{
	ASSERT_EQ(verify_bw(OURS "bw-report.hex", OURS "bw-chain-sha256.pem"), -EKEYREJECTED);
	ASSERT_CONTAINS(why, "its FWID is not SHA-384");
}

TEST(report_without_fwid_passes_the_whole_gate)
{
	/* A 535-era report: no FWID field, so even a leaf with another FWID passes, as with NVIDIA.
	 */
	if (verify_bw(OURS "bw-report-no-fwid.hex", OURS "bw-chain-fwid-flipped.pem") != 0)
		tap_fail("%s", why);
	ASSERT_TRUE(rep.fwid == NULL);
	ASSERT_STR(rep.driver_version, "575.32");
}
