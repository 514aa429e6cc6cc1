/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SEV/SEV-ES/SEV-SNP launch digests against sev-snp-measure 0.0.13's published
 * vectors (tests/test_guest.py; measurement/README.md, 4.7) on its fixtures, its
 * refusals, the vCPU signature table, and the OVMF parser on hostile input.
 */
#include "tests/lib/tap.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "rootfs/ccimage/measure_cmd.h"
#include "measurement/measure_input.h"
#include "measurement/ovmf.h"
#include "measurement/snp.h"
#include "tests/lib/ovmf_fixture.h"

#define EPYC_V4 0x800f12

/* "K" in the vectors: kernel = initrd = /dev/null, so both are SHA-256 of nothing. */
static struct sev_hashes k_hashes(const char *append)
{
	struct sev_hashes h;

	EVP_Digest("", 0, h.kernel, NULL, EVP_sha256(), NULL);
	memcpy(h.initrd, h.kernel, 32);
	ASSERT_EQ(sev_hashes_cmdline(append, h.cmdline), 0);
	return h;
}

static void hex_of(const uint8_t *d, size_t n, char *out)
{
	hex_encode(d, n, out);
}

/* Computes the digest and compares its hex; expect NULL means a refusal whose message
 * contains refusal. */
static void check(const char *path, struct sev_params p, const char *expect, const char *refusal)
{
	struct fixture f;
	uint8_t d[SEV_DIGEST_MAX];
	char hex[2 * SEV_DIGEST_MAX + 1];
	char why[256] = "";
	size_t n = 0;
	int r;

	load(&f, path);
	p.fw = &f.fw;
	r = sev_launch_digest(&p, d, &n, why, sizeof(why));
	if (!expect) {
		ASSERT_TRUE(r < 0);
		ASSERT_CONTAINS(why, refusal);
	} else {
		if (r < 0)
			tap_fail("refused: %s", why);
		hex_of(d, n, hex);
		ASSERT_STR(hex, expect);
	}
	free(f.data);
}

/* SNP(.field = value): the vectors' common inputs with overrides, so later designators win. */
#pragma GCC diagnostic ignored "-Woverride-init"
#define SNP(...)                                                                                   \
	((struct sev_params){.mode = SEV_MODE_SNP,                                                 \
	                     .vcpus = 1,                                                           \
	                     .vcpu_sig = EPYC_V4,                                                  \
	                     .guest_features = 0x1,                                                \
	                     .vmm = VMM_QEMU,                                                      \
	                     __VA_ARGS__})

TEST(snp_ovmf_hash_vector)
{
	struct fixture f;
	uint8_t ld[SNP_LD_SIZE];
	char hex[97];
	char why[256] = "";

	load(&f, AMDSEV);
	ASSERT_EQ(snp_ovmf_hash(&f.fw, ld, why, sizeof(why)), 0);
	hex_of(ld, sizeof(ld), hex);
	ASSERT_STR(hex, "086e2e9149ebf45abdc3445fba5b2da8270bdbb04094d7a2c37faaa4b24af3aa16aff8c"
	                "374c2a55c467a50da6d466b74");
	free(f.data);
}

TEST(snp_kernel_vectors)
{
	struct sev_hashes h = k_hashes("console=ttyS0 loglevel=7");

	check(AMDSEV, SNP(.hashes = &h, .guest_features = 0x21),
	      "803f691094946e42068aaa3a8f9e26a5c89f36f7b73ecfb28c653360fe4b3aba7e534442e7e1e17895df"
	      "e7"
	      "78d0228977",
	      NULL);
	check(AMDSEV, SNP(.hashes = &h),
	      "6d287813eb5222d770f75005c664e34c204f385ce832cc2ce7d0d6f354454362f390ef83a92046c042e7"
	      "06"
	      "363b4b08fa",
	      NULL);
}

TEST(snp_seeded_vectors)
{
	static const char seed_hex[] =
	        "086e2e9149ebf45abdc3445fba5b2da8270bdbb04094d7a2c37faaa4b24af3"
	        "aa16aff8c374c2a55c467a50da6d466b74";
	struct sev_hashes h = k_hashes("");
	uint8_t seed[SNP_LD_SIZE];

	ASSERT_EQ(py_fromhex(seed_hex, seed, sizeof(seed)), SNP_LD_SIZE);
	check(AMDSEV, SNP(.hashes = &h, .guest_features = 0x21, .seed = seed),
	      "329c8ce0972ae52343b64d34a434a86f245dfd74f5ed7aae15d22efc78fb9683632b9b50e4e1d7fa4117"
	      "9e"
	      "f98a7ef198",
	      NULL);
	check(AMDSEV, SNP(.hashes = &h, .seed = seed),
	      "ddc5224521617a536ee7ce9dd6224d1b58a8d4fda1c741f3ac99fc4bfa04ba6e9fc98646d4a07a907939"
	      "7f"
	      "a3852819b5",
	      NULL);
}

