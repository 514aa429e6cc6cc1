/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The recipe reader: a libyaml document walked against fixed tables of keys.
 * Values are copied out as they are checked, so a struct recipe never points
 * into the YAML document.
 */
#include "rootfs/recipe/recipe.h"

#include "init/base/fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <yaml.h>

#include "rootfs/recipe/recipe_yaml.h"

static int parse_modules(struct yctx *c, yaml_node_t *n, struct recipe_modules *m)
{
	static const char *const keys[] = {"profiles", "modules", NULL};
	int r = y_check_keys(c, n, keys);
	yaml_node_t *v;

	if (r < 0)
		return r;
	if ((v = y_get(c, n, "profiles")) && (r = y_strlist(c, v, &m->profiles, &m->nprofiles)) < 0)
		return r;
	if ((v = y_get(c, n, "modules")) && (r = y_strlist(c, v, &m->modules, &m->nmodules)) < 0)
		return r;
	return 0;
}

/* A top-level section: its key, the keys it may hold, its parser. */
struct section {
	const char *key;
	const char *const *keys;
	int (*parse)(struct yctx *c, yaml_node_t *n);
	bool always; /* parsed (with n NULL) when absent too: it has defaults */
};

/* The section's mapping, its keys checked, parsed. */
static int section(struct yctx *c, yaml_node_t *root, const struct section *s)
{
	yaml_node_t *n = y_get(c, root, s->key);
	int r = n ? y_check_keys(c, n, s->keys) : 0;

	if (r < 0 || (!n && !s->always))
		return r;
	return s->parse(c, n);
}

static int parse_debian(struct yctx *c, yaml_node_t *n)
{
	struct recipe *rc = c->recipe;
	yaml_node_t *v;
	int r;

	rc->has_debian = true;
	rc->debian.updates = true;
	if (!(v = y_get(c, n, "suite")))
		return y_err(c, n, "debian: 'suite' is required");
	if ((r = y_name(c, v, &rc->debian.suite)) < 0)
		return r;
	if ((v = y_get(c, n, "components"))) {
		if ((r = y_strlist(c, v, &rc->debian.components, &rc->debian.ncomponents)) < 0)
			return r;
	} else {
		rc->debian.components = calloc(2, sizeof(char *));
		if (!rc->debian.components || !(rc->debian.components[0] = strdup("main")))
			return -ENOMEM;
		rc->debian.ncomponents = 1;
	}
	for (size_t i = 0; i < rc->debian.ncomponents; i++)
		if (!y_is_name(rc->debian.components[i]))
			return y_err(c, v, "debian: component '%s' is not a plain name",
			             rc->debian.components[i]);
	if ((v = y_get(c, n, "updates")) && (r = y_bool(c, v, &rc->debian.updates)) < 0)
		return r;
	if ((r = y_opt_str(c, n, "mirror", &rc->debian.mirror, "http://deb.debian.org/debian")) <
	            0 ||
	    (r = y_opt_str(c, n, "security-mirror", &rc->debian.security_mirror,
	                   "http://deb.debian.org/debian-security")) < 0 ||
	    (r = y_opt_str(c, n, "snapshot", &rc->debian.snapshot, NULL)) < 0 ||
	    (r = y_opt_str(c, n, "keyring", &rc->debian.keyring,
	                   "/usr/share/keyrings/debian-archive-keyring.gpg")) < 0 ||
	    (r = y_opt_str(c, n, "architecture", &rc->debian.architecture, "amd64")) < 0)
		return r;
	if (strcmp(rc->debian.architecture, "amd64") != 0)
		return y_err(c, y_get(c, n, "architecture"),
		             "debian: architecture '%s' is not supported (only amd64)",
		             rc->debian.architecture);
	if (rc->debian.snapshot) {
		const char *s = rc->debian.snapshot;
		bool ok = strlen(s) == 16 && s[8] == 'T' && s[15] == 'Z';
		for (int i = 0; ok && i < 15; i++)
			ok = i == 8 || (s[i] >= '0' && s[i] <= '9');
		if (!ok)
			return y_err(c, y_get(c, n, "snapshot"),
			             "debian: snapshot '%s' is not YYYYMMDDTHHMMSSZ", s);
	}
	for (const char *const *u =
	             (const char *const[]){rc->debian.mirror, rc->debian.security_mirror, NULL};
	     *u; u++)
		if (strncmp(*u, "http://", 7) != 0 && strncmp(*u, "https://", 8) != 0 &&
		    strncmp(*u, "file:/", 6) != 0)
			return y_err(c, n, "debian: mirror '%s' is not an http(s) or file URL", *u);
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

static int parse_package(struct yctx *c, yaml_node_t *key, yaml_node_t *n, struct recipe_package *p)
{
	static const char *const keys[] = {"slices", "copyright", NULL};
	yaml_node_t *v;
	int r;

	p->line = (unsigned)key->start_mark.line + 1;
	p->copyright = true;
	if ((r = y_name(c, key, &p->name)) < 0)
		return r;
	if ((r = y_check_keys(c, n, keys)) < 0)
		return r;
	if ((v = y_get(c, n, "copyright")) && (r = y_bool(c, v, &p->copyright)) < 0)
		return r;
	if (!(v = y_get(c, n, "slices")))
		return 0;
	if ((r = y_mapping_array(c, v,
	                         "slices: expected a mapping of slice name to a list of paths",
	                         sizeof(*p->slices), (void **)&p->slices)) < 0)
		return r;
	for (yaml_node_pair_t *pr = v->data.mapping.pairs.start; pr < v->data.mapping.pairs.top;
	     pr++) {
		yaml_node_t *sk = yaml_document_get_node(c->doc, pr->key);
		yaml_node_t *sv = yaml_document_get_node(c->doc, pr->value);
		struct recipe_slice *s = &p->slices[p->nslices++];
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
				return y_err(c, item, "slice %s_%s: '%s' is not an absolute path",
				             p->name, s->name, s->globs[i]);
		}
	}
	return 0;
}

