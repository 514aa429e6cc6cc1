/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SEV, SEV-ES and SEV-SNP launch digests, step for step as sev-snp-measure
 * 0.0.13 computes them (guest.py; measurement/README.md, 4). Its refusals are ours,
 * with its messages where it has one.
 */
#include "measurement/snp.h"

#include <errno.h>
#include <string.h>

#include <openssl/evp.h>

#include "init/base/bytes.h"
#include "init/base/hex.h"
#include "measurement/snp_gctx.h"
#include "init/base/why.h"

#define BSP_EIP   0xfffffff0u
#define PAGE_MASK 0xfffu

/* QEMU's SEV hash table (measurement/README.md, 4.3): a header, then the three entries. */
static const char *const hash_table_guids[] = {
        "9438d606-4f22-4cc9-b479-a793d411fd21", /* header: u16 size of the whole table */
        "97d02dd8-bd20-4c94-aa78-e7714d36ab2a", /* command line */
        "44baf731-3a2f-4bd7-9af1-41e29169781d", /* initrd */
        "4de79437-abd2-427f-b835-d5b172d2045b", /* kernel */
};
#define HASH_ENTRY_SIZE 50u /* GUID, u16 length, SHA-256 */

int sev_hashes_cmdline(const char *append, uint8_t out[32])
{
	const char *s = append ? append : "";

	/* QEMU hashes the command line with its terminating NUL. */
	return EVP_Digest(s, strlen(s) + 1, out, NULL, EVP_sha256(), NULL) == 1 ? 0 : -EIO;
}

int sev_hashes_table(const struct sev_hashes *h, uint8_t out[SEV_HASH_TABLE_PADDED])
{
	const uint8_t *digests[] = {NULL, h->cmdline, h->initrd, h->kernel};
	uint8_t *p = out;

	memset(out, 0, SEV_HASH_TABLE_PADDED);
	for (size_t i = 0; i < sizeof(digests) / sizeof(digests[0]); i++) {
		if (guid_from_text(hash_table_guids[i], p) < 0)
			return -EINVAL;
		put_le16(p + 16, digests[i] ? HASH_ENTRY_SIZE : SEV_HASH_TABLE_SIZE);
		p += OVMF_FOOTER_HEADER_SIZE;
		if (digests[i]) {
			memcpy(p, digests[i], 32);
			p += 32;
		}
	}
	return 0;
}

/* A u32 the firmware's footer table must hold, and what to say when it does not. */
struct required_u32 {
	const char *guid;
	const char *missing; /* sev-snp-measure's words, where it has them */
	const char *truncated;
};

static const struct required_u32 reset_eip = {
        OVMF_GUID_SEV_ES_RESET_BLOCK, "Can't find SEV_ES_RESET_BLOCK_GUID entry in OVMF table",
        "OVMF SEV-ES reset block: entry shorter than its EIP field"};
static const struct required_u32 hash_table_gpa = {
        OVMF_GUID_SEV_HASH_TABLE_RV, "Can't find SEV_HASH_TABLE_RV_GUID entry in OVMF table",
        "OVMF SEV hash table entry: shorter than its GPA field"};
static const struct required_u32 svsm_entry = {
        OVMF_GUID_SVSM_INFO, "Can't find SVSM_INFO_GUID entry in SVSM table",
        "SVSM_INFO entry: shorter than its entry point field"};

static int table_u32(const struct ovmf *fw, const struct required_u32 *f, uint32_t *value,
                     char *why, size_t why_size)
{
	int r = ovmf_table_u32(fw, f->guid, value);

	if (r == -ENOENT)
		return why_set(why, why_size, -EBADMSG, "%s", f->missing);
	if (r < 0)
		return why_set(why, why_size, -EBADMSG, "%s", f->truncated);
	return 0;
}

int snp_ovmf_hash(const struct ovmf *fw, uint8_t out[SNP_LD_SIZE], char *why, size_t why_size)
{
	struct snp_gctx g;
	int r;

	if (fw->size % SNP_PAGE_SIZE)
		return why_set(why, why_size, -EBADMSG,
		               "firmware size is not a multiple of 4096 bytes");
	if (fw->size > SNP_FIRMWARE_END)
		return why_set(why, why_size, -EBADMSG, "firmware larger than 4 GiB");
	r = snp_gctx_init(&g, NULL);
	if (r < 0)
		return r;
	r = snp_gctx_update_normal(&g, SNP_FIRMWARE_END - fw->size, fw->data, fw->size);
	if (r == 0)
		memcpy(out, g.ld, SNP_LD_SIZE);
	snp_gctx_done(&g);
	return r;
}

