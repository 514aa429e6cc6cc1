/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The ELF closure on host binaries and on small programs built here, with
 * providers in .deb files this test writes itself (libarchive): the
 * interpreter and DT_NEEDED are found, symlink chains followed, RUNPATH and
 * ld.so.conf searched before the defaults, and a library nobody provides is
 * an error naming the binary.
 */
#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rootfs/tree/elfclosure.h"
#include "rootfs/deb/extract.h"
#include "rootfs/lib/fsutil.h"
#include "tests/lib/deb_ar.h"
#include "tests/lib/tap.h"

#define HOST_LIBC "/lib/x86_64-linux-gnu/libc.so.6"
#define HOST_LD   "/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"

struct member {
	const char *path; /* in the package */
	const char *host; /* bytes from here; NULL: a symlink to target */
	const char *target;
};

static void *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		tap_fail("open %s", path);
	fseek(f, 0, SEEK_END);
	*len = (size_t)ftell(f);
	rewind(f);
	void *buf = malloc(*len + 1);
	if (fread(buf, 1, *len, f) != *len)
		tap_fail("read %s", path);
	fclose(f);
	return buf;
}

static size_t make_tar(const struct member *m, size_t n, const char *control, void *out, size_t cap)
{
	struct archive *a = archive_write_new();
	size_t used = 0;

	archive_write_set_format_gnutar(a);
	archive_write_add_filter_gzip(a);
	archive_write_open_memory(a, out, cap, &used);
	for (size_t i = 0; i < n || (control && i == 0); i++) {
		struct archive_entry *e = archive_entry_new();
		size_t len = 0;
		void *data = NULL;
		char name[512];
		if (control) {
			archive_entry_set_pathname(e, "./control");
			archive_entry_set_filetype(e, AE_IFREG);
			archive_entry_set_perm(e, 0644);
			archive_entry_set_size(e, (la_int64_t)strlen(control));
			archive_write_header(a, e);
			archive_write_data(a, control, strlen(control));
			archive_entry_free(e);
			break;
		}
		snprintf(name, sizeof(name), ".%s", m[i].path);
		archive_entry_set_pathname(e, name);
		if (m[i].host) {
			data = slurp(m[i].host, &len);
			archive_entry_set_filetype(e, AE_IFREG);
			archive_entry_set_perm(e, 0644);
			archive_entry_set_size(e, (la_int64_t)len);
		} else {
			archive_entry_set_filetype(e, AE_IFLNK);
			archive_entry_set_perm(e, 0777);
			archive_entry_set_symlink(e, m[i].target);
		}
		archive_write_header(a, e);
		if (data)
			archive_write_data(a, data, len);
		free(data);
		archive_entry_free(e);
	}
	archive_write_close(a);
	archive_write_free(a);
	return used;
}

/* Writes a .deb named pkg with these members into dir; returns its path. */
static char *make_deb(const char *dir, const char *pkg, const struct member *m, size_t n)
{
	size_t cap = 16 << 20, clen, dlen, used = 0;
	char *ctl = malloc(cap), *data = malloc(cap), control[256], *path;

	snprintf(control, sizeof(control), "Package: %s\nVersion: 1\nArchitecture: amd64\n", pkg);
	clen = make_tar(NULL, 0, control, ctl, cap);
	dlen = make_tar(m, n, NULL, data, cap);
	if (asprintf(&path, "%s/%s.deb", dir, pkg) < 0)
		tap_fail("asprintf");
	write_deb_ar(path, "gz", ctl, clen, data, dlen);
	free(ctl);
	free(data);
	(void)used;
	return path;
}

static char *tmpdir(void)
{
	char *d = strdup("/tmp/test-elfclosure-XXXXXX");
	if (!mkdtemp(d))
		tap_fail("mkdtemp");
	return d;
}

static void stage_file(const char *stage, const char *path, const char *host, mode_t mode)
{
	char to[4096];
	snprintf(to, sizeof(to), "%s%s", stage, path);
	if (mkdir_parents(to, 0755) < 0 || copy_file(host, to, mode) < 0)
		tap_fail("staging %s", path);
}

static bool exists(const char *stage, const char *path)
{
	char p[4096];
	struct stat st;
	snprintf(p, sizeof(p), "%s%s", stage, path);
	return lstat(p, &st) == 0;
}

TEST(deps_of_host_binary)
{
	struct elf_deps d;

	ASSERT_EQ(elf_deps_read("/bin/true", &d), 0);
	ASSERT_TRUE(d.is_elf);
	ASSERT_STR(d.interp, "/lib64/ld-linux-x86-64.so.2");
	bool libc = false;
	for (size_t i = 0; i < d.nneeded; i++)
		libc |= strcmp(d.needed[i], "libc.so.6") == 0;
	ASSERT_TRUE(libc);
	elf_deps_free(&d);
	ASSERT_EQ(elf_deps_read("/etc/passwd", &d), 0);
	ASSERT_FALSE(d.is_elf);
}

