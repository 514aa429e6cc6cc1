/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A scan of a TOML document that follows it only as far as the limits of
 * toml_scan.h need: strings and comments (whose bytes are not structure),
 * key/value statements, [headers], and the [ and { of values.
 *
 * Depth is counted as toml++ builds tables: a [header] a.b.c puts its
 * statements 3 deep, a key x.y below it goes to 5, and a value's [ or {
 * opens one more level whose keys count on from there. Only the dots of a
 * key or header count (a float's does not), and the document's statements
 * end at a newline while arrays may run over several lines. Where the text
 * is not TOML, the count may be off, but toml++ stops at the first error:
 * what it builds is the well-formed text before it, which is counted right.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

#include "init/base/why.h"
#include "measurement/kata/toml_scan.h"

enum in { CODE, COMMENT, BASIC, LITERAL, ML_BASIC, ML_LITERAL };

struct scan {
	const char *text, *name;
	size_t size, i;
	unsigned line;
	enum in in;
	struct level {
		unsigned start; /* the depth of the table or array this level is */
		bool table;     /* key = value pairs (the document, {...}), else an array */
	} stack[KATA_TOML_MAX_DEPTH + 1];
	unsigned top;    /* stack[0]: the document's statements, below the last header */
	bool in_key;     /* before the '=' of a pair at stack[top] */
	bool fresh;      /* nothing yet on this statement, so a '[' opens a header */
	unsigned header; /* the ['s of the header being read, 0 outside one */
	unsigned dots;   /* in the current key or header */
	char *why;
	size_t why_size;
};

/* Where the next table or value at this point goes. */
static unsigned depth(const struct scan *s)
{
	const struct level *l = &s->stack[s->top];

	if (s->header)
		return s->header + s->dots;
	return l->start + (l->table ? s->dots + 1 : 1);
}

static int too_deep(const struct scan *s)
{
	return why_set(s->why, s->why_size, -EINVAL,
	               "%s:%u: tables, dotted keys and arrays nested more than %d deep", s->name,
	               s->line, KATA_TOML_MAX_DEPTH);
}

/* The length of the run of q at i (a multi-line string ends at the last three of 3 to 5). */
static size_t run_of(const struct scan *s, char q)
{
	size_t n = 0;

	while (s->i + n < s->size && s->text[s->i + n] == q)
		n++;
	return n;
}

static void in_string(struct scan *s, char c)
{
	bool basic = s->in == BASIC || s->in == ML_BASIC, multi = s->in >= ML_BASIC;
	size_t n;

	if (c == '\\' && basic) {
		/* An escaped quote does not end the string; an escaped newline is still a line. */
		if (s->i + 1 < s->size && s->text[++s->i] == '\n')
			s->line++;
		return;
	}
	if (c != (basic ? '"' : '\''))
		return;
	if (!multi) {
		s->in = CODE;
	} else if ((n = run_of(s, c)) >= 3) {
		s->i += (n > 5 ? 5 : n) - 1;
		s->in = CODE;
	}
}

static void open_string(struct scan *s, char c)
{
	bool three = run_of(s, c) >= 3;

	s->in = c == '"' ? (three ? ML_BASIC : BASIC) : (three ? ML_LITERAL : LITERAL);
	s->i += three ? 2 : 0;
}

/* A [ or { of a value: one level deeper, whose own keys or values count from there. */
static int open_level(struct scan *s, bool table)
{
	unsigned start = depth(s);

	if (start >= KATA_TOML_MAX_DEPTH)
		return too_deep(s);
	s->stack[++s->top] = (struct level){start, table};
	s->in_key = table;
	s->dots = 0;
	return 0;
}

static void end_statement(struct scan *s)
{
	s->in_key = s->fresh = true;
	s->dots = s->header = 0;
}

static int in_code(struct scan *s, char c)
{
	bool value = !s->header && (!s->stack[s->top].table || !s->in_key);

	if ((unsigned char)c >= 0x80)
		return why_set(s->why, s->why_size, -EINVAL,
		               "%s:%u: a byte outside ASCII outside a string or comment", s->name,
		               s->line);
	if (c == '\n') {
		if (s->top == 0)
			end_statement(s);
		return 0;
	}
	if (c == ' ' || c == '\t' || c == '\r')
		return 0;
	if (c == '#')
		s->in = COMMENT;
	else if (c == '"' || c == '\'')
		open_string(s, c);
	else if (c == '.' && (s->header || s->in_key) && depth(s) >= KATA_TOML_MAX_DEPTH)
		return too_deep(s);
	else if (c == '.' && (s->header || s->in_key))
		s->dots++;
	else if (c == '=' && !s->header)
		s->in_key = false;
	else if (c == '[' && s->top == 0 && (s->fresh || (s->header && !s->dots)))
		s->header++;
	else if ((c == '[' || c == '{') && value)
		return open_level(s, c == '{');
	else if (c == ']' && s->header) {
		/* The statements below the header go where it says, and nothing more on its line.
		 */
		s->stack[0].start = depth(s);
		s->header = 0;
		s->in_key = false;
	} else if ((c == ']' || c == '}') && s->top > 0) {
		s->top--;
		s->in_key = false;
		s->dots = 0;
	} else if (c == ',' && s->top > 0 && s->stack[s->top].table) {
		s->in_key = true;
		s->dots = 0;
	}
	s->fresh = false;
	return 0;
}

int kata_toml_scan(const char *name, const char *text, size_t size, char *why, size_t why_size)
{
	struct scan s = {.text = text, .name = name, .size = size, .line = 1};
	int r = 0;

	s.why = why;
	s.why_size = why_size;
	s.stack[0].table = true;
	end_statement(&s);
	for (s.i = 0; r == 0 && s.i < size; s.i++) {
		char c = text[s.i];
		if (c == '\n') {
			s.line++;
			if (s.in != ML_BASIC && s.in != ML_LITERAL)
				s.in = CODE;
		}
		if (s.in == CODE)
			r = in_code(&s, c);
		else if (s.in != COMMENT)
			in_string(&s, c);
	}
	return r;
}
