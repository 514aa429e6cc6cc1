// SPDX-License-Identifier: Apache-2.0
/*
 * A RIM's content into a golden table entry (measurement/gpu_rim.c), on our
 * re-signed RIMs (tests/fixtures/gpu-rim-test/) and edits of them: what the
 * file name must say, and each malformed field refused with the file and the
 * field named. The signature is tests/reference/gpu-rims.sh's, against the
 * xmlsec1 program.
 */
#include "tests/lib/tap.h"

#include <stdlib.h>
#include <string.h>

#include "init/base/fileio.h"
#include "measurement/gpu_rim.h"

#define DRIVER "tests/fixtures/gpu-rim-test/NV_GPU_DRIVER_GH100_535.86.09.xml"
#define VBIOS  "tests/fixtures/gpu-rim-test/NV_GPU_VBIOS_1010_0200_882_96005E0001.xml"
#define DNAME  "NV_GPU_DRIVER_GH100_535.86.09.xml"

static char *load(const char *path, size_t *len)
{
	char *buf = NULL;

	ASSERT_EQ(read_full_file(path, GPU_RIM_MAX_SIZE, &buf, len), 0);
	return buf;
}

/* The file with the first `from` after `after` replaced by `to`. Caller frees. */
static char *edit(const char *path, const char *after, const char *from, const char *to,
                  size_t *len)
{
	size_t n;
	char *text = load(path, &n), *at = strstr(text, after), *hit;
	char *out = malloc(n + strlen(to) + 1);

	ASSERT_TRUE(at && out);
	hit = strstr(at, from);
	ASSERT_TRUE(hit);
	memcpy(out, text, (size_t)(hit - text));
	strcpy(out + (hit - text), to);
	strcat(out, hit + strlen(from));
	*len = strlen(out);
	free(text);
	return out;
}

static void refused(const char *name, const char *xml, size_t len, const char *want)
{
	struct gpu_golden_rim rim;
	char why[512] = "";

	ASSERT_EQ(gpu_rim_extract(name, xml, len, &rim, why, sizeof(why)), -EINVAL);
	ASSERT_CONTAINS(why, want);
	ASSERT_TRUE(rim.m == NULL);
}

TEST(driver_rim_gives_its_active_measurements)
{
	struct gpu_golden_rim rim;
	char why[512] = "";
	size_t len;
	char *xml = load(DRIVER, &len);

	ASSERT_EQ(gpu_rim_extract(DNAME, xml, len, &rim, why, sizeof(why)), 0);
	ASSERT_TRUE(rim.kind == GPU_GOLDEN_DRIVER);
	ASSERT_STR(rim.model, "GH100");
	ASSERT_STR(rim.version, "535.86.09");
	ASSERT_EQ(rim.count, 22);
	ASSERT_EQ(rim.m[0].index, 7);
	ASSERT_EQ(rim.m[1].index, 21);
	ASSERT_EQ(rim.m[0].size, 48);
	ASSERT_EQ(rim.m[0].alternatives, 1);
	ASSERT_EQ(rim.m[0].values[0][0], 0x4e);
	for (unsigned i = 1; i < rim.count; i++)
		ASSERT_TRUE(rim.m[i].index > rim.m[i - 1].index);
	gpu_rim_free(&rim);
	/* Blackwell's name, and a suffix after the version. */
	ASSERT_EQ(gpu_rim_extract("NV_GPU_CC_DRIVER_GH100_535.86.09_anything.xml", xml, len, &rim,
	                          why, sizeof(why)),
	          0);
	gpu_rim_free(&rim);
	free(xml);
}

TEST(vbios_rim_is_named_for_its_board)
{
	static const char *const names[] = {
	        "NV_GPU_VBIOS_1010_0200_882_96005E0001.xml",
	        "1010_0200_882_96005e0001_PROD.swidtag",
	        "NV_GPU_VBIOS_1010_0200_882_96005E0001_measurement_mismatch.xml",
	};
	struct gpu_golden_rim rim;
	char why[512] = "";
	size_t len;
	char *xml = load(VBIOS, &len);

	for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++) {
		ASSERT_EQ(gpu_rim_extract(names[i], xml, len, &rim, why, sizeof(why)), 0);
		ASSERT_TRUE(rim.kind == GPU_GOLDEN_VBIOS);
		ASSERT_STR(rim.model, "1010_0200_882");
		ASSERT_STR(rim.version, "96.00.5E.00.01");
		gpu_rim_free(&rim);
	}
	free(xml);
}

