/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The recipe's keys as one table (recipe_keys.c): each row names a key by its
 * path, how its value is read, where it lands, and what it means. The reader
 * (recipe_walk.c) checks a mapping's keys against the rows under its path and
 * reads each row, recipe_free() walks the same rows, and rootfs/RECIPES.md's
 * key tables are generated from them (tests/unit/test_recipe.c keeps them
 * equal). A new key is one row, plus a handler only for a type of its own.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <yaml.h>

#include "rootfs/recipe/recipe_yaml.h"

enum rkey_type {
	RK_MAP,      /* a mapping of the rows under this path; .marks: .off is a bool it sets */
	RK_STR,      /* char *; .def the default */
	RK_NAME,     /* char *, a plain name (y_name) */
	RK_PATH,     /* char *, a host path made relative to the recipe's directory */
	RK_BOOL,     /* bool; .def "true" for a default of true */
	RK_MODE,     /* mode_t, octal */
	RK_UINT,     /* an unsigned of .size bytes (4 or 8), in [.min, .max] unless both are 0 */
	RK_STRLIST,  /* char **, its count at .count; .def the one item of the default */
	RK_UINTLIST, /* unsigned *, its count at .count; each in [.min, .max] */
	RK_CUSTOM,   /* stored its own way: .parse reads it and .free frees it */
};

struct rkey;
/* A handler: n is the key's value (NULL for an absent .always row), base the struct it lands in. */
typedef int rkey_fn(struct yctx *c, yaml_node_t *n, void *base, const struct rkey *k);

struct rkey {
	/* Dotted from the top; "*" stands for a name the recipe chooses (a package, an image path).
	 */
	const char *path;
	enum rkey_type type;
	/* Where it lands: an offset into struct recipe, or into the entry a "*" names. */
	size_t off, size, count;
	const char *def;
	uint64_t min, max;
	bool required;
	bool always; /* read (with n NULL) when absent too: a map whose keys have defaults */
	bool early;  /* read before the other keys of its map: variables, which they may use */
	bool marks;  /* RK_MAP: .off is a bool set when the map is there */
	/* RK_MAP: the error when the value is not a mapping; a required key: what its error adds.
	 */
	const char *what;
	rkey_fn *parse; /* reads the value instead of its type's reader: RK_CUSTOM, or a special */
	void (*free)(void *base, const struct rkey *k); /* RK_CUSTOM */
	rkey_fn *check; /* after a present key is read (a map: also when .always) */
	/* Documentation, rendered into rootfs/RECIPES.md: type and default when not the
	 * generic words, and what the key means (one line). */
	const char *doc_type, *doc_default, *doc;
};

extern const struct rkey recipe_keys[];
extern const size_t recipe_nkeys;
/* The paths whose keys RECIPES.md tables in one block each; "" is the top level. */
extern const char *const recipe_key_blocks[];

/* The field k names in base. */
static inline void *rkey_field(void *base, const struct rkey *k)
{
	return (char *)base + k->off;
}

/* Reads the mapping n (NULL: absent, defaults only) against the rows under path into base;
 * label starts the error of a missing required key. */
int rkey_map(struct yctx *c, yaml_node_t *n, const char *path, const char *label, void *base);
/* Frees what the rows under path put in base (not base itself). */
void rkey_free(const char *path, void *base);
/* The markdown table of one of recipe_key_blocks into buf: its length, or -ENOBUFS. */
int recipe_keys_markdown(const char *block, char *buf, size_t size);

/* Custom handlers the table names (recipe.c, recipe_yaml.c, recipe_measurement.c). */
rkey_fn rk_variables, rk_packages, rk_slices, rk_files, rk_entries, rk_no_nvidia, rk_snp_firmware,
        rk_paths;
rkey_fn rk_check_components, rk_check_mirror, rk_check_snapshot, rk_check_only, rk_check_kernel,
        rk_check_build, rk_check_image, rk_check_tee, rk_check_vcpu_type, rk_check_measurement;
void rk_free_variables(void *base, const struct rkey *k);
void rk_free_packages(void *base, const struct rkey *k);
void rk_free_slices(void *base, const struct rkey *k);
void rk_free_files(void *base, const struct rkey *k);
void rk_free_entries(void *base, const struct rkey *k);
void rk_free_list(char **l, size_t n);
