/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The GPU step's fixture, shared by the test_gpu_step*.c files: a GPU guest
 * image in the fake root (firmware, module version, shell scripts standing in
 * for the daemons) on the fake driver (gpu_fake.h), and a fake module loader.
 */
#pragma once

#include <dirent.h>
#include <sys/wait.h>

#include "init/core/boot.h"
#include "init/gpu/gpu.h"
#include "init/core/trace.h"
#include "tests/unit/gpu_fake.h"

#define VERSION "580.159.04"

static char modules_log[256];
static int modules_result_nvidia;
static const char *modules_fail_name; /* another module whose load fails, with: */
static int modules_fail_result;

/* What the step loads before nvidia: the gpu-crypto profile (modules/profiles.c), in order. */
#define CRYPTO_LOADS "ctr() ghash_generic() gcm() ecdh_generic() "

/* The driver binds what its procfs lists: the GPUs it probed (fake_driver_procfs). */
static inline void fake_nvidia_probe(void)
{
	char path[512];
	struct dirent *de;
	DIR *d;

	snprintf(path, sizeof(path), "%s/proc/driver/nvidia/gpus", fake.root);
	if (!(d = opendir(path)))
		return;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			fake_bind(de->d_name, "nvidia");
	closedir(d);
}

static inline int fake_modules_load(struct modules_ctx *m, const char *name, const char *options,
                                    char *why, size_t why_size)
{
	size_t n = strlen(modules_log);

	(void)m;
	snprintf(modules_log + n, sizeof(modules_log) - n, "%s(%s) ", name, options ? options : "");
	fake_event("load %s", name);
	if (modules_fail_name && strcmp(name, modules_fail_name) == 0) {
		snprintf(why, why_size, "module %s: not found", name);
		return modules_fail_result;
	}
	if (strcmp(name, "nvidia") == 0 && modules_result_nvidia) {
		snprintf(why, why_size, "%s", name);
		return modules_result_nvidia;
	}
	if (strcmp(name, "nvidia") == 0)
		fake_nvidia_probe();
	return 0;
}

/*
 * The seam's open and mkdir, watched for the events the ordering rules are
 * about: a reset (a write to a function's reset file), an open of a GPU's
 * own node (/dev/nvidiaN attaches it), persistenced's start (ccinit makes
 * its run directory just before it execs it).
 */
static int (*fake_open_next)(const char *path, int flags, mode_t mode);
static int (*fake_mkdir_next)(const char *path, mode_t mode);

static inline int fake_open_events(const char *path, int flags, mode_t mode)
{
	size_t root = strlen(fake.root), pci = strlen("/sys/bus/pci/devices/");
	const char *rel = strncmp(path, fake.root, root) == 0 ? path + root : path;
	const char *tail = strrchr(rel, '/');
	unsigned minor;
	char end;

	if (sscanf(rel, "/dev/nvidia%u%c", &minor, &end) == 1)
		fake_event("open /dev/nvidia%u", minor);
	if ((flags & O_ACCMODE) != O_RDONLY && tail && strcmp(tail, "/reset") == 0 &&
	    strncmp(rel, "/sys/bus/pci/devices/", pci) == 0)
		fake_event("reset %.*s", (int)(tail - rel - pci), rel + pci);
	/* A sysfs attribute takes a write whole: what is read back is the last value written. */
	if ((flags & O_ACCMODE) != O_RDONLY && strncmp(rel, "/sys/", 5) == 0)
		flags |= O_TRUNC;
	return fake_open_next(path, flags, mode);
}

static inline int fake_mkdir_events(const char *path, mode_t mode)
{
	if (strcmp(path, "/var/run/nvidia-persistenced") == 0)
		fake_event("persistenced start");
	return fake_mkdir_next(path, mode);
}

/*
 * A script in the fake root that appends its arguments to REL.args and does
 * what `body` says. The file is renamed into place, so a test polling for a
 * background daemon's file never reads it created but still empty.
 */
static inline void script(const char *rel, const char *body)
{
	char text[1024];

	snprintf(text, sizeof(text),
	         "#!/bin/sh\nR='%s'\nA=\"$R%s.args\"\n"
	         "{ cat \"$A\" 2>/dev/null; echo \"$@\"; } >\"$A.tmp\" && mv \"$A.tmp\" "
	         "\"$A\"\n%s\n",
	         fake.root, rel, body);
	fake_file(rel, text, 0755);
}

