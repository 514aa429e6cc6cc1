/* SPDX-License-Identifier: Apache-2.0 */
/*
 * .deb extraction on packages this test writes (libarchive): only the wanted
 * paths, modes with setuid kept, symlinks as they are, hard links as links
 * (or with the target's bytes when the target is not wanted), directory modes
 * from the package; and hostile members ("..", a symlinked parent) never
 * write outside the staging directory.
 */
#include <archive.h>
#include <archive_entry.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rootfs/deb/extract.h"
#include "rootfs/lib/fsutil.h"
#include "tests/lib/deb_ar.h"
#include "tests/lib/tap.h"

struct m {
	const char *name; /* as in the tar: "./usr/bin/x" */
	char type;        /* f d l h */
	unsigned mode;
	const char *text; /* file bytes, symlink target or hard link target name */
};

static size_t tar(const struct m *m, size_t n, void *out, size_t cap)
{
	struct archive *a = archive_write_new();
	size_t used = 0;

	archive_write_set_format_gnutar(a);
	archive_write_add_filter_xz(a);
	archive_write_open_memory(a, out, cap, &used);
	for (size_t i = 0; i < n; i++) {
		struct archive_entry *e = archive_entry_new();
		archive_entry_set_pathname(e, m[i].name);
		archive_entry_set_perm(e, m[i].mode);
		switch (m[i].type) {
		case 'd':
			archive_entry_set_filetype(e, AE_IFDIR);
			break;
		case 'l':
			archive_entry_set_filetype(e, AE_IFLNK);
			archive_entry_set_symlink(e, m[i].text);
			break;
		case 'h':
			archive_entry_set_filetype(e, AE_IFREG);
			archive_entry_set_hardlink(e, m[i].text);
			break;
		default:
			archive_entry_set_filetype(e, AE_IFREG);
			archive_entry_set_size(e, (la_int64_t)strlen(m[i].text));
		}
		archive_write_header(a, e);
		if (m[i].type == 'f')
			archive_write_data(a, m[i].text, strlen(m[i].text));
		archive_entry_free(e);
	}
	archive_write_close(a);
	archive_write_free(a);
	return used;
}

static char *deb(const char *dir, const struct m *m, size_t n)
{
	static const struct m control[] = {
	        {"./control", 'f', 0644, "Package: demo\nVersion: 1\nArchitecture: amd64\n"}};
	size_t cap = 1 << 20;
	char *c = malloc(cap), *d = malloc(cap), *path;
	size_t clen = tar(control, 1, c, cap), dlen = tar(m, n, d, cap);

	if (asprintf(&path, "%s/demo.deb", dir) < 0)
		tap_fail("asprintf");
	write_deb_ar(path, "xz", c, clen, d, dlen);
	free(c);
	free(d);
	return path;
}

static const struct m demo[] = {
        {"./", 'd', 0755, NULL},
        {"./usr/", 'd', 0755, NULL},
        {"./usr/bin/", 'd', 0750, NULL},
        {"./usr/bin/su-demo", 'f', 04755, "setuid\n"},
        {"./usr/bin/tool", 'f', 0755, "tool bytes\n"},
        {"./usr/bin/tool-link", 'l', 0777, "tool"},
        {"./usr/bin/tool-hard", 'h', 0, "./usr/bin/tool"},
        {"./usr/share/doc/demo/copyright", 'f', 0644, "Format: x\n"},
        {"./etc/demo.conf", 'f', 0600, "a=1\n"},
};

static char *setup(char **stage, const struct m *m, size_t n)
{
	char *dir = strdup("/tmp/test-extract-XXXXXX");
	if (!mkdtemp(dir))
		tap_fail("mkdtemp");
	char *path = deb(dir, m, n);
	if (asprintf(stage, "%s/stage", dir) < 0 || mkdir(*stage, 0755) < 0)
		tap_fail("stage");
	free(path);
	return dir;
}

static mode_t mode_of(const char *stage, const char *p, char type)
{
	char full[512];
	struct stat st;
	snprintf(full, sizeof(full), "%s%s", stage, p);
	if (lstat(full, &st) < 0)
		return (mode_t)-1;
	if ((type == 'l') != !!S_ISLNK(st.st_mode))
		return (mode_t)-2;
	return st.st_mode & 07777;
}

static bool want_list(const char *path, void *userdata)
{
	for (const char *const *w = userdata; *w; w++)
		if (strcmp(*w, path) == 0)
			return true;
	return false;
}

TEST(index_lists_paths_control_and_copyright)
{
	char *stage, why[512] = "", deb_path[512];
	char *dir = setup(&stage, demo, sizeof(demo) / sizeof(demo[0]));
	struct deb_index *x;

	snprintf(deb_path, sizeof(deb_path), "%s/demo.deb", dir);
	ASSERT_EQ(deb_index_read(deb_path, &x, why, sizeof(why)), 0);
	ASSERT_STR(x->package, "demo");
	ASSERT_CONTAINS(x->control, "Version: 1");
	ASSERT_STR(x->copyright, "Format: x\n");
	ASSERT_EQ(x->n, 8); /* "./" is not a path */
	const struct deb_entry *e = deb_index_find(x, "/usr/bin/tool-hard");
	ASSERT_TRUE(e);
	ASSERT_EQ(e->type, 'h');
	ASSERT_STR(e->link, "/usr/bin/tool");
	ASSERT_EQ(deb_index_find(x, "/usr/bin")->mode, 0750);
	deb_index_free(x);
	remove_tree(dir);
	free(dir);
	free(stage);
}

