/* SPDX-License-Identifier: Apache-2.0 */
#include "init/base/fileio.h"
#include "rootfs/deb/extract.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "rootfs/lib/stagefs.h"

#define MAX_TEXT (1 << 20) /* control and copyright files we keep in memory */

int deb_path_normalise(const char *name, char *out, size_t size)
{
	size_t n = 0;

	while (name[0] == '.' && name[1] == '/')
		name += 2;
	while (*name == '/')
		name++;
	if (size < 2)
		return -ENAMETOOLONG;
	out[n++] = '/';
	out[n] = '\0';
	if (!*name || (name[0] == '.' && !name[1]))
		return 0;
	for (const char *p = name; *p;) {
		size_t len = strcspn(p, "/");
		if (len == 0 || (len == 1 && p[0] == '.') ||
		    (len == 2 && p[0] == '.' && p[1] == '.'))
			return -EINVAL;
		if (n + len + 2 > size)
			return -ENAMETOOLONG;
		if (n > 1)
			out[n++] = '/';
		memcpy(out + n, p, len);
		n += len;
		p += len;
		if (*p == '/')
			p++;
	}
	out[n] = '\0';
	return 0;
}

static la_ssize_t inner_read(struct archive *a, void *userdata, const void **buf)
{
	struct deb_member *m = userdata;
	(void)a;
	*buf = m->buf;
	return archive_read_data(m->outer, m->buf, sizeof(m->buf));
}

void deb_member_close(struct deb_member *m)
{
	if (m->inner)
		archive_read_free(m->inner);
	if (m->outer)
		archive_read_free(m->outer);
	m->inner = m->outer = NULL;
}

int deb_member_open(struct deb_member *m, const char *deb, const char *prefix, char *why,
                    size_t why_size)
{
	struct archive_entry *e;
	int r;

	m->outer = archive_read_new();
	if (!m->outer)
		return -ENOMEM;
	archive_read_support_format_ar(m->outer);
	if (archive_read_open_filename(m->outer, deb, 65536) != ARCHIVE_OK) {
		snprintf(why, why_size, "%s: %s", deb, archive_error_string(m->outer));
		deb_member_close(m);
		return -EINVAL;
	}
	while ((r = archive_read_next_header(m->outer, &e)) == ARCHIVE_OK) {
		const char *name = archive_entry_pathname(e);
		if (!name || strncmp(name, prefix, strlen(prefix)) != 0)
			continue;
		m->inner = archive_read_new();
		if (!m->inner)
			return deb_member_close(m), -ENOMEM;
		archive_read_support_filter_all(m->inner);
		archive_read_support_format_tar(m->inner);
		archive_read_support_format_gnutar(m->inner);
		if (archive_read_open(m->inner, m, NULL, inner_read, NULL) != ARCHIVE_OK) {
			snprintf(why, why_size, "%s: %s: %s", deb, name,
			         archive_error_string(m->inner));
			deb_member_close(m);
			return -EINVAL;
		}
		return 0;
	}
	snprintf(why, why_size, "%s: no %s member (not a .deb?)", deb, prefix);
	deb_member_close(m);
	return -EINVAL;
}

static int read_text(struct archive *a, int64_t size, char **out)
{
	if (size < 0 || size > MAX_TEXT)
		return -EFBIG;
	char *buf = malloc((size_t)size + 1);
	if (!buf)
		return -ENOMEM;
	la_ssize_t n = archive_read_data(a, buf, (size_t)size);
	if (n != size) {
		free(buf);
		return -EIO;
	}
	buf[size] = '\0';
	*out = buf;
	return 0;
}

static int cmp_entry(const void *a, const void *b)
{
	return strcmp(((const struct deb_entry *)a)->path, ((const struct deb_entry *)b)->path);
}

const struct deb_entry *deb_index_find(const struct deb_index *x, const char *path)
{
	struct deb_entry key = {.path = (char *)path};
	return x->n ? bsearch(&key, x->e, x->n, sizeof(*x->e), cmp_entry) : NULL;
}