static int cmp_package(const void *a, const void *b)
{
	return strcmp(((const struct recipe_package *)a)->name,
	              ((const struct recipe_package *)b)->name);
}

static int parse_packages(struct yctx *c, yaml_node_t *n)
{
	struct recipe *rc = c->recipe;
	int r;

	if ((r = y_mapping_array(c, n, "packages: expected a mapping of package name to slices",
	                         sizeof(*rc->packages), (void **)&rc->packages)) < 0)
		return r;
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top;
	     p++) {
		yaml_node_t *v = yaml_document_get_node(c->doc, p->value);
		yaml_node_t *k = yaml_document_get_node(c->doc, p->key);
		if ((r = parse_package(c, k, v, &rc->packages[rc->npackages++])) < 0)
			return r;
	}
	if (rc->npackages)
		qsort(rc->packages, rc->npackages, sizeof(*rc->packages), cmp_package);
	return 0;
}

static int parse_kernel(struct yctx *c, yaml_node_t *n)
{
	struct recipe *rc = c->recipe;
	yaml_node_t *v;
	int r;

	if ((r = y_opt_str(c, n, "package", &rc->kernel.package, NULL)) < 0 ||
	    (r = y_opt_path(c, n, "root", &rc->kernel.root)) < 0 ||
	    (r = y_opt_str(c, n, "version", &rc->kernel.version, NULL)) < 0)
		return r;
	/*
	 * build: {} or a map of source-version, nvidia (true/false) and
	 * nvidia-version: the kernel `ccimage kernel build` makes.
	 */
	if ((v = y_get(c, n, "build"))) {
		yaml_node_t *nv;
		bool nvidia = true;
		if (v->type != YAML_MAPPING_NODE)
			return y_err(c, v, "kernel.build: a map ({} or {source-version: V})");
		if ((r = y_check_keys(c, v,
		                      (const char *const[]){"source-version", "nvidia",
		                                            "nvidia-version", NULL})) < 0 ||
		    (r = y_opt_str(c, v, "source-version", &rc->kernel.build_source_version,
		                   NULL)) < 0 ||
		    (r = y_opt_str(c, v, "nvidia-version", &rc->kernel.build_nvidia_version,
		                   NULL)) < 0)
			return r;
		if ((nv = y_get(c, v, "nvidia")) && (r = y_bool(c, nv, &nvidia)) < 0)
			return r;
		if (!nvidia && rc->kernel.build_nvidia_version)
			return y_err(c, nv, "kernel.build: nvidia: false with an nvidia-version");
		rc->kernel.build_no_nvidia = !nvidia;
		rc->kernel.build = true;
	}
	if (!!rc->kernel.package + !!rc->kernel.root + rc->kernel.build != 1)
		return y_err(c, n,
		             "kernel: exactly one of 'package', 'root' and 'build' is required");
	if (rc->kernel.package && !y_is_name(rc->kernel.package))
		return y_err(c, y_get(c, n, "package"), "kernel: '%s' is not a package name",
		             rc->kernel.package);
	if (rc->kernel.version && (!y_is_name(rc->kernel.version) || rc->kernel.package))
		return y_err(c, y_get(c, n, "version"),
		             "kernel: 'version' is a plain name and goes with 'root'");
	if ((v = y_get(c, n, "initramfs-modules")) &&
	    (r = parse_modules(c, v, &rc->kernel.initramfs)) < 0)
		return r;
	if ((v = y_get(c, n, "root-modules")) &&
	    (r = parse_modules(c, v, &rc->kernel.root_modules)) < 0)
		return r;
	return 0;
}

