/* SPDX-License-Identifier: Apache-2.0 */
/* SNP launch-digest chaining; the PAGE_INFO layout is in measurement/README.md, 4.1. */
#include "measurement/snp_gctx.h"

#include <errno.h>
#include <string.h>

#include <openssl/evp.h>

#define PAGE_INFO_SIZE 0x70u

int snp_gctx_init(struct snp_gctx *g, const uint8_t *seed)
{
	memset(g, 0, sizeof(*g));
	if (seed)
		memcpy(g->ld, seed, SNP_LD_SIZE);
	/* Fetch once: the implicit fetch of EVP_sha384() per call costs more than hashing
	 * 112 bytes, and a firmware has thousands of pages. */
	g->md = EVP_MD_fetch(NULL, "SHA384", NULL);
	g->ctx = EVP_MD_CTX_new();
	if (!g->md || !g->ctx) {
		snp_gctx_done(g);
		return -ENOMEM;
	}
	return 0;
}

void snp_gctx_done(struct snp_gctx *g)
{
	EVP_MD_CTX_free(g->ctx);
	EVP_MD_free(g->md);
	g->ctx = NULL;
	g->md = NULL;
}

static int sha384(struct snp_gctx *g, const uint8_t *data, size_t len, uint8_t out[SNP_LD_SIZE])
{
	if (EVP_DigestInit_ex2(g->ctx, g->md, NULL) != 1 ||
	    EVP_DigestUpdate(g->ctx, data, len) != 1 || EVP_DigestFinal_ex(g->ctx, out, NULL) != 1)
		return -EIO;
	return 0;
}

int snp_gctx_update(struct snp_gctx *g, enum snp_page_type type, uint64_t gpa,
                    const uint8_t contents[SNP_LD_SIZE])
{
	uint8_t info[PAGE_INFO_SIZE] = {0};

	memcpy(info, g->ld, SNP_LD_SIZE);
	memcpy(info + 0x30, contents, SNP_LD_SIZE);
	info[0x60] = PAGE_INFO_SIZE & 0xff;
	info[0x61] = PAGE_INFO_SIZE >> 8;
	info[0x62] = (uint8_t)type;
	/* 0x63 IMI_PAGE, 0x64..0x66 VMPL3..1 permissions, 0x67 reserved: all zero */
	for (unsigned i = 0; i < 8; i++)
		info[0x68 + i] = (uint8_t)(gpa >> (8 * i));
	return sha384(g, info, sizeof(info), g->ld);
}

int snp_gctx_update_normal(struct snp_gctx *g, uint64_t gpa, const uint8_t *data, size_t len)
{
	uint8_t h[SNP_LD_SIZE];
	int r;

	if (len % SNP_PAGE_SIZE)
		return -EINVAL;
	for (size_t off = 0; off < len; off += SNP_PAGE_SIZE) {
		r = sha384(g, data + off, SNP_PAGE_SIZE, h);
		if (r < 0)
			return r;
		r = snp_gctx_update(g, SNP_PAGE_NORMAL, gpa + off, h);
		if (r < 0)
			return r;
	}
	return 0;
}

int snp_gctx_update_empty(struct snp_gctx *g, enum snp_page_type type, uint64_t gpa, uint64_t len)
{
	static const uint8_t zeros[SNP_LD_SIZE];
	int r;

	if (len % SNP_PAGE_SIZE)
		return -EINVAL;
	for (uint64_t off = 0; off < len; off += SNP_PAGE_SIZE) {
		r = snp_gctx_update(g, type, gpa + off, zeros);
		if (r < 0)
			return r;
	}
	return 0;
}

int snp_gctx_update_vmsa(struct snp_gctx *g, const uint8_t page[SNP_PAGE_SIZE])
{
	uint8_t h[SNP_LD_SIZE];
	int r = sha384(g, page, SNP_PAGE_SIZE, h);

	if (r < 0)
		return r;
	return snp_gctx_update(g, SNP_PAGE_VMSA, SNP_VMSA_GPA, h);
}