struct deb_index *deb_index_free(struct deb_index *x)
{
	if (!x)
		return NULL;
	for (size_t i = 0; i < x->n; i++) {
		free(x->e[i].path);
		free(x->e[i].link);
	}
	free(x->e);
	free(x->package);
	free(x->control);
	free(x->copyright);
	free(x);
	return NULL;
}

static int read_control(struct deb_index *x, const char *deb, char *why, size_t why_size)
{
	struct deb_member m = {0};
	struct archive_entry *e;
	int r = deb_member_open(&m, deb, "control.tar", why, why_size);

	if (r < 0)
		return r;
	while (archive_read_next_header(m.inner, &e) == ARCHIVE_OK) {
		char p[PATH_MAX];
		if (deb_path_normalise(archive_entry_pathname(e), p, sizeof(p)) == 0 &&
		    strcmp(p, "/control") == 0 && archive_entry_filetype(e) == AE_IFREG) {
			r = read_text(m.inner, archive_entry_size(e), &x->control);
			break;
		}
	}
	deb_member_close(&m);
	if (r == 0 && !x->control) {
		snprintf(why, why_size, "%s: no control file", deb);
		r = -EINVAL;
	}
	if (r < 0)
		return r;
	const char *pk = strncmp(x->control, "Package:", 8) == 0 ? x->control
	                                                         : strstr(x->control, "\nPackage:");
	if (!pk) {
		snprintf(why, why_size, "%s: control has no Package field", deb);
		return -EINVAL;
	}
	pk += pk[0] == '\n' ? 9 : 8;
	pk += strspn(pk, " ");
	x->package = strndup(pk, strcspn(pk, "\n "));
	return x->package ? 0 : -ENOMEM;
}

/* One data.tar member as an index entry, at normalised path p. */
static int fill_entry(struct deb_entry *d, struct archive_entry *e, const char *p, const char *deb,
                      char *why, size_t why_size)
{
	const char *hl = archive_entry_hardlink(e);
	char t[PATH_MAX];

	d->mode = archive_entry_perm(e);
	d->size = (uint64_t)archive_entry_size(e);
	switch (archive_entry_filetype(e)) {
	case AE_IFREG:
		d->type = hl ? 'h' : 'f';
		break;
	case AE_IFDIR:
		d->type = 'd';
		break;
	case AE_IFLNK:
		d->type = 'l';
		break;
	default:
		d->type = hl ? 'h' : '?';
		break;
	}
	if (d->type == 'h') {
		if (deb_path_normalise(hl, t, sizeof(t)) < 0) {
			snprintf(why, why_size, "%s: unsafe hard link target '%s'", deb, hl);
			return -EINVAL;
		}
		d->link = strdup(t);
	} else if (d->type == 'l') {
		const char *s = archive_entry_symlink(e);
		d->link = strdup(s ? s : "");
	}
	d->path = strdup(p);
	if (!d->path || ((d->type == 'h' || d->type == 'l') && !d->link))
		return -ENOMEM;
	return 0;
}

