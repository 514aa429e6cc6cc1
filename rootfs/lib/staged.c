/* SPDX-License-Identifier: Apache-2.0 */
#include "rootfs/lib/staged.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rootfs/lib/fsutil.h"

static int check_final(const struct staged_dir *d, const char *marker, char *why, size_t why_size)
{
	char path[PATH_MAX + 256];
	struct stat st;

	if (lstat(d->final, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISDIR(st.st_mode)) {
		snprintf(why, why_size, "output %s exists and is not a directory (nor followed)",
		         d->final);
		return -ENOTDIR;
	}
	if (dir_is_empty(d->final))
		return 0;
	if (!marker) {
		snprintf(why, why_size,
		         "output %s exists and is not empty (it must be new or empty)", d->final);
		return -EEXIST;
	}
	snprintf(path, sizeof(path), "%s/%s", d->final, marker);
	if (lstat(path, &st) == 0 && S_ISREG(st.st_mode))
		return 0;
	snprintf(why, why_size,
	         "output %s exists, is not empty and is not a previous output (no %s in it): "
	         "refusing to replace it",
	         d->final, marker);
	return -EEXIST;
}

int staged_dir_begin(struct staged_dir *d, const char *final, const char *marker, char *why,
                     size_t why_size)
{
	size_t len = strlen(final);
	const char *base;
	int r;

	while (len > 1 && final[len - 1] == '/')
		len--;
	d->tmp[0] = '\0'; /* nothing for staged_dir_abort() to remove until mkdtemp() made it */
	if (len >= sizeof(d->final)) {
		snprintf(why, why_size, "output %s: %s", final, strerror(ENAMETOOLONG));
		return -ENAMETOOLONG;
	}
	memcpy(d->final, final, len);
	d->final[len] = '\0';
	base = strrchr(d->final, '/');
	base = base ? base + 1 : d->final;
	if (!*base || strcmp(base, ".") == 0 || strcmp(base, "..") == 0) {
		snprintf(why, why_size,
		         "output %s: name the directory itself (it is replaced whole)", final);
		return -EINVAL;
	}
	if ((r = check_final(d, marker, why, why_size)) < 0) {
		if (r != -EEXIST && r != -ENOTDIR)
			snprintf(why, why_size, "output %s: %s", d->final, strerror(-r));
		return r;
	}
	if (snprintf(d->tmp, sizeof(d->tmp), "%.*s.%s.partial-XXXXXX", (int)(base - d->final),
	             d->final, base) >= (int)sizeof(d->tmp)) {
		d->tmp[0] = '\0';
		snprintf(why, why_size, "output %s: %s", d->final, strerror(ENAMETOOLONG));
		return -ENAMETOOLONG;
	}
	if (!mkdtemp(d->tmp)) {
		r = -errno;
		snprintf(why, why_size, "creating %s: %s", d->tmp, strerror(errno));
		d->tmp[0] = '\0';
		return r;
	}
	if (chmod(d->tmp, 0755) < 0) {
		r = -errno;
		staged_dir_abort(d);
		return r;
	}
	return 0;
}

int staged_dir_commit(struct staged_dir *d, char *why, size_t why_size)
{
	char old[PATH_MAX + 8];
	int r = 0;

	/* Exchange when final exists, so there is no moment without an output. */
	if (renameat2(AT_FDCWD, d->tmp, AT_FDCWD, d->final, RENAME_EXCHANGE) == 0) {
		staged_dir_abort(d); /* tmp now holds the previous output */
		return 0;
	}
	if (errno != ENOENT && errno != EINVAL && errno != ENOSYS) {
		r = -errno;
		snprintf(why, why_size, "replacing %s: %s", d->final, strerror(errno));
		return r;
	}
	/* No previous output, or a file system without the exchange: two renames. */
	snprintf(old, sizeof(old), "%s.old", d->tmp);
	bool had_old = errno != ENOENT && rename(d->final, old) == 0;
	if (rename(d->tmp, d->final) < 0) {
		r = -errno;
		snprintf(why, why_size, "renaming %s to %s: %s", d->tmp, d->final, strerror(errno));
		if (had_old)
			(void)rename(old, d->final);
		return r;
	}
	d->tmp[0] = '\0';
	if (had_old)
		(void)remove_tree(old);
	return 0;
}

void staged_dir_abort(struct staged_dir *d)
{
	if (d->tmp[0])
		(void)remove_tree(d->tmp);
	d->tmp[0] = '\0';
}
