/* SPDX-License-Identifier: Apache-2.0 */
#include "rootfs/recipe/lock.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "init/base/cmdfiles.h"
#include "init/base/why.h"

/* The bound recipes have too: a lock of thousands of packages is well under it. */
#define LOCK_FILE_MAX (16u << 20)

int lock_default_path(const char *recipe_path, char *buf, size_t size)
{
	int n = snprintf(buf, size, "%s.lock", recipe_path);
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

void lock_put(char *dst, size_t size, const char *src)
{
	size_t n = strnlen(src, size - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

struct lock *lock_free(struct lock *l)
{
	if (l) {
		free(l->pkgs);
		free(l->rims);
	}
	free(l);
	return NULL;
}

static int cmp_entry(const void *a, const void *b)
{
	return strcmp(((const struct lock_entry *)a)->name, ((const struct lock_entry *)b)->name);
}

static int cmp_rim(const void *a, const void *b)
{
	return strcmp(((const struct lock_rim *)a)->name, ((const struct lock_rim *)b)->name);
}

void lock_sort(struct lock *l)
{
	if (l->n)
		qsort(l->pkgs, l->n, sizeof(*l->pkgs), cmp_entry);
	if (l->nrims)
		qsort(l->rims, l->nrims, sizeof(*l->rims), cmp_rim);
}

const struct lock_rim *lock_find_rim(const struct lock *l, const char *name)
{
	for (size_t i = 0; i < l->nrims; i++)
		if (strcmp(l->rims[i].name, name) == 0)
			return &l->rims[i];
	return NULL;
}

const struct lock_entry *lock_find(const struct lock *l, const char *name)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->pkgs[i].name, name) == 0)
			return &l->pkgs[i];
	return NULL;
}

static bool is_hex64(const char *s)
{
	if (strlen(s) != 64)
		return false;
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
			return false;
	return true;
}

/* A lock field: non-empty, no spaces, no path tricks in the file name. */
static bool token_ok(const char *s)
{
	return *s && !strchr(s, ' ') && !strstr(s, "..") && s[0] != '/';
}

int lock_read(const char *path, struct lock **ret, char *why, size_t why_size)
{
	char reason[160];
	struct stat st;
	int fd = open_input_file(path, LOCK_FILE_MAX, true, &st, reason, sizeof(reason)), r;
	FILE *f = fd < 0 ? NULL : fdopen(fd, "r");

	*ret = NULL;
	if (fd >= 0 && !f) {
		r = -errno;
		close(fd);
		return why_set(why, why_size, r, "%s: %s", path, strerror(-r));
	}
	if (fd < 0)
		return why_set(why, why_size, fd, "%s: %s%s", path, reason,
		               fd == -ENOENT ? " (write it with `ccimage lock`)" : "");
	r = lock_parse(f, path, ret, why, why_size);
	fclose(f);
	return r;
}

/* The line's words, or -1 when it has more than its kind takes or one is too long. */
static int split_line(const char *line, char kw[16], char a[512], char b[512], char c[32],
                      char d[128], char e[32], char g[512])
{
	int n = sscanf(line, "%15s %511s %511s %31s %127s %31s %511s", kw, a, b, c, d, e, g);
	int words = 0;

	for (const char *w = line; *w;) {
		w += strspn(w, " \t");
		if (*w)
			words++;
		w += strcspn(w, " \t");
	}
	return words == n ? n : -1;
}

struct lock_entry *lock_append(struct lock *l, const char *name, const char *version,
                               const char *arch, const char *sha256, uint64_t size,
                               const char *filename)
{
	struct lock_entry *pkgs = realloc(l->pkgs, (l->n + 1) * sizeof(*pkgs)), *x;

	if (!pkgs)
		return NULL;
	l->pkgs = pkgs;
	x = memset(&l->pkgs[l->n++], 0, sizeof(*x));
	lock_put(x->name, sizeof(x->name), name);
	lock_put(x->version, sizeof(x->version), version);
	lock_put(x->arch, sizeof(x->arch), arch);
	lock_put(x->sha256, sizeof(x->sha256), sha256);
	x->size = size;
	lock_put(x->filename, sizeof(x->filename), filename);
	return x;
}