int deb_index_read(const char *deb, struct deb_index **ret, char *why, size_t why_size)
{
	struct deb_index *x = calloc(1, sizeof(*x));
	struct deb_member m = {0};
	struct archive_entry *e;
	char copyright[PATH_MAX];
	size_t cap = 0;
	int r, ar;

	*ret = NULL;
	if (!x)
		return -ENOMEM;
	if ((r = read_control(x, deb, why, why_size)) < 0 ||
	    (r = deb_member_open(&m, deb, "data.tar", why, why_size)) < 0)
		return deb_index_free(x), r;
	snprintf(copyright, sizeof(copyright), "/usr/share/doc/%s/copyright", x->package);
	while ((ar = archive_read_next_header(m.inner, &e)) == ARCHIVE_OK) {
		char p[PATH_MAX];
		const char *name = archive_entry_pathname(e);
		if (!name || deb_path_normalise(name, p, sizeof(p)) < 0) {
			snprintf(why, why_size, "%s: unsafe member name '%s'", deb,
			         name ? name : "(none)");
			r = -EINVAL;
			break;
		}
		if (strcmp(p, "/") == 0)
			continue;
		if (x->n == cap) {
			cap = cap ? cap * 2 : 256;
			struct deb_entry *ne = realloc(x->e, cap * sizeof(*ne));
			if (!ne) {
				r = -ENOMEM;
				break;
			}
			x->e = ne;
		}
		struct deb_entry *d = &x->e[x->n++];
		memset(d, 0, sizeof(*d)); /* counted at once: deb_index_free frees what is set */
		if ((r = fill_entry(d, e, p, deb, why, why_size)) < 0)
			break;
		if (d->type == 'f' && strcmp(p, copyright) == 0 && !x->copyright &&
		    (r = read_text(m.inner, archive_entry_size(e), &x->copyright)) < 0)
			break;
	}
	if (r == 0 && ar != ARCHIVE_EOF) {
		snprintf(why, why_size, "%s: %s", deb, archive_error_string(m.inner));
		r = -EINVAL;
	} else if (r < 0 && !why[0]) {
		snprintf(why, why_size, "%s: %s", deb, strerror(-r));
	}
	deb_member_close(&m);
	if (r < 0)
		return deb_index_free(x), r;
	if (x->n)
		qsort(x->e, x->n, sizeof(*x->e), cmp_entry);
	*ret = x;
	return 0;
}

struct extract {
	const struct deb_index *x;
	const char *deb;
	int rootfd;
	char *why;
	size_t why_size;
	char **pending; /* hard links whose target was not extracted: path, target pairs */
	size_t npending;
};

static mode_t dirmode(const char *path, void *userdata)
{
	const struct extract *c = userdata;
	const struct deb_entry *d = deb_index_find(c->x, path);
	return d && d->type == 'd' ? d->mode : 0755;
}

static int copy_data(struct archive *a, int fd)
{
	const void *buf;
	size_t len;
	la_int64_t off;
	int ar;

	while ((ar = archive_read_data_block(a, &buf, &len, &off)) == ARCHIVE_OK) {
		/* Sparse members: seek to the offset, so holes stay holes of the right size. */
		if (lseek(fd, off, SEEK_SET) < 0)
			return -errno;
		int r = write_full(fd, buf, len);
		if (r < 0)
			return r;
	}
	return ar == ARCHIVE_EOF ? 0 : -EIO;
}

static int write_file(struct extract *c, struct archive *a, const char *path, mode_t mode,
                      uint64_t size)
{
	int fd = stagefs_create(c->rootfd, path, dirmode, c), r;

	if (fd < 0)
		return fd;
	r = copy_data(a, fd);
	if (r == 0 && ftruncate(fd, (off_t)size) < 0)
		r = -errno;
	if (r == 0 && fchmod(fd, mode & 07777) < 0)
		r = -errno;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	return r;
}

static int one(struct extract *c, struct archive *a, struct archive_entry *e, const char *path,
               const struct deb_entry *d)
{
	struct stat st;
	int r;

	switch (d->type) {
	case 'd':
		return stagefs_mkdir(c->rootfd, path, d->mode, dirmode, c);
	case 'l':
		return stagefs_symlink(c->rootfd, path, d->link, dirmode, c);
	case 'f':
		return write_file(c, a, path, d->mode, (uint64_t)archive_entry_size(e));
	case 'h':
		if (stagefs_lstat(c->rootfd, d->link, &st) == 0 && S_ISREG(st.st_mode))
			return stagefs_link(c->rootfd, path, d->link, dirmode, c);
		char **np = realloc(c->pending, (c->npending + 2) * sizeof(char *));
		if (!np)
			return -ENOMEM;
		c->pending = np;
		np[c->npending] = strdup(path);
		np[c->npending + 1] = strdup(d->link);
		c->npending += 2;
		return np[c->npending - 2] && np[c->npending - 1] ? 0 : -ENOMEM;
	default:
		r = -EINVAL;
		snprintf(c->why, c->why_size, "%s: %s is a device node, FIFO or socket: refused",
		         c->deb, path);
		return r;
	}
}

