/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The recipe reader: a libyaml document walked against the key table
 * (recipe_keys.c); here the handlers of the keys that need more than their
 * type. Values are copied out as they are checked, so a struct recipe never
 * points into the YAML document.
 */
#include "rootfs/recipe/recipe.h"

#include "init/base/cmdfiles.h"
#include "init/base/fileio.h"
#include "init/base/why.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <yaml.h>

#include "rootfs/recipe/recipe_keys.h"
#include "rootfs/recipe/recipe_yaml.h"

/* The count of a list row k: where .count says in base. */
static size_t *count_of(void *base, const struct rkey *k)
{
	return (size_t *)((char *)base + k->count);
}

int rk_variables(struct yctx *c, yaml_node_t *n, void *base, const struct rkey *k)
{
	(void)base, (void)k;
	return y_variables(c, n);
}

void rk_free_variables(void *base, const struct rkey *k)
{
	struct recipe *r = base;

	(void)k;
	for (size_t i = 0; i < r->nvars; i++) {
		free(r->vars[i].name);
		free(r->vars[i].value);
	}
	free(r->vars);
}

int rk_check_components(struct yctx *c, yaml_node_t *v, void *base, const struct rkey *k)
{
	struct recipe *rc = base;

	(void)k;
	for (size_t i = 0; i < rc->debian.ncomponents; i++)
		if (!y_is_name(rc->debian.components[i]))
			return y_err(c, v, "debian: component '%s' is not a plain name",
			             rc->debian.components[i]);
	return 0;
}

int rk_check_mirror(struct yctx *c, yaml_node_t *v, void *base, const struct rkey *k)
{
	const char *u = *(char **)rkey_field(base, k);

	if (strncmp(u, "http://", 7) != 0 && strncmp(u, "https://", 8) != 0 &&
	    strncmp(u, "file:/", 6) != 0)
		return y_err(c, v, "debian: mirror '%s' is not an http(s) or file URL", u);
	return 0;
}

int rk_check_snapshot(struct yctx *c, yaml_node_t *v, void *base, const struct rkey *k)
{
	const char *s = ((struct recipe *)base)->debian.snapshot;
	bool ok = strlen(s) == 16 && s[8] == 'T' && s[15] == 'Z';

	(void)k;
	for (int i = 0; ok && i < 15; i++)
		ok = i == 8 || (s[i] >= '0' && s[i] <= '9');
	if (!ok)
		return y_err(c, v, "debian: snapshot '%s' is not YYYYMMDDTHHMMSSZ", s);
	return 0;
}

/* debian.architecture and image.filesystem: the default is the only value supported now. */
int rk_check_only(struct yctx *c, yaml_node_t *v, void *base, const struct rkey *k)
{
	const char *s = *(char **)rkey_field(base, k), *key = strrchr(k->path, '.') + 1;

	if (strcmp(s, k->def) != 0)
		return y_err(c, v, "%.*s: %s '%s' is not supported (only %s)",
		             (int)(key - k->path - 1), k->path, key, s, k->def);
	return 0;
}

static bool slice_name_ok(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-'))
			return false;
	return true;
}

/* One slice: its name, and globs that are image paths, each with its line. */
static int parse_slice(struct yctx *c, yaml_node_t *sk, yaml_node_t *sv,
                       const struct recipe_package *p, struct recipe_slice *s)
{
	int r;

	if ((r = y_str(c, sk, &s->name)) < 0)
		return r;
	if (!slice_name_ok(s->name))
		return y_err(c, sk, "slice name '%s' is not [a-z0-9-]+", s->name);
	if ((r = y_strlist(c, sv, &s->globs, &s->nglobs)) < 0)
		return r;
	s->lines = calloc(s->nglobs ? s->nglobs : 1, sizeof(unsigned));
	if (!s->lines)
		return -ENOMEM;
	for (size_t i = 0; i < s->nglobs; i++) {
		yaml_node_t *item =
		        yaml_document_get_node(c->doc, sv->data.sequence.items.start[i]);
		s->lines[i] = (unsigned)item->start_mark.line + 1;
		if (!recipe_path_ok(s->globs[i]))
			return y_err(c, item, "slice %s_%s: '%s' is not an absolute path", p->name,
			             s->name, s->globs[i]);
	}
	return 0;
}

int rk_slices(struct yctx *c, yaml_node_t *v, void *base, const struct rkey *k)
{
	struct recipe_package *p = base;
	int r;

	(void)k;
	if ((r = y_mapping_array(c, v,
	                         "slices: expected a mapping of slice name to a list of paths",
	                         sizeof(*p->slices), (void **)&p->slices)) < 0)
		return r;
	for (yaml_node_pair_t *pr = v->data.mapping.pairs.start; pr < v->data.mapping.pairs.top;
	     pr++)
		if ((r = parse_slice(c, yaml_document_get_node(c->doc, pr->key),
		                     yaml_document_get_node(c->doc, pr->value), p,
		                     &p->slices[p->nslices++])) < 0)
			return r;
	return 0;
}

