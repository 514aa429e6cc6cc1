/* SPDX-License-Identifier: Apache-2.0 */
/*
 * GPU bring-up (init/README.md, 1, step 5): NVRC's job done natively. The step
 * finds the NVIDIA devices on PCI, the CPU's TEE, checks the firmware, loads
 * nvidia and nvidia-uvm, creates the device nodes, reads the GPUs'
 * confidential-compute state through the driver's RM controls and holds it
 * against the policy, starts nvidia-persistenced (and the optional tools),
 * and sets the CC GPUs-ready state last, when asked.
 *
 * Everything reads the system through init/sys.h: files below sys_root
 * (sysfs, procfs, /dev, the verified root's files), ioctls and mknod through
 * `sys`, so tests run the whole step against a fake driver in a temp dir.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "init/config.h"
#include "init/nvrm.h"

struct boot;
struct modules_ctx;

/* The driver's control node, and the loaded module's version. */
#define GPU_NVIDIACTL      "/dev/nvidiactl"
#define GPU_MODULE_VERSION "/sys/module/nvidia/version"

/* The boot step; called with the verified root as / (b->modules over its tree). */
int gpu_step(struct boot *b);

/* `ccinit gpu-status` (gpu_status.c): topology, TEE, driver, CC and ready state as JSON. Read only.
 */
int gpu_status_main(int argc, char **argv);

/* Module loading as the step does it; tests swap it for a fake (default modules_load). */
extern int (*gpu_modules_load)(struct modules_ctx *m, const char *name, const char *options,
                               char *why, size_t why_size);

/*
 * The name of an enum value from a table indexed by the value (designated
 * initializers), or `unknown` for a value outside the table or without a name:
 * the driver's bytes reach these tables unchecked.
 */
static inline const char *gpu_name_in(const char *const *table, size_t count, unsigned value,
                                      const char *unknown)
{
	return value < count && table[value] ? table[value] : unknown;
}
#define GPU_NAME_OF(table, value, unknown)                                                         \
	gpu_name_in(table, sizeof(table) / sizeof(table[0]), (unsigned)(value), unknown)

/* ---- topology (gpu_topology.c) ---- */

#define GPU_MAX     32
#define GPU_BDF_LEN 16

enum gpu_mode {
	GPU_MODE_CPU,            /* no NVIDIA device: nothing to do */
	GPU_MODE_GPU,            /* GPUs, no NVLink fabric */
	GPU_MODE_GPU_NVL4,       /* 8 GPUs + 4 NVSwitches (Hopper HGX) */
	GPU_MODE_SERVICEVM_NVL4, /* 4 NVSwitches, no GPU: the fabric's service VM */
	GPU_MODE_GPU_NVL5,       /* 8 GPUs + 4 SW_MNG NICs (Blackwell HGX) */
	GPU_MODE_SERVICEVM_NVL5, /* 4 SW_MNG NICs, no GPU */
};

struct gpu_pci {
	char bdf[GPU_BDF_LEN];
	uint16_t device;
};

struct gpu_topology {
	unsigned gpu_count, nvswitch_count, swmng_count;
	struct gpu_pci gpus[GPU_MAX]; /* sorted by address: the driver's minor order */
	struct gpu_pci nvswitches[GPU_MAX];
	struct gpu_pci swmng[GPU_MAX];
	enum gpu_mode mode;
};

/*
 * Scans /sys/bus/pci/devices. -ENOTSUP (with why) for a combination NVRC's
 * table does not know; -E2BIG past GPU_MAX devices of a kind.
 */
int gpu_topology_scan(struct gpu_topology *t, char *why, size_t why_size);
/* NVRC's mode table (init/README.md, 4.4). -ENOTSUP for any other combination. */
int gpu_mode_from_counts(unsigned nvswitches, unsigned gpus, unsigned swmng, enum gpu_mode *mode);
const char *gpu_mode_name(enum gpu_mode m);
/* ccinit.gpu=auto: required in a GPU image (one that ships NVIDIA firmware), else optional. */
enum gpu_policy gpu_policy_resolve(enum gpu_policy p, bool gpu_image);
const char *gpu_policy_name(enum gpu_policy p);

/* ---- the measured topology and module options (gpu_inventory.c) ---- */

/* ccinit.gpu.count / ccinit.nvswitch.count against PCI: -ENODEV naming both numbers. */
int gpu_count_check_pci(const struct ccinit_config *c, const struct gpu_topology *t, char *why,
                        size_t why_size);
