/* SPDX-License-Identifier: Apache-2.0 */
#include "rootfs/recipe/recipe_yaml.h"
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int y_err(struct yctx *c, const yaml_node_t *n, const char *fmt, ...)
{
	va_list ap;
	int k;

	if (!c->why_size)
		return -EINVAL;
	if (n)
		k = snprintf(c->why, c->why_size, "%s:%zu:%zu: ", c->file, n->start_mark.line + 1,
		             n->start_mark.column + 1);
	else
		k = snprintf(c->why, c->why_size, "%s: ", c->file);
	if (k < 0 || (size_t)k >= c->why_size)
		return -EINVAL;
	va_start(ap, fmt);
	vsnprintf(c->why + k, c->why_size - (size_t)k, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static int mark_err(struct yctx *c, yaml_mark_t m, const char *what, const char *problem)
{
	snprintf(c->why, c->why_size, "%s:%zu:%zu: %s%s%s", c->file, m.line + 1, m.column + 1, what,
	         problem ? ": " : "", problem ? problem : "");
	return -EINVAL;
}

int y_load(struct yctx *c, const char *data, size_t size, yaml_document_t *doc)
{
	yaml_parser_t p;
	yaml_event_t ev;
	int r = 0, docs = 0, depth = 0;

	/*
	 * First pass over events: aliases would let a small file expand without
	 * bound, and libyaml's work per token grows with the nesting (a file of
	 * nested '[' takes minutes), so both stop here, at the first offender.
	 */
	if (!yaml_parser_initialize(&p))
		return -ENOMEM;
	yaml_parser_set_input_string(&p, (const unsigned char *)data, size);
	for (;;) {
		if (!yaml_parser_parse(&p, &ev)) {
			r = mark_err(c, p.problem_mark, "YAML syntax error", p.problem);
			break;
		}
		yaml_event_type_t t = ev.type;
		yaml_mark_t m = ev.start_mark;
		yaml_event_delete(&ev);
		if (t == YAML_ALIAS_EVENT) {
			r = mark_err(c, m, "YAML aliases are not allowed in recipes", NULL);
			break;
		}
		depth += t == YAML_SEQUENCE_START_EVENT || t == YAML_MAPPING_START_EVENT;
		depth -= t == YAML_SEQUENCE_END_EVENT || t == YAML_MAPPING_END_EVENT;
		if (depth > RECIPE_MAX_DEPTH) {
			r = mark_err(c, m, "nested too deeply", NULL);
			snprintf(c->why + strlen(c->why), c->why_size - strlen(c->why),
			         " (a recipe nests at most %d levels)", RECIPE_MAX_DEPTH);
			break;
		}
		if (t == YAML_DOCUMENT_START_EVENT && ++docs > 1) {
			r = mark_err(c, m, "a recipe is one YAML document", NULL);
			break;
		}
		if (t == YAML_STREAM_END_EVENT)
			break;
	}
	yaml_parser_delete(&p);
	if (r < 0)
		return r;
	if (docs == 0) {
		snprintf(c->why, c->why_size, "%s: empty recipe", c->file);
		return -EINVAL;
	}
	if (!yaml_parser_initialize(&p))
		return -ENOMEM;
	yaml_parser_set_input_string(&p, (const unsigned char *)data, size);
	if (!yaml_parser_load(&p, doc)) {
		r = mark_err(c, p.problem_mark, "YAML error", p.problem);
		yaml_parser_delete(&p);
		return r;
	}
	yaml_parser_delete(&p);
	if (!yaml_document_get_root_node(doc)) {
		yaml_document_delete(doc);
		snprintf(c->why, c->why_size, "%s: empty recipe", c->file);
		return -EINVAL;
	}
	return 0;
}

static const char *scalar(yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

int y_check_keys(struct yctx *c, yaml_node_t *map, const char *const *keys)
{
	if (map->type != YAML_MAPPING_NODE)
		return y_err(c, map, "expected a mapping");
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
	     p++) {
		yaml_node_t *k = yaml_document_get_node(c->doc, p->key);
		const char *s = scalar(k);
		bool known = false;
		if (!s)
			return y_err(c, k, "a key must be a plain string");
		for (const char *const *e = keys; *e && !known; e++)
			known = strcmp(*e, s) == 0;
		if (!known) {
			char list[512] = "";
			size_t len = 0;
			for (const char *const *e = keys; *e; e++) {
				int n = snprintf(list + len, sizeof(list) - len, "%s%s",
				                 e == keys ? "" : ", ", *e);
				if (n < 0 || (size_t)n >= sizeof(list) - len)
					break;
				len += (size_t)n;
			}
			return y_err(c, k, "unknown key '%s' (known here: %s)", s, list);
		}
		for (yaml_node_pair_t *q = map->data.mapping.pairs.start; q < p; q++)
			if (strcmp(scalar(yaml_document_get_node(c->doc, q->key)), s) == 0)
				return y_err(c, k, "duplicate key '%s'", s);
	}
	return 0;
}

yaml_node_t *y_get(struct yctx *c, yaml_node_t *map, const char *key)
{
	if (!map || map->type != YAML_MAPPING_NODE)
		return NULL;
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
	     p++) {
		const char *s = scalar(yaml_document_get_node(c->doc, p->key));
		if (s && strcmp(s, key) == 0)
			return yaml_document_get_node(c->doc, p->value);
	}
	return NULL;
}

static const char *var_value(struct yctx *c, const char *name, size_t len)
{
	for (size_t i = 0; i < c->recipe->nvars; i++)
		if (strlen(c->recipe->vars[i].name) == len &&
		    memcmp(c->recipe->vars[i].name, name, len) == 0)
			return c->recipe->vars[i].value;
	return NULL;
}

int y_str(struct yctx *c, yaml_node_t *n, char **out)
{
	const char *s = scalar(n);
	size_t cap, len = 0;
	char *buf;

	if (!s)
		return y_err(c, n, "expected a string, found a %s",
		             n && n->type == YAML_SEQUENCE_NODE ? "list" : "mapping");
	if (n->data.scalar.length != strlen(s))
		return y_err(c, n, "a string must not contain NUL bytes");
	cap = strlen(s) + 1;
	if (!(buf = malloc(cap)))
		return -ENOMEM;
	for (const char *p = s; *p;) {
		const char *piece = p;
		size_t plen = 1;
		if (p[0] == '$' && p[1] == '$') {
			p += 2;
		} else if (p[0] == '$' && p[1] == '{') {
			const char *end = strchr(p + 2, '}');
			if (!end) {
				free(buf);
				return y_err(c, n, "unterminated '${' in '%s'", s);
			}
			piece = var_value(c, p + 2, (size_t)(end - p - 2));
			if (!piece) {
				free(buf);
				return y_err(c, n,
				             "undefined variable '%.*s' (define it under "
				             "'variables:' or pass --set)",
				             (int)(end - p - 2), p + 2);
			}
			plen = strlen(piece);
			p = end + 1;
		} else {
			p++;
		}
		if (len + plen + 1 > cap) {
			cap = (len + plen + 1) * 2;
			char *nb = realloc(buf, cap);
			if (!nb) {
				free(buf);
				return -ENOMEM;
			}
			buf = nb;
		}
		memcpy(buf + len, piece, plen);
		len += plen;
	}
	buf[len] = '\0';
	*out = buf;
	return 0;
}

bool y_is_name(const char *s)
{
	if (!*s || strlen(s) > 200)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || strchr(".+_:~-", *s)))
			return false;
	return true;
}

