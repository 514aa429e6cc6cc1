/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Readers for a kernel .config and for our fragments, and the comparison.
 * The input is outside data (a .config from wherever the user found it), so
 * every line is bounded and anything we do not understand is an error with
 * its line number: a checker that skipped a line it could not read might pass
 * a kernel it never looked at.
 */
#include "kernel-configs/kconfig.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static int diag_set(struct kconfig_diag *diag, unsigned line, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

static int diag_set(struct kconfig_diag *diag, unsigned line, const char *fmt, ...)
{
	va_list ap;

	if (diag) {
		diag->line = line;
		va_start(ap, fmt);
		vsnprintf(diag->msg, sizeof(diag->msg), fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/* Walks the NUL-terminated copy line by line, cutting each line in place. */
struct line_iter {
	char *p, *end;
	unsigned no;
};

/* Returns: 1 with *ret_line set, 0 at the end, -EINVAL for a bad line. */
static int next_line(struct line_iter *it, char **ret_line, struct kconfig_diag *diag)
{
	char *nl, *line = it->p;
	size_t len;

	if (it->p >= it->end)
		return 0;
	it->no++;
	nl = memchr(it->p, '\n', (size_t)(it->end - it->p));
	len = nl ? (size_t)(nl - it->p) : (size_t)(it->end - it->p);
	if (len > KCONFIG_MAX_LINE)
		return diag_set(diag, it->no, "line longer than %u bytes", KCONFIG_MAX_LINE);
	if (memchr(line, '\0', len))
		return diag_set(diag, it->no, "NUL byte in line");
	line[len] = '\0';
	it->p = line + len + 1;
	*ret_line = line;
	return 1;
}

static bool is_symbol_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '_';
}

/* Returns the length of the symbol name at s (0 when none, or too long). */
static size_t symbol_len(const char *s)
{
	size_t n = 0;

	while (is_symbol_char(s[n]))
		n++;
	return n <= KCONFIG_MAX_NAME ? n : 0;
}

static bool is_number(const char *v)
{
	if (v[0] == '0' && v[1] == 'x') {
		v += 2;
		if (!*v)
			return false;
		for (; *v; v++)
			if (!((*v >= '0' && *v <= '9') || (*v >= 'a' && *v <= 'f') ||
			      (*v >= 'A' && *v <= 'F')))
				return false;
		return true;
	}
	if (*v == '-')
		v++;
	if (!*v)
		return false;
	for (; *v; v++)
		if (*v < '0' || *v > '9')
			return false;
	return true;
}

/* Kconfig writes strings with \" and \\ escapes and nothing after the closing quote. */
static bool is_quoted_string(const char *v)
{
	size_t i = 1;

	if (v[0] != '"')
		return false;
	while (v[i] && v[i] != '"') {
		if (v[i] == '\\' && !v[++i])
			return false;
		i++;
	}
	return v[i] == '"' && v[i + 1] == '\0';
}

/*
 * Parses an option line in place. Returns: 1 for an option (o filled), 0 for a
 * comment or blank line, -EINVAL for anything else. With strict_comments, a
 * comment that starts like "# CONFIG_" must be the "is not set" form: in a
 * fragment a misspelt one would otherwise vanish silently.
 */
static int parse_option(char *line, unsigned no, bool strict_comments, struct kconfig_option *o,
                        struct kconfig_diag *diag)
{
	static const char unset_prefix[] = "# CONFIG_", unset_suffix[] = " is not set";
	size_t n;

	if (line[strspn(line, " \t")] == '\0')
		return 0;
	if (line[0] == '#') {
		if (strncmp(line, unset_prefix, sizeof(unset_prefix) - 1) != 0)
			return 0;
		char *name = line + sizeof(unset_prefix) - 1;
		n = symbol_len(name);
		if (n == 0 || strcmp(name + n, unset_suffix) != 0) {
			if (strict_comments)
				return diag_set(diag, no,
				                "comment starting with \"# CONFIG_\" is not "
				                "\"# CONFIG_<NAME> is not set\"");
			return 0;
		}
		name[n] = '\0';
		*o = (struct kconfig_option){.name = name, .state = KCONFIG_NOT_SET, .line = no};
		return 1;
	}
	if (strncmp(line, "CONFIG_", 7) != 0)
		return diag_set(diag, no, "line is neither CONFIG_<NAME>=<value> nor a comment");
	char *name = line + 7;
	n = symbol_len(name);
	if (n == 0 || name[n] != '=')
		return diag_set(diag, no, "bad symbol name or missing '=' after it");
	name[n] = '\0';
	char *v = name + n + 1;
	*o = (struct kconfig_option){.name = name, .line = no};
	if (strcmp(v, "y") == 0)
		o->state = KCONFIG_Y;
	else if (strcmp(v, "m") == 0)
		o->state = KCONFIG_M;
	else if (strcmp(v, "n") == 0)
		o->state = KCONFIG_NOT_SET;
	else if (is_quoted_string(v) || is_number(v)) {
		o->state = KCONFIG_VALUE;
		o->value = v;
	} else
		return diag_set(diag, no,
		                "CONFIG_%s: value is not y, m, n, a quoted string or a number",
		                name);
	return 1;
}

static int option_cmp(const void *a, const void *b)
{
	const struct kconfig_option *x = a, *y = b;
	int r = strcmp(x->name, y->name);

	if (r)
		return r;
	return (x->line > y->line) - (x->line < y->line);
}

/* Copies data into a NUL-terminated buffer we may cut up. */
/*
 * A private NUL-terminated copy of the input in *buf (the options point
 * into it) and an iterator over its lines: how both readers start.
 */
static int lines_open(const char *data, size_t len, char **buf, struct line_iter *it)
{
	if (len > KCONFIG_MAX_FILE)
		return -EFBIG;
	*buf = malloc(len + 1);
	if (!*buf)
		return -ENOMEM;
	if (len)
		memcpy(*buf, data, len);
	(*buf)[len] = '\0';
	*it = (struct line_iter){.p = *buf, .end = *buf + len};
	return 0;
}

static int grow(void **array, size_t *cap, size_t n, size_t elem)
{
	void *p;
	size_t ncap;

	if (n < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 64;
	p = reallocarray(*array, ncap, elem);
	if (!p)
		return -ENOMEM;
	*array = p;
	*cap = ncap;
	return 0;
}

int kconfig_parse(const char *data, size_t len, struct kconfig *ret, struct kconfig_diag *diag)
{
	struct kconfig c = {0};
	struct line_iter it;
	size_t cap = 0;
	char *line;
	int r = lines_open(data, len, &c.buf, &it);

	if (r < 0)
		return r;
	while ((r = next_line(&it, &line, diag)) > 0) {
		struct kconfig_option o;
		unsigned major, minor;

		/* Kconfig's header names the kernel: "# Linux/x86 6.12.118 Kernel Configuration".
		 */
		if (!c.version && sscanf(line, "# Linux/%*s %u.%u", &major, &minor) == 2 &&
		    major < 256 && minor < 256)
			c.version = KCONFIG_VERSION(major, minor);
		r = parse_option(line, it.no, false, &o, diag);
		if (r < 0)
			goto fail;
		if (r == 0)
			continue;
		r = grow((void **)&c.opts, &cap, c.n, sizeof(*c.opts));
		if (r < 0)
			goto fail;
		c.opts[c.n++] = o;
	}
	if (r < 0)
		goto fail;
	if (c.n == 0) {
		/* Every want would fail against it; say what is really wrong. */
		r = diag_set(diag, 0, "names no CONFIG_ option: not a kernel .config");
		goto fail;
	}
	qsort(c.opts, c.n, sizeof(*c.opts), option_cmp);
	for (size_t i = 1; i < c.n; i++)
		if (strcmp(c.opts[i - 1].name, c.opts[i].name) == 0) {
			/* Kconfig itself would take the last one; a checker must not guess. */
			r = diag_set(diag, c.opts[i].line,
			             "CONFIG_%s is given twice (lines %u and %u)", c.opts[i].name,
			             c.opts[i - 1].line, c.opts[i].line);
			goto fail;
		}
	*ret = c;
	return 0;
fail:
	kconfig_done(&c);
	return r;
}

const struct kconfig_option *kconfig_find(const struct kconfig *c, const char *name)
{
	size_t lo = 0, hi = c->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int r = strcmp(name, c->opts[mid].name);

		if (r == 0)
			return &c->opts[mid];
		if (r < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

void kconfig_done(struct kconfig *c)
{
	free(c->opts);
	free(c->buf);
	*c = (struct kconfig){0};
}

/* The "# why:" block being collected for the next option line. */
struct pending {
	bool open;
	unsigned line;
	unsigned accept;
	unsigned since, until;
	int severity; /* -1: the fragment's */
	char *why;
	size_t why_len;
};

static int why_append(struct pending *p, const char *text)
{
	size_t n = strlen(text), add = (p->why_len ? 1 : 0) + n;
	char *w;

	if (n == 0)
		return 0;
	w = realloc(p->why, p->why_len + add + 1);
	if (!w)
		return -ENOMEM;
	if (p->why_len)
		w[p->why_len++] = ' ';
	memcpy(w + p->why_len, text, n + 1);
	p->why = w;
	p->why_len += n;
	return 0;
}

static char *trim(char *s)
{
	size_t n;

	s += strspn(s, " \t");
	n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = '\0';
	return s;
}

static int parse_severity(const char *v, unsigned no, struct kconfig_diag *diag)
{
	if (strcmp(v, "error") == 0)
		return KCONFIG_SEV_ERROR;
	if (strcmp(v, "warning") == 0)
		return KCONFIG_SEV_WARNING;
	return diag_set(diag, no, "severity must be \"error\" or \"warning\"");
}

/* "y|m", "y", "m|n" ...: each of y, m, n at most once. */
static int parse_accept(char *v, unsigned no, unsigned *ret, struct kconfig_diag *diag)
{
	unsigned mask = 0;
	char *save = NULL;

	for (char *tok = strtok_r(v, "|", &save); tok; tok = strtok_r(NULL, "|", &save)) {
		tok = trim(tok);
		unsigned bit = strcmp(tok, "y") == 0   ? KCONFIG_ACCEPT_Y
		               : strcmp(tok, "m") == 0 ? KCONFIG_ACCEPT_M
		               : strcmp(tok, "n") == 0 ? KCONFIG_ACCEPT_N
		                                       : 0;
		if (!bit || (mask & bit))
			return diag_set(diag, no,
			                "accept: wants y, m and n, each at most once, "
			                "separated by '|'");
		mask |= bit;
	}
	if (!mask)
		return diag_set(diag, no, "accept: is empty");
	*ret = mask;
	return 0;
}

/*
 * A directive is "# key: value" with a lower-case key. Every such line must
 * be a known directive, so that "# serverity: warning" is an error rather
 * than a comment. Returns: 1 with key/value cut in place, 0 when not one.
 */
static int split_directive(char *line, char **ret_key, char **ret_value)
{
	size_t n = 0;
	char *key;

	if (line[0] != '#' || line[1] != ' ')
		return 0;
	key = line + 2;
	while ((key[n] >= 'a' && key[n] <= 'z') || (n > 0 && key[n] == '-'))
		n++;
	if (n == 0 || key[n] != ':' || (key[n + 1] != ' ' && key[n + 1] != '\0'))
		return 0;
	key[n] = '\0';
	*ret_key = key;
	*ret_value = trim(key + n + 1);
	return 1;
}

static int directive(struct kconfig_fragment *f, struct pending *p, bool *file_severity_set,
                     const char *key, char *value, unsigned no, struct kconfig_diag *diag)
{
	int r;

	if (strcmp(key, "why") == 0) {
		if (p->open)
			return diag_set(diag, no, "second why: before the option of line %u",
			                p->line);
		if (!*value)
			return diag_set(diag, no, "why: is empty");
		*p = (struct pending){.open = true, .line = no, .severity = -1};
		return why_append(p, value);
	}
	if (strcmp(key, "accept") == 0) {
		if (!p->open)
			return diag_set(diag, no, "accept: outside a why: block");
		if (p->accept)
			return diag_set(diag, no, "accept: given twice");
		return parse_accept(value, no, &p->accept, diag);
	}
	if (strcmp(key, "severity") == 0) {
		r = parse_severity(value, no, diag);
		if (r < 0)
			return r;
		if (p->open) {
			if (p->severity >= 0)
				return diag_set(diag, no, "severity: given twice for one option");
			p->severity = r;
			return 0;
		}
		if (*file_severity_set || f->n > 0)
			return diag_set(diag, no,
			                "the fragment's severity: must come once, "
			                "before the first option");
		f->severity = r;
		*file_severity_set = true;
		return 0;
	}
	if (strcmp(key, "since") == 0 || strcmp(key, "until") == 0) {
		unsigned *version = key[0] == 's' ? &p->since : &p->until;
		unsigned major, minor;
		int end = 0;
		if (!p->open)
			return diag_set(diag, no, "%s: outside a why: block", key);
		if (*version)
			return diag_set(diag, no, "%s: given twice", key);
		if (sscanf(value, "%3u.%3u%n", &major, &minor, &end) != 2 || value[end] ||
		    major == 0 || major > 255 || minor > 255)
			return diag_set(diag, no, "%s: wants a kernel version, as 6.16", key);
		*version = KCONFIG_VERSION(major, minor);
		if (p->since && p->until && p->since >= p->until)
			return diag_set(diag, no, "until: must name a later kernel than since:");
		return 0;
	}
	return diag_set(diag, no,
	                "unknown directive \"%s:\" (known: why, accept, severity, since, until)",
	                key);
}

static int add_want(struct kconfig_fragment *f, size_t *cap, struct pending *p,
                    const struct kconfig_option *o, struct kconfig_diag *diag)
{
	static const unsigned own[] = {
	        [KCONFIG_NOT_SET] = KCONFIG_ACCEPT_N,
	        [KCONFIG_Y] = KCONFIG_ACCEPT_Y,
	        [KCONFIG_M] = KCONFIG_ACCEPT_M,
	};
	unsigned accept = o->state == KCONFIG_VALUE ? 0 : own[o->state];
	int r;

	if (!p->open)
		return diag_set(diag, o->line, "CONFIG_%s has no \"# why:\" comment above it",
		                o->name);
	if (p->accept) {
		/* The option line is what merge_config.sh builds, so it must pass the check. */
		if (!(p->accept & accept))
			return diag_set(diag, o->line,
			                "CONFIG_%s: accept: does not include the line's own value",
			                o->name);
		accept = p->accept;
	}
	r = grow((void **)&f->wants, cap, f->n, sizeof(*f->wants));
	if (r < 0)
		return r;
	f->wants[f->n++] = (struct kconfig_want){
	        .name = o->name,
	        .accept = accept,
	        .value = o->value,
	        .severity = p->severity >= 0 ? (enum kconfig_severity)p->severity : f->severity,
	        .why = p->why,
	        .line = o->line,
	        .since = p->since,
	        .until = p->until,
	};
	*p = (struct pending){0};
	return 0;
}

static int want_cmp(const void *a, const void *b)
{
	const struct kconfig_want *const *x = a, *const *y = b;

	return strcmp((*x)->name, (*y)->name);
}

static int check_unique(const struct kconfig_fragment *f, struct kconfig_diag *diag)
{
	const struct kconfig_want **idx;
	int r = 0;

	idx = calloc(f->n, sizeof(*idx));
	if (!idx)
		return -ENOMEM;
	for (size_t i = 0; i < f->n; i++)
		idx[i] = &f->wants[i];
	qsort(idx, f->n, sizeof(*idx), want_cmp);
	for (size_t i = 1; i < f->n && r == 0; i++)
		if (strcmp(idx[i - 1]->name, idx[i]->name) == 0) {
			unsigned a = idx[i - 1]->line, b = idx[i]->line;
			r = diag_set(diag, a > b ? a : b,
			             "CONFIG_%s is named twice (lines %u and %u)", idx[i]->name,
			             a < b ? a : b, a > b ? a : b);
		}
	free(idx);
	return r;
}

int kconfig_fragment_parse(const char *data, size_t len, struct kconfig_fragment *ret,
                           struct kconfig_diag *diag)
{
	struct kconfig_fragment f = {.severity = KCONFIG_SEV_ERROR};
	struct pending p = {0};
	bool file_severity_set = false;
	size_t cap = 0;
	char *line, *key, *value;
	struct line_iter it;
	int r = lines_open(data, len, &f.buf, &it);

	if (r < 0)
		return r;
	while ((r = next_line(&it, &line, diag)) > 0) {
		struct kconfig_option o;

		if (split_directive(line, &key, &value)) {
			r = directive(&f, &p, &file_severity_set, key, value, it.no, diag);
		} else if (line[strspn(line, " \t")] == '\0') {
			if (p.open)
				r = diag_set(
				        diag, it.no,
				        "blank line between the why: of line %u and its option",
				        p.line);
		} else {
			r = parse_option(line, it.no, true, &o, diag);
			if (r == 1)
				r = add_want(&f, &cap, &p, &o, diag);
			else if (r == 0 && p.open)
				/* A plain comment inside a block continues the why. */
				r = why_append(&p, trim(line + 1));
		}
		if (r < 0)
			goto fail;
	}
	if (r < 0)
		goto fail;
	if (p.open) {
		r = diag_set(diag, p.line, "why: at the end of the file has no option");
		goto fail;
	}
	if (f.n == 0) {
		r = diag_set(diag, 0, "fragment names no option");
		goto fail;
	}
	r = check_unique(&f, diag);
	if (r < 0)
		goto fail;
	*ret = f;
	return 0;
fail:
	free(p.why);
	kconfig_fragment_done(&f);
	return r;
}

void kconfig_fragment_done(struct kconfig_fragment *f)
{
	for (size_t i = 0; i < f->n; i++)
		free(f->wants[i].why);
	free(f->wants);
	free(f->buf);
	*f = (struct kconfig_fragment){0};
}

enum kconfig_verdict kconfig_match(const struct kconfig *c, const struct kconfig_want *w,
                                   const struct kconfig_option **ret_actual)
{
	const struct kconfig_option *o = kconfig_find(c, w->name);
	unsigned have;

	*ret_actual = o;
	if (w->accept) {
		have = !o                            ? KCONFIG_ACCEPT_N
		       : o->state == KCONFIG_Y       ? KCONFIG_ACCEPT_Y
		       : o->state == KCONFIG_M       ? KCONFIG_ACCEPT_M
		       : o->state == KCONFIG_NOT_SET ? KCONFIG_ACCEPT_N
		                                     : 0;
		if (have & w->accept)
			return KCONFIG_OK;
	} else if (o && o->state == KCONFIG_VALUE && strcmp(o->value, w->value) == 0)
		return KCONFIG_OK;
	/* Not a finding: the option is younger than this kernel (not the same as unmet
	 * dependencies). */
	if (!o && w->since && c->version && c->version < w->since)
		return KCONFIG_PREDATES;
	/* Nor when the kernel has dropped the option (its job moved elsewhere). */
	if (!o && w->until && c->version && c->version >= w->until)
		return KCONFIG_GONE;
	if (!o)
		return KCONFIG_MISSING;
	return o->state == KCONFIG_NOT_SET ? KCONFIG_UNSET : KCONFIG_WRONG;
}
