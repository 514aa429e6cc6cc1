// SPDX-License-Identifier: Apache-2.0
/*
 * The golden table reader (init/base/gpu_golden.c): PID 1 reads the table from
 * the verified root, so it is trusted input there; fuzzed all the same, as the
 * one parser both ends share. What parses is written back and must read again.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "init/base/gpu_golden.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gpu_golden *g, *again;
	char why[256], *text = NULL;
	size_t text_size = 0;
	FILE *f;

	if (gpu_golden_parse((const char *)data, size, &g, why, sizeof(why)) < 0)
		return 0;
	f = open_memstream(&text, &text_size);
	if (!f)
		abort();
	gpu_golden_write_header(f);
	for (unsigned i = 0; i < g->count; i++)
		gpu_golden_write_rim(f, &g->rims[i]);
	fclose(f);
	if (gpu_golden_parse(text, text_size, &again, why, sizeof(why)) < 0 ||
	    again->count != g->count)
		abort();
	gpu_golden_free(again);
	gpu_golden_free(g);
	free(text);
	return 0;
}
