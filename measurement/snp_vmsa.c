/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Initial VMSA pages (Linux struct sev_es_save_area), vCPU signatures and VMM
 * types. The register values are those host Linux >= 6.10 KVM sets, and the
 * ec2/gce variants those sev-snp-measure 0.0.13 records (measurement/README.md, 4.4, 4.5).
 */
#include "init/base/bytes.h"
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

/* struct vmcb_seg: u16 selector, u16 attrib, u32 limit, u64 base */
struct vmsa_seg {
	uint16_t off, selector, attrib;
	uint32_t limit;
	uint64_t base;
};

/* A register outside the segments: where, how many bytes, what value. */
struct vmsa_reg {
	uint16_t off;
	uint8_t width;
	uint64_t value;
};

/*
 * The state KVM gives a vCPU at reset, real mode at the reset vector: the QEMU BSP's page
 * before the per-vCPU fields (measurement/README.md, 4.4) and the base the SVSM page changes.
 */
static const struct vmsa_seg reset_segs[] = {
        {VMSA_ES, 0, 0x93, 0xffff, 0}, {VMSA_CS, 0xf000, 0x9b, 0xffff, 0xffff0000u},
        {VMSA_SS, 0, 0x93, 0xffff, 0}, {VMSA_DS, 0, 0x93, 0xffff, 0},
        {VMSA_FS, 0, 0x93, 0xffff, 0}, {VMSA_GS, 0, 0x93, 0xffff, 0},
        {VMSA_GDTR, 0, 0, 0xffff, 0},  {VMSA_LDTR, 0, 0x82, 0xffff, 0},
        {VMSA_IDTR, 0, 0, 0xffff, 0},  {VMSA_TR, 0, 0x8b, 0xffff, 0},
};
static const struct vmsa_reg reset_regs[] = {
        {VMSA_EFER, 8, 0x1000}, /* KVM sets EFER.SVME */
        {VMSA_CR4, 8, 0x40},    /* KVM sets CR4.MCE */
        {VMSA_CR0, 8, 0x10},
        {VMSA_DR7, 8, 0x400},
        {VMSA_DR6, 8, 0xffff0ff0},
        {VMSA_RFLAGS, 8, 0x2},
        {VMSA_RIP, 8, 0xfff0},
        {VMSA_XCR0, 8, 0x1},
        {VMSA_G_PAT, 8, 0x0007040600070406ull}, /* PAT MSR reset value, AMD APM vol. 2 A.3 */
        {VMSA_MXCSR, 4, 0x1f80},
        {VMSA_X87_FCW, 2, 0x37f},
};

#define BSP_EIP         0xfffffff0u
#define GCE_G_PAT       0x00070106ull
#define HYPERV_VCPU_SIG 0x600u /* what ec2 and gce put in RDX whatever the CPU */

static void put_seg(uint8_t *page, const struct vmsa_seg *s)
{
	put_le16(page + s->off, s->selector);
	put_le16(page + s->off + 2, s->attrib);
	put_le32(page + s->off + 4, s->limit);
	put_le64(page + s->off + 8, s->base);
}

static void put_reg(uint8_t *page, const struct vmsa_reg *r)
{
	if (r->width == 2)
		put_le16(page + r->off, (uint16_t)r->value);
	else if (r->width == 4)
		put_le32(page + r->off, (uint32_t)r->value);
	else
		put_le64(page + r->off, r->value);
}

static void put_regs(uint8_t *page, const struct vmsa_reg *regs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		put_reg(page, &regs[i]);
}

static void reset_state(uint8_t page[SNP_PAGE_SIZE])
{
	memset(page, 0, SNP_PAGE_SIZE);
	for (size_t i = 0; i < sizeof(reset_segs) / sizeof(reset_segs[0]); i++)
		put_seg(page, &reset_segs[i]);
	put_regs(page, reset_regs, sizeof(reset_regs) / sizeof(reset_regs[0]));
}

void snp_vmsa_page(uint8_t page[SNP_PAGE_SIZE], uint32_t eip, uint64_t sev_features,
                   uint64_t vcpu_sig, enum vmm_type vmm)
{
	struct vmsa_seg cs = {VMSA_CS, 0xf000, 0x9b, 0xffff, eip & 0xffff0000u};
	struct vmsa_seg ss = {VMSA_SS, 0, 0x93, 0xffff, 0}, tr = {VMSA_TR, 0, 0x8b, 0xffff, 0};
	struct vmsa_reg regs[] = {
	        {VMSA_RIP, 8, eip & 0xffff},
	        {VMSA_RDX, 8, vcpu_sig},
	        {VMSA_SEV_FEATURES, 8, sev_features},
	};

	reset_state(page);
	if (vmm == VMM_EC2) {
		/* EC2 starts the BSP with a not-yet-accessed code segment. */
		if (eip == BSP_EIP)
			cs.attrib = 0x9a;
		ss.attrib = 0x92;
		tr.attrib = 0x83;
	} else if (vmm == VMM_GCE) {
		put_le64(page + VMSA_G_PAT, GCE_G_PAT);
	}
	if (vmm == VMM_EC2 || vmm == VMM_GCE) {
		regs[1].value = HYPERV_VCPU_SIG;
		put_le32(page + VMSA_MXCSR, 0);
		put_le16(page + VMSA_X87_FCW, 0);
	}
	put_seg(page, &cs);
	put_seg(page, &ss);
	put_seg(page, &tr);
	put_regs(page, regs, sizeof(regs) / sizeof(regs[0]));
}

void snp_vmsa_svsm_page(uint8_t page[SNP_PAGE_SIZE], uint64_t eip, uint64_t vcpu_sig)
{
	/* The SVSM starts in 32-bit protected mode: flat code and data segments, CR0.PE. */
	static const struct vmsa_seg flat[] = {
	        {VMSA_ES, 16, 0xc93, 0xffffffff, 0}, {VMSA_CS, 8, 0xc9b, 0xffffffff, 0},
	        {VMSA_SS, 16, 0xc93, 0xffffffff, 0}, {VMSA_DS, 16, 0xc93, 0xffffffff, 0},
	        {VMSA_FS, 16, 0xc93, 0xffffffff, 0},
	};
	const struct vmsa_reg regs[] = {
	        {VMSA_CR0, 8, 0x11},         {VMSA_RIP, 8, eip},   {VMSA_RDX, 8, vcpu_sig},
	        {VMSA_SEV_FEATURES, 8, 0x1}, {VMSA_X87_FCW, 2, 0}, /* left 0 by sev-snp-measure
	                                                              0.0.13 (see snp.h) */
	};

	reset_state(page);
	for (size_t i = 0; i < sizeof(flat) / sizeof(flat[0]); i++)
		put_seg(page, &flat[i]);
	put_regs(page, regs, sizeof(regs) / sizeof(regs[0]));
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
