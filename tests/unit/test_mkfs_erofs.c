/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Which mkfs.erofs is in use, as it says itself (rootfs/README.md, 3): the
 * version for the manifests and whether it takes --workers. The fakes answer
 * as erofs-utils 1.5 (bookworm: no -V, so it prints its version and fails;
 * usage on stderr) and 1.8 built with multithreading (-V, --workers in its
 * usage on stdout) do; their sources are quoted in each.
 */
#include <sys/stat.h>
#include <unistd.h>

#include "init/base/fileio.h"
#include "rootfs/image/image.h"
#include "tests/lib/tap.h"

static char dir[] = "/tmp/ccinit-mkfs-XXXXXX";

/* A fake mkfs.erofs: a shell script that logs its arguments to DIR/args. */
static const char *fake(const char *name, const char *body)
{
	static char path[128];
	char text[4096];

	ASSERT_TRUE(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	snprintf(text, sizeof(text), "#!/bin/sh\necho \"$*\" >>%s/args\n%s", dir, body);
	tap_write(path, text);
	ASSERT_EQ(chmod(path, 0755), 0);
	return path;
}

/* erofs-utils 1.5, mkfs/main.c: getopt fails on -V, erofs_show_progs() prints, usage() to stderr.
 */
static const char v15[] = "case \"$1\" in\n"
                          "-V) echo 'mkfs.erofs 1.5'; echo 'invalid option' >&2; exit 1;;\n"
                          "--help) echo ' --quiet  quiet execution' >&2; exit 0;;\n"
                          "esac\n";

/* erofs-utils 1.8 with EROFS_MT_ENABLED: version() and usage() both printf. */
static const char v18[] = "case \"$1\" in\n"
                          "-V) echo 'mkfs.erofs (erofs-utils) 1.8.5'; "
                          "echo 'available compressors: lz4, lz4hc'; exit 0;;\n"
                          "--help) echo ' --workers=#           set the number of worker "
                          "threads to # (default: 2)'; exit 0;;\n"
                          "esac\n";

static char *args(void)
{
	char path[128], *text;
	size_t len;

	snprintf(path, sizeof(path), "%s/args", dir);
	ASSERT_EQ(read_full_file(path, 1 << 20, &text, &len), 0);
	return text;
}

/* Runs the fake as an image build would, with threads workers asked for. */
static char *run(const char *prog, const struct erofs_tool *t, unsigned threads)
{
	struct image_opts o;
	uint8_t uuid[16] = {0};
	char out[128], why[512];

	image_opts_init(&o);
	o.mkfs_erofs = prog;
	o.root_dir = dir;
	o.threads = threads;
	snprintf(out, sizeof(out), "%s/x.erofs", dir);
	ASSERT_EQ(image_run_mkfs_erofs(&o, t, uuid, out, why, sizeof(why)), 0);
	return args();
}

TEST(bookworm_1_5_has_a_version_and_no_workers)
{
	const char *prog = fake("mkfs.erofs", v15);
	struct erofs_tool t;
	char *a;

	image_probe_mkfs_erofs(prog, &t);
	ASSERT_STR(t.version, "1.5");
	ASSERT_FALSE(t.workers);
	a = run(prog, &t, 4);
	ASSERT_TRUE(strstr(a, "--workers") == NULL);
	ASSERT_CONTAINS(a, "-Enoinline_data");
	free(a);
	tap_sh("rm -rf %s", dir);
}

TEST(multithreaded_1_8_gets_workers)
{
	const char *prog = fake("mkfs.erofs", v18);
	struct erofs_tool t;
	char *a;

	image_probe_mkfs_erofs(prog, &t);
	ASSERT_STR(t.version, "1.8.5");
	ASSERT_TRUE(t.workers);
	a = run(prog, &t, 3);
	ASSERT_CONTAINS(a, "--workers=3 ");
	free(a);
	tap_sh("rm -rf %s", dir);
}

TEST(a_tool_that_says_nothing_is_unknown)
{
	const char *prog = fake("quiet-mkfs", "exit 1\n");
	struct erofs_tool t;

	image_probe_mkfs_erofs(prog, &t);
	ASSERT_STR(t.version, "unknown");
	ASSERT_FALSE(t.workers);
	image_probe_mkfs_erofs("/nonexistent/mkfs.erofs", &t);
	ASSERT_STR(t.version, "unknown");
	tap_sh("rm -rf %s", dir);
}

TEST(manifest_names_the_tool)
{
	const struct erofs_tool t = {"1.5", false};
	json_object *o = image_tool_json(&t);

	ASSERT_STR(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN),
	           "{\"version\":\"1.5\",\"multithreaded\":false}");
	json_object_put(o);
}
