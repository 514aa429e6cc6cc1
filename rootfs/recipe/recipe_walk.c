/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The generic half of the key table (recipe_keys.h): reading a mapping
 * against its rows, freeing what they read, and their documentation.
 */
#include "rootfs/recipe/recipe_keys.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

/* The most keys one mapping has (the top level has 15). */
#define RKEY_MAX_CHILDREN 32

static const char *leaf(const char *path)
{
	const char *dot = strrchr(path, '.');

	return dot ? dot + 1 : path;
}

/* Whether path is a key directly under parent ("" for the top level). */
static bool under(const char *path, const char *parent)
{
	size_t n = strlen(parent);

	if (n) {
		if (strncmp(path, parent, n) != 0 || path[n] != '.')
			return false;
		path += n + 1;
	}
	return !strchr(path, '.');
}

/* The length of the part of path before its last key ("measurement" of "measurement.vcpus"). */
static int parent_len(const char *path)
{
	return (int)(leaf(path) - path);
}

static int read_uint(struct yctx *c, yaml_node_t *n, const struct rkey *k, uint64_t *x)
{
	int r = y_uint(c, n, x), p = parent_len(k->path);

	if (r < 0 || (!k->min && !k->max) || (*x >= k->min && *x <= k->max))
		return r;
	/* "measurement: vcpus: 0 is not 1..512": the section, then the key, as elsewhere. */
	if (k->min == k->max)
		return y_err(c, n, "%.*s%s%s %llu is not supported (only %llu)", p ? p - 1 : 0,
		             k->path, p ? ": " : "", leaf(k->path), (unsigned long long)*x,
		             (unsigned long long)k->min);
	return y_err(c, n, "%.*s%s%s: %llu is not %llu..%llu", p ? p - 1 : 0, k->path,
	             p ? ": " : "", leaf(k->path), (unsigned long long)*x,
	             (unsigned long long)k->min, (unsigned long long)k->max);
}

static int read_uintlist(struct yctx *c, yaml_node_t *n, void *base, const struct rkey *k)
{
	unsigned **out = rkey_field(base, k);
	size_t *count = (size_t *)((char *)base + k->count);
	uint64_t x;
	int r;

	if (n->type != YAML_SEQUENCE_NODE)
		return y_err(c, n, "%.*s: %s: expected a list of numbers", parent_len(k->path) - 1,
		             k->path, leaf(k->path));
	size_t cnt = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
	if (!(*out = calloc(cnt ? cnt : 1, sizeof(unsigned))))
		return -ENOMEM;
	for (size_t i = 0; i < cnt; i++) {
		if ((r = read_uint(c,
		                   yaml_document_get_node(c->doc, n->data.sequence.items.start[i]),
		                   k, &x)) < 0)
			return r;
		(*out)[(*count)++] = (unsigned)x;
	}
	return 0;
}

/* The value of a key that is there, by its row's type. */
static int read_value(struct yctx *c, yaml_node_t *n, void *base, const struct rkey *k)
{
	void *f = rkey_field(base, k);
	uint64_t x;
	int r;

	if (k->parse)
		return k->parse(c, n, base, k);
	switch (k->type) {
	case RK_MAP:
		if (n && n->type != YAML_MAPPING_NODE)
			return y_err(c, n, "%s", k->what ? k->what : "expected a mapping");
		if (n && k->marks)
			*(bool *)f = true;
		return rkey_map(c, n, k->path, k->path, base);
	case RK_STR:
		return y_str(c, n, f);
	case RK_NAME:
		return y_name(c, n, f);
	case RK_PATH:
		return y_path(c, n, leaf(k->path), f);
	case RK_BOOL:
		return y_bool(c, n, f);
	case RK_MODE:
		return y_mode(c, n, f);
	case RK_UINT:
		if ((r = read_uint(c, n, k, &x)) < 0)
			return r;
		if (k->size == sizeof(uint64_t))
			*(uint64_t *)f = x;
		else
			*(unsigned *)f = (unsigned)x;
		return 0;
	case RK_STRLIST:
		return y_strlist(c, n, f, (size_t *)((char *)base + k->count));
	case RK_UINTLIST:
		return read_uintlist(c, n, base, k);
	case RK_CUSTOM:
		break;
	}
	return -EINVAL;
}

/* The default of a key that is not there. */
static int set_default(void *base, const struct rkey *k)
{
	void *f = rkey_field(base, k);

	if (!k->def)
		return 0;
	if (k->type == RK_BOOL) {
		*(bool *)f = strcmp(k->def, "true") == 0;
		return 0;
	}
	if (k->type == RK_STRLIST) {
		char **l = calloc(2, sizeof(char *));
		*(char ***)f = l;
		if (!l || !(l[0] = strdup(k->def)))
			return -ENOMEM;
		*(size_t *)((char *)base + k->count) = 1;
		return 0;
	}
	return (*(char **)f = strdup(k->def)) ? 0 : -ENOMEM;
}