void rk_free_slices(void *base, const struct rkey *k)
{
	struct recipe_package *p = base;

	(void)k;
	for (size_t j = 0; p->slices && j < p->nslices; j++) {
		free(p->slices[j].name);
		rk_free_list(p->slices[j].globs, p->slices[j].nglobs);
		free(p->slices[j].lines);
	}
	free(p->slices);
}

static int cmp_package(const void *a, const void *b)
{
	return strcmp(((const struct recipe_package *)a)->name,
	              ((const struct recipe_package *)b)->name);
}

/* packages: name -> the packages.* rows. */
int rk_packages(struct yctx *c, yaml_node_t *n, void *base, const struct rkey *k)
{
	struct recipe *rc = base;
	int r;

	(void)k;
	if ((r = y_mapping_array(c, n, "packages: expected a mapping of package name to slices",
	                         sizeof(*rc->packages), (void **)&rc->packages)) < 0)
		return r;
	for (yaml_node_pair_t *pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top;
	     pr++) {
		yaml_node_t *key = yaml_document_get_node(c->doc, pr->key);
		struct recipe_package *p = &rc->packages[rc->npackages++];
		p->line = (unsigned)key->start_mark.line + 1;
		if ((r = y_name(c, key, &p->name)) < 0 ||
		    (r = rkey_map(c, yaml_document_get_node(c->doc, pr->value), "packages.*",
		                  p->name, p)) < 0)
			return r;
	}
	if (rc->npackages && !rc->has_debian)
		return y_err(c, n, "packages need a 'debian' section saying where they come from");
	if (rc->npackages)
		qsort(rc->packages, rc->npackages, sizeof(*rc->packages), cmp_package);
	return 0;
}

void rk_free_packages(void *base, const struct rkey *k)
{
	struct recipe *r = base;

	(void)k;
	for (size_t i = 0; r->packages && i < r->npackages; i++) {
		rkey_free("packages.*", &r->packages[i]);
		free(r->packages[i].name);
	}
	free(r->packages);
}

/* Each entry's keys are the table's files.* rows (recipe_keys.c); the rules across them here. */
static int read_files(struct yctx *c, yaml_node_t *n, struct recipe_file **out, size_t *count)
{
	int r = y_mapping_array(c, n, "expected a mapping of image path to {source|text, mode}",
	                        sizeof(**out), (void **)out);

	for (yaml_node_pair_t *p = n->data.mapping.pairs.start;
	     r == 0 && p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(c->doc, p->key);
		yaml_node_t *v = yaml_document_get_node(c->doc, p->value), *m;
		struct recipe_file *f = &(*out)[*count];

		f->line = (unsigned)k->start_mark.line + 1;
		if ((r = y_image_path_key(c, k, *out, sizeof(*f), (*count)++, &f->path)) < 0 ||
		    (r = rkey_map(c, v, "files.*", f->path, f)) < 0)
			return r;
		if (!!f->source == !!f->text)
			return y_err(c, v, "%s: exactly one of 'source' and 'text'", f->path);
		if (f->text)
			f->text_len = strlen(f->text);
		if ((m = y_get(c, v, "follow")) && f->text)
			return y_err(c, m, "%s: 'follow' goes with 'source'", f->path);
	}
	return r;
}

int rk_files(struct yctx *c, yaml_node_t *n, void *base, const struct rkey *k)
{
	return read_files(c, n, rkey_field(base, k), count_of(base, k));
}

void rk_free_files(void *base, const struct rkey *k)
{
	struct recipe_file *f = *(struct recipe_file **)rkey_field(base, k);

	for (size_t i = 0; f && i < *count_of(base, k); i++) {
		rkey_free("files.*", &f[i]);
		free(f[i].path);
	}
	free(f);
}

/* directories (path -> mode) and symlinks (path -> target). */
int rk_entries(struct yctx *c, yaml_node_t *n, void *base, const struct rkey *k)
{
	return y_entries(c, n, strcmp(k->path, "symlinks") == 0, rkey_field(base, k),
	                 count_of(base, k));
}

void rk_free_entries(void *base, const struct rkey *k)
{
	struct recipe_entry *e = *(struct recipe_entry **)rkey_field(base, k);

	for (size_t i = 0; e && i < *count_of(base, k); i++) {
		free(e[i].path);
		free(e[i].target);
	}
	free(e);
}

int rk_check_kernel(struct yctx *c, yaml_node_t *n, void *base, const struct rkey *k)
{
	struct recipe *rc = base;

	(void)k;
	if (!!rc->kernel.package + !!rc->kernel.root + rc->kernel.build != 1)
		return y_err(c, n,
		             "kernel: exactly one of 'package', 'root' and 'build' is required");
	if (rc->kernel.package && !y_is_name(rc->kernel.package))
		return y_err(c, y_get(c, n, "package"), "kernel: '%s' is not a package name",
		             rc->kernel.package);
	if (rc->kernel.version && (!y_is_name(rc->kernel.version) || rc->kernel.package))
		return y_err(c, y_get(c, n, "version"),
		             "kernel: 'version' is a plain name and goes with 'root'");
	if ((rc->kernel.package || rc->kernel.build) && !rc->has_debian)
		return y_err(c, n, "kernel.%s needs a 'debian' section",
		             rc->kernel.build ? "build" : "package");
	return 0;
}

