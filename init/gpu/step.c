// SPDX-License-Identifier: Apache-2.0
/*
 * Boot step 5, GPU bring-up, in the order init/README.md, 1 gives: topology, TEE,
 * firmware, a reset of every NVIDIA function, modules (every GPU bound),
 * device nodes, nvidia-persistenced, CC state against the policy, the other
 * daemons, attestation, and the GPUs-ready state last, so a GPU is only
 * declared ready once everything else about it checked out. Each sub-step
 * is timed in the boot trace.
 *
 * Nothing attaches a GPU before persistenced holds it. The driver runs
 * RmInitAdapter on the first open of a GPU (nv_open_device in
 * kernel-open/nvidia/nv.c) and tears it down when the last client closes
 * unless persistence holds it; in CC mode the next attach then fails until
 * another reset (NVIDIA/nvtrust #109, #128). ccinit opens only
 * /dev/nvidiactl: its RM client and NV_CONFIDENTIAL_COMPUTE object attach
 * nothing, but the CC capabilities they read are filled in when a GPU
 * attaches (gpumgrAttachGpu, src/nvidia/src/kernel/gpu_mgr/gpu_mgr.c), and
 * attestation's NV01_DEVICE_0 needs an attached GPU. So both come after
 * persistenced, which attaches every GPU and holds it.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "init/core/boot.h"
#include "init/gpu/gpu.h"
#include "init/gpu/attest.h"
#include "init/gpu/cc.h"
#include "init/gpu/daemons.h"
#include "init/gpu/inventory.h"
#include "init/gpu/nodes.h"
#include "init/gpu/reset.h"
#include "init/gpu/topology.h"
#include "init/gpu/nvrm.h"
#include "init/core/tee.h"
#include "init/base/log.h"
#include "init/core/sys.h"
#include "init/core/trace.h"
#include "init/core/modules_load.h"

#define FIRMWARE_DIR "/lib/firmware/nvidia"
#define NODES_MAX    (2 * GPU_MAX + 16)

int (*gpu_modules_load)(struct modules_ctx *m, const char *name, const char *options, char *why,
                        size_t why_size) = modules_load;

/* The image's driver version is the one firmware directory it ships, holding GSP images. */
static int firmware_version(char *version, size_t size, char *why, size_t why_size)
{
	char path[512], full[512], found[2][64];
	unsigned n = 0;
	bool gsp = false;
	struct dirent *de;
	DIR *d;

	if (sys_path(path, sizeof(path), FIRMWARE_DIR) < 0 || !(d = opendir(path))) {
		snprintf(why, why_size, "no NVIDIA firmware: %s is missing from the image",
		         FIRMWARE_DIR);
		return -ENOENT;
	}
	while ((de = readdir(d))) {
		if (de->d_name[0] < '0' || de->d_name[0] > '9' || strlen(de->d_name) >= 64)
			continue;
		if (n < 2)
			memcpy(found[n], de->d_name, strlen(de->d_name) + 1);
		n++;
	}
	closedir(d);
	if (n != 1) {
		if (n == 0)
			snprintf(why, why_size, "no NVIDIA firmware: %s/<version>/ is missing",
			         FIRMWARE_DIR);
		else
			snprintf(why, why_size, "%u firmware versions under %s (%s, %s, ...)", n,
			         FIRMWARE_DIR, found[0], found[1]);
		return n == 0 ? -ENOENT : -EINVAL;
	}
	snprintf(path, sizeof(path), FIRMWARE_DIR "/%s", found[0]);
	if (sys_path(full, sizeof(full), path) == 0 && (d = opendir(full))) {
		while (!gsp && (de = readdir(d)))
			gsp = strncmp(de->d_name, "gsp_", 4) == 0 &&
			      strstr(de->d_name, ".bin") != NULL;
		closedir(d);
	}
	if (!gsp) {
		snprintf(why, why_size, "no GSP firmware (gsp_*.bin) in " FIRMWARE_DIR "/%s",
		         found[0]);
		return -ENOENT;
	}
	snprintf(version, size, "%s", found[0]);
	return 0;
}

/* A GPU image ships a driver's firmware; Kata's base image has only an empty bind point. */
static bool gpu_image(void)
{
	char path[512];
	struct dirent *de;
	bool found = false;
	DIR *d;

	if (sys_path(path, sizeof(path), FIRMWARE_DIR) < 0 || !(d = opendir(path)))
		return false;
	while (!found && (de = readdir(d)))
		found = de->d_name[0] >= '0' && de->d_name[0] <= '9';
	closedir(d);
	return found;
}

