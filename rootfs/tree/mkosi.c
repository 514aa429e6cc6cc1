/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Importing a mkosi Format=directory tree (rootfs/tree/mkosi.h). The walk uses
 * *at() calls on directory descriptors and never follows a symlink, so a
 * hostile tree cannot make us read or write outside src and dst.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rootfs/lib/fsutil.h"
#include "rootfs/lib/staged.h"
#include "rootfs/tree/mkosi.h"
#include "rootfs/recipe/recipe.h"

/*
 * What differs between two mkosi 14 builds of the same configuration
 * (rootfs/README.md, 5, and what we saw), or is host state that an image must
 * not carry. /dev's nodes go too: ccinit mounts devtmpfs there.
 */
const char *const mkosi_default_excludes[] = {
        "/var/log/**",
        "/var/cache/ldconfig/aux-cache",
        "/var/cache/apt/**",
        "/var/cache/man/**",
        "/var/cache/debconf/*-old",
        "/var/lib/apt/lists/**",
        "/var/lib/dpkg/*-old",
        "/var/lib/systemd/random-seed",
        "/var/lib/dbus/machine-id",
        "/etc/ssh/ssh_host_*",
        "/etc/*-", /* shadow-, passwd-, ...: backups, shadow- with the build day in it */
        "/dev/**",
        NULL,
};

struct walk {
	const char *const *exclude;
	size_t nexclude;
	void (*added)(const char *path, void *userdata);
	void *userdata;
	struct mkosi_stats *st;
	struct {
		dev_t dev;
		ino_t ino;
		char *path; /* dst path of the first copy */
	} * links;
	size_t nlinks;
	char *why;
	size_t why_size;
};

static bool excluded(const struct walk *w, const char *path)
{
	for (size_t i = 0; mkosi_default_excludes[i]; i++)
		if (recipe_glob_match(mkosi_default_excludes[i], path))
			return true;
	for (size_t i = 0; i < w->nexclude; i++)
		if (recipe_glob_match(w->exclude[i], path))
			return true;
	return false;
}

/*
 * /etc/shadow's third field is the day of the last password change, i.e. the
 * day the tree was built. Empty means "no password ageing", which is what a
 * guest without logins wants anyway.
 */
int mkosi_shadow_normalise(const char *in, size_t len, char **out, size_t *out_len)
{
	char *o = malloc(len + 1);
	size_t used = 0;
	int changed = 0;

	if (!o)
		return -ENOMEM;
	for (const char *p = in, *end = in + len; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *stop = nl ? nl : end, *next = nl ? nl + 1 : end;
		const char *c1 = memchr(p, ':', (size_t)(stop - p));
		const char *c2 = c1 ? memchr(c1 + 1, ':', (size_t)(stop - c1 - 1)) : NULL;
		const char *c3 = c2 ? memchr(c2 + 1, ':', (size_t)(stop - c2 - 1)) : NULL;

		if (c3 && c3 > c2 + 1) {
			/* name:password: then the rest from the fourth field on */
			memcpy(o + used, p, (size_t)(c2 + 1 - p));
			used += (size_t)(c2 + 1 - p);
			memcpy(o + used, c3, (size_t)(next - c3));
			used += (size_t)(next - c3);
			changed = 1;
		} else {
			memcpy(o + used, p, (size_t)(next - p));
			used += (size_t)(next - p);
		}
		p = next;
	}
	o[used] = '\0';
	*out = o;
	*out_len = used;
	return changed;
}

static int normalise_shadow(const char *path, bool *changed)
{
	int fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
	char *in = NULL, *out = NULL;
	size_t out_len = 0;
	struct stat st;
	int r = 0;

	*changed = false;
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > (16 << 20)) {
		close(fd);
		return -EINVAL;
	}
	in = malloc((size_t)st.st_size + 1);
	if (!in || read(fd, in, (size_t)st.st_size) != st.st_size)
		r = in ? -EIO : -ENOMEM;
	if (r == 0)
		r = mkosi_shadow_normalise(in, (size_t)st.st_size, &out, &out_len);
	if (r == 1) {
		*changed = true;
		r = 0;
		if (ftruncate(fd, 0) < 0 || pwrite(fd, out, out_len, 0) != (ssize_t)out_len)
			r = -EIO;
	}
	if (close(fd) < 0 && r == 0)
		r = -errno;
	free(in);
	free(out);
	return r;
}

static int copy_special(struct walk *w, int sfd, const char *name, const char *from, const char *to,
                        const char *ipath, const struct stat *st)
{
	char target[PATH_MAX];
	ssize_t n;

	switch (st->st_mode & S_IFMT) {
	case S_IFLNK:
		n = readlinkat(sfd, name, target, sizeof(target) - 1);
		if (n < 0)
			return -errno;
		target[n] = '\0';
		if (symlink(target, to) < 0)
			return -errno;
		w->st->symlinks++;
		return 0;
	case S_IFREG:
		if (st->st_nlink > 1) {
			for (size_t i = 0; i < w->nlinks; i++)
				if (w->links[i].dev == st->st_dev &&
				    w->links[i].ino == st->st_ino) {
					if (link(w->links[i].path, to) < 0)
						return -errno;
					w->st->hardlinks++;
					return 0;
				}
			void *grown = realloc(w->links, (w->nlinks + 1) * sizeof(*w->links));
			if (!grown)
				return -ENOMEM;
			w->links = grown;
			w->links[w->nlinks].dev = st->st_dev;
			w->links[w->nlinks].ino = st->st_ino;
			if (!(w->links[w->nlinks].path = strdup(to)))
				return -ENOMEM;
			w->nlinks++;
		}
		w->st->files++;
		return copy_file(from, to, st->st_mode & 07777);
	default:
		snprintf(w->why, w->why_size,
		         "%s: a device node, FIFO or socket has no place in an image root", ipath);
		return -EINVAL;
	}
}