/* Second pass: a kept hard link whose target was not kept gets the target's bytes. */
static int resolve_pending(struct extract *c)
{
	struct deb_member m = {0};
	struct archive_entry *e;
	int r = 0, ar;

	if (!c->npending)
		return 0;
	if ((r = deb_member_open(&m, c->deb, "data.tar", c->why, c->why_size)) < 0)
		return r;
	while (r == 0 && (ar = archive_read_next_header(m.inner, &e)) == ARCHIVE_OK) {
		char p[PATH_MAX];
		const char *first = NULL;
		if (deb_path_normalise(archive_entry_pathname(e), p, sizeof(p)) < 0)
			continue;
		for (size_t i = 0; r == 0 && i < c->npending; i += 2) {
			if (strcmp(c->pending[i + 1], p) != 0)
				continue;
			if (!first) {
				first = c->pending[i];
				r = write_file(c, m.inner, first, archive_entry_perm(e),
				               (uint64_t)archive_entry_size(e));
			} else {
				r = stagefs_link(c->rootfd, c->pending[i], first, dirmode, c);
			}
			if (r < 0)
				snprintf(c->why, c->why_size, "%s: %s: %s", c->deb, c->pending[i],
				         strerror(-r));
		}
	}
	deb_member_close(&m);
	return r;
}

int deb_extract(const char *deb, const struct deb_index *x, const char *stage_dir,
                bool (*want)(const char *path, void *userdata), void *userdata, char *why,
                size_t why_size)
{
	struct extract c = {.x = x, .deb = deb, .why = why, .why_size = why_size};
	struct deb_member m = {0};
	struct archive_entry *e;
	int r = 0, ar = ARCHIVE_EOF;

	if (why_size)
		why[0] = '\0'; /* messages below are written only when none is there yet */
	c.rootfd = open(stage_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (c.rootfd < 0) {
		r = -errno;
		snprintf(why, why_size, "%s: %s", stage_dir, strerror(errno));
		return r;
	}
	if ((r = deb_member_open(&m, deb, "data.tar", why, why_size)) < 0) {
		close(c.rootfd);
		return r;
	}
	while (r == 0 && (ar = archive_read_next_header(m.inner, &e)) == ARCHIVE_OK) {
		char p[PATH_MAX];
		if (deb_path_normalise(archive_entry_pathname(e), p, sizeof(p)) < 0) {
			snprintf(why, why_size, "%s: unsafe member name", deb);
			r = -EINVAL;
			break;
		}
		if (strcmp(p, "/") == 0 || (want && !want(p, userdata)))
			continue;
		const struct deb_entry *d = deb_index_find(x, p);
		if (!d) {
			snprintf(why, why_size, "%s: %s changed between passes", deb, p);
			r = -EIO;
			break;
		}
		r = one(&c, m.inner, e, p, d);
		if (r < 0 && !why[0])
			snprintf(why, why_size, "%s: %s: %s", deb, p,
			         r == -EEXIST    ? "already in the root (two sources write it)"
			         : r == -ENOTDIR ? "a parent is a symlink or a file"
			                         : strerror(-r));
	}
	if (r == 0 && ar != ARCHIVE_EOF) {
		snprintf(why, why_size, "%s: %s", deb, archive_error_string(m.inner));
		r = -EINVAL;
	}
	deb_member_close(&m);
	if (r == 0)
		r = resolve_pending(&c);
	for (size_t i = 0; i < c.npending; i++)
		free(c.pending[i]);
	free(c.pending);
	close(c.rootfd);
	return r;
}
