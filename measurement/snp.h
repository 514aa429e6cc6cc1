/* SPDX-License-Identifier: Apache-2.0 */
/*
 * AMD SEV, SEV-ES and SEV-SNP launch digests (measurement/README.md, 4), equal bit for
 * bit to sev-snp-measure 0.0.13 on well-formed inputs and refusing where it
 * refuses.
 *
 * The library works on digests, not files: the caller hashes the kernel, the
 * initrd and the command line (sev_hashes_*) however it likes (in parallel,
 * from a cache of the build) and hands over the parsed firmware.
 *
 * Usage:
 *	struct ovmf fw;                      // measurement/ovmf.h
 *	ovmf_parse(&fw, data, size, why, sizeof(why));
 *	struct sev_hashes h;                 // kernel/initrd SHA-256 of the files
 *	sev_hashes_cmdline("console=ttyS0", h.cmdline);
 *	struct sev_params p = {.mode = SEV_MODE_SNP, .fw = &fw, .hashes = &h, .vcpus = 4,
 *			       .vcpu_sig = 0x800f12, .guest_features = 0x1, .vmm = VMM_QEMU};
 *	uint8_t ld[SEV_DIGEST_MAX];
 *	size_t n;
 *	r = sev_launch_digest(&p, ld, &n, why, sizeof(why));   // n = 48 for SNP, 32 for SEV and
 *SEV-ES
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "measurement/ovmf.h"

#define SNP_LD_SIZE           48u /* SHA-384 */
#define SEV_DIGEST_MAX        48u
#define SNP_PAGE_SIZE         4096u
#define SEV_HASH_TABLE_SIZE   168u /* packed, as QEMU builds it */
#define SEV_HASH_TABLE_PADDED 176u /* rounded up to 16, what is measured */
#define SNP_VMSA_GPA          0xFFFFFFFFF000ull
#define SNP_FIRMWARE_END      0x100000000ull /* the firmware ends at 4 GiB */
#define SNP_MAX_VCPUS         (1 << 20)
#define SNP_MAX_SECTION_PAGES (1u << 20) /* 4 GiB of metadata sections */

enum sev_mode {
	SEV_MODE_SEV,
	SEV_MODE_SEVES,
	SEV_MODE_SNP,
	SEV_MODE_SNP_OVMF_HASH,
	SEV_MODE_SNP_SVSM, /* Coconut-SVSM below OVMF (QEMU only) */
};
enum vmm_type { VMM_QEMU = 1, VMM_EC2 = 2, VMM_GCE = 3 };

/* PAGE_TYPE of the SNP ABI's PAGE_INFO (8.17.2). */
enum snp_page_type {
	SNP_PAGE_NORMAL = 1,
	SNP_PAGE_VMSA = 2,
	SNP_PAGE_ZERO = 3,
	SNP_PAGE_UNMEASURED = 4,
	SNP_PAGE_SECRETS = 5,
	SNP_PAGE_CPUID = 6,
};

/* SHA-256 of each input, as the SEV hashes table holds them. */
struct sev_hashes {
	uint8_t cmdline[32];
	uint8_t initrd[32];
	uint8_t kernel[32];
};

/* "--append": SHA-256 of the bytes plus one NUL; NULL (no --append) hashes a lone NUL. */
int sev_hashes_cmdline(const char *append, uint8_t out[32]);
/* The padded 176-byte table, byte-identical to QEMU's with kernel-hashes=on. 0 or -EINVAL. */
int sev_hashes_table(const struct sev_hashes *h, uint8_t out[SEV_HASH_TABLE_PADDED]);

struct sev_params {
	enum sev_mode mode;
	const struct ovmf *fw;
	const struct sev_hashes *hashes; /* NULL: no --kernel */
	long long vcpus;                 /* <= 0 measures no VMSA, as sev-snp-measure does */
	uint64_t vcpu_sig;               /* ignored for ec2 and gce, which use their own */
	uint64_t guest_features;         /* SNP only; SEV-ES uses 0 */
	enum vmm_type vmm;
	/* SNP: the launch digest after the firmware pages (--snp-ovmf-hash, or snp_ovmf_hash()
	 * computed ahead in another thread); NULL hashes the firmware here. */
	const uint8_t *seed;
	/* SNP:SVSM: the SVSM binary, loaded to end where the OVMF_VARS (vars_size bytes) start. */
	const struct ovmf *svsm;
	int64_t vars_size;
	/* Called with each measured VMSA page (--dump-vmsa); may be NULL. */
	int (*vmsa_cb)(unsigned index, const uint8_t page[SNP_PAGE_SIZE], void *arg);
	void *vmsa_arg;
};

/*
 * The launch digest of p->mode (not SEV_MODE_SNP_OVMF_HASH: use snp_ovmf_hash()). Writes
 * *len bytes to out. Returns 0; -EBADMSG or -EINVAL with why set when the inputs are refused;
 * -ENOMEM or another errno on a system failure.
 */
int sev_launch_digest(const struct sev_params *p, uint8_t out[SEV_DIGEST_MAX], size_t *len,
                      char *why, size_t why_size);

/* The SNP launch digest after measuring every firmware page (--mode snp:ovmf-hash). */
int snp_ovmf_hash(const struct ovmf *fw, uint8_t out[SNP_LD_SIZE], char *why, size_t why_size);

/* The VMSA page of one vCPU (QEMU, ec2 or gce register state; snp_vmsa.c). */
void snp_vmsa_page(uint8_t page[SNP_PAGE_SIZE], uint32_t eip, uint64_t sev_features,
                   uint64_t vcpu_sig, enum vmm_type vmm);

/* The VMSA page of every vCPU under Coconut-SVSM: 32-bit flat segments, SEV_FEATURES 0x1, and
 * X87_FCW left 0 as sev-snp-measure 0.0.13 leaves it (the hardware vectors depend on that). */
void snp_vmsa_svsm_page(uint8_t page[SNP_PAGE_SIZE], uint64_t eip, uint64_t vcpu_sig);

/* AMD CPUID Fn0000_0001_EAX from family, model and stepping (Python-int semantics for the
 * negative and oversized values sev-snp-measure accepts; the result is taken mod 2^64). */
uint64_t snp_cpu_sig(int64_t family, int64_t model, int64_t stepping);
/* The signature of a QEMU CPU model name ("EPYC-v4"). -ENOENT for unknown names. */
int snp_vcpu_sig_by_name(const char *name, uint64_t *sig);
/* The i-th known name in sev-snp-measure's order (for --help and errors); NULL past the end. */
const char *snp_vcpu_name(size_t i);

/* "QEMU", "ec2", "gce" (case as sev-snp-measure spells them). -ENOENT otherwise. */
int snp_vmm_type_from_name(const char *name, enum vmm_type *vmm);
const char *snp_vmm_type_name(enum vmm_type vmm);
