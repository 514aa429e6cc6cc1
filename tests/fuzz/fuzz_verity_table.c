/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dm-mod.create= arrives on the command line and the live verity table from
 * the kernel: parse both ways, and re-parse what we format.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "init/base/verity_table.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct dm_create d, e;
	static struct verity_table t, u;
	static char out[8192];
	char *line = malloc(size + 1), why[256];
	if (!line)
		return 0;
	memcpy(line, data, size);
	line[size] = '\0';
	/* Anything accepted must format and read back to the same table. */
	if (verity_table_parse(&t, line, why, sizeof(why)) == 0) {
		if (verity_table_format(&t, out, sizeof(out)) < 0 ||
		    verity_table_parse(&u, out, why, sizeof(why)) != 0 || memcmp(&t, &u, sizeof(t)))
			abort();
		(void)verity_table_weakening(&t);
	}
	if (dm_create_parse(&d, line, why, sizeof(why)) == 0) {
		int n = dm_create_format(&d, out, sizeof(out));
		if (n < 2)
			abort();
		out[n - 1] = '\0'; /* the quotes the kernel's command line parser drops */
		if (dm_create_parse(&e, out + 1, why, sizeof(why)) != 0 ||
		    memcmp(&d, &e, sizeof(d)))
			abort();
	}
	free(line);
	return 0;
}