/* Removes REL (a file or a tree) from the fake root; a failure fails the test. */
static inline void fake_remove(const char *rel)
{
	tap_sh("rm -r '%s%s'", fake.root, rel);
}

/* A GPU guest image with n GPUs whose persistenced comes up at once. */
static inline void image(struct boot *b, unsigned n)
{
	fake_setup(VERSION);
	memset(b, 0, sizeof(*b));
	config_init(&b->config);
	trace_init(&b->trace);
	b->config.persistenced_timeout_s = 3;
	gpu_modules_load = fake_modules_load;
	fake_open_next = fake_sys_ops.open;
	fake_sys_ops.open = fake_open_events;
	fake_mkdir_next = fake_sys_ops.mkdir;
	fake_sys_ops.mkdir = fake_mkdir_events;
	fake_gpus(n);
	fake_driver_procfs(n);
	fake_file("/lib/firmware/nvidia/" VERSION "/gsp_ga10x.bin", "gsp", 0644);
	fake_file("/sys/module/nvidia/version", VERSION "\n", 0644);
	fake_dir("/var/run");
	fake_dir("/run");
	script("/usr/bin/nvidia-persistenced", ": > \"$R/var/run/nvidia-persistenced/socket\"");
	script("/usr/bin/nvidia-smi", "exit 0");
}

static inline void cc_on(void)
{
	fake.caps.cc_feature = NV_CC_FEATURE_HCC;
	fake.caps.environment = NV_CC_ENV_PROD;
	fake.caps.cpu_capability = NV_CC_CPU_AMD_SEV_SNP;
}

/* A background daemon's script may still be starting: give it a moment. */
static inline const char *read_soon(const char *rel)
{
	for (int i = 0; i < 100 && !fake_exists(rel); i++)
		usleep(20000);
	return fake_read(rel);
}

static inline bool traced(const struct boot *b, const char *name)
{
	for (unsigned i = 0; i < b->trace.count; i++)
		if (strcmp(b->trace.entries[i].name, name) == 0 && b->trace.entries[i].end_ns)
			return true;
	return false;
}

/* n NVSwitches on PCI (the first `bound` of them in the driver's procfs) and a fabric manager. */
static inline void nvswitches(unsigned n, unsigned bound)
{
	for (unsigned i = 0; i < n; i++) {
		char bdf[32], rel[96];
		snprintf(bdf, sizeof(bdf), "0000:%02x:00.0", 0x80 + i);
		fake_pci(bdf, "0x10de", "0x068000", "0x22a3");
		fake_resettable(bdf, "flr\n");
		snprintf(rel, sizeof(rel), "/proc/driver/nvidia-nvswitch/devices/%s/information",
		         bdf);
		if (i < bound)
			fake_file(rel, "BIOS Version: N/A\n", 0644);
	}
	fake_file("/usr/share/nvidia/nvswitch/fabricmanager.cfg",
	          "LOG_LEVEL=4\nFABRIC_MODE=1\nPARTITION_RAIL_POLICY=symmetric\n", 0644);
	/* It daemonizes: the launcher exits 0 and the daemon makes its GFM-LFM socket. */
	script("/usr/bin/nv-fabricmanager", ": > \"$R/run/nvidia-fabricmanager/socket\"");
}

/*
 * GPU_STEP_TEST(name, gpus) { ... }: a test whose body has b, a struct boot *
 * on image(b, gpus), and tears the fake root down after it.
 */
#define GPU_STEP_TEST(name, gpus)                                                                  \
	static void name##_on(struct boot *b);                                                     \
	TEST(name)                                                                                 \
	{                                                                                          \
		struct boot boot;                                                                  \
		image(&boot, gpus);                                                                \
		name##_on(&boot);                                                                  \
		fake_teardown();                                                                   \
	}                                                                                          \
	static void name##_on(struct boot *b)

/* The GPU step on b returns rc and b->why has text. */
#define ASSERT_STEP(b, rc, text)                                                                   \
	do {                                                                                       \
		ASSERT_EQ(gpu_step(b), rc);                                                        \
		ASSERT_CONTAINS((b)->why, text);                                                   \
	} while (0)
