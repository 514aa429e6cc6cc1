/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The launch library (measurement/launch.h) against its front-end: the JSON
 * `ccimage measure` prints equals the report of launch_measure() for the
 * same inputs, as `ccimage build` makes them; the range checks every caller
 * shares; and the TEE table the recipe parser, the command and the build read.
 */
#include "tests/lib/tap.h"

#include <fcntl.h>
#include <unistd.h>

#include "init/base/hex.h"
#include "measurement/launch.h"
#include "measurement/tee.h"
#include "rootfs/ccimage/measure_cmd.h"
#include "rootfs/pipeline/launch_report.h"

#define AMDSEV     "tests/fixtures/sev-snp/ovmf_AmdSev_suffix.bin"
#define OVMF_TDX   "/usr/share/ovmf/OVMF.fd"
#define MAX_OUTPUT (64 << 10)

/* What fn(argc, argv) prints on stdout, and its exit code in *code. */
static char *captured(int (*fn)(int, char **), int argc, char **argv, int *code)
{
	char path[] = "/tmp/test_launch.XXXXXX", *text = calloc(1, MAX_OUTPUT);
	int fd = mkstemp(path), saved = dup(STDOUT_FILENO);

	ASSERT_TRUE(fd >= 0 && saved >= 0 && text);
	fflush(stdout);
	dup2(fd, STDOUT_FILENO);
	*code = fn(argc, argv);
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	ASSERT_TRUE(pread(fd, text, MAX_OUTPUT - 1, 0) >= 0);
	close(fd);
	unlink(path);
	return text;
}

/* The report launch_measure() gives for in, as the build writes it. */
static char *library_report(const struct launch_in *in, struct launch_result *res)
{
	char why[512] = "", *text = calloc(1, MAX_OUTPUT);
	FILE *f = fmemopen(text, MAX_OUTPUT - 1, "w");

	ASSERT_TRUE(f && text);
	if (launch_measure(in, res, why, sizeof(why)) < 0)
		tap_fail("launch_measure: %s", why);
	ASSERT_EQ(launch_report_print(f, in, res), 0);
	fclose(f);
	return text;
}

/* A kernel and an initrd of some bytes: SNP hashes them whole, whatever they hold. */
static void write_inputs(void)
{
	tap_sh("head -c 70000 /dev/urandom >/tmp/test_launch.kernel");
	tap_sh("head -c 3000000 /dev/urandom >/tmp/test_launch.initrd");
}

TEST(snp_front_end_json_is_the_library_report)
{
	char *argv[] = {"measure",
	                "--mode",
	                "snp",
	                "--ovmf",
	                AMDSEV,
	                "--kernel",
	                "/tmp/test_launch.kernel",
	                "--initrd",
	                "/tmp/test_launch.initrd",
	                "--append",
	                "console=hvc0 quiet",
	                "--vcpus",
	                "4",
	                "--vcpu-type",
	                "EPYC-Milan",
	                "--json",
	                NULL};
	const struct launch_in in = {.mode = tee_mode_by_name("snp"),
	                             .firmware = AMDSEV,
	                             .kernel = "/tmp/test_launch.kernel",
	                             .initrd = "/tmp/test_launch.initrd",
	                             .cmdline = "console=hvc0 quiet",
	                             .vcpus = 4,
	                             .vcpu_type = "EPYC-Milan"};
	struct launch_result res;
	char hex[2 * SEV_DIGEST_MAX + 1];
	int code;

	write_inputs();
	char *cli = captured(measure_main, 16, argv, &code);
	char *lib = library_report(&in, &res);
	ASSERT_EQ(code, 0);
	ASSERT_STR(cli, lib);
	/* The values themselves, not only the shared printer. */
	ASSERT_EQ(res.digest_len, SNP_LD_SIZE);
	hex_encode(res.digest, res.digest_len, hex);
	ASSERT_CONTAINS(cli, hex);
	ASSERT_EQ(res.kernel.size, 70000);
	ASSERT_EQ(res.initrd.size, 3000000);
	ASSERT_TRUE(res.have_hashes);
	launch_result_free(&res);
	free(cli);
	free(lib);
}

