// SPDX-License-Identifier: Apache-2.0
/*
 * `ccimage gpu rtmr3 BDF=DIGEST...`: the TDX RTMR3 a guest reports after
 * ccinit's GPU attestation, and the events it put in the attestation agent's
 * log for it (init/gpu/attestation.md, 5). Per GPU, in order, ccinit logs the
 * event "github.com/ccinit gpu-evidence <BDF> <DIGEST>" and extends RTMR3 with
 * the SHA-384 of its tagged event data, as the agent does for its own events;
 * the first line printed is the register from a zeroed RTMR3, then one line
 * per event. A verifier takes the pairs from the guest's log or recomputes
 * each DIGEST as SHA-384(report.bin || chain.pem).
 *
 * Exit status: 0, 2 usage, 3 an argument that is not BDF=DIGEST.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "measurement/gpu_aael.h"
#include "rootfs/ccimage/cli.h"
#include "rootfs/ccimage/command.h"

static const char usage_text[] =
        "usage: ccimage gpu rtmr3 BDF=DIGEST...\n"
        "\n"
        "Prints the TDX RTMR3 after ccinit's GPU attestation, then the events it wrote\n"
        "to the attestation agent's log (/run/attestation-agent/eventlog), one per GPU\n"
        "in order. BDF is the GPU's PCI address (0000:41:00.0), DIGEST its evidence\n"
        "digest SHA-384(report.bin || chain.pem) in 96 hex digits. Each event is\n"
        "\"github.com/ccinit gpu-evidence BDF DIGEST\"; RTMR3 is extended from zero with\n"
        "the SHA-384 of its AAEL tagged event, as the attestation agent extends its own,\n"
        "so the whole log replays to the register.\n";

static int add(const char *arg, uint8_t rtmr[SHA384_LEN], char *text, size_t text_size)
{
	uint8_t digest[SHA384_LEN];
	char bdf[65];
	const char *eq = strchr(arg, '=');

	if (!eq || eq == arg || (size_t)(eq - arg) >= sizeof(bdf) ||
	    tdx_unhex(eq + 1, digest, sizeof(digest)) < 0)
		return EXIT_DATA;
	memcpy(bdf, arg, (size_t)(eq - arg));
	bdf[eq - arg] = '\0';
	switch (gpu_aael_extend(bdf, digest, rtmr, text, text_size)) {
	case 0:
		return EXIT_OK;
	case -EINVAL:
		return EXIT_DATA;
	default:
		return EXIT_SYSTEM;
	}
}

int gpu_rtmr3_main(int argc, char **argv)
{
	const struct cli_opt none[] = {{0}};
	struct cli cli = {argc, argv, usage_text, none};
	uint8_t rtmr[SHA384_LEN] = {0};
	char hex[2 * SHA384_LEN + 1], (*text)[256];
	int n, r;

	if (!cli_parse(&cli, 1, -1))
		return cli.exit_code;
	n = argc - optind;
	text = calloc((size_t)n, sizeof(*text));
	if (!text) {
		fprintf(stderr, "ccimage gpu rtmr3: out of memory\n");
		return EXIT_SYSTEM;
	}
	for (int i = 0; i < n; i++) {
		r = add(argv[optind + i], rtmr, text[i], sizeof(text[i]));
		if (r != EXIT_OK) {
			fprintf(stderr, "ccimage gpu rtmr3: '%s': %s\n", argv[optind + i],
			        r == EXIT_DATA
			                ? "not BDF=DIGEST (a PCI address, '=', 96 hex digits)"
			                : "SHA-384 failed");
			free(text);
			return r;
		}
	}
	printf("%s\n", tdx_hex(rtmr, sizeof(rtmr), hex));
	for (int i = 0; i < n; i++)
		printf("%s\n", text[i]);
	free(text);
	return EXIT_OK;
}

CCIMAGE_COMMAND(gpu_rtmr3, "gpu rtmr3",
                "predict TDX RTMR3 and the attestation agent log events of ccinit's GPU "
                "attestation",
                gpu_rtmr3_main);
