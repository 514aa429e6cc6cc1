/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

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

static bool uuid_dash_at(size_t i)
{
	return i == 8 || i == 13 || i == 18 || i == 23;
}

int uuid_from_text(const char *text, uint8_t out[16])
{
	size_t n = 0;

	if (strlen(text) != UUID_TEXT_SIZE - 1)
		return -EINVAL;
	for (size_t i = 0; i < UUID_TEXT_SIZE - 1;) {
		if (uuid_dash_at(i)) {
			if (text[i++] != '-')
				return -EINVAL;
		} else {
			if (hex_decode(text + i, 2, &out[n++], 1) != 1)
				return -EINVAL;
			i += 2;
		}
	}
	return 0;
}

void uuid_to_text(const uint8_t in[16], char out[UUID_TEXT_SIZE])
{
	char *p = out;

	for (size_t n = 0; n < 16; n++) {
		if (uuid_dash_at((size_t)(p - out)))
			*p++ = '-';
		hex_encode(in + n, 1, p);
		p += 2;
	}
}

/* Where the i-th stored byte of a GUID stands among the bytes as the text writes them. */
static const uint8_t guid_text_order[16] = {3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15};

int guid_from_text(const char *text, uint8_t out[16])
{
	uint8_t as_written[16];
	int r = uuid_from_text(text, as_written);

	for (size_t i = 0; r == 0 && i < 16; i++)
		out[i] = as_written[guid_text_order[i]];
	return r;
}

void guid_to_text(const uint8_t in[16], char out[UUID_TEXT_SIZE])
{
	uint8_t as_written[16];

	for (size_t i = 0; i < 16; i++)
		as_written[guid_text_order[i]] = in[i];
	uuid_to_text(as_written, out);
}
