/* SPDX-License-Identifier: Apache-2.0 */
/* Trustee RVPS "sample" messages; the format and its versions are in rvps.h. */
#include "measurement/rvps.h"

#include "init/base/base64.h"
#include "init/base/cmdfiles.h"
#include "init/base/fileio.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

/* The newest trustee release whose formats measurement/README.md, 8 describes. */
#define RVPS_NEWEST_MAJOR 0
#define RVPS_NEWEST_MINOR 21

struct rvps_msg {
	unsigned major, minor;
	json_object *payload; /* {name: value}, in the order names were first added */
};

int rvps_version_parse(const char *s, unsigned *major, unsigned *minor)
{
	unsigned a, b, c;
	int used = 0;

	if (!s) {
		*major = RVPS_NEWEST_MAJOR;
		*minor = RVPS_NEWEST_MINOR;
		return 0;
	}
	if (*s == 'v' || *s == 'V')
		s++;
	/* "0.17" or "0.17.0"; the patch level never changes a format. */
	if (!(sscanf(s, "%u.%u.%u%n", &a, &b, &c, &used) == 3 && s[used] == '\0')) {
		used = 0;
		if (!(sscanf(s, "%u.%u%n", &a, &b, &used) == 2 && s[used] == '\0'))
			return -EINVAL;
	}
	/* The sample extractor with message version 0.1.0 starts at v0.10.0. */
	if (a == 0 && b < 10)
		return -EINVAL;
	*major = a;
	*minor = b;
	return 0;
}

static bool version_at_least(const struct rvps_msg *m, unsigned major, unsigned minor)
{
	return m->major > major || (m->major == major && m->minor >= minor);
}

int rvps_new(struct rvps_msg **out, const char *trustee_version)
{
	struct rvps_msg *m = calloc(1, sizeof(*m));
	int r;

	if (!m)
		return -ENOMEM;
	r = rvps_version_parse(trustee_version, &m->major, &m->minor);
	if (r == 0 && !(m->payload = json_object_new_object()))
		r = -ENOMEM;
	if (r < 0) {
		free(m);
		return r;
	}
	*out = m;
	return 0;
}

void rvps_free(struct rvps_msg *m)
{
	if (!m)
		return;
	json_object_put(m->payload);
	free(m);
}

/*
 * Stores value (which this takes over) under name in the shape the policy's comparison and
 * the release want: a list for RVPS_IN, and before v0.14.0, whose sample extractor took only
 * {name: [string, ...]}, a list of the value's text. A name given again keeps its place.
 */
static int add(struct rvps_msg *m, const char *name, enum rvps_cmp cmp, json_object *value)
{
	json_object *list;
	bool strings_only;

	if (!value)
		return -ENOMEM;
	if (!m || !name || !*name) {
		json_object_put(value);
		return -EINVAL;
	}
	strings_only = !version_at_least(m, 0, 14);
	if (strings_only && !json_object_is_type(value, json_type_string)) {
		json_object *text = json_object_new_string(json_object_to_json_string(value));
		json_object_put(value);
		if (!(value = text))
			return -ENOMEM;
	}
	if (cmp == RVPS_IN || strings_only) {
		list = json_object_new_array();
		if (!list || json_object_array_add(list, value) < 0) {
			json_object_put(list);
			json_object_put(value);
			return -ENOMEM;
		}
		value = list;
	}
	if (json_object_object_add(m->payload, name, value) < 0) {
		json_object_put(value);
		return -ENOMEM;
	}
	return 0;
}

int rvps_add_string(struct rvps_msg *m, const char *name, enum rvps_cmp cmp, const char *value)
{
	return value ? add(m, name, cmp, json_object_new_string(value)) : -EINVAL;
}

int rvps_add_strings(struct rvps_msg *m, const char *name, const char *const *values)
{
	json_object *list = json_object_new_array();

	if (!list)
		return -ENOMEM;
	for (; values && *values; values++)
		if (json_object_array_add(list, json_object_new_string(*values)) < 0) {
			json_object_put(list);
			return -ENOMEM;
		}
	/* Already a list: RVPS_EQ keeps it as it is. */
	return add(m, name, RVPS_EQ, list);
}

