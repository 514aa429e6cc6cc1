// SPDX-License-Identifier: Apache-2.0
/*
 * Which CPU TEE the guest runs in. The guest driver's device node is the
 * evidence that counts (sev-guest binds only in an SNP guest, tdx-guest only
 * in a TD); CPUID and configfs-tsm are recorded beside it. CPUID 0x8000001f
 * alone says what the host CPU can do, not that this guest is protected, so
 * it never decides SNP by itself; CPUID leaf 0x21 exists only inside a TD.
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

#include "init/core/enum_name.h"
#include "init/core/tee.h"
#include "init/core/sys.h"

static bool exists(const char *p)
{
	char path[512];
	struct stat st;

	if (sys_path(path, sizeof(path), p) < 0)
		return false;
	return stat(path, &st) == 0;
}

static void cpuid_evidence(struct tee_evidence *ev)
{
#if defined(__x86_64__) || defined(__i386__)
	unsigned a, b, c, d;
	char vendor[13];

	if (__get_cpuid_count(0x80000000, 0, &a, &b, &c, &d) && a >= 0x8000001f &&
	    __get_cpuid_count(0x8000001f, 0, &a, &b, &c, &d))
		ev->cpuid_snp = (a >> 4) & 1;
	if (__get_cpuid_count(0, 0, &a, &b, &c, &d) && a >= 0x21) {
		__cpuid_count(0x21, 0, a, b, c, d);
		memcpy(vendor, &b, 4);
		memcpy(vendor + 4, &d, 4);
		memcpy(vendor + 8, &c, 4);
		vendor[12] = '\0';
		ev->cpuid_tdx = strcmp(vendor, "IntelTDX    ") == 0;
	}
#else
	(void)ev;
#endif
}

int tee_decide(const struct tee_evidence *ev, enum cpu_tee *tee)
{
	bool snp = ev->sev_guest;
	bool tdx = ev->tdx_guest || ev->cpuid_tdx;

	if (snp && tdx)
		return -EINVAL;
	*tee = snp ? CPU_TEE_SEV_SNP : tdx ? CPU_TEE_TDX : CPU_TEE_NONE;
	return 0;
}

int tee_detect(struct tee_info *t, bool use_cpuid)
{
	memset(t, 0, sizeof(*t));
	t->ev.sev_guest = exists("/dev/sev-guest");
	t->ev.tdx_guest = exists("/dev/tdx-guest");
	t->ev.tsm = exists("/sys/kernel/config/tsm/report");
	if (use_cpuid)
		cpuid_evidence(&t->ev);
	return tee_decide(&t->ev, &t->tee);
}

const char *cpu_tee_name(enum cpu_tee t)
{
	static const char *const names[] = {
	        [CPU_TEE_NONE] = "none", [CPU_TEE_SEV_SNP] = "sev-snp", [CPU_TEE_TDX] = "tdx"};

	return ENUM_NAME_OF(names, t, "?");
}