int lock_add_rim(struct lock *l, const char *name, const char *sha256)
{
	struct lock_rim *rims;

	if (!token_ok(name) || strchr(name, '/') || strlen(name) >= sizeof(rims->name) ||
	    !is_hex64(sha256))
		return -EINVAL;
	if (lock_find_rim(l, name))
		return -EEXIST;
	if (!(rims = realloc(l->rims, (l->nrims + 1) * sizeof(*rims))))
		return -ENOMEM;
	l->rims = rims;
	memset(&rims[l->nrims], 0, sizeof(*rims));
	lock_put(rims[l->nrims].name, sizeof(rims->name), name);
	lock_put(rims[l->nrims].sha256, sizeof(rims->sha256), sha256);
	l->nrims++;
	return 0;
}

/* Appends a package line's pin; -EEXIST when the package is pinned already. */
static int add_pin(struct lock *l, const char *a, const char *b, const char *c, const char *d,
                   const char *e, const char *g)
{
	struct lock_entry *x = lock_append(l, a, b, c, d, strtoull(e, NULL, 10), g);

	if (!x)
		return -ENOMEM;
	return lock_find(l, x->name) == x ? 0 : -EEXIST;
}

/* One line without its newline. *format is set by the format line. */
static int parse_line(struct lock *l, const char *line, bool *format)
{
	char kw[16], a[512], b[512], c[32], d[128], e[32], g[512];
	int n = split_line(line, kw, a, b, c, d, e, g);

	if (n == 2 && !strcmp(kw, "format") && !strcmp(a, "1")) {
		*format = true;
	} else if (n == 2 && !strcmp(kw, "recipe") && strlen(a) < sizeof(l->recipe)) {
		lock_put(l->recipe, sizeof(l->recipe), a);
	} else if (n == 3 && !strcmp(kw, "kernel") && strlen(a) < 128 && strlen(b) < 128) {
		lock_put(l->kernel_spec, sizeof(l->kernel_spec), a);
		lock_put(l->kernel_pkg, sizeof(l->kernel_pkg), b);
	} else if (n == 3 && !strcmp(kw, "kernel-build") && strlen(a) < 128 && strlen(b) < 128 &&
	           token_ok(a) && token_ok(b)) {
		lock_put(l->build_source, sizeof(l->build_source), a);
		lock_put(l->build_nvidia, sizeof(l->build_nvidia), strcmp(b, "-") ? b : "");
	} else if (n == 3 && !strcmp(kw, "rim")) {
		int r = lock_add_rim(l, a, b);
		return r == -EEXIST ? -EALREADY : r;
	} else if (n == 7 && !strcmp(kw, "package") && strlen(a) < 128 && strlen(b) < 128 &&
	           is_hex64(d) && token_ok(a) && token_ok(b) && token_ok(c) && token_ok(g) &&
	           strspn(e, "0123456789") == strlen(e)) {
		return add_pin(l, a, b, c, d, e, g);
	} else {
		return -EINVAL;
	}
	return 0;
}

int lock_parse(FILE *f, const char *path, struct lock **ret, char *why, size_t why_size)
{
	struct lock *l;
	char line[2048];
	unsigned lineno = 0;
	bool format = false;
	int r = 0;

	*ret = NULL;
	if (!(l = calloc(1, sizeof(*l))))
		return -ENOMEM;
	while (r == 0 && fgets(line, sizeof(line), f)) {
		size_t len = strlen(line);
		lineno++;
		if (len == 0 || line[len - 1] != '\n') {
			snprintf(why, why_size, "%s:%u: line too long or not ended", path, lineno);
			r = -EINVAL;
			break;
		}
		line[--len] = '\0';
		if (line[0] == '#' || len == 0)
			continue;
		r = parse_line(l, line, &format);
		if (r == -EEXIST)
			snprintf(why, why_size, "%s:%u: package %s is pinned twice", path, lineno,
			         l->pkgs[l->n - 1].name);
		else if (r == -EALREADY)
			snprintf(why, why_size, "%s:%u: rim %.*s is pinned twice", path, lineno,
			         (int)strcspn(line + 4, " \t"), line + 4);
		else if (r == -EINVAL && !strncmp(line, "rim ", 4))
			snprintf(why, why_size,
			         "%s:%u: not a rim line (rim FILE-NAME SHA256, the name without "
			         "'/'): "
			         "%.80s",
			         path, lineno, line);
		else if (r == -EINVAL)
			snprintf(why, why_size, "%s:%u: not a lock line: %.80s", path, lineno,
			         line);
		if (r == -EEXIST || r == -EALREADY)
			r = -EINVAL;
	}
	if (r == 0 && !format) {
		snprintf(why, why_size, "%s: no 'format 1' line", path);
		r = -EINVAL;
	}
	if (r == 0 && !l->recipe[0]) {
		snprintf(why, why_size, "%s: no 'recipe NAME' line", path);
		r = -EINVAL;
	}
	if (r < 0)
		return lock_free(l), r;
	lock_sort(l);
	*ret = l;
	return 0;
}