TEST(snp_ec2_gce_vectors)
{
	struct sev_hashes h = k_hashes("");

	check(AMDSEV, SNP(.hashes = &h, .guest_features = 0x21, .vmm = VMM_EC2),
	      "0ce9ccc06bab55eebe8abc234f3df6514883977a68a591b71052498ab52b2f1aa415db338033946ef93a"
	      "a8"
	      "278c0d67fb",
	      NULL);
	check(AMDSEV, SNP(.hashes = &h, .vmm = VMM_EC2),
	      "0883bd0eeb716e65b7b977a321c278d1e51b33b5c655fab985443bbcc65c086b9c15e8a0bd8811050dec"
	      "7e"
	      "24964e5056",
	      NULL);
	/* gce needs no vCPU type: the signature is ignored */
	check(AMDSEV, SNP(.hashes = &h, .vmm = VMM_GCE, .vcpu_sig = 0),
	      "5da7106cf14cf46b1725ebab123eb9e53bd46a1e9f400cd0c08e7827b04b688ea8b4e403c8404efed439"
	      "7e"
	      "a5d5d0722e",
	      NULL);
	check(AMDSEV, SNP(.hashes = &h, .vmm = VMM_GCE, .vcpus = 4),
	      "5c5debf100fc339f90276e761ee1f1658d08922c3b20e2a2e6c7a6c3370b2452a15a00eae11886a93d6f"
	      "d1"
	      "e7ab81e29d",
	      NULL);
}

TEST(snp_no_kernel_and_smp_vectors)
{
	struct sev_hashes h = k_hashes("");

	check(AMDSEV, SNP(.guest_features = 0x21),
	      "e1e1ca029dd7973ab9513295be68198472dcd4fc834bd9af9b63f6e8a1674dbf281a9278a4a2ebe0eed9"
	      "f2"
	      "2adbcd0e2b",
	      NULL);
	check(AMDSEV, SNP(),
	      "19358ba9a7615534a9a1e2f0dfc29384dcd4dcb7062ff9c6013b26869a5fc6ecabe033c48dd6f6db5d6d"
	      "76"
	      "e7c5df632d",
	      NULL);
	check(AMDSEV, SNP(.hashes = &h, .vcpus = 4, .guest_features = 0x21),
	      "4953b1fb416fa874980e8442b3706d345926d5f38879134e00813c5d7abcbe78eafe7b422907be0b4698"
	      "e2"
	      "414a631942",
	      NULL);
	check(AMDSEV, SNP(.hashes = &h, .vcpus = 4),
	      "5061fffb019493a903613d56d54b94912a1a2f9e4502385f5c194616753720a92441310ba6c4933de877"
	      "c3"
	      "6e23046ad5",
	      NULL);
	check(OVMFX64, SNP(.guest_features = 0x21),
	      "28797ae0afaba4005a81e629acebfb59e6687949d6be44007cd5506823b0dd66f146aaae26ff291eed7b"
	      "49"
	      "3d8a64c385",
	      NULL);
	check(OVMFX64, SNP(),
	      "da0296de8193586a5512078dcd719eccecbd87e2b825ad4148c44f665dc87df21e5b49e21523a9ad993a"
	      "fd"
	      "b6a30b4005",
	      NULL);
}

