/* SPDX-License-Identifier: Apache-2.0 */
/* `ccimage eventlog replay|show|diff`: CC event logs on the command line. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "measurement/eventlog.h"
#include "rootfs/ccimage/command.h"

static int load(const char *cmd, const char *path, uint8_t **buf, size_t *len,
                struct cc_eventlog *log)
{
	char err[TDX_ERR_MAX] = "";
	int r = tdx_read_file(path, buf, len);

	if (r < 0) {
		fprintf(stderr, "ccimage %s: %s: %s\n", cmd, path, strerror(-r));
		return EXIT_SYSTEM;
	}
	r = eventlog_parse(*buf, *len, log, err, sizeof(err));
	if (r < 0) {
		fprintf(stderr, "ccimage %s: %s: %s\n", cmd, path,
		        r == -EBADMSG ? err : strerror(-r));
		free(*buf);
		return r == -EBADMSG ? EXIT_DATA : EXIT_SYSTEM;
	}
	return EXIT_OK;
}

/*
 * Parses [--json] [--help] and exactly `want` positional arguments. false
 * when the command ends here, with *code (0 after --help, else EXIT_USAGE).
 */
static bool options(int argc, char **argv, const char *usage, int want, bool *json, int *code)
{
	static const struct option opts[] = {
	        {"json", no_argument, NULL, 'j'},
	        {"help", no_argument, NULL, 'h'},
	        {0},
	};
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "jh", opts, NULL)) != -1) {
		if (c == 'j' && json) {
			*json = true;
		} else {
			fprintf(c == 'h' ? stdout : stderr, "usage: ccimage %s\n", usage);
			*code = c == 'h' ? EXIT_OK : EXIT_USAGE;
			return false;
		}
	}
	if (argc - optind != want) {
		fprintf(stderr, "usage: ccimage %s\n", usage);
		*code = EXIT_USAGE;
		return false;
	}
	return true;
}

static int cmd_replay(int argc, char **argv)
{
	const char *usage =
	        "eventlog replay FILE [--json]\n"
	        "  Replays a CC event log (e.g. /sys/firmware/acpi/tables/data/CCEL) and\n"
	        "  prints RTMR0-3 and the kernel and LoadOptions event digests.";
	struct cc_eventlog log;
	uint8_t mr[CC_MR_COUNT][SHA384_LEN], *buf;
	char err[TDX_ERR_MAX] = "", hex[2 * SHA384_LEN + 1];
	const struct cc_event *k, *o;
	bool json = false;
	size_t len;
	int r;

	if (!options(argc, argv, usage, 1, &json, &r))
		return r;
	r = load("eventlog replay", argv[optind], &buf, &len, &log);
	if (r != EXIT_OK)
		return r;
	if (eventlog_replay(&log, mr, err, sizeof(err)) < 0) {
		fprintf(stderr, "ccimage eventlog replay: %s: %s\n", argv[optind], err);
		r = EXIT_DATA;
		goto out;
	}
	k = eventlog_find_kernel(&log);
	o = eventlog_find_load_options(&log);
	if (json) {
		printf("{");
		for (int i = 0; i < CC_MR_COUNT; i++)
			printf("%s\"rtmr_%d\":\"%s\"", i ? "," : "", i,
			       tdx_hex(mr[i], SHA384_LEN, hex));
		if (k)
			printf(",\"tdvfkernel\":\"%s\"", tdx_hex(k->digest, SHA384_LEN, hex));
		if (o)
			printf(",\"tdvfkernelparams\":\"%s\"", tdx_hex(o->digest, SHA384_LEN, hex));
		printf("}\n");
	} else {
		for (int i = 0; i < CC_MR_COUNT; i++)
			printf("RTMR%d %s\n", i, tdx_hex(mr[i], SHA384_LEN, hex));
		if (k)
			printf("tdvfkernel %s\n", tdx_hex(k->digest, SHA384_LEN, hex));
		if (o)
			printf("tdvfkernelparams %s\n", tdx_hex(o->digest, SHA384_LEN, hex));
	}
out:
	eventlog_free(&log);
	free(buf);
	return r;
}

