/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Kata's initdata document (measurement/README.md, 12): the digest of its
 * bytes with the algorithm it names, as Kata places it in the TEE's launch
 * data (SNP HOST_DATA, TDX MRCONFIGID).
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* The largest document `kata initdata` reads: a policy and a few small files. */
#define INITDATA_MAX (1u << 20)

#define INITDATA_MAX_DIGEST    64
#define INITDATA_SNP_HOST_DATA 32 /* SNP HOST_DATA */
#define INITDATA_TDX_CONFIG_ID 48 /* TDX MRCONFIGID */

struct initdata_digest {
	char algorithm[8]; /* sha256, sha384 or sha512 */
	uint8_t digest[INITDATA_MAX_DIGEST];
	size_t digest_size;
	uint8_t snp_host_data[INITDATA_SNP_HOST_DATA];    /* the digest cut or zero-padded */
	uint8_t tdx_mr_config_id[INITDATA_TDX_CONFIG_ID]; /* the same to 48 bytes */
};

/*
 * The document in text (size bytes, named name in errors), as the runtime
 * holds it after decoding the annotation (base64, then gzip). Checks what
 * Kata checks: version "0.1.0", algorithm one of the three, a [data] table
 * of strings.
 * -EINVAL with why naming file, line and field; -ENOMEM; -EIO.
 */
int initdata_digest(const char *name, const char *text, size_t size, struct initdata_digest *out,
                    char *why, size_t why_size);
