// SPDX-License-Identifier: Apache-2.0
/*
 * `ccimage gpu rtmr3 [--eventlog FILE] BDF=DIGEST...`: the TDX RTMR3 a guest
 * reports after ccinit's GPU attestation, and the events it put in the
 * attestation agent's log for it (init/gpu/attestation.md, 5). Per GPU, in order, ccinit logs the
 * event "github.com/ccinit gpu-evidence <BDF> <DIGEST>" and extends RTMR3 with
 * the SHA-384 of its tagged event data, as the agent does for its own events;
 * the first line printed is the register from a zeroed RTMR3, then one line
 * per event. --eventlog writes the TCG2 entries ccinit appends to the agent's
 * log, byte for byte. A verifier takes the pairs from the guest's log or
 * recomputes each DIGEST as SHA-384(report.bin || chain.pem).
 *
 * Exit status: 0, 2 usage, 3 an argument that is not BDF=DIGEST or an
 * --eventlog path the output rule refuses.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "init/base/cmdfiles.h"
#include "measurement/gpu_aael.h"
#include "rootfs/ccimage/cli.h"
#include "rootfs/ccimage/command.h"

static const char usage_text[] =
        "usage: ccimage gpu rtmr3 [--eventlog FILE] [--values FILE] BDF=DIGEST...\n"
        "\n"
        "Prints the TDX RTMR3 after ccinit's GPU attestation, then the events it wrote\n"
        "to the attestation agent's log (/run/attestation-agent/eventlog), one per GPU\n"
        "in order. BDF is the GPU's PCI address (0000:41:00.0), DIGEST its evidence\n"
        "digest SHA-384(report.bin || chain.pem) in 96 hex digits. Each event is\n"
        "\"github.com/ccinit gpu-evidence BDF DIGEST\"; RTMR3 is extended from zero with\n"
        "the SHA-384 of its AAEL tagged event, as the attestation agent extends its own,\n"
        "so the whole log replays to the register.\n"
        "\n"
        "  --eventlog FILE  also write the log ccinit writes for these GPUs (TCG2 entries,\n"
        "                   byte for byte; the agent appends its own after them)\n"
        "  --values FILE    also write the reference values of these events (JSON: the\n"
        "                   domain, operation and count a trustee policy can check; the\n"
        "                   register itself holds per-boot nonces and is none)\n";

/* One BDF=DIGEST: rtmr extended, its text and entry filled. EXIT_OK or the exit code. */
static int add(const char *arg, uint8_t rtmr[SHA384_LEN], char *text, size_t text_size,
               uint8_t *entry, size_t *entry_len)
{
	uint8_t digest[SHA384_LEN];
	char bdf[65];
	const char *eq = strchr(arg, '=');
	int r;

	if (!eq || eq == arg || (size_t)(eq - arg) >= sizeof(bdf) ||
	    tdx_unhex(eq + 1, digest, sizeof(digest)) < 0)
		return EXIT_DATA;
	memcpy(bdf, arg, (size_t)(eq - arg));
	bdf[eq - arg] = '\0';
	r = gpu_aael_extend(bdf, digest, rtmr, text, text_size, entry);
	if (r < 0)
		return r == -EINVAL ? EXIT_DATA : EXIT_SYSTEM;
	*entry_len = (size_t)r;
	return EXIT_OK;
}

static int write_out(const char *option, const char *path, const void *data, size_t len)
{
	struct output_set set = {0};
	int r = output_set_add(&set, path, data, len);

	if (r == 0)
		r = output_set_commit(&set);
	output_set_abandon(&set);
	if (r < 0)
		fprintf(stderr, "ccimage gpu rtmr3: %s %s: %s\n", option, path, strerror(-r));
	return r < 0 ? EXIT_SYSTEM : EXIT_OK;
}

/* The values for n events, as reference-values.json's gpu-aael entry holds them. */
static int write_values(const char *path, int n)
{
	json_object *v = gpu_aael_values(n);
	const char *text = v ? json_object_to_json_string_ext(
	                               v, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE)
	                     : NULL;
	char *line = NULL;
	int r = EXIT_SYSTEM;

	if (text && asprintf(&line, "%s\n", text) >= 0)
		r = write_out("--values", path, line, strlen(line));
	else
		fprintf(stderr, "ccimage gpu rtmr3: out of memory\n");
	free(line);
	json_object_put(v);
	return r;
}

static int predict(char **pairs, int n, const char *eventlog, const char *values, char (*text)[256],
                   uint8_t *log)
{
	uint8_t rtmr[SHA384_LEN] = {0};
	char hex[2 * SHA384_LEN + 1];
	size_t len = 0, one;
	int r;

	for (int i = 0; i < n; i++) {
		r = add(pairs[i], rtmr, text[i], sizeof(text[i]), log + len, &one);
		if (r != EXIT_OK) {
			fprintf(stderr, "ccimage gpu rtmr3: '%s': %s\n", pairs[i],
			        r == EXIT_DATA
			                ? "not BDF=DIGEST (a PCI address, '=', 96 hex digits)"
			                : "SHA-384 failed");
			return r;
		}
		len += one;
	}
	if (eventlog && (r = write_out("--eventlog", eventlog, log, len)) != EXIT_OK)
		return r;
	if (values && (r = write_values(values, n)) != EXIT_OK)
		return r;
	printf("%s\n", tdx_hex(rtmr, sizeof(rtmr), hex));
	for (int i = 0; i < n; i++)
		printf("%s\n", text[i]);
	return EXIT_OK;
}

int gpu_rtmr3_main(int argc, char **argv)
{
	const char *eventlog = NULL, *values = NULL;
	const struct cli_opt opts[] = {
	        CLI_STRING("eventlog", 0, &eventlog, "FILE", NULL),
	        CLI_STRING("values", 0, &values, "FILE", NULL),
	        {0},
	};
	struct cli cli = {argc, argv, usage_text, opts};
	char(*text)[256];
	uint8_t *log;
	int n, r;

	if (!cli_parse(&cli, 1, -1))
		return cli.exit_code;
	const struct cli_file files[] = {{"--eventlog", eventlog, .output = true},
	                                 {"--values", values, .output = true}};
	if ((r = cli_check_files("gpu rtmr3", files, 2)) != EXIT_OK)
		return r;
	n = argc - optind;
	text = calloc((size_t)n, sizeof(*text));
	log = calloc((size_t)n, GPU_AAEL_ENTRY_MAX);
	if (!text || !log) {
		fprintf(stderr, "ccimage gpu rtmr3: out of memory\n");
		r = EXIT_SYSTEM;
	} else {
		r = predict(argv + optind, n, eventlog, values, text, log);
	}
	free(text);
	free(log);
	return r;
}

CCIMAGE_COMMAND(gpu_rtmr3, "gpu rtmr3",
                "predict TDX RTMR3 and the attestation agent log events of ccinit's GPU "
                "attestation",
                gpu_rtmr3_main);
