/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>

#include "init/base/hex.h"

void hex_encode(const uint8_t *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = '\0';
}

int ascii_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'Z')
		return c - 'A' + 10;
	return 99;
}

static int hex_digit(char c)
{
	int d = ascii_digit(c);

	return d < 16 ? d : -1;
}

int hex_decode(const char *hex, size_t hex_len, uint8_t *out, size_t out_size)
{
	if (hex_len % 2 || hex_len / 2 > out_size)
		return -EINVAL;
	for (size_t i = 0; i < hex_len / 2; i++) {
		int hi = hex_digit(hex[2 * i]), lo = hex_digit(hex[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -EINVAL;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return (int)(hex_len / 2);
}
