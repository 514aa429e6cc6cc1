/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The boot configuration: every knob ccinit reads from the kernel command
 * line, parsed once into this struct, never changed after. The knob table in
 * config.c is the single source of truth: the parser and the README's knob
 * table derive from it (tests/unit/test_config.c keeps the README equal).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "init/base/verity_params.h"

#define CONFIG_PATH_MAX       256
#define CONFIG_LIST_MAX       16
#define CONFIG_NAME_MAX       64
#define CONFIG_EXTENSIONS_MAX 8

enum on_failure { ON_FAILURE_POWEROFF, ON_FAILURE_REBOOT, ON_FAILURE_HALT };
enum scratch_integrity { INTEGRITY_NONE, INTEGRITY_HMAC_SHA256, INTEGRITY_AEAD };
enum gpu_policy { GPU_AUTO, GPU_REQUIRED, GPU_OPTIONAL, GPU_OFF };
enum gpu_cc_policy { GPU_CC_AUTO, GPU_CC_ON, GPU_CC_DEVTOOLS, GPU_CC_OFF, GPU_CC_ANY };
/* Local attestation before the ready state (init/gpu/attestation.md); local is the default. */
enum gpu_attest_policy { GPU_ATTEST_LOCAL, GPU_ATTEST_OFF };
/* Golden measurements (attestation.md, 6); auto: require when the image carries the table. */
enum gpu_rim_policy { GPU_RIM_AUTO, GPU_RIM_REQUIRE, GPU_RIM_OFF };
enum attester_variant { ATTESTER_AUTO, ATTESTER_NVIDIA, ATTESTER_NONE };

/* The words ccinit.gpu and ccinit.gpu.cc take, indexed by policy; "" for auto, the default. */
extern const char *const gpu_choices[];
extern const char *const gpu_cc_choices[];

struct name_list {
	unsigned count;
	char names[CONFIG_LIST_MAX][CONFIG_NAME_MAX];
};

struct extension {
	char name[CONFIG_NAME_MAX];
	bool has_params;
	struct verity_params params;
};

struct ccinit_config {
	/* logging */
	int log_level;         /* syslog level; ccinit.log wins over nvrc.log */
	bool log_level_set;    /* ccinit.log given */
	bool nvrc_log_present; /* nvrc.log given at all: NVRC turns printk_devkmsg on */
	int nvrc_log_level;    /* -1: off */
	bool children_to_kmsg; /* daemon output to kmsg (nvrc.log=debug and above) */
	enum on_failure on_failure;
	bool debug_shell;

	/* hand-off */
	char agent[CONFIG_PATH_MAX];
	bool supervise;
	enum attester_variant attester; /* KATA_ATTESTER_VARIANT in the agent's environment */

	/* verified root */
	char root[CONFIG_PATH_MAX]; /* device, partition or serial:<s>; empty: rootfs mode */
	bool root_verity_set;
	struct verity_params root_verity;
	unsigned root_timeout_s;
	char scratch[CONFIG_PATH_MAX]; /* device, serial:<s>, or "tmpfs" */
	uint64_t scratch_size;         /* bytes, for tmpfs */
	enum scratch_integrity scratch_integrity;
	struct name_list modules_extra;
	char dm_create[1024]; /* the kernel's dm-mod.create=, checked in rootfs mode */
	bool dm_create_set;
	struct extension extensions[CONFIG_EXTENSIONS_MAX];
	unsigned extension_count;

	/* GPU */
	enum gpu_policy gpu;
	enum gpu_cc_policy gpu_cc;
	enum gpu_attest_policy gpu_attest;
	enum gpu_rim_policy gpu_rim;
	bool gpu_ready;
	unsigned persistenced_timeout_s; /* 0: scaled with the GPU count */
	int gpu_count, nvswitch_count;   /* -1: not pinned by the command line */

	/* NVRC's knobs, with NVRC's meaning */
	char smi_srs[16];                  /* empty: unset */
	uint32_t smi_lgc, smi_lmc, smi_pl; /* 0: unset */
	bool dcgm;
	bool uvm_persistence;
};

/* The defaults: what a command line without any knob means. */
void config_init(struct ccinit_config *c);

/*
 * Parses a kernel command line into c. Strict: a malformed value of a knob we
 * own, or an unknown ccinit.* knob, fails with -EINVAL and a message in
 * why (naming the knob). A security knob (ccinit.root, ccinit.root.verity,
 * ccinit.scratch, the GPU policies and counts, each extension's parameters)
 * given twice fails the same way; of any other knob the last occurrence wins.
 */
int config_parse(struct ccinit_config *c, const char *cmdline, char *why, size_t why_size);

/* Writes the README's knob table (markdown) to buf. Returns its length or -ENOSPC. */
int config_knob_table_markdown(char *buf, size_t size);