TEST(snp_vcpu_list_lines_are_the_library_digests)
{
	char *argv[] = {"measure", "--mode", "snp",         "--ovmf",  AMDSEV,
	                "--vcpus", "1,2,4",  "--vcpu-type", "EPYC-v4", NULL};
	static const unsigned counts[] = {1, 2, 4};
	char want[512] = "", hex[2 * SEV_DIGEST_MAX + 1], why[256];
	int code;

	for (size_t i = 0; i < 3; i++) {
		struct launch_in in = {.mode = tee_mode_by_name("snp"),
		                       .firmware = AMDSEV,
		                       .vcpus = counts[i],
		                       .vcpu_type = "EPYC-v4"};
		struct launch_result res;
		ASSERT_EQ(launch_measure(&in, &res, why, sizeof(why)), 0);
		hex_encode(res.digest, res.digest_len, hex);
		snprintf(want + strlen(want), sizeof(want) - strlen(want), "%u %s\n", counts[i],
		         hex);
		launch_result_free(&res);
	}
	char *cli = captured(measure_main, 9, argv, &code);
	ASSERT_EQ(code, 0);
	ASSERT_STR(cli, want);
	free(cli);
}

TEST(tdx_front_end_json_is_the_library_report)
{
	char *argv[] = {"measure", "--mode", "tdx", "--ovmf", OVMF_TDX, "--json", NULL};
	const struct launch_in in = {.mode = tee_mode_by_name("tdx"), .firmware = OVMF_TDX};
	struct launch_result res;
	int code;

	if (access(OVMF_TDX, R_OK) < 0)
		tap_skip(OVMF_TDX " is absent (Debian package ovmf)");
	char *cli = captured(measure_main, 6, argv, &code);
	char *lib = library_report(&in, &res);
	ASSERT_EQ(code, 0);
	ASSERT_STR(cli, lib);
	ASSERT_TRUE(res.tdx && res.tdx->has_mrtd && !res.tdx->has_rtmr[1]);
	ASSERT_CONTAINS(cli, "\"mr_td\":");
	launch_result_free(&res);
	free(cli);
	free(lib);
}

TEST(range_checks)
{
	char why[64] = "";

	ASSERT_EQ(launch_check_vcpus(0, why, sizeof(why)), -ERANGE);
	ASSERT_STR(why, "not 1..512");
	ASSERT_EQ(launch_check_vcpus(1, why, sizeof(why)), 0);
	ASSERT_EQ(launch_check_vcpus(512, why, sizeof(why)), 0);
	ASSERT_EQ(launch_check_vcpus(513, why, sizeof(why)), -ERANGE);
	ASSERT_EQ(launch_check_vcpus(UINT64_MAX, NULL, 0), -ERANGE);
	ASSERT_EQ(launch_check_memory(0, why, sizeof(why)), -ERANGE);
	ASSERT_STR(why, "not 1 MiB..16 TiB");
	ASSERT_EQ(launch_check_memory((1 << 20) - 1, NULL, 0), -ERANGE);
	ASSERT_EQ(launch_check_memory(1 << 20, NULL, 0), 0);
	ASSERT_EQ(launch_check_memory(16ull << 40, NULL, 0), 0);
	ASSERT_EQ(launch_check_memory((16ull << 40) + 1, NULL, 0), -ERANGE);
	/* The library applies them itself, whoever calls it. */
	struct launch_in in = {.mode = tee_mode_by_name("snp"),
	                       .firmware = AMDSEV,
	                       .vcpus = 513,
	                       .vcpu_type = "EPYC-v4"};
	struct launch_result res;
	ASSERT_EQ(launch_measure(&in, &res, why, sizeof(why)), -ERANGE);
	ASSERT_CONTAINS(why, "not 1..512");
	launch_result_free(&res);
	in = (struct launch_in){.mode = tee_mode_by_name("tdx"), .memory = 4096};
	ASSERT_EQ(launch_measure(&in, &res, why, sizeof(why)), -ERANGE);
	launch_result_free(&res);
}