int y_name(struct yctx *c, yaml_node_t *n, char **out)
{
	int r = y_str(c, n, out);

	if (r < 0)
		return r;
	if (!y_is_name(*out)) {
		r = y_err(c, n, "'%s' is not a plain name ([A-Za-z0-9.+_:~-])", *out);
		free(*out);
		*out = NULL;
	}
	return r;
}

static int host_path(struct yctx *c, char **p)
{
	char *joined;

	if ((*p)[0] == '/')
		return 0;
	if (asprintf(&joined, "%s/%s", c->recipe->dir, *p) < 0)
		return -ENOMEM;
	free(*p);
	*p = joined;
	return 0;
}

int y_path(struct yctx *c, yaml_node_t *n, const char *key, char **out)
{
	int r = y_str(c, n, out);

	if (r < 0)
		return r;
	if (!**out)
		return y_err(c, n, "%s: empty path", key);
	return host_path(c, out);
}

int y_strlist(struct yctx *c, yaml_node_t *n, char ***out, size_t *count)
{
	if (n->type != YAML_SEQUENCE_NODE)
		return y_err(c, n, "expected a list");
	size_t cnt = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
	*out = calloc(cnt + 1, sizeof(char *));
	if (!*out)
		return -ENOMEM;
	for (size_t i = 0; i < cnt; i++) {
		int r = y_str(c, yaml_document_get_node(c->doc, n->data.sequence.items.start[i]),
		              &(*out)[i]);
		if (r < 0)
			return r;
		(*count)++;
	}
	return 0;
}

int y_bool(struct yctx *c, yaml_node_t *n, bool *out)
{
	const char *s = scalar(n);

	if (s && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE) {
		if (!strcmp(s, "true") || !strcmp(s, "yes"))
			return *out = true, 0;
		if (!strcmp(s, "false") || !strcmp(s, "no"))
			return *out = false, 0;
	}
	return y_err(c, n, "expected true or false");
}

static int parse_uint(const char *s, int base, uint64_t *out)
{
	uint64_t v = 0;

	if (!*s)
		return -EINVAL;
	for (; *s; s++) {
		unsigned d = (unsigned)(*s - '0');
		if (d >= (unsigned)base || v > (UINT64_MAX - d) / (unsigned)base)
			return -EINVAL;
		v = v * (unsigned)base + d;
	}
	*out = v;
	return 0;
}

