/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Comparing a CC event log with a prediction: reads the prediction JSON that
 * `ccimage measure --mode tdx --json --events` writes (with json-c, in its
 * strict mode) and names, per RTMR, the first event that differs and what
 * the prediction expected there.
 */
#include "measurement/eventlog.h"
#include "init/base/why.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#define MAX_DEPTH 32

static int fail(char *why, size_t why_size, const char *what)
{
	return why_set(why, why_size, -EBADMSG, "prediction JSON: %s", what);
}

/* A 96-hex-digit digest given as "hex" or ["hex", ...] (the first is taken). */
static int digest_value(json_object *v, uint8_t out[SHA384_LEN], char *why, size_t why_size)
{
	if (json_object_is_type(v, json_type_array) && json_object_array_length(v) > 0)
		v = json_object_array_get_idx(v, 0);
	if (!json_object_is_type(v, json_type_string))
		return fail(why, why_size, "a digest is not a string");
	if (json_object_get_string_len(v) != 2 * SHA384_LEN ||
	    tdx_unhex(json_object_get_string(v), out, SHA384_LEN) < 0)
		return fail(why, why_size, "a digest is not 96 hex digits");
	return 0;
}

/* The register index of "rtmr_0".."rtmr_3"; -ENOENT for any other key. */
static int rtmr_key(const char *key)
{
	if (strncmp(key, "rtmr_", 5) == 0 && key[5] >= '0' && key[5] <= '3' && !key[6])
		return key[5] - '0';
	return -ENOENT;
}

static int event_list(json_object *list, struct prediction *p, int mr, char *why, size_t why_size)
{
	if (!json_object_is_type(list, json_type_array))
		return fail(why, why_size, "an event list is not an array");
	p->has_events[mr] = true;
	for (size_t i = 0; i < json_object_array_length(list); i++) {
		json_object *ev = json_object_array_get_idx(list, i), *name, *digest;
		struct pred_event *pe;
		int e;
		if (p->n_ev[mr] >= PRED_MAX_EVENTS)
			return fail(why, why_size, "too many events for one register");
		if (!json_object_is_type(ev, json_type_object))
			return fail(why, why_size, "an event is not an object");
		pe = &p->ev[mr][p->n_ev[mr]];
		snprintf(pe->name, sizeof(pe->name), "event");
		if (json_object_object_get_ex(ev, "name", &name)) {
			if (!json_object_is_type(name, json_type_string))
				return fail(why, why_size, "an event name is not a string");
			snprintf(pe->name, sizeof(pe->name), "%s", json_object_get_string(name));
		}
		if (!json_object_object_get_ex(ev, "digest", &digest))
			return fail(why, why_size, "an event has no digest");
		if ((e = digest_value(digest, pe->digest, why, why_size)) < 0)
			return e;
		p->n_ev[mr]++;
	}
	return 0;
}

static int events_object(json_object *events, struct prediction *p, char *why, size_t why_size)
{
	if (!json_object_is_type(events, json_type_object))
		return fail(why, why_size, "events is not an object");
	json_object_object_foreach(events, key, list)
	{
		int mr = rtmr_key(key), e;
		if (mr >= 0 && (e = event_list(list, p, mr, why, why_size)) < 0)
			return e;
	}
	return 0;
}

/* One top-level member; unknown keys are skipped. */
static int member(const char *key, json_object *v, struct prediction *p, char *why, size_t why_size)
{
	int mr = rtmr_key(key);

	if (mr >= 0) {
		p->has_value[mr] = true;
		return digest_value(v, p->value[mr], why, why_size);
	}
	if (strcmp(key, "tdvfkernel") == 0) {
		p->has_kernel = true;
		return digest_value(v, p->kernel, why, why_size);
	}
	if (strcmp(key, "tdvfkernelparams") == 0) {
		p->has_params = true;
		return digest_value(v, p->params, why, why_size);
	}
	return strcmp(key, "events") == 0 ? events_object(v, p, why, why_size) : 0;
}

/* json-c, strict, at most MAX_DEPTH deep; nothing but white space after the document. */
static int parse_document(const char *json, size_t len, json_object **ret, char *why,
                          size_t why_size)
{
	struct json_tokener *tok = json_tokener_new_ex(MAX_DEPTH);
	json_object *root;
	size_t end;

	if (!tok)
		return -ENOMEM;
	if (len > INT32_MAX) {
		json_tokener_free(tok);
		return fail(why, why_size, "too large");
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	root = json_tokener_parse_ex(tok, json, (int)len);
	if (!root) {
		enum json_tokener_error e = json_tokener_get_error(tok);
		json_tokener_free(tok);
		return fail(why, why_size,
		            e == json_tokener_continue ? "unexpected end"
		                                       : json_tokener_error_desc(e));
	}
	end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	while (end < len && strchr(" \t\r\n", json[end]) && json[end])
		end++;
	if (end != len || !json_object_is_type(root, json_type_object)) {
		json_object_put(root);
		return fail(why, why_size, end != len ? "trailing data" : "not an object");
	}
	*ret = root;
	return 0;
}

/* A prediction that names nothing would "match" any log: it is refused instead. */
static bool names_a_value(const struct prediction *p)
{
	for (int mr = 0; mr < CC_MR_COUNT; mr++)
		if (p->has_value[mr] || p->has_events[mr])
			return true;
	return p->has_kernel || p->has_params;
}

int prediction_parse(const char *json, size_t len, struct prediction *p, char *why, size_t why_size)
{
	json_object *root = NULL;
	int e;

	memset(p, 0, sizeof(*p));
	if ((e = parse_document(json, len, &root, why, why_size)) < 0)
		return e;
	json_object_object_foreach(root, key, v)
	{
		if ((e = member(key, v, p, why, why_size)) < 0)
			break;
	}
	json_object_put(root);
	if (e == 0 && !names_a_value(p))
		e = fail(why, why_size,
		         "names no register: no rtmr_0..rtmr_3, tdvfkernel, tdvfkernelparams or "
		         "events, so nothing would be compared");
	return e;
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

int eventlog_diff(const struct cc_eventlog *log, const struct prediction *p, FILE *f, char *why,
                  size_t why_size)
{
	uint8_t mr[CC_MR_COUNT][SHA384_LEN];
	char a[2 * SHA384_LEN + 1], b[2 * SHA384_LEN + 1];
	int differ = 0, r;

	r = eventlog_replay(log, mr, why, why_size);
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
