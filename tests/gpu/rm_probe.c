// SPDX-License-Identifier: Apache-2.0
/*
 * Read-only probe of the RM ABI on a real driver, for tests/gpu/compare.sh:
 * the version handshake's refusal (a wrong version is refused and the driver
 * names its own), and the GET_CAPABILITIES size check that nvrm_cc_get's
 * fallback for 535 drivers relies on (580.159.04 answers a wrong size with
 * NV_ERR_INVALID_ARGUMENT). Issues only the handshake, allocations
 * of a client and the CC object, GET controls and frees; never a SET.
 * Prints "PASS name" / "FAIL name: detail" lines.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "init/gpu/nvrm.h"
#include "init/core/sys.h"

static int failed;

static void check(int ok, const char *name, const char *detail)
{
	printf("%s %s%s%s\n", ok ? "PASS" : "FAIL", name, ok ? "" : ": ", ok ? "" : detail);
	failed |= !ok;
}

static uint32_t control(struct nvrm *rm, uint32_t cmd, void *params, uint32_t size)
{
	struct nvos54_control c = {.h_client = rm->client,
	                           .h_object = rm->cc,
	                           .cmd = cmd,
	                           .params = {.ptr = (uint64_t)(uintptr_t)params, .size = size}};
	int r = sys->ioctl(rm->fd, nvrm_request(NV_ESC_RM_CONTROL, sizeof(c)), &c);
	return r < 0 ? 0xffffffffu : c.params.status;
}

int main(void)
{
	struct nv_cc_caps_params caps;
	struct nv_cc_gpus_state_params g;
	struct nvrm rm;
	char version[64], detail[160];
	uint32_t st;
	int r;

	if (sys_read_file("/sys/module/nvidia/version", version, sizeof(version)) < 0) {
		printf("FAIL driver version: /sys/module/nvidia/version unreadable\n");
		return 1;
	}
	r = nvrm_open(&rm, "/dev/nvidiactl", "0.0.0-ccinit-probe");
	snprintf(detail, sizeof(detail), "r=%d driver says '%s', module %s", r, rm.driver_version,
	         version);
	check(r == -EPROTO && strcmp(rm.driver_version, version) == 0,
	      "wrong version refused, driver names its own", detail);
	nvrm_close(&rm);

	r = nvrm_open(&rm, "/dev/nvidiactl", version);
	snprintf(detail, sizeof(detail), "r=%d", r);
	check(r == 0, "handshake with the module's version", detail);
	if (r == 0) {
		r = nvrm_cc_attach(&rm);
		snprintf(detail, sizeof(detail), "r=%d status 0x%x", r, rm.status);
		check(r == 0, "client and NV_CONFIDENTIAL_COMPUTE allocated", detail);
		st = control(&rm, NV_CONF_COMPUTE_CTRL_CMD_SYSTEM_GET_CAPABILITIES, &caps, 5);
		snprintf(detail, sizeof(detail), "status 0x%x", st);
		check(st == NV_ERR_INVALID_ARGUMENT || st == NV_ERR_INVALID_PARAM_STRUCT,
		      "5-byte (535) capabilities refused as nvrm_cc_get's fallback expects",
		      detail);
		st = control(&rm, NV_CONF_COMPUTE_CTRL_CMD_SYSTEM_GET_CAPABILITIES, &caps, 6);
		snprintf(detail, sizeof(detail), "status 0x%x", st);
		check(st == NV_OK, "6-byte (580) capabilities accepted", detail);
		st = control(&rm, NV_CONF_COMPUTE_CTRL_CMD_SYSTEM_GET_GPUS_STATE, &g, sizeof(g));
		snprintf(detail, sizeof(detail), "status 0x%x", st);
		check(st == NV_OK, "GPUs-ready state read", detail);
	}
	nvrm_close(&rm);
	return failed;
}