static int parse_initramfs(struct yctx *c, yaml_node_t *n)
{
	struct recipe *rc = c->recipe;
	yaml_node_t *v;
	int r;

	if ((r = y_opt_path(c, n, "init", &rc->initramfs.init)) < 0)
		return r;
	if ((v = y_get(c, n, "files")) &&
	    (r = y_files(c, v, &rc->initramfs.files, &rc->initramfs.nfiles)) < 0)
		return r;
	if ((v = y_get(c, n, "modules-compressed")) &&
	    (r = y_bool(c, v, &rc->initramfs.modules_compressed)) < 0)
		return r;
	return 0;
}

static int parse_image(struct yctx *c, yaml_node_t *n)
{
	struct recipe *rc = c->recipe;
	yaml_node_t *v;
	int r;

	rc->image.ld_cache = rc->image.dpkg_status = true;
	if ((r = y_opt_str(c, n, "filesystem", &rc->image.filesystem, "erofs")) < 0 ||
	    (r = y_opt_str(c, n, "compress", &rc->image.compress, "lz4")) < 0 ||
	    (r = y_opt_str(c, n, "salt-seed", &rc->image.salt_seed, rc->name)) < 0 ||
	    (r = y_opt_str(c, n, "data-device", &rc->image.data_dev, "/dev/vda1")) < 0 ||
	    (r = y_opt_str(c, n, "hash-device", &rc->image.hash_dev, "/dev/vda2")) < 0 ||
	    (r = y_opt_str(c, n, "root-device", &rc->image.root_dev, "/dev/vda")) < 0)
		return r;
	if (strcmp(rc->image.filesystem, "erofs") != 0)
		return y_err(c, y_get(c, n, "filesystem"),
		             "image: filesystem '%s' is not supported (only erofs)",
		             rc->image.filesystem);
	if ((v = y_get(c, n, "ld-cache")) && (r = y_bool(c, v, &rc->image.ld_cache)) < 0)
		return r;
	if ((v = y_get(c, n, "dpkg-status")) && (r = y_bool(c, v, &rc->image.dpkg_status)) < 0)
		return r;
	return 0;
}

/* tree: {source: DIR, exclude: [globs]}: a root tree built by mkosi (or anything else). */
static int parse_tree(struct yctx *c, yaml_node_t *n)
{
	struct recipe *rc = c->recipe;
	yaml_node_t *v;
	int r;

	if ((r = y_opt_path(c, n, "source", &rc->tree.source)) < 0)
		return r;
	if (!rc->tree.source)
		return y_err(c, n, "tree: 'source' is required (a directory)");
	if ((v = y_get(c, n, "exclude")) &&
	    (r = y_strlist(c, v, &rc->tree.exclude, &rc->tree.nexclude)) < 0)
		return r;
	return 0;
}

