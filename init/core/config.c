/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The kernel command line, read once, strictly. The knob table below is the
 * whole interface: each row names a knob, how its value is read, and what it
 * means; the README's knob table is generated from these rows and a unit test
 * keeps the two equal.
 *
 * Strictness is the point: a knob we own with a malformed value is a boot
 * failure naming the knob (never a silent default), and an unknown ccinit.*
 * knob is refused, because a typo in a security knob must not quietly turn a
 * check off. A security knob given twice is refused too (the rows marked
 * once). NVRC's knobs keep NVRC's meaning, but their values are checked
 * as strictly; unknown nvrc.* keys are ignored with a warning, as NVRC does.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "init/base/gpu_golden.h"
#include "init/core/config.h"
#include "init/core/config_values.h"
#include "init/base/log.h"
#include "init/base/why.h"

enum knob_type {
	KNOB_BOOL,    /* 1|0|yes|no|true|false|on|off, any case */
	KNOB_ENUM,    /* one of .choices; stored as its index */
	KNOB_SECONDS, /* integer seconds in [.min, .max] */
	KNOB_U32,     /* integer in [.min, .max] */
	KNOB_PATH,    /* absolute path */
	KNOB_CUSTOM,  /* .parse does it */
};

struct knob {
	const char *name;
	enum knob_type type;
	size_t offset; /* into struct ccinit_config */
	const char *const *choices;
	unsigned long min, max;
	int (*parse)(struct ccinit_config *c, const char *key, const char *value, char *why,
	             size_t why_size);
	/* Documentation, rendered into the README. */
	const char *values;
	const char *def;
	const char *meaning;
	/*
	 * A security knob: given twice is a boot failure. A verifier that checks
	 * the measured command line with a simple match would see the first value
	 * while ccinit used a later one; others keep last-one-wins.
	 */
	bool once;
};

static const char *const on_failure_choices[] = {"poweroff", "reboot", "halt", NULL};
static const char *const integrity_choices[] = {"none", "hmac-sha256", "aead", NULL};
/* Index 0 (auto) is the default and cannot be asked for by name. */
const char *const gpu_choices[] = {"", "required", "optional", "off", NULL};
const char *const gpu_cc_choices[] = {"", "on", "devtools", "off", "any", NULL};
static const char *const gpu_attest_choices[] = {"local", "off", NULL};
static const char *const gpu_rim_choices[] = {"", "require", "off", NULL};
static const char *const attester_choices[] = {"", "nvidia", "none", NULL};

static int parse_log(struct ccinit_config *c, const char *key, const char *value, char *why,
                     size_t why_size)
{
	int level = log_level_from_string(value);
	if (level < 0)
		return why_set(why, why_size, -EINVAL,
		               "%s: '%s' is not a log level (emerg..debug or 0-7)", key, value);
	c->log_level = level;
	c->log_level_set = true;
	return 0;
}

/* NVRC's levels: off/0/empty, error, warn, info, debug, trace. */
static int parse_nvrc_log(struct ccinit_config *c, const char *key, const char *value, char *why,
                          size_t why_size)
{
	static const struct {
		const char *name;
		int level;
	} levels[] = {
	        {"", -1},
	        {"0", -1},
	        {"off", -1},
	        {"error", LOG_ERR},
	        {"warn", LOG_WARNING},
	        {"info", LOG_INFO},
	        {"debug", LOG_DEBUG},
	        {"trace", LOG_DEBUG},
	};
	for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]); i++) {
		if (strcasecmp(value, levels[i].name) == 0) {
			c->nvrc_log_present = true;
			c->nvrc_log_level = levels[i].level;
			c->children_to_kmsg = levels[i].level == LOG_DEBUG;
			return 0;
		}
	}
	return why_set(why, why_size, -EINVAL, "%s: '%s' is not an NVRC log level", key, value);
}