/* kernel.build.nvidia: kept as its negation, so that a zeroed recipe builds NVIDIA's. */
int rk_no_nvidia(struct yctx *c, yaml_node_t *n, void *base, const struct rkey *k)
{
	bool nvidia;
	int r = y_bool(c, n, &nvidia);

	*(bool *)rkey_field(base, k) = r == 0 && !nvidia;
	return r;
}

/* A list of host paths, each made relative to the recipe's directory (gpu.rims). */
int rk_paths(struct yctx *c, yaml_node_t *n, void *base, const struct rkey *k)
{
	char ***out = rkey_field(base, k);
	size_t *count = (size_t *)((char *)base + k->count), cnt;

	if (n->type != YAML_SEQUENCE_NODE)
		return y_err(c, n, "%s: expected a list of paths", k->path);
	cnt = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
	if (!(*out = calloc(cnt + 1, sizeof(char *))))
		return -ENOMEM;
	for (size_t i = 0; i < cnt; i++) {
		int r = y_path(c, yaml_document_get_node(c->doc, n->data.sequence.items.start[i]),
		               k->path, &(*out)[i]);
		if (r < 0)
			return r;
		(*count)++;
	}
	return 0;
}

int rk_check_build(struct yctx *c, yaml_node_t *n, void *base, const struct rkey *k)
{
	struct recipe *rc = base;

	(void)k;
	if (rc->kernel.build_no_nvidia && rc->kernel.build_nvidia_version)
		return y_err(c, y_get(c, n, "nvidia"),
		             "kernel.build: nvidia: false with an nvidia-version");
	return 0;
}

/* image.salt-seed's default is the recipe's name, which no row default can say. */
int rk_check_image(struct yctx *c, yaml_node_t *n, void *base, const struct rkey *k)
{
	struct recipe *rc = base;

	(void)c, (void)n, (void)k;
	if (!rc->image.salt_seed && !(rc->image.salt_seed = strdup(rc->name)))
		return -ENOMEM;
	return 0;
}

static int parse_top(struct yctx *c, yaml_node_t *root)
{
	if (!root || root->type != YAML_MAPPING_NODE)
		return y_err(c, root, "a recipe is a mapping (format, name, ...)");
	return rkey_map(c, root, "", NULL, c->recipe);
}

int recipe_parse(const char *file, const char *data, size_t size, const char *const *sets,
                 size_t nsets, struct recipe **ret, char *why, size_t why_size)
{
	struct yctx c = {
	        .file = file, .why = why, .why_size = why_size, .sets = sets, .nsets = nsets};
	yaml_document_t doc;
	int r;

	*ret = NULL;
	if (why_size)
		why[0] = '\0';
	c.recipe = calloc(1, sizeof(*c.recipe));
	if (!c.recipe)
		return -ENOMEM;
	c.recipe->file = strdup(file);
	const char *slash = strrchr(file, '/');
	c.recipe->dir = slash ? strndup(file, (size_t)(slash - file)) : strdup(".");
	if (!c.recipe->file || !c.recipe->dir) {
		recipe_free(c.recipe);
		return -ENOMEM;
	}
	if (slash == file) {
		free(c.recipe->dir);
		c.recipe->dir = strdup("/");
	}
	r = y_load(&c, data, size, &doc);
	if (r == 0) {
		c.doc = &doc;
		r = parse_top(&c, yaml_document_get_root_node(&doc));
		yaml_document_delete(&doc);
	}
	if (r < 0) {
		if (r == -ENOMEM && why_size)
			snprintf(why, why_size, "%s: out of memory", file);
		recipe_free(c.recipe);
		return r;
	}
	*ret = c.recipe;
	return 0;
}

int recipe_load(const char *file, const char *const *sets, size_t nsets, struct recipe **ret,
                char *why, size_t why_size)
{
	char *buf, reason[160];
	size_t len;
	int r = read_input_file(file, 16 << 20, &buf, &len, reason, sizeof(reason));

	/* Too big, not a regular file, a symlink loop: bad input, not a system failure. */
	if (r == -EINVAL || r == -EFBIG || r == -ELOOP)
		return why_set(why, why_size, -EINVAL, "%s: not a readable recipe (%s)", file,
		               reason);
	if (r < 0)
		return why_set(why, why_size, r, "%s: %s", file, reason);
	r = recipe_parse(file, buf, len, sets, nsets, ret, why, why_size);
	free(buf);
	return r;
}

const struct recipe_package *recipe_package_find(const struct recipe *r, const char *name)
{
	for (size_t i = 0; i < r->npackages; i++)
		if (strcmp(r->packages[i].name, name) == 0)
			return &r->packages[i];
	return NULL;
}

struct recipe *recipe_free(struct recipe *r)
{
	if (!r)
		return NULL;
	rkey_free("", r);
	free(r->file);
	free(r->dir);
	free(r);
	return NULL;
}