static int kernel_hashes_page(struct snp_gctx *g, const struct sev_params *p,
                              const struct sev_section *s, char *why, size_t why_size)
{
	uint8_t page[SNP_PAGE_SIZE] = {0};
	uint32_t table_gpa, off;
	int r;

	if (!p->hashes)
		return snp_gctx_update_empty(g, SNP_PAGE_ZERO, s->gpa, s->size);
	r = table_u32(p->fw, &hash_table_gpa, &table_gpa, why, why_size);
	if (r < 0)
		return r;
	off = table_gpa & PAGE_MASK;
	if (off > SNP_PAGE_SIZE - SEV_HASH_TABLE_PADDED)
		return why_set(why, why_size, -EBADMSG,
		               "SEV hash table GPA leaves no room for the table in its page");
	if (s->size != SNP_PAGE_SIZE)
		return why_set(why, why_size, -EBADMSG,
		               "SNP_KERNEL_HASHES section is not exactly one page");
	r = sev_hashes_table(p->hashes, page + off);
	return r < 0 ? r : snp_gctx_update_normal(g, s->gpa, page, sizeof(page));
}

static int snp_section(struct snp_gctx *g, const struct sev_params *p, const struct sev_section *s,
                       char *why, size_t why_size)
{
	if ((s->type == SEV_SECTION_SNP_SEC_MEM || s->type == SEV_SECTION_SVSM_CAA ||
	     (s->type == SEV_SECTION_SNP_KERNEL_HASHES && !p->hashes)) &&
	    s->size % SNP_PAGE_SIZE)
		return why_set(why, why_size, -EBADMSG,
		               "OVMF SEV metadata: section size is not a multiple of 4096");

	switch (s->type) {
	case SEV_SECTION_SNP_SEC_MEM:
		/* GCE does not measure the pre-validated memory; it stays unmeasured. */
		return snp_gctx_update_empty(
		        g, p->vmm == VMM_GCE ? SNP_PAGE_UNMEASURED : SNP_PAGE_ZERO, s->gpa,
		        s->size);
	case SEV_SECTION_SNP_SECRETS:
		return snp_gctx_update(g, SNP_PAGE_SECRETS, s->gpa,
		                       (const uint8_t[SNP_LD_SIZE]){0});
	case SEV_SECTION_CPUID:
		if (p->vmm == VMM_EC2)
			return 0; /* EC2 measures CPUID pages last, see snp_digest() */
		return snp_gctx_update(g, SNP_PAGE_CPUID, s->gpa, (const uint8_t[SNP_LD_SIZE]){0});
	case SEV_SECTION_SNP_KERNEL_HASHES:
		return kernel_hashes_page(g, p, s, why, why_size);
	case SEV_SECTION_SVSM_CAA:
		return snp_gctx_update_empty(g, SNP_PAGE_ZERO, s->gpa, s->size);
	}
	return why_set(why, why_size, -EBADMSG, "unknown OVMF metadata section type");
}

/* The VMSA of every vCPU: the BSP, then APs starting at the firmware's AP reset vector. */
static int vmsas(const struct sev_params *p, uint64_t features,
                 int (*update)(void *ctx, const uint8_t *page), void *ctx, char *why,
                 size_t why_size)
{
	uint8_t bsp[SNP_PAGE_SIZE], ap[SNP_PAGE_SIZE];
	uint32_t eip;
	int r = table_u32(p->fw, &reset_eip, &eip, why, why_size);

	if (r < 0)
		return r;
	if (p->vcpus > SNP_MAX_VCPUS)
		return why_set(why, why_size, -EBADMSG, "too many vCPUs");
	if (eip == 0 && p->vcpus > 1)
		return why_set(why, why_size, -EBADMSG,
		               "OVMF SEV-ES reset block has AP EIP 0: cannot start APs");
	snp_vmsa_page(bsp, BSP_EIP, features, p->vcpu_sig, p->vmm);
	if (eip)
		snp_vmsa_page(ap, eip, features, p->vcpu_sig, p->vmm);
	for (long long i = 0; i < p->vcpus; i++) {
		const uint8_t *page = i == 0 ? bsp : ap;

		r = update(ctx, page);
		if (r == 0 && p->vmsa_cb)
			r = p->vmsa_cb((unsigned)i, page, p->vmsa_arg);
		if (r < 0)
			return r;
	}
	return 0;
}

