/* SPDX-License-Identifier: Apache-2.0 */
/* The first half of the pipeline: from the lock to a complete, normalised root tree. */
#include "rootfs/pipeline/build.h"
#include "rootfs/tree/mkosi.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "init/base/cmdfiles.h"
#include "measurement/kata/toml_read.h"
#include "modules/modules.h"
#include "rootfs/deb/apt.h"
#include "rootfs/tree/elfclosure.h"
#include "rootfs/lib/fsutil.h"
#include "rootfs/lib/staged.h"
#include "modules/host/stage.h"
#include "rootfs/tree/normalise.h"
#include "rootfs/image/sbom.h"
#include "rootfs/lib/stagefs.h"

void build_init(struct build *b)
{
	memset(b, 0, sizeof(*b));
}

void build_free(struct build *b)
{
	for (size_t i = 0; i < b->npkgs; i++)
		deb_index_free(b->pkgs[i].idx);
	free(b->pkgs);
	deb_index_free(b->kernel_pkg.idx);
	origins_free(&b->origins);
	sbom_files_free(&b->files);
	fetch_done(&b->fetcher);
	lock_free(b->lock);
	for (size_t i = 0; i < b->nlaunches; i++)
		json_object_put(b->launches[i].values);
	free(b->launches);
	for (size_t i = 0; i < b->ngpu_rim_paths; i++)
		free(b->gpu_rim_paths[i]);
	free(b->gpu_rim_paths);
	gpu_rim_set_free(&b->gpu_rims);
	if (b->stage[0] && !b->keep_stage)
		(void)remove_tree(b->stage);
	staged_dir_abort(&b->out);
	kata_toml_free(b->kata_toml);
	recipe_free(b->recipe);
}

int build_lock_check(struct build *b)
{
	int r = lock_read(b->lock_path, &b->lock, b->why, sizeof(b->why));

	if (r == 0)
		r = lock_check(b->recipe, b->lock, b->why, sizeof(b->why));
	return r;
}

int build_fetch(struct build *b)
{
	const struct lock_entry **pins = calloc(b->recipe->npackages + 2, sizeof(*pins));
	char(*paths)[PATH_MAX] = calloc(b->recipe->npackages + 2, sizeof(*paths));
	size_t n = 0;
	int r = 0;

	b->fetcher.recipe = b->recipe;
	b->fetcher.quiet = b->quiet;
	b->pkgs = calloc(b->recipe->npackages + 1, sizeof(*b->pkgs));
	if (!b->pkgs || !pins || !paths) {
		free(pins);
		free(paths);
		return -ENOMEM;
	}
	for (size_t i = 0; i < b->recipe->npackages; i++) {
		struct build_pkg *p = &b->pkgs[b->npkgs++];
		p->pin = pins[n++] = lock_find(b->lock, b->recipe->packages[i].name);
		apt_file_url(b->recipe, p->pin->filename, p->url, sizeof(p->url));
	}
	if (b->lock->kernel_pkg[0]) {
		struct build_pkg *k = &b->kernel_pkg;
		k->pin = lock_find(b->lock, b->lock->kernel_pkg);
		if (!k->pin) {
			snprintf(b->why, sizeof(b->why),
			         "the lock names kernel %s but does not pin it",
			         b->lock->kernel_pkg);
			r = -ESTALE;
		} else {
			pins[n++] = k->pin;
			apt_file_url(b->recipe, k->pin->filename, k->url, sizeof(k->url));
		}
	}
	if (r == 0)
		r = fetch_debs(&b->fetcher, pins, n, paths, b->why, sizeof(b->why));
	for (size_t i = 0; i < n && r == 0; i++) {
		struct build_pkg *p = i < b->npkgs ? &b->pkgs[i] : &b->kernel_pkg;
		snprintf(p->deb, sizeof(p->deb), "%s", paths[i]);
	}
	free(pins);
	free(paths);
	return r;
}

struct wanted {
	char **v;
	size_t n;
};

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool want_sorted(const char *path, void *userdata)
{
	const struct wanted *w = userdata;
	return w->n && bsearch(&path, w->v, w->n, sizeof(char *), cmp_str);
}

/* Which of a package's paths its slices keep, recorded with the slice that keeps them. */
static int select_paths(struct build *b, const struct recipe_package *rp, struct build_pkg *p,
                        struct wanted *w)
{
	char reason[300];
	int r = 0;