TEST(truncated_elf_is_not_followed_blindly)
{
	char *dir = tmpdir(), path[256];
	size_t len;
	void *bytes = slurp("/bin/true", &len);
	struct elf_deps d;

	for (size_t cut = 4; cut < len; cut = cut * 2 + 7) {
		snprintf(path, sizeof(path), "%s/cut", dir);
		FILE *f = fopen(path, "wb");
		fwrite(bytes, 1, cut, f);
		fclose(f);
		int r = elf_deps_read(path, &d);
		ASSERT_TRUE(r == 0 || r == -EBADMSG);
		elf_deps_free(&d);
	}
	free(bytes);
	remove_tree(dir);
	free(dir);
}

static int run_closure(const char *stage, const char *deb, struct origins *o, char *why,
                       size_t size)
{
	struct deb_index *x = NULL;
	int r;

	if (deb && deb_index_read(deb, &x, why, size) < 0)
		tap_fail("index %s: %s", deb, why);
	struct closure_pkg p = {x ? x->package : NULL, deb, x};
	unsigned added = 0;
	r = elf_closure(stage, &p, deb ? 1 : 0, o, &added, why, size);
	deb_index_free(x);
	return r;
}

TEST(closure_adds_loader_and_libc_with_reasons)
{
	char *dir = tmpdir(), stage[256], why[1024] = "";
	struct origins o = {0};
	const struct member m[] = {
	        {HOST_LIBC, HOST_LIBC, NULL},
	        {HOST_LD, HOST_LD, NULL},
	        {"/lib64/ld-linux-x86-64.so.2", NULL, "/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"},
	        {"/usr/share/unrelated", "/etc/os-release", NULL},
	};
	char *deb = make_deb(dir, "fakelibc", m, 4);

	snprintf(stage, sizeof(stage), "%s/stage", dir);
	stage_file(stage, "/bin/true", "/bin/true", 0755);
	if (run_closure(stage, deb, &o, why, sizeof(why)) != 0)
		tap_fail("closure: %s", why);
	ASSERT_TRUE(exists(stage, HOST_LIBC));
	ASSERT_TRUE(exists(stage, HOST_LD));
	ASSERT_TRUE(exists(stage, "/lib64/ld-linux-x86-64.so.2"));
	ASSERT_FALSE(exists(stage, "/usr/share/unrelated"));
	const struct origin *og = origins_find(&o, HOST_LIBC);
	ASSERT_TRUE(og);
	ASSERT_STR(og->package, "fakelibc");
	ASSERT_CONTAINS(og->reason, "needed by /bin/true (libc.so.6)");
	og = origins_find(&o, "/lib64/ld-linux-x86-64.so.2");
	ASSERT_TRUE(og);
	ASSERT_CONTAINS(og->reason, "interpreter of /bin/true");
	origins_free(&o);
	remove_tree(dir);
	free(deb);
	free(dir);
}

/*
 * Debian 13's layout: /lib64 is a relative link into /usr (base-files), the
 * loader is only in /usr (libc6): the closure follows the link to the path
 * the package has.
 */
TEST(closure_goes_through_usr_merge_links)
{
	char *dir = tmpdir(), stage[256], host[512], why[1024] = "";
	struct origins o = {0};
	const struct member m[] = {
	        {"/usr/lib/x86_64-linux-gnu/libc.so.6", HOST_LIBC, NULL},
	        {"/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2", HOST_LD, NULL},
	        {"/usr/lib64/ld-linux-x86-64.so.2", NULL,
	         "../lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"},
	};
	char *deb = make_deb(dir, "fakelibc", m, 3);

	snprintf(stage, sizeof(stage), "%s/stage", dir);
	stage_file(stage, "/usr/bin/true", "/bin/true", 0755);
	snprintf(host, sizeof(host), "%s/lib64", stage);
	ASSERT_EQ(symlink("usr/lib64", host), 0);
	snprintf(host, sizeof(host), "%s/lib", stage);
	ASSERT_EQ(symlink("usr/lib", host), 0);
	if (run_closure(stage, deb, &o, why, sizeof(why)) != 0)
		tap_fail("closure: %s", why);
	ASSERT_TRUE(exists(stage, "/usr/lib64/ld-linux-x86-64.so.2"));
	ASSERT_TRUE(exists(stage, "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"));
	ASSERT_TRUE(exists(stage, "/usr/lib/x86_64-linux-gnu/libc.so.6"));
	origins_free(&o);
	remove_tree(dir);
	free(deb);
	free(dir);
}

TEST(missing_library_names_the_binary)
{
	char *dir = tmpdir(), stage[256], why[1024] = "";
	struct origins o = {0};

	snprintf(stage, sizeof(stage), "%s/stage", dir);
	stage_file(stage, "/usr/bin/tool", "/bin/true", 0755);
	stage_file(stage, "/lib64/ld-linux-x86-64.so.2", HOST_LD, 0755);
	ASSERT_EQ(run_closure(stage, NULL, &o, why, sizeof(why)), -ENOENT);
	ASSERT_CONTAINS(why, "libc.so.6 needed by /usr/bin/tool");
	ASSERT_CONTAINS(why, "no package of the recipe provides it");
	ASSERT_CONTAINS(why, "/usr/lib/x86_64-linux-gnu");
	origins_free(&o);
	remove_tree(dir);
	free(dir);
}