TEST(sev_and_seves_vectors)
{
	struct sev_hashes h = k_hashes(""), hc = k_hashes("console=ttyS0 loglevel=7"), ho;
	struct sev_params es = {.mode = SEV_MODE_SEVES,
	                        .vcpus = 1,
	                        .vcpu_sig = EPYC_V4,
	                        .vmm = VMM_QEMU,
	                        .hashes = &h};
	struct sev_params sev = {.mode = SEV_MODE_SEV, .vmm = VMM_QEMU, .hashes = &hc};

	check(AMDSEV, es, "13810ae661ea11e2bb205621f582fee268f0367c8f97bc297b7fadef3e12002c", NULL);
	es.vcpus = 4;
	check(AMDSEV, es, "0dccbcaba8e90b261bd0d2e1863a2f9da714768b7b2a19363cd6ae35aa90de91", NULL);
	check(AMDSEV, sev, "82a3ee5d537c3620628270c292ae30cb40c3c878666a7890ee7ef2a08fb535ff",
	      NULL);
	/* kernel only: no --initrd, no --append */
	ho = k_hashes(NULL);
	sev.hashes = &ho;
	check(AMDSEV, sev, "77f613d7bbcdf12a73782ea9e88b0172aeda50d1a54201cb903594ff52846898",
	      NULL);
	sev.hashes = NULL;
	check(OVMFX64, sev, "b4c021e085fb83ceffe6571a3d357b4a98773c83c474e47f76c876708fe316da",
	      NULL);
}

TEST(refusals)
{
	struct sev_hashes h = k_hashes("");
	struct sev_params es = {.mode = SEV_MODE_SEVES,
	                        .vcpus = 1,
	                        .vcpu_sig = EPYC_V4,
	                        .vmm = VMM_QEMU,
	                        .hashes = &h};
	struct sev_params sev = {.mode = SEV_MODE_SEV, .vmm = VMM_QEMU, .hashes = &h};

	check(OVMFX64, SNP(.hashes = &h), NULL,
	      "Kernel specified but OVMF metadata doesn't include SNP_KERNEL_HASHES section");
	check(OVMFX64, es, NULL,
	      "Kernel specified but OVMF doesn't support kernel/initrd/cmdline measurement");
	check(OVMFX64, sev, NULL,
	      "Kernel specified but OVMF doesn't support kernel/initrd/cmdline measurement");
}

TEST(vcpu_signatures)
{
	static const struct {
		const char *name;
		uint64_t sig;
	} table[] = {
	        {"EPYC", 0x800f12},          {"EPYC-v1", 0x800f12},
	        {"EPYC-v2", 0x800f12},       {"EPYC-IBPB", 0x800f12},
	        {"EPYC-v3", 0x800f12},       {"EPYC-v4", 0x800f12},
	        {"EPYC-Rome", 0x830f10},     {"EPYC-Rome-v1", 0x830f10},
	        {"EPYC-Rome-v2", 0x830f10},  {"EPYC-Rome-v3", 0x830f10},
	        {"EPYC-Milan", 0xa00f11},    {"EPYC-Milan-v1", 0xa00f11},
	        {"EPYC-Milan-v2", 0xa00f11}, {"EPYC-Genoa", 0xa10f10},
	        {"EPYC-Genoa-v1", 0xa10f10}, {"EPYC-Turin", 0xb00f00},
	};
	uint64_t sig;
	size_t n = 0;

	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		ASSERT_EQ(snp_vcpu_sig_by_name(table[i].name, &sig), 0);
		ASSERT_EQ(sig, table[i].sig);
	}
	while (snp_vcpu_name(n))
		n++;
	ASSERT_EQ(n, sizeof(table) / sizeof(table[0]));
	ASSERT_EQ(snp_vcpu_sig_by_name("EPYC-v5", &sig), -ENOENT);
	ASSERT_EQ(snp_cpu_sig(14, 1, 2), 0x0e12);
	ASSERT_EQ(snp_cpu_sig(23, 1, 2), 0x800f12);
	ASSERT_EQ(snp_cpu_sig(0, 0, 0), 0);
	/* Python's two's-complement ints, kept to 64 bits as ctypes does */
	ASSERT_EQ(snp_cpu_sig(-1, 0, 0), 0xffffffffffffff00ull);
}

TEST(hash_table_bytes)
{
	static const uint8_t start[] = {0x06, 0xd6, 0x38, 0x94, 0x22, 0x4f, 0xc9, 0x4c,
	                                0xb4, 0x79, 0xa7, 0x93, 0xd4, 0x11, 0xfd, 0x21,
	                                0xa8, 0x00, 0xd8, 0x2d, 0xd0, 0x97, 0x20, 0xbd};
	struct sev_hashes h = k_hashes("");
	uint8_t t[SEV_HASH_TABLE_PADDED];

	sev_hashes_table(&h, t);
	ASSERT_MEM(t, start, sizeof(start));
	ASSERT_MEM(t + 18 + 18, h.cmdline, 32);
	for (unsigned i = SEV_HASH_TABLE_SIZE; i < SEV_HASH_TABLE_PADDED; i++)
		ASSERT_EQ(t[i], 0);
}

