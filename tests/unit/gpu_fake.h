/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A fake NVIDIA driver on the shared fake kernel (tests/lib/fake_sys.h), for
 * the GPU tests: /dev/nvidiactl is a fake device whose ioctls answer the RM
 * escapes (version handshake, client and NV_CONFIDENTIAL_COMPUTE allocation,
 * the CC controls, free) the way the 580 driver does, checking request
 * numbers, sizes and handles; mknod and mkdir land in a temp directory that
 * is sys_root. Included by the GPU test files only (static functions).
 */
#pragma once

#include <errno.h>
#include <fcntl.h>
#include <linux/ioctl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "init/core/harden.h"
#include "init/gpu/nvrm.h"
#include "init/core/spawn.h"
#include "init/core/sys.h"
#include "tests/lib/fake_sys.h"
#include "tests/lib/tap.h"

#define FAKE_CLIENT 0xc1d00042u
#define FAKE_CC     0xcb330007u

static struct {
	char version[64]; /* the driver's */
	struct nv_cc_caps_params caps;
	unsigned caps_size; /* 6 (580) or 5 (535) */
	bool ready;
	bool ignore_set;  /* SET_GPUS_STATE answers NV_OK and changes nothing */
	unsigned fail_nr; /* this escape fails in the ioctl itself */
	int fail_errno;
	uint32_t alloc_client_status, alloc_cc_status, get_status, set_status;
	/* observations */
	bool handshake_done;
	unsigned clients, ccs, frees, set_calls, bad_requests;
	char events[4096]; /* what happened, in order, a line each (fake_event) */
	bool held;         /* "persistenced ready" is in events */
	char root[64];
} fake;

#define PERSISTENCED_SOCKET "/var/run/nvidia-persistenced/socket"

static inline bool fake_exists(const char *rel);

/*
 * Appends one line to fake.events. The first event after persistenced's
 * socket appeared is preceded by "persistenced ready": ccinit waits for that
 * socket, so an event before the marker happened before persistenced held
 * the GPUs.
 */