int rvps_add_hex(struct rvps_msg *m, const char *name, enum rvps_cmp cmp, const uint8_t *bytes,
                 size_t len)
{
	static const char digits[] = "0123456789abcdef";
	char *hex;
	int r;

	if (!bytes && len)
		return -EINVAL;
	hex = malloc(2 * len + 1);
	if (!hex)
		return -ENOMEM;
	for (size_t i = 0; i < len; i++) {
		hex[2 * i] = digits[bytes[i] >> 4];
		hex[2 * i + 1] = digits[bytes[i] & 15];
	}
	hex[2 * len] = '\0';
	r = rvps_add_string(m, name, cmp, hex);
	free(hex);
	return r;
}

int rvps_add_int(struct rvps_msg *m, const char *name, enum rvps_cmp cmp, long long value)
{
	return add(m, name, cmp, json_object_new_int64(value));
}

int rvps_add_bool(struct rvps_msg *m, const char *name, enum rvps_cmp cmp, bool value)
{
	return add(m, name, cmp, json_object_new_boolean(value));
}

int rvps_add_snp_measurement(struct rvps_msg *m, const uint8_t digest[48])
{
	char *b64;
	int r;

	if (!m || !digest)
		return -EINVAL;
	/* trustee d7831293 (v0.18.0) switched the SNP measurement claim from base64 to hex. */
	if (version_at_least(m, 0, 18))
		return rvps_add_hex(m, "snp_launch_measurement", RVPS_IN, digest, 48);
	r = base64_encode(digest, 48, &b64);
	if (r < 0)
		return r;
	r = rvps_add_string(m, "snp_launch_measurement", RVPS_IN, b64);
	free(b64);
	return r;
}

/* Compact, as trustee's own examples are, and with "/" left as it is. */
static int to_string(json_object *o, const char *suffix, char **out)
{
	const char *text = json_object_to_json_string_ext(
	        o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);

	if (!text || asprintf(out, "%s%s", text, suffix) < 0)
		return -ENOMEM;
	return 0;
}

int rvps_payload_json(const struct rvps_msg *m, char **out)
{
	return to_string(m->payload, "", out);
}

int rvps_message_json(const struct rvps_msg *m, char **out)
{
	char *payload = NULL, *b64 = NULL;
	json_object *msg;
	int r;

	r = rvps_payload_json(m, &payload);
	if (r < 0)
		return r;
	r = base64_encode((const uint8_t *)payload, strlen(payload), &b64);
	free(payload);
	if (r < 0)
		return r;
	msg = json_object_new_object();
	if (!msg || json_object_object_add(msg, "version", json_object_new_string("0.1.0")) < 0 ||
	    json_object_object_add(msg, "type", json_object_new_string("sample")) < 0 ||
	    json_object_object_add(msg, "payload", json_object_new_string(b64)) < 0)
		r = -ENOMEM;
	else
		r = to_string(msg, "\n", out);
	json_object_put(msg);
	free(b64);
	return r;
}

int rvps_write(const struct rvps_msg *m, FILE *f)
{
	char *msg;
	int r = rvps_message_json(m, &msg);

	if (r < 0)
		return r;
	if (fputs(msg, f) == EOF || fflush(f) == EOF)
		r = -EIO;
	free(msg);
	return r;
}

int rvps_write_file(const struct rvps_msg *m, const char *path)
{
	char *msg;
	int r;

	if (strcmp(path, "-") == 0)
		return rvps_write(m, stdout);
	/* The rename below would replace a device or a FIFO: refused, whoever called. */
	if ((r = check_output_path(path, NULL, 0)) < 0)
		return r;
	r = rvps_message_json(m, &msg);
	if (r < 0)
		return r;
	/* Whole or not at all: a verifier must never register half a message. */
	r = write_string_file(path, msg, WRITE_ATOMIC);
	free(msg);
	return r;
}