	w->v = calloc(p->idx->n + 1, sizeof(char *));
	if (!w->v)
		return -ENOMEM;
	for (size_t s = 0; s < rp->nslices; s++) {
		const struct recipe_slice *sl = &rp->slices[s];
		snprintf(reason, sizeof(reason), "slice %s_%s", rp->name, sl->name);
		for (size_t g = 0; g < sl->nglobs; g++) {
			bool hit = false;
			for (size_t i = 0; i < p->idx->n && r == 0; i++) {
				if (!recipe_glob_match(sl->globs[g], p->idx->e[i].path))
					continue;
				hit = true;
				if (!origins_find(&b->origins, p->idx->e[i].path))
					w->v[w->n++] = p->idx->e[i].path;
				r = origins_add(&b->origins, p->idx->e[i].path, rp->name, reason);
			}
			if (r == 0 && !hit) {
				snprintf(b->why, sizeof(b->why),
				         "%s:%u: slice %s_%s: '%s' matches nothing in %s %s",
				         b->recipe->file, sl->lines[g], rp->name, sl->name,
				         sl->globs[g], rp->name, p->pin->version);
				return -ENOENT;
			}
		}
	}
	if (w->n)
		qsort(w->v, w->n, sizeof(char *), cmp_str);
	return r;
}

static void tree_added(const char *path, void *userdata)
{
	struct build *b = userdata;
	(void)origins_add(&b->origins, path, NULL, "tree");
}

/* The recipe's tree (a mkosi Format=directory output), normalised, under everything else. */
static int import_tree(struct build *b)
{
	const struct recipe *rc = b->recipe;
	struct mkosi_stats st = {0};
	int r = mkosi_tree_import(rc->tree.source, b->stage, (const char *const *)rc->tree.exclude,
	                          rc->tree.nexclude, tree_added, b, &st, b->why, sizeof(b->why));
	if (r == 0 && !b->quiet)
		fprintf(stderr,
		        "ccimage build: tree %s: %u files, %u dropped, %u packages listed\n",
		        rc->tree.source, st.files, st.dropped, st.packages);
	return r;
}

int build_slices(struct build *b)
{
	int r = 0;

	if (mkdir(b->stage, 0755) < 0 || chmod(b->stage, 0755) < 0) {
		r = -errno;
		snprintf(b->why, sizeof(b->why), "creating %s: %s", b->stage, strerror(errno));
		return r;
	}
	if (b->recipe->tree.source && (r = import_tree(b)) < 0)
		return r;
	for (size_t i = 0; i < b->npkgs && r == 0; i++) {
		struct build_pkg *p = &b->pkgs[i];
		struct wanted w = {0};
		r = deb_index_read(p->deb, &p->idx, b->why, sizeof(b->why));
		if (r == 0 && strcmp(p->idx->package, p->pin->name) != 0) {
			snprintf(b->why, sizeof(b->why), "%s holds package %s, not %s", p->deb,
			         p->idx->package, p->pin->name);
			r = -EBADMSG;
		}
		if (r == 0)
			r = select_paths(b, &b->recipe->packages[i], p, &w);
		if (r == 0 && w.n)
			r = deb_extract(p->deb, p->idx, b->stage, want_sorted, &w, b->why,
			                sizeof(b->why));
		free(w.v);
	}
	return r;
}

/* Copies f's source; *named when the error (in b->why) is about the source itself. */
static int copy_source(struct build *b, int rootfd, const struct recipe_file *f, bool *named)
{
	char reason[256];
	struct stat st;
	int in = open_input_file(f->source, BUILD_LOCAL_FILE_MAX, f->follow, &st, reason,
	                         sizeof(reason));
	int r = in < 0 ? in : stagefs_copy_in(rootfd, f->path, in, BUILD_LOCAL_FILE_MAX, f->mode);

	if (in >= 0)
		close(in);
	*named = in < 0 || r == -EFBIG;
	if (in == -ENOENT)
		snprintf(reason, sizeof(reason), "does not exist");
	if (*named)
		snprintf(b->why, sizeof(b->why), "%s:%u: %s: source %s: %s", b->recipe->file,
		         f->line, f->path, f->source,
		         r == -EFBIG ? "grew past its size while copied" : reason);
	return r == -EFBIG ? -EINVAL : r;
}

static int local_file(struct build *b, int rootfd, const struct recipe_file *f)
{
	char reason[300];
	bool named = false;
	int r;

	if (f->source)
		r = copy_source(b, rootfd, f, &named);
	else
		r = stagefs_write(rootfd, f->path, f->text, f->text_len, f->mode);
	if (r < 0) {
		if (named)
			return r;
		const struct origin *o = origins_find(&b->origins, f->path);
		snprintf(b->why, sizeof(b->why), "%s:%u: %s: %s%s%s", b->recipe->file, f->line,
		         f->path, r == -EEXIST ? "already in the root" : strerror(-r),
		         o ? ", from " : "", o ? o->reason : "");
		return r;
	}
	/* No line number: the SBOM carries reasons and must not change when a recipe is reflowed.
	 */
	snprintf(reason, sizeof(reason), "local file (%s)",
	         f->source ? "recipe files: source" : "recipe files: text");
	return origins_add(&b->origins, f->path, NULL, reason);
}