static inline void fake_event(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline void fake_event(const char *fmt, ...)
{
	size_t n = strlen(fake.events);
	va_list ap;

	if (!fake.held && fake.root[0] && fake_exists(PERSISTENCED_SOCKET)) {
		fake.held = true;
		snprintf(fake.events + n, sizeof(fake.events) - n, "persistenced ready\n");
		n = strlen(fake.events);
	}
	va_start(ap, fmt);
	vsnprintf(fake.events + n, sizeof(fake.events) - n, fmt, ap);
	va_end(ap);
	n = strlen(fake.events);
	snprintf(fake.events + n, sizeof(fake.events) - n, "\n");
}

/* How many times line (a whole line) is in fake.events. */
static inline unsigned fake_event_count(const char *line)
{
	size_t len = strlen(line);
	unsigned count = 0;

	for (const char *p = fake.events; (p = strstr(p, line)); p += len)
		if ((p == fake.events || p[-1] == '\n') && p[len] == '\n')
			count++;
	return count;
}

/* Where line first is in fake.events (its offset), or -1. */
static inline int fake_event_at(const char *line)
{
	size_t len = strlen(line);

	for (const char *p = fake.events; (p = strstr(p, line)); p += len)
		if ((p == fake.events || p[-1] == '\n') && p[len] == '\n')
			return (int)(p - fake.events);
	return -1;
}

static inline void fake_driver_init(const char *version)
{
	memset(&fake, 0, sizeof(fake));
	snprintf(fake.version, sizeof(fake.version), "%s", version);
	fake.caps_size = sizeof(struct nv_cc_caps_params);
	fake.caps.gpus_capability = NV_CC_GPUS_HCC;
}

static inline int fake_control(struct nvos54_control *c)
{
	void *p = (void *)(uintptr_t)c->params.ptr;

	if (!fake.handshake_done || c->h_client != FAKE_CLIENT || c->h_object != FAKE_CC)
		return NV_ERR_INVALID_CLIENT;
	switch (c->cmd) {
	case NV_CONF_COMPUTE_CTRL_CMD_SYSTEM_GET_CAPABILITIES:
		/* What 580.159.04 answers to a size it does not expect (seen on the H100). */
		if (c->params.size != fake.caps_size)
			return NV_ERR_INVALID_ARGUMENT;
		if (fake.get_status)
			return fake.get_status;
		memcpy(p, &fake.caps, fake.caps_size);
		return NV_OK;
	case NV_CONF_COMPUTE_CTRL_CMD_SYSTEM_GET_GPUS_STATE:
		if (c->params.size != 1)
			return NV_ERR_INVALID_PARAM_STRUCT;
		if (fake.get_status)
			return fake.get_status;
		((struct nv_cc_gpus_state_params *)p)->accept_client_request = fake.ready;
		return NV_OK;
	case NV_CONF_COMPUTE_CTRL_CMD_SYSTEM_SET_GPUS_STATE:
		if (c->params.size != 1)
			return NV_ERR_INVALID_PARAM_STRUCT;
		fake.set_calls++;
		if (fake.set_status)
			return fake.set_status;
		if (fake.ignore_set)
			return NV_OK;
		fake.ready = ((struct nv_cc_gpus_state_params *)p)->accept_client_request != 0;
		return NV_OK;
	}
	return NV_ERR_NOT_SUPPORTED;
}

/* A request the driver would not take (wrong size, unknown escape): counted, and refused. */
static inline int fake_bad_request(void)
{
	fake.bad_requests++;
	return -EINVAL;
}

/* /dev/nvidiactl's ioctls (fake_sys routes them here). */
static inline int fake_rm_ioctl(unsigned long req, void *arg)
{
	unsigned nr = _IOC_NR(req), size = _IOC_SIZE(req);

	if (_IOC_TYPE(req) != 'F' || _IOC_DIR(req) != (_IOC_READ | _IOC_WRITE)) {
		fake.bad_requests++;
		return -ENOTTY;
	}
	if (fake.fail_nr && nr == fake.fail_nr)
		return -fake.fail_errno;
	switch (nr) {
	case NV_ESC_CHECK_VERSION_STR: {
		struct nv_rm_api_version *v = arg;
		if (size != sizeof(*v))
			return fake_bad_request();
		v->reply = NV_RM_API_VERSION_REPLY_RECOGNIZED;
		if (v->cmd != NV_RM_API_VERSION_CMD_STRICT ||
		    strncmp(v->version, fake.version, sizeof(v->version)) != 0) {
			snprintf(v->version, sizeof(v->version), "%s", fake.version);
			return -EINVAL;
		}
		fake.handshake_done = true;
		return 0;
	}
	case NV_ESC_RM_ALLOC: {
		struct nvos21_alloc *a = arg;
		if (size != sizeof(*a))
			return fake_bad_request();
		fake_event("alloc %#x", a->h_class);
		if (a->h_class == NV01_ROOT_CLIENT) {
			a->params.status = fake.alloc_client_status;
			if (!a->params.status) {
				a->h_new = FAKE_CLIENT;
				fake.clients++;
			}
		} else if (a->h_class == NV_CONFIDENTIAL_COMPUTE) {
			const struct nv_cc_alloc_params *p = (void *)(uintptr_t)a->params.ptr;
			if (a->h_root != FAKE_CLIENT || a->h_parent != FAKE_CLIENT ||
			    a->params.size != sizeof(*p) || p->h_client != FAKE_CLIENT)
				a->params.status = NV_ERR_INVALID_ARGUMENT;
			else
				a->params.status = fake.alloc_cc_status;
			if (!a->params.status) {
				a->h_new = FAKE_CC;
				fake.ccs++;
			}
		} else {
			a->params.status = NV_ERR_INVALID_CLASS;
		}
		return 0;
	}
	case NV_ESC_RM_CONTROL: {
		struct nvos54_control *c = arg;
		if (size != sizeof(*c))
			return fake_bad_request();
		c->params.status = (uint32_t)fake_control(c);
		return 0;
	}
	case NV_ESC_RM_FREE: {
		struct nvos00_free *f = arg;
		if (size != sizeof(*f))
			return fake_bad_request();
		fake.frees++;
		f->status = NV_OK;
		return 0;
	}
	}
	return fake_bad_request();
}

/*
 * Unprivileged, the daemons' confinement keeps what it can: no_new_privs and
 * the seccomp filter (no bounding set, no user change). As root, the real one.
 */
static inline int fake_harden_unprivileged(const struct harden *h)
{
	struct sock_filter f[64];
	int n = harden_filter(f, 64);
	(void)h;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return HARDEN_NO_NEW_PRIVS;
	struct sock_fprog prog = {(unsigned short)n, f};
	return prctl(PR_SET_SECCOMP, 2, &prog, 0, 0) < 0 ? HARDEN_SECCOMP : HARDEN_OK;
}

/* A fresh temp root as sys_root, the fake kernel's tree below it, and the fake driver. */
static inline void fake_setup(const char *version)
{
	fake_driver_init(version);
	snprintf(fake.root, sizeof(fake.root), "/tmp/ccinit-gpu-XXXXXX");
	if (!mkdtemp(fake.root))
		tap_fail("mkdtemp: %s", strerror(errno));
	fake_sys_install(fake.root);
	fake_sys_tree();
	fake_sys_device("/dev/nvidiactl", fake_rm_ioctl);
	spawn_harden = geteuid() == 0 ? harden_apply : fake_harden_unprivileged;
}

static inline void fake_teardown(void)
{
	char cmd[128];

	if (fake.root[0] && strncmp(fake.root, "/tmp/ccinit-gpu-", 16) == 0) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fake.root);
		if (system(cmd) != 0)
			printf("# could not remove %s\n", fake.root);
	}
}

