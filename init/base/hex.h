/* SPDX-License-Identifier: Apache-2.0 */
/* Hex digests, as every log line, manifest and command line writes them. */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* Lowercase hex of n bytes into out (2n+1 bytes). */
void hex_encode(const uint8_t *in, size_t n, char *out);
/* An ASCII digit's or letter's value (0-9, then a-z or A-Z as 10-35); 99 for anything else. */
int ascii_digit(char c);
/* Decodes hex (either case); returns the byte count or -EINVAL. */
int hex_decode(const char *hex, size_t hex_len, uint8_t *out, size_t out_size);
