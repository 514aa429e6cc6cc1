/* SPDX-License-Identifier: Apache-2.0 */
#include "rootfs/ccimage/cli.h"

#include <errno.h>
#include <stdlib.h>

#include "init/base/log.h"
#include "rootfs/ccimage/command.h"

bool cli_next(struct cli *c, int *opt)
{
	int o;

	if (c->stop)
		return false;
	if (!c->started) {
		/* getopt's state starts afresh: a test runs several commands in one process. */
		optind = 0;
		c->started = true;
	}
	while ((o = getopt_long(c->argc, c->argv, c->shortopts, c->longopts, NULL)) != -1) {
		switch (o) {
		case 'h':
			c->usage(stdout);
			c->stop = true;
			c->exit_code = EXIT_OK;
			return false;
		case CLI_OPT_SET:
			if (c->nsets == CLI_MAX_SETS) {
				log_error("at most %d --set", CLI_MAX_SETS);
				c->stop = true;
				c->exit_code = EXIT_USAGE;
				return false;
			}
			c->sets[c->nsets++] = optarg;
			continue;
		case '?':
		case ':':
			c->stop = true;
			c->exit_code = cli_usage_error(c);
			return false;
		default:
			*opt = o;
			return true;
		}
	}
	return false;
}

bool cli_args(struct cli *c, int min, int max)
{
	int n = c->argc - optind;

	if (n >= min && (max < 0 || n <= max))
		return true;
	cli_usage_error(c);
	return false;
}

int cli_usage_error(const struct cli *c)
{
	c->usage(stderr);
	return EXIT_USAGE;
}

bool cli_source_date_epoch(uint64_t *epoch)
{
	const char *env = getenv("SOURCE_DATE_EPOCH");
	unsigned long long v;
	char *end;

	if (!env || !*env)
		return true;
	errno = 0;
	v = strtoull(env, &end, 10);
	if (errno || *end || *env == '-') {
		log_error("SOURCE_DATE_EPOCH='%s' is not a number", env);
		return false;
	}
	*epoch = v;
	return true;
}
