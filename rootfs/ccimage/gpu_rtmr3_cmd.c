// SPDX-License-Identifier: Apache-2.0
/*
 * `ccimage gpu rtmr3 DIGEST...`: the TDX RTMR3 a guest reports after ccinit's
 * GPU attestation extended a zeroed RTMR3 with each GPU's evidence digest, in
 * order (init/gpu/attestation.md, 5). A policy pins the printed value; a
 * verifier takes the digests from the guest's /run/ccinit/gpu/rtmr3.log or
 * recomputes each as SHA-384(report.bin || chain.pem).
 *
 * Exit status: 0, 2 usage, 3 a digest that is not 96 hex digits.
 */
#include <stdio.h>
#include <string.h>

#include "measurement/tdx.h"
#include "rootfs/ccimage/cli.h"
#include "rootfs/ccimage/command.h"

static const char usage_text[] =
        "usage: ccimage gpu rtmr3 DIGEST...\n"
        "\n"
        "Prints RTMR3 after extending a zeroed register with each SHA-384 evidence digest\n"
        "(96 hex digits) in order, as ccinit's GPU attestation does, one per GPU.\n";

int gpu_rtmr3_main(int argc, char **argv)
{
	const struct cli_opt none[] = {{0}};
	struct cli cli = {argc, argv, usage_text, none};
	uint8_t rtmr[SHA384_LEN] = {0}, digest[SHA384_LEN];
	char hex[2 * SHA384_LEN + 1];

	if (!cli_parse(&cli, 1, -1))
		return cli.exit_code;
	for (int i = optind; i < argc; i++) {
		if (tdx_unhex(argv[i], digest, sizeof(digest)) < 0) {
			fprintf(stderr, "ccimage gpu rtmr3: '%s' is not a SHA-384 digest in hex\n",
			        argv[i]);
			return EXIT_DATA;
		}
		if (tdx_extend(rtmr, digest) < 0) {
			fprintf(stderr, "ccimage gpu rtmr3: SHA-384 failed\n");
			return EXIT_SYSTEM;
		}
	}
	printf("%s\n", tdx_hex(rtmr, sizeof(rtmr), hex));
	return EXIT_OK;
}

CCIMAGE_COMMAND(gpu_rtmr3, "gpu rtmr3",
                "predict TDX RTMR3 after ccinit's GPU attestation extended it", gpu_rtmr3_main);
