/* SPDX-License-Identifier: Apache-2.0 */
/* Which CPU TEE the guest runs in (core/tee.c), and the evidence that says so. */
#pragma once

#include <stdbool.h>

enum cpu_tee { CPU_TEE_NONE, CPU_TEE_SEV_SNP, CPU_TEE_TDX };

struct tee_evidence {
	bool sev_guest; /* /dev/sev-guest: the SNP guest driver bound */
	bool tdx_guest; /* /dev/tdx-guest */
	bool tsm;       /* /sys/kernel/config/tsm/report: a TSM report provider */
	bool cpuid_snp; /* CPUID 0x8000001f EAX bit 4 */
	bool cpuid_tdx; /* CPUID 0x21 vendor "IntelTDX    " */
};

struct tee_info {
	enum cpu_tee tee;
	struct tee_evidence ev;
};

/* Decides from the evidence; -EINVAL when it names both SNP and TDX. */
int tee_decide(const struct tee_evidence *ev, enum cpu_tee *tee);
/* Gathers the evidence (files below sys_root; CPUID when use_cpuid) and decides. */
int tee_detect(struct tee_info *t, bool use_cpuid);
const char *cpu_tee_name(enum cpu_tee t);
