/* SPDX-License-Identifier: Apache-2.0 */
/* TDX launch-measurement prediction (MRTD, RTMR1, RTMR2, event digests). */
#pragma once

#include <stddef.h>
#include <stdint.h>

/*
 * `ccimage measure --mode tdx ...`: the measure command (measurement/measure_cmd.c)
 * hands TDX modes here with its argv unchanged. Returns a ccimage exit code.
 */
int tdx_measure_main(int argc, char **argv);

#define SHA384_LEN 48
/* Room for the one-line reason a parser gives when it rejects its input. */
#define TDX_ERR_MAX 200

/* Formats a parser's reason into err (TDX_ERR_MAX bytes; NULL ignores it). */
void tdx_err(char *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* SHA-384 of one buffer; 0 or -ENOMEM/-EIO from the crypto library. */
int tdx_sha384(const void *data, size_t len, uint8_t out[SHA384_LEN]);
/* RTMR = SHA-384(RTMR || digest): the extension every TDX measurement register uses. */
int tdx_extend(uint8_t mr[SHA384_LEN], const uint8_t digest[SHA384_LEN]);
/* Lowercase hex into out (2 * len + 1 bytes). Returns out. */
char *tdx_hex(const uint8_t *bytes, size_t len, char *out);
/* Parses exactly 2 * len hex digits. Returns 0 or -EINVAL. */
int tdx_unhex(const char *s, uint8_t *out, size_t len);

/* Reads a whole file (O_CLOEXEC). Empty files give a non-NULL buffer. Caller frees. */
int tdx_read_file(const char *path, uint8_t **data, size_t *len);