TEST(failures_name_the_stage)
{
	struct launch_in in = {.mode = tee_mode_by_name("snp"),
	                       .firmware = "/nonexistent",
	                       .vcpus = 1,
	                       .vcpu_type = "EPYC-v4"};
	struct launch_result res;
	char why[256] = "";

	ASSERT_EQ(launch_measure(&in, &res, why, sizeof(why)), -ENOENT);
	ASSERT_EQ(res.failed, LAUNCH_READ);
	ASSERT_STR(res.failed_file, "/nonexistent");
	/* Not a TDVF image: the TDX metadata parser refuses it, naming the file. */
	struct launch_in tdx = {.mode = tee_mode_by_name("tdx"),
	                        .firmware = "tests/unit/test_launch.c"};
	ASSERT_TRUE(launch_measure(&tdx, &res, why, sizeof(why)) < 0);
	ASSERT_EQ(res.failed, LAUNCH_PARSE);
	ASSERT_CONTAINS(why, "tests/unit/test_launch.c: ");
	launch_result_free(&res);
	in.firmware = AMDSEV;
	in.vcpu_type = "EPYC-v99";
	ASSERT_EQ(launch_measure(&in, &res, why, sizeof(why)), -EINVAL);
	ASSERT_CONTAINS(why, "EPYC-v99");
}

TEST(tee_table)
{
	char list[128], why[128];

	/* Every row a build measures is measured through the --mode of its own name. */
	for (size_t i = 0; tee_at(i); i++) {
		const struct tee_info *t = tee_at(i);
		const struct tee_mode *m = tee_mode_by_name(t->name);
		ASSERT_TRUE(tee_by_name(t->name) == t && tee_by_id(t->id) == t);
		if (t->built)
			ASSERT_TRUE(m && m->tee == t->id);
	}
	for (size_t i = 0; tee_mode_at(i); i++)
		ASSERT_TRUE(tee_by_id(tee_mode_at(i)->tee) != NULL);
	ASSERT_TRUE(tee_by_name("snp")->built && tee_by_name("tdx")->built);
	ASSERT_FALSE(tee_by_name("sev")->built || tee_by_name("sev-es")->built);
	ASSERT_TRUE(tee_by_name("sgx") == NULL && tee_mode_by_name("sev-es") == NULL);
	ASSERT_EQ(tee_mode_by_name("seves")->tee, TEE_SEV_ES);
	ASSERT_EQ(tee_mode_by_name("snp:svsm")->sev, SEV_MODE_SNP_SVSM);
	ASSERT_STR(tee_mode_by_name("snp:svsm")->label, "SEV_SNP_SVSM");
	tee_list_built(list, sizeof(list));
	ASSERT_STR(list, "snp, tdx");
	/* The --mode choices --help prints are the table's. */
	tee_mode_list(list, sizeof(list));
	ASSERT_STR(list, "sev, seves, snp, snp:ovmf-hash, snp:svsm, tdx");
	ASSERT_EQ(tee_check_built("tdx", why, sizeof(why)), 0);
	ASSERT_EQ(tee_check_built("sev", why, sizeof(why)), -EINVAL);
	ASSERT_STR(why, "tee 'sev' is not one ccimage build measures (snp, tdx)");
	ASSERT_EQ(tee_report_name(tee_by_name("snp"), 4, list, sizeof(list)), 0);
	ASSERT_STR(list, "snp-4vcpu");
	ASSERT_EQ(tee_report_name(tee_by_name("tdx"), 0, list, sizeof(list)), 0);
	ASSERT_STR(list, "tdx");
}
