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

#include "init/gpu.h"

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
	switch (m) {
	case GPU_CC_MODE_OFF:
		return "off";
	case GPU_CC_MODE_ON:
		return "on";
	case GPU_CC_MODE_DEVTOOLS:
		return "devtools";
	case GPU_CC_MODE_PPCIE:
		return "ppcie";
	}
	return "?";
}

enum gpu_cc_policy gpu_cc_policy_resolve(enum gpu_cc_policy p, enum cpu_tee tee)
{
	if (p != GPU_CC_AUTO)
		return p;
	return tee == CPU_TEE_NONE ? GPU_CC_ANY : GPU_CC_ON;
}

const char *gpu_cc_policy_name(enum gpu_cc_policy p)
{
	switch (p) {
	case GPU_CC_AUTO:
		return "auto";
	case GPU_CC_ON:
		return "on";
	case GPU_CC_DEVTOOLS:
		return "devtools";
	case GPU_CC_OFF:
		return "off";
	case GPU_CC_ANY:
		return "any";
	}
	return "?";
}

const char *gpu_cc_smi_state(const struct nv_cc_caps_params *c)
{
	if (c->devtools_mode)
		return "DEVTOOLS";
	return c->cc_feature != NV_CC_FEATURE_DISABLED ? "ON" : "OFF";
}

const char *gpu_cc_smi_cpu(uint8_t v)
{
	switch (v) {
	case NV_CC_CPU_NONE:
		return "None";
	case NV_CC_CPU_AMD_SEV:
		return "AMD SEV";
	case NV_CC_CPU_INTEL_TDX:
		return "Intel TDX";
	case NV_CC_CPU_AMD_SEV_SNP:
		return "AMD SEV-SNP";
	case NV_CC_CPU_AMD_SNP_VTOM:
		return "AMD SNP VTOM";
	}
	return "Unknown";
}

const char *gpu_cc_smi_gpus(uint8_t v)
{
	/* NVML reports APM and HCC alike as capable. */
	return v == NV_CC_GPUS_NONE ? "Not CC Capable" : "CC Capable";
}

const char *gpu_cc_smi_multi_gpu(uint8_t v)
{
	switch (v) {
	case NV_CC_MULTI_GPU_NONE:
		return "None";
	case NV_CC_MULTI_GPU_PPCIE:
		return "Protected PCIe";
	case NV_CC_MULTI_GPU_NVLE:
		return "NVLE";
	}
	return "Unknown";
}

const char *gpu_cc_smi_env(uint8_t v)
{
	switch (v) {
	case NV_CC_ENV_UNAVAILABLE:
		return "Unavailable";
	case NV_CC_ENV_SIM:
		return "Simulation";
	case NV_CC_ENV_PROD:
		return "Production";
	}
	return "Unknown";
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

static int open_attach(struct nvrm *rm, const char *ctl, const char *version, char *why,
                       size_t size)
{
	char st[32];
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
	r = nvrm_cc_attach(rm);
	if (r < 0)
		snprintf(why, size, "allocating the RM client and confidential-compute object: %s",
		         nvrm_status_name(rm->status, st, sizeof(st)));
	return r;
}

int gpu_cc_query(const char *ctl, const char *version, struct nvrm_cc_state *s, char *why,
                 size_t size)
{
	struct nvrm rm;
	char st[32];
	int r = open_attach(&rm, ctl, version, why, size);

	if (r == 0) {
		r = nvrm_cc_get(&rm, s);
		if (r < 0)
			snprintf(why, size, "reading the confidential-compute state: %s",
			         nvrm_status_name(rm.status, st, sizeof(st)));
	}
	nvrm_close(&rm);
	return r;
}

int gpu_cc_set_ready(const char *ctl, const char *version, bool ready, char *why, size_t size)
{
	struct nvrm_cc_state s;
	struct nvrm rm;
	char st[32];
	int r = open_attach(&rm, ctl, version, why, size);

	if (r == 0) {
		r = nvrm_cc_set_ready(&rm, ready);
		if (r < 0)
			snprintf(why, size, "setting the CC GPUs-ready state to %s: %s",
			         ready ? "ready" : "not ready",
			         nvrm_status_name(rm.status, st, sizeof(st)));
	}
	if (r == 0) {
		r = nvrm_cc_get(&rm, &s);
		if (r < 0)
			snprintf(why, size, "reading back the CC GPUs-ready state: %s",
			         nvrm_status_name(rm.status, st, sizeof(st)));
		else if (s.ready != ready) {
			snprintf(why, size,
			         "the CC GPUs-ready state reads %s after setting it to %s",
			         s.ready ? "ready" : "not ready", ready ? "ready" : "not ready");
			r = -EIO;
		}
	}
	nvrm_close(&rm);
	return r;
}