/* The sections parse_top() hands to section(), by their key. */
enum {
	SECTION_DEBIAN,
	SECTION_KERNEL,
	SECTION_INITRAMFS,
	SECTION_IMAGE,
	SECTION_MEASUREMENT,
	SECTION_TREE
};

static const struct section sections[] = {
        [SECTION_DEBIAN] = {.key = "debian",
                            .keys = (const char *const[]){"suite", "components", "updates",
                                                          "mirror", "security-mirror", "snapshot",
                                                          "keyring", "architecture", NULL},
                            .parse = parse_debian},
        [SECTION_KERNEL] = {.key = "kernel",
                            .keys = (const char *const[]){"package", "root", "version", "build",
                                                          "initramfs-modules", "root-modules",
                                                          NULL},
                            .parse = parse_kernel},
        [SECTION_INITRAMFS] = {.key = "initramfs",
                               .keys = (const char *const[]){"init", "files", "modules-compressed",
                                                             NULL},
                               .parse = parse_initramfs},
        [SECTION_IMAGE] = {.key = "image",
                           .keys = (const char *const[]){"filesystem", "compress", "salt-seed",
                                                         "data-device", "hash-device",
                                                         "root-device", "ld-cache", "dpkg-status",
                                                         NULL},
                           .parse = parse_image,
                           .always = true},
        [SECTION_MEASUREMENT] = {.key = "measurement",
                                 .keys = (const char *const[]){"tee", "vcpus", "vcpu-type",
                                                               "firmware", "tdx-firmware",
                                                               "snp-firmware", "memory-mib", NULL},
                                 .parse = recipe_parse_measurement},
        [SECTION_TREE] = {.key = "tree",
                          .keys = (const char *const[]){"source", "exclude", NULL},
                          .parse = parse_tree},
};

