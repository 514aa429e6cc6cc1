/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The GPUs' confidential-compute state (gpu/cc.c): read through the driver's
 * RM controls, held against ccinit.gpu.cc, and the GPUs-ready state set when
 * the command line asks.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "init/core/config.h"
#include "init/gpu/nvrm.h"
#include "init/core/tee.h"

enum gpu_cc_mode { GPU_CC_MODE_OFF, GPU_CC_MODE_ON, GPU_CC_MODE_DEVTOOLS, GPU_CC_MODE_PPCIE };

enum gpu_cc_mode gpu_cc_mode_of(const struct nv_cc_caps_params *c);
const char *gpu_cc_mode_name(enum gpu_cc_mode m);
/* auto: on with a CPU TEE, any without. */
enum gpu_cc_policy gpu_cc_policy_resolve(enum gpu_cc_policy p, enum cpu_tee tee);
const char *gpu_cc_policy_name(enum gpu_cc_policy p);
/* 0 when the state satisfies the policy; -EMEDIUMTYPE with what was found otherwise. */
int gpu_cc_check(enum gpu_cc_policy p, const struct nvrm_cc_state *s, char *why, size_t size);
/* One line naming every field, for messages. */
void gpu_cc_describe(const struct nvrm_cc_state *s, char *buf, size_t size);

/* Field texts as `nvidia-smi conf-compute -q` prints them. */
const char *gpu_cc_smi_state(const struct nv_cc_caps_params *c);
const char *gpu_cc_smi_cpu(uint8_t cpu_capability);
const char *gpu_cc_smi_gpus(uint8_t gpus_capability);
const char *gpu_cc_smi_multi_gpu(uint8_t multi_gpu_mode);
const char *gpu_cc_smi_env(uint8_t environment);

/*
 * The ready state the command line asks for: nvrc.smi.srs=<0|1> (NVRC's) or
 * ccinit.gpu.ready=1. *set false: leave it. -EINVAL for another srs value.
 */
int gpu_cc_ready_request(const struct ccinit_config *c, bool *set, bool *ready, char *why,
                         size_t size);
/* Opens the driver (handshake with version) and reads the CC state. */
int gpu_cc_query(const char *ctl, const char *version, struct nvrm_cc_state *s, char *why,
                 size_t size);
/* Sets the GPUs-ready state and reads it back. */
int gpu_cc_set_ready(const char *ctl, const char *version, bool ready, char *why, size_t size);
