// SPDX-License-Identifier: Apache-2.0
/*
 * A fake RM behind /dev/nvidiactl for the attestation tests (fake_nvrm.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/ioctl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "init/base/fileio.h"
#include "init/base/hex.h"
#include "init/gpu/attest.h"
#include "init/gpu/nvrm_attest.h"
#include "init/core/sys.h"
#include "tests/lib/fake_nvrm.h"

#define H_DEVICE 0xd0
#define H_SUB    0xd1

struct fake_nvrm fake_rm;
char fake_rm_root[64];

static struct sys_ops ops;

void fake_nvrm_remove_root(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fake_rm_root);
	if (fake_rm_root[0] && system(cmd) != 0)
		printf("# could not remove %s\n", fake_rm_root);
	fake_rm_root[0] = '\0';
}

static bool rtmr3_path(const char *path)
{
	size_t n = strlen(path), m = strlen(GPU_ATTEST_RTMR3);

	return n > m && strcmp(path + n - m, GPU_ATTEST_RTMR3) == 0;
}

static int fake_open(const char *path, int flags, mode_t mode)
{
	(void)flags, (void)mode;
	/* The register as a plain file, appended to: it keeps every extend, in order. */
	if (rtmr3_path(path))
		return open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (strcmp(path, "/dev/nvidiactl") != 0)
		return -ENOENT;
	return open("/dev/null", O_RDWR | O_CLOEXEC);
}

static int fake_getrandom(void *buf, size_t len)
{
	memcpy(buf, fake_rm.nonce, len < sizeof(fake_rm.nonce) ? len : sizeof(fake_rm.nonce));
	return 0;
}

static bool known_gpu(uint32_t id)
{
	return id >= 0x4100 && id < 0x4100 + 0x100 * fake_rm.gpus && id % 0x100 == 0;
}

static uint32_t control(uint32_t cmd, uint32_t object, void *p, uint32_t size)
{
	struct nv_cc_certificate_params *cert = p;
	struct nv_cc_report_params *rep = p;

	fake_rm.controls++;
	switch (cmd) {
	case NV0000_CTRL_CMD_GPU_GET_ATTACHED_IDS:
		for (unsigned i = 0; i < fake_rm.gpus; i++)
			((struct nv0000_attached_ids *)p)->gpu_ids[i] = 0x4100 + 0x100 * i;
		return size == sizeof(struct nv0000_attached_ids) ? NV_OK
		                                                  : NV_ERR_INVALID_PARAM_STRUCT;
	case NV0000_CTRL_CMD_GPU_GET_ID_INFO_V2:
		return known_gpu(((struct nv0000_id_info_v2 *)p)->gpu_id) ? NV_OK
		                                                          : NV_ERR_INVALID_ARGUMENT;
	case NV0000_CTRL_CMD_GPU_GET_PCI_INFO:
		((struct nv0000_pci_info *)p)->bus =
		        (uint16_t)(((struct nv0000_pci_info *)p)->gpu_id >> 8);
		return NV_OK;
	case NV_CONF_COMPUTE_CTRL_CMD_GET_GPU_CERTIFICATE:
		if (cert->h_subdevice != H_SUB || size != sizeof(*cert) || object == 0)
			return NV_ERR_INVALID_ARGUMENT;
		if (fake_rm.cert_calls++ > 0 && fake_rm.chain2) {
			memcpy(cert->attestation_cert_chain, fake_rm.chain2, fake_rm.chain2_size);
			cert->attestation_cert_chain_size = (uint32_t)fake_rm.chain2_size;
			return fake_rm.cert_status;
		}
		memcpy(cert->attestation_cert_chain, fake_rm.chain, fake_rm.chain_size);
		cert->attestation_cert_chain_size = (uint32_t)fake_rm.chain_size;
		return fake_rm.cert_status;
	case NV_CONF_COMPUTE_CTRL_CMD_GET_GPU_ATTESTATION_REPORT:
		if (rep->h_subdevice != H_SUB || size != sizeof(*rep))
			return NV_ERR_INVALID_ARGUMENT;
		/* A real GPU signs the nonce it is sent; the sample answers only its own. */
		if (fake_rm.report_calls++ > 0 && fake_rm.chain2) {
			memcpy(rep->report, fake_rm.report2, fake_rm.report2_size);
			rep->report_size = (uint32_t)fake_rm.report2_size;
			return NV_OK;
		}
		memcpy(rep->report, fake_rm.report, fake_rm.report_size);
		rep->report_size = (uint32_t)fake_rm.report_size;
		return NV_OK;
	}
	fake_rm.other++;
	return NV_ERR_NOT_SUPPORTED;
}

