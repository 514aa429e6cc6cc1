/* SPDX-License-Identifier: Apache-2.0 */
#include "rootfs/fetch.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "measurement/verity_params.h"
#include "rootfs/fsutil.h"
#include "rootfs/image.h"

int fetch_sha256_hex(const char *path, char hex[65])
{
	uint8_t md[32];
	int r = image_file_sha256(path, md, NULL);

	if (r == 0)
		hex_encode(md, sizeof(md), hex);
	return r;
}

static void cache_name(const struct lock_entry *e, char *buf, size_t size)
{
	size_t n = (size_t)snprintf(buf, size, "%s_", e->name);

	/* As apt names it: an epoch's ':' becomes %3a. */
	for (const char *v = e->version; *v && n + 4 < size; v++) {
		if (*v == ':') {
			memcpy(buf + n, "%3a", 3);
			n += 3;
		} else {
			buf[n++] = *v;
		}
	}
	snprintf(buf + n, size - n, "_%s.deb", e->arch);
}

static int ensure_apt(struct fetcher *f, char *why, size_t why_size)
{
	int r;

	if (!f->apt && (r = apt_open(f->recipe, f->quiet, &f->apt, why, why_size)) < 0)
		return r;
	if (!f->updated) {
		if ((r = apt_update(f->apt, false, why, why_size)) < 0)
			return r;
		f->updated = true;
	}
	return 0;
}

/* The pinned version must still be in the archive, with the lock's sha256. */
static int check_available(struct fetcher *f, const struct lock_entry *e, char *why,
                           size_t why_size)
{
	char spec[300], now[300];
	struct apt_pkg p, cand;
	int r;

	snprintf(spec, sizeof(spec), "%s=%s", e->name, e->version);
	r = apt_show(f->apt, spec, &p, why, why_size);
	if (r == -ENOENT) {
		if (apt_show(f->apt, e->name, &cand, now, sizeof(now)) == 0)
			snprintf(now, sizeof(now), "it has %s now", cand.version);
		else
			snprintf(now, sizeof(now), "it has no %s at all", e->name);
		snprintf(why, why_size,
		         "pinned %s %s is not available from the recipe's archives (%s): run "
		         "`ccimage lock` to move the pins, or set debian.snapshot",
		         e->name, e->version, now);
		return -ESTALE;
	}
	if (r < 0)
		return r;
	if (strcmp(p.sha256, e->sha256) != 0) {
		snprintf(why, why_size,
		         "%s %s: the archive's index says sha256 %s, the lock says %s: refusing",
		         e->name, e->version, p.sha256, e->sha256);
		return -EBADMSG;
	}
	return 0;
}

static int download(struct fetcher *f, const struct lock_entry *e, const char *dest,
                    const char *debs, char *why, size_t why_size)
{
	char tmp[PATH_MAX], got[PATH_MAX], name[700];
	int r;

	if (path_join(tmp, sizeof(tmp), debs, "tmp-XXXXXX") < 0)
		return -ENAMETOOLONG;
	if (!mkdtemp(tmp)) {
		r = -errno;
		snprintf(why, why_size, "mkdtemp in %s: %s", debs, strerror(errno));
		return r;
	}
	r = apt_download(f->apt, e->name, e->version, tmp, why, why_size);
	if (r == 0) {
		cache_name(e, name, sizeof(name));
		if (path_join(got, sizeof(got), tmp, name) < 0 || access(got, F_OK) < 0) {
			snprintf(why, why_size, "apt-get download left no %s", name);
			r = -ENOENT;
		}
	}
	if (r == 0) {
		char hex[65];
		r = fetch_sha256_hex(got, hex);
		if (r == 0 && strcmp(hex, e->sha256) != 0) {
			snprintf(why, why_size,
			         "downloaded %s %s has sha256 %s, the lock says %s: refusing",
			         e->name, e->version, hex, e->sha256);
			r = -EBADMSG;
		}
		if (r == 0 && rename(got, dest) < 0)
			r = -errno;
	}
	(void)remove_tree(tmp);
	if (r == 0)
		f->downloaded++;
	return r;
}

int fetch_deb(struct fetcher *f, const struct lock_entry *e, char *path, size_t size, char *why,
              size_t why_size)
{
	char debs[PATH_MAX], name[700], hex[65];
	int r;

	snprintf(debs, sizeof(debs), "%s/debs", apt_cache_dir());
	cache_name(e, name, sizeof(name));
	if (path_join(path, size, debs, name) < 0)
		return -ENAMETOOLONG;
	if (access(path, F_OK) == 0) {
		if ((r = fetch_sha256_hex(path, hex)) < 0) {
			snprintf(why, why_size, "reading %s: %s", path, strerror(-r));
			return r;
		}
		if (strcmp(hex, e->sha256) == 0) {
			f->cached++;
			return 0;
		}
		/*
		 * A damaged copy, or a lock that is wrong: never used, and replaced
		 * (by rename) only after the archive confirms the lock's sha256.
		 */
	}
	if ((r = mkdir_parents(path, 0755)) < 0) {
		snprintf(why, why_size, "creating %s: %s", debs, strerror(-r));
		return r;
	}
	if ((r = ensure_apt(f, why, why_size)) < 0 ||
	    (r = check_available(f, e, why, why_size)) < 0)
		return r;
	return download(f, e, path, debs, why, why_size);
}

void fetch_done(struct fetcher *f)
{
	f->apt = apt_free(f->apt);
}