static int parse_top(struct yctx *c, yaml_node_t *root)
{
	static const char *const keys[] = {
	        "format",    "name",  "source-date-epoch", "variables",   "debian",
	        "packages",  "files", "directories",       "symlinks",    "kernel",
	        "initramfs", "image", "cmdline",           "measurement", "tree",
	        NULL};
	struct recipe *rc = c->recipe;
	yaml_node_t *v;
	uint64_t x;
	int r;

	if (!root || root->type != YAML_MAPPING_NODE)
		return y_err(c, root, "a recipe is a mapping (format, name, ...)");
	if ((r = y_check_keys(c, root, keys)) < 0)
		return r;
	/* Variables first: every other string may use them. */
	if ((r = y_variables(c, y_get(c, root, "variables"))) < 0)
		return r;
	if (!(v = y_get(c, root, "format")))
		return y_err(c, root, "'format' is required (format: 1)");
	if ((r = y_uint(c, v, &x)) < 0)
		return r;
	if (x != 1)
		return y_err(c, v, "format %llu is not supported (only 1)", (unsigned long long)x);
	rc->format = 1;
	if (!(v = y_get(c, root, "name")))
		return y_err(c, root, "'name' is required");
	if ((r = y_name(c, v, &rc->name)) < 0)
		return r;
	if ((v = y_get(c, root, "source-date-epoch")) &&
	    (r = y_uint(c, v, &rc->source_date_epoch)) < 0)
		return r;
	if ((r = section(c, root, &sections[SECTION_DEBIAN])) < 0)
		return r;
	if ((v = y_get(c, root, "packages")) && (r = parse_packages(c, v)) < 0)
		return r;
	if (rc->npackages && !rc->has_debian)
		return y_err(c, v, "packages need a 'debian' section saying where they come from");
	if ((r = section(c, root, &sections[SECTION_TREE])) < 0)
		return r;
	if ((v = y_get(c, root, "files")) && (r = y_files(c, v, &rc->files, &rc->nfiles)) < 0)
		return r;
	if ((v = y_get(c, root, "directories")) &&
	    (r = y_entries(c, v, false, &rc->dirs, &rc->ndirs)) < 0)
		return r;
	if ((v = y_get(c, root, "symlinks")) &&
	    (r = y_entries(c, v, true, &rc->symlinks, &rc->nsymlinks)) < 0)
		return r;
	if ((r = section(c, root, &sections[SECTION_KERNEL])) < 0)
		return r;
	if ((rc->kernel.package || rc->kernel.build) && !rc->has_debian)
		return y_err(c, y_get(c, root, "kernel"), "kernel.%s needs a 'debian' section",
		             rc->kernel.build ? "build" : "package");
	if ((r = section(c, root, &sections[SECTION_INITRAMFS])) < 0)
		return r;
	if ((r = section(c, root, &sections[SECTION_IMAGE])) < 0)
		return r;
	if ((r = y_opt_str(c, root, "cmdline", &rc->cmdline, "{root}")) < 0)
		return r;
	if ((r = section(c, root, &sections[SECTION_MEASUREMENT])) < 0)
		return r;
	return 0;
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
	char *buf;
	size_t len;
	int r = read_full_file(file, 16 << 20, &buf, &len);

	/* A recipe too big, a directory or a symlink loop is bad input, not a system failure. */
	if (r == -EFBIG || r == -EISDIR || r == -ELOOP) {
		snprintf(why, why_size, "%s: not a readable recipe (%s)", file,
		         r == -EFBIG ? "more than 16 MiB" : strerror(-r));
		return -EINVAL;
	}
	if (r < 0) {
		snprintf(why, why_size, "%s: %s", file, strerror(-r));
		return r;
	}
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

static void free_list(char **l, size_t n)
{
	for (size_t i = 0; l && i < n; i++)
		free(l[i]);
	free(l);
}

static void free_files(struct recipe_file *f, size_t n)
{
	for (size_t i = 0; f && i < n; i++) {
		free(f[i].path);
		free(f[i].source);
		free(f[i].text);
	}
	free(f);
}

static void free_entries(struct recipe_entry *e, size_t n)
{
	for (size_t i = 0; e && i < n; i++) {
		free(e[i].path);
		free(e[i].target);
	}
	free(e);
}

struct recipe *recipe_free(struct recipe *r)
{
	if (!r)
		return NULL;
	free(r->file);
	free(r->dir);
	free(r->name);
	for (size_t i = 0; i < r->nvars; i++) {
		free(r->vars[i].name);
		free(r->vars[i].value);
	}
	free(r->vars);
	free(r->debian.suite);
	free_list(r->debian.components, r->debian.ncomponents);
	free(r->debian.mirror);
	free(r->debian.security_mirror);
	free(r->debian.snapshot);
	free(r->debian.keyring);
	free(r->debian.architecture);
	for (size_t i = 0; r->packages && i < r->npackages; i++) {
		struct recipe_package *p = &r->packages[i];
		for (size_t j = 0; p->slices && j < p->nslices; j++) {
			free(p->slices[j].name);
			free_list(p->slices[j].globs, p->slices[j].nglobs);
			free(p->slices[j].lines);
		}
		free(p->slices);
		free(p->name);
	}
	free(r->packages);
	free_files(r->files, r->nfiles);
	free_entries(r->dirs, r->ndirs);
	free_entries(r->symlinks, r->nsymlinks);
	free(r->kernel.package);
	free(r->kernel.root);
	free(r->kernel.version);
	free(r->kernel.build_source_version);
	free(r->kernel.build_nvidia_version);
	struct recipe_modules *ms[] = {&r->kernel.initramfs, &r->kernel.root_modules};
	for (size_t i = 0; i < 2; i++) {
		free_list(ms[i]->profiles, ms[i]->nprofiles);
		free_list(ms[i]->modules, ms[i]->nmodules);
	}
	free(r->initramfs.init);
	free_files(r->initramfs.files, r->initramfs.nfiles);
	free(r->image.filesystem);
	free(r->image.compress);
	free(r->image.salt_seed);
	free(r->image.data_dev);
	free(r->image.hash_dev);
	free(r->image.root_dev);
	free(r->cmdline);
	free_list(r->measurement.tee, r->measurement.ntee);
	free(r->measurement.vcpus);
	free(r->measurement.firmware);
	free(r->measurement.tdx_firmware);
	free(r->measurement.snp_firmware);
	free(r->tree.source);
	for (size_t i = 0; i < r->tree.nexclude; i++)
		free(r->tree.exclude[i]);
	free(r->tree.exclude);
	free(r->measurement.vcpu_type);
	free(r);
	return NULL;
}
