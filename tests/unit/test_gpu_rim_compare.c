// SPDX-License-Identifier: Apache-2.0
/*
 * NVIDIA's measurement comparison (init/gpu/rim.c) on NVIDIA's evidence: the
 * attestation SDK's H100 sample (driver 535.86.09, VBIOS 96.00.5E.00.01,
 * board 1010_0200_882, NVDEC0 off) against golden tables ccimage wrote from
 * NVIDIA's own VBIOS RIMs and from our re-signed driver RIM (NVIDIA publishes
 * no driver RIM that matches a public report). Each verdict is the one
 * nvtrust's verifier gave on the same RIM files (tests/fixtures/README.md).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "init/base/fileio.h"
#include "init/base/gpu_golden.h"
#include "init/base/hex.h"
#include "init/gpu/rim.h"
#include "tests/lib/tap.h"

#define R535   "tests/fixtures/nvidia-gpu/branches/535.86.09/report.hex"
#define R570   "tests/fixtures/nvidia-gpu/branches/570.124.03/report.hex"
#define TABLES "tests/fixtures/gpu-rim-test/"
#define DRIVER TABLES "NV_GPU_DRIVER_GH100_535.86.09.golden"
#define VBIOS  TABLES "nvidia-1010_0200_882_96005E0001_PROD.golden"

static uint8_t report[8192];
static struct gpu_report rep;
static struct gpu_rim_result res;
static char why[1024];

static void load_report(const char *path)
{
	char *hex;
	size_t len;
	int n;

	ASSERT_EQ(read_full_file(path, 1 << 16, &hex, &len), 0);
	while (len && hex[len - 1] == '\n')
		len--;
	n = hex_decode(hex, len, report, sizeof(report));
	free(hex);
	ASSERT_TRUE(n > 0);
	ASSERT_EQ(gpu_report_parse(report, (size_t)n, &rep, why, sizeof(why)), 0);
	/* gpu_attest_verify names the chip from the leaf; this test is the comparison's. */
	snprintf(rep.leaf_chip, sizeof(rep.leaf_chip), "GH100");
}

/* The tables of the files given, as ccinit would hold them in one. */
static struct gpu_golden *tables(const char *a, const char *b)
{
	const char *paths[] = {a, b};
	struct gpu_golden *all = calloc(1, sizeof(*all));

	ASSERT_TRUE(all != NULL);
	all->rims = calloc(GPU_GOLDEN_MAX_RIMS, sizeof(*all->rims));
	for (unsigned i = 0; i < 2 && paths[i]; i++) {
		struct gpu_golden *g;
		char *text;
		size_t len;

		ASSERT_EQ(read_full_file(paths[i], GPU_GOLDEN_MAX_SIZE, &text, &len), 0);
		if (gpu_golden_parse(text, len, &g, why, sizeof(why)) != 0)
			tap_fail("%s: %s", paths[i], why);
		free(text);
		for (unsigned k = 0; k < g->count; k++)
			all->rims[all->count++] = g->rims[k];
		g->count = 0; /* the measurements now belong to all */
		gpu_golden_free(g);
	}
	return all;
}

/* Compares with g, which is kept until the next comparison: res points into it. */
static int compare(struct gpu_golden *g)
{
	static struct gpu_golden *held;

	gpu_golden_free(held);
	held = g;
	return gpu_rim_compare(g, &rep, &res, why, sizeof(why));
}

TEST(the_sample_matches_nvidias_vbios_rim_and_the_driver_rim_made_from_it)
{
	load_report(R535);
	ASSERT_STR(rep.driver_version, "535.86.09");
	ASSERT_EQ(rep.nvdec0_status, 0x55);
	if (compare(tables(DRIVER, VBIOS)) != 0)
		tap_fail("%s", why);
	ASSERT_STR(res.board, "1010_0200_882");
	ASSERT_STR(res.vbios->version, "96.00.5E.00.01");
	ASSERT_TRUE(res.vbios->expired);
	ASSERT_EQ(res.mismatched, 0);
	/* 22 driver and 12 VBIOS indices; 35 is not compared: NVDEC0 is fused off. */
	ASSERT_EQ(res.compared, 33);
}

TEST(both_of_our_test_rims_match_as_well)
{
	load_report(R535);
	ASSERT_EQ(compare(tables(TABLES "hopper535.golden", NULL)), 0);
}

