/* SPDX-License-Identifier: Apache-2.0 */
/*
 * OVMF firmware tables (measurement/README.md, 3): the GUIDed footer table that ends
 * 32 bytes before the end of the file, and the SEV metadata ("ASEV") it points
 * to. Shared by the SEV/SNP digests and, for the footer table, by TDX.
 *
 * The firmware is hostile input: ovmf_parse() checks every size and offset
 * once, so the accessors below never need to. It keeps pointers into the
 * caller's buffer, which must outlive the struct; nothing is allocated.
 *
 * Usage:
 *	struct ovmf fw;
 *	char why[256];
 *	if (ovmf_parse(&fw, data, size, why, sizeof(why)) < 0)
 *		log_error("%s", why);
 *	uint32_t eip;
 *	r = ovmf_table_u32(&fw, OVMF_GUID_SEV_ES_RESET_BLOCK, &eip);  // -ENOENT: no entry
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The footer table's GUIDs in text form (init/base/hex.h converts); what each entry holds. */
#define OVMF_GUID_FOOTER             "96b582de-1fb2-45f7-baea-a366c55a082d"
#define OVMF_GUID_SEV_ES_RESET_BLOCK "00f771de-1a7e-4fcb-890e-68c77e2fb44e" /* u32 AP reset EIP */
/* u32 offset from EOF of the SEV metadata */
#define OVMF_GUID_SEV_METADATA "dc886566-984a-4798-a75e-5585a7bf67cc"
/* u32 GPA, u32 size of the kernel-hashes table */
#define OVMF_GUID_SEV_HASH_TABLE_RV "7255371f-3a3b-4b04-927b-1da6efa8d454"
/* u32 offset from EOF of the TDVF metadata */
#define OVMF_GUID_TDX_METADATA "e47a6535-984a-4798-865e-4685a7bf8ec2"
/* u32 SVSM entry point, relative to the SVSM's GPA */
#define OVMF_GUID_SVSM_INFO "a789a612-0597-4c4b-a49f-cbb1fe9d1ddd"

#define OVMF_FOOTER_HEADER_SIZE 18u /* u16 size + GUID */
#define OVMF_FOOTER_END_GAP     32u /* the table ends this many bytes before EOF */

/* SEV metadata section types (edk2 OvmfPkg/ResetVector/X64/OvmfSevMetadata.asm). */
enum sev_section_type {
	SEV_SECTION_SNP_SEC_MEM = 1,
	SEV_SECTION_SNP_SECRETS = 2,
	SEV_SECTION_CPUID = 3,
	SEV_SECTION_SVSM_CAA = 4,
	SEV_SECTION_SNP_KERNEL_HASHES = 0x10,
};

struct sev_section {
	uint32_t gpa;
	uint32_t size;
	uint32_t type; /* raw: unknown types are kept, the SNP digest refuses them */
};

struct ovmf {
	const uint8_t *data;
	size_t size;
	/* The footer table's entries, without the footer entry itself; absent when the footer GUID
	 * is missing (a firmware without a table is still valid for plain SEV). */
	bool has_table;
	const uint8_t *table;
	size_t table_size;
	/* The SEV metadata's section descriptors (12 bytes each, LE), when the table points to one.
	 */
	bool has_sev_metadata;
	const uint8_t *sections;
	uint32_t n_sections;
};

/*
 * Validates the footer table and the SEV metadata. Returns 0, or -EBADMSG with why set for
 * truncated or inconsistent data.
 */
int ovmf_parse(struct ovmf *fw, const uint8_t *data, size_t size, char *why, size_t why_size);
/* The footer table alone, what TDX reads; the SEV metadata is neither parsed nor checked. */
int ovmf_parse_table(struct ovmf *fw, const uint8_t *data, size_t size, char *why, size_t why_size);

/*
 * The data of the table entry with this GUID (text form, lowercase). When a GUID occurs twice, the
 * entry nearer the start of the table wins (sev-snp-measure's behaviour). -ENOENT when absent.
 */
int ovmf_table_find(const struct ovmf *fw, const char *guid, const uint8_t **data, size_t *len);
/* The entry's leading u32 (LE). -ENOENT when absent; -EBADMSG when its data is shorter. */
int ovmf_table_u32(const struct ovmf *fw, const char *guid, uint32_t *value);

/* The i-th SEV metadata section, i < fw->n_sections. */
struct sev_section ovmf_sev_section(const struct ovmf *fw, uint32_t i);
bool ovmf_has_sev_section(const struct ovmf *fw, enum sev_section_type type);
