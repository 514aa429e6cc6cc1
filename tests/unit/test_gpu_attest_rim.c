// SPDX-License-Identifier: Apache-2.0
/*
 * Golden measurements in the attestation step (init/gpu/attest.c, rim.c):
 * the fake RM serves nvtrust's H100 sample (driver 550.90.07, VBIOS
 * 96.00.9F.00.01, board 1010_0200_882), and the golden table is written by
 * the test from that report's own blocks, split between a driver RIM and a
 * VBIOS RIM as NVIDIA's are (for the sample's driver and VBIOS NVIDIA
 * publishes no RIM). The comparison against NVIDIA's own RIMs is
 * test_gpu_rim.c's.
 */
#include <errno.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "init/base/fileio.h"
#include "init/base/gpu_golden.h"
#include "init/base/hex.h"
#include "init/core/boot.h"
#include "init/gpu/attest.h"
#include "init/gpu/nvrm_attest.h"
#include "init/gpu/report.h"
#include "tests/lib/fake_nvrm.h"
#include "tests/lib/tap.h"

#define SHA "0000000000000000000000000000000000000000000000000000000000000000"

static void setup(void)
{
	if (fake_nvrm_setup(FAKE_NVRM_SAMPLE_REPORT, FAKE_NVRM_SAMPLE_CHAIN,
	                    FAKE_NVRM_SAMPLE_NONCE) < 0)
		tap_fail("cannot serve nvtrust's sample");
	atexit(fake_nvrm_remove_root);
}

/*
 * A table whose driver RIM measures indices 0-9 and whose VBIOS RIM measures
 * 10-19 with the report's values; flip names an index whose value is changed
 * (-1: none), drop_vbios leaves the VBIOS RIM out.
 */
static char *table(int flip, bool drop_vbios)
{
	static struct gpu_report rep; /* 8 KiB of blocks: not on the stack */
	char why[256] = "", *text = NULL, hex[2 * GPU_GOLDEN_MAX_VALUE + 1];
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);

	if (gpu_report_parse(fake_rm.report, fake_rm.report_size, &rep, why, sizeof(why)) < 0)
		tap_fail("the sample does not parse: %s", why);
	fprintf(f, GPU_GOLDEN_MAGIC "\n");
	for (unsigned i = 0; i < 20; i++) {
		const struct gpu_report_block *b = &rep.blocks[i];
		uint8_t v[GPU_GOLDEN_MAX_VALUE];

		if (i == 0)
			fprintf(f, "rim driver GH100 550.90.07 " SHA " valid\n");
		if (i == 10 && drop_vbios)
			break;
		if (i == 10)
			fprintf(f, "rim vbios 1010_0200_882 96.00.9F.00.01 " SHA " expired\n");
		if (b->index != i + 1 || b->value_size > sizeof(v))
			tap_fail("block %u is not index %u", i, i + 1);
		memcpy(v, b->value, b->value_size);
		if ((int)i == flip)
			v[0] ^= 0x80;
		hex_encode(v, b->value_size, hex);
		fprintf(f, "m %u %u %s\n", i, b->value_size, hex);
	}
	fclose(f);
	return text;
}

static struct gpu_golden *golden_of(char *text)
{
	struct gpu_golden *g;
	char why[256] = "";

	if (gpu_golden_parse(text, strlen(text), &g, why, sizeof(why)) < 0)
		tap_fail("the test's table does not parse: %s", why);
	free(text);
	return g;
}

/* One field of a JSON file of the GPU's evidence, as compact JSON. */
static char *field_of(const char *file, const char *field)
{
	static char out[1024];
	struct json_object *o, *v;
	size_t len;
	char *text = fake_nvrm_evidence(0x41, file, &len);

	if (!text || !(o = json_tokener_parse(text)))
		tap_fail("no %s, or not JSON", file);
	snprintf(out, sizeof(out), "%s",
	         json_object_object_get_ex(o, field, &v)
	                 ? json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN)
	                 : "absent");
	json_object_put(o);
	free(text);
	return out;
}

static char *verdict(const char *field)
{
	return field_of("verdict.json", field);
}

static char *claim(const char *field)
{
	return field_of("claims.json", field);
}

static int run(const struct gpu_golden *g, char *why, size_t size)
{
	bool measured;

	return gpu_attest_all("/dev/nvidiactl", "580.159.04", false, g, 1, &measured, why, size);
}

TEST(matching_golden_measurements_pass_and_the_verdict_says_measres_success)
{
	struct gpu_golden *g;
	char why[1024] = "";

	setup();
	g = golden_of(table(-1, false));
	if (run(g, why, sizeof(why)) != 0)
		tap_fail("%s", why);
	ASSERT_STR(verdict("verdict"), "\"pass\"");
	ASSERT_STR(verdict("measres"), "\"success\"");
	ASSERT_STR(verdict("board"), "\"1010_0200_882\"");
	ASSERT_STR(verdict("measurements_compared"), "20");
	ASSERT_STR(verdict("mismatched_indices"), "[]");
	ASSERT_STR(claim("measres"), "\"success\"");
	ASSERT_STR(claim("secboot"), "true");
	ASSERT_STR(claim("dbgstat"), "\"disabled\"");
	ASSERT_STR(claim("x-nvidia-gpu-vbios-rim-cert-chain"),
	           "{\"x-nvidia-cert-status\":\"expired\"}");
	ASSERT_STR(claim("x-nvidia-gpu-driver-rim-cert-chain"),
	           "{\"x-nvidia-cert-status\":\"valid\"}");
	ASSERT_STR(claim("x-nvidia-mismatch-measurement-records"), "null");
	ASSERT_STR(verdict("vbios_rim"),
	           "{\"model\":\"1010_0200_882\",\"version\":\"96.00.9F.00.01\","
	           "\"sha256\":\"" SHA "\",\"certificate_status\":\"expired\"}");
	gpu_golden_free(g);
	fake_nvrm_remove_root();
}

