/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The SNP guest context's launch digest: LD = SHA-384(PAGE_INFO) for every
 * page update (SNP ABI 8.17.2, measurement/README.md, 4.1). Internal to snp*.c.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <openssl/types.h>

#include "measurement/snp.h"

struct snp_gctx {
	uint8_t ld[SNP_LD_SIZE];
	EVP_MD_CTX *ctx; /* reused for every SHA-384 */
	EVP_MD *md;
};

/* Starts from seed, or 48 zero bytes when seed is NULL. */
int snp_gctx_init(struct snp_gctx *g, const uint8_t *seed);
void snp_gctx_done(struct snp_gctx *g);

int snp_gctx_update(struct snp_gctx *g, enum snp_page_type type, uint64_t gpa,
                    const uint8_t contents[SNP_LD_SIZE]);
/* NORMAL updates for len bytes at gpa; len must be a multiple of the page size. */
int snp_gctx_update_normal(struct snp_gctx *g, uint64_t gpa, const uint8_t *data, size_t len);
/* Updates with zero CONTENTS (ZERO, UNMEASURED, SECRETS, CPUID), one per 4 KiB of len. */
int snp_gctx_update_empty(struct snp_gctx *g, enum snp_page_type type, uint64_t gpa, uint64_t len);
int snp_gctx_update_vmsa(struct snp_gctx *g, const uint8_t page[SNP_PAGE_SIZE]);
