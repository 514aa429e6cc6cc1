/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What every front-end's option loop shares: getopt_long over its table,
 * --help (usage on stdout, exit 0), an unknown option or a missing value
 * (usage on stderr, exit 2), --set NAME=VALUE collected in order, and the
 * count of the words after the options. A front-end handles only its own
 * options:
 *
 *	struct cli cli = {argc, argv, "o:qh", opts, usage};
 *	while (cli_next(&cli, &c))
 *		switch (c) { case 'o': ... }
 *	if (cli.stop)
 *		return cli.exit_code;
 *	if (!cli_args(&cli, 1, 1))
 *		return EXIT_USAGE;
 */
#pragma once

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define CLI_MAX_SETS 32
#define CLI_OPT_SET  0x100 /* the val of {"set", required_argument, NULL, CLI_OPT_SET} */

struct cli {
	int argc;
	char **argv;
	const char *shortopts;
	const struct option *longopts;
	void (*usage)(FILE *f);
	bool started;
	bool stop;     /* the command ends now, with exit_code */
	int exit_code; /* EXIT_OK after --help, EXIT_USAGE after a bad option */
	const char *sets[CLI_MAX_SETS];
	size_t nsets;
};

/*
 * The next option the front-end handles itself, in *opt (with optarg set);
 * false when there are no more, or when the command must stop (c->stop).
 */
bool cli_next(struct cli *c, int *opt);

/*
 * Whether min..max words follow the options (max -1: any number); if not,
 * the usage goes to stderr. The words start at argv[optind].
 */
bool cli_args(struct cli *c, int min, int max);

/*
 * SOURCE_DATE_EPOCH, when set and not empty, into *epoch (left alone
 * otherwise). false, with the error logged, when it is not a number.
 */
bool cli_source_date_epoch(uint64_t *epoch);

/* Usage on stderr; returns EXIT_USAGE, for a front-end's own checks. */
int cli_usage_error(const struct cli *c);
