/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Initial VMSA pages (Linux struct sev_es_save_area), vCPU signatures and VMM
 * types. The register values are those host Linux >= 6.10 KVM sets, and the
 * ec2/gce variants those sev-snp-measure 0.0.13 records (measurement/README.md, 4.4, 4.5).
 */
#include "measurement/snp.h"

#include <errno.h>
#include <string.h>

/* Byte offsets in the save area. */
enum {
	VMSA_ES = 0x000,
	VMSA_CS = 0x010,
	VMSA_SS = 0x020,
	VMSA_DS = 0x030,
	VMSA_FS = 0x040,
	VMSA_GS = 0x050,
	VMSA_GDTR = 0x060,
	VMSA_LDTR = 0x070,
	VMSA_IDTR = 0x080,
	VMSA_TR = 0x090,
	VMSA_EFER = 0x0d0,
	VMSA_CR4 = 0x148,
	VMSA_CR0 = 0x158,
	VMSA_DR7 = 0x160,
	VMSA_DR6 = 0x168,
	VMSA_RFLAGS = 0x170,
	VMSA_RIP = 0x178,
	VMSA_G_PAT = 0x268,
	VMSA_RDX = 0x310,
	VMSA_SEV_FEATURES = 0x3b0,
	VMSA_XCR0 = 0x3e8,
	VMSA_MXCSR = 0x408,
	VMSA_X87_FCW = 0x410,
};

#define BSP_EIP         0xfffffff0u
#define DEFAULT_G_PAT   0x0007040600070406ull /* PAT MSR reset value, AMD APM vol. 2 A.3 */
#define GCE_G_PAT       0x00070106ull
#define HYPERV_VCPU_SIG 0x600u /* what ec2 and gce put in RDX whatever the CPU */

