/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The kernel image as TDX firmware measures it (measurement/README.md, 6.3 and 6.4):
 * QEMU patches the bzImage setup header for direct boot, then OVMF measures
 * the PE/COFF Authenticode SHA-384 of the patched image into RTMR1.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "measurement/tdx.h"

/* QEMU reserves this much below the top of low memory for ACPI data (x86 "acpi_data_size"). */
#define PE_QEMU_ACPI_DATA_SIZE 0x28000u
/* The smallest bzImage QEMU accepts: the setup header lies inside. */
#define PE_MIN_KERNEL 0x1000u

/*
 * Applies QEMU's setup-header patch (hw/i386/x86.c, non-SEV guests) to a copy
 * of the kernel in place. initrd_size counts only when has_initrd; ram is the
 * guest RAM size in bytes. Returns 0, or -EBADMSG / -EFBIG with why set.
 */
int pe_qemu_patch(uint8_t *kernel, size_t len, bool has_initrd, uint64_t initrd_size, uint64_t ram,
                  char *why, size_t why_size);

/* Whether the patched kernel still depends on ram: below 0xB0000000 and not exactly 2 GiB. */
bool pe_patch_depends_on_ram(uint64_t ram);

/*
 * Authenticode SHA-384 of a PE32/PE32+ image, as edk2 measures it, followed by
 * the zero padding to a multiple of 8 that dstack-mr found in real logs.
 * Rejects truncated or inconsistent headers with -EBADMSG and why set.
 */
int pe_authenticode_sha384(const uint8_t *img, size_t len, uint8_t out[SHA384_LEN], char *why,
                           size_t why_size);