static int parse_debug_shell(struct ccinit_config *c, const char *key, const char *value, char *why,
                             size_t why_size)
{
	int b = config_parse_bool(value);
	if (b < 0)
		return why_set(why, why_size, -EINVAL, "%s: '%s' is not a boolean", key, value);
#ifndef CCINIT_DEBUG_BUILD
	if (b)
		return why_set(why, why_size, -EINVAL,
		               "%s: refused, this is a production build (no debug shell)", key);
#endif
	c->debug_shell = b;
	return 0;
}

static int parse_root(struct ccinit_config *c, const char *key, const char *value, char *why,
                      size_t why_size)
{
	char copy[CONFIG_PATH_MAX];
	if (config_copy_string(copy, sizeof(copy), value) < 0)
		return why_set(why, why_size, -EINVAL, "%s: too long", key);
	/* One disk in Kata's layout (p1 data, p2 hash), or data and hash devices apart. */
	char *comma = strchr(copy, ',');
	if (comma)
		*comma = '\0';
	if (!config_valid_device(copy) ||
	    (comma && (!config_valid_device(comma + 1) || strchr(comma + 1, ','))))
		return why_set(why, why_size, -EINVAL,
		               "%s: '%s' is not DISK, DATA,HASH, with each a /dev path or "
		               "serial:NAME",
		               key, value);
	return config_copy_string(c->root, sizeof(c->root), value);
}

static int parse_root_verity(struct ccinit_config *c, const char *key, const char *value, char *why,
                             size_t why_size)
{
	char inner[256];
	int r = verity_params_parse(&c->root_verity, value, inner, sizeof(inner));
	if (r < 0)
		return why_set(why, why_size, -EINVAL, "%s: %s", key, inner);
	c->root_verity_set = true;
	return 0;
}

static int parse_scratch(struct ccinit_config *c, const char *key, const char *value, char *why,
                         size_t why_size)
{
	if (strcmp(value, "tmpfs") != 0 && !config_valid_device(value))
		return why_set(why, why_size, -EINVAL,
		               "%s: '%s' is not tmpfs, a /dev path or serial:NAME", key, value);
	return config_copy_string(c->scratch, sizeof(c->scratch), value);
}

/* Bytes with an optional K, M, G suffix (powers of 1024), as tmpfs's size= takes them. */
static int parse_size(struct ccinit_config *c, const char *key, const char *value, char *why,
                      size_t why_size)
{
	char *end;
	if (!isdigit((unsigned char)value[0]))
		return why_set(why, why_size, -EINVAL, "%s: '%s' is not a size", key, value);
	errno = 0;
	unsigned long long v = strtoull(value, &end, 10);
	unsigned shift = 0;
	switch (*end) {
	case 'K':
	case 'k':
		shift = 10;
		end++;
		break;
	case 'M':
	case 'm':
		shift = 20;
		end++;
		break;
	case 'G':
	case 'g':
		shift = 30;
		end++;
		break;
	default:
		break;
	}
	if (errno || *end || v == 0 || v > (ULLONG_MAX >> shift))
		return why_set(why, why_size, -EINVAL, "%s: '%s' is not a size (N, NK, NM or NG)",
		               key, value);
	c->scratch_size = (uint64_t)v << shift;
	return 0;
}

static int parse_modules_extra(struct ccinit_config *c, const char *key, const char *value,
                               char *why, size_t why_size)
{
	struct name_list list = {0};
	char copy[CONFIG_LIST_MAX * CONFIG_NAME_MAX];
	if (config_copy_string(copy, sizeof(copy), value) < 0)
		return why_set(why, why_size, -EINVAL, "%s: too long", key);
	for (char *save = NULL, *name = strtok_r(copy, ",", &save); name;
	     name = strtok_r(NULL, ",", &save)) {
		if (!config_valid_module_name(name) || strlen(name) >= CONFIG_NAME_MAX)
			return why_set(why, why_size, -EINVAL, "%s: '%s' is not a module name", key,
			               name);
		if (list.count == CONFIG_LIST_MAX)
			return why_set(why, why_size, -EINVAL, "%s: more than %d modules", key,
			               CONFIG_LIST_MAX);
		strcpy(list.names[list.count++], name);
	}
	if (list.count == 0)
		return why_set(why, why_size, -EINVAL, "%s: empty module list", key);
	c->modules_extra = list;
	return 0;
}

