// SPDX-License-Identifier: Apache-2.0
/* ccinit's GPU events in the attestation agent's log, predicted (gpu_aael.h). */
#include <errno.h>
#include <string.h>

#include "init/base/aael.h"
#include "measurement/gpu_aael.h"

int gpu_aael_extend(const char *bdf, const uint8_t digest[SHA384_LEN], uint8_t rtmr[SHA384_LEN],
                    char *text, size_t text_size, uint8_t entry[GPU_AAEL_ENTRY_MAX])
{
	uint8_t data[256], e[SHA384_LEN];
	int n = aael_gpu_event(bdf, digest, data, sizeof(data)), r;
	size_t len;

	if (n < 0)
		return n;
	len = (size_t)n - AAEL_TAG_HEADER_SIZE;
	if (len >= text_size)
		return -ENOSPC;
	/* The register gets the hash of the whole tagged event, header included. */
	r = tdx_sha384(data, (size_t)n, e);
	if (r < 0)
		return r;
	r = tdx_extend(rtmr, e);
	if (r < 0)
		return r;
	memcpy(text, data + AAEL_TAG_HEADER_SIZE, len);
	text[len] = '\0';
	return aael_entry(AAEL_MR_RTMR3, data, (size_t)n, e, entry, GPU_AAEL_ENTRY_MAX);
}