TEST(extracts_only_wanted_with_modes_links_and_setuid)
{
	char *stage, why[512] = "", deb_path[512];
	char *dir = setup(&stage, demo, sizeof(demo) / sizeof(demo[0]));
	const char *want[] = {"/usr/bin/su-demo", "/usr/bin/tool-link", "/usr/bin/tool-hard",
	                      "/usr/bin/tool", NULL};
	struct deb_index *x;

	umask(077); /* must not matter */
	snprintf(deb_path, sizeof(deb_path), "%s/demo.deb", dir);
	ASSERT_EQ(deb_index_read(deb_path, &x, why, sizeof(why)), 0);
	ASSERT_EQ(deb_extract(deb_path, x, stage, want_list, want, why, sizeof(why)), 0);
	ASSERT_EQ(mode_of(stage, "/usr/bin/su-demo", 'f'), 04755);
	ASSERT_EQ(mode_of(stage, "/usr/bin", 'd'), 0750); /* parent made with the package's mode */
	ASSERT_EQ(mode_of(stage, "/usr", 'd'), 0755);
	ASSERT_EQ(mode_of(stage, "/usr/bin/tool-link", 'l'), 0777);
	ASSERT_EQ(mode_of(stage, "/etc/demo.conf", 'f'), (mode_t)-1);
	char a[512], b[512];
	struct stat sa, sb;
	snprintf(a, sizeof(a), "%s/usr/bin/tool", stage);
	snprintf(b, sizeof(b), "%s/usr/bin/tool-hard", stage);
	ASSERT_EQ(stat(a, &sa), 0);
	ASSERT_EQ(stat(b, &sb), 0);
	ASSERT_EQ(sa.st_ino, sb.st_ino);
	deb_index_free(x);
	remove_tree(dir);
	free(dir);
	free(stage);
}

TEST(hard_link_without_its_target_gets_the_bytes)
{
	char *stage, why[512] = "", deb_path[512], buf[64] = "";
	char *dir = setup(&stage, demo, sizeof(demo) / sizeof(demo[0]));
	const char *want[] = {"/usr/bin/tool-hard", NULL};
	struct deb_index *x;

	snprintf(deb_path, sizeof(deb_path), "%s/demo.deb", dir);
	ASSERT_EQ(deb_index_read(deb_path, &x, why, sizeof(why)), 0);
	ASSERT_EQ(deb_extract(deb_path, x, stage, want_list, want, why, sizeof(why)), 0);
	ASSERT_EQ(mode_of(stage, "/usr/bin/tool", 'f'), (mode_t)-1);
	ASSERT_EQ(mode_of(stage, "/usr/bin/tool-hard", 'f'), 0755);
	snprintf(deb_path, sizeof(deb_path), "%s/usr/bin/tool-hard", stage);
	FILE *f = fopen(deb_path, "r");
	ASSERT_TRUE(f && fgets(buf, sizeof(buf), f));
	fclose(f);
	ASSERT_STR(buf, "tool bytes\n");
	deb_index_free(x);
	remove_tree(dir);
	free(dir);
	free(stage);
}

TEST(hostile_members_stay_inside)
{
	static const struct m dotdot[] = {{"./../escape", 'f', 0644, "x"}};
	static const struct m through_link[] = {
	        {"./etc", 'l', 0777, "/tmp"},
	        {"./etc/escape-through-link", 'f', 0644, "x"},
	};
	char *stage, why[512] = "", deb_path[512];
	struct deb_index *x;

	char *dir = setup(&stage, dotdot, 1);
	snprintf(deb_path, sizeof(deb_path), "%s/demo.deb", dir);
	ASSERT_EQ(deb_index_read(deb_path, &x, why, sizeof(why)), -EINVAL);
	ASSERT_CONTAINS(why, "unsafe member name");
	remove_tree(dir);
	free(dir);
	free(stage);

	dir = setup(&stage, through_link, 2);
	snprintf(deb_path, sizeof(deb_path), "%s/demo.deb", dir);
	ASSERT_EQ(deb_index_read(deb_path, &x, why, sizeof(why)), 0);
	ASSERT_EQ(deb_extract(deb_path, x, stage, NULL, NULL, why, sizeof(why)), -ENOTDIR);
	ASSERT_CONTAINS(why, "a parent is a symlink");
	ASSERT_TRUE(access("/tmp/escape-through-link", F_OK) < 0);
	deb_index_free(x);
	remove_tree(dir);
	free(dir);
	free(stage);
}

TEST(member_names_normalise)
{
	char out[64];

	ASSERT_EQ(deb_path_normalise("./usr/bin/x", out, sizeof(out)), 0);
	ASSERT_STR(out, "/usr/bin/x");
	ASSERT_EQ(deb_path_normalise("./usr/lib/", out, sizeof(out)), 0);
	ASSERT_STR(out, "/usr/lib");
	ASSERT_EQ(deb_path_normalise("./", out, sizeof(out)), 0);
	ASSERT_STR(out, "/");
	ASSERT_EQ(deb_path_normalise("/etc/passwd", out, sizeof(out)), 0);
	ASSERT_STR(out, "/etc/passwd");
	ASSERT_EQ(deb_path_normalise("./a/../../b", out, sizeof(out)), -EINVAL);
	ASSERT_EQ(deb_path_normalise("./a//b", out, sizeof(out)), -EINVAL);
	ASSERT_EQ(deb_path_normalise("./a/./b", out, sizeof(out)), -EINVAL);
	ASSERT_EQ(deb_path_normalise(
	                  "./aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	                  out, sizeof(out)),
	          -ENAMETOOLONG);
}
