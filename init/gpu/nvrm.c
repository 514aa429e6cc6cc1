// SPDX-License-Identifier: Apache-2.0
#include "init/gpu/nvrm.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/ioctl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "init/core/sys.h"
#include "init/gpu/nvrm_attest.h"

/*
 * The driver refuses any size but its own: every structure this folder hands
 * it (here and in nvrm_attest.c) is held to the headers' size, in one list.
 */
_Static_assert(sizeof(struct nv_rm_api_version) == 72, "nv_ioctl_rm_api_version_t");
_Static_assert(sizeof(struct nvos21_alloc) == 32, "NVOS21_PARAMETERS");
_Static_assert(sizeof(struct nvos54_control) == 32, "NVOS54_PARAMETERS");
_Static_assert(sizeof(struct nvos00_free) == 16, "NVOS00_PARAMETERS");
_Static_assert(sizeof(struct nv_cc_caps_params) == 6, "GET_CAPABILITIES_PARAMS");
_Static_assert(sizeof(struct nv_cc_gpus_state_params) == 1, "GPUS_STATE_PARAMS");
_Static_assert(sizeof(struct nv0000_attached_ids) == 128, "GET_ATTACHED_IDS_PARAMS");
_Static_assert(sizeof(struct nv0000_id_info_v2) == 32, "GET_ID_INFO_V2_PARAMS");
_Static_assert(sizeof(struct nv0000_pci_info) == 12, "GET_PCI_INFO_PARAMS");
_Static_assert(sizeof(struct nv0080_alloc) == 56, "NV0080_ALLOC_PARAMETERS");
_Static_assert(sizeof(struct nv_cc_certificate_params) == 9228, "GET_GPU_CERTIFICATE_PARAMS");
_Static_assert(sizeof(struct nv_cc_report_params) == 12336, "GET_GPU_ATTESTATION_REPORT_PARAMS");

/* The 535 branch's capabilities have no multiGpuMode byte. */
#define CC_CAPS_SIZE_535 5

unsigned long nvrm_request(unsigned nr, size_t size)
{
	return _IOWR(NV_IOCTL_MAGIC, nr, char[size]);
}

const char *nvrm_status_name(uint32_t status, char *buf, size_t size)
{
	static const struct {
		uint32_t code;
		const char *name;
	} names[] = {
	        {NV_OK, "NV_OK"},
	        {NV_ERR_INSUFFICIENT_PERMISSIONS, "NV_ERR_INSUFFICIENT_PERMISSIONS"},
	        {NV_ERR_INVALID_ARGUMENT, "NV_ERR_INVALID_ARGUMENT"},
	        {NV_ERR_INVALID_CLASS, "NV_ERR_INVALID_CLASS"},
	        {NV_ERR_INVALID_CLIENT, "NV_ERR_INVALID_CLIENT"},
	        {NV_ERR_INVALID_PARAM_STRUCT, "NV_ERR_INVALID_PARAM_STRUCT"},
	        {NV_ERR_NOT_SUPPORTED, "NV_ERR_NOT_SUPPORTED"},
	        {NV_ERR_OBJECT_NOT_FOUND, "NV_ERR_OBJECT_NOT_FOUND"},
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].code == status)
			return names[i].name;
	snprintf(buf, size, "RM status 0x%x", status);
	return buf;
}

/* An RM status as an errno: permission and support failures keep their meaning. */
static int status_errno(uint32_t status)
{
	switch (status) {
	case NV_OK:
		return 0;
	case NV_ERR_INSUFFICIENT_PERMISSIONS:
		return -EPERM;
	case NV_ERR_NOT_SUPPORTED:
	case NV_ERR_INVALID_CLASS:
		return -EOPNOTSUPP;
	default:
		return -EIO;
	}
}

static int rm_ioctl(struct nvrm *rm, unsigned nr, void *arg, size_t size)
{
	int r = sys->ioctl(rm->fd, nvrm_request(nr, size), arg);
	return r < 0 ? r : 0;
}

int nvrm_open(struct nvrm *rm, const char *ctl_path, const char *version)
{
	struct nv_rm_api_version v = {.cmd = NV_RM_API_VERSION_CMD_STRICT};
	int r;

	memset(rm, 0, sizeof(*rm));
	rm->fd = -1;
	if (!version || strlen(version) >= sizeof(v.version))
		return -EINVAL;

	r = sys->open(ctl_path, O_RDWR | O_CLOEXEC, 0);
	if (r < 0)
		return r;
	rm->fd = r;

	/* The RM checks the whole string, NUL included: copy it with its terminator. */
	memcpy(v.version, version, strlen(version) + 1);
	r = rm_ioctl(rm, NV_ESC_CHECK_VERSION_STR, &v, sizeof(v));
	if (r == -EINVAL && v.reply == NV_RM_API_VERSION_REPLY_RECOGNIZED) {
		/* Refused: the driver wrote its own version back. */
		v.version[sizeof(v.version) - 1] = '\0';
		snprintf(rm->driver_version, sizeof(rm->driver_version), "%s", v.version);
		return -EPROTO;
	}
	if (r < 0)
		return r;
	if (v.reply != NV_RM_API_VERSION_REPLY_RECOGNIZED)
		return -EPROTO;
	return 0;
}