static int gctx_vmsa(void *ctx, const uint8_t *page)
{
	return snp_gctx_update_vmsa(ctx, page);
}

/* A hostile firmware could list billions of pages; no real one measures more than 4 GiB. */
static bool sections_bounded(const struct ovmf *fw)
{
	uint64_t pages = 0;

	for (uint32_t i = 0; i < fw->n_sections; i++)
		pages += ovmf_sev_section(fw, i).size / SNP_PAGE_SIZE + 1;
	return pages <= SNP_MAX_SECTION_PAGES;
}

static int snp_digest(const struct sev_params *p, uint8_t out[SNP_LD_SIZE], char *why,
                      size_t why_size)
{
	const struct ovmf *fw = p->fw;
	uint8_t seed[SNP_LD_SIZE];
	struct snp_gctx g;
	int r;

	if (!sections_bounded(fw))
		return why_set(why, why_size, -EBADMSG,
		               "OVMF SEV metadata: sections cover more than 4 GiB");
	if (p->seed)
		memcpy(seed, p->seed, SNP_LD_SIZE);
	else if ((r = snp_ovmf_hash(fw, seed, why, why_size)) < 0)
		return r;
	r = snp_gctx_init(&g, seed);
	if (r < 0)
		return r;
	for (uint32_t i = 0; i < fw->n_sections && r == 0; i++) {
		struct sev_section s = ovmf_sev_section(fw, i);
		r = snp_section(&g, p, &s, why, why_size);
	}
	for (uint32_t i = 0; i < fw->n_sections && r == 0 && p->vmm == VMM_EC2; i++) {
		struct sev_section s = ovmf_sev_section(fw, i);
		if (s.type == SEV_SECTION_CPUID)
			r = snp_gctx_update(&g, SNP_PAGE_CPUID, s.gpa,
			                    (const uint8_t[SNP_LD_SIZE]){0});
	}
	if (r == 0 && p->hashes && !ovmf_has_sev_section(fw, SEV_SECTION_SNP_KERNEL_HASHES))
		r = why_set(why, why_size, -EBADMSG,
		            "Kernel specified but OVMF metadata doesn't include SNP_KERNEL_HASHES "
		            "section");
	if (r == 0)
		r = vmsas(p, p->guest_features, gctx_vmsa, &g, why, why_size);
	if (r == 0)
		memcpy(out, g.ld, SNP_LD_SIZE);
	snp_gctx_done(&g);
	return r;
}

/*
 * Coconut-SVSM (guest.py svsm_calc_launch_digest): OVMF pages at 4 GiB - size, the SVSM's pages
 * ending where OVMF_VARS starts, the SVSM's metadata sections (no kernel hashes), and the same
 * VMSA for every vCPU, entering the SVSM.
 */