TEST(name_must_agree_with_the_content)
{
	size_t len;
	char *d = load(DRIVER, &len), *v;

	refused("NV_GPU_DRIVER_GH100_535.86.10.xml", d, len,
	        "NV_GPU_DRIVER_GH100_535.86.10.xml: the name's version 535.86.10 is not the Meta "
	        "colloquialVersion 535.86.09");
	refused("NV_GPU_DRIVER_GB100_535.86.09.xml", d, len,
	        "the name's chip GB100 is not the Meta product GH100");
	refused("driver.xml", d, len, "driver.xml: file name is not one of NVIDIA's RIM names");
	refused("NV_GPU_DRIVER_GH100_535.86.09.json", d, len, "file name is not one");
	free(d);
	v = load(VBIOS, &len);
	refused("1010_0200_882_96005E0002_PROD.swidtag", v, len,
	        "the name's version 96005E0002 is not the Meta colloquialVersion 96.00.5E.00.01");
	free(v);
}

TEST(each_malformed_field_is_named)
{
	static const char *const cases[][4] = {
	        {"index=\"7\"", "alternatives=\"1\"", "alternatives=\"2\"",
	         DNAME ": Resource index 7: Hash1 missing"},
	        {"index=\"7\"", "size=\"48\"", "size=\"47\"",
	         "Resource index 7: Hash0 is not 2*size hex digits"},
	        {"index=\"7\"", "size=\"48\"", "size=\"65\"", "Resource index 7: size"},
	        {"index=\"7\"", "alternatives=\"1\"", "alternatives=\"17\"",
	         "Resource index 7: alternatives"},
	        {"index=\"7\"", "index=\"7\"", "index=\"256\"", "Resource: index"},
	        {"index=\"7\"", "index=\"7\"", "index=\"-7\"", "Resource: index"},
	        {"index=\"21\"", "index=\"21\"", "index=\"7\"", "Resource index 7: active twice"},
	        {"index=\"7\"", "ns2:Hash0=\"4e", "ns2:Hash0=\"zz", "Hash0 is not 2*size hex"},
	        {"<ns0:Meta",
	         "colloquialVersion=", "colloquialVersionX=", "Meta colloquialVersion missing"},
	        {"<ns0:Meta", "product=\"GH100\"", "product=\"GH 100\"", "Meta product is not"},
	        {"<SoftwareIdentity", "<SoftwareIdentity",
	         "<!DOCTYPE SoftwareIdentity [<!ENTITY a \"b\">]><SoftwareIdentity",
	         "has a DOCTYPE"},
	        {"</SoftwareIdentity>", "</SoftwareIdentity>", "</SoftwareIdentit>", "not XML"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		size_t len;
		char *xml = edit(DRIVER, cases[i][0], cases[i][1], cases[i][2], &len);
		printf("# %s\n", cases[i][3]);
		refused(DNAME, xml, len, cases[i][3]);
		free(xml);
	}
}

TEST(no_active_measurement_is_refused)
{
	size_t len, n = 0;
	char *xml = load(DRIVER, &len);

	for (char *p = xml; (p = strstr(p, "active=\"True\"")); p++, n++)
		memcpy(p, "active=\"Fals\"", 13);
	ASSERT_EQ(n, 22);
	refused(DNAME, xml, len, "no active Measurement Resource");
	free(xml);
}

TEST(buffers_past_the_bound_are_refused)
{
	struct gpu_golden_rim rim;
	char why[256] = "";

	ASSERT_EQ(gpu_rim_extract(DNAME, "", GPU_RIM_MAX_SIZE + 1u, &rim, why, sizeof(why)),
	          -EFBIG);
	ASSERT_CONTAINS(why, DNAME);
}
