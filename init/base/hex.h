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

/*
 * UUIDs and EFI GUIDs in the text form "9438d606-4f22-4cc9-b479-a793d411fd21" (either case in,
 * lowercase out). uuid_* keep the 16 bytes in the order the text writes them (RFC 4122, as a
 * verity superblock stores them); guid_* use the order firmware stores, whose first three
 * fields are little-endian. The parsers return 0, or -EINVAL when text is not a UUID.
 */
#define UUID_TEXT_SIZE 37
int uuid_from_text(const char *text, uint8_t out[16]);
void uuid_to_text(const uint8_t in[16], char out[UUID_TEXT_SIZE]);
int guid_from_text(const char *text, uint8_t out[16]);
void guid_to_text(const uint8_t in[16], char out[UUID_TEXT_SIZE]);