static int svsm_digest(const struct sev_params *p, uint8_t out[SNP_LD_SIZE], char *why,
                       size_t why_size)
{
	const struct ovmf *fw = p->fw, *svsm = p->svsm;
	struct sev_params q = *p;
	uint8_t page[SNP_PAGE_SIZE];
	int64_t svsm_gpa;
	uint32_t entry;
	struct snp_gctx g;
	int r;

	if (!svsm)
		return why_set(why, why_size, -EBADMSG, "snp:svsm mode needs --svsm");
	if (p->vmm != VMM_QEMU)
		return why_set(why, why_size, -EBADMSG, "SVSM mode is only implemented for Qemu.");
	if (fw->size > SNP_FIRMWARE_END || svsm->size > SNP_FIRMWARE_END)
		return why_set(why, why_size, -EBADMSG, "firmware larger than 4 GiB");
	svsm_gpa = (int64_t)(SNP_FIRMWARE_END - fw->size) - p->vars_size - (int64_t)svsm->size;
	if (svsm_gpa < 0 || p->vars_size < -(int64_t)SNP_FIRMWARE_END)
		return why_set(why, why_size, -EBADMSG,
		               "SVSM does not fit below the firmware and its variables");
	r = table_u32(svsm, &svsm_entry, &entry, why, why_size);
	if (r < 0)
		return r;
	if (fw->size % SNP_PAGE_SIZE || svsm->size % SNP_PAGE_SIZE)
		return why_set(why, why_size, -EBADMSG,
		               "firmware size is not a multiple of 4096 bytes");
	if (p->vcpus > SNP_MAX_VCPUS)
		return why_set(why, why_size, -EBADMSG, "too many vCPUs");
	if (!sections_bounded(svsm))
		return why_set(why, why_size, -EBADMSG,
		               "OVMF SEV metadata: sections cover more than 4 GiB");

	r = snp_gctx_init(&g, NULL);
	if (r < 0)
		return r;
	r = snp_gctx_update_normal(&g, SNP_FIRMWARE_END - fw->size, fw->data, fw->size);
	if (r == 0)
		r = snp_gctx_update_normal(&g, (uint64_t)svsm_gpa, svsm->data, svsm->size);
	q.fw = svsm;
	q.hashes = NULL;
	for (uint32_t i = 0; i < svsm->n_sections && r == 0; i++) {
		struct sev_section s = ovmf_sev_section(svsm, i);
		r = snp_section(&g, &q, &s, why, why_size);
	}
	snp_vmsa_svsm_page(page, (uint64_t)entry + (uint64_t)svsm_gpa, p->vcpu_sig);
	for (long long i = 0; i < p->vcpus && r == 0; i++) {
		r = snp_gctx_update_vmsa(&g, page);
		if (r == 0 && p->vmsa_cb)
			r = p->vmsa_cb((unsigned)i, page, p->vmsa_arg);
	}
	if (r == 0)
		memcpy(out, g.ld, SNP_LD_SIZE);
	snp_gctx_done(&g);
	return r;
}

static int sha256_vmsa(void *ctx, const uint8_t *page)
{
	return EVP_DigestUpdate(ctx, page, SNP_PAGE_SIZE) == 1 ? 0 : -EIO;
}

/* SEV and SEV-ES: one SHA-256 over the firmware, the hash table and (SEV-ES) the VMSAs. */
static int sev_digest(const struct sev_params *p, uint8_t out[32], char *why, size_t why_size)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int r = -EIO;

	if (!ctx)
		return -ENOMEM;
	if (EVP_DigestInit_ex2(ctx, EVP_sha256(), NULL) != 1 ||
	    EVP_DigestUpdate(ctx, p->fw->data, p->fw->size) != 1)
		goto out;
	if (p->hashes) {
		uint8_t table[SEV_HASH_TABLE_PADDED];
		uint32_t gpa = 0;

		/* SEV and SEV-ES take a missing entry as GPA 0, refused below. */
		if (ovmf_table_u32(p->fw, hash_table_gpa.guid, &gpa) == -EBADMSG) {
			r = why_set(why, why_size, -EBADMSG, "%s", hash_table_gpa.truncated);
			goto out;
		}
		if (gpa == 0) {
			r = why_set(why, why_size, -EBADMSG,
			            "Kernel specified but OVMF doesn't support "
			            "kernel/initrd/cmdline measurement");
			goto out;
		}
		r = sev_hashes_table(p->hashes, table);
		if (r < 0)
			goto out;
		r = -EIO;
		if (EVP_DigestUpdate(ctx, table, sizeof(table)) != 1)
			goto out;
	}
	if (p->mode == SEV_MODE_SEVES) {
		r = vmsas(p, 0, sha256_vmsa, ctx, why, why_size);
		if (r < 0)
			goto out;
	}
	r = EVP_DigestFinal_ex(ctx, out, NULL) == 1 ? 0 : -EIO;
out:
	EVP_MD_CTX_free(ctx);
	return r;
}

int sev_launch_digest(const struct sev_params *p, uint8_t out[SEV_DIGEST_MAX], size_t *len,
                      char *why, size_t why_size)
{
	int r;

	switch (p->mode) {
	case SEV_MODE_SNP:
		r = snp_digest(p, out, why, why_size);
		*len = SNP_LD_SIZE;
		return r;
	case SEV_MODE_SNP_SVSM:
		r = svsm_digest(p, out, why, why_size);
		*len = SNP_LD_SIZE;
		return r;
	case SEV_MODE_SEV:
	case SEV_MODE_SEVES:
		r = sev_digest(p, out, why, why_size);
		*len = 32;
		return r;
	case SEV_MODE_SNP_OVMF_HASH:
		break;
	}
	return why_set(why, why_size, -EINVAL, "mode has no launch digest of its own");
}
