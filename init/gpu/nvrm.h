/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The NVIDIA resource manager (RM) control interface on /dev/nvidiactl: the
 * ioctls nvidia-smi's library uses to read and set the confidential-compute
 * (CC) state. The ABI facts (escape numbers, parameter layouts, class and
 * command numbers) are those of NVIDIA's open kernel module headers
 * (nv-ioctl-numbers.h, nv-ioctl.h, nv_escape.h, nvos.h, class/clcb33.h,
 * ctrl/ctrlcb33.h) as of the 580 branch; the code is ours.
 *
 * Every call goes through the system-call seam (sys->open, sys->ioctl), so
 * tests put a fake driver behind it. Functions return 0 or a negative errno;
 * a failing RM status is kept in rm->status for the message.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ioctl escape numbers (the _IOC_NR of the request), magic 'F' */
#define NV_IOCTL_MAGIC           'F'
#define NV_ESC_CHECK_VERSION_STR (200 + 10)
#define NV_ESC_RM_FREE           0x29
#define NV_ESC_RM_CONTROL        0x2A
#define NV_ESC_RM_ALLOC          0x2B

#define NV_RM_API_VERSION_STRING_LENGTH    64
#define NV_RM_API_VERSION_CMD_STRICT       0
#define NV_RM_API_VERSION_REPLY_RECOGNIZED 1

/* classes */
#define NV01_ROOT_CLIENT        0x41u
#define NV_CONFIDENTIAL_COMPUTE 0xcb33u

/* NV_CONFIDENTIAL_COMPUTE controls */
#define NV_CONF_COMPUTE_CTRL_CMD_SYSTEM_GET_CAPABILITIES 0xcb330101u
#define NV_CONF_COMPUTE_CTRL_CMD_SYSTEM_GET_GPUS_STATE   0xcb330104u
#define NV_CONF_COMPUTE_CTRL_CMD_SYSTEM_SET_GPUS_STATE   0xcb330105u

/* RM status codes we name in messages (nvstatuscodes.h) */
#define NV_OK                           0x00u
#define NV_ERR_INSUFFICIENT_PERMISSIONS 0x1Bu
#define NV_ERR_INVALID_ARGUMENT         0x1Fu
#define NV_ERR_INVALID_CLASS            0x22u
#define NV_ERR_INVALID_CLIENT           0x23u
#define NV_ERR_INVALID_PARAM_STRUCT     0x3Au
#define NV_ERR_NOT_SUPPORTED            0x56u
#define NV_ERR_OBJECT_NOT_FOUND         0x57u

/* values of the capability fields */
enum nv_cc_cpu_cap {
	NV_CC_CPU_NONE = 0,
	NV_CC_CPU_AMD_SEV = 1,
	NV_CC_CPU_INTEL_TDX = 2,
	NV_CC_CPU_AMD_SEV_SNP = 3,
	NV_CC_CPU_AMD_SNP_VTOM = 4,
};
enum nv_cc_gpus_cap { NV_CC_GPUS_NONE = 0, NV_CC_GPUS_APM = 1, NV_CC_GPUS_HCC = 2 };
enum nv_cc_env { NV_CC_ENV_UNAVAILABLE = 0, NV_CC_ENV_SIM = 1, NV_CC_ENV_PROD = 2 };
enum nv_cc_feature { NV_CC_FEATURE_DISABLED = 0, NV_CC_FEATURE_APM = 1, NV_CC_FEATURE_HCC = 2 };
enum nv_cc_multi_gpu {
	NV_CC_MULTI_GPU_NONE = 0,
	NV_CC_MULTI_GPU_PPCIE = 1,
	NV_CC_MULTI_GPU_NVLE = 2
};

/* The kernel's structures, laid out as the driver expects them (x86-64 and arm64). */
struct nv_rm_api_version {
	uint32_t cmd;
	uint32_t reply;
	char version[NV_RM_API_VERSION_STRING_LENGTH];
};

/* The tail NVOS21 and NVOS54 share: the call's parameters, their size, the RM's answer. */
struct nv_rm_params {
	uint64_t ptr __attribute__((aligned(8)));
	uint32_t size;
	uint32_t status;
};

struct nvos21_alloc { /* NVOS21_PARAMETERS */
	uint32_t h_root;
	uint32_t h_parent;
	uint32_t h_new;
	uint32_t h_class;
	struct nv_rm_params params;
};

struct nvos54_control { /* NVOS54_PARAMETERS */
	uint32_t h_client;
	uint32_t h_object;
	uint32_t cmd;
	uint32_t flags;
	struct nv_rm_params params;
};

struct nvos00_free { /* NVOS00_PARAMETERS */
	uint32_t h_root;
	uint32_t h_parent;
	uint32_t h_old;
	uint32_t status;
};

struct nv_cc_alloc_params { /* NV_CONFIDENTIAL_COMPUTE_ALLOC_PARAMS */
	uint32_t h_client;
};

struct nv_cc_caps_params { /* ..._SYSTEM_GET_CAPABILITIES_PARAMS (580: 6 bytes; 535: 5) */
	uint8_t cpu_capability;
	uint8_t gpus_capability;
	uint8_t environment;
	uint8_t cc_feature;
	uint8_t devtools_mode;
	uint8_t multi_gpu_mode;
};

struct nv_cc_gpus_state_params {       /* ..._SYSTEM_{GET,SET}_GPUS_STATE_PARAMS */
	uint8_t accept_client_request; /* NvBool */
};

/* ioctl request numbers: _IOWR('F', nr, size) as the driver decodes them */
unsigned long nvrm_request(unsigned nr, size_t size);

struct nvrm {
	int fd;
	uint32_t client;
	uint32_t cc;
	uint32_t status; /* RM status of the last failing call, 0 otherwise */
	char driver_version[NV_RM_API_VERSION_STRING_LENGTH]; /* the driver's, on refusal */
};

struct nvrm_cc_state {
	struct nv_cc_caps_params caps;
	bool ready; /* GPUs accept client work */
};

/* The driver's control node, and where the loaded module names its version for the handshake. */
#define NVRM_CTL_PATH       "/dev/nvidiactl"
#define NVRM_MODULE_VERSION "/sys/module/nvidia/version"

/*
 * Opens ctl_path (NVRM_CTL_PATH) and completes the version handshake with
 * version (strict comparison, as the driver's own userspace does). A refusal
 * is -EPROTO with the driver's version in rm->driver_version.
 */
int nvrm_open(struct nvrm *rm, const char *ctl_path, const char *version);

/* Allocates an RM client and, under it, the confidential-compute object. */
int nvrm_cc_attach(struct nvrm *rm);

int nvrm_cc_get(struct nvrm *rm, struct nvrm_cc_state *s);

/* An RM object of class cls under parent; the RM picks *handle. */
int nvrm_alloc(struct nvrm *rm, uint32_t root, uint32_t parent, uint32_t cls, void *params,
               uint32_t params_size, uint32_t *handle);
/* A control on object (the client, the CC object, a device); RM status in rm->status. */
int nvrm_control(struct nvrm *rm, uint32_t object, uint32_t cmd, void *params, uint32_t size);

/* Sets the GPUs-ready state (privileged; never called by gpu-status). */
int nvrm_cc_set_ready(struct nvrm *rm, bool ready);

/* Frees the objects and closes the descriptor; safe on a partly opened rm. */
void nvrm_close(struct nvrm *rm);

/* A short name for an RM status code ("NV_ERR_NOT_SUPPORTED", or "0x..."). */
const char *nvrm_status_name(uint32_t status, char *buf, size_t size);