int lock_write(const struct lock *l, const char *path, const char *recipe_name)
{
	struct output_set out = {0};
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	int r = 0;

	if (!f)
		return -errno;
	const char *base = strrchr(recipe_name, '/');
	fprintf(f, "# ccimage lock: regenerate with `ccimage lock %s`; do not edit\n",
	        base ? base + 1 : recipe_name);
	fprintf(f, "format 1\nrecipe %s\n", l->recipe);
	if (l->kernel_spec[0])
		fprintf(f, "kernel %s %s\n", l->kernel_spec, l->kernel_pkg);
	if (l->build_source[0])
		fprintf(f, "kernel-build %s %s\n", l->build_source,
		        l->build_nvidia[0] ? l->build_nvidia : "-");
	for (size_t i = 0; i < l->n; i++)
		fprintf(f, "package %s %s %s %s %llu %s\n", l->pkgs[i].name, l->pkgs[i].version,
		        l->pkgs[i].arch, l->pkgs[i].sha256, (unsigned long long)l->pkgs[i].size,
		        l->pkgs[i].filename);
	for (size_t i = 0; i < l->nrims; i++)
		fprintf(f, "rim %s %s\n", l->rims[i].name, l->rims[i].sha256);
	if (fclose(f) != 0)
		r = -ENOMEM;
	/* Whole or not at all, and never through a device, a FIFO or a symlink at path. */
	if (r == 0)
		r = check_output_path(path, NULL, 0);
	if (r == 0)
		r = output_set_add(&out, path, text, len);
	if (r == 0)
		r = output_set_commit(&out);
	output_set_abandon(&out);
	free(text);
	return r;
}

int lock_check(const struct recipe *r, const struct lock *l, char *why, size_t why_size)
{
	const char *hint = "run `ccimage lock` on the recipe";

	if (strcmp(l->recipe, r->name) != 0) {
		snprintf(why, why_size, "the lock is for recipe '%s', not '%s'", l->recipe,
		         r->name);
		return -ESTALE;
	}
	for (size_t i = 0; i < r->npackages; i++)
		if (!lock_find(l, r->packages[i].name)) {
			snprintf(why, why_size, "package %s is not in the lock: %s",
			         r->packages[i].name, hint);
			return -ESTALE;
		}
	if (strcmp(l->kernel_spec, r->kernel.package ? r->kernel.package : "") != 0) {
		snprintf(why, why_size, "the lock's kernel '%s' is not the recipe's '%s': %s",
		         l->kernel_spec, r->kernel.package ? r->kernel.package : "(none)", hint);
		return -ESTALE;
	}
	if (r->kernel.build != !!l->build_source[0] ||
	    (l->build_source[0] && !lock_find(l, l->build_source)) ||
	    (l->build_nvidia[0] && !lock_find(l, l->build_nvidia)) ||
	    (r->kernel.build && r->kernel.build_no_nvidia == !!l->build_nvidia[0])) {
		snprintf(why, why_size,
		         "the lock's kernel build sources (%s %s) are not the "
		         "recipe's kernel: %s",
		         l->build_source[0] ? l->build_source : "none",
		         l->build_nvidia[0] ? l->build_nvidia : "-", hint);
		return -ESTALE;
	}
	for (size_t i = 0; i < l->n; i++)
		if (!recipe_package_find(r, l->pkgs[i].name) &&
		    strcmp(l->pkgs[i].name, l->kernel_pkg) != 0 &&
		    strcmp(l->pkgs[i].name, l->build_source) != 0 &&
		    strcmp(l->pkgs[i].name, l->build_nvidia) != 0) {
			snprintf(why, why_size,
			         "the lock pins %s, which the recipe no longer names: %s",
			         l->pkgs[i].name, hint);
			return -ESTALE;
		}
	return 0;
}