int y_uint(struct yctx *c, yaml_node_t *n, uint64_t *out)
{
	const char *s = scalar(n);

	if (!s || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE || parse_uint(s, 10, out) < 0)
		return y_err(c, n, "expected a non-negative integer");
	return 0;
}

int y_mode(struct yctx *c, yaml_node_t *n, mode_t *out)
{
	const char *s = scalar(n);
	uint64_t v;

	if (!s || s[0] != '0' || parse_uint(s, 8, &v) < 0 || v > 07777)
		return y_err(c, n, "expected an octal mode such as 0755 (at most 07777)");
	*out = (mode_t)v;
	return 0;
}

int y_mapping_array(struct yctx *c, yaml_node_t *n, const char *what, size_t elem_size, void **out)
{
	size_t count;

	if (n->type != YAML_MAPPING_NODE)
		return y_err(c, n, "%s", what);
	count = (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);
	*out = calloc(count ? count : 1, elem_size);
	return *out ? 0 : -ENOMEM;
}

/*
 * The image path mapping key k names, into *path: absolute and normalised,
 * and not one of the n paths before it in array (elements of elem_size
 * whose first member is the path).
 */
int y_image_path_key(struct yctx *c, yaml_node_t *k, const void *array, size_t elem_size, size_t n,
                     char **path)
{
	int r = y_str(c, k, path);

	if (r < 0)
		return r;
	if (!recipe_path_ok(*path))
		return y_err(c, k, "'%s' is not an absolute image path", *path);
	for (size_t i = 0; i < n; i++)
		if (strcmp(*(char *const *)((const char *)array + i * elem_size), *path) == 0)
			return y_err(c, k, "%s is named twice", *path);
	return 0;
}

int y_entries(struct yctx *c, yaml_node_t *n, bool symlinks, struct recipe_entry **out,
              size_t *count)
{
	int r = y_mapping_array(c, n,
	                        symlinks ? "expected a mapping of image path to a link target"
	                                 : "expected a mapping of image path to a mode",
	                        sizeof(**out), (void **)out);

	for (yaml_node_pair_t *p = n->data.mapping.pairs.start;
	     r == 0 && p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(c->doc, p->key);
		yaml_node_t *v = yaml_document_get_node(c->doc, p->value);
		struct recipe_entry *e = &(*out)[*count];

		if ((r = y_image_path_key(c, k, *out, sizeof(*e), (*count)++, &e->path)) < 0)
			return r;
		if (!symlinks) {
			r = y_mode(c, v, &e->mode);
		} else if ((r = y_str(c, v, &e->target)) == 0 && !*e->target) {
			return y_err(c, v, "%s: empty link target", e->path);
		}
	}
	return r;
}

int y_variables(struct yctx *c, yaml_node_t *n)
{
	struct recipe *rc = c->recipe;

	if (n) {
		int r = y_mapping_array(c, n, "variables: expected a mapping of name to string",
		                        sizeof(*rc->vars), (void **)&rc->vars);
		if (r < 0)
			return r;
		for (yaml_node_pair_t *p = n->data.mapping.pairs.start;
		     p < n->data.mapping.pairs.top; p++) {
			yaml_node_t *k = yaml_document_get_node(c->doc, p->key);
			yaml_node_t *v = yaml_document_get_node(c->doc, p->value);
			struct recipe_var *var = &rc->vars[rc->nvars];
			if (!scalar(k) || !y_is_name(scalar(k)))
				return y_err(c, k, "a variable name is a plain name");
			if (!scalar(v))
				return y_err(c, v, "variable '%s': expected a string", scalar(k));
			if (var_value(c, scalar(k), strlen(scalar(k))))
				return y_err(c, k, "duplicate variable '%s'", scalar(k));
			var->name = strdup(scalar(k));
			var->value = strdup(scalar(v));
			rc->nvars++;
			if (!var->name || !var->value)
				return -ENOMEM;
		}
	}
	for (size_t i = 0; i < c->nsets; i++) {
		const char *eq = strchr(c->sets[i], '=');
		size_t j;
		if (!eq) {
			snprintf(c->why, c->why_size, "--set %s: expected NAME=VALUE", c->sets[i]);
			return -EINVAL;
		}
		for (j = 0; j < rc->nvars; j++)
			if (strlen(rc->vars[j].name) == (size_t)(eq - c->sets[i]) &&
			    !memcmp(rc->vars[j].name, c->sets[i], (size_t)(eq - c->sets[i])))
				break;
		if (j == rc->nvars) {
			snprintf(c->why, c->why_size, "--set %.*s: %s has no such variable",
			         (int)(eq - c->sets[i]), c->sets[i], c->file);
			return -EINVAL;
		}
		free(rc->vars[j].value);
		if (!(rc->vars[j].value = strdup(eq + 1)))
			return -ENOMEM;
	}
	return 0;
}
