/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SHA-256 of sixteen equal-length messages at once, one per 32-bit lane of
 * AVX-512 registers. A verity level is thousands of messages of the same
 * length (salt + block), which is the case multi-buffer hashing is made for:
 * on this project's Xeons it does about twice the bytes per CPU second of
 * OpenSSL's SHA-NI path, though not on every CPU: verity_engine.c times both
 * and takes the faster. Only when the CPU has AVX-512F/BW.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SHA256_X16_LANES 16

/* True when this CPU runs the AVX-512 code and CCIMAGE_VERITY_SIMD is not "0". */
bool sha256_x16_available(void);

/*
 * out[i] = SHA-256(pre || data_i || post), data_i = base + i * stride, each
 * len bytes, for i in 0..15. pre and post are shared by all lanes (the salt
 * goes in front for verity format 1, behind for format 0).
 */
void sha256_x16(const uint8_t *pre, size_t pre_len, const uint8_t *base, size_t stride, size_t len,
                const uint8_t *post, size_t post_len, uint8_t out[SHA256_X16_LANES][32]);