/* A device count, 0-32 (GPU_MAX in init/gpu/gpu.h); given, it is exact. */
static int parse_count(struct ccinit_config *c, const char *key, const char *value, char *why,
                       size_t why_size)
{
	unsigned long v;
	if (config_parse_ulong(value, &v) < 0 || v > 32)
		return why_set(why, why_size, -EINVAL, "%s: '%s' is not a number in 0-32", key,
		               value);
	*(strcmp(key, "ccinit.gpu.count") == 0 ? &c->gpu_count : &c->nvswitch_count) = (int)v;
	return 0;
}

static int parse_smi_srs(struct ccinit_config *c, const char *key, const char *value, char *why,
                         size_t why_size)
{
	/* NVRC passes it through to nvidia-smi, which takes 0 or 1; anything else would fail there.
	 */
	if (strcmp(value, "0") != 0 && strcmp(value, "1") != 0)
		return why_set(why, why_size, -EINVAL, "%s: '%s' is not 0 or 1", key, value);
	return config_copy_string(c->smi_srs, sizeof(c->smi_srs), value);
}

#define F(field) offsetof(struct ccinit_config, field)

/*
 * Every knob. Order is the README's order. kata.extension.<name>.verity_params
 * is matched by pattern, not by this table (see parse_extension).
 */
