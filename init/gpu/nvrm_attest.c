// SPDX-License-Identifier: Apache-2.0
#include "init/gpu/nvrm_attest.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static int gpu_describe(struct nvrm *rm, struct nvrm_gpu *g)
{
	struct nv0000_id_info_v2 info = {.gpu_id = g->gpu_id};
	struct nv0000_pci_info pci = {.gpu_id = g->gpu_id};
	int r;

	r = nvrm_control(rm, rm->client, NV0000_CTRL_CMD_GPU_GET_ID_INFO_V2, &info, sizeof(info));
	if (r < 0)
		return r;
	g->device_instance = info.device_instance;
	g->subdevice_instance = info.subdevice_instance;
	r = nvrm_control(rm, rm->client, NV0000_CTRL_CMD_GPU_GET_PCI_INFO, &pci, sizeof(pci));
	if (r < 0)
		return r;
	/* The RM's slot is PCI device number; functions of a GPU are always 0. */
	snprintf(g->bdf, sizeof(g->bdf), "%04x:%02x:%02x.0", pci.domain & 0xffff, pci.bus & 0xff,
	         pci.slot & 0x1f);
	return 0;
}

int nvrm_gpus_list(struct nvrm *rm, struct nvrm_gpu *gpus, unsigned max, unsigned *count)
{
	struct nv0000_attached_ids ids;
	int r;

	*count = 0;
	memset(&ids, 0xff, sizeof(ids));
	r = nvrm_control(rm, rm->client, NV0000_CTRL_CMD_GPU_GET_ATTACHED_IDS, &ids, sizeof(ids));
	if (r < 0)
		return r;
	for (unsigned i = 0; i < NV0000_CTRL_GPU_MAX_ATTACHED_GPUS; i++) {
		if (ids.gpu_ids[i] == NV0000_CTRL_GPU_INVALID_ID)
			break;
		if (*count == max)
			return -E2BIG;
		memset(&gpus[*count], 0, sizeof(gpus[*count]));
		gpus[*count].gpu_id = ids.gpu_ids[i];
		r = gpu_describe(rm, &gpus[*count]);
		if (r < 0)
			return r;
		(*count)++;
	}
	return 0;
}

int nvrm_attest_fetch(struct nvrm *rm, const struct nvrm_gpu *gpu, const uint8_t *nonce,
                      struct nv_cc_certificate_params *cert, struct nv_cc_report_params *rep)
{
	struct nv0080_alloc dev = {.device_id = gpu->device_instance};
	struct nv2080_alloc sub = {.subdevice_id = gpu->subdevice_instance};
	uint32_t h_device, h_subdevice;
	int r;

	/* Both objects die with the client when nvrm_close frees it. */
	r = nvrm_alloc(rm, rm->client, rm->client, NV01_DEVICE_0, &dev, sizeof(dev), &h_device);
	if (r == 0)
		r = nvrm_alloc(rm, rm->client, h_device, NV20_SUBDEVICE_0, &sub, sizeof(sub),
		               &h_subdevice);
	if (r < 0)
		return r;
	memset(cert, 0, sizeof(*cert));
	cert->h_subdevice = h_subdevice;
	r = nvrm_control(rm, rm->cc, NV_CONF_COMPUTE_CTRL_CMD_GET_GPU_CERTIFICATE, cert,
	                 sizeof(*cert));
	if (r < 0)
		return r;
	if (cert->attestation_cert_chain_size == 0 ||
	    cert->attestation_cert_chain_size >= sizeof(cert->attestation_cert_chain))
		return -EMSGSIZE;
	cert->attestation_cert_chain[cert->attestation_cert_chain_size] = 0;
	memset(rep, 0, sizeof(*rep));
	rep->h_subdevice = h_subdevice;
	memcpy(rep->nonce, nonce, NV_CONF_COMPUTE_NONCE_SIZE);
	r = nvrm_control(rm, rm->cc, NV_CONF_COMPUTE_CTRL_CMD_GET_GPU_ATTESTATION_REPORT, rep,
	                 sizeof(*rep));
	if (r < 0)
		return r;
	if (rep->report_size == 0 || rep->report_size > sizeof(rep->report))
		return -EMSGSIZE;
	return 0;
}
