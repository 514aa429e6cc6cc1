/* SPDX-License-Identifier: Apache-2.0 */
/* Kata's verity line arrives on the command line: parse, and re-parse what we format. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "init/base/verity_params.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct verity_params p, q;
	char *line = malloc(size + 1), why[256], out[1024];
	if (!line)
		return 0;
	memcpy(line, data, size);
	line[size] = '\0';
	if (verity_params_parse(&p, line, why, sizeof(why)) == 0) {
		/* Anything accepted must format and read back to the same parameters. */
		if (verity_params_format(&p, out, sizeof(out)) < 0 ||
		    verity_params_parse(&q, out, why, sizeof(why)) != 0 ||
		    memcmp(&p, &q, sizeof(p)) != 0)
			abort();
	}
	free(line);
	return 0;
}