static int cmd_show(int argc, char **argv)
{
	const char *usage =
	        "eventlog show FILE\n"
	        "  Prints every event of a CC event log: index, register, type, SHA-384\n"
	        "  digest, and what the event data says.";
	struct cc_eventlog log;
	uint8_t *buf;
	size_t len;
	int r;

	if (!options(argc, argv, usage, 1, NULL, &r))
		return r;
	r = load("eventlog show", argv[optind], &buf, &len, &log);
	if (r != EXIT_OK)
		return r;
	printf("# %zu events; algorithms:", log.n);
	for (unsigned i = 0; i < log.n_algs; i++)
		printf(" %#06x/%u", log.alg_id[i], log.alg_size[i]);
	printf("\n");
	for (size_t i = 0; i < log.n; i++) {
		const struct cc_event *e = &log.ev[i];
		char desc[512], hex[2 * SHA384_LEN + 1], reg[16];
		int mr = eventlog_rtmr(e);

		eventlog_describe(e, desc, sizeof(desc));
		if (mr >= 0)
			snprintf(reg, sizeof(reg), "RTMR%d", mr);
		else
			snprintf(reg, sizeof(reg), "MR%u", e->mr_index);
		printf("%3zu %-5s %-32s %s %s%s\n", i + 1, reg, eventlog_type_name(e->type),
		       e->has_sha384 ? tdx_hex(e->digest, SHA384_LEN, hex) : "(no SHA-384)", desc,
		       e->type != EV_NO_ACTION && eventlog_digest_is_of_data(e) ? " [=data]" : "");
	}
	eventlog_free(&log);
	free(buf);
	return EXIT_OK;
}

static int cmd_diff(int argc, char **argv)
{
	const char *usage =
	        "eventlog diff LOG PREDICTION.json\n"
	        "  Compares a CC event log with `ccimage measure --mode tdx --json --events`\n"
	        "  output (or any JSON object with rtmr_N/tdvfkernel/tdvfkernelparams values)\n"
	        "  and names, per register, the first event that differs. Exit 1 on a mismatch.";
	struct cc_eventlog log;
	struct prediction *p = NULL;
	uint8_t *buf, *pj = NULL;
	char err[TDX_ERR_MAX] = "";
	size_t len, plen;
	int r, d;

	if (!options(argc, argv, usage, 2, NULL, &r))
		return r;
	r = load("eventlog diff", argv[optind], &buf, &len, &log);
	if (r != EXIT_OK)
		return r;
	p = malloc(sizeof(*p));
	d = p ? tdx_read_file(argv[optind + 1], &pj, &plen) : -ENOMEM;
	if (d < 0) {
		fprintf(stderr, "ccimage eventlog diff: %s: %s\n", argv[optind + 1], strerror(-d));
		r = EXIT_SYSTEM;
		goto out;
	}
	if (prediction_parse((const char *)pj, plen, p, err, sizeof(err)) < 0) {
		fprintf(stderr, "ccimage eventlog diff: %s: %s\n", argv[optind + 1], err);
		r = EXIT_DATA;
		goto out;
	}
	d = eventlog_diff(&log, p, stdout, err, sizeof(err));
	if (d < 0) {
		fprintf(stderr, "ccimage eventlog diff: %s: %s\n", argv[optind], err);
		r = EXIT_DATA;
	} else {
		r = d ? EXIT_CHECK : EXIT_OK;
	}
out:
	free(pj);
	free(p);
	eventlog_free(&log);
	free(buf);
	return r;
}

CCIMAGE_COMMAND(eventlog_replay, "eventlog replay", "replay a CC event log (CCEL) to RTMR values",
                cmd_replay);
CCIMAGE_COMMAND(eventlog_show, "eventlog show", "print the events of a CC event log", cmd_show);
CCIMAGE_COMMAND(eventlog_diff, "eventlog diff",
                "compare a CC event log with a TDX prediction, naming the first differing event",
                cmd_diff);