static const struct knob knobs[] = {
        {"ccinit.log", KNOB_CUSTOM, 0, NULL, 0, 0, parse_log, "`emerg`..`debug`, `0`-`7`",
         "`warning`", "Log level of ccinit's messages in the kernel log. Wins over `nvrc.log`."},
        {"ccinit.on_failure", KNOB_ENUM, F(on_failure), on_failure_choices, 0, 0, NULL,
         "`poweroff`, `reboot`, `halt`", "`poweroff`",
         "What the one terminal path does after logging the failure and syncing."},
        {"ccinit.debug.shell", KNOB_CUSTOM, 0, NULL, 0, 0, parse_debug_shell, "boolean", "`0`",
         "Debug build only: on failure, a busybox shell on the console instead of powering off. "
         "The production build refuses `1` as a boot failure."},
        {"ccinit.agent", KNOB_PATH, F(agent), NULL, 0, 0, NULL, "absolute path",
         "`/usr/bin/kata-agent`", "The agent ccinit hands off to."},
        {"ccinit.supervise", KNOB_BOOL, F(supervise), NULL, 0, 0, NULL, "boolean", "`0`",
         "`0`: exec the agent as PID 1. `1`: the agent is PID 1 of a new PID namespace (and "
         "mount namespace); ccinit stays PID 1, reaps, forwards SIGTERM/SIGINT, powers off when "
         "the agent exits or its reboot() ends it."},
        {"ccinit.attester", KNOB_ENUM, F(attester), attester_choices, 0, 0, NULL,
         "`nvidia`, `none`",
         "`nvidia` when a GPU came up or the `gpu` extension is mounted, "
         "else `none`",
         "`KATA_ATTESTER_VARIANT` in the agent's environment: `nvidia` makes kata-agent start "
         "the attester that adds GPU evidence; `none` leaves it unset (the agent's default).",
         true},
        {"ccinit.root", KNOB_CUSTOM, 0, NULL, 0, 0, parse_root,
         "`DISK` or `DATA,HASH`; each `/dev/...` or `serial:NAME`", "none",
         "Verified root devices. A disk uses Kata's layout (partition 1 data, 2 hash). None: the "
         "initramfs is the root, or rootfs mode when the kernel built it (`dm-mod.create=`).",
         true},
        {"ccinit.root.verity", KNOB_CUSTOM, 0, NULL, 0, 0, parse_root_verity,
         "`root_hash=..,salt=..,data_blocks=..,data_block_size=..,hash_block_size=..`", "none",
         "dm-verity parameters of the root, in Kata's one-line format. Required with "
         "`ccinit.root`; in rootfs mode, checked against the kernel's verity table.",
         true},
        {"ccinit.root.timeout", KNOB_SECONDS, F(root_timeout_s), NULL, 1, 600, NULL,
         "seconds, 1-600", "`10`", "How long to wait for the root and scratch devices."},
        {"ccinit.scratch", KNOB_CUSTOM, 0, NULL, 0, 0, parse_scratch,
         "`/dev/...`, `serial:NAME`, `tmpfs`", "none",
         "Writable layer over the verified root: dm-crypt with a fresh key each boot, or tmpfs. "
         "Required with a verified root.",
         true},
        {"ccinit.scratch.size", KNOB_CUSTOM, 0, NULL, 0, 0, parse_size, "bytes, `K` `M` `G` suffix",
         "half of RAM", "Size of a tmpfs writable layer."},
        {"ccinit.scratch.integrity", KNOB_ENUM, F(scratch_integrity), integrity_choices, 0, 0, NULL,
         "`none`, `hmac-sha256`, `aead`", "`none`",
         "Integrity for the encrypted scratch disk (LUKS2 with dm-integrity): host tampering "
         "then reads as an I/O error, never as wrong data."},
        {"ccinit.modules.extra", KNOB_CUSTOM, 0, NULL, 0, 0, parse_modules_extra,
         "comma-separated module names", "none",
         "Modules loaded from the verified root before `kernel.modules_disabled=1`."},
        {"ccinit.gpu", KNOB_ENUM, F(gpu), gpu_choices, 0, 0, NULL, "`required`, `optional`, `off`",
         "`required` in a GPU image (one that ships `/lib/firmware/nvidia/<version>`), else "
         "`optional`",
         "GPU bring-up policy. `required`: no NVIDIA GPU found is a boot failure.", true},
        {"ccinit.gpu.cc", KNOB_ENUM, F(gpu_cc), gpu_cc_choices, 0, 0, NULL,
         "`on`, `devtools`, `off`, `any`", "`on` with a CPU TEE, else `any`",
         "Required GPU confidential-compute mode; a mismatch is a boot failure.", true},
        {"ccinit.gpu.attest", KNOB_ENUM, F(gpu_attest), gpu_attest_choices, 0, 0, NULL,
         "`local`, `off`", "`local`",
         "With CC on, each GPU's signed report and certificate chain are checked against "
         "NVIDIA's pinned root and a fresh nonce before the GPUs-ready state is set "
         "(`init/gpu/attestation.md`); a failure is a boot failure naming the GPU and the check. "
         "`off` skips it.",
         true},
        {"ccinit.gpu.rim", KNOB_ENUM, F(gpu_rim), gpu_rim_choices, 0, 0, NULL, "`require`, `off`",
         "`require` in an image that carries NVIDIA's RIMs (`" GPU_GOLDEN_PATH "`), else `off`",
         "With local attestation, every measurement of each GPU's report is compared with the "
         "driver RIM and the VBIOS RIM the image carries for it, as NVIDIA's verifier does; a "
         "mismatch, or no RIM for the GPU's driver or VBIOS, is a boot failure naming the GPU, "
         "the index and both values.",
         true},
        {"ccinit.gpu.count", KNOB_CUSTOM, 0, NULL, 0, 0, parse_count, "0-32", "not pinned",
         "Exactly this many NVIDIA GPUs on PCI and bound by the driver, else a boot failure "
         "naming both numbers (a host cannot hide one).",
         true},
        {"ccinit.nvswitch.count", KNOB_CUSTOM, 0, NULL, 0, 0, parse_count, "0-32", "not pinned",
         "Exactly this many NVSwitches on PCI and bound by the driver, as `ccinit.gpu.count`.",
         true},
        {"ccinit.gpu.ready", KNOB_BOOL, F(gpu_ready), NULL, 0, 0, NULL, "boolean", "`0`",
         "Set the CC GPUs-ready state after every other GPU step succeeded."},
        {"ccinit.gpu.persistenced.timeout", KNOB_SECONDS, F(persistenced_timeout_s), NULL, 1, 3600,
         NULL, "seconds, 1-3600", "120 + 60 per GPU",
         "How long to wait for nvidia-persistenced to be ready."},
        {"nvrc.log", KNOB_CUSTOM, 0, NULL, 0, 0, parse_nvrc_log,
         "`off`, `0`, empty, `error`, `warn`, `info`, `debug`, `trace`", "off",
         "NVRC's log knob: any value turns `printk_devkmsg` on; `debug`/`trace` also send "
         "daemons' output to the kernel log."},
        {"nvrc.smi.srs", KNOB_CUSTOM, 0, NULL, 0, 0, parse_smi_srs, "`0`, `1`", "unset",
         "NVRC's GPUs-ready knob: `1` sets the CC ready state (as `ccinit.gpu.ready=1`)."},
        {"nvrc.smi.lgc", KNOB_U32, F(smi_lgc), NULL, 1, UINT32_MAX, NULL, "MHz", "unset",
         "`nvidia-smi -lgc`: lock GPU clocks."},
        {"nvrc.smi.lmc", KNOB_U32, F(smi_lmc), NULL, 1, UINT32_MAX, NULL, "MHz", "unset",
         "`nvidia-smi -lmc`: lock memory clocks."},
        {"nvrc.smi.pl", KNOB_U32, F(smi_pl), NULL, 1, UINT32_MAX, NULL, "W", "unset",
         "`nvidia-smi -pl`: power limit."},
        {"nvrc.dcgm", KNOB_BOOL, F(dcgm), NULL, 0, 0, NULL, "boolean", "`0`",
         "Start DCGM (`nv-hostengine`, `dcgm-exporter`) when the image has it."},
        {"nvrc.uvm.persistence.mode", KNOB_BOOL, F(uvm_persistence), NULL, 0, 0, NULL, "boolean",
         "`1`", "Pass `--uvm-persistence-mode` to nvidia-persistenced."},
};

