// SPDX-License-Identifier: Apache-2.0
/*
 * The sources.list ccimage's private apt gets: a release with its -updates
 * and -security pockets, a suite that is itself a pocket (trixie-backports,
 * where newer kernels are) alone, since apt fails on lines for pockets that
 * do not exist. Nothing here runs apt: apt_open only writes its state.
 */
#include <glob.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "init/base/fileio.h"
#include "rootfs/deb/apt.h"
#include "tests/lib/tap.h"

/* The sources.list apt_open_sources wrote for src, in a fresh cache. */
static char *sources_for(const struct apt_sources *src)
{
	char cache[] = "/tmp/test_apt_sources.XXXXXX", why[256] = "", pattern[128], *text = NULL;
	struct apt *a = NULL;
	glob_t g;
	size_t len;

	ASSERT_TRUE(mkdtemp(cache) != NULL);
	setenv("CCINIT_CACHE", cache, 1);
	if (apt_open_sources(src, true, &a, why, sizeof(why)) < 0)
		tap_fail("apt_open_sources: %s", why);
	snprintf(pattern, sizeof(pattern), "%s/apt/*/sources.list", cache);
	ASSERT_TRUE(glob(pattern, 0, NULL, &g) == 0 && g.gl_pathc == 1);
	ASSERT_EQ(read_full_file(g.gl_pathv[0], 65536, &text, &len), 0);
	globfree(&g);
	apt_free(a);
	tap_sh("rm -rf %s", cache);
	return text;
}

static const char *const comps[] = {"main", "contrib"};

TEST(a_release_gets_its_updates_and_security_pockets)
{
	const struct apt_sources src = {
	        .suite = "trixie", .components = comps, .ncomponents = 2, .updates = true};
	char *text = sources_for(&src);

	ASSERT_CONTAINS(text, "http://deb.debian.org/debian trixie main contrib\n");
	ASSERT_CONTAINS(text, "http://deb.debian.org/debian trixie-updates main contrib\n");
	ASSERT_CONTAINS(text,
	                "http://deb.debian.org/debian-security trixie-security main contrib\n");
	free(text);
}

TEST(a_pocket_suite_is_taken_alone)
{
	const struct apt_sources src = {.suite = "trixie-backports",
	                                .components = comps,
	                                .ncomponents = 2,
	                                .updates = true};
	char *text = sources_for(&src);

	ASSERT_CONTAINS(text, "http://deb.debian.org/debian trixie-backports main contrib\n");
	ASSERT_TRUE(strstr(text, "-updates") == NULL && strstr(text, "-security") == NULL);
	ASSERT_TRUE(strchr(text, '\n') == strrchr(text, '\n')); /* one line */
	free(text);
}

TEST(updates_off_is_the_suite_alone)
{
	const struct apt_sources src = {
	        .suite = "bookworm", .components = comps, .ncomponents = 1, .updates = false};
	char *text = sources_for(&src);

	ASSERT_CONTAINS(text, " bookworm main\n");
	ASSERT_TRUE(strchr(text, '\n') == strrchr(text, '\n'));
	free(text);
}