TEST(vmsa_layout)
{
	uint8_t p[SNP_PAGE_SIZE];

	snp_vmsa_page(p, 0x80b004, 0x21, EPYC_V4, VMM_QEMU);
	ASSERT_EQ(p[0x12], 0x9b);                  /* CS attrib */
	ASSERT_EQ(p[0x1a] | p[0x1b] << 8, 0x0080); /* CS base = EIP & 0xffff0000 */
	ASSERT_EQ(p[0x178] | p[0x179] << 8, 0xb004);
	ASSERT_EQ(p[0x310] | p[0x311] << 8 | p[0x312] << 16, EPYC_V4);
	ASSERT_EQ(p[0x3b0], 0x21);
	ASSERT_EQ(p[0x408] | p[0x409] << 8, 0x1f80);
	ASSERT_EQ(p[0x410] | p[0x411] << 8, 0x37f);
	snp_vmsa_page(p, 0xfffffff0, 0x1, EPYC_V4, VMM_EC2);
	ASSERT_EQ(p[0x12], 0x9a);
	ASSERT_EQ(p[0x310] | p[0x311] << 8, 0x600);
	ASSERT_EQ(p[0x408], 0);
}

TEST(python_number_syntax)
{
	__int128 v;
	uint8_t b[8];

	ASSERT_EQ(py_int("42", 10, &v), 0);
	ASSERT_EQ(v, 42);
	ASSERT_EQ(py_int(" 4_2\n", 10, &v), 0);
	ASSERT_EQ(v, 42);
	ASSERT_EQ(py_int("010", 10, &v), 0);
	ASSERT_EQ(v, 10);
	ASSERT_EQ(py_int("-7", 10, &v), 0);
	ASSERT_EQ(v, -7);
	ASSERT_EQ(py_int("0x_1f", 0, &v), 0);
	ASSERT_EQ(v, 31);
	ASSERT_EQ(py_int("0X21", 0, &v), 0);
	ASSERT_EQ(v, 0x21);
	ASSERT_EQ(py_int("0b101", 0, &v), 0);
	ASSERT_EQ(v, 5);
	ASSERT_EQ(py_int("0o17", 0, &v), 0);
	ASSERT_EQ(v, 15);
	ASSERT_EQ(py_int("00", 0, &v), 0);
	ASSERT_EQ(v, 0);
	ASSERT_EQ(py_int("33", 0, &v), 0);
	ASSERT_EQ(v, 33);
	ASSERT_EQ(py_int("010", 0, &v), -EINVAL);
	ASSERT_EQ(py_int("0x10", 10, &v), -EINVAL);
	ASSERT_EQ(py_int("1__0", 10, &v), -EINVAL);
	ASSERT_EQ(py_int("_1", 10, &v), -EINVAL);
	ASSERT_EQ(py_int("1_", 10, &v), -EINVAL);
	ASSERT_EQ(py_int("0x", 0, &v), -EINVAL);
	ASSERT_EQ(py_int("", 10, &v), -EINVAL);
	ASSERT_EQ(py_int("1 2", 10, &v), -EINVAL);
	ASSERT_EQ(py_int("0x80000000000000000000000000000000", 0, &v), -EINVAL);

	ASSERT_EQ(py_fromhex(" 08 6e\n2e ", b, sizeof(b)), 3);
	ASSERT_EQ(b[1], 0x6e);
	ASSERT_EQ(py_fromhex("0 8", b, sizeof(b)), -EINVAL);
	ASSERT_EQ(py_fromhex("abc", b, sizeof(b)), -EINVAL);
	ASSERT_EQ(py_fromhex("000000000000000000", b, sizeof(b)), -EINVAL);
	ASSERT_TRUE(utf8_valid("caf\xc3\xa9 \xf0\x9f\x98\x80"));
	ASSERT_FALSE(utf8_valid("\xc0\xaf"));
	ASSERT_FALSE(utf8_valid("\xed\xa0\x80"));
	ASSERT_FALSE(utf8_valid("\xe2\x82"));
}

