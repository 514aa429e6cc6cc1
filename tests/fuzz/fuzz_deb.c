/* SPDX-License-Identifier: Apache-2.0 */
/*
 * .deb files are checked against the lock's sha256 before they are read,
 * but the reader must hold even when a pinned package is hostile: no crash,
 * no write outside the staging directory (paths with "..", absolute names,
 * symlinked parents, hard links out), no unbounded reads. The input is
 * written to a file and read as a .deb (index, then extraction of
 * everything into a fresh directory) and as an ELF file (the closure's
 * reader).
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rootfs/tree/elfclosure.h"
#include "rootfs/deb/extract.h"
#include "rootfs/lib/fsutil.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char base[64], input[96], stage[96], canary[96];

static void cleanup(void)
{
	remove_tree(base);
}

static void setup(void)
{
	if (base[0])
		return;
	snprintf(base, sizeof(base), "/tmp/fuzz-deb-%d", (int)getpid());
	mkdir(base, 0755);
	atexit(cleanup);
	snprintf(input, sizeof(input), "%s/in.deb", base);
	snprintf(stage, sizeof(stage), "%s/s/stage", base);
	snprintf(canary, sizeof(canary), "%s/s", base);
}

/* Anything but "stage" beside the stage directory was written outside it. */
static void check_outside(void)
{
	char p[160];
	struct stat st;
	snprintf(p, sizeof(p), "%s/s/etc", base);
	if (lstat(p, &st) == 0)
		abort();
	snprintf(p, sizeof(p), "%s/escape", base);
	if (lstat(p, &st) == 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct deb_index *x = NULL;
	struct elf_deps d;
	char why[512] = "";

	setup();
	int fd = open(input, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, data, size) != (ssize_t)size)
		abort();
	close(fd);
	if (elf_deps_read(input, &d) == 0)
		elf_deps_free(&d);
	remove_tree(canary);
	mkdir(canary, 0755);
	mkdir(stage, 0755);
	if (deb_index_read(input, &x, why, sizeof(why)) == 0) {
		for (size_t i = 0; i < x->n; i++)
			if (x->e[i].path[0] != '/' || strstr(x->e[i].path, "/../"))
				abort();
		(void)deb_extract(input, x, stage, NULL, NULL, why, sizeof(why));
		deb_index_free(x);
		check_outside();
	}
	return 0;
}