#undef F

static const char extension_prefix[] = "kata.extension.";
#define EXTENSION_NAME_MAX 10 /* 20 bytes of virtio serial less "extension-" */
static const char extension_suffix[] = ".verity_params";

void config_init(struct ccinit_config *c)
{
	memset(c, 0, sizeof(*c));
	c->log_level = LOG_WARNING;
	c->nvrc_log_level = -1;
	c->on_failure = ON_FAILURE_POWEROFF;
	strcpy(c->agent, "/usr/bin/kata-agent");
	c->root_timeout_s = 10;
	c->scratch_integrity = INTEGRITY_NONE;
	c->gpu = GPU_AUTO;
	c->gpu_cc = GPU_CC_AUTO;
	c->gpu_count = -1;
	c->nvswitch_count = -1;
	c->uvm_persistence = true;
}

static int parse_typed(struct ccinit_config *c, const struct knob *k, const char *value, char *why,
                       size_t why_size)
{
	void *field = (char *)c + k->offset;
	unsigned long v;
	int b;

	switch (k->type) {
	case KNOB_BOOL:
		b = config_parse_bool(value);
		if (b < 0)
			return why_set(why, why_size, -EINVAL, "%s: '%s' is not a boolean", k->name,
			               value);
		*(bool *)field = b;
		return 0;
	case KNOB_ENUM:
		for (int i = 0; k->choices[i]; i++) {
			if (k->choices[i][0] && strcmp(value, k->choices[i]) == 0) {
				*(int *)field = i;
				return 0;
			}
		}
		return why_set(why, why_size, -EINVAL, "%s: '%s' is not one of %s", k->name, value,
		               k->values);
	case KNOB_SECONDS:
	case KNOB_U32:
		if (config_parse_ulong(value, &v) < 0 || v < k->min || v > k->max)
			return why_set(why, why_size, -EINVAL,
			               "%s: '%s' is not a number in %lu-%lu", k->name, value,
			               k->min, k->max);
		*(unsigned *)field = (unsigned)v;
		return 0;
	case KNOB_PATH:
		if (value[0] != '/' || strstr(value, "..") ||
		    config_copy_string(field, CONFIG_PATH_MAX, value) < 0)
			return why_set(why, why_size, -EINVAL, "%s: '%s' is not an absolute path",
			               k->name, value);
		return 0;
	case KNOB_CUSTOM:
		return k->parse(c, k->name, value, why, why_size);
	}
	return -EINVAL;
}

