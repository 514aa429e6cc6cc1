/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A Kata configuration TOML and an initdata document are outside input:
 * toml++ through our C interface (the parser is compiled in and
 * instrumented), the command-line derivation for both runtimes on whatever
 * parsed, and the initdata digest. Seeds: Kata's own files
 * (tests/fixtures/kata/).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "measurement/kata/cmdline.h"
#include "measurement/kata/initdata.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kata_toml *t = NULL;
	struct initdata_digest d;
	char why[512] = "";
	if (initdata_digest("fuzz.toml", (const char *)data, size, &d, why, sizeof(why)) < 0 &&
	    !why[0])
		abort();
	why[0] = 0;
	if (kata_toml_parse(&t, "fuzz.toml", (const char *)data, size, why, sizeof(why)) < 0) {
		/* A refusal must say why. */
		if (!why[0])
			abort();
		return 0;
	}
	for (int rt = KATA_RUNTIME_GO; rt <= KATA_RUNTIME_RS; rt++) {
		struct kata_cmdline_opts o = {.runtime = rt, .max_vcpus = rt == KATA_RUNTIME_GO};
		char *line = NULL;
		why[0] = 0;
		int r = kata_cmdline(t, &o, &line, why, sizeof(why));
		if ((r == 0) != (line != NULL) || (r < 0 && !why[0]) ||
		    (line && strchr(line, '\n')))
			abort();
		free(line);
	}
	kata_toml_free(t);
	return 0;
}
