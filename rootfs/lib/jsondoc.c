/* SPDX-License-Identifier: Apache-2.0 */
#include "rootfs/lib/jsondoc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "init/base/hex.h"

/* The bytes a well-formed sequence led by b takes (RFC 3629, 4), and its second byte's range. */
static size_t utf8_sequence(unsigned char b, unsigned char *lo, unsigned char *hi)
{
	static const struct {
		unsigned char first, last, lo, hi, len;
	} leads[] = {
	        {0xc2, 0xdf, 0x80, 0xbf, 2}, {0xe0, 0xe0, 0xa0, 0xbf, 3},
	        {0xe1, 0xec, 0x80, 0xbf, 3}, {0xed, 0xed, 0x80, 0x9f, 3}, /* no surrogates */
	        {0xee, 0xef, 0x80, 0xbf, 3}, {0xf0, 0xf0, 0x90, 0xbf, 4},
	        {0xf1, 0xf3, 0x80, 0xbf, 4}, {0xf4, 0xf4, 0x80, 0x8f, 4}, /* up to U+10FFFF */
	};

	for (size_t i = 0; i < sizeof(leads) / sizeof(leads[0]); i++)
		if (b >= leads[i].first && b <= leads[i].last) {
			*lo = leads[i].lo;
			*hi = leads[i].hi;
			return leads[i].len;
		}
	return 0;
}

/* How many bytes at p form one valid UTF-8 character; 0 when p[0] starts none. */
static size_t utf8_valid_at(const unsigned char *p)
{
	unsigned char lo, hi;
	size_t n = utf8_sequence(p[0], &lo, &hi);

	if (n == 0 || p[1] < lo || p[1] > hi)
		return 0;
	/* The terminating NUL is no continuation byte: a cut-short sequence stops here. */
	for (size_t i = 2; i < n; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

json_object *jsondoc_text(const char *s)
{
	static const char replacement[] = "\xef\xbf\xbd"; /* U+FFFD */
	const unsigned char *p = (const unsigned char *)s;
	json_object *o;
	size_t used = 0;
	char *clean;

	if (!s)
		return NULL;
	/* Each byte becomes at most the three of U+FFFD. */
	clean = malloc(3 * strlen(s) + 1);
	if (!clean)
		return NULL;
	while (*p) {
		size_t n = *p < 0x80 ? 1 : utf8_valid_at(p);
		if (n) {
			memcpy(clean + used, p, n);
			used += n;
			p += n;
		} else {
			memcpy(clean + used, replacement, 3);
			used += 3;
			p++;
		}
	}
	o = json_object_new_string_len(clean, (int)used);
	free(clean);
	return o;
}

json_object *jsondoc_hex(const uint8_t *b, size_t n)
{
	char *hex = malloc(2 * n + 1);
	json_object *o;

	if (!hex)
		return NULL;
	hex_encode(b, n, hex);
	o = json_object_new_string(hex);
	free(hex);
	return o;
}

json_object *jsondoc_file(const char *path, uint64_t size, const uint8_t sha256[32])
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "path", jsondoc_text(path));
	json_object_object_add(o, "size", json_object_new_uint64(size));
	json_object_object_add(o, "sha256", jsondoc_hex(sha256, 32));
	return o;
}

int jsondoc_print(FILE *f, json_object *doc, int flags)
{
	const char *text = doc ? json_object_to_json_string_ext(doc, flags) : NULL;
	int r = text && fprintf(f, "%s\n", text) >= 0 ? 0 : -EIO;

	json_object_put(doc);
	return r;
}
