/* SPDX-License-Identifier: Apache-2.0 */
/* Trustee RVPS "sample" messages; the format and its versions are in rvps.h. */
#include "measurement/rvps.h"

#include "init/base/fileio.h"
#include "init/base/json.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* The newest trustee release whose formats measurement/README.md, 8 describes. */
#define RVPS_NEWEST_MAJOR 0
#define RVPS_NEWEST_MINOR 21

enum rvps_type { T_STRING, T_INT, T_BOOL };

struct rvps_value {
	char *name;
	enum rvps_cmp cmp;
	enum rvps_type type;
	char *text; /* the string, or the decimal/word form of an int or bool */
};

struct rvps_msg {
	unsigned major, minor;
	struct rvps_value *v;
	size_t n;
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
	for (size_t i = 0; i < m->n; i++) {
		free(m->v[i].name);
		free(m->v[i].text);
	}
	free(m->v);
	free(m);
}

static int add(struct rvps_msg *m, const char *name, enum rvps_cmp cmp, enum rvps_type type,
               const char *text)
{
	struct rvps_value *slot = NULL;
	char *t, *nm;

	if (!m || !name || !*name || !text)
		return -EINVAL;
	for (size_t i = 0; i < m->n; i++)
		if (strcmp(m->v[i].name, name) == 0)
			slot = &m->v[i];
	t = strdup(text);
	if (!t)
		return -ENOMEM;
	if (slot) {
		free(slot->text);
	} else {
		struct rvps_value *nv = realloc(m->v, (m->n + 1) * sizeof(*nv));
		nm = strdup(name);
		if (!nv || !nm) {
			if (nv)
				m->v = nv;
			free(nm);
			free(t);
			return -ENOMEM;
		}
		m->v = nv;
		slot = &m->v[m->n++];
		slot->name = nm;
	}
	slot->cmp = cmp;
	slot->type = type;
	slot->text = t;
	return 0;
}

int rvps_add_string(struct rvps_msg *m, const char *name, enum rvps_cmp cmp, const char *value)
{
	return add(m, name, cmp, T_STRING, value);
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
	r = add(m, name, cmp, T_STRING, hex);
	free(hex);
	return r;
}

int rvps_add_int(struct rvps_msg *m, const char *name, enum rvps_cmp cmp, long long value)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%lld", value);
	return add(m, name, cmp, T_INT, buf);
}

int rvps_add_bool(struct rvps_msg *m, const char *name, enum rvps_cmp cmp, bool value)
{
	return add(m, name, cmp, T_BOOL, value ? "true" : "false");
}

int rvps_base64(const uint8_t *data, size_t n, char **out)
{
	static const char tbl[] =
	        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char *s, *p;

	if (n > (SIZE_MAX - 1) / 4 * 3 - 3)
		return -EOVERFLOW;
	s = malloc((n + 2) / 3 * 4 + 1);
	if (!s)
		return -ENOMEM;
	p = s;
	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)data[i] << 16;
		size_t left = n - i;
		if (left > 1)
			v |= (uint32_t)data[i + 1] << 8;
		if (left > 2)
			v |= data[i + 2];
		*p++ = tbl[(v >> 18) & 63];
		*p++ = tbl[(v >> 12) & 63];
		*p++ = left > 1 ? tbl[(v >> 6) & 63] : '=';
		*p++ = left > 2 ? tbl[v & 63] : '=';
	}
	*p = '\0';
	*out = s;
	return 0;
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
	r = rvps_base64(digest, 48, &b64);
	if (r < 0)
		return r;
	r = add(m, "snp_launch_measurement", RVPS_IN, T_STRING, b64);
	free(b64);
	return r;
}

/* A growable string; on allocation failure it remembers the error and stops growing. */
struct sbuf {
	char *s;
	size_t len, cap;
	int err;
};

static void sb_putn(struct sbuf *b, const char *s, size_t n)
{
	if (b->err)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *ns = realloc(b->s, cap);
		if (!ns) {
			b->err = -ENOMEM;
			return;
		}
		b->s = ns;
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static void sb_puts(struct sbuf *b, const char *s)
{
	sb_putn(b, s, strlen(s));
}

static void sb_json_string(struct sbuf *b, const char *s)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f) {
		b->err = -ENOMEM;
		return;
	}
	json_write_string(f, s);
	if (fclose(f) != 0)
		b->err = -ENOMEM;
	else
		sb_putn(b, text, len);
	free(text);
}

static void sb_value(struct sbuf *b, const struct rvps_value *v, bool strings_only)
{
	if (v->type == T_STRING || strings_only)
		sb_json_string(b, v->text);
	else
		sb_puts(b, v->text);
}

int rvps_payload_json(const struct rvps_msg *m, char **out)
{
	/* Before v0.14.0 the sample extractor took only {name: [string, ...]}. */
	bool old = !version_at_least(m, 0, 14);
	struct sbuf b = {0};

	sb_puts(&b, "{");
	for (size_t i = 0; i < m->n; i++) {
		const struct rvps_value *v = &m->v[i];
		if (i)
			sb_puts(&b, ",");
		sb_json_string(&b, v->name);
		sb_puts(&b, ":");
		if (v->cmp == RVPS_IN || old) {
			sb_puts(&b, "[");
			sb_value(&b, v, old);
			sb_puts(&b, "]");
		} else {
			sb_value(&b, v, false);
		}
	}
	sb_puts(&b, "}");
	if (b.err) {
		free(b.s);
		return b.err;
	}
	*out = b.s;
	return 0;
}

int rvps_message_json(const struct rvps_msg *m, char **out)
{
	char *payload = NULL, *b64 = NULL, *msg;
	int r;

	r = rvps_payload_json(m, &payload);
	if (r < 0)
		return r;
	r = rvps_base64((const uint8_t *)payload, strlen(payload), &b64);
	free(payload);
	if (r < 0)
		return r;
	if (asprintf(&msg, "{\"version\":\"0.1.0\",\"type\":\"sample\",\"payload\":\"%s\"}\n",
	             b64) < 0)
		msg = NULL;
	free(b64);
	if (!msg)
		return -ENOMEM;
	*out = msg;
	return 0;
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
	r = rvps_message_json(m, &msg);
	if (r < 0)
		return r;
	/* Whole or not at all: a verifier must never register half a message. */
	r = write_string_file(path, msg, WRITE_ATOMIC);
	free(msg);
	return r;
}
