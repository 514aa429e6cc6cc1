/* SPDX-License-Identifier: Apache-2.0 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rootfs/image/cpio.h"
#include "init/base/cmdfiles.h"

/* A list names files, one a line: 16 MiB is far past any initramfs. */
#define CPIO_LIST_MAX (16u << 20)

struct entry {
	char *path;      /* without the leading '/', as cpio stores names */
	mode_t mode;     /* type and permissions */
	char *host_path; /* regular files: where the bytes come from */
	char *target;    /* symlinks */
	unsigned rmajor, rminor;
};

struct cpio_archive {
	struct entry *entries;
	size_t count, allocated;
};

int cpio_new(struct cpio_archive **ret)
{
	*ret = calloc(1, sizeof(**ret));
	return *ret ? 0 : -ENOMEM;
}

struct cpio_archive *cpio_free(struct cpio_archive *a)
{
	if (!a)
		return NULL;
	for (size_t i = 0; i < a->count; i++) {
		free(a->entries[i].path);
		free(a->entries[i].host_path);
		free(a->entries[i].target);
	}
	free(a->entries);
	free(a);
	return NULL;
}

static struct entry *find(struct cpio_archive *a, const char *path)
{
	for (size_t i = 0; i < a->count; i++)
		if (strcmp(a->entries[i].path, path) == 0)
			return &a->entries[i];
	return NULL;
}

static int normalise(const char *in, char *out, size_t size)
{
	while (*in == '/')
		in++;
	size_t len = strlen(in);
	while (len > 0 && in[len - 1] == '/')
		len--;
	if (len == 0 || len >= size)
		return -EINVAL;
	memcpy(out, in, len);
	out[len] = '\0';
	/* No "." or ".." components: an archive must not reach outside its root. */
	for (char *p = out; p; p = strchr(p, '/')) {
		if (*p == '/')
			p++;
		if ((p[0] == '.' && (p[1] == '/' || !p[1])) ||
		    (p[0] == '.' && p[1] == '.' && (p[2] == '/' || !p[2])))
			return -EINVAL;
	}
	return 0;
}

static int add(struct cpio_archive *a, const char *image_path, mode_t mode, const char *host,
               const char *target, unsigned rmajor, unsigned rminor);