/* The same against the devices the driver bound (its procfs), after it loaded. */
int gpu_count_check_driver(const struct ccinit_config *c, char *why, size_t why_size);

/* ---- CPU TEE (tee.c) ---- */

enum cpu_tee { CPU_TEE_NONE, CPU_TEE_SEV_SNP, CPU_TEE_TDX };

struct tee_evidence {
	bool sev_guest; /* /dev/sev-guest: the SNP guest driver bound */
	bool tdx_guest; /* /dev/tdx-guest */
	bool tsm;       /* /sys/kernel/config/tsm/report: a TSM report provider */
	bool cpuid_snp; /* CPUID 0x8000001f EAX bit 4 */
	bool cpuid_tdx; /* CPUID 0x21 vendor "IntelTDX    " */
};

struct tee_info {
	enum cpu_tee tee;
	struct tee_evidence ev;
};

/* The nvidia module's options for this topology and TEE (a table), or NULL. */
const char *gpu_module_options(const struct gpu_topology *t, enum cpu_tee tee);

/* Decides from the evidence; -EINVAL when it names both SNP and TDX. */
int tee_decide(const struct tee_evidence *ev, enum cpu_tee *tee);
/* Gathers the evidence (files below sys_root; CPUID when use_cpuid) and decides. */
int tee_detect(struct tee_info *t, bool use_cpuid);
const char *cpu_tee_name(enum cpu_tee t);

/* ---- device nodes and driver procfs (gpu_nodes.c) ---- */

struct gpu_info {
	char bdf[GPU_BDF_LEN];
	int minor; /* -1: unknown */
	char model[96];
	char uuid[64];
};

/* Major of a character device in /proc/devices; -ENOENT when absent. */
int gpu_chardev_major(const char *name);
/* Reads /proc/driver/nvidia/gpus/<bdf>/information. */
int gpu_info_read(const char *bdf, struct gpu_info *info);
/*
 * Creates /dev/nvidiactl, /dev/nvidiaN (one per GPU, minors from the driver),
 * /dev/nvidia-uvm, /dev/nvidia-uvm-tools and /dev/nvidia-caps/nvidia-capN,
 * with the modes nvidia-modprobe would give them. Paths, if given, receive the
 * nodes made (for the CDI spec): up to max entries of 64 bytes.
 */
int gpu_nodes_create(const struct gpu_topology *t, char (*paths)[64], unsigned max, unsigned *count,
                     char *why, size_t why_size);

/* ---- confidential compute (gpu_cc.c) ---- */

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

/* ---- daemons and CDI (gpu_daemons.c) ---- */

/* NVRC's fixed 120 s failed on 8 GPUs: 120 s plus 60 s per GPU (600 s for 8, NVRC's new value). */
unsigned gpu_persistenced_timeout_s(unsigned configured_s, unsigned gpu_count);
/*
 * Runs argv[0] (a path below sys_root) with stdout/stderr to kmsg or
 * /dev/null. wait: returns its exit status as 0 or -ECHILD (with why);
 * else *pid gets the child.
 */
int gpu_run(const char *const *argv, bool wait, bool to_kmsg, pid_t *pid, char *why,
            size_t why_size);
/* Starts nvidia-persistenced and waits for its socket; a child that fails is an error. */
int gpu_persistenced_start(const struct ccinit_config *c, unsigned gpu_count, char *why,
                           size_t why_size);
/* nvidia-smi -lgc/-lmc/-pl when set. */
int gpu_smi_knobs(const struct ccinit_config *c, char *why, size_t why_size);
/* nv-hostengine and dcgm-exporter when nvrc.dcgm asks and the image has them. */
int gpu_dcgm_start(const struct ccinit_config *c, char *why, size_t why_size);
/* The fabric manager for the NVL4 modes (FABRIC_MODE 0, or 1 in the service VM). */
int gpu_fabricmanager_start(const struct ccinit_config *c, enum gpu_mode mode, char *why,
                            size_t why_size);
/* Reaps the daemons started so far: one that exited non-zero is an error. */
int gpu_daemons_check(char *why, size_t why_size);
/* The CDI spec: nvidia-ctk when the image has it, else written from the nodes made. */
int gpu_cdi_write(const struct ccinit_config *c, const struct gpu_topology *t, char (*nodes)[64],
                  unsigned count, char *why, size_t why_size);
