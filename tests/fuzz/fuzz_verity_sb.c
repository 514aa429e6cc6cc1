/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The verity superblock parser reads a hash device the host hands us
 * (`ccimage verity verify` with a superblock). Whatever it accepts must
 * survive a build/parse round trip unchanged; nothing may read past the input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "measurement/verity.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct verity_sb_info a, b;
	uint8_t raw[VERITY_SB_SIZE];
	uint8_t *copy = malloc(size ? size : 1);

	if (!copy)
		return 0;
	memcpy(copy, data, size); /* a heap copy of exactly size bytes, so ASan sees overreads */
	if (verity_sb_parse(&a, copy, size) == 0) {
		struct verity_geometry g;

		if (verity_sb_build(&a, raw) != 0)
			abort();
		if (verity_sb_parse(&b, raw, sizeof(raw)) != 0 || memcmp(&a, &b, sizeof(a)) != 0)
			abort();
		/* Geometry from untrusted numbers must refuse, never overflow. */
		(void)verity_geometry_compute(&g, a.data_blocks, a.data_block_size,
		                              a.hash_block_size, 32, (int)a.format, true, 0);
	}
	free(copy);
	return 0;
}
