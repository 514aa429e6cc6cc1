// SPDX-License-Identifier: Apache-2.0
/*
 * The GPUs' confidential-compute state, read the sanctioned way (the RM
 * controls nvidia-smi uses; NVRC's BAR0 read was once decoded wrongly), held
 * against ccinit.gpu.cc, and the GPUs-ready state set when the command line
 * asks. Policy decisions are pure functions of the state so tests cover them
 * without a driver.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "init/core/enum_name.h"
#include "init/gpu/cc.h"

enum gpu_cc_mode gpu_cc_mode_of(const struct nv_cc_caps_params *c)
{
	/* Devtools is CC with debugging let in: never production. */
	if (c->devtools_mode)
		return GPU_CC_MODE_DEVTOOLS;
	/* The driver hides the CC feature while protected PCIe is on; it is still CC. */
	if (c->multi_gpu_mode == NV_CC_MULTI_GPU_PPCIE)
		return GPU_CC_MODE_PPCIE;
	if (c->cc_feature != NV_CC_FEATURE_DISABLED)
		return GPU_CC_MODE_ON;
	return GPU_CC_MODE_OFF;
}

const char *gpu_cc_mode_name(enum gpu_cc_mode m)
{
	static const char *const names[] = {[GPU_CC_MODE_OFF] = "off",
	                                    [GPU_CC_MODE_ON] = "on",
	                                    [GPU_CC_MODE_DEVTOOLS] = "devtools",
	                                    [GPU_CC_MODE_PPCIE] = "ppcie"};

	return ENUM_NAME_OF(names, m, "?");
}

enum gpu_cc_policy gpu_cc_policy_resolve(enum gpu_cc_policy p, enum cpu_tee tee)
{
	if (p != GPU_CC_AUTO)
		return p;
	return tee == CPU_TEE_NONE ? GPU_CC_ANY : GPU_CC_ON;
}

const char *gpu_cc_policy_name(enum gpu_cc_policy p)
{
	return p == GPU_CC_AUTO ? "auto" : p <= GPU_CC_ANY ? gpu_cc_choices[p] : "?";
}

const char *gpu_cc_smi_state(const struct nv_cc_caps_params *c)
{
	if (c->devtools_mode)
		return "DEVTOOLS";
	return c->cc_feature != NV_CC_FEATURE_DISABLED ? "ON" : "OFF";
}

const char *gpu_cc_smi_cpu(uint8_t v)
{
	static const char *const names[] = {[NV_CC_CPU_NONE] = "None",
	                                    [NV_CC_CPU_AMD_SEV] = "AMD SEV",
	                                    [NV_CC_CPU_INTEL_TDX] = "Intel TDX",
	                                    [NV_CC_CPU_AMD_SEV_SNP] = "AMD SEV-SNP",
	                                    [NV_CC_CPU_AMD_SNP_VTOM] = "AMD SNP VTOM"};

	return ENUM_NAME_OF(names, v, "Unknown");
}

const char *gpu_cc_smi_gpus(uint8_t v)
{
	/* NVML reports APM and HCC alike as capable. */
	return v == NV_CC_GPUS_NONE ? "Not CC Capable" : "CC Capable";
}

const char *gpu_cc_smi_multi_gpu(uint8_t v)
{
	static const char *const names[] = {[NV_CC_MULTI_GPU_NONE] = "None",
	                                    [NV_CC_MULTI_GPU_PPCIE] = "Protected PCIe",
	                                    [NV_CC_MULTI_GPU_NVLE] = "NVLE"};

	return ENUM_NAME_OF(names, v, "Unknown");
}

const char *gpu_cc_smi_env(uint8_t v)
{
	static const char *const names[] = {[NV_CC_ENV_UNAVAILABLE] = "Unavailable",
	                                    [NV_CC_ENV_SIM] = "Simulation",
	                                    [NV_CC_ENV_PROD] = "Production"};

	return ENUM_NAME_OF(names, v, "Unknown");
}

void gpu_cc_describe(const struct nvrm_cc_state *s, char *buf, size_t size)
{
	snprintf(buf, size,
	         "CC %s (feature %u, devtools %u, environment %s, multi-GPU %s, CPU %s, GPUs %s), "
	         "GPUs %s",
	         gpu_cc_mode_name(gpu_cc_mode_of(&s->caps)), s->caps.cc_feature,
	         s->caps.devtools_mode, gpu_cc_smi_env(s->caps.environment),
	         gpu_cc_smi_multi_gpu(s->caps.multi_gpu_mode),
	         gpu_cc_smi_cpu(s->caps.cpu_capability), gpu_cc_smi_gpus(s->caps.gpus_capability),
	         s->ready ? "ready" : "not ready");
}

