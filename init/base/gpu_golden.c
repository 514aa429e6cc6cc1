// SPDX-License-Identifier: Apache-2.0
/*
 * The golden table's one reader and writer (gpu_golden.h). The reader runs in
 * PID 1 on a file from the verified root, and a fuzz target feeds it: every
 * field is bounded before use and an error names the line.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "init/base/gpu_golden.h"
#include "init/base/hex.h"
#include "init/base/why.h"

#define FIELDS_MAX 8

const char *gpu_golden_kind_name(enum gpu_golden_kind kind)
{
	return kind == GPU_GOLDEN_DRIVER ? "driver" : "vbios";
}

void gpu_golden_free(struct gpu_golden *g)
{
	if (!g)
		return;
	for (unsigned i = 0; i < g->count; i++)
		free(g->rims[i].m);
	free(g->rims);
	free(g);
}

/* Splits line (NUL-terminated, modified) at single spaces; -1 on an empty field. */
static int split(char *line, char *field[FIELDS_MAX])
{
	int n = 0;

	for (char *p = line;; p++) {
		if (n == FIELDS_MAX)
			return -1;
		field[n++] = p;
		p = strchr(p, ' ');
		if (!p)
			break;
		*p = '\0';
	}
	for (int i = 0; i < n; i++)
		if (!field[i][0])
			return -1;
	return n;
}

/* A decimal in [0, max] with no sign, no leading zero but "0", no suffix. */
static int number(const char *s, unsigned max, unsigned *out)
{
	unsigned long v = 0;

	if (!*s || (s[0] == '0' && s[1]) || strlen(s) > 9)
		return -EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		v = v * 10 + (unsigned)(*s - '0');
	}
	if (v > max)
		return -EINVAL;
	*out = (unsigned)v;
	return 0;
}

/* Printable, no space, no slash: names go into log lines and file names. */
static int copy_name(char *out, size_t size, const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= size)
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f || s[i] == '/')
			return -EINVAL;
	memcpy(out, s, n + 1);
	return 0;
}

