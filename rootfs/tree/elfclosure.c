/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Closure in rounds: every open need (a path, or a library name to search
 * for) is resolved against the staged tree first; what is missing is taken
 * from the first package that has it, all of a round's additions extracted
 * per package in one pass; then the new files are read and the needs that
 * led to symlinks are looked at again, until nothing is missing.
 */
#include "rootfs/lib/fsutil.h"
#include "rootfs/tree/elfclosure.h"

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_ROUNDS 64
#define MAX_LINKS  40
/* The x86_64 psABI's PT_INTERP and its soname. */
#define LOADER_PATH "/lib64/ld-linux-x86-64.so.2"
#define LOADER_NAME "ld-linux-x86-64.so.2"

const char *const elfclosure_default_dirs[] = {"/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu",
                                               "/lib", "/usr/lib", NULL};

struct need {
	char *path;   /* an image path, or NULL while lib is being searched */
	char *lib;    /* a DT_NEEDED name */
	char *dirs;   /* lib: the binary's own search list (RPATH/RUNPATH, ':'-separated) */
	char *reason; /* why it is needed */
	bool soft;    /* a kept symlink's target: fine to leave dangling when nobody has it */
};

struct strv {
	char **v;
	size_t n;
};

struct cl {
	const char *stage;
	const struct closure_pkg *pkgs;
	size_t npkgs;
	struct origins *o;
	struct strv dirs;          /* ld.so.conf then the defaults */
	struct strv *want;         /* per package: paths to extract this round */
	struct strv *want_reasons; /* and why */
	struct need *needs;
	size_t nneeds;
	char *why;
	size_t why_size;
	unsigned added;
};

static int strv_add(struct strv *s, const char *str)
{
	char **nv = realloc(s->v, (s->n + 1) * sizeof(char *));
	if (!nv)
		return -ENOMEM;
	s->v = nv;
	if (!(s->v[s->n] = strdup(str)))
		return -ENOMEM;
	s->n++;
	return 0;
}

static bool strv_has(const struct strv *s, const char *str)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->v[i], str) == 0)
			return true;
	return false;
}

static void strv_free(struct strv *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	s->v = NULL;
	s->n = 0;
}