static int read_key(struct yctx *c, yaml_node_t *map, const char *label, void *base,
                    const struct rkey *k)
{
	yaml_node_t *n = y_get(c, map, leaf(k->path));
	int r;

	if (!n && k->required)
		return y_err(c, map, "%s%s'%s' is required%s", label ? label : "",
		             label ? ": " : "", leaf(k->path), k->what ? k->what : "");
	if (!n && !k->always)
		return set_default(base, k);
	if ((r = read_value(c, n, base, k)) < 0)
		return r;
	return k->check ? k->check(c, n, base, k) : 0;
}

int rkey_map(struct yctx *c, yaml_node_t *n, const char *path, const char *label, void *base)
{
	const char *keys[RKEY_MAX_CHILDREN + 1];
	size_t nkeys = 0;
	int r;

	for (size_t i = 0; i < recipe_nkeys; i++)
		if (under(recipe_keys[i].path, path)) {
			if (nkeys == RKEY_MAX_CHILDREN)
				return -E2BIG;
			keys[nkeys++] = leaf(recipe_keys[i].path);
		}
	keys[nkeys] = NULL;
	if (n && (r = y_check_keys(c, n, keys)) < 0)
		return r;
	for (int early = 1; early >= 0; early--)
		for (size_t i = 0; i < recipe_nkeys; i++) {
			const struct rkey *k = &recipe_keys[i];
			if (k->early == early && under(k->path, path) &&
			    (r = read_key(c, n, label, base, k)) < 0)
				return r;
		}
	return 0;
}

void rk_free_list(char **l, size_t n)
{
	for (size_t i = 0; l && i < n; i++)
		free(l[i]);
	free(l);
}

void rkey_free(const char *path, void *base)
{
	for (size_t i = 0; i < recipe_nkeys; i++) {
		const struct rkey *k = &recipe_keys[i];
		void *f = rkey_field(base, k);
		if (!under(k->path, path))
			continue;
		switch (k->type) {
		case RK_MAP:
			rkey_free(k->path, base);
			break;
		case RK_STR:
		case RK_NAME:
		case RK_PATH:
		case RK_UINTLIST:
			free(*(void **)f);
			break;
		case RK_STRLIST:
			rk_free_list(*(char ***)f, *(size_t *)((char *)base + k->count));
			break;
		case RK_CUSTOM:
			k->free(base, k);
			break;
		case RK_BOOL:
		case RK_MODE:
		case RK_UINT:
			break;
		}
	}
}

/* The block that documents path: the longest block path is under, at a dot. */
static const char *block_of(const char *path)
{
	const char *best = "";

	for (const char *const *b = recipe_key_blocks; *b; b++) {
		size_t n = strlen(*b);
		if (n > strlen(best) && strncmp(path, *b, n) == 0 && path[n] == '.')
			best = *b;
	}
	return best;
}

static const char *const type_words[] = {[RK_MAP] = "map",
                                         [RK_STR] = "string",
                                         [RK_NAME] = "name",
                                         [RK_PATH] = "host path",
                                         [RK_BOOL] = "bool",
                                         [RK_MODE] = "mode",
                                         [RK_UINT] = "int",
                                         [RK_STRLIST] = "list of string",
                                         [RK_UINTLIST] = "list of int",
                                         [RK_CUSTOM] = "?"};

/* One row of the table: key (relative to its block), type, default, meaning. */
static int doc_row(const struct rkey *k, const char *key, char *buf, size_t size)
{
	char type[64], def[128];

	if (k->doc_type)
		snprintf(type, sizeof(type), "%s", k->doc_type);
	else if (k->min || k->max)
		snprintf(type, sizeof(type), "%s (%llu..%llu)", type_words[k->type],
		         (unsigned long long)k->min, (unsigned long long)k->max);
	else
		snprintf(type, sizeof(type), "%s", type_words[k->type]);
	if (k->doc_default)
		snprintf(def, sizeof(def), "%s", k->doc_default);
	else if (k->required)
		snprintf(def, sizeof(def), "required");
	else if (k->def)
		snprintf(def, sizeof(def), "%s%s%s", k->type == RK_STRLIST ? "`[" : "`", k->def,
		         k->type == RK_STRLIST ? "]`" : "`");
	else
		snprintf(def, sizeof(def), "%s", k->type == RK_BOOL ? "`false`" : "none");
	return snprintf(buf, size, "| `%s` | %s | %s | %s |\n", key, type, def, k->doc);
}

int recipe_keys_markdown(const char *block, char *buf, size_t size)
{
	size_t len = 0;
	int n = snprintf(buf, size, "| key | type | default | meaning |\n|---|---|---|---|\n");

	for (size_t i = 0;; i++) {
		if (n < 0 || (size_t)n >= size - len)
			return -ENOBUFS;
		len += (size_t)n;
		while (i < recipe_nkeys && strcmp(block_of(recipe_keys[i].path), block) != 0)
			i++;
		if (i == recipe_nkeys)
			return (int)len;
		const char *key = recipe_keys[i].path + (*block ? strlen(block) + 1 : 0);
		n = doc_row(&recipe_keys[i], key, buf + len, size - len);
	}
}