/* An escape whose answer is an RM status in p (inside arg): kept in rm->status when not NV_OK. */
static int rm_call(struct nvrm *rm, unsigned nr, void *arg, size_t size,
                   const struct nv_rm_params *p)
{
	int r = rm_ioctl(rm, nr, arg, size);

	if (r < 0)
		return r;
	if (p->status != NV_OK) {
		rm->status = p->status;
		return status_errno(p->status);
	}
	return 0;
}

int nvrm_alloc(struct nvrm *rm, uint32_t root, uint32_t parent, uint32_t cls, void *params,
               uint32_t params_size, uint32_t *handle)
{
	struct nvos21_alloc a = {
	        .h_root = root,
	        .h_parent = parent,
	        .h_new = 0, /* the RM picks the handle */
	        .h_class = cls,
	        .params = {.ptr = (uint64_t)(uintptr_t)params, .size = params_size},
	};
	int r = rm_call(rm, NV_ESC_RM_ALLOC, &a, sizeof(a), &a.params);
	if (r < 0)
		return r;
	if (a.h_new == 0)
		return -EIO;
	*handle = a.h_new;
	return 0;
}

int nvrm_cc_attach(struct nvrm *rm)
{
	struct nv_cc_alloc_params p;
	int r;

	r = nvrm_alloc(rm, 0, 0, NV01_ROOT_CLIENT, NULL, 0, &rm->client);
	if (r < 0)
		return r;
	p.h_client = rm->client;
	return nvrm_alloc(rm, rm->client, rm->client, NV_CONFIDENTIAL_COMPUTE, &p, sizeof(p),
	                  &rm->cc);
}

int nvrm_control(struct nvrm *rm, uint32_t object, uint32_t cmd, void *params, uint32_t size)
{
	struct nvos54_control c = {
	        .h_client = rm->client,
	        .h_object = object,
	        .cmd = cmd,
	        .params = {.ptr = (uint64_t)(uintptr_t)params, .size = size},
	};

	if (rm->client == 0 || object == 0)
		return -EBADF;
	return rm_call(rm, NV_ESC_RM_CONTROL, &c, sizeof(c), &c.params);
}

static int rm_control(struct nvrm *rm, uint32_t cmd, void *params, uint32_t size)
{
	return nvrm_control(rm, rm->cc, cmd, params, size);
}

int nvrm_cc_get(struct nvrm *rm, struct nvrm_cc_state *s)
{
	struct nv_cc_gpus_state_params g = {0};
	int r;

	memset(s, 0, sizeof(*s));
	r = rm_control(rm, NV_CONF_COMPUTE_CTRL_CMD_SYSTEM_GET_CAPABILITIES, &s->caps,
	               sizeof(s->caps));
	if (r < 0 &&
	    (rm->status == NV_ERR_INVALID_ARGUMENT || rm->status == NV_ERR_INVALID_PARAM_STRUCT)) {
		/*
		 * An older driver: the same fields without the multi-GPU mode. A size the
		 * driver does not expect reads NV_ERR_INVALID_ARGUMENT on 580.159.04 (seen
		 * on the H100), NV_ERR_INVALID_PARAM_STRUCT in resserv's own check.
		 */
		rm->status = 0;
		memset(&s->caps, 0, sizeof(s->caps));
		r = rm_control(rm, NV_CONF_COMPUTE_CTRL_CMD_SYSTEM_GET_CAPABILITIES, &s->caps,
		               CC_CAPS_SIZE_535);
	}
	if (r < 0)
		return r;
	r = rm_control(rm, NV_CONF_COMPUTE_CTRL_CMD_SYSTEM_GET_GPUS_STATE, &g, sizeof(g));
	if (r < 0)
		return r;
	s->ready = g.accept_client_request != 0;
	return 0;
}

int nvrm_cc_set_ready(struct nvrm *rm, bool ready)
{
	struct nv_cc_gpus_state_params p = {.accept_client_request = ready};
	return rm_control(rm, NV_CONF_COMPUTE_CTRL_CMD_SYSTEM_SET_GPUS_STATE, &p, sizeof(p));
}

static void rm_free(struct nvrm *rm, uint32_t parent, uint32_t handle)
{
	struct nvos00_free f = {.h_root = rm->client, .h_parent = parent, .h_old = handle};
	/* Best effort: closing the descriptor frees whatever is left anyway. */
	(void)rm_ioctl(rm, NV_ESC_RM_FREE, &f, sizeof(f));
}

void nvrm_close(struct nvrm *rm)
{
	if (rm->fd < 0)
		return;
	if (rm->cc)
		rm_free(rm, rm->client, rm->cc);
	if (rm->client)
		rm_free(rm, rm->client, rm->client);
	rm->cc = rm->client = 0;
	close(rm->fd);
	rm->fd = -1;
}
