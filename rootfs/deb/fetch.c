/* SPDX-License-Identifier: Apache-2.0 */
#include "rootfs/deb/fetch.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "init/base/hex.h"
#include "rootfs/lib/digest.h"
#include "rootfs/lib/fsutil.h"

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

/*
 * Whether the .deb at path is the one pin names: 1 when its sha256 and size
 * are the lock's, 0 when it is another file (or none), -EBADMSG (why says
 * so) when the sha256 matches but the size does not: the lock contradicts
 * itself, and no download can make it right.
 */
static int deb_is_pinned(const char *path, const struct lock_entry *pin, char *why, size_t why_size)
{
	uint8_t md[32];
	char hex[65];
	uint64_t size;

	if (digest_file(path, false, md, NULL, &size) < 0)
		return 0;
	hex_encode(md, sizeof(md), hex);
	if (strcmp(hex, pin->sha256) != 0)
		return 0;
	if (size != pin->size) {
		snprintf(why, why_size,
		         "the lock pins %s %s at %llu bytes, but its .deb (sha256 %s) has %llu",
		         pin->name, pin->version, (unsigned long long)pin->size, hex,
		         (unsigned long long)size);
		return -EBADMSG;
	}
	return 1;
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

/* Each missing pin must still be in the archive, with the lock's sha256. */
static int check_available(struct fetcher *f, const struct lock_entry *const *miss, size_t n,
                           char (*specs)[300], char *why, size_t why_size)
{
	struct apt_pkg *p = calloc(n, sizeof(*p)), cand;
	const char **sv = calloc(n, sizeof(char *));
	char now[300];
	int r = 0;

	if (!p || !sv) {
		free(p);
		free(sv);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		snprintf(specs[i], sizeof(specs[i]), "%s=%s", miss[i]->name, miss[i]->version);
		sv[i] = specs[i];
	}
	r = apt_show_many(f->apt, sv, n, p, why, why_size);
	for (size_t i = 0; i < n && r == 0; i++) {
		const struct lock_entry *e = miss[i];
		if (!p[i].name[0]) {
			if (apt_show(f->apt, e->name, &cand, now, sizeof(now)) == 0)
				snprintf(now, sizeof(now), "it has %s now", cand.version);
			else
				snprintf(now, sizeof(now), "it has no %s at all", e->name);
			snprintf(why, why_size,
			         "pinned %s %s is not available from the recipe's archives (%s): "
			         "run "
			         "`ccimage lock` to move the pins, or set debian.snapshot",
			         e->name, e->version, now);
			r = -ESTALE;
		} else if (strcmp(p[i].sha256, e->sha256) != 0) {
			snprintf(why, why_size,
			         "%s %s: the archive's index says sha256 %s, the lock says %s: "
			         "refusing",
			         e->name, e->version, p[i].sha256, e->sha256);
			r = -EBADMSG;
		}
	}
	free(p);
	free(sv);
	return r;
}

static int download(struct fetcher *f, const struct lock_entry *const *miss, size_t n,
                    char (*specs)[300], const char *debs, char *why, size_t why_size)
{
	char tmp[PATH_MAX], got[PATH_MAX], dest[PATH_MAX], name[700], hex[65];
	const char **sv = calloc(n, sizeof(char *));
	int r;

	if (!sv)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		sv[i] = specs[i];
	if (path_join(tmp, sizeof(tmp), debs, "tmp-XXXXXX") < 0) {
		free(sv);
		return -ENAMETOOLONG;
	}
	if (!mkdtemp(tmp)) {
		r = -errno;
		snprintf(why, why_size, "mkdtemp in %s: %s", debs, strerror(errno));
		free(sv);
		return r;
	}
	r = apt_download_many(f->apt, sv, n, tmp, why, why_size);
	for (size_t i = 0; i < n && r == 0; i++) {
		const struct lock_entry *e = miss[i];
		cache_name(e, name, sizeof(name));
		if (path_join(got, sizeof(got), tmp, name) < 0 ||
		    path_join(dest, sizeof(dest), debs, name) < 0)
			r = -ENAMETOOLONG;
		else if ((r = digest_file_hex(got, hex)) < 0)
			snprintf(why, why_size, "apt-get download left no %s", name);
		else if (strcmp(hex, e->sha256) != 0) {
			snprintf(why, why_size,
			         "downloaded %s %s has sha256 %s, the lock says %s: refusing",
			         e->name, e->version, hex, e->sha256);
			r = -EBADMSG;
		} else if ((r = deb_is_pinned(got, e, why, why_size)) <= 0) {
			r = r < 0 ? r : -EIO;
		} else if (rename(got, dest) < 0) {
			r = -errno;
		} else {
			f->downloaded++;
			r = 0; /* deb_is_pinned said 1: go on with the next */
		}
	}
	(void)remove_tree(tmp);
	free(sv);
	return r;
}

int fetch_debs(struct fetcher *f, const struct lock_entry *const *pins, size_t n,
               char (*paths)[PATH_MAX], char *why, size_t why_size)
{
	const struct lock_entry **miss = calloc(n + 1, sizeof(*miss));
	char debs[PATH_MAX - 64], name[PATH_MAX];
	char(*specs)[300] = calloc(n + 1, sizeof(*specs));
	size_t nmiss = 0;
	int r = 0;

	if (!miss || !specs) {
		free(miss);
		free(specs);
		return -ENOMEM;
	}
	snprintf(debs, sizeof(debs), "%s/debs", apt_cache_dir());
	for (size_t i = 0; i < n && r == 0; i++) {
		cache_name(pins[i], name, sizeof(name));
		if (path_join(paths[i], PATH_MAX, debs, name) < 0) {
			r = -ENAMETOOLONG;
			break;
		}
		/*
		 * A copy whose sha256 is not the lock's (damaged, or the lock is
		 * wrong) is never used, and replaced (by rename) only after the
		 * archive confirms the lock's sha256 and size.
		 */
		int pinned = access(paths[i], F_OK) == 0
		                     ? deb_is_pinned(paths[i], pins[i], why, why_size)
		                     : 0;
		if (pinned < 0)
			r = pinned;
		else if (pinned)
			f->cached++;
		else
			miss[nmiss++] = pins[i];
	}
	if (r == 0 && nmiss) {
		if ((r = path_join(name, sizeof(name), debs, "x")) == 0 &&
		    (r = mkdir_parents(name, 0755)) < 0)
			snprintf(why, why_size, "creating %s: %s", debs, strerror(-r));
		if (r == 0)
			r = ensure_apt(f, why, why_size);
		if (r == 0)
			r = check_available(f, miss, nmiss, specs, why, why_size);
		if (r == 0)
			r = download(f, miss, nmiss, specs, debs, why, why_size);
	}
	free(miss);
	free(specs);
	return r;
}

void fetch_done(struct fetcher *f)
{
	f->apt = apt_free(f->apt);
}