TEST(a_changed_measurement_fails_naming_gpu_index_rim_and_both_values)
{
	struct gpu_golden *g;
	char why[1024] = "";

	setup();
	g = golden_of(table(13, false));
	ASSERT_EQ(run(g, why, sizeof(why)), -EKEYREJECTED);
	ASSERT_CONTAINS(why, "GPU 0000:41:00.0: attestation failed: golden measurements: index 13 "
	                     "differs from the vbios RIM 96.00.9F.00.01: the GPU has ");
	ASSERT_CONTAINS(why, "(1 of 20 indices differ)");
	ASSERT_STR(verdict("verdict"), "\"fail\"");
	ASSERT_STR(verdict("measres"), "\"fail\"");
	ASSERT_STR(verdict("mismatched_indices"), "[13]");
	ASSERT_STR(claim("measres"), "\"fail\"");
	ASSERT_STR(claim("secboot"), "null");
	ASSERT_CONTAINS(claim("x-nvidia-mismatch-measurement-records"),
	                "[{\"index\":13,\"goldenSize\":48,\"goldenValue\":\"");
	ASSERT_CONTAINS(claim("x-nvidia-mismatch-measurement-records"),
	                "\"runtimeSize\":48,\"runtimeValue\":\"");
	ASSERT_CONTAINS(claim("x-nvidia-mismatch-measurement-records"),
	                "\"measurementSource\":\"Firmware\"}]");
	gpu_golden_free(g);
	fake_nvrm_remove_root();
}

TEST(no_vbios_rim_for_the_board_fails)
{
	struct gpu_golden *g;
	char why[1024] = "";

	setup();
	g = golden_of(table(-1, true));
	ASSERT_EQ(run(g, why, sizeof(why)), -ENOENT);
	ASSERT_CONTAINS(why, "the image has no VBIOS RIM for board 1010_0200_882 VBIOS "
	                     "96.00.9F.00.01");
	gpu_golden_free(g);
	fake_nvrm_remove_root();
}

/* The step: the table is read from the image, as ccinit.gpu.rim says. */
static int step(enum gpu_rim_policy policy, const char *text, char *why, size_t size)
{
	static struct boot b;
	struct nvrm_cc_state cc;
	char path[256];
	int r;

	setup(); /* a fresh root, so no file of an earlier run is written over */
	memset(&b, 0, sizeof(b));
	memset(&cc, 0, sizeof(cc));
	b.config.gpu_rim = policy;
	if (text) {
		static const char *const dirs[] = {"/usr", "/usr/share", "/usr/share/ccinit"};

		for (unsigned i = 0; i < 3; i++) {
			snprintf(path, sizeof(path), "%s%s", fake_rm_root, dirs[i]);
			ASSERT_EQ(mkdir(path, 0755), 0);
		}
		snprintf(path, sizeof(path), "%s" GPU_GOLDEN_PATH, fake_rm_root);
		ASSERT_EQ(write_string_file(path, text, 0), 0);
	}
	r = gpu_attest_step(&b, "/dev/nvidiactl", "580.159.04", &cc, 1);
	snprintf(why, size, "%s", b.why);
	return r;
}

TEST(the_step_reads_the_image_table_by_default_and_ignores_it_when_off)
{
	char why[1024] = "", *text;

	setup();
	text = table(3, false); /* from the served report: every setup serves the same */
	ASSERT_EQ(step(GPU_RIM_AUTO, text, why, sizeof(why)), -EKEYREJECTED);
	ASSERT_CONTAINS(why, "index 3 differs from the driver RIM 550.90.07");
	ASSERT_EQ(step(GPU_RIM_OFF, text, why, sizeof(why)), 0);
	ASSERT_EQ(step(GPU_RIM_REQUIRE, text, why, sizeof(why)), -EKEYREJECTED);
	free(text);
	fake_nvrm_remove_root();
}

TEST(without_a_table_auto_passes_and_require_fails)
{
	char why[1024] = "";

	ASSERT_EQ(step(GPU_RIM_AUTO, NULL, why, sizeof(why)), 0);
	ASSERT_EQ(step(GPU_RIM_REQUIRE, NULL, why, sizeof(why)), -ENOENT);
	ASSERT_CONTAINS(why, "ccinit.gpu.rim=require, and the image has no golden table "
	                     "(" GPU_GOLDEN_PATH ")");
	fake_nvrm_remove_root();
}

TEST(a_malformed_table_fails_naming_file_and_line)
{
	char why[1024] = "";

	ASSERT_EQ(step(GPU_RIM_AUTO, GPU_GOLDEN_MAGIC "\nrim driver GH100\n", why, sizeof(why)),
	          -EBADMSG);
	ASSERT_CONTAINS(why, GPU_GOLDEN_PATH ": line 2: a rim line has 6 fields");
	fake_nvrm_remove_root();
}
