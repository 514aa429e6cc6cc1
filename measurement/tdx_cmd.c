/* SPDX-License-Identifier: Apache-2.0 */
/* Placeholder until TDX prediction lands: refuses TDX modes plainly. */
#include <stdio.h>

#include "measurement/tdx.h"
#include "rootfs/command.h"

int tdx_measure_main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "ccimage measure: TDX prediction is not available in this build\n");
	return EXIT_USAGE;
}