static int load_modules(struct boot *b, const struct gpu_topology *t, enum cpu_tee tee,
                        const char *version)
{
	char why[256] = "", loaded[64];
	const char *opts = gpu_module_options(t, tee); /* from the topology, never the cmdline */
	const struct module_profile *crypto = module_profile_find("gpu-crypto");
	int r = 0;

	/*
	 * The kernel crypto the driver's SPDM session finds by name, first: nothing could
	 * load it later (no modprobe), and a kernel that builds it in makes these no-ops.
	 */
	for (size_t i = 0; r >= 0 && i < crypto->count; i++) {
		const struct module_spec *s = &crypto->modules[i];
		r = gpu_modules_load(b->modules, s->name, NULL, why, sizeof(why));
		if (r == -ENOENT && s->optional) {
			log_info("gpu: module %s: not in this kernel, optional", s->name);
			r = 0;
		}
	}
	if (r < 0)
		return boot_error(b, r, "loading the kernel crypto nvidia's SPDM needs: %s", why);
	r = gpu_modules_load(b->modules, "nvidia", opts, why, sizeof(why));

	if (r == -ENODEV || r == -ENXIO)
		return boot_error(b, r,
		                  "the nvidia module refused to load: no device it drives "
		                  "(%u GPUs seen on PCI)",
		                  t->gpu_count);
	if (r < 0)
		return boot_error(b, r, "loading nvidia: %s", why);
	if (sys_read_file(NVRM_MODULE_VERSION, loaded, sizeof(loaded)) >= 0 &&
	    strcmp(loaded, version) != 0)
		return boot_error(b, -EPROTO, "nvidia module %s does not match the firmware %s",
		                  loaded, version);
	/* The driver must have bound every device the command line counts, no fewer. */
	r = gpu_count_check_driver(&b->config, why, sizeof(why));
	if (r >= 0) /* and every GPU on PCI, before persistenced enumerates them */
		r = gpu_bound_check(t, why, sizeof(why));
	if (r < 0)
		return boot_error(b, r, "%s", why);
	if (t->gpu_count == 0)
		return 0; /* the fabric's service VM needs no uvm */
	r = gpu_modules_load(b->modules, "nvidia-uvm", NULL, why, sizeof(why));
	if (r < 0)
		return boot_error(b, r, "loading nvidia-uvm: %s", why);
	return 0;
}

static int check_cc(struct boot *b, enum gpu_cc_policy policy, const char *version,
                    struct nvrm_cc_state *s)
{
	char why[384] = "", desc[256];
	int r = gpu_cc_query(NVRM_CTL_PATH, version, s, why, sizeof(why));

	if (r < 0)
		return boot_error(b, r, "%s", why);
	gpu_cc_describe(s, desc, sizeof(desc));
	log_info("gpu: %s (policy ccinit.gpu.cc=%s)", desc, gpu_cc_policy_name(policy));
	r = gpu_cc_check(policy, s, why, sizeof(why));
	if (r < 0)
		return boot_error(b, r, "%s", why);
	return 0;
}

/* The first client to open the GPUs, and the one that holds them attached from then on. */
static int start_persistenced(struct boot *b, const struct gpu_topology *t)
{
	char why[256] = "";
	int r;

	log_info("gpu: starting nvidia-persistenced: it attaches %u GPUs, seconds each in CC mode "
	         "(timeout %u s)",
	         t->gpu_count,
	         gpu_persistenced_timeout_s(b->config.persistenced_timeout_s, t->gpu_count));
	r = gpu_persistenced_start(&b->config, t->gpu_count, why, sizeof(why));
	if (r < 0)
		return boot_error(b, r, "%s", why);
	log_info("gpu: nvidia-persistenced holds the GPUs");
	return 0;
}

static int start_daemons(struct boot *b, const struct gpu_topology *t, char (*nodes)[64],
                         unsigned count)
{
	const struct ccinit_config *c = &b->config;
	char why[256] = "";
	int r = 0;

	if (t->gpu_count) {
		r = gpu_smi_knobs(c, why, sizeof(why));
		if (r == 0)
			r = gpu_dcgm_start(c, why, sizeof(why));
	}
	if (r == 0)
		r = gpu_fabricmanager_start(c, t->mode, why, sizeof(why));
	if (r == 0 && t->gpu_count)
		r = gpu_cdi_write(c, t, nodes, count, why, sizeof(why));
	if (r == 0)
		r = gpu_daemons_check(why, sizeof(why));
	return r < 0 ? boot_error(b, r, "%s", why) : 0;
}

static int set_ready(struct boot *b, const char *version, const struct nvrm_cc_state *s, bool ready)
{
	char why[384] = "";
	int r;

	if (gpu_cc_mode_of(&s->caps) == GPU_CC_MODE_OFF) {
		log_notice("gpu: CC is off: the GPUs-ready state does not apply, left as it is");
		return 0;
	}
	r = gpu_cc_set_ready(NVRM_CTL_PATH, version, ready, why, sizeof(why));
	if (r < 0)
		return boot_error(b, r, "%s", why);
	log_info("gpu: CC GPUs-ready state set to %s", ready ? "ready" : "not ready");
	return 0;
}

