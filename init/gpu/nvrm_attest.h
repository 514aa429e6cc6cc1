/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The RM controls of GPU attestation (init/gpu/attestation.md, 1): the GPUs
 * the driver attached, and for one of them, through a device and subdevice
 * object, its attestation certificate chain and a report answering our
 * nonce. GET controls only. Layouts from NVIDIA's open kernel module headers
 * (ctrl/ctrl0000/ctrl0000gpu.h, class/cl0080.h, class/cl2080.h,
 * ctrl/ctrlcb33.h), 580 branch.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "init/gpu/nvrm.h"

#define NV01_DEVICE_0    0x80u
#define NV20_SUBDEVICE_0 0x2080u

#define NV0000_CTRL_CMD_GPU_GET_ATTACHED_IDS 0x201u
#define NV0000_CTRL_CMD_GPU_GET_ID_INFO_V2   0x205u
#define NV0000_CTRL_CMD_GPU_GET_PCI_INFO     0x21bu
#define NV0000_CTRL_GPU_MAX_ATTACHED_GPUS    32
#define NV0000_CTRL_GPU_INVALID_ID           0xffffffffu

#define NV_CONF_COMPUTE_CTRL_CMD_GET_GPU_CERTIFICATE        0xcb330109u
#define NV_CONF_COMPUTE_CTRL_CMD_GET_GPU_ATTESTATION_REPORT 0xcb33010au
#define NV_CONF_COMPUTE_CERT_CHAIN_MAX_SIZE                 0x1000
#define NV_CONF_COMPUTE_ATTESTATION_CERT_CHAIN_MAX_SIZE     0x1400
#define NV_CONF_COMPUTE_GPU_ATTESTATION_REPORT_MAX_SIZE     0x2000
#define NV_CONF_COMPUTE_GPU_CEC_ATTESTATION_REPORT_MAX_SIZE 0x1000
#define NV_CONF_COMPUTE_NONCE_SIZE                          0x20

struct nv0000_attached_ids {
	uint32_t gpu_ids[NV0000_CTRL_GPU_MAX_ATTACHED_GPUS];
};

struct nv0000_id_info_v2 {
	uint32_t gpu_id;
	uint32_t gpu_flags;
	uint32_t device_instance;
	uint32_t subdevice_instance;
	uint32_t sli_status;
	uint32_t board_id;
	uint32_t gpu_instance;
	int32_t numa_id;
};

struct nv0000_pci_info {
	uint32_t gpu_id;
	uint32_t domain;
	uint16_t bus;
	uint16_t slot;
};

struct nv0080_alloc { /* NV0080_ALLOC_PARAMETERS */
	uint32_t device_id;
	uint32_t h_client_share;
	uint32_t h_target_client;
	uint32_t h_target_device;
	uint32_t flags;
	uint64_t va_space_size __attribute__((aligned(8)));
	uint64_t va_start_internal __attribute__((aligned(8)));
	uint64_t va_limit_internal __attribute__((aligned(8)));
	uint32_t va_mode;
};

struct nv2080_alloc { /* NV2080_ALLOC_PARAMETERS */
	uint32_t subdevice_id;
};

struct nv_cc_certificate_params { /* ..._GET_GPU_CERTIFICATE_PARAMS */
	uint32_t h_subdevice;
	uint8_t cert_chain[NV_CONF_COMPUTE_CERT_CHAIN_MAX_SIZE];
	uint32_t cert_chain_size;
	uint8_t attestation_cert_chain[NV_CONF_COMPUTE_ATTESTATION_CERT_CHAIN_MAX_SIZE];
	uint32_t attestation_cert_chain_size;
};

struct nv_cc_report_params { /* ..._GET_GPU_ATTESTATION_REPORT_PARAMS */
	uint32_t h_subdevice;
	uint8_t nonce[NV_CONF_COMPUTE_NONCE_SIZE];
	uint8_t report[NV_CONF_COMPUTE_GPU_ATTESTATION_REPORT_MAX_SIZE];
	uint32_t report_size;
	uint8_t cec_report_present; /* NvBool */
	uint8_t cec_report[NV_CONF_COMPUTE_GPU_CEC_ATTESTATION_REPORT_MAX_SIZE];
	uint32_t cec_report_size;
};

/* One GPU as the RM knows it. */
struct nvrm_gpu {
	uint32_t gpu_id;
	uint32_t device_instance;
	uint32_t subdevice_instance;
	char bdf[16]; /* "0000:41:00.0" */
};

/* The attached GPUs (at most max); *count gets how many. */
int nvrm_gpus_list(struct nvrm *rm, struct nvrm_gpu *gpus, unsigned max, unsigned *count);

/*
 * Fetches gpu's attestation chain (PEM, NUL-terminated) and a report
 * answering nonce. cert and rep are large (9 and 12 KiB): the caller owns them.
 */
int nvrm_attest_fetch(struct nvrm *rm, const struct nvrm_gpu *gpu, const uint8_t *nonce,
                      struct nv_cc_certificate_params *cert, struct nv_cc_report_params *rep);
