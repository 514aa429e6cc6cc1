/* SPDX-License-Identifier: Apache-2.0 */
/* `ccimage eventlog replay|show|diff`: CC event logs on the command line. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "init/base/log.h"
#include "init/base/why.h"
#include "measurement/eventlog.h"
#include "rootfs/ccimage/cli.h"
#include "rootfs/ccimage/command.h"
#include "rootfs/lib/jsondoc.h"

static const char replay_usage[] =
        "usage: ccimage eventlog replay FILE [--json]\n"
        "  Replays a CC event log (e.g. /sys/firmware/acpi/tables/data/CCEL) and\n"
        "  prints RTMR0-3 and the kernel and LoadOptions event digests.\n";

static const char show_usage[] =
        "usage: ccimage eventlog show FILE\n"
        "  Prints every event of a CC event log: index, register, type, SHA-384\n"
        "  digest, and what the event data says.\n";

static const char diff_usage[] =
        "usage: ccimage eventlog diff LOG PREDICTION.json\n"
        "  Compares a CC event log with `ccimage measure --mode tdx --json --events`\n"
        "  output (or any JSON object with rtmr_N/tdvfkernel/tdvfkernelparams values)\n"
        "  and names, per register, the first event that differs. Exit 1 on a mismatch.\n";

/* An event log read from a file, and the buffer its events point into. */
struct logfile {
	struct cc_eventlog log;
	uint8_t *buf;
	size_t len;
};

static int load(const char *path, struct logfile *lf)
{
	char err[TDX_ERR_MAX] = "";
	int r = tdx_read_file(path, &lf->buf, &lf->len, err, sizeof(err));

	if (r < 0) {
		log_error("%s: %s", path, err);
		return cli_exit_code(r);
	}
	r = eventlog_parse(lf->buf, lf->len, &lf->log, err, sizeof(err));
	if (r < 0) {
		log_error("%s: %s", path, r == -EBADMSG ? err : strerror(-r));
		free(lf->buf);
		return r == -EBADMSG ? EXIT_DATA : EXIT_SYSTEM;
	}
	return EXIT_OK;
}

static void unload(struct logfile *lf)
{
	eventlog_free(&lf->log);
	free(lf->buf);
}

/*
 * The options (--json where json is given), exactly `words` words after
 * them, and the log the first names into lf. false when the command ends
 * here, with *code (EXIT_OK after --help).
 */
static bool start(int argc, char **argv, const char *usage, int words, bool *json,
                  struct logfile *lf, int *code)
{
	const struct cli_opt with_json[] = {CLI_FLAG("json", 'j', json, NULL), {0}};
	const struct cli_opt none[] = {{0}};
	struct cli cli = {argc, argv, usage, json ? with_json : none};

	if (!cli_parse(&cli, words, words)) {
		*code = cli.exit_code;
		return false;
	}
	*code = load(argv[optind], lf);
	return *code == EXIT_OK;
}

/* The registers and the two UEFI event digests, one object keyed by trustee RVPS names. */
static int print_replay_json(uint8_t mr[CC_MR_COUNT][SHA384_LEN], const struct cc_event *k,
                             const struct cc_event *o)
{
	json_object *doc = json_object_new_object();
	char name[sizeof("rtmr_") + 11];

	for (int i = 0; i < CC_MR_COUNT; i++) {
		snprintf(name, sizeof(name), "rtmr_%d", i);
		json_object_object_add(doc, name, jsondoc_hex(mr[i], SHA384_LEN));
	}
	if (k)
		json_object_object_add(doc, "tdvfkernel", jsondoc_hex(k->digest, SHA384_LEN));
	if (o)
		json_object_object_add(doc, "tdvfkernelparams", jsondoc_hex(o->digest, SHA384_LEN));
	return jsondoc_print(stdout, doc, JSONDOC_LINE) < 0 ? EXIT_SYSTEM : EXIT_OK;
}

static int cmd_replay(int argc, char **argv)
{
	uint8_t mr[CC_MR_COUNT][SHA384_LEN];
	char err[TDX_ERR_MAX] = "", hex[2 * SHA384_LEN + 1];
	const struct cc_event *k, *o;
	struct logfile lf;
	bool json = false;
	int r;

	if (!start(argc, argv, replay_usage, 1, &json, &lf, &r))
		return r;
	if (eventlog_replay(&lf.log, mr, err, sizeof(err)) < 0) {
		log_error("%s: %s", argv[optind], err);
		unload(&lf);
		return EXIT_DATA;
	}
	k = eventlog_find_kernel(&lf.log);
	o = eventlog_find_load_options(&lf.log);
	if (json) {
		r = print_replay_json(mr, k, o);
	} else {
		for (int i = 0; i < CC_MR_COUNT; i++)
			printf("RTMR%d %s\n", i, tdx_hex(mr[i], SHA384_LEN, hex));
		if (k)
			printf("tdvfkernel %s\n", tdx_hex(k->digest, SHA384_LEN, hex));
		if (o)
			printf("tdvfkernelparams %s\n", tdx_hex(o->digest, SHA384_LEN, hex));
	}
	unload(&lf);
	return r;
}

static int cmd_show(int argc, char **argv)
{
	struct logfile lf;
	int r;

	if (!start(argc, argv, show_usage, 1, NULL, &lf, &r))
		return r;
	printf("# %zu events; algorithms:", lf.log.n);
	for (unsigned i = 0; i < lf.log.n_algs; i++)
		printf(" %#06x/%u", lf.log.alg_id[i], lf.log.alg_size[i]);
	printf("\n");
	for (size_t i = 0; i < lf.log.n; i++) {
		const struct cc_event *e = &lf.log.ev[i];
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
	unload(&lf);
	return EXIT_OK;
}

static int cmd_diff(int argc, char **argv)
{
	struct prediction *p = NULL;
	struct logfile lf;
	uint8_t *pj = NULL;
	char err[TDX_ERR_MAX] = "";
	size_t plen;
	int r, d;

	if (!start(argc, argv, diff_usage, 2, NULL, &lf, &r))
		return r;
	p = malloc(sizeof(*p));
	d = p ? tdx_read_file(argv[optind + 1], &pj, &plen, err, sizeof(err)) : -ENOMEM;
	if (d < 0) {
		log_error("%s: %s", argv[optind + 1], why_or_errno(err, d));
		r = cli_exit_code(d);
		goto out;
	}
	if (prediction_parse((const char *)pj, plen, p, err, sizeof(err)) < 0) {
		log_error("%s: %s", argv[optind + 1], err);
		r = EXIT_DATA;
		goto out;
	}
	d = eventlog_diff(&lf.log, p, stdout, err, sizeof(err));
	if (d < 0) {
		log_error("%s: %s", argv[optind], err);
		r = EXIT_DATA;
	} else {
		r = d ? EXIT_CHECK : EXIT_OK;
	}
out:
	free(pj);
	free(p);
	unload(&lf);
	return r;
}

CCIMAGE_COMMAND(eventlog_replay, "eventlog replay", "replay a CC event log (CCEL) to RTMR values",
                cmd_replay);
CCIMAGE_COMMAND(eventlog_show, "eventlog show", "print the events of a CC event log", cmd_show);
CCIMAGE_COMMAND(eventlog_diff, "eventlog diff",
                "compare a CC event log with a TDX prediction, naming the first differing event",
                cmd_diff);
