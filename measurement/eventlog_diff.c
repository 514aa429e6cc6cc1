/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Comparing a CC event log with a prediction: reads the prediction JSON that
 * `ccimage measure --mode tdx --json --events` writes (a small strict reader,
 * so the host tool needs no JSON library) and names, per RTMR, the first event
 * that differs and what the prediction expected there.
 */
#include "measurement/eventlog.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define MAX_DEPTH 32

struct rd {
	const char *s;
	size_t len, pos;
	char *err;
};

static void ws(struct rd *r)
{
	while (r->pos < r->len && strchr(" \t\r\n", r->s[r->pos]) && r->s[r->pos])
		r->pos++;
}

static int fail(struct rd *r, const char *what)
{
	tdx_err(r->err, "prediction JSON: %s at byte %zu", what, r->pos);
	return -EBADMSG;
}

static int expect(struct rd *r, char c)
{
	ws(r);
	if (r->pos >= r->len || r->s[r->pos] != c) {
		char what[32];
		snprintf(what, sizeof(what), "expected '%c'", c);
		return fail(r, what);
	}
	r->pos++;
	return 0;
}

static bool peek(struct rd *r, char c)
{
	ws(r);
	return r->pos < r->len && r->s[r->pos] == c;
}

/* A JSON string into out (truncated to cap - 1; non-ASCII escapes become '?'). */
static int string(struct rd *r, char *out, size_t cap)
{
	size_t n = 0;
	int e = expect(r, '"');

	if (e < 0)
		return e;
	while (r->pos < r->len) {
		char c = r->s[r->pos++];
		if (c == '"') {
			if (cap)
				out[n < cap ? n : cap - 1] = '\0';
			return 0;
		}
		if ((unsigned char)c < 0x20)
			return fail(r, "control character in string");
		if (c == '\\') {
			if (r->pos >= r->len)
				break;
			c = r->s[r->pos++];
			if (c == 'u') {
				if (r->len - r->pos < 4)
					break;
				for (int i = 0; i < 4; i++)
					if (!strchr("0123456789abcdefABCDEF", r->s[r->pos + i]) ||
					    !r->s[r->pos + i])
						return fail(r, "bad \\u escape");
				r->pos += 4;
				c = '?';
			} else if (!strchr("\"\\/bfnrt", c) || !c) {
				return fail(r, "bad escape");
			}
		}
		if (n + 1 < cap)
			out[n++] = c;
	}
	return fail(r, "unterminated string");
}

static int skip_value(struct rd *r, int depth)
{
	char tmp[2];
	int e;

	if (depth > MAX_DEPTH)
		return fail(r, "nesting too deep");
	ws(r);
	if (r->pos >= r->len)
		return fail(r, "unexpected end");
	switch (r->s[r->pos]) {
	case '"':
		return string(r, tmp, sizeof(tmp));
	case '{':
		r->pos++;
		if (peek(r, '}'))
			return expect(r, '}');
		do {
			if ((e = string(r, tmp, sizeof(tmp))) < 0 || (e = expect(r, ':')) < 0 ||
			    (e = skip_value(r, depth + 1)) < 0)
				return e;
		} while (peek(r, ',') && expect(r, ',') == 0);
		return expect(r, '}');
	case '[':
		r->pos++;
		if (peek(r, ']'))
			return expect(r, ']');
		do {
			if ((e = skip_value(r, depth + 1)) < 0)
				return e;
		} while (peek(r, ',') && expect(r, ',') == 0);
		return expect(r, ']');
	default: {
		/* Numbers and literals: the characters they may contain. */
		size_t start = r->pos;
		while (r->pos < r->len && r->s[r->pos] &&
		       strchr("0123456789+-.eEtruefalsn", r->s[r->pos]))
			r->pos++;
		return r->pos > start ? 0 : fail(r, "unexpected character");
	}
	}
}

/* A 96-hex-digit digest given as "hex" or ["hex", ...] (the first is taken). */
static int digest_value(struct rd *r, uint8_t out[SHA384_LEN])
{
	char hex[2 * SHA384_LEN + 2];
	bool list = peek(r, '[');
	int e;

	if (list)
		r->pos++;
	e = string(r, hex, sizeof(hex));
	if (e < 0)
		return e;
	if (tdx_unhex(hex, out, SHA384_LEN) < 0)
		return fail(r, "a digest is not 96 hex digits");
	if (!list)
		return 0;
	while (peek(r, ',')) {
		r->pos++;
		if ((e = skip_value(r, 1)) < 0)
			return e;
	}
	return expect(r, ']');
}