static int host_path(const struct cl *c, const char *path, char *buf, size_t size)
{
	int n = snprintf(buf, size, "%s%s", c->stage, path);
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

/*
 * Resolves an image path inside the stage as the guest would see it. 0: it
 * exists (out: the final path, no symlinks); -ENOENT: out is the first path
 * that is missing (with the rest appended), which a package may provide.
 */
static int resolve(const struct cl *c, const char *path, char *out, size_t size)
{
	char cur[PATH_MAX], rest[PATH_MAX], host[PATH_MAX + 256];
	unsigned links = 0;

	snprintf(cur, sizeof(cur), "%s", "");
	if (snprintf(rest, sizeof(rest), "%s", path) >= (int)sizeof(rest))
		return -ENAMETOOLONG;
	char *r = rest;
	for (;;) {
		while (*r == '/')
			r++;
		if (!*r)
			break;
		size_t len = strcspn(r, "/");
		char comp[NAME_MAX + 1];
		if (len > NAME_MAX)
			return -ENAMETOOLONG;
		memcpy(comp, r, len);
		comp[len] = '\0';
		r += len;
		if (!strcmp(comp, "."))
			continue;
		if (!strcmp(comp, "..")) {
			char *s = strrchr(cur, '/');
			if (s)
				*s = '\0';
			continue;
		}
		size_t cl = strlen(cur);
		if (cl + len + 2 > sizeof(cur))
			return -ENAMETOOLONG;
		cur[cl] = '/';
		memcpy(cur + cl + 1, comp, len + 1);
		struct stat st;
		if (host_path(c, cur, host, sizeof(host)) < 0)
			return -ENAMETOOLONG;
		if (lstat(host, &st) < 0) {
			snprintf(out, size, "%s%s", cur, r);
			return -ENOENT;
		}
		if (!S_ISLNK(st.st_mode))
			continue;
		char target[PATH_MAX], next[PATH_MAX];
		ssize_t n = readlink(host, target, sizeof(target) - 1);
		if (n < 0 || ++links > MAX_LINKS)
			return -ELOOP;
		target[n] = '\0';
		cur[cl] = '\0'; /* drop the link itself; a relative target is relative to its dir */
		while (*r == '/')
			r++; /* one separator below, or a missing path reads "usr/lib64//x" */
		if (snprintf(next, sizeof(next), "%s%s%s", target, *r ? "/" : "", r) >=
		    (int)sizeof(next))
			return -ENAMETOOLONG;
		if (target[0] == '/')
			cur[0] = '\0';
		memcpy(rest, next, strlen(next) + 1);
		r = rest;
	}
	snprintf(out, size, "%s", cur[0] ? cur : "/");
	return 0;
}

/* The first package (recipe order: by name) whose data has exactly this path. */
static int provider(const struct cl *c, const char *path)
{
	for (size_t i = 0; i < c->npkgs; i++) {
		const struct deb_entry *d = deb_index_find(c->pkgs[i].idx, path);
		if (d && d->type != 'd' && d->type != '?')
			return (int)i;
	}
	return -1;
}

static int add_need(struct cl *c, const char *path, const char *lib, const char *dirs,
                    const char *reason)
{
	struct need *nv = realloc(c->needs, (c->nneeds + 1) * sizeof(*nv));
	if (!nv)
		return -ENOMEM;
	c->needs = nv;
	struct need *n = &c->needs[c->nneeds];
	n->path = path ? strdup(path) : NULL;
	n->lib = lib ? strdup(lib) : NULL;
	n->dirs = dirs ? strdup(dirs) : NULL;
	n->reason = strdup(reason);
	n->soft = false;
	c->nneeds++;
	return n->reason && (!path || n->path) && (!lib || n->lib) && (!dirs || n->dirs) ? 0
	                                                                                 : -ENOMEM;
}

static void need_free(struct need *n)
{
	free(n->path);
	free(n->lib);
	free(n->dirs);
	free(n->reason);
}

/* The binary's own search list: RPATH only without RUNPATH; $ORIGIN is its directory. */
static int own_dirs(const char *bin, const struct elf_deps *d, char *buf, size_t size)
{
	const char *list = d->runpath ? d->runpath : d->rpath;
	char origin[PATH_MAX];
	size_t n = 0;

	buf[0] = '\0';
	if (!list)
		return 0;
	snprintf(origin, sizeof(origin), "%s", bin);
	char *slash = strrchr(origin, '/');
	*(slash == origin ? slash + 1 : slash) = '\0';
	for (const char *p = list; *p; p++) {
		const char *ins = NULL;
		size_t skip = 0;
		if (!strncmp(p, "$ORIGIN", 7))
			ins = origin, skip = 7;
		else if (!strncmp(p, "${ORIGIN}", 9))
			ins = origin, skip = 9;
		if (ins) {
			size_t l = strlen(ins);
			if (n + l + 1 >= size)
				return -ENAMETOOLONG;
			memcpy(buf + n, ins, l);
			n += l;
			p += skip - 1;
		} else {
			if (n + 2 >= size)
				return -ENAMETOOLONG;
			buf[n++] = *p;
		}
	}
	buf[n] = '\0';
	return 0;
}

/* Reads one ELF file of the stage and adds its needs. */
static int scan(struct cl *c, const char *path)
{
	char host[PATH_MAX + 256], reason[PATH_MAX + 64], dirs[PATH_MAX];
	struct elf_deps d;
	int r;

	if (host_path(c, path, host, sizeof(host)) < 0)
		return -ENAMETOOLONG;
	r = elf_deps_read(host, &d);
	if (r < 0) {
		snprintf(c->why, c->why_size, "%s: unreadable ELF (%s)", path, strerror(-r));
		return r;
	}
	if (d.interp) {
		snprintf(reason, sizeof(reason), "interpreter of %s", path);
		r = add_need(c, d.interp, NULL, NULL, reason);
	}
	if (r == 0)
		r = own_dirs(path, &d, dirs, sizeof(dirs));
	for (size_t i = 0; r == 0 && i < d.nneeded; i++) {
		snprintf(reason, sizeof(reason), "needed by %s (%s)", path, d.needed[i]);
		if (strchr(d.needed[i], '/'))
			r = d.needed[i][0] == '/' ? add_need(c, d.needed[i], NULL, NULL, reason)
			                          : 0;
		else if (strcmp(d.needed[i], LOADER_NAME) == 0)
			/* The loader is mapped before any library: ld.so matches it by soname. */
			r = add_need(c, LOADER_PATH, NULL, NULL, reason);
		else
			r = add_need(c, NULL, d.needed[i], dirs, reason);
	}
	elf_deps_free(&d);
	return r;
}

static int search(struct cl *c, struct need *n)
{
	char cand[PATH_MAX], out[PATH_MAX], list[PATH_MAX * 2];
	struct strv order = {0};
	int r = 0, best = -1;

	/* The binary's own list, then ld.so.conf and the defaults. */
	snprintf(list, sizeof(list), "%s", n->dirs ? n->dirs : "");
	for (char *save = NULL, *t = strtok_r(list, ":", &save); t && r == 0;
	     t = strtok_r(NULL, ":", &save))
		r = strv_has(&order, t) ? 0 : strv_add(&order, t);
	for (size_t i = 0; i < c->dirs.n && r == 0; i++)
		r = strv_has(&order, c->dirs.v[i]) ? 0 : strv_add(&order, c->dirs.v[i]);
	for (size_t i = 0; i < order.n && r == 0; i++) {
		snprintf(cand, sizeof(cand), "%s/%s", order.v[i], n->lib);
		if (resolve(c, cand, out, sizeof(out)) == 0) {
			best = (int)i;
			break;
		}
	}
	for (size_t i = 0; best < 0 && i < order.n && r == 0; i++) {
		snprintf(cand, sizeof(cand), "%s/%s", order.v[i], n->lib);
		if (resolve(c, cand, out, sizeof(out)) == -ENOENT && provider(c, out) >= 0)
			best = (int)i;
	}
	if (r == 0 && best < 0) {
		size_t len = 0;
		len = (size_t)snprintf(c->why, c->why_size,
		                       "%s %s: not in the image and no package of the recipe "
		                       "provides it (searched",
		                       n->lib, n->reason);
		for (size_t i = 0; i < order.n && len < c->why_size; i++)
			len += (size_t)snprintf(c->why + len, c->why_size - len, " %s", order.v[i]);
		if (len < c->why_size)
			snprintf(c->why + len, c->why_size - len, ")");
		r = -ENOENT;
	}
	if (r == 0) {
		snprintf(cand, sizeof(cand), "%s/%s", order.v[best], n->lib);
		free(n->path);
		r = (n->path = strdup(cand)) ? 0 : -ENOMEM;
	}
	strv_free(&order);
	return r;
}

/* One need: 1 when done, 0 when an extraction is pending, <0 on error. */
static int settle(struct cl *c, struct need *n)
{
	char out[PATH_MAX];
	int r;

	if (!n->path && (r = search(c, n)) < 0)
		return r;
	r = resolve(c, n->path, out, sizeof(out));
	if (r == 0)
		return 1;
	if (r != -ENOENT) {
		snprintf(c->why, c->why_size, "%s %s: %s", n->path, n->reason, strerror(-r));
		return r;
	}
	int p = provider(c, out);
	if (p < 0) {
		if (n->soft)
			return 1; /* a dangling link a slice kept (e.g. to /proc) is the recipe's
			             call */
		snprintf(c->why, c->why_size,
		         "%s %s: not in the image and no package of the recipe provides %s",
		         n->path, n->reason, out);
		return -ENOENT;
	}
	if (!strv_has(&c->want[p], out) && ((r = strv_add(&c->want[p], out)) < 0 ||
	                                    (r = strv_add(&c->want_reasons[p], n->reason)) < 0))
		return r;
	return 0;
}

static bool want_path(const char *path, void *userdata)
{
	return strv_has(userdata, path);
}

/* The image's /etc/ld.so.conf and its includes, then the defaults. */
static int conf_dirs(struct cl *c, const char *conf, unsigned depth)
{
	char host[PATH_MAX + 256], line[1024];
	FILE *f;
	int r = 0;

	if (depth > 8 || host_path(c, conf, host, sizeof(host)) < 0)
		return 0;
	if (!(f = fopen(host, "re")))
		return 0;
	while (r == 0 && fgets(line, sizeof(line), f)) {
		char *h = strchr(line, '#');
		if (h)
			*h = '\0';
		char *s = line + strspn(line, " \t");
		s[strcspn(s, " \t\r\n")] = '\0';
		if (!strcmp(s, "include")) {
			char *pat = s + strlen(s) + 1;
			pat += strspn(pat, " \t");
			pat[strcspn(pat, " \t\r\n")] = '\0';
			char full[PATH_MAX + 256];
			glob_t g;
			/* Relative patterns are relative to the including file's directory. */
			if (pat[0] == '/')
				snprintf(full, sizeof(full), "%s%s", c->stage, pat);
			else
				snprintf(full, sizeof(full), "%s%.*s/%s", c->stage,
				         (int)(strrchr(conf, '/') - conf), conf, pat);
			if (glob(full, 0, NULL, &g) == 0) { /* glob sorts */
				for (size_t i = 0; i < g.gl_pathc && r == 0; i++)
					r = conf_dirs(c, g.gl_pathv[i] + strlen(c->stage),
					              depth + 1);
				globfree(&g);
			}
		} else if (s[0] == '/' && strncmp(s, "hwcap", 5) != 0) {
			r = strv_has(&c->dirs, s) ? 0 : strv_add(&c->dirs, s);
		}
	}
	fclose(f);
	return r;
}

struct stage_lists {
	size_t skip;
	struct strv *files, *links;
};

static int walk_entry(const char *path, const struct stat *st, void *userdata)
{
	struct stage_lists *w = userdata;
	const char *img = path + w->skip;
	if (S_ISLNK(st->st_mode))
		return strv_add(w->links, img) < 0 ? -ENOMEM : 0;
	if (S_ISREG(st->st_mode))
		return strv_add(w->files, img) < 0 ? -ENOMEM : 0;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every regular file and symlink in the stage, sorted. */
static int walk_stage(struct cl *c, struct strv *files, struct strv *links)
{
	struct stage_lists w = {strlen(c->stage), files, links};

	memset(files, 0, sizeof(*files));
	memset(links, 0, sizeof(*links));
	int r = tree_walk(c->stage, 0, walk_entry, &w) < 0 ? -ENOMEM : 0;
	if (files->n)
		qsort(files->v, files->n, sizeof(char *), cmp_str);
	if (links->n)
		qsort(links->v, links->n, sizeof(char *), cmp_str);
	return r;
}

/* Extracts this round's additions, one pass per package; new files are scanned. */
static int extract_round(struct cl *c, unsigned *extracted)
{
	int r = 0;

	*extracted = 0;
	for (size_t i = 0; i < c->npkgs && r == 0; i++) {
		struct strv *w = &c->want[i];
		if (!w->n)
			continue;
		r = deb_extract(c->pkgs[i].deb, c->pkgs[i].idx, c->stage, want_path, w, c->why,
		                c->why_size);
		for (size_t j = 0; j < w->n && r == 0; j++) {
			char reason[PATH_MAX + 128], host[PATH_MAX + 256];
			struct stat st;
			snprintf(reason, sizeof(reason), "closure: %s", c->want_reasons[i].v[j]);
			r = origins_add(c->o, w->v[j], c->pkgs[i].name, reason);
			(*extracted)++;
			c->added++;
			if (r == 0 && host_path(c, w->v[j], host, sizeof(host)) == 0 &&
			    lstat(host, &st) == 0 && S_ISREG(st.st_mode))
				r = scan(c, w->v[j]);
		}
		strv_free(w);
		strv_free(&c->want_reasons[i]);
	}
	return r;
}

/* Drops every need the stage now meets; the first error stops the settling, not the sweep. */
static int settle_all(struct cl *c)
{
	size_t kept = 0;
	int err = 0;

	for (size_t i = 0; i < c->nneeds; i++) {
		int s = err ? 0 : settle(c, &c->needs[i]);
		if (s < 0)
			err = s;
		if (s == 1)
			need_free(&c->needs[i]);
		else
			c->needs[kept++] = c->needs[i];
	}
	c->nneeds = kept;
	return err;
}

int elf_closure(const char *stage_dir, const struct closure_pkg *pkgs, size_t npkgs,
                struct origins *origins, unsigned *added, char *why, size_t why_size)
{
	struct cl c = {.stage = stage_dir,
	               .pkgs = pkgs,
	               .npkgs = npkgs,
	               .o = origins,
	               .why = why,
	               .why_size = why_size};
	struct strv files = {0}, links = {0};
	int r;

	c.want = calloc(npkgs + 1, sizeof(*c.want));
	c.want_reasons = calloc(npkgs + 1, sizeof(*c.want_reasons));
	if (!c.want || !c.want_reasons) {
		r = -ENOMEM;
		goto out;
	}
	r = conf_dirs(&c, "/etc/ld.so.conf", 0);
	for (const char *const *d = elfclosure_default_dirs; *d && r == 0; d++)
		r = strv_has(&c.dirs, *d) ? 0 : strv_add(&c.dirs, *d);
	if (r == 0)
		r = walk_stage(&c, &files, &links);
	for (size_t i = 0; i < files.n && r == 0; i++)
		r = scan(&c, files.v[i]);
	for (size_t i = 0; i < links.n && r == 0; i++) {
		char reason[PATH_MAX + 32];
		snprintf(reason, sizeof(reason), "target of the kept symlink %s", links.v[i]);
		r = add_need(&c, links.v[i], NULL, NULL, reason);
		if (r == 0)
			c.needs[c.nneeds - 1].soft = true;
	}
	for (unsigned round = 0; r == 0; round++) {
		unsigned extracted;
		if ((r = settle_all(&c)) < 0 || c.nneeds == 0)
			break;
		if (round == MAX_ROUNDS) {
			snprintf(why, why_size, "ELF closure: no end after %d rounds (%s %s)",
			         MAX_ROUNDS, c.needs[0].path, c.needs[0].reason);
			r = -ELOOP;
			break;
		}
		r = extract_round(&c, &extracted);
		if (r == 0 && extracted == 0) {
			snprintf(why, why_size, "ELF closure: %s %s cannot be completed",
			         c.needs[0].path, c.needs[0].reason);
			r = -ENOENT;
		}
	}
out:
	for (size_t i = 0; i < c.nneeds; i++)
		need_free(&c.needs[i]);
	free(c.needs);
	for (size_t i = 0; c.want && i < npkgs; i++) {
		strv_free(&c.want[i]);
		strv_free(&c.want_reasons[i]);
	}
	free(c.want);
	free(c.want_reasons);
	strv_free(&c.dirs);
	strv_free(&files);
	strv_free(&links);
	if (added)
		*added = c.added;
	return r < 0 ? r : 0;
}