/* kata.extension.<name>.verity_params[=<line>]: value NULL for the bare (unmeasured) form. */
static int parse_extension(struct ccinit_config *c, const char *key, const char *value, char *why,
                           size_t why_size)
{
	size_t plen = sizeof(extension_prefix) - 1, slen = sizeof(extension_suffix) - 1;
	size_t klen = strlen(key);
	if (klen <= plen + slen || !param_eq(key + klen - slen, extension_suffix))
		return why_set(why, why_size, -EINVAL,
		               "%s: not a kata.extension.<name>.verity_params key", key);
	size_t nlen = klen - plen - slen;
	const char *name = key + plen;
	bool all_dots = true;
	for (size_t i = 0; i < nlen; i++) {
		char ch = name[i];
		if (!isalnum((unsigned char)ch) && ch != '_' && ch != '.' && ch != '-')
			return why_set(why, why_size, -EINVAL, "%s: bad extension name", key);
		all_dots &= ch == '.';
	}
	if (all_dots)
		return why_set(why, why_size, -EINVAL, "%s: bad extension name", key);
	/* The disk is found by its virtio serial, "extension-<name>": longer never matches. */
	if (nlen > EXTENSION_NAME_MAX)
		return why_set(
		        why, why_size, -EINVAL,
		        "%s: extension name longer than %d characters (a virtio serial holds "
		        "20 bytes: \"extension-\" and %d more)",
		        key, EXTENSION_NAME_MAX, EXTENSION_NAME_MAX);

	/*
	 * Each extension's parameters are a security knob: given twice is refused,
	 * in either spelling of the name (the disk is found by the one written).
	 */
	for (unsigned i = 0; i < c->extension_count; i++)
		if (param_eqn(c->extensions[i].name, name, nlen) &&
		    c->extensions[i].name[nlen] == '\0')
			return why_set(why, why_size, -EINVAL,
			               "%s: given twice (a security knob takes one value)", key);
	if (c->extension_count == CONFIG_EXTENSIONS_MAX)
		return why_set(why, why_size, -EINVAL, "%s: more than %d extensions", key,
		               CONFIG_EXTENSIONS_MAX);
	struct extension *e = &c->extensions[c->extension_count++];
	memcpy(e->name, name, nlen);
	e->name[nlen] = '\0';
	e->has_params = false;
	if (!value)
		return 0;
	char inner[256];
	if (verity_params_parse(&e->params, value, inner, sizeof(inner)) < 0)
		return why_set(why, why_size, -EINVAL, "%s: %s", key, inner);
	e->has_params = true;
	return 0;
}

#define KNOB_COUNT (sizeof(knobs) / sizeof(knobs[0]))