static int lowercase_hex(const char *s, size_t n)
{
	if (strlen(s) != n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

static int parse_rim(struct gpu_golden *g, char **f, int n, unsigned line, char *why,
                     size_t why_size)
{
	struct gpu_golden_rim *rim;

	if (n != 6)
		return why_set(why, why_size, -EBADMSG,
		               "line %u: a rim line has 6 fields (rim KIND MODEL VERSION SHA256 "
		               "STATUS), not %d",
		               line, n);
	if (g->count == GPU_GOLDEN_MAX_RIMS)
		return why_set(why, why_size, -EBADMSG, "line %u: more than %u RIMs", line,
		               GPU_GOLDEN_MAX_RIMS);
	rim = &g->rims[g->count];
	memset(rim, 0, sizeof(*rim));
	if (strcmp(f[1], "driver") == 0)
		rim->kind = GPU_GOLDEN_DRIVER;
	else if (strcmp(f[1], "vbios") == 0)
		rim->kind = GPU_GOLDEN_VBIOS;
	else
		return why_set(why, why_size, -EBADMSG,
		               "line %u: kind '%.16s' is neither driver nor vbios", line, f[1]);
	if (copy_name(rim->model, sizeof(rim->model), f[2]) < 0)
		return why_set(why, why_size, -EBADMSG, "line %u: model '%.40s' is not a name",
		               line, f[2]);
	if (copy_name(rim->version, sizeof(rim->version), f[3]) < 0)
		return why_set(why, why_size, -EBADMSG, "line %u: version '%.40s' is not a version",
		               line, f[3]);
	if (!lowercase_hex(f[4], 64))
		return why_set(why, why_size, -EBADMSG,
		               "line %u: sha256 is not 64 lowercase hex digits", line);
	memcpy(rim->sha256, f[4], 65);
	if (strcmp(f[5], "valid") != 0 && strcmp(f[5], "expired") != 0)
		return why_set(why, why_size, -EBADMSG,
		               "line %u: status '%.16s' is neither valid nor expired", line, f[5]);
	rim->expired = f[5][0] == 'e';
	if (gpu_golden_find(g, rim->kind, rim->model, rim->version))
		return why_set(why, why_size, -EBADMSG, "line %u: a second %s RIM for %s %s", line,
		               f[1], rim->model, rim->version);
	g->count++;
	return 0;
}

static int parse_values(struct gpu_golden_measurement *m, char *list, unsigned line, char *why,
                        size_t why_size)
{
	for (char *v = list;; m->alternatives++) {
		char *comma = strchr(v, ',');
		size_t len = comma ? (size_t)(comma - v) : strlen(v);

		if (m->alternatives == GPU_GOLDEN_MAX_ALTERNATIVES)
			return why_set(why, why_size, -EBADMSG,
			               "line %u: index %u: more than %u alternatives", line,
			               m->index, GPU_GOLDEN_MAX_ALTERNATIVES);
		if (comma)
			*comma = '\0';
		if (len != 2 * m->size || !lowercase_hex(v, len) ||
		    hex_decode(v, len, m->values[m->alternatives], m->size) != (int)m->size)
			return why_set(
			        why, why_size, -EBADMSG,
			        "line %u: index %u: value %u is not %u bytes of lowercase hex",
			        line, m->index, m->alternatives, m->size);
		if (!comma) {
			m->alternatives++;
			return 0;
		}
		v = comma + 1;
	}
}

static int parse_measurement(struct gpu_golden *g, char **f, int n, unsigned line, char *why,
                             size_t why_size)
{
	struct gpu_golden_rim *rim = g->count ? &g->rims[g->count - 1] : NULL;
	struct gpu_golden_measurement *m, *grown;

	if (!rim)
		return why_set(why, why_size, -EBADMSG,
		               "line %u: a measurement before any rim line", line);
	if (n != 4)
		return why_set(why, why_size, -EBADMSG,
		               "line %u: an m line has 4 fields (m INDEX SIZE VALUES), not %d",
		               line, n);
	if (rim->count > GPU_GOLDEN_MAX_INDEX)
		return why_set(why, why_size, -EBADMSG, "line %u: more than %u measurements", line,
		               GPU_GOLDEN_MAX_INDEX + 1);
	grown = realloc(rim->m, (rim->count + 1) * sizeof(*rim->m));
	if (!grown)
		return -ENOMEM;
	rim->m = grown;
	m = memset(&rim->m[rim->count], 0, sizeof(*m));
	if (number(f[1], GPU_GOLDEN_MAX_INDEX, &m->index) < 0)
		return why_set(why, why_size, -EBADMSG, "line %u: index '%.16s' is not 0-%u", line,
		               f[1], GPU_GOLDEN_MAX_INDEX);
	if (rim->count && m->index <= rim->m[rim->count - 1].index)
		return why_set(why, why_size, -EBADMSG,
		               "line %u: index %u follows index %u: not ascending", line, m->index,
		               rim->m[rim->count - 1].index);
	if (number(f[2], GPU_GOLDEN_MAX_VALUE, &m->size) < 0 || m->size == 0)
		return why_set(why, why_size, -EBADMSG, "line %u: size '%.16s' is not 1-%u", line,
		               f[2], GPU_GOLDEN_MAX_VALUE);
	if (parse_values(m, f[3], line, why, why_size) < 0)
		return -EBADMSG;
	rim->count++;
	return 0;
}

static int parse_line(struct gpu_golden *g, char *text, unsigned line, bool *magic, char *why,
                      size_t why_size)
{
	char *f[FIELDS_MAX];
	int n;

	if (!text[0] || text[0] == '#')
		return 0;
	if (!*magic) {
		if (strcmp(text, GPU_GOLDEN_MAGIC) != 0)
			return why_set(why, why_size, -EBADMSG,
			               "line %u: not a golden table (no '" GPU_GOLDEN_MAGIC "')",
			               line);
		*magic = true;
		return 0;
	}
	n = split(text, f);
	if (n < 0)
		return why_set(
		        why, why_size, -EBADMSG,
		        "line %u: fields are separated by one space, with none at either end",
		        line);
	if (strcmp(f[0], "rim") == 0)
		return parse_rim(g, f, n, line, why, why_size);
	if (strcmp(f[0], "m") == 0)
		return parse_measurement(g, f, n, line, why, why_size);
	return why_set(why, why_size, -EBADMSG, "line %u: '%.16s' is neither rim nor m", line,
	               f[0]);
}

int gpu_golden_parse(const char *text, size_t size, struct gpu_golden **out, char *why,
                     size_t why_size)
{
	struct gpu_golden *g;
	char *copy, *p, *end;
	unsigned line = 0;
	bool magic = false;
	int r = 0;

	*out = NULL;
	if (size > GPU_GOLDEN_MAX_SIZE)
		return why_set(why, why_size, -EBADMSG, "%zu bytes, more than %u", size,
		               GPU_GOLDEN_MAX_SIZE);
	if (memchr(text, '\0', size))
		return why_set(why, why_size, -EBADMSG, "a NUL byte in the text");
	if (size && text[size - 1] != '\n')
		return why_set(why, why_size, -EBADMSG, "the last line has no line feed");
	g = calloc(1, sizeof(*g));
	copy = malloc(size + 1);
	if (g)
		g->rims = calloc(GPU_GOLDEN_MAX_RIMS, sizeof(*g->rims));
	if (!g || !copy || !g->rims) {
		free(copy);
		gpu_golden_free(g);
		return -ENOMEM;
	}
	memcpy(copy, text, size);
	copy[size] = '\0';
	for (p = copy; r == 0 && p < copy + size; p = end + 1) {
		end = strchr(p, '\n');
		*end = '\0';
		r = parse_line(g, p, ++line, &magic, why, why_size);
	}
	if (r == 0 && !magic)
		r = why_set(why, why_size, -EBADMSG, "empty: no '" GPU_GOLDEN_MAGIC "' line");
	for (unsigned i = 0; r == 0 && i < g->count; i++)
		if (g->rims[i].count == 0)
			r = why_set(why, why_size, -EBADMSG,
			            "%s RIM %s %s has no active measurement",
			            gpu_golden_kind_name(g->rims[i].kind), g->rims[i].model,
			            g->rims[i].version);
	free(copy);
	if (r < 0) {
		gpu_golden_free(g);
		return r;
	}
	*out = g;
	return 0;
}

const struct gpu_golden_rim *gpu_golden_find(const struct gpu_golden *g, enum gpu_golden_kind kind,
                                             const char *model, const char *version)
{
	for (unsigned i = 0; i < g->count; i++) {
		const struct gpu_golden_rim *rim = &g->rims[i];

		if (rim->kind == kind && strcasecmp(rim->model, model) == 0 &&
		    strcasecmp(rim->version, version) == 0)
			return rim;
	}
	return NULL;
}

int gpu_golden_write_header(FILE *f)
{
	return fputs(GPU_GOLDEN_MAGIC "\n", f) < 0 ? -EIO : 0;
}

int gpu_golden_write_rim(FILE *f, const struct gpu_golden_rim *rim)
{
	char hex[2 * GPU_GOLDEN_MAX_VALUE + 1];

	if (fprintf(f, "rim %s %s %s %s %s\n", gpu_golden_kind_name(rim->kind), rim->model,
	            rim->version, rim->sha256, rim->expired ? "expired" : "valid") < 0)
		return -EIO;
	for (unsigned i = 0; i < rim->count; i++) {
		const struct gpu_golden_measurement *m = &rim->m[i];

		if (fprintf(f, "m %u %u ", m->index, m->size) < 0)
			return -EIO;
		for (unsigned a = 0; a < m->alternatives; a++) {
			hex_encode(m->values[a], m->size, hex);
			if (fprintf(f, "%s%s", a ? "," : "", hex) < 0)
				return -EIO;
		}
		if (fputc('\n', f) == EOF)
			return -EIO;
	}
	return 0;
}
