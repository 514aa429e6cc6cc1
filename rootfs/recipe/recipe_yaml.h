/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Typed readers over a libyaml document for the recipe reader: each checks a
 * node's type and shape, copies the value out (variables substituted) and on
 * error writes "FILE:LINE:COLUMN: what" and returns -EINVAL.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <yaml.h>

#include "rootfs/recipe/recipe.h"

struct yctx {
	const char *file;
	yaml_document_t *doc;
	char *why;
	size_t why_size;
	const char *const *sets;
	size_t nsets;
	struct recipe *recipe;
};

int y_err(struct yctx *c, const yaml_node_t *n, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
/* How deep collections may nest: the deepest recipe here nests 5 levels. */
#define RECIPE_MAX_DEPTH 32

/* Loads the one document; refuses aliases, a second document and nesting past RECIPE_MAX_DEPTH. */
int y_load(struct yctx *c, const char *data, size_t size, yaml_document_t *doc);
/* Refuses keys not in the NULL-terminated list, duplicate and non-scalar keys. */
int y_check_keys(struct yctx *c, yaml_node_t *map, const char *const *keys);
/* The value under key, or NULL (also when map is NULL). */
yaml_node_t *y_get(struct yctx *c, yaml_node_t *map, const char *key);

int y_str(struct yctx *c, yaml_node_t *n, char **out);
/* A string made of [A-Za-z0-9.+_:~-], as package names, suites, versions. */
int y_name(struct yctx *c, yaml_node_t *n, char **out);
bool y_is_name(const char *s);
/* A host path, made relative to the recipe's directory unless absolute; key names its errors. */
int y_path(struct yctx *c, yaml_node_t *n, const char *key, char **out);
int y_strlist(struct yctx *c, yaml_node_t *n, char ***out, size_t *count);
int y_bool(struct yctx *c, yaml_node_t *n, bool *out);
int y_uint(struct yctx *c, yaml_node_t *n, uint64_t *out);
int y_mode(struct yctx *c, yaml_node_t *n, mode_t *out);
/* n must be a mapping (else the error says what); *out: a zeroed array for its pairs. */
int y_mapping_array(struct yctx *c, yaml_node_t *n, const char *what, size_t elem_size, void **out);
/*
 * The image path mapping key k names, into *path: absolute and normalised,
 * and not one of the n paths before it in array (elements of elem_size
 * whose first member is the path).
 */
int y_image_path_key(struct yctx *c, yaml_node_t *k, const void *array, size_t elem_size, size_t n,
                     char **path);
/* `directories:` (path -> mode) or `symlinks:` (path -> target). */
int y_entries(struct yctx *c, yaml_node_t *n, bool symlinks, struct recipe_entry **out,
              size_t *count);
/* `variables:` plus the --set overrides; n may be NULL. */
int y_variables(struct yctx *c, yaml_node_t *n);
