// SPDX-License-Identifier: Apache-2.0
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "init/base/base64.h"

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int base64_encode(const uint8_t *data, size_t n, char **out)
{
	char *s, *p;

	if (n > (SIZE_MAX - 1) / 4 * 3 - 3)
		return -EOVERFLOW;
	s = p = malloc((n + 2) / 3 * 4 + 1);
	if (!s)
		return -ENOMEM;
	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)data[i] << 16;

		if (i + 1 < n)
			v |= (uint32_t)data[i + 1] << 8;
		if (i + 2 < n)
			v |= data[i + 2];
		*p++ = alphabet[v >> 18];
		*p++ = alphabet[(v >> 12) & 63];
		*p++ = i + 1 < n ? alphabet[(v >> 6) & 63] : '=';
		*p++ = i + 2 < n ? alphabet[v & 63] : '=';
	}
	*p = '\0';
	*out = s;
	return 0;
}
