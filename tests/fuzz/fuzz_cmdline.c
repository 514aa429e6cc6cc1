/* SPDX-License-Identifier: Apache-2.0 */
/* The kernel command line is outside input to ccinit: the parser must never misbehave on it. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "init/core/config.h"
#include "init/base/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ccinit_config c;
	char *line = malloc(size + 1), why[256];
	if (!line)
		return 0;
	memcpy(line, data, size);
	line[size] = '\0';
	log_set_max_level(LOG_EMERG); /* unknown nvrc.* warnings are expected noise */
	config_init(&c);
	(void)config_parse(&c, line, why, sizeof(why));
	free(line);
	return 0;
}
