/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SHA-256 (FIPS 180-4), for ccinit's own identity line (the guest has no crypto library),
 * and its constants for the multi-lane engine in measurement/verity_sha256_x16.c.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

struct sha256 {
	uint32_t h[8];
	uint64_t length;
	uint8_t block[64];
	size_t fill;
};

/* FIPS 180-4 4.2.2: the round constants K0..K63. */
extern const uint32_t sha256_round_constants[64];
/* FIPS 180-4 5.3.3: the initial hash value H(0). */
extern const uint32_t sha256_initial_state[8];

void sha256_init(struct sha256 *s);
void sha256_update(struct sha256 *s, const void *data, size_t len);
void sha256_final(struct sha256 *s, uint8_t digest[32]);