static bool have_cc(void)
{
	return system("cc --version >/dev/null 2>&1") == 0;
}

/* A program needing libdemo.so, built with the given extra linker flags. */
static void build_demo(const char *dir, const char *ldflags)
{
	char cmd[2048];
	snprintf(cmd, sizeof(cmd),
	         "cd %s && printf 'int demo(void){return 7;}\\n' > l.c && "
	         "printf 'int demo(void); int main(void){return demo()-7;}\\n' > m.c && "
	         "cc -shared -fPIC -Wl,-soname,libdemo.so -o libdemo.so l.c && "
	         "cc -o app m.c -L. -ldemo %s",
	         dir, ldflags);
	if (system(cmd) != 0)
		tap_fail("building the demo program failed");
}

TEST(runpath_origin_is_searched_first)
{
	char *dir = tmpdir(), stage[256], why[1024] = "", lib[512];
	struct origins o = {0};

	if (!have_cc())
		tap_skip("no C compiler to build the RUNPATH program");
	build_demo(dir, "-Wl,--enable-new-dtags,-rpath,'$ORIGIN/../lib'");
	snprintf(lib, sizeof(lib), "%s/libdemo.so", dir);
	const struct member m[] = {
	        {"/usr/lib/libdemo.so", lib, NULL},
	        {"/opt/app/lib/libdemo.so", lib, NULL},
	        {HOST_LIBC, HOST_LIBC, NULL},
	        {"/lib64/ld-linux-x86-64.so.2", HOST_LD, NULL},
	};
	char *deb = make_deb(dir, "demo", m, 4);
	snprintf(stage, sizeof(stage), "%s/stage", dir);
	snprintf(lib, sizeof(lib), "%s/app", dir);
	stage_file(stage, "/opt/app/bin/app", lib, 0755);
	if (run_closure(stage, deb, &o, why, sizeof(why)) != 0)
		tap_fail("closure: %s", why);
	ASSERT_TRUE(exists(stage, "/opt/app/lib/libdemo.so"));
	ASSERT_FALSE(exists(stage, "/usr/lib/libdemo.so"));
	origins_free(&o);
	remove_tree(dir);
	free(deb);
	free(dir);
}

TEST(ld_so_conf_includes_come_before_defaults)
{
	char *dir = tmpdir(), stage[256], why[1024] = "", lib[512], conf[512];
	struct origins o = {0};

	if (!have_cc())
		tap_skip("no C compiler to build the demo program");
	build_demo(dir, "");
	snprintf(lib, sizeof(lib), "%s/libdemo.so", dir);
	const struct member m[] = {
	        {"/usr/lib/libdemo.so", lib, NULL},
	        {"/opt/vendor/lib/libdemo.so.1", lib, NULL},
	        {"/opt/vendor/lib/libdemo.so", NULL, "libdemo.so.1"},
	        {HOST_LIBC, HOST_LIBC, NULL},
	        {"/lib64/ld-linux-x86-64.so.2", HOST_LD, NULL},
	};
	char *deb = make_deb(dir, "demo", m, 5);
	snprintf(stage, sizeof(stage), "%s/stage", dir);
	snprintf(lib, sizeof(lib), "%s/app", dir);
	stage_file(stage, "/usr/bin/app", lib, 0755);
	snprintf(conf, sizeof(conf), "%s/main.conf", dir);
	FILE *f = fopen(conf, "w");
	fprintf(f, "# comment\ninclude /etc/ld.so.conf.d/*.conf\n");
	fclose(f);
	stage_file(stage, "/etc/ld.so.conf", conf, 0644);
	f = fopen(conf, "w");
	fprintf(f, "/opt/vendor/lib\n");
	fclose(f);
	stage_file(stage, "/etc/ld.so.conf.d/vendor.conf", conf, 0644);
	if (run_closure(stage, deb, &o, why, sizeof(why)) != 0)
		tap_fail("closure: %s", why);
	/* The symlink and its target both come, the default directory's copy does not. */
	ASSERT_TRUE(exists(stage, "/opt/vendor/lib/libdemo.so"));
	ASSERT_TRUE(exists(stage, "/opt/vendor/lib/libdemo.so.1"));
	ASSERT_FALSE(exists(stage, "/usr/lib/libdemo.so"));
	const struct origin *og = origins_find(&o, "/opt/vendor/lib/libdemo.so.1");
	ASSERT_TRUE(og);
	ASSERT_CONTAINS(og->reason, "needed by /usr/bin/app (libdemo.so)");
	origins_free(&o);
	remove_tree(dir);
	free(deb);
	free(dir);
}