int build_local_files(struct build *b)
{
	const struct recipe *rc = b->recipe;
	int rootfd = open(b->stage, O_RDONLY | O_DIRECTORY | O_CLOEXEC), r = 0;

	if (rootfd < 0)
		return -errno;
	for (size_t i = 0; i < rc->nfiles && r == 0; i++)
		r = local_file(b, rootfd, &rc->files[i]);
	for (size_t i = 0; i < rc->ndirs && r == 0; i++) {
		r = stagefs_mkdir(rootfd, rc->dirs[i].path, rc->dirs[i].mode, NULL, NULL);
		if (r == 0)
			r = origins_add(&b->origins, rc->dirs[i].path, NULL, "recipe directory");
		else
			snprintf(b->why, sizeof(b->why), "directory %s: %s", rc->dirs[i].path,
			         r == -EEXIST ? "a non-directory is there" : strerror(-r));
	}
	for (size_t i = 0; i < rc->nsymlinks && r == 0; i++) {
		r = stagefs_symlink(rootfd, rc->symlinks[i].path, rc->symlinks[i].target, NULL,
		                    NULL);
		if (r == 0)
			r = origins_add(&b->origins, rc->symlinks[i].path, NULL, "recipe symlink");
		else
			snprintf(b->why, sizeof(b->why), "symlink %s: %s", rc->symlinks[i].path,
			         r == -EEXIST ? "something else is there" : strerror(-r));
	}
	close(rootfd);
	return r;
}

bool build_package_has_files(const struct build *b, const char *name)
{
	for (size_t i = 0; i < b->origins.n; i++)
		if (b->origins.v[i].package && strcmp(b->origins.v[i].package, name) == 0)
			return true;
	return false;
}

/*
 * The copyright file of every package that put something in the image (after
 * the closure, which may be the only reason a package is there).
 */
static int add_copyright(struct build *b, struct build_pkg *p, const struct recipe_package *rp)
{
	char path[PATH_MAX];
	const char *one[1] = {path};
	struct wanted w = {(char **)one, 1};
	int r;

	snprintf(path, sizeof(path), "/usr/share/doc/%s/copyright", rp->name);
	const struct deb_entry *c = deb_index_find(p->idx, path);
	if (!rp->copyright || !c || c->type != 'f' || origins_find(&b->origins, path) ||
	    !build_package_has_files(b, rp->name))
		return 0;
	r = deb_extract(p->deb, p->idx, b->stage, want_sorted, &w, b->why, sizeof(b->why));
	return r < 0 ? r : origins_add(&b->origins, path, rp->name, "copyright (kept by default)");
}

int build_closure(struct build *b)
{
	struct closure_pkg *cp = calloc(b->npkgs + 1, sizeof(*cp));
	int r;

	if (!cp)
		return -ENOMEM;
	for (size_t i = 0; i < b->npkgs; i++)
		cp[i] = (struct closure_pkg){b->pkgs[i].pin->name, b->pkgs[i].deb, b->pkgs[i].idx};
	r = elf_closure(b->stage, cp, b->npkgs, &b->origins, &b->closure_added, b->why,
	                sizeof(b->why));
	free(cp);
	for (size_t i = 0; i < b->npkgs && r == 0; i++)
		r = add_copyright(b, &b->pkgs[i], &b->recipe->packages[i]);
	return r;
}

int build_normalise(struct build *b)
{
	int r = 0;

	if (b->recipe->image.dpkg_status) {
		struct sbom_pkg *sp = calloc(b->npkgs + 2, sizeof(*sp));
		size_t n = 0;
		if (!sp)
			return -ENOMEM;
		for (size_t i = 0; i < b->npkgs; i++)
			sp[n++] = (struct sbom_pkg){b->pkgs[i].pin->name, b->pkgs[i].pin->version,
			                            b->pkgs[i].pin->arch, b->pkgs[i].pin->sha256,
			                            b->pkgs[i].url,       b->pkgs[i].idx};
		if (b->kernel_pkg.idx && b->kernel_pkg.idx->control)
			sp[n++] = (struct sbom_pkg){
			        b->kernel_pkg.pin->name, b->kernel_pkg.pin->version,
			        b->kernel_pkg.pin->arch, b->kernel_pkg.pin->sha256,
			        b->kernel_pkg.url,       b->kernel_pkg.idx};
		r = sbom_dpkg_status(b->stage, sp, n, &b->origins, b->why, sizeof(b->why));
		free(sp);
	}
	if (r == 0 && b->recipe->image.ld_cache) {
		r = normalise_ld_cache(b->stage, &b->ld_cache, b->why, sizeof(b->why));
		if (r == 0 && b->ld_cache)
			r = origins_add(&b->origins, "/etc/ld.so.cache", NULL,
			                "loader cache (ldconfig -X -r)");
	}
	if (r == 0)
		r = normalise_times(b->stage, b->epoch, b->why, sizeof(b->why));
	return r;
}
