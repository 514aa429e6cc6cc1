/* SPDX-License-Identifier: Apache-2.0 */
/*
 * OVMF footer table and SEV metadata parser (measurement/ovmf.c), and the
 * SEV/SNP digests that walk what it accepted. Input: a firmware image.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "measurement/ovmf.h"
#include "measurement/snp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Keeps one input cheap: each 4 KiB of a section is one SHA-384. */
static bool small_enough(const struct ovmf *fw)
{
	uint64_t pages = 0;

	for (uint32_t i = 0; i < fw->n_sections; i++)
		pages += ovmf_sev_section(fw, i).size / SNP_PAGE_SIZE + 1;
	return pages < 4096;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t seed[SNP_LD_SIZE];
	struct sev_hashes h;
	struct ovmf fw;
	char why[256] = "";
	const uint8_t *d;
	uint8_t out[SEV_DIGEST_MAX];
	size_t n;
	uint32_t v;

	if (ovmf_parse(&fw, data, size, why, sizeof(why)) < 0) {
		if (!why[0])
			__builtin_trap(); /* every refusal must say why */
		return 0;
	}
	(void)ovmf_table_find(&fw, OVMF_GUID_TDX_METADATA, &d, &n);
	(void)ovmf_table_u32(&fw, OVMF_GUID_SEV_ES_RESET_BLOCK, &v);
	(void)ovmf_table_u32(&fw, OVMF_GUID_SEV_HASH_TABLE_RV, &v);
	if (!small_enough(&fw))
		return 0;
	memset(&h, 0x5a, sizeof(h));
	for (int mode = SEV_MODE_SEV; mode <= SEV_MODE_SNP_SVSM; mode++) {
		if (mode == SEV_MODE_SNP_OVMF_HASH)
			continue;
		for (int vmm = VMM_QEMU; vmm <= VMM_GCE; vmm++) {
			struct sev_params p = {.mode = (enum sev_mode)mode,
			                       .fw = &fw,
			                       .hashes = vmm == VMM_GCE ? NULL : &h,
			                       .vcpus = 3,
			                       .vcpu_sig = 0x800f12,
			                       .guest_features = 1,
			                       .vmm = (enum vmm_type)vmm,
			                       .seed = size % 4096 ? seed : NULL,
			                       .svsm = &fw, /* the input as its own SVSM */
			                       .vars_size = (int64_t)(size % 7) << 12};
			why[0] = '\0';
			if (sev_launch_digest(&p, out, &n, why, sizeof(why)) < 0 && !why[0])
				__builtin_trap();
		}
	}
	return 0;
}
