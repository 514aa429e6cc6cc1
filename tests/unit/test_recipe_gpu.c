// SPDX-License-Identifier: Apache-2.0
/* The recipe's gpu keys and the lock's RIM pins (rootfs/RECIPES.md, "gpu"). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rootfs/recipe/lock.h"
#include "rootfs/recipe/recipe.h"
#include "tests/lib/tap.h"

/* The least a recipe holds; the gpu keys need nothing else. */
static const char good[] = "format: 1\nname: demo\n";

static int parse(const char *text, struct recipe **r, char *why, size_t size)
{
	return recipe_parse("dir/r.yaml", text, strlen(text), NULL, 0, r, why, size);
}

static const char *write_tmp(const char *text)
{
	static char path[64];
	int fd;

	snprintf(path, sizeof(path), "/tmp/test-recipe-gpu-XXXXXX");
	fd = mkstemp(path);
	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		tap_fail("mkstemp");
	close(fd);
	return path;
}

/* gpu.rims: "rim NAME SHA256" lines, sorted by name, each name once. */
TEST(lock_rim_pins)
{
	static const char sha[] =
	        "3eb1ea6d85488f488cc2a163b98ad640ef88cee4c79287cf14e361aaf6206f47";
	static const char sha2[] =
	        "4b0fb4f3c2c988eb023521979324f1939b3c31beb864c590a966656a99adb94e";
	char text[1024], why[512], out[80], moved[256];
	struct lock *l, *l2;

	snprintf(text, sizeof(text),
	         "format 1\nrecipe demo\nrim NV_GPU_VBIOS_1010_0200_882_96005E0001.xml %s\n"
	         "rim NV_GPU_DRIVER_GH100_535.86.09.xml %s\n",
	         sha2, sha);
	const char *path = write_tmp(text);
	ASSERT_EQ(lock_read(path, &l, why, sizeof(why)), 0);
	ASSERT_EQ(l->nrims, 2);
	ASSERT_STR(l->rims[0].name, "NV_GPU_DRIVER_GH100_535.86.09.xml"); /* sorted */
	ASSERT_STR(lock_find_rim(l, "NV_GPU_VBIOS_1010_0200_882_96005E0001.xml")->sha256, sha2);
	ASSERT_TRUE(lock_find_rim(l, "other.xml") == NULL);
	snprintf(out, sizeof(out), "%s.out", path);
	ASSERT_EQ(lock_write(l, out, "dir/r.yaml"), 0);
	ASSERT_EQ(lock_read(out, &l2, why, sizeof(why)), 0);
	ASSERT_EQ(l2->nrims, 2);
	ASSERT_EQ(lock_compare(l, l2, moved, sizeof(moved)), 0);
	/* A RIM whose bytes changed is a moved pin. */
	snprintf(l2->rims[1].sha256, sizeof(l2->rims[1].sha256), "%s", sha);
	ASSERT_EQ(lock_compare(l, l2, moved, sizeof(moved)), 1);
	ASSERT_CONTAINS(moved, "NV_GPU_VBIOS_1010_0200_882_96005E0001.xml sha256 4b0fb4f3c2c9");
	lock_free(l2);
	unlink(out);
	ASSERT_EQ(lock_add_rim(l, "NV_GPU_DRIVER_GH100_535.86.09.xml", sha), -EEXIST);
	ASSERT_EQ(lock_add_rim(l, "dir/x.xml", sha), -EINVAL);
	ASSERT_EQ(lock_add_rim(l, "x.xml", "nothex"), -EINVAL);
	lock_free(l);
	unlink(path);

#define SHA "3eb1ea6d85488f488cc2a163b98ad640ef88cee4c79287cf14e361aaf6206f47"
	static const char *const bad[][2] = {
	        {"rim a.xml nothex\n", ":3: not a rim line"},
	        {"rim a/b.xml " SHA "\n", ":3: not a rim line"},
	        {"rim a.xml\n", ":3: not a rim line"},
	        {"rim ../a.xml " SHA "\n", ":3: not a rim line"},
	        {"rim a.xml " SHA "\nrim a.xml " SHA "\n", ":4: rim a.xml is pinned twice"},
	};
#undef SHA
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "format 1\nrecipe demo\n%s", bad[i][0]);
		path = write_tmp(text);
		ASSERT_EQ(lock_read(path, &l, why, sizeof(why)), -EINVAL);
		ASSERT_CONTAINS(why, bad[i][1]);
		unlink(path);
	}
}

/* gpu.rims: a list of host paths from the recipe's directory; a bad value names line and key. */
TEST(recipe_gpu_keys)
{
	char text[4096], why[512];
	struct recipe *r;

	snprintf(text, sizeof(text),
	         "%sgpu:\n  rims: [rims, a/NV_GPU_DRIVER_GH100_535.86.09.xml]\n"
	         "  rims-accept-expired: true\n  rim-root: root.pem\n",
	         good);
	ASSERT_EQ(parse(text, &r, why, sizeof(why)), 0);
	ASSERT_EQ(r->gpu.nrims, 2);
	ASSERT_CONTAINS(r->gpu.rims[1], "a/NV_GPU_DRIVER_GH100_535.86.09.xml");
	ASSERT_TRUE(r->gpu.rims_accept_expired);
	ASSERT_CONTAINS(r->gpu.rim_root, "root.pem");
	recipe_free(r);
	ASSERT_EQ(parse(good, &r, why, sizeof(why)), 0);
	ASSERT_EQ(r->gpu.nrims, 0);
	ASSERT_FALSE(r->gpu.rims_accept_expired);
	ASSERT_TRUE(r->gpu.rim_root == NULL);
	recipe_free(r);
	static const char *const bad[][2] = {
	        {"gpu:\n  rims: one.xml\n", "gpu.rims: expected a list of paths"},
	        {"gpu:\n  rims: [\"\"]\n", "gpu.rims: empty path"},
	        {"gpu:\n  rims-accept-expired: maybe\n", ""},
	        {"gpu:\n  rim: []\n", "rim"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "%s%s", good, bad[i][0]);
		ASSERT_EQ(parse(text, &r, why, sizeof(why)), -EINVAL);
		ASSERT_CONTAINS(why, bad[i][1]);
	}
}