static int fake_ioctl(int fd, unsigned long request, void *arg)
{
	(void)fd;
	switch (_IOC_NR(request)) {
	case NV_ESC_CHECK_VERSION_STR:
		((struct nv_rm_api_version *)arg)->reply = NV_RM_API_VERSION_REPLY_RECOGNIZED;
		return 0;
	case NV_ESC_RM_ALLOC: {
		struct nvos21_alloc *a = arg;
		a->h_new = a->h_class == NV01_DEVICE_0      ? H_DEVICE
		           : a->h_class == NV20_SUBDEVICE_0 ? H_SUB
		                                            : ++fake_rm.next_handle;
		a->params.status = a->h_class == NV20_SUBDEVICE_0 && a->h_parent != H_DEVICE
		                           ? NV_ERR_INVALID_ARGUMENT
		                           : NV_OK;
		return 0;
	}
	case NV_ESC_RM_CONTROL: {
		struct nvos54_control *c = arg;
		c->params.status = control(c->cmd, c->h_object, (void *)(uintptr_t)c->params.ptr,
		                           c->params.size);
		return 0;
	}
	case NV_ESC_RM_FREE:
		return 0;
	}
	return -ENOTTY;
}

int fake_nvrm_load_report(const char *path, uint8_t *out, size_t size)
{
	char *hex;
	size_t len;
	int n = read_full_file(path, 1 << 16, &hex, &len);

	if (n < 0)
		return n;
	while (len && hex[len - 1] == '\n')
		len--;
	n = hex_decode(hex, len, out, size);
	free(hex);
	return n > 0 ? n : -EINVAL;
}

int fake_nvrm_second_gpu(const char *report_hex_path, const char *chain_path)
{
	int n = fake_nvrm_load_report(report_hex_path, fake_rm.report2, sizeof(fake_rm.report2));

	if (n < 0)
		return n;
	fake_rm.report2_size = (size_t)n;
	return read_full_file(chain_path, 1 << 16, &fake_rm.chain2, &fake_rm.chain2_size);
}

int fake_nvrm_setup(const char *report_hex_path, const char *chain_path, const char *nonce_hex)
{
	char path[128];
	int n;

	fake_nvrm_remove_root(); /* an earlier setup's */
	free(fake_rm.chain);
	free(fake_rm.chain2);
	memset(&fake_rm, 0, sizeof(fake_rm));
	n = fake_nvrm_load_report(report_hex_path, fake_rm.report, sizeof(fake_rm.report));
	if (n < 0)
		return n;
	fake_rm.report_size = (size_t)n;
	n = read_full_file(chain_path, 1 << 16, &fake_rm.chain, &fake_rm.chain_size);
	if (n < 0)
		return n;
	if (hex_decode(nonce_hex, strlen(nonce_hex), fake_rm.nonce, sizeof(fake_rm.nonce)) != 32)
		return -EINVAL;
	fake_rm.next_handle = 0x10;
	fake_rm.gpus = 1;
	snprintf(fake_rm_root, sizeof(fake_rm_root), "/tmp/test-gpu-attest-XXXXXX");
	if (!mkdtemp(fake_rm_root))
		return -errno;
	snprintf(path, sizeof(path), "%s/run", fake_rm_root);
	if (mkdir(path, 0755) < 0)
		return -errno;
	ops = sys_real;
	ops.open = fake_open;
	ops.ioctl = fake_ioctl;
	ops.getrandom = fake_getrandom;
	sys = &ops;
	sys_root = fake_rm_root;
	return 0;
}

char *fake_nvrm_evidence(unsigned bus, const char *name, size_t *len)
{
	char path[256], *buf;

	snprintf(path, sizeof(path), "%s/run/ccinit/gpu/0000:%02x:00.0/%s", fake_rm_root, bus,
	         name);
	return read_full_file(path, 1 << 16, &buf, len) < 0 ? NULL : buf;
}