/* Appends "name old -> new" for one moved pin while the text has room. */
static void note_moved(char *what, size_t what_size, size_t *len, const char *name, const char *old,
                       const char *now)
{
	if (*len >= what_size)
		return;
	int n = snprintf(what + *len, what_size - *len, "%s%s %s -> %s", *len ? ", " : "", name,
	                 old, now);
	*len = n < 0 ? what_size : *len + (size_t)n;
}

static bool same_pin(const struct lock_entry *a, const struct lock_entry *b)
{
	return strcmp(a->version, b->version) == 0 && strcmp(a->sha256, b->sha256) == 0;
}

/* The kernel the metapackage led to is compared as one pin, whatever its package name. */
static bool is_kernel(const struct lock *pinned, const struct lock *now, const char *name)
{
	return (pinned->kernel_pkg[0] && strcmp(name, pinned->kernel_pkg) == 0) ||
	       (now->kernel_pkg[0] && strcmp(name, now->kernel_pkg) == 0);
}

size_t lock_compare(const struct lock *pinned, const struct lock *now, char *what, size_t what_size)
{
	const struct lock_entry *pk = lock_find(pinned, pinned->kernel_pkg),
	                        *nk = lock_find(now, now->kernel_pkg);
	size_t moved = 0, len = 0;
	char old[300], new[300];

	if (what_size)
		what[0] = '\0';
	if ((pk || nk) && !(pk && nk && same_pin(pk, nk) && strcmp(pk->name, nk->name) == 0)) {
		moved++;
		snprintf(old, sizeof(old), "%s %s", pk ? pk->name : "(none)",
		         pk ? pk->version : "");
		snprintf(new, sizeof(new), "%s %s", nk ? nk->name : "(none)",
		         nk ? nk->version : "");
		note_moved(what, what_size, &len, "kernel", old, new);
	}
	for (size_t i = 0; i < pinned->n; i++) {
		const struct lock_entry *p = &pinned->pkgs[i], *q = lock_find(now, p->name);
		if (is_kernel(pinned, now, p->name) || (q && same_pin(p, q)))
			continue;
		moved++;
		note_moved(what, what_size, &len, p->name, p->version,
		           q ? q->version : "(gone from the archive)");
	}
	for (size_t i = 0; i < now->n; i++)
		if (!is_kernel(pinned, now, now->pkgs[i].name) &&
		    !lock_find(pinned, now->pkgs[i].name)) {
			moved++;
			note_moved(what, what_size, &len, now->pkgs[i].name, "(not pinned)",
			           now->pkgs[i].version);
		}
	for (size_t i = 0; i < pinned->nrims; i++) {
		const struct lock_rim *p = &pinned->rims[i], *q = lock_find_rim(now, p->name);
		if (q && !strcmp(p->sha256, q->sha256))
			continue;
		moved++;
		snprintf(old, sizeof(old), "sha256 %.12s", p->sha256);
		snprintf(new, sizeof(new), "%s%.12s", q ? "sha256 " : "(gone)", q ? q->sha256 : "");
		note_moved(what, what_size, &len, p->name, old, new);
	}
	for (size_t i = 0; i < now->nrims; i++)
		if (!lock_find_rim(pinned, now->rims[i].name)) {
			moved++;
			note_moved(what, what_size, &len, now->rims[i].name, "(not pinned)",
			           "a RIM");
		}
	if (what_size && len >= what_size && what_size > 4)
		strcpy(what + what_size - 4, "...");
	return moved;
}
