/* SPDX-License-Identifier: Apache-2.0 */
/*
 * /etc/shadow comes from the imported tree, outside input to ccimage: the
 * rewrite must stay in bounds, never grow the file, and be idempotent.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rootfs/tree/mkosi.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *once = NULL, *twice = NULL;
	size_t once_len = 0, twice_len = 0;

	if (mkosi_shadow_normalise((const char *)data, size, &once, &once_len) < 0)
		return 0;
	if (once_len > size)
		abort();
	if (mkosi_shadow_normalise(once, once_len, &twice, &twice_len) != 0 ||
	    twice_len != once_len || memcmp(once, twice, once_len) != 0)
		abort();
	free(once);
	free(twice);
	return 0;
}
