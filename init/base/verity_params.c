/* SPDX-License-Identifier: Apache-2.0 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "init/base/why.h"
#include "init/base/hex.h"
#include "init/base/verity_params.h"

static int parse_u64(const char *s, size_t len, uint64_t *ret)
{
	uint64_t v = 0;
	if (len == 0 || len > 19)
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -EINVAL;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*ret = v;
	return 0;
}

static bool block_size_ok(uint64_t v)
{
	/* The kernel refuses data blocks larger than a page; Kata insists on multiples of 512. */
	return v >= 512 && v <= 4096 && (v & (v - 1)) == 0;
}

static size_t digest_size(const char *name)
{
	if (strcmp(name, "sha256") == 0)
		return 32;
	if (strcmp(name, "sha512") == 0)
		return 64;
	if (strcmp(name, "sha1") == 0)
		return 20;
	return 0;
}

enum { ROOT = 1, SALT = 2, BLOCKS = 4, DBS = 8, HBS = 16, ALL = 31 };

/* One key=value into v; *bit gets the field's bit in ALL (0 for the optional hash). */
static int parse_field(struct verity_params *v, const char *s, size_t klen, const char *val,
                       size_t vlen, unsigned *bit, char *why, size_t why_size)
{
	uint64_t n;

#define KEY(k) (klen == sizeof(k) - 1 && memcmp(s, k, klen) == 0)
	if (KEY("root_hash")) {
		int r = hex_decode(val, vlen, v->root_hash, sizeof(v->root_hash));
		if (r <= 0)
			return why_set(why, why_size, -EINVAL, "root_hash is not hex");
		v->root_hash_size = (size_t)r;
		*bit = ROOT;
	} else if (KEY("salt")) {
		/* "-" is veritysetup's spelling of an empty salt. */
		if (vlen == 1 && val[0] == '-') {
			v->salt_size = 0;
		} else {
			int r = hex_decode(val, vlen, v->salt, sizeof(v->salt));
			if (r < 0)
				return why_set(why, why_size, -EINVAL,
				               "salt is not hex (or longer than 256 bytes)");
			v->salt_size = (size_t)r;
		}
		*bit = SALT;
	} else if (KEY("data_blocks")) {
		if (parse_u64(val, vlen, &n) < 0 || n == 0)
			return why_set(why, why_size, -EINVAL,
			               "data_blocks is not a positive number");
		v->data_blocks = n;
		*bit = BLOCKS;
	} else if (KEY("data_block_size") || KEY("hash_block_size")) {
		bool data = s[0] == 'd';
		if (parse_u64(val, vlen, &n) < 0 || !block_size_ok(n))
			return why_set(why, why_size, -EINVAL,
			               "%s is not a power of two in 512-4096",
			               data ? "data_block_size" : "hash_block_size");
		*(data ? &v->data_block_size : &v->hash_block_size) = (uint32_t)n;
		*bit = data ? DBS : HBS;
	} else if (KEY("hash")) {
		if (vlen >= sizeof(v->hash_name))
			return why_set(why, why_size, -EINVAL, "hash is not a known algorithm");
		memcpy(v->hash_name, val, vlen);
		v->hash_name[vlen] = '\0';
		if (!digest_size(v->hash_name))
			return why_set(why, why_size, -EINVAL,
			               "hash '%s' is not sha1, sha256 or sha512", v->hash_name);
		*bit = 0;
	} else {
		return why_set(why, why_size, -EINVAL, "unknown field '%.*s'", (int)klen, s);
	}
#undef KEY
	return 0;
}

int verity_params_parse(struct verity_params *p, const char *line, char *why, size_t why_size)
{
	struct verity_params v = {0};
	unsigned seen = 0;
	const char *s = line;

	strcpy(v.hash_name, "sha256");
	while (*s) {
		const char *end = strchr(s, ',');
		size_t len = end ? (size_t)(end - s) : strlen(s);
		const char *eq = memchr(s, '=', len);
		if (!eq)
			return why_set(why, why_size, -EINVAL, "'%.*s' is not key=value", (int)len,
			               s);
		size_t klen = (size_t)(eq - s), vlen = len - klen - 1;
		const char *val = eq + 1;
		unsigned bit = 0;

		int r = parse_field(&v, s, klen, val, vlen, &bit, why, why_size);
		if (r < 0)
			return r;
		if (seen & bit)
			return why_set(why, why_size, -EINVAL, "field '%.*s' given twice",
			               (int)klen, s);
		seen |= bit;
		s += len;
		if (*s == ',') {
			s++;
			if (!*s)
				return why_set(why, why_size, -EINVAL, "trailing comma");
		}
	}
	if (seen != ALL) {
		static const char *const names[] = {"root_hash", "salt", "data_blocks",
		                                    "data_block_size", "hash_block_size"};
		for (int i = 0; i < 5; i++)
			if (!(seen & (1u << i)))
				return why_set(why, why_size, -EINVAL, "%s missing", names[i]);
	}
	if (v.root_hash_size != digest_size(v.hash_name))
		return why_set(why, why_size, -EINVAL,
		               "root_hash has %zu bytes, %s digests have %zu", v.root_hash_size,
		               v.hash_name, digest_size(v.hash_name));
	*p = v;
	return 0;
}

int verity_params_format(const struct verity_params *p, char *buf, size_t size)
{
	char root[2 * VERITY_MAX_DIGEST + 1], salt[2 * VERITY_MAX_SALT + 1];
	hex_encode(p->root_hash, p->root_hash_size, root);
	if (p->salt_size)
		hex_encode(p->salt, p->salt_size, salt);
	else
		strcpy(salt, "-");
	int n = snprintf(
	        buf, size,
	        "root_hash=%s,salt=%s,data_blocks=%llu,data_block_size=%u,hash_block_size=%u%s%s",
	        root, salt, (unsigned long long)p->data_blocks, p->data_block_size,
	        p->hash_block_size, strcmp(p->hash_name, "sha256") ? ",hash=" : "",
	        strcmp(p->hash_name, "sha256") ? p->hash_name : "");
	return n < 0 || (size_t)n >= size ? -ENOSPC : n;
}
