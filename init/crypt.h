/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ccinit's wrapper around libcryptsetup, which fixes its behaviour: built
 * without token plugins (nothing is ever dlopened), its log routed through
 * ours, every parameter validated before it gets there, verity always
 * read-only, an existing device of the same name refused rather than reused.
 */
#pragma once

#include <stddef.h>

#include "init/core/config.h"
#include "init/base/verity_params.h"

/* Routes libcryptsetup's log (global and per device) through ccinit's. */
void crypt_logging_setup(void);

/*
 * Activates dm-verity `name` over data and hash devices (no superblock, hash
 * tree at offset 0: Kata's layout) with the root hash in p. Writes the mapped
 * device's path to dev.
 */
int crypt_verity_open(const char *name, const char *data, const char *hash,
                      const struct verity_params *p, char *dev, size_t dev_size, char *why,
                      size_t why_size);

/*
 * Activates an encrypted scratch device with a fresh random key that exists
 * only in locked memory and is wiped before return: plain aes-xts-plain64
 * with 4096-byte sectors, or LUKS2 with dm-integrity (hmac-sha256 or AEAD)
 * as confidential-data-hub formats it. Nothing written before survives.
 */
int crypt_scratch_open(const char *name, const char *device, enum scratch_integrity integrity,
                       char *dev, size_t dev_size, char *why, size_t why_size);

/* The /dev node of an active dm device by name (/dev/dm-N, found through sysfs). */
int dm_node_by_name(const char *name, char *dev, size_t size);
