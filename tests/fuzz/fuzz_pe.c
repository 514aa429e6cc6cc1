/* SPDX-License-Identifier: Apache-2.0 */
/*
 * PE/COFF Authenticode (measurement/pe.c) and QEMU's setup-header patch,
 * as the TDX kernel measurement applies them. Input: a kernel image.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "measurement/pe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t d[SHA384_LEN], *k;
	char err[TDX_ERR_MAX];

	pe_authenticode_sha384(data, size, d, err, sizeof(err));
	k = malloc(size ? size : 1);
	if (!k)
		return 0;
	memcpy(k, data, size);
	if (pe_qemu_patch(k, size, size & 1, size * 4099, (uint64_t)(size % 7 + 1) << 29, err,
	                  sizeof(err)) == 0)
		pe_authenticode_sha384(k, size, d, err, sizeof(err));
	free(k);
	return 0;
}