static int add_parents(struct cpio_archive *a, const char *path)
{
	char parent[PATH_MAX];
	snprintf(parent, sizeof(parent), "%s", path);
	for (char *slash = strchr(parent, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		if (!find(a, parent)) {
			int r = add(a, parent, S_IFDIR | 0755, NULL, NULL, 0, 0);
			if (r < 0)
				return r;
		}
		*slash = '/';
	}
	return 0;
}

static int add(struct cpio_archive *a, const char *image_path, mode_t mode, const char *host,
               const char *target, unsigned rmajor, unsigned rminor)
{
	char path[PATH_MAX];
	int r = normalise(image_path, path, sizeof(path));
	if (r < 0)
		return r;
	struct entry *e = find(a, path);
	if (e) {
		/* A directory named twice is fine; anything else named twice is a mistake in the
		 * list. */
		if (S_ISDIR(e->mode) && S_ISDIR(mode)) {
			e->mode = mode;
			return 0;
		}
		return -EEXIST;
	}
	r = add_parents(a, path);
	if (r < 0)
		return r;
	if (a->count == a->allocated) {
		size_t n = a->allocated ? 2 * a->allocated : 64;
		struct entry *grown = realloc(a->entries, n * sizeof(*grown));
		if (!grown)
			return -ENOMEM;
		a->entries = grown;
		a->allocated = n;
	}
	e = &a->entries[a->count];
	*e = (struct entry){.mode = mode, .rmajor = rmajor, .rminor = rminor};
	e->path = strdup(path);
	e->host_path = host ? strdup(host) : NULL;
	e->target = target ? strdup(target) : NULL;
	if (!e->path || (host && !e->host_path) || (target && !e->target))
		return -ENOMEM;
	a->count++;
	return 0;
}

int cpio_add_dir(struct cpio_archive *a, const char *path, mode_t perm)
{
	return add(a, path, S_IFDIR | (perm & 07777), NULL, NULL, 0, 0);
}

int cpio_add_file(struct cpio_archive *a, const char *path, const char *host_path, mode_t perm)
{
	struct stat st;
	if (stat(host_path, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	return add(a, path, S_IFREG | (perm & 07777), host_path, NULL, 0, 0);
}

int cpio_add_symlink(struct cpio_archive *a, const char *path, const char *target)
{
	return add(a, path, S_IFLNK | 0777, NULL, target, 0, 0);
}

int cpio_add_node(struct cpio_archive *a, const char *path, mode_t mode, unsigned major,
                  unsigned minor)
{
	if (!S_ISCHR(mode) && !S_ISBLK(mode))
		return -EINVAL;
	return add(a, path, mode, NULL, NULL, major, minor);
}

int cpio_add_tree(struct cpio_archive *a, const char *path, const char *host_dir)
{
	DIR *d = opendir(host_dir);
	if (!d)
		return -errno;
	int r = cpio_add_dir(a, path, 0755);
	struct dirent *de;
	while (r >= 0 && (de = readdir(d))) {
		char host[PATH_MAX], image[PATH_MAX];
		struct stat st;
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (snprintf(host, sizeof(host), "%s/%s", host_dir, de->d_name) >=
		            (int)sizeof(host) ||
		    snprintf(image, sizeof(image), "%s/%s", path, de->d_name) >=
		            (int)sizeof(image)) {
			r = -ENAMETOOLONG;
			break;
		}
		if (lstat(host, &st) < 0) {
			r = -errno;
			break;
		}
		if (S_ISDIR(st.st_mode)) {
			r = cpio_add_tree(a, image, host);
			if (r >= 0)
				r = cpio_add_dir(a, image, st.st_mode);
		} else if (S_ISREG(st.st_mode)) {
			r = cpio_add_file(a, image, host, st.st_mode);
		} else if (S_ISLNK(st.st_mode)) {
			char target[PATH_MAX];
			ssize_t n = readlink(host, target, sizeof(target) - 1);
			if (n < 0) {
				r = -errno;
				break;
			}
			target[n] = '\0';
			r = cpio_add_symlink(a, image, target);
		} else {
			r = -EINVAL; /* sockets, fifos and devices do not belong in a staged tree */
		}
	}
	closedir(d);
	return r;
}

static int why_line(char *why, size_t size, const char *file, unsigned line, const char *fmt, ...)
        __attribute__((format(printf, 5, 6)));
static int why_line(char *why, size_t size, const char *file, unsigned line, const char *fmt, ...)
{
	/* Line 0: about the file as a whole. */
	int n = line ? snprintf(why, size, "%s:%u: ", file, line)
	             : snprintf(why, size, "%s: ", file);
	va_list ap;
	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < size)
		vsnprintf(why + n, size - (size_t)n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

int cpio_add_list(struct cpio_archive *a, const char *list_path, const char *base_dir, char *why,
                  size_t why_size)
{
	char reason[160];
	struct stat st;
	int fd = open_input_file(list_path, CPIO_LIST_MAX, true, &st, reason, sizeof(reason));
	FILE *f = fd < 0 ? NULL : fdopen(fd, "r");
	if (!f) {
		if (fd >= 0)
			close(fd);
		return why_line(why, why_size, list_path, 0, "%s",
		                fd < 0 ? reason : strerror(errno));
	}
	char line[1024];
	unsigned n = 0;
	int r = 0;
	while (r >= 0 && fgets(line, sizeof(line), f)) {
		char kind[16], path[512], arg1[512], arg2[32], type;
		unsigned mode, major, minor;
		n++;
		if (!strchr(line, '\n') && !feof(f)) {
			r = why_line(why, why_size, list_path, n, "line too long");
			break;
		}
		char *hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		int fields = sscanf(line, "%15s %511s %511s %31s", kind, path, arg1, arg2);
		if (fields <= 0)
			continue;
		char host[PATH_MAX];
		if (strcmp(kind, "dir") == 0 && fields == 3 && sscanf(arg1, "%o", &mode) == 1) {
			r = cpio_add_dir(a, path, mode);
		} else if (strcmp(kind, "file") == 0 && fields == 4 &&
		           sscanf(arg2, "%o", &mode) == 1) {
			snprintf(host, sizeof(host), "%s%s%s", arg1[0] == '/' ? "" : base_dir,
			         arg1[0] == '/' ? "" : "/", arg1);
			r = cpio_add_file(a, path, host, mode);
		} else if (strcmp(kind, "slink") == 0 && fields >= 3) {
			r = cpio_add_symlink(a, path, arg1);
		} else if (strcmp(kind, "nod") == 0 &&
		           sscanf(line, "%*s %*s %o %c %u %u", &mode, &type, &major, &minor) == 4 &&
		           (type == 'c' || type == 'b')) {
			r = cpio_add_node(a, path,
			                  (type == 'c' ? S_IFCHR : S_IFBLK) | (mode & 07777), major,
			                  minor);
		} else if (strcmp(kind, "tree") == 0 && fields == 3) {
			snprintf(host, sizeof(host), "%s%s%s", arg1[0] == '/' ? "" : base_dir,
			         arg1[0] == '/' ? "" : "/", arg1);
			r = cpio_add_tree(a, path, host);
		} else {
			r = why_line(why, why_size, list_path, n, "cannot read '%s' entry", kind);
			break;
		}
		if (r < 0)
			why_line(why, why_size, list_path, n, "%s: %s", path, strerror(-r));
	}
	fclose(f);
	return r < 0 ? r : 0;
}

static int compare(const void *x, const void *y)
{
	return strcmp(((const struct entry *)x)->path, ((const struct entry *)y)->path);
}

static int header(FILE *out, uint32_t ino, uint32_t mode, uint32_t mtime, uint32_t size,
                  uint32_t rmajor, uint32_t rminor, const char *name)
{
	size_t namesize = strlen(name) + 1;
	static const char zeros[4];
	if (fprintf(out, "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08zX%08X", ino, mode,
	            0, 0, S_ISDIR(mode) ? 2 : 1, mtime, size, 0, 0, rmajor, rminor, namesize,
	            0) < 0 ||
	    fwrite(name, 1, namesize, out) != namesize)
		return -EIO;
	size_t pad = (4 - (110 + namesize) % 4) % 4;
	return fwrite(zeros, 1, pad, out) == pad ? 0 : -EIO;
}

static int copy_data(FILE *out, const char *host, uint32_t size)
{
	int fd = open(host, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	char buf[65536];
	uint64_t left = size;
	int r = 0;
	while (left > 0) {
		ssize_t n = read(fd, buf, left < sizeof(buf) ? left : sizeof(buf));
		if (n <= 0) {
			r = n < 0 ? -errno : -EIO; /* the file shrank under us */
			break;
		}
		if (fwrite(buf, 1, (size_t)n, out) != (size_t)n) {
			r = -EIO;
			break;
		}
		left -= (uint64_t)n;
	}
	close(fd);
	static const char zeros[4];
	size_t pad = (4 - size % 4) % 4;
	if (r == 0 && fwrite(zeros, 1, pad, out) != pad)
		r = -EIO;
	return r;
}

int cpio_write(struct cpio_archive *a, FILE *out, uint32_t mtime)
{
	qsort(a->entries, a->count, sizeof(a->entries[0]), compare);
	for (size_t i = 0; i < a->count; i++) {
		struct entry *e = &a->entries[i];
		uint32_t size = 0;
		int r;
		if (S_ISREG(e->mode)) {
			struct stat st;
			if (stat(e->host_path, &st) < 0)
				return -errno;
			if (st.st_size > UINT32_MAX)
				return -EFBIG;
			size = (uint32_t)st.st_size;
		} else if (S_ISLNK(e->mode)) {
			size = (uint32_t)strlen(e->target);
		}
		r = header(out, (uint32_t)(i + 1), e->mode, mtime, size, e->rmajor, e->rminor,
		           e->path);
		if (r < 0)
			return r;
		if (S_ISREG(e->mode))
			r = copy_data(out, e->host_path, size);
		else if (S_ISLNK(e->mode)) {
			static const char zeros[4];
			size_t pad = (4 - size % 4) % 4;
			r = fwrite(e->target, 1, size, out) == size &&
			                    fwrite(zeros, 1, pad, out) == pad
			            ? 0
			            : -EIO;
		}
		if (r < 0)
			return r;
	}
	int r = header(out, 0, 0, 0, 0, 0, 0, "TRAILER!!!");
	return r < 0 ? r : (fflush(out) == 0 ? 0 : -EIO);
}
