/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mkfs.erofs (Debian's erofs-utils 1.5) with the flags that make it
 * reproducible (rootfs/README.md, 3): -T fixes every inode's time, -U the UUID,
 * --all-root the owners without touching modes (a chown would drop setuid
 * bits). -E noinline_data is Kata's choice. The child gets a fixed
 * environment so nothing from the caller's (locale, SOURCE_DATE_EPOCH) leaks
 * in. Which erofs-utils it is goes into the manifests: another version may
 * write other bytes for the same tree.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "init/base/hex.h"
#include "rootfs/image/image.h"
#include "rootfs/lib/spawn.h"

/* The last non-empty line mkfs.erofs wrote to fd, into buf. */
static void last_line(int fd, char *buf, size_t size)
{
	char text[4096];
	off_t end = lseek(fd, 0, SEEK_END);
	off_t from = end > (off_t)sizeof(text) - 1 ? end - (off_t)sizeof(text) + 1 : 0;
	ssize_t n = end > 0 ? pread(fd, text, (size_t)(end - from), from) : 0;

	buf[0] = '\0';
	while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == ' ' || text[n - 1] == '\t'))
		n--;
	if (n <= 0)
		return;
	text[n] = '\0';
	char *line = strrchr(text, '\n');
	line = line ? line + 1 : text;
	line += strspn(line, " \t");
	snprintf(buf, size, "%s", line);
}

/*
 * No SOURCE_DATE_EPOCH for mkfs.erofs: erofs-utils 1.5 then only clamps inode
 * times to it, overriding -T, and trees staged at different times differ.
 */
static char *const mkfs_envp[] = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C", NULL};

/* What prog writes on stdout for one argument, whatever its exit status; NULL if nothing. */
static char *tool_says(const char *prog, const char *arg)
{
	const char *argv[] = {prog, arg, NULL};
	char *text = NULL, why[256];
	const struct spawn_io io = {.envp = mkfs_envp, .capture = &text, .stderr_null = true};

	/* erofs-utils 1.5 to 1.7 know no -V: they print their version, then fail. */
	(void)spawn_run(argv, &io, why, sizeof(why));
	if (text && !*text) {
		free(text);
		text = NULL;
	}
	return text;
}

void image_probe_mkfs_erofs(const char *mkfs_erofs, struct erofs_tool *t)
{
	char *text = tool_says(mkfs_erofs, "-V"), *end;
	const char *v;

	memset(t, 0, sizeof(*t));
	snprintf(t->version, sizeof(t->version), "unknown");
	/* "mkfs.erofs (erofs-utils) 1.8.5" from 1.8 on, "mkfs.erofs 1.5" before: the last word. */
	if (text) {
		end = text + strcspn(text, "\n");
		*end = '\0';
		v = strrchr(text, ' ');
		v = v ? v + 1 : text;
		if (*v >= '0' && *v <= '9' && strlen(v) < sizeof(t->version))
			snprintf(t->version, sizeof(t->version), "%s", v);
	}
	free(text);
	/*
	 * Only an erofs-utils built with multithreading (1.8 on) lists
	 * --workers; 1.5 to 1.7 print their usage on stderr and take none.
	 */
	text = tool_says(mkfs_erofs, "--help");
	t->workers = text && strstr(text, "--workers=");
	free(text);
}

int image_run_mkfs_erofs(const struct image_opts *o, const struct erofs_tool *tool,
                         const uint8_t uuid[16], const char *out, char *why, size_t why_size)
{
	char uuid_arg[3 + 37], time_arg[32], comp_arg[64], workers_arg[32], said[512];
	char *argv[16];
	/* Its messages are kept, so a failure is reported with what it said. */
	int log = memfd_create("mkfs.erofs", MFD_CLOEXEC);
	const struct spawn_io io = {.envp = mkfs_envp, .stdout_null = true, .log_fd = log};
	int n = 0, r;

	if (log < 0)
		return -errno;
	memcpy(uuid_arg, "-U", 2);
	uuid_to_text(uuid, uuid_arg + 2);
	snprintf(time_arg, sizeof(time_arg), "-T%llu", (unsigned long long)o->source_date_epoch);
	argv[n++] = (char *)o->mkfs_erofs;
	argv[n++] = "--quiet";
	if (o->compress && strcmp(o->compress, "none") != 0) {
		snprintf(comp_arg, sizeof(comp_arg), "-z%s", o->compress);
		argv[n++] = comp_arg;
	}
	/*
	 * With multithreading erofs-utils cuts files into 16 MiB segments
	 * whatever the count (lib/compress.c, z_erofs_mt_compress): the bytes do
	 * not depend on how many workers, so their number is no input of the image.
	 */
	if (tool && tool->workers) {
		snprintf(workers_arg, sizeof(workers_arg), "--workers=%u",
		         verity_threads(o->threads));
		argv[n++] = workers_arg;
	}
	argv[n++] = "-Enoinline_data";
	argv[n++] = time_arg;
	argv[n++] = uuid_arg;
	argv[n++] = "--all-root";
	argv[n++] = (char *)out;
	argv[n++] = (char *)o->root_dir;
	argv[n] = NULL;

	(void)unlink(out);
	r = spawn_run((const char *const *)argv, &io, why, why_size);
	if (r == -ECHILD) {
		last_line(log, said, sizeof(said));
		size_t len = strlen(why);
		if (said[0] && len < why_size)
			snprintf(why + len, why_size - len, " (it said: %s)", said);
		r = -EPROTO;
	}
	close(log);
	return r;
}
