// SPDX-License-Identifier: Apache-2.0
/*
 * The golden table (init/base/gpu_golden.c): what ccimage writes reads back
 * the same, and each malformed line is refused naming its line and field.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "init/base/gpu_golden.h"
#include "tests/lib/tap.h"

/* 48 bytes of one hex digit repeated: 96 characters. */
#define H8(c)  c c c c c c c c
#define H48(c) H8(c) H8(c) H8(c) H8(c) H8(c) H8(c) H8(c) H8(c) H8(c) H8(c) H8(c) H8(c)
#define SHA    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static const char good[] =
        "# made by hand\n" GPU_GOLDEN_MAGIC "\n"
        "rim driver GH100 550.144.03 " SHA " valid\n"
        "m 7 48 " H48("a") "\n"
                           "m 21 48 " H48("b") "," H48(
                                   "c") "\n"
                                        "\n"
                                        "rim vbios 1010_0200_882 96.00.5E.00.01 " SHA " expired\n"
                                        "m 0 4 00ff00ff\n";

static int parse(const char *text, struct gpu_golden **g, char *why, size_t size)
{
	return gpu_golden_parse(text, strlen(text), g, why, size);
}

TEST(a_table_parses_and_finds_by_kind_model_and_version)
{
	struct gpu_golden *g;
	const struct gpu_golden_rim *d, *v;
	char why[256] = "";

	if (parse(good, &g, why, sizeof(why)) != 0)
		tap_fail("%s", why);
	ASSERT_EQ(g->count, 2);
	d = gpu_golden_find(g, GPU_GOLDEN_DRIVER, "gh100", "550.144.03");
	v = gpu_golden_find(g, GPU_GOLDEN_VBIOS, "1010_0200_882", "96.00.5e.00.01");
	ASSERT_TRUE(d && v);
	ASSERT_TRUE(gpu_golden_find(g, GPU_GOLDEN_VBIOS, "GH100", "550.144.03") == NULL);
	ASSERT_EQ(d->count, 2);
	ASSERT_EQ(d->m[1].index, 21);
	ASSERT_EQ(d->m[1].alternatives, 2);
	ASSERT_EQ(d->m[1].values[1][47], 0xcc);
	ASSERT_FALSE(d->expired);
	ASSERT_TRUE(v->expired);
	ASSERT_EQ(v->m[0].size, 4);
	ASSERT_EQ(v->m[0].values[0][1], 0xff);
	gpu_golden_free(g);
}

TEST(what_the_writer_writes_reads_back_byte_for_byte)
{
	struct gpu_golden *g, *again;
	char why[256] = "", *text = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);

	ASSERT_EQ(parse(good, &g, why, sizeof(why)), 0);
	ASSERT_TRUE(f != NULL);
	ASSERT_EQ(gpu_golden_write_header(f), 0);
	for (unsigned i = 0; i < g->count; i++)
		ASSERT_EQ(gpu_golden_write_rim(f, &g->rims[i]), 0);
	fclose(f);
	ASSERT_EQ(parse(text, &again, why, sizeof(why)), 0);
	ASSERT_EQ(again->count, g->count);
	for (unsigned i = 0; i < g->count; i++) {
		ASSERT_EQ(again->rims[i].count, g->rims[i].count);
		ASSERT_MEM(again->rims[i].m, g->rims[i].m,
		           g->rims[i].count * sizeof(*g->rims[i].m));
	}
	ASSERT_CONTAINS(text, "rim vbios 1010_0200_882 96.00.5E.00.01 " SHA " expired\nm 0 4 "
	                      "00ff00ff\n");
	free(text);
	gpu_golden_free(g);
	gpu_golden_free(again);
}

static void refused(const char *text, const char *expected)
{
	struct gpu_golden *g = (void *)1;
	char why[256] = "";

	ASSERT_EQ(gpu_golden_parse(text, strlen(text), &g, why, sizeof(why)), -EBADMSG);
	ASSERT_TRUE(g == NULL);
	ASSERT_CONTAINS(why, expected);
}

#define T GPU_GOLDEN_MAGIC "\n"
#define R "rim driver GH100 550.144.03 " SHA " valid\n"

TEST(malformed_tables_are_refused_naming_line_and_field)
{
	refused("", "no '" GPU_GOLDEN_MAGIC "'");
	refused("ccinit-gpu-golden 2\n", "line 1: not a golden table");
	refused(T R, "has no active measurement");
	refused(T R "m 7 48 " H48("a"), "the last line has no line feed");
	refused(T "m 7 4 00000000\n", "line 2: a measurement before any rim line");
	refused(T "rim driver GH100 550.144.03 " SHA "\n", "line 2: a rim line has 6 fields");
	refused(T "rim gpu GH100 550.144.03 " SHA " valid\n", "line 2: kind 'gpu'");
	refused(T "rim driver GH100 550.144.03 " SHA " revoked\n", "line 2: status 'revoked'");
	refused(T "rim driver GH100 550.144.03 0123 valid\n", "line 2: sha256 is not 64");
	refused(T "rim driver GH/100 550.144.03 " SHA " valid\n", "line 2: model 'GH/100'");
	refused(T R "m 7 48 " H48("a") "\n" R, "line 4: a second driver RIM for GH100 550.144.03");
	refused(T R "m 256 4 00000000\n", "line 3: index '256' is not 0-255");
	refused(T R "m 07 4 00000000\n", "line 3: index '07'");
	refused(T R "m 7 65 00\n", "line 3: size '65' is not 1-64");
	refused(T R "m 7 0 00\n", "line 3: size '0'");
	refused(T R "m 7 4 0000000\n", "line 3: index 7: value 0 is not 4 bytes");
	refused(T R "m 7 4 0000000G\n", "line 3: index 7: value 0 is not 4 bytes");
	refused(T R "m 7 4 0000000A\n", "line 3: index 7: value 0 is not 4 bytes");
	refused(T R "m 7 4 00000000,\n", "line 3: index 7: value 1 is not 4 bytes");
	refused(T R "m 8 4 00000000\nm 7 4 00000000\n", "line 4: index 7 follows index 8");
	refused(T R "m 7 4 00000000\nm 7 4 00000000\n", "line 4: index 7 follows index 7");
	refused(T R "m 7 4  00000000\n", "line 3: fields are separated by one space");
	refused(T R "m 7 4 00000000 \n", "line 3: fields are separated by one space");
	refused(T R "x 7 4 00000000\n", "line 3: 'x' is neither rim nor m");
	refused(T R "m 7 4 "
	            "00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,"
	            "00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,"
	            "00000000\n",
	        "more than 16 alternatives");
}

TEST(a_nul_byte_is_refused)
{
	static const char text[] = T R "m 7 4 00\0"
	                               "00000\n";
	struct gpu_golden *g;
	char why[256] = "";

	ASSERT_EQ(gpu_golden_parse(text, sizeof(text) - 1, &g, why, sizeof(why)), -EBADMSG);
	ASSERT_CONTAINS(why, "a NUL byte");
}