#define SUB(name, expr)                                                                            \
	do {                                                                                       \
		int _t = trace_begin(&b->trace, name);                                             \
		r = (expr);                                                                        \
		trace_end(&b->trace, _t);                                                          \
		if (r < 0)                                                                         \
			return r;                                                                  \
	} while (0)

static int step_topology(struct boot *b, struct gpu_topology *t)
{
	char why[256] = "";
	int r = gpu_topology_scan(t, why, sizeof(why));

	if (r >= 0) /* the measured counts, before anything is loaded */
		r = gpu_count_check_pci(&b->config, t, why, sizeof(why));
	return r < 0 ? boot_error(b, r, "%s", why) : 0;
}

static int step_tee(struct boot *b, struct tee_info *tee)
{
	int r = tee_detect(tee, true);

	if (r < 0)
		return boot_error(b, r, "both SEV-SNP and TDX guest evidence found");
	log_info("gpu: CPU TEE %s", cpu_tee_name(tee->tee));
	return 0;
}

static int step_firmware(struct boot *b, char *version, size_t size)
{
	char why[256] = "";
	int r = firmware_version(version, size, why, sizeof(why));

	return r < 0 ? boot_error(b, r, "%s", why) : 0;
}

static int step_reset(struct boot *b, const struct gpu_topology *t)
{
	char why[256] = "";
	int r = gpu_reset_all(t, why, sizeof(why));

	return r < 0 ? boot_error(b, r, "%s", why) : 0;
}

static int step_nodes(struct boot *b, const struct gpu_topology *t, char (*nodes)[64],
                      unsigned *count)
{
	char why[256] = "";
	int r = gpu_nodes_create(t, nodes, NODES_MAX, count, why, sizeof(why));

	return r < 0 ? boot_error(b, r, "%s", why) : 0;
}

int gpu_step(struct boot *b)
{
	const struct ccinit_config *c = &b->config;
	enum gpu_policy policy;
	enum gpu_cc_policy cc_policy;
	struct gpu_topology topo;
	struct nvrm_cc_state cc = {0};
	struct tee_info tee;
	char version[64], why[256] = "";
	static char nodes[NODES_MAX][64];
	unsigned node_count = 0;
	bool set, ready;
	int r;

	policy = gpu_policy_resolve(c->gpu, gpu_image());
	if (policy == GPU_OFF) {
		log_info("gpu: ccinit.gpu=off");
		return 0;
	}
	SUB("gpu topology", step_topology(b, &topo));
	log_info("gpu: %u GPUs, %u NVSwitches, %u SW_MNG NICs: mode %s", topo.gpu_count,
	         topo.nvswitch_count, topo.swmng_count, gpu_mode_name(topo.mode));
	if (topo.mode == GPU_MODE_CPU) {
		if (policy == GPU_REQUIRED)
			return boot_error(b, -ENODEV,
			                  "ccinit.gpu=required but no NVIDIA GPU on PCI (vendor "
			                  "0x10de, class 0x03xxxx under /sys/bus/pci/devices)");
		log_info("gpu: no NVIDIA device, ccinit.gpu=%s%s: nothing to do",
		         gpu_policy_name(policy),
		         c->gpu == GPU_AUTO ? " (the default: no NVIDIA firmware in the image)"
		                            : "");
		return 0;
	}
	SUB("gpu tee", step_tee(b, &tee));
	cc_policy = gpu_cc_policy_resolve(c->gpu_cc, tee.tee);
	/* A bad ready request fails before anything is loaded. */
	r = gpu_cc_ready_request(c, &set, &ready, why, sizeof(why));
	if (r < 0)
		return boot_error(b, r, "%s", why);

	SUB("gpu firmware", step_firmware(b, version, sizeof(version)));
	SUB("gpu reset", step_reset(b, &topo)); /* before the driver's first probe */
	SUB("gpu modules", load_modules(b, &topo, tee.tee, version));
	SUB("gpu nodes", step_nodes(b, &topo, nodes, &node_count));
	if (topo.gpu_count) { /* persistenced first: nothing attaches a GPU before it */
		SUB("gpu persistenced", start_persistenced(b, &topo));
		SUB("gpu cc state", check_cc(b, cc_policy, version, &cc));
	}
	SUB("gpu daemons", start_daemons(b, &topo, nodes, node_count));
	/* The gate: no GPU is declared ready before it proved itself (init/gpu/attestation.md). */
	if (set && ready && topo.gpu_count && c->gpu_attest == GPU_ATTEST_LOCAL &&
	    gpu_cc_mode_of(&cc.caps) != GPU_CC_MODE_OFF)
		SUB("gpu attest", gpu_attest_step(b, NVRM_CTL_PATH, version, &cc, topo.gpu_count));
	if (set && topo.gpu_count)
		SUB("gpu ready state", set_ready(b, version, &cc, ready));
	b->gpu_up = topo.gpu_count > 0; /* the agent then starts the NVIDIA attester */
	return 0;
}