/* seen: one flag per row of knobs[], for the rows marked once. */
static int apply(struct ccinit_config *c, bool *seen, const char *key, const char *value, char *why,
                 size_t why_size)
{
	if (param_prefix(key, extension_prefix))
		return parse_extension(c, key, value, why, why_size);
	if (!value)
		return 0; /* flags such as "quiet" or "ro" are the kernel's */
	if (param_eq(key, "dm-mod.create")) {
		/*
		 * The kernel's; kept so rootfs mode can check / against the table it
		 * names. dm-init takes the last of several (in either spelling), so a
		 * verifier matching the first would check a table the kernel never built.
		 */
		if (c->dm_create_set)
			return why_set(why, why_size, -EINVAL,
			               "%s: given twice (the kernel builds the last, a verifier "
			               "may read the first)",
			               key);
		c->dm_create_set = true;
		if (config_copy_string(c->dm_create, sizeof(c->dm_create), value) < 0)
			return why_set(why, why_size, -EINVAL,
			               "dm-mod.create: longer than %zu bytes",
			               sizeof(c->dm_create) - 1);
		return 0;
	}
	for (size_t i = 0; i < KNOB_COUNT; i++) {
		if (!param_eq(key, knobs[i].name))
			continue;
		if (knobs[i].once && seen[i])
			return why_set(why, why_size, -EINVAL,
			               "%s: given twice (a security knob takes one value)", key);
		seen[i] = true;
		return parse_typed(c, &knobs[i], value, why, why_size);
	}
	if (param_prefix(key, "ccinit."))
		return why_set(why, why_size, -EINVAL, "%s: unknown ccinit knob", key);
	if (param_prefix(key, "nvrc."))
		log_warning("%s: unknown NVRC knob, ignoring", key);
	return 0;
}

/*
 * Splits like the kernel's next_arg(): whitespace separates, double quotes
 * group (and are dropped), everything after a lone "--" belongs to init's argv.
 */
int config_parse(struct ccinit_config *c, const char *cmdline, char *why, size_t why_size)
{
	char token[4096];
	const char *p = cmdline;
	bool seen[KNOB_COUNT] = {false};

	for (;;) {
		while (isspace((unsigned char)*p))
			p++;
		if (!*p)
			return 0;
		size_t len = 0;
		bool quoted = false;
		for (; *p && (quoted || !isspace((unsigned char)*p)); p++) {
			if (*p == '"') {
				quoted = !quoted;
				continue;
			}
			if (len + 1 >= sizeof(token))
				return why_set(why, why_size, -EINVAL,
				               "command line token too long");
			token[len++] = *p;
		}
		token[len] = '\0';
		if (strcmp(token, "--") == 0)
			return 0;
		char *eq = strchr(token, '=');
		if (eq)
			*eq = '\0';
		int r = apply(c, seen, token, eq ? eq + 1 : NULL, why, why_size);
		if (r < 0)
			return r;
	}
}

int config_knob_table_markdown(char *buf, size_t size)
{
	size_t off = 0;
	int n = snprintf(buf, size, "| knob | values | default | meaning |\n|---|---|---|---|\n");
	if (n < 0 || (size_t)n >= size)
		return -ENOSPC;
	off = (size_t)n;
	for (size_t i = 0; i < KNOB_COUNT; i++) {
		n = snprintf(buf + off, size - off, "| `%s` | %s | %s | %s%s |\n", knobs[i].name,
		             knobs[i].values, knobs[i].def, knobs[i].meaning,
		             knobs[i].once ? " Given twice: a boot failure." : "");
		if (n < 0 || (size_t)n >= size - off)
			return -ENOSPC;
		off += (size_t)n;
	}
	n = snprintf(buf + off, size - off,
	             "| `kata.extension.<name>.verity_params` | Kata's verity line, or bare | none "
	             "| A Kata extension disk (virtio serial `extension-<name>`, so a name of at "
	             "most 10 characters) and its verity parameters. Given twice: a boot "
	             "failure. |\n");
	if (n < 0 || (size_t)n >= size - off)
		return -ENOSPC;
	return (int)(off + (size_t)n);
}