static int rtmr_key(const char *key)
{
	if (strncmp(key, "rtmr_", 5) == 0 && key[5] >= '0' && key[5] <= '3' && !key[6])
		return key[5] - '0';
	return -1;
}

static int event_list(struct rd *r, struct prediction *p, int mr)
{
	int e = expect(r, '[');

	if (e < 0)
		return e;
	p->has_events[mr] = true;
	if (peek(r, ']'))
		return expect(r, ']');
	do {
		struct pred_event *pe;
		bool have_digest = false;
		char key[32];
		if (p->n_ev[mr] >= PRED_MAX_EVENTS)
			return fail(r, "too many events for one register");
		pe = &p->ev[mr][p->n_ev[mr]];
		snprintf(pe->name, sizeof(pe->name), "event");
		if ((e = expect(r, '{')) < 0)
			return e;
		if (!peek(r, '}')) {
			do {
				if ((e = string(r, key, sizeof(key))) < 0 ||
				    (e = expect(r, ':')) < 0)
					return e;
				if (strcmp(key, "name") == 0) {
					e = string(r, pe->name, sizeof(pe->name));
				} else if (strcmp(key, "digest") == 0) {
					e = digest_value(r, pe->digest);
					have_digest = true;
				} else {
					e = skip_value(r, 2);
				}
				if (e < 0)
					return e;
			} while (peek(r, ',') && expect(r, ',') == 0);
		}
		if ((e = expect(r, '}')) < 0)
			return e;
		if (!have_digest)
			return fail(r, "an event has no digest");
		p->n_ev[mr]++;
	} while (peek(r, ',') && expect(r, ',') == 0);
	return expect(r, ']');
}

static int events_object(struct rd *r, struct prediction *p)
{
	char key[32];
	int e = expect(r, '{');

	if (e < 0)
		return e;
	if (peek(r, '}'))
		return expect(r, '}');
	do {
		int mr;
		if ((e = string(r, key, sizeof(key))) < 0 || (e = expect(r, ':')) < 0)
			return e;
		mr = rtmr_key(key);
		e = mr >= 0 ? event_list(r, p, mr) : skip_value(r, 1);
		if (e < 0)
			return e;
	} while (peek(r, ',') && expect(r, ',') == 0);
	return expect(r, '}');
}

int prediction_parse(const char *json, size_t len, struct prediction *p, char *err)
{
	struct rd r = {json, len, 0, err};
	char key[32];
	int e;

	memset(p, 0, sizeof(*p));
	if ((e = expect(&r, '{')) < 0)
		return e;
	if (!peek(&r, '}')) {
		do {
			int mr;
			if ((e = string(&r, key, sizeof(key))) < 0 || (e = expect(&r, ':')) < 0)
				return e;
			mr = rtmr_key(key);
			if (mr >= 0) {
				e = digest_value(&r, p->value[mr]);
				p->has_value[mr] = true;
			} else if (strcmp(key, "tdvfkernel") == 0) {
				e = digest_value(&r, p->kernel);
				p->has_kernel = true;
			} else if (strcmp(key, "tdvfkernelparams") == 0) {
				e = digest_value(&r, p->params);
				p->has_params = true;
			} else if (strcmp(key, "events") == 0) {
				e = events_object(&r, p);
			} else {
				e = skip_value(&r, 1);
			}
			if (e < 0)
				return e;
		} while (peek(&r, ',') && expect(&r, ',') == 0);
	}
	if ((e = expect(&r, '}')) < 0)
		return e;
	ws(&r);
	if (r.pos != r.len)
		return fail(&r, "trailing data");
	return 0;
}

static void print_log_event(FILE *f, const struct cc_event *ev)
{
	char desc[256], hex[2 * SHA384_LEN + 1];

	eventlog_describe(ev, desc, sizeof(desc));
	fprintf(f, "%s %s, digest %s", eventlog_type_name(ev->type), desc,
	        tdx_hex(ev->digest, SHA384_LEN, hex));
}

