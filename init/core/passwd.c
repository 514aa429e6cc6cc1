// SPDX-License-Identifier: Apache-2.0
/*
 * The image's /etc/passwd, read for one thing: the uid and gid of the user a
 * daemon runs as. No NSS, no libc getpwnam (a static musl binary would read
 * the same file, with more code and less control over malformed lines).
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "init/core/passwd.h"

/* A decimal id below 2^31 (what a uid_t can hold without being -1). */
static int parse_id(const char *s, size_t len, unsigned *id)
{
	unsigned long v = 0;
	if (len == 0 || len > 10)
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -EINVAL;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v > 0x7fffffffUL)
		return -EINVAL;
	*id = (unsigned)v;
	return 0;
}

int passwd_find(const char *text, size_t size, const char *name, unsigned *uid, unsigned *gid)
{
	size_t name_len = strlen(name);
	const char *end = text + size;
	if (name_len == 0)
		return -EINVAL;
	for (const char *line = text; line < end;) {
		const char *nl = memchr(line, '\n', (size_t)(end - line));
		const char *line_end = nl ? nl : end;
		const char *field[4];
		size_t len[4];
		const char *p = line;
		unsigned n = 0;
		/* name:password:uid:gid:... */
		while (n < 4 && p <= line_end) {
			const char *colon = memchr(p, ':', (size_t)(line_end - p));
			field[n] = p;
			len[n] = (size_t)((colon ? colon : line_end) - p);
			n++;
			if (!colon)
				break;
			p = colon + 1;
		}
		if (n == 4 && len[0] == name_len && memcmp(field[0], name, name_len) == 0) {
			if (parse_id(field[2], len[2], uid) < 0 ||
			    parse_id(field[3], len[3], gid) < 0)
				return -EINVAL;
			return 0;
		}
		line = line_end + 1;
	}
	return -ENOENT;
}
