// SPDX-License-Identifier: Apache-2.0
/*
 * A RIM's content on hostile input: the XML parse and the extraction of
 * its Meta and measurements (measurement/gpu_rim.c), which ccimage runs
 * only on signed RIMs, but whose bounds must not rest on that. The first
 * byte picks the file name (which tells the kind and what the content must
 * agree with), the rest is the XML; each table entry taken is written as
 * the golden table holds it. The seeds are our re-signed driver and VBIOS
 * RIMs (tests/fixtures/gpu-rim-test/) and NVIDIA's, each behind the byte
 * naming it.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "init/base/gpu_golden.h"
#include "measurement/gpu_rim.h"

static const char *const names[] = {
        "NV_GPU_DRIVER_GH100_535.86.09.xml",     "NV_GPU_VBIOS_1010_0200_882_96005E0001.xml",
        "1010_0200_882_96005E0001_PROD.swidtag", "NV_GPU_CC_DRIVER_GB100_570.124.03_test.xml",
        "NV_GPU_DRIVER_GH100_550.144.03.xml",    "not a RIM name.txt",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gpu_golden_rim rim;
	char why[512], *text = NULL;
	size_t len = 0;
	FILE *f;

	if (size < 1)
		return 0;
	if (gpu_rim_extract(names[data[0] % (sizeof(names) / sizeof(*names))],
	                    (const char *)data + 1, size - 1, &rim, why, sizeof(why)) < 0)
		return 0;
	f = open_memstream(&text, &len);
	if (f) {
		(void)gpu_golden_write_rim(f, &rim);
		fclose(f);
	}
	free(text);
	gpu_rim_free(&rim);
	return 0;
}