/* What the predicted event depends on, so the reader knows which input to check. */
static const char *hint(const char *name, const struct cc_event *got)
{
	static const char acpi[] = "QEMU's ACPI blobs: QEMU version, vCPUs, RAM and every device";
	static const struct {
		const char *name, *hint;
	} hints[] = {
	        {"kernel", "the kernel file, and as QEMU patches it, the initrd size and --memory "
	                   "(unless RAM is exactly 2 GiB or at least 0xB0000000)"},
	        {"kernel_cmdline", "the whole command line the VMM passes (Kata adds its own "
	                           "parameters), plus \" initrd=initrd\" when there is an initrd"},
	        {"initrd", "the initrd bytes"},
	        {"td_hob", "--memory and the firmware's TDVF memory layout"},
	        {"cfv", "the firmware's VARS region"},
	        {"acpi_loader", acpi},
	        {"acpi_rsdp", acpi},
	        {"acpi_tables", acpi},
	};
	bool log_sep = got && got->type == EV_SEPARATOR;

	if (log_sep != (strcmp(name, "separator") == 0))
		return "the firmware orders its events differently: try the other --profile";
	for (size_t i = 0; i < sizeof(hints) / sizeof(hints[0]); i++)
		if (strcmp(hints[i].name, name) == 0)
			return hints[i].hint;
	return NULL;
}

/* Compares one register's events; returns 1 when they differ. */
static int diff_events(const struct cc_eventlog *log, const struct prediction *p, int mr, FILE *f)
{
	const struct cc_event *got[PRED_MAX_EVENTS + 1];
	size_t n = 0, np = p->n_ev[mr];
	char hex[2 * SHA384_LEN + 1];

	for (size_t i = 0; i < log->n && n <= PRED_MAX_EVENTS; i++)
		if (eventlog_extends(&log->ev[i]) && eventlog_rtmr(&log->ev[i]) == mr)
			got[n++] = &log->ev[i];
	for (size_t i = 0; i < n || i < np; i++) {
		if (i < n && i < np && memcmp(got[i]->digest, p->ev[mr][i].digest, SHA384_LEN) == 0)
			continue;
		fprintf(f, "RTMR%d: event %zu differs\n", mr, i + 1);
		fprintf(f, "  log:        ");
		if (i < n)
			print_log_event(f, got[i]);
		else
			fprintf(f, "(no event: the log has %zu events for RTMR%d)", n, mr);
		fprintf(f, "\n  prediction: ");
		if (i < np) {
			const char *h = hint(p->ev[mr][i].name, i < n ? got[i] : NULL);
			fprintf(f, "%s, digest %s\n", p->ev[mr][i].name,
			        tdx_hex(p->ev[mr][i].digest, SHA384_LEN, hex));
			if (h)
				fprintf(f, "  depends on: %s\n", h);
		} else {
			fprintf(f, "(no event: %zu predicted)\n", np);
			if (got[i]->type == EV_SEPARATOR)
				fprintf(f, "  depends on: %s\n", hint("", got[i]));
		}
		return 1;
	}
	fprintf(f, "RTMR%d: all %zu events match\n", mr, n);
	return 0;
}

/* Compares a named event digest (tdvfkernel, tdvfkernelparams) with the log's; 1 when different. */
static int diff_named(FILE *f, const char *name, const struct cc_event *ev,
                      const uint8_t want[SHA384_LEN])
{
	char hex[2 * SHA384_LEN + 1];

	if (ev && memcmp(ev->digest, want, SHA384_LEN) == 0) {
		fprintf(f, "%s: matches\n", name);
		return 0;
	}
	fprintf(f, "%s differs\n  log:        ", name);
	if (ev)
		print_log_event(f, ev);
	else
		fprintf(f, "(no such event in the log)");
	fprintf(f, "\n  prediction: %s\n", tdx_hex(want, SHA384_LEN, hex));
	return 1;
}

int eventlog_diff(const struct cc_eventlog *log, const struct prediction *p, FILE *f, char *err)
{
	uint8_t mr[CC_MR_COUNT][SHA384_LEN];
	char a[2 * SHA384_LEN + 1], b[2 * SHA384_LEN + 1];
	int differ = 0, r;

	r = eventlog_replay(log, mr, err);
	if (r < 0)
		return r;
	for (int i = 0; i < CC_MR_COUNT; i++) {
		if (p->has_events[i]) {
			differ += diff_events(log, p, i, f);
		} else if (p->has_value[i]) {
			if (memcmp(mr[i], p->value[i], SHA384_LEN) == 0) {
				fprintf(f, "RTMR%d: matches\n", i);
				continue;
			}
			differ++;
			fprintf(f,
			        "RTMR%d differs: the log replays to %s, the prediction is %s "
			        "(predict with --events to name the event)\n",
			        i, tdx_hex(mr[i], SHA384_LEN, a),
			        tdx_hex(p->value[i], SHA384_LEN, b));
		}
	}
	if (p->has_kernel)
		differ += diff_named(f, "tdvfkernel", eventlog_find_kernel(log), p->kernel);
	if (p->has_params)
		differ += diff_named(f, "tdvfkernelparams", eventlog_find_load_options(log),
		                     p->params);
	return differ;
}