static int walk_dir(struct walk *w, int sfd, const char *src, const char *dst, const char *ipath)
{
	DIR *d = fdopendir(sfd);
	struct dirent *de;
	int r = 0;

	if (!d) {
		close(sfd);
		return -errno;
	}
	while (r == 0 && (de = readdir(d))) {
		char from[PATH_MAX], to[PATH_MAX], path[PATH_MAX];
		struct stat st;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (snprintf(from, sizeof(from), "%s/%s", src, de->d_name) >= (int)sizeof(from) ||
		    snprintf(to, sizeof(to), "%s/%s", dst, de->d_name) >= (int)sizeof(to) ||
		    snprintf(path, sizeof(path), "%s/%s", ipath, de->d_name) >= (int)sizeof(path)) {
			r = -ENAMETOOLONG;
			break;
		}
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			r = -errno;
			break;
		}
		if (excluded(w, path)) {
			w->st->dropped++;
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			int child = openat(dirfd(d), de->d_name,
			                   O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (child < 0 || mkdir(to, st.st_mode & 07777) < 0 ||
			    chmod(to, st.st_mode & 07777) < 0) {
				r = -errno;
				if (child >= 0)
					close(child);
				break;
			}
			w->st->dirs++;
			if (w->added)
				w->added(path, w->userdata);
			r = walk_dir(w, child, from, to, path);
			continue;
		}
		r = copy_special(w, dirfd(d), de->d_name, from, to, path, &st);
		if (r == 0 && w->added)
			w->added(path, w->userdata);
		if (r < 0 && !w->why[0])
			snprintf(w->why, w->why_size, "%s: %s", path, strerror(-r));
	}
	closedir(d);
	return r;
}

static unsigned count_packages(const char *dst)
{
	char path[PATH_MAX], line[512];
	unsigned n = 0;
	FILE *f;

	if (snprintf(path, sizeof(path), "%s/var/lib/dpkg/status", dst) >= (int)sizeof(path) ||
	    !(f = fopen(path, "re")))
		return 0;
	while (fgets(line, sizeof(line), f))
		n += strncmp(line, "Package: ", 9) == 0;
	fclose(f);
	return n;
}

int mkosi_tree_import(const char *src, const char *dst, const char *const *exclude, size_t nexclude,
                      void (*added)(const char *path, void *userdata), void *userdata,
                      struct mkosi_stats *st, char *why, size_t why_size)
{
	struct walk w = {.exclude = exclude,
	                 .nexclude = nexclude,
	                 .added = added,
	                 .userdata = userdata,
	                 .st = st,
	                 .why = why,
	                 .why_size = why_size};
	char shadow[PATH_MAX];
	struct stat s;
	bool changed = false;
	int fd, r;

	memset(st, 0, sizeof(*st));
	why[0] = '\0';
	fd = open(src, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &s) < 0) {
		snprintf(why, why_size, "%s: %s", src, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -errno;
	}
	if (mkdir(dst, s.st_mode & 07777) < 0 && (errno != EEXIST || !dir_is_empty(dst))) {
		r = errno == EEXIST ? -ENOTEMPTY : -errno;
		snprintf(why, why_size, "%s: %s (the output must be new or empty)", dst,
		         strerror(-r));
		close(fd);
		return r;
	}
	r = walk_dir(&w, fd, src, dst, "");
	for (size_t i = 0; i < w.nlinks; i++)
		free(w.links[i].path);
	free(w.links);
	if (r == 0 &&
	    snprintf(shadow, sizeof(shadow), "%s/etc/shadow", dst) < (int)sizeof(shadow) &&
	    access(shadow, F_OK) == 0) {
		r = normalise_shadow(shadow, &changed);
		if (r < 0)
			snprintf(why, why_size, "/etc/shadow: %s", strerror(-r));
		st->rewritten += changed;
	}
	if (r == 0)
		st->packages = count_packages(dst);
	else if (!why[0])
		snprintf(why, why_size, "%s", strerror(-r));
	return r;
}

int mkosi_tree_output(const char *src, const char *dst, const char *const *exclude, size_t nexclude,
                      struct mkosi_stats *st, char *why, size_t why_size)
{
	struct staged_dir out;
	struct stat s;
	int r = staged_dir_begin(&out, dst, NULL, why, why_size);

	if (r < 0)
		return r == -EEXIST || r == -ENOTDIR ? -EINVAL : r;
	r = mkosi_tree_import(src, out.tmp, exclude, nexclude, NULL, NULL, st, why, why_size);
	/* The root directory's mode is the tree's, as every directory below it. */
	if (r == 0 && (stat(src, &s) < 0 || chmod(out.tmp, s.st_mode & 07777) < 0)) {
		r = -errno;
		snprintf(why, why_size, "%s: %s", dst, strerror(errno));
	}
	if (r == 0)
		r = staged_dir_commit(&out, why, why_size);
	staged_dir_abort(&out);
	return r;
}
