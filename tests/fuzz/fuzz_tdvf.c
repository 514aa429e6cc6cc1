/* SPDX-License-Identifier: Apache-2.0 */
/*
 * TDVF metadata parser (measurement/tdvf.c) and what walks its result: MRTD
 * in both page orders and the TD HOB for two RAM sizes. Input: a firmware image.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "measurement/tdvf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Keeps one input cheap: the parser allows up to 1 GiB of added pages. */
static bool small_enough(const struct tdvf *t)
{
	uint64_t pages = 0;

	for (size_t i = 0; i < t->n; i++)
		pages += t->sec[i].mem_size / 4096;
	return pages < 4096;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t mrtd[SHA384_LEN], *hob;
	char err[TDX_ERR_MAX];
	struct tdvf t;
	size_t len;

	if (tdvf_parse(data, size, &t, err, sizeof(err)) != 0 || !small_enough(&t))
		return 0;
	tdvf_mrtd(data, size, &t, false, mrtd);
	tdvf_mrtd(data, size, &t, true, mrtd);
	for (int i = 0; i < 2; i++) {
		if (tdx_td_hob(&t, i ? 16ull << 30 : 1ull << 30, &hob, &len, err, sizeof(err)) == 0)
			free(hob);
	}
	return 0;
}
