/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The guest kernel command line Kata's runtime passes to QEMU (`-append`)
 * for a configuration TOML, as the Go runtime or runtime-rs builds it
 * (measurement/README.md, 11). The SNP launch digest (with kernel hashes)
 * and TDX RTMR2 hash this line, so a reference value needs it exactly.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "measurement/kata/toml_read.h"

enum kata_runtime { KATA_RUNTIME_GO, KATA_RUNTIME_RS };

/* How the guest root is booted; FROM_CONFIG takes it from image/initrd in the TOML. */
enum kata_boot { KATA_BOOT_FROM_CONFIG, KATA_BOOT_IMAGE, KATA_BOOT_INITRD };

struct kata_cmdline_opts {
	enum kata_runtime runtime;
	const char *version; /* Kata release, "4.1.0"; NULL: KATA_CMDLINE_VERSION */
	enum kata_boot boot;
	const char *verity_params; /* replaces kernel_verity_params when not NULL */
	const char *kernel_params; /* replaces kernel_params when not NULL (as a drop-in does) */
	uint32_t max_vcpus; /* the runtime's max vCPUs where it shows (nr_cpus); 0: the TOML's */
	bool debug;         /* as if both [hypervisor.qemu] and [agent.kata] enable_debug */
};

/*
 * A release "A.B.C" (each part decimal digits, 0 to 255) into *code, A << 16 |
 * B << 8 | C: 0, or -EINVAL for anything else (a sign, a suffix, a part that
 * is too large).
 */
int kata_version_parse(const char *v, uint32_t *code);

/* The release the derivation was read from (measurement/README.md, 11.1). */
#define KATA_CMDLINE_VERSION "4.1.0"

/*
 * The command line into *out (the caller frees it). -EINVAL with why naming
 * the file, line and key for a configuration Kata would refuse or that this
 * derivation does not cover; -ENOTSUP for a release it has not been checked
 * against; -ENOMEM.
 */
int kata_cmdline(const struct kata_toml *t, const struct kata_cmdline_opts *o, char **out,
                 char *why, size_t why_size);
