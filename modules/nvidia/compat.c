/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Source fixes for kernels that changed after the driver was released.
 * Debian's bookworm kernel takes stable backports, while bookworm's
 * nvidia-open-kernel-source stays at the release it shipped with, so the two
 * drift apart. Each fix is ours, small, and applied only when the headers
 * show the newer interface and the source still makes the older call; a
 * driver that already copes (NVIDIA's own conftest) is left alone.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rootfs/lib/fsutil.h"
#include "init/base/fileio.h"
#include "modules/nvidia/modbuild.h"

struct compat_fix {
	const char *name;
	const char *header; /* under the common headers directory */
	const char *func;   /* its declaration there ... */
	const char *param;  /* ... names this parameter on newer kernels */
	const char *file;   /* under the module source directory */
	const char *from, *to;
};

static const struct compat_fix fixes[] = {
        /*
         * Linux 337b1b566db0 ("PCI: Fix restoring BARs on BAR resize rollback
         * path") added exclude_bars; 6.1.192 (Debian 6.1.0-56) has the backport
         * and 535.261.03 fails to build. 0 excludes nothing, the old behaviour,
         * and is what NVIDIA's later drivers pass behind their conftest.
         */
        {"pci_resize_resource-exclude_bars", "include/linux/pci.h", "pci_resize_resource(",
         "exclude_bars", "nvidia/nv-pci.c",
         "pci_resize_resource(pci_dev, NV_GPU_BAR1, requested_size);",
         "pci_resize_resource(pci_dev, NV_GPU_BAR1, requested_size, 0);"},
};

/* The declaration's parameter list names param (a prototype, not a call). */
static bool header_has(const char *text, const char *func, const char *param)
{
	for (const char *p = strstr(text, func); p; p = strstr(p + 1, func)) {
		const char *close = strchr(p, ')');
		if (!close)
			return false;
		const char *q = strstr(p, param);
		if (q && q < close)
			return true;
	}
	return false;
}

static int apply(const struct compat_fix *f, const char *path, bool *done, char *why,
                 size_t why_size)
{
	char *text, *at, *out;
	size_t len, from = strlen(f->from), to = strlen(f->to);
	int r = read_full_file(path, 64 << 20, &text, &len);

	*done = false;
	if (r < 0) {
		snprintf(why, why_size, "compat %s: reading %s: %s", f->name, path, strerror(-r));
		return r;
	}
	at = strstr(text, f->from);
	if (!at || strstr(at + 1, f->from)) {
		free(text);
		return 0; /* already fixed upstream, or not the code we know: leave it */
	}
	out = malloc(len - from + to + 1);
	if (!out) {
		free(text);
		return -ENOMEM;
	}
	size_t head = (size_t)(at - text);
	memcpy(out, text, head);
	memcpy(out + head, f->to, to);
	memcpy(out + head + to, at + from, len - head - from + 1);
	free(text);

	char tmp[PATH_MAX + 8];
	snprintf(tmp, sizeof(tmp), "%s.compat", path);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	size_t total = len - from + to;
	r = fd < 0 ? -errno : 0;
	if (r == 0 && write(fd, out, total) != (ssize_t)total)
		r = -EIO;
	if (fd >= 0 && close(fd) < 0 && r == 0)
		r = -errno;
	if (r == 0 && rename(tmp, path) < 0)
		r = -errno;
	free(out);
	if (r < 0) {
		snprintf(why, why_size, "compat %s: writing %s: %s", f->name, path, strerror(-r));
		return r;
	}
	*done = true;
	return 0;
}

int modbuild_compat_apply(const char *headers_common, const char *srcdir, char *applied,
                          size_t applied_size, char *why, size_t why_size)
{
	char path[PATH_MAX], *text;
	size_t len;
	int r;

	applied[0] = '\0';
	for (size_t i = 0; i < sizeof(fixes) / sizeof(fixes[0]); i++) {
		const struct compat_fix *f = &fixes[i];
		bool done;

		if (path_join(path, sizeof(path), headers_common, f->header) < 0)
			return -ENAMETOOLONG;
		r = read_full_file(path, 64 << 20, &text, &len);
		if (r < 0) {
			snprintf(why, why_size, "compat %s: reading %s: %s", f->name, path,
			         strerror(-r));
			return r;
		}
		bool newer = header_has(text, f->func, f->param);
		free(text);
		if (!newer)
			continue;
		if (path_join(path, sizeof(path), srcdir, f->file) < 0)
			return -ENAMETOOLONG;
		r = apply(f, path, &done, why, why_size);
		if (r < 0)
			return r;
		if (done) {
			size_t used = strlen(applied);
			snprintf(applied + used, applied_size - used, "%s%s", used ? " " : "",
			         f->name);
		}
	}
	return 0;
}