TEST(nvidias_mismatching_vbios_rim_fails_at_index_9)
{
	load_report(R535);
	ASSERT_EQ(compare(tables(DRIVER, TABLES "nvidia-NV_GPU_VBIOS_1010_0200_882_96005E0001_"
	                                        "measurement_mismatch.golden")),
	          -EKEYREJECTED);
	ASSERT_CONTAINS(why, "index 9 differs from the vbios RIM 96.00.5E.00.01");
	ASSERT_CONTAINS(why, "(1 of 33 indices differ)");
	ASSERT_EQ(res.mismatch[9], 1 + GPU_GOLDEN_VBIOS);
}

TEST(a_driver_rim_changed_at_index_7_fails_there)
{
	load_report(R535);
	ASSERT_EQ(compare(tables(TABLES "NV_GPU_DRIVER_GH100_535.86.09_index7_mismatch.golden",
	                         VBIOS)),
	          -EKEYREJECTED);
	ASSERT_CONTAINS(why, "index 7 differs from the driver RIM 535.86.09: the GPU has ");
	ASSERT_EQ(res.mismatched, 1);
	ASSERT_EQ(res.mismatch[7], 1 + GPU_GOLDEN_DRIVER);
}

/*
 * Index 35 is NVDEC0's, and this GPU has it fused off: the attestation SDK
 * skips it, so a wrong golden value there changes nothing. (nvtrust's Python
 * verifier still compares it: its check never matches the off state.)
 */
static struct gpu_golden *with_index_35_changed(void)
{
	struct gpu_golden *g = tables(DRIVER, VBIOS);

	for (unsigned i = 0; i < g->rims[0].count; i++)
		if (g->rims[0].m[i].index == 35)
			for (unsigned a = 0; a < g->rims[0].m[i].alternatives; a++)
				g->rims[0].m[i].values[a][0] ^= 1;
	return g;
}

TEST(index_35_is_not_held_against_a_gpu_with_nvdec0_off)
{
	load_report(R535);
	ASSERT_EQ(compare(with_index_35_changed()), 0);
}

TEST(index_35_is_held_against_a_gpu_with_nvdec0_on_and_an_unknown_state_fails)
{
	load_report(R535);
	rep.nvdec0_status = 0xAA;
	ASSERT_EQ(compare(with_index_35_changed()), -EKEYREJECTED);
	ASSERT_CONTAINS(why, "index 35 differs from the driver RIM");
	rep.nvdec0_status = 0x00;
	ASSERT_EQ(compare(tables(DRIVER, VBIOS)), -EKEYREJECTED);
	ASSERT_CONTAINS(why, "NVDEC0 status is unknown");
	rep.nvdec0_present = false;
	ASSERT_EQ(compare(tables(DRIVER, VBIOS)), -EKEYREJECTED);
	ASSERT_CONTAINS(why, "NVDEC0 status is missing");
}

TEST(rims_are_chosen_by_chip_driver_board_and_vbios)
{
	load_report(R570);
	ASSERT_STR(rep.driver_version, "570.124.03");
	ASSERT_EQ(compare(tables(DRIVER, TABLES "nvidia-1010_0205_862_96005E0004_PROD.golden")),
	          -ENOENT);
	ASSERT_CONTAINS(why, "the image has no driver RIM for GH100 driver 570.124.03");
	load_report(R535);
	snprintf(rep.leaf_chip, sizeof(rep.leaf_chip), "GB100");
	ASSERT_EQ(compare(tables(DRIVER, VBIOS)), -ENOENT);
	ASSERT_CONTAINS(why, "no driver RIM for GB100 driver 535.86.09");
	load_report(R535);
	ASSERT_EQ(compare(tables(DRIVER, TABLES "nvidia-1010_0205_862_96005E0004_PROD.golden")),
	          -ENOENT);
	ASSERT_CONTAINS(why, "no VBIOS RIM for board 1010_0200_882 VBIOS 96.00.5E.00.01");
}

TEST(a_driver_and_a_vbios_rim_measuring_one_index_fail)
{
	struct gpu_golden *g;

	load_report(R535);
	g = tables(DRIVER, VBIOS);
	g->rims[1].m[0].index = 7; /* the VBIOS RIM's first active index, moved onto the driver's */
	ASSERT_EQ(compare(g), -EKEYREJECTED);
	ASSERT_CONTAINS(why, "the driver RIM 535.86.09 and the VBIOS RIM 96.00.5E.00.01 both "
	                     "measure index 7");
}
