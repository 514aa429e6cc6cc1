/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Recipes (rootfs/RECIPES.md): read with libyaml, checked strictly. Every
 * error names FILE:LINE:COLUMN, because a recipe is written by hand and a
 * key that is silently ignored is a file silently missing from an image.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct recipe_slice {
	char *name;
	char **globs;
	size_t nglobs;
	unsigned *lines; /* each glob's line, for "matches nothing" errors */
};

struct recipe_package {
	char *name;
	struct recipe_slice *slices;
	size_t nslices;
	bool copyright;
	unsigned line;
};

struct recipe_file {
	char *path;   /* in the image */
	char *source; /* host path, resolved against the recipe's directory; NULL for text */
	char *text;
	size_t text_len;
	mode_t mode;
	bool follow; /* source may be a symlink: its target is copied */
	unsigned line;
};

struct recipe_entry { /* directories (mode) and symlinks (target) */
	char *path;
	char *target;
	mode_t mode;
};

struct recipe_modules {
	char **profiles;
	size_t nprofiles;
	char **modules;
	size_t nmodules;
};

struct recipe_var {
	char *name, *value;
};

struct recipe {
	char *file; /* as given */
	char *dir;  /* its directory, for relative host paths */
	unsigned format;
	char *name;
	uint64_t source_date_epoch;
	struct recipe_var *vars;
	size_t nvars;

	bool has_debian;
	struct {
		char *suite;
		char **components;
		size_t ncomponents;
		bool updates;
		char *mirror, *security_mirror, *snapshot, *keyring, *architecture;
	} debian;

	struct recipe_package *packages; /* sorted by name */
	size_t npackages;
	struct recipe_file *files;
	size_t nfiles;
	struct recipe_entry *dirs;
	size_t ndirs;
	struct recipe_entry *symlinks;
	size_t nsymlinks;

	struct {
		char *package; /* or root (+ version), or build */
		char *root, *version;
		bool build;                 /* `ccimage kernel build` of the recipe's suite */
		char *build_suite;          /* build.suite; NULL: debian.suite */
		char *build_source_version; /* build.source-version; NULL: the candidate */
		char *build_nvidia_version; /* build.nvidia-version; NULL: the candidate */
		bool build_no_nvidia;       /* build.nvidia: false */
		struct recipe_modules initramfs, root_modules;
	} kernel;

	struct {
		char *init;
		struct recipe_file *files;
		size_t nfiles;
		bool modules_compressed; /* keep .ko.xz/.ko.zst as the kernel ships them */
	} initramfs;

	struct {
		char *filesystem, *compress, *salt_seed, *data_dev, *hash_dev, *root_dev;
		bool ld_cache, dpkg_status;
	} image;

	/* A root tree made elsewhere (mkosi Format=directory), staged before any slice. */
	struct {
		char *source; /* NULL: none */
		char **exclude;
		size_t nexclude;
	} tree;

	char *cmdline;

	/* NVIDIA's RIMs, verified at build time into the root's GPU golden table. */
	struct {
		char **rims; /* host paths: RIM files, or directories of them */
		size_t nrims;
		bool rims_accept_expired;
		char *rim_root; /* a PEM; NULL: NVIDIA's, built in */
	} gpu;

	struct recipe_measurement {
		char **tee;
		size_t ntee;
		unsigned *vcpus;
		size_t nvcpus;
		char *vcpu_type;
		char *firmware;     /* for every TEE named; NULL: each TEE's own below */
		char *tdx_firmware; /* a path */
		char *snp_firmware; /* a path, or "build": ccimage firmware build's; NULL: "build"
		                     */
		unsigned memory_mib;
	} measurement;
};

/*
 * Parses a recipe from bytes (file names the errors). sets are "name=value"
 * overrides of the recipe's variables (count nsets). On failure returns
 * -EINVAL (bad recipe) or -ENOMEM and writes "FILE:LINE:COLUMN: what" to why.
 */
int recipe_parse(const char *file, const char *data, size_t size, const char *const *sets,
                 size_t nsets, struct recipe **ret, char *why, size_t why_size);
/* Reads and parses a recipe file. -errno when it cannot be read. */
int recipe_load(const char *file, const char *const *sets, size_t nsets, struct recipe **ret,
                char *why, size_t why_size);
struct recipe *recipe_free(struct recipe *r);

/* Finds a package by name, or NULL. */
const struct recipe_package *recipe_package_find(const struct recipe *r, const char *name);

/*
 * Glob match against an absolute image path: '?' and '*' stay within one
 * component, '**' crosses '/'.
 */
bool recipe_glob_match(const char *glob, const char *path);

/* Checks an image path: absolute, no empty, "." or ".." components, no trailing '/'. */
bool recipe_path_ok(const char *path);