/* Writes a file below the fake root, making its directories. */
static inline void fake_file(const char *rel, const char *content, mode_t mode)
{
	char path[512], cmd[600];
	FILE *f;

	snprintf(path, sizeof(path), "%s%s", fake.root, rel);
	snprintf(cmd, sizeof(cmd), "mkdir -p \"$(dirname '%s')\"", path);
	if (system(cmd) != 0)
		tap_fail("mkdir for %s", rel);
	f = fopen(path, "w");
	if (!f)
		tap_fail("create %s: %s", rel, strerror(errno));
	fputs(content, f);
	fclose(f);
	chmod(path, mode);
}

static inline void fake_dir(const char *rel)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "mkdir -p '%s%s'", fake.root, rel);
	if (system(cmd) != 0)
		tap_fail("mkdir %s", rel);
}

/* A PCI function below /sys/bus/pci/devices. */
static inline void fake_pci(const char *bdf, const char *vendor, const char *class,
                            const char *device)
{
	char rel[256];

	snprintf(rel, sizeof(rel), "/sys/bus/pci/devices/%s/vendor", bdf);
	fake_file(rel, vendor, 0644);
	snprintf(rel, sizeof(rel), "/sys/bus/pci/devices/%s/class", bdf);
	fake_file(rel, class, 0644);
	snprintf(rel, sizeof(rel), "/sys/bus/pci/devices/%s/device", bdf);
	fake_file(rel, device, 0644);
}

static inline bool fake_exists(const char *rel)
{
	char path[512];
	struct stat st;

	snprintf(path, sizeof(path), "%s%s", fake.root, rel);
	return stat(path, &st) == 0;
}

static inline char *fake_read(const char *rel)
{
	static char buf[8192];
	char path[512];
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "%s%s", fake.root, rel);
	f = fopen(path, "r");
	if (!f)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* A function's reset file and the methods it lists, as Linux 5.15+ shows them. */
static inline void fake_resettable(const char *bdf, const char *methods)
{
	char rel[256];

	snprintf(rel, sizeof(rel), "/sys/bus/pci/devices/%s/reset", bdf);
	fake_file(rel, "", 0600);
	snprintf(rel, sizeof(rel), "/sys/bus/pci/devices/%s/reset_method", bdf);
	fake_file(rel, methods, 0644);
}

/* bdf bound to driver: its sysfs driver link, as the driver core makes it. */
static inline void fake_bind(const char *bdf, const char *driver)
{
	char path[512], target[128];

	snprintf(path, sizeof(path), "%s/sys/bus/pci/devices/%s/driver", fake.root, bdf);
	snprintf(target, sizeof(target), "../../../bus/pci/drivers/%s", driver);
	if (symlink(target, path) != 0)
		tap_fail("bind %s to %s: %s", bdf, driver, strerror(errno));
}

/* n GPUs on PCI at 0000:10:00.0 onwards, each able to reset (FLR). */
static inline void fake_gpus(unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		char bdf[32];
		snprintf(bdf, sizeof(bdf), "0000:%02x:00.0", 0x10 + i);
		fake_pci(bdf, "0x10de", "0x030200", "0x2330");
		fake_resettable(bdf, "flr bus\n");
	}
}

/* The driver's procfs for n GPUs (as fake_gpus lays them out) and an empty /dev. */
static inline void fake_driver_procfs(unsigned n)
{
	fake_file("/proc/devices",
	          "Character devices:\n  1 mem\n195 nvidia\n195 nvidiactl\n238 nvidia-uvm\n"
	          "239 nvidia-nvswitch\n241 nvidia-caps\n\nBlock devices:\n241 nvidia-caps-fake\n",
	          0644);
	fake_file("/proc/driver/nvidia/params",
	          "ModifyDeviceFiles: 1\nDeviceFileUID: 0\nDeviceFileGID: 0\nDeviceFileMode: 432\n",
	          0644);
	fake_file("/proc/driver/nvidia/capabilities/mig/config",
	          "DeviceFileMinor: 1\nDeviceFileMode: 256\nDeviceFileModify: 1\n", 0644);
	fake_file("/proc/driver/nvidia/capabilities/mig/monitor",
	          "DeviceFileMinor: 2\nDeviceFileMode: 292\nDeviceFileModify: 1\n", 0644);
	for (unsigned i = 0; i < n; i++) {
		char rel[128], text[256];
		snprintf(rel, sizeof(rel), "/proc/driver/nvidia/gpus/0000:%02x:00.0/information",
		         0x10 + i);
		/* Minors deliberately not in address order: the driver's word wins. */
		snprintf(text, sizeof(text),
		         "Model: \t\t NVIDIA H100 80GB HBM3\nGPU UUID: \t GPU-%08x\nDevice Minor: "
		         "\t %u\n",
		         i, n - 1 - i);
		fake_file(rel, text, 0644);
	}
	fake_dir("/dev");
}
