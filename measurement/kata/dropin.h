/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A Kata configuration drop-in for an image (measurement/README.md, 15): the
 * [hypervisor.qemu] keys that point Kata's runtime at the image's files,
 * serialised by toml++ (dropin.cc) so every string is escaped as TOML wants.
 */
#pragma once

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

struct kata_dropin {
	const char *kernel;
	/*
	 * Exactly one of image and initrd; the other is written as "" because a
	 * drop-in only overrides, and Kata refuses a configuration with both.
	 */
	const char *image;
	const char *initrd;
	const char *kernel_params;
	const char *kernel_verity_params;
	const char *firmware; /* NULL: the main configuration's stays */
};

/*
 * The drop-in's TOML text into *out (the caller frees it). -EINVAL (why
 * says which) when image and initrd are both or neither set, -ENOMEM.
 */
int kata_dropin_format(const struct kata_dropin *d, char **out, char *why, size_t why_size);

#ifdef __cplusplus
}
#endif