TEST(svsm_vmsa_layout)
{
	uint8_t p[SNP_PAGE_SIZE];

	snp_vmsa_svsm_page(p, 0xffbff010ull, EPYC_V4);
	ASSERT_EQ(p[0x10], 8); /* CS selector: flat 32-bit code */
	ASSERT_EQ(p[0x12] | p[0x13] << 8, 0xc9b);
	ASSERT_EQ(p[0x158], 0x11); /* CR0.PE */
	ASSERT_EQ(p[0x178] | p[0x179] << 8 | p[0x17a] << 16 | (uint32_t)p[0x17b] << 24,
	          0xffbff010u);
	ASSERT_EQ(p[0x3b0], 0x1); /* SEV_FEATURES forced to SNPActive */
	ASSERT_EQ(p[0x408] | p[0x409] << 8, 0x1f80);
	ASSERT_EQ(p[0x410] | p[0x411] << 8, 0); /* X87_FCW stays 0, as in sev-snp-measure 0.0.13 */
}

TEST(svsm_refusals)
{
	struct fixture f;
	uint8_t d[SEV_DIGEST_MAX];
	char why[256] = "";
	size_t n;

	load(&f, AMDSEV);
	/* the OVMF suffix has no SVSM_INFO entry, so it cannot stand in for an SVSM */
	ASSERT_EQ(sev_launch_digest(&SNP(.mode = SEV_MODE_SNP_SVSM, .fw = &f.fw, .svsm = &f.fw,
	                                 .vars_size = 540672),
	                            d, &n, why, sizeof(why)),
	          -EBADMSG);
	ASSERT_CONTAINS(why, "SVSM_INFO");
	ASSERT_EQ(sev_launch_digest(&SNP(.mode = SEV_MODE_SNP_SVSM, .fw = &f.fw, .svsm = &f.fw,
	                                 .vmm = VMM_EC2),
	                            d, &n, why, sizeof(why)),
	          -EBADMSG);
	ASSERT_CONTAINS(why, "only implemented for Qemu");
	ASSERT_EQ(sev_launch_digest(&SNP(.mode = SEV_MODE_SNP_SVSM, .fw = &f.fw, .svsm = &f.fw,
	                                 .vars_size = 0x100000000ll),
	                            d, &n, why, sizeof(why)),
	          -EBADMSG);
	free(f.data);
}

/* Runs `ccimage measure ARGS` in this process and returns its exit code, stdout in out. */
static int cli(char *out, size_t cap, const char *const *args)
{
	char *argv[32] = {"measure"};
	int argc = 1, saved, rc;
	FILE *tmp = tmpfile();
	size_t n;

	while (args[argc - 1] && argc < 31) {
		argv[argc] = (char *)args[argc - 1];
		argc++;
	}
	ASSERT_TRUE(tmp != NULL);
	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	dup2(fileno(tmp), STDOUT_FILENO);
	rc = measure_main(argc, argv);
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	rewind(tmp);
	n = fread(out, 1, cap - 1, tmp);
	out[n] = '\0';
	fclose(tmp);
	return rc;
}

#define CLI(out, ...) cli(out, sizeof(out), (const char *const[]){__VA_ARGS__, NULL})

TEST(cli_same_line_as_sev_snp_measure)
{
	char out[4096];

	ASSERT_EQ(CLI(out, "--tee", "snp", "--vcpus", "1", "--vcpu-type", "EPYC-v4", "--ovmf",
	              AMDSEV, "--kernel", "/dev/null", "--initrd", "/dev/null", "--append",
	              "console=ttyS0 loglevel=7", "--guest-features", "0x21"),
	          0);
	ASSERT_STR(out, "803f691094946e42068aaa3a8f9e26a5c89f36f7b73ecfb28c653360fe4b3aba7e534442"
	                "e7e1e17895dfe778d0228977\n");
	/* Kata CI's spelling, base64 as trustee < 0.18 wants it, a seed */
	ASSERT_EQ(CLI(out, "--mode=snp", "--vcpus=1", "--vcpu-sig=0x800F12",
	              "--output-format=base64", "--ovmf=" AMDSEV, "--kernel=/dev/null", "--append=",
	              "--snp-ovmf-hash="
	              "086e2e9149ebf45abdc3445fba5b2da8270bdbb04094d7a2c37faaa4b24af3a"
	              "a16aff8c374c2a55c467a50da6d466b74"),
	          0);
	ASSERT_STR(out, "3cUiRSFhelNu586d1iJNG1io1P2hx0HzrJn8S/oEum6fyYZG1KB6kHk5f6OFKBm1\n");
	ASSERT_EQ(CLI(out, "--mode", "seves", "--vcpus", "4", "--vcpu-family", "23", "--vcpu-model",
	              "1", "--vcpu-stepping", "2", "--ovmf", AMDSEV, "--kernel", "/dev/null",
	              "--initrd", "/dev/null", "-v"),
	          0);
	ASSERT_STR(out, "Calculated SEV_ES guest measurement: "
	                "0dccbcaba8e90b261bd0d2e1863a2f9da714768b7b2a19363cd6ae35aa90de91\n");
	/* snp:ovmf-hash prints hex whatever --output-format says */
	ASSERT_EQ(
	        CLI(out, "--mode", "snp:ovmf-hash", "--ovmf", AMDSEV, "--output-format", "base64"),
	        0);
	ASSERT_STR(out,
	           "086e2e9149ebf45abdc3445fba5b2da8270bdbb04094d7a2c37faaa4b24af3aa16aff8c374c"
	           "2a55c467a50da6d466b74\n");
	ASSERT_EQ(CLI(out, "--mode", "snp", "--vcpus", "4", "--vmm-type", "gce", "--ovmf", AMDSEV,
	              "--kernel", "/dev/null", "--initrd", "/dev/null"),
	          0);
	ASSERT_STR(out,
	           "5c5debf100fc339f90276e761ee1f1658d08922c3b20e2a2e6c7a6c3370b2452a15a00eae11"
	           "886a93d6fd1e7ab81e29d\n");
}

