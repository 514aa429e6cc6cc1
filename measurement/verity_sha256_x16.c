/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Sixteen-lane SHA-256 (FIPS 180-4) on AVX-512. Lane i's message words come
 * from one gather at a fixed stride, so blocks that lie wholly inside the
 * data are read in place; the few blocks that mix in the salt, the end of
 * the data or the padding are assembled per lane first. AVX-512's rotates
 * and three-input logic (vpternlogd) give each round in few instructions.
 */
#include "measurement/verity_sha256_x16.h"
#include "init/base/sha256.h"

#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__)
#include <immintrin.h>

#define X16 __attribute__((target("avx512f,avx512bw")))

/* XOR of three (vpternlogd 0x96), choose (0xca), majority (0xe8). */
#define XOR3(a, b, c) _mm512_ternarylogic_epi32(a, b, c, 0x96)
#define ROR(x, n)     _mm512_ror_epi32(x, n)
#define ADD(a, b)     _mm512_add_epi32(a, b)

/* One 64-byte block per lane: lane i's words at src + i * stride (byte offsets in vidx). */
X16 static void compress(__m512i st[8], const uint8_t *src, __m512i vidx)
{
	const __m512i bswap = _mm512_set4_epi32(0x0c0d0e0f, 0x08090a0b, 0x04050607, 0x00010203);
	__m512i w[16];
	__m512i a = st[0], b = st[1], c = st[2], d = st[3], e = st[4], f = st[5], g = st[6],
	        h = st[7];

	for (int t = 0; t < 16; t++)
		w[t] = _mm512_shuffle_epi8(_mm512_i32gather_epi32(vidx, src + 4 * t, 1), bswap);
	for (int t = 0; t < 64; t++) {
		__m512i wt, t1, t2;

		if (t < 16) {
			wt = w[t];
		} else {
			__m512i w15 = w[(t - 15) & 15], w2 = w[(t - 2) & 15];
			__m512i s0 = XOR3(ROR(w15, 7), ROR(w15, 18), _mm512_srli_epi32(w15, 3));
			__m512i s1 = XOR3(ROR(w2, 17), ROR(w2, 19), _mm512_srli_epi32(w2, 10));

			wt = ADD(ADD(w[t & 15], s0), ADD(w[(t - 7) & 15], s1));
			w[t & 15] = wt;
		}
		t1 = ADD(ADD(h, XOR3(ROR(e, 6), ROR(e, 11), ROR(e, 25))),
		         ADD(_mm512_ternarylogic_epi32(e, f, g, 0xca),
		             ADD(wt, _mm512_set1_epi32((int)sha256_round_constants[t]))));
		t2 = ADD(XOR3(ROR(a, 2), ROR(a, 13), ROR(a, 22)),
		         _mm512_ternarylogic_epi32(a, b, c, 0xe8));
		h = g;
		g = f;
		f = e;
		e = ADD(d, t1);
		d = c;
		c = b;
		b = a;
		a = ADD(t1, t2);
	}
	st[0] = ADD(st[0], a);
	st[1] = ADD(st[1], b);
	st[2] = ADD(st[2], c);
	st[3] = ADD(st[3], d);
	st[4] = ADD(st[4], e);
	st[5] = ADD(st[5], f);
	st[6] = ADD(st[6], g);
	st[7] = ADD(st[7], h);
}

/*
 * Byte `pos` of the padded message outside the data (pre, post, the 0x80,
 * zeros, the big-endian bit count): the same for every lane.
 */
static uint8_t shared_byte(const uint8_t *pre, size_t pre_len, size_t len, const uint8_t *post,
                           size_t post_len, uint64_t padded, uint64_t pos)
{
	uint64_t total = (uint64_t)pre_len + len + post_len;

	if (pos < pre_len)
		return pre[pos];
	if (pos < pre_len + len)
		return 0; /* data: filled per lane */
	if (pos < total)
		return post[pos - pre_len - len];
	if (pos == total)
		return 0x80;
	if (pos >= padded - 8)
		return (uint8_t)((total * 8) >> (8 * (padded - 1 - pos)));
	return 0;
}

X16 void sha256_x16(const uint8_t *pre, size_t pre_len, const uint8_t *base, size_t stride,
                    size_t len, const uint8_t *post, size_t post_len,
                    uint8_t out[SHA256_X16_LANES][32])
{
	uint64_t total = (uint64_t)pre_len + len + post_len;
	uint64_t padded = (total + 1 + 8 + 63) / 64 * 64;
	__m512i lanes = _mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
	__m512i vdata = _mm512_mullo_epi32(lanes, _mm512_set1_epi32((int)stride));
	__m512i vtmp = _mm512_mullo_epi32(lanes, _mm512_set1_epi32(64));
	uint8_t tmp[SHA256_X16_LANES][64] __attribute__((aligned(64)));
	uint32_t words[8][SHA256_X16_LANES] __attribute__((aligned(64)));
	__m512i st[8];

	for (int i = 0; i < 8; i++)
		st[i] = _mm512_set1_epi32((int)sha256_initial_state[i]);
	for (uint64_t off = 0; off < padded; off += 64) {
		if (off >= pre_len && off + 64 <= pre_len + len) {
			compress(st, base + (off - pre_len), vdata);
			continue;
		}
		{
			/* A block that mixes shared bytes and data: assemble it per lane. */
			uint64_t lo = off > pre_len ? off : pre_len;
			uint64_t hi = off + 64 < pre_len + len ? off + 64 : pre_len + len;
			uint8_t shared[64];

			for (unsigned k = 0; k < 64; k++)
				shared[k] = shared_byte(pre, pre_len, len, post, post_len, padded,
				                        off + k);
			for (int i = 0; i < SHA256_X16_LANES; i++) {
				memcpy(tmp[i], shared, 64);
				if (lo < hi)
					memcpy(tmp[i] + (lo - off),
					       base + (size_t)i * stride + (lo - pre_len), hi - lo);
			}
		}
		compress(st, &tmp[0][0], vtmp);
	}
	for (int i = 0; i < 8; i++)
		_mm512_store_si512((void *)words[i], st[i]);
	for (int l = 0; l < SHA256_X16_LANES; l++)
		for (int i = 0; i < 8; i++) {
			out[l][4 * i] = (uint8_t)(words[i][l] >> 24);
			out[l][4 * i + 1] = (uint8_t)(words[i][l] >> 16);
			out[l][4 * i + 2] = (uint8_t)(words[i][l] >> 8);
			out[l][4 * i + 3] = (uint8_t)words[i][l];
		}
}

bool sha256_x16_available(void)
{
	const char *env = getenv("CCIMAGE_VERITY_SIMD");

	if (env && strcmp(env, "0") == 0)
		return false;
	__builtin_cpu_init();
	return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw");
}

#else

bool sha256_x16_available(void)
{
	return false;
}

void sha256_x16(const uint8_t *pre, size_t pre_len, const uint8_t *base, size_t stride, size_t len,
                const uint8_t *post, size_t post_len, uint8_t out[SHA256_X16_LANES][32])
{
	(void)pre, (void)pre_len, (void)base, (void)stride, (void)len, (void)post, (void)post_len,
	        (void)out;
	abort(); /* callers check sha256_x16_available() first */
}

#endif