int gpu_cc_check(enum gpu_cc_policy p, const struct nvrm_cc_state *s, char *why, size_t size)
{
	enum gpu_cc_mode m = gpu_cc_mode_of(&s->caps);
	bool ok;
	char found[256];

	switch (p) {
	case GPU_CC_ON:
		ok = m == GPU_CC_MODE_ON || m == GPU_CC_MODE_PPCIE;
		break;
	case GPU_CC_DEVTOOLS:
		ok = m == GPU_CC_MODE_DEVTOOLS;
		break;
	case GPU_CC_OFF:
		ok = m == GPU_CC_MODE_OFF;
		break;
	case GPU_CC_ANY:
		ok = true;
		break;
	default: /* auto must be resolved against the TEE first */
		ok = false;
		break;
	}
	if (ok)
		return 0;
	gpu_cc_describe(s, found, sizeof(found));
	snprintf(why, size, "ccinit.gpu.cc=%s but the driver reports %s", gpu_cc_policy_name(p),
	         found);
	return -EMEDIUMTYPE;
}

int gpu_cc_ready_request(const struct ccinit_config *c, bool *set, bool *ready, char *why,
                         size_t size)
{
	*set = false;
	*ready = false;
	if (c->smi_srs[0]) {
		if (strcmp(c->smi_srs, "1") != 0 && strcmp(c->smi_srs, "0") != 0) {
			snprintf(why, size, "nvrc.smi.srs=%s: expected 0 or 1", c->smi_srs);
			return -EINVAL;
		}
		*set = true;
		*ready = c->smi_srs[0] == '1';
	}
	if (c->gpu_ready) {
		if (*set && !*ready) {
			snprintf(why, size, "ccinit.gpu.ready=1 contradicts nvrc.smi.srs=0");
			return -EINVAL;
		}
		*set = true;
		*ready = true;
	}
	return 0;
}

/* r as it is; when it is a failure, why says what failed and the RM status the driver gave. */
static int rm_why(const struct nvrm *rm, int r, const char *what, char *why, size_t size)
{
	char st[32];

	if (r < 0)
		snprintf(why, size, "%s: %s", what, nvrm_status_name(rm->status, st, sizeof(st)));
	return r;
}

static int open_attach(struct nvrm *rm, const char *ctl, const char *version, char *why,
                       size_t size)
{
	int r = nvrm_open(rm, ctl, version);

	if (r == -EPROTO) {
		snprintf(why, size,
		         "the driver refused the version handshake: userspace %s, kernel module %s",
		         version, rm->driver_version[0] ? rm->driver_version : "(unknown)");
		return r;
	}
	if (r < 0) {
		snprintf(why, size, "%s: open and version handshake", ctl);
		return r;
	}
	return rm_why(rm, nvrm_cc_attach(rm),
	              "allocating the RM client and confidential-compute object", why, size);
}

int gpu_cc_query(const char *ctl, const char *version, struct nvrm_cc_state *s, char *why,
                 size_t size)
{
	struct nvrm rm;
	int r = open_attach(&rm, ctl, version, why, size);

	if (r == 0)
		r = rm_why(&rm, nvrm_cc_get(&rm, s), "reading the confidential-compute state", why,
		           size);
	nvrm_close(&rm);
	return r;
}

static const char *ready_name(bool ready)
{
	return ready ? "ready" : "not ready";
}

int gpu_cc_set_ready(const char *ctl, const char *version, bool ready, char *why, size_t size)
{
	struct nvrm_cc_state s;
	struct nvrm rm;
	char what[64];
	int r = open_attach(&rm, ctl, version, why, size);

	snprintf(what, sizeof(what), "setting the CC GPUs-ready state to %s", ready_name(ready));
	if (r == 0)
		r = rm_why(&rm, nvrm_cc_set_ready(&rm, ready), what, why, size);
	if (r == 0)
		r = rm_why(&rm, nvrm_cc_get(&rm, &s), "reading back the CC GPUs-ready state", why,
		           size);
	if (r == 0 && s.ready != ready) {
		snprintf(why, size, "the CC GPUs-ready state reads %s after setting it to %s",
		         ready_name(s.ready), ready_name(ready));
		r = -EIO;
	}
	nvrm_close(&rm);
	return r;
}