TEST(cli_refusals)
{
	char out[4096];

	ASSERT_EQ(CLI(out, "--mode", "snp", "--vcpus", "1", "--vcpu-type", "EPYC-v4", "--ovmf",
	              OVMFX64, "--kernel", "/dev/null"),
	          3);
	ASSERT_STR(out, "");
	ASSERT_EQ(CLI(out, "--mode", "snp", "--vcpu-type", "EPYC-v4", "--ovmf", AMDSEV), 2);
	ASSERT_EQ(CLI(out, "--mode", "snp", "--vcpus", "1", "--ovmf", AMDSEV), 2);
	ASSERT_EQ(CLI(out, "--mode", "snp", "--vcpus", "1", "--vcpu-type", "EPYC-v9", "--ovmf",
	              AMDSEV),
	          2);
	ASSERT_EQ(CLI(out, "--mode", "sev", "--ovmf", AMDSEV, "--initrd", "/dev/null"), 2);
	ASSERT_EQ(CLI(out, "--mode", "seves", "--vcpus", "1", "--vcpu-type", "EPYC", "--ovmf",
	              AMDSEV, "--snp-ovmf-hash", "00"),
	          2);
	/* A file the user named that is not there is bad input, not a system error. */
	ASSERT_EQ(CLI(out, "--mode", "snp", "--vcpus", "1", "--vcpu-type", "EPYC", "--ovmf",
	              "/nonexistent"),
	          3);
}

TEST(cli_json_and_rvps)
{
	char out[4096], path[] = "/tmp/test_snp_rvps.XXXXXX", buf[1024];
	int fd = mkstemp(path);
	ssize_t n;

	ASSERT_TRUE(fd >= 0);
	ASSERT_EQ(CLI(out, "--mode", "snp", "--vcpus", "1", "--vcpu-type", "EPYC-v4", "--ovmf",
	              AMDSEV, "--json", "--rvps", path, "--trustee-version", "v0.17.0"),
	          0);
	ASSERT_CONTAINS(out, "\"measurement\": \"19358ba9a7615534a9a1e2f0dfc29384dcd4dcb7062ff9c601"
	                     "3b26869a5fc6ecabe033c48dd6f6db5d6d76e7c5df632d\"");
	ASSERT_CONTAINS(out,
	                "\"sha256\": \"8f765dfabc127fc0a938a0744a3103ec15864d7d794eb4c398aa976b"
	                "6d6ab16c\"");
	/* The message replaces the file whole (a new inode): read it by its name. */
	close(fd);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	ASSERT_TRUE(fd >= 0);
	n = read(fd, buf, sizeof(buf) - 1);
	ASSERT_TRUE(n > 0);
	buf[n] = '\0';
	/* {"snp_launch_measurement":["GTWLqadh...32Mt"]}: base64, as trustee before 0.18 wants */
	ASSERT_STR(buf,
	           "{\"version\":\"0.1.0\",\"type\":\"sample\",\"payload\":\"eyJzbnBfbGF1bmNoX21"
	           "lYXN1cmVtZW50IjpbIkdUV0xxYWRoVlRTcG9lTHczOEtUaE56VTNMY0dML25HQVRzbWhwcGZ4dXly"
	           "NERQRWpkYjIyMTF0ZHVmRjMyTXQiXX0=\"}\n");
	close(fd);
	unlink(path);
}