static void put(uint8_t *p, uint64_t v, unsigned bytes)
{
	for (unsigned i = 0; i < bytes; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* struct vmcb_seg: u16 selector, u16 attrib, u32 limit, u64 base */
static void put_seg(uint8_t *page, unsigned off, uint16_t selector, uint16_t attrib, uint32_t limit,
                    uint64_t base)
{
	put(page + off, selector, 2);
	put(page + off + 2, attrib, 2);
	put(page + off + 4, limit, 4);
	put(page + off + 8, base, 8);
}

void snp_vmsa_page(uint8_t page[SNP_PAGE_SIZE], uint32_t eip, uint64_t sev_features,
                   uint64_t vcpu_sig, enum vmm_type vmm)
{
	uint16_t cs_attrib = 0x9b, ss_attrib = 0x93, tr_attrib = 0x8b;
	uint64_t g_pat = DEFAULT_G_PAT, rdx = vcpu_sig;
	uint32_t mxcsr = 0x1f80;
	uint16_t fcw = 0x37f;

	if (vmm == VMM_EC2) {
		/* EC2 starts the BSP with a not-yet-accessed code segment. */
		if (eip == BSP_EIP)
			cs_attrib = 0x9a;
		ss_attrib = 0x92;
		tr_attrib = 0x83;
	} else if (vmm == VMM_GCE) {
		g_pat = GCE_G_PAT;
	}
	if (vmm == VMM_EC2 || vmm == VMM_GCE) {
		rdx = HYPERV_VCPU_SIG;
		mxcsr = 0;
		fcw = 0;
	}

	memset(page, 0, SNP_PAGE_SIZE);
	put_seg(page, VMSA_ES, 0, 0x93, 0xffff, 0);
	put_seg(page, VMSA_CS, 0xf000, cs_attrib, 0xffff, eip & 0xffff0000u);
	put_seg(page, VMSA_SS, 0, ss_attrib, 0xffff, 0);
	put_seg(page, VMSA_DS, 0, 0x93, 0xffff, 0);
	put_seg(page, VMSA_FS, 0, 0x93, 0xffff, 0);
	put_seg(page, VMSA_GS, 0, 0x93, 0xffff, 0);
	put_seg(page, VMSA_GDTR, 0, 0, 0xffff, 0);
	put_seg(page, VMSA_LDTR, 0, 0x82, 0xffff, 0);
	put_seg(page, VMSA_IDTR, 0, 0, 0xffff, 0);
	put_seg(page, VMSA_TR, 0, tr_attrib, 0xffff, 0);
	put(page + VMSA_EFER, 0x1000, 8); /* KVM sets EFER.SVME */
	put(page + VMSA_CR4, 0x40, 8);    /* KVM sets CR4.MCE */
	put(page + VMSA_CR0, 0x10, 8);
	put(page + VMSA_DR7, 0x400, 8);
	put(page + VMSA_DR6, 0xffff0ff0, 8);
	put(page + VMSA_RFLAGS, 0x2, 8);
	put(page + VMSA_RIP, eip & 0xffff, 8);
	put(page + VMSA_G_PAT, g_pat, 8);
	put(page + VMSA_RDX, rdx, 8);
	put(page + VMSA_SEV_FEATURES, sev_features, 8);
	put(page + VMSA_XCR0, 0x1, 8);
	put(page + VMSA_MXCSR, mxcsr, 4);
	put(page + VMSA_X87_FCW, fcw, 2);
}

void snp_vmsa_svsm_page(uint8_t page[SNP_PAGE_SIZE], uint64_t eip, uint64_t vcpu_sig)
{
	memset(page, 0, SNP_PAGE_SIZE);
	put_seg(page, VMSA_ES, 16, 0xc93, 0xffffffff, 0);
	put_seg(page, VMSA_CS, 8, 0xc9b, 0xffffffff, 0);
	put_seg(page, VMSA_SS, 16, 0xc93, 0xffffffff, 0);
	put_seg(page, VMSA_DS, 16, 0xc93, 0xffffffff, 0);
	put_seg(page, VMSA_FS, 16, 0xc93, 0xffffffff, 0);
	put_seg(page, VMSA_GS, 0, 0x93, 0xffff, 0);
	put_seg(page, VMSA_GDTR, 0, 0, 0xffff, 0);
	put_seg(page, VMSA_LDTR, 0, 0x82, 0xffff, 0);
	put_seg(page, VMSA_IDTR, 0, 0, 0xffff, 0);
	put_seg(page, VMSA_TR, 0, 0x8b, 0xffff, 0);
	put(page + VMSA_EFER, 0x1000, 8);
	put(page + VMSA_CR4, 0x40, 8);
	put(page + VMSA_CR0, 0x11, 8); /* protected mode: SVSM starts in 32-bit code */
	put(page + VMSA_DR7, 0x400, 8);
	put(page + VMSA_DR6, 0xffff0ff0, 8);
	put(page + VMSA_RFLAGS, 0x2, 8);
	put(page + VMSA_RIP, eip, 8);
	put(page + VMSA_G_PAT, DEFAULT_G_PAT, 8);
	put(page + VMSA_RDX, vcpu_sig, 8);
	put(page + VMSA_SEV_FEATURES, 0x1, 8);
	put(page + VMSA_XCR0, 0x1, 8);
	put(page + VMSA_MXCSR, 0x1f80, 4);
}

uint64_t snp_cpu_sig(int64_t family, int64_t model, int64_t stepping)
{
	uint64_t family_low, family_high = 0;

	/* Python ints: & and >> act on two's complement, so uint64 arithmetic gives the same
	 * low 64 bits that ctypes keeps. */
	if (family > 0xf) {
		family_low = 0xf;
		family_high = ((uint64_t)family - 0xf) & 0xff;
	} else {
		family_low = (uint64_t)family;
	}
	uint64_t model_low = (uint64_t)model & 0xf;
	uint64_t model_high = (uint64_t)(model >> 4) & 0xf;
	uint64_t stepping_low = (uint64_t)stepping & 0xf;

	return family_high << 20 | model_high << 16 | family_low << 8 | model_low << 4 |
	       stepping_low;
}

/* The AMD models in QEMU's builtin_x86_defs, with their (family, model, stepping). */
static const struct {
	const char *name;
	uint8_t family, model, stepping;
} vcpu_types[] = {
        {"EPYC", 23, 1, 2},          {"EPYC-v1", 23, 1, 2},       {"EPYC-v2", 23, 1, 2},
        {"EPYC-IBPB", 23, 1, 2},     {"EPYC-v3", 23, 1, 2},       {"EPYC-v4", 23, 1, 2},
        {"EPYC-Rome", 23, 49, 0},    {"EPYC-Rome-v1", 23, 49, 0}, {"EPYC-Rome-v2", 23, 49, 0},
        {"EPYC-Rome-v3", 23, 49, 0}, {"EPYC-Milan", 25, 1, 1},    {"EPYC-Milan-v1", 25, 1, 1},
        {"EPYC-Milan-v2", 25, 1, 1}, {"EPYC-Genoa", 25, 17, 0},   {"EPYC-Genoa-v1", 25, 17, 0},
        {"EPYC-Turin", 26, 0, 0},
};

#define N_VCPU_TYPES (sizeof(vcpu_types) / sizeof(vcpu_types[0]))

const char *snp_vcpu_name(size_t i)
{
	return i < N_VCPU_TYPES ? vcpu_types[i].name : NULL;
}

int snp_vcpu_sig_by_name(const char *name, uint64_t *sig)
{
	for (size_t i = 0; i < N_VCPU_TYPES; i++)
		if (strcmp(vcpu_types[i].name, name) == 0) {
			*sig = snp_cpu_sig(vcpu_types[i].family, vcpu_types[i].model,
			                   vcpu_types[i].stepping);
			return 0;
		}
	return -ENOENT;
}

int snp_vmm_type_from_name(const char *name, enum vmm_type *vmm)
{
	static const enum vmm_type all[] = {VMM_QEMU, VMM_EC2, VMM_GCE};

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (strcmp(snp_vmm_type_name(all[i]), name) == 0) {
			*vmm = all[i];
			return 0;
		}
	return -ENOENT;
}

const char *snp_vmm_type_name(enum vmm_type vmm)
{
	static const char *const names[] = {
	        [VMM_QEMU] = "QEMU", [VMM_EC2] = "ec2", [VMM_GCE] = "gce"};

	return (unsigned)vmm < sizeof(names) / sizeof(names[0]) && names[vmm] ? names[vmm] : "?";
}
