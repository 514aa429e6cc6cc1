/* SPDX-License-Identifier: Apache-2.0 */
#include "rootfs/ccimage/cli.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "init/base/cmdfiles.h"
#include "init/base/log.h"
#include "init/base/why.h"
#include "rootfs/ccimage/command.h"

/* getopt's val for an entry without a letter: past every character. */
#define CLI_VAL_BASE 0x100
#define CLI_VAL_HELP 'h'

int cli_number(const char *s, int base, uint64_t min, uint64_t max, uint64_t *v)
{
	unsigned long long x;
	char *end;

	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	x = strtoull(s, &end, base);
	if (errno || *end || x < min || x > max)
		return -EINVAL;
	*v = x;
	return 0;
}

static int store_number(const struct cli_opt *o, const char *value, char *why, size_t why_size)
{
	uint64_t v;

	if (cli_number(value, o->base, o->min, o->max, &v) < 0) {
		if (o->min == 0 && o->max == UINT64_MAX)
			return why_set(why, why_size, -EINVAL, "not a number");
		return why_set(why, why_size, -ERANGE, "not %llu..%llu", (unsigned long long)o->min,
		               (unsigned long long)o->max);
	}
	if (o->type == CLI_T_UINT)
		*(unsigned *)o->field = (unsigned)v;
	else
		*(uint64_t *)o->field = v;
	return 0;
}

/* The index of value among o->choices into the unsigned field; why lists them when it is none. */
static int store_choice(const struct cli_opt *o, const char *value, char *why, size_t why_size)
{
	size_t used = 0;

	for (unsigned i = 0; o->choices[i]; i++)
		if (strcmp(value, o->choices[i]) == 0) {
			*(unsigned *)o->field = i;
			return 0;
		}
	used = (size_t)snprintf(why, why_size, "not one of");
	for (unsigned i = 0; o->choices[i] && used < why_size; i++)
		used += (size_t)snprintf(why + used, why_size - used, "%s %s", i ? "," : "",
		                         o->choices[i]);
	return -EINVAL;
}

int cli_list_add(struct cli_list *list, const char *value, char *why, size_t why_size)
{
	if (list->count == list->max)
		return why_set(why, why_size, -E2BIG, "more than %zu of them", list->max);
	list->items[list->count++] = value;
	return 0;
}

/* The value of one option into its field: 0, or a negative errno with why. */
static int store(struct cli *c, const struct cli_opt *o, const char *value, char *why,
                 size_t why_size)
{
	struct cli_list sets = {c->sets, c->nsets, CLI_MAX_SETS};
	int r;

	switch (o->type) {
	case CLI_T_FLAG:
		*(bool *)o->field = true;
		return 0;
	case CLI_T_STRING:
		*(const char **)o->field = value;
		return 0;
	case CLI_T_UINT:
	case CLI_T_U64:
		return store_number(o, value, why, why_size);
	case CLI_T_CHOICE:
		return store_choice(o, value, why, why_size);
	case CLI_T_LIST:
		return cli_list_add(o->field, value, why, why_size);
	case CLI_T_CALL:
		return o->parse(o->field, value, why, why_size);
	case CLI_T_SETS:
		r = cli_list_add(&sets, value, why, why_size);
		c->nsets = sets.count;
		return r;
	}
	return -EINVAL;
}

/* getopt_long's tables for c->opts, plus --help; false when the table is too long. */
static bool getopt_tables(const struct cli *c, struct option *lo, char *so)
{
	size_t n = 0;

	*so++ = 'h';
	for (const struct cli_opt *o = c->opts; o && o->name; o++, n++) {
		if (n == CLI_MAX_OPTS)
			return false;
		bool value = o->type != CLI_T_FLAG;
		lo[n] = (struct option){o->name, value ? required_argument : no_argument, NULL,
		                        o->letter ? o->letter : CLI_VAL_BASE + (int)n};
		if (o->letter) {
			*so++ = (char)o->letter;
			if (value)
				*so++ = ':';
		}
	}
	lo[n++] = (struct option){"help", no_argument, NULL, CLI_VAL_HELP};
	lo[n] = (struct option){0};
	*so = '\0';
	return true;
}

static const struct cli_opt *find(const struct cli *c, int val)
{
	for (const struct cli_opt *o = c->opts; o && o->name; o++)
		if (o->letter ? o->letter == val : CLI_VAL_BASE + (o - c->opts) == val)
			return o;
	return NULL;
}

bool cli_parse(struct cli *c, int min, int max)
{
	struct option lo[CLI_MAX_OPTS + 2];
	char so[2 * CLI_MAX_OPTS + 2], why[256];
	int val, n;

	c->exit_code = EXIT_USAGE;
	if (!getopt_tables(c, lo, so)) {
		log_error("more than %d options", CLI_MAX_OPTS);
		return false;
	}
	/* getopt's state starts afresh: a test runs several commands in one process. */
	optind = 0;
	while ((val = getopt_long(c->argc, c->argv, so, lo, NULL)) != -1) {
		const struct cli_opt *o = find(c, val);
		if (val == CLI_VAL_HELP) {
			cli_usage(c, stdout);
			c->exit_code = EXIT_OK;
			return false;
		}
		if (!o) {
			cli_usage_error(c);
			return false;
		}
		if (store(c, o, optarg, why, sizeof(why)) < 0) {
			log_error("--%s '%s': %s", o->name, optarg, why);
			return false;
		}
	}
	n = c->argc - optind;
	if (n >= min && (max < 0 || n <= max))
		return true;
	cli_usage_error(c);
	return false;
}

/* An option's left column in the usage, "--name ARG"; returns its length. */
static int usage_left(const struct cli_opt *o, char *buf, size_t size)
{
	return snprintf(buf, size, "--%s%s%s", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
}

void cli_usage(const struct cli *c, FILE *f)
{
	int width = 0;
	char left[128];

	fputs(c->text, f);
	for (const struct cli_opt *o = c->opts; o && o->name; o++)
		if (o->help && usage_left(o, left, sizeof(left)) > width)
			width = usage_left(o, left, sizeof(left));
	for (const struct cli_opt *o = c->opts; o && o->name; o++)
		if (o->help) {
			usage_left(o, left, sizeof(left));
			fprintf(f, "  %-*s  %s\n", width, left, o->help);
		}
	if (c->more_usage)
		c->more_usage(f);
}

int cli_usage_error(const struct cli *c)
{
	cli_usage(c, stderr);
	return EXIT_USAGE;
}

bool cli_source_date_epoch(uint64_t *epoch)
{
	const char *env = getenv("SOURCE_DATE_EPOCH");
	uint64_t v;

	if (!env || !*env)
		return true;
	if (cli_number(env, 10, 0, UINT64_MAX, &v) < 0) {
		log_error("SOURCE_DATE_EPOCH='%s' is not a number", env);
		return false;
	}
	*epoch = v;
	return true;
}

int cli_exit_code(int r)
{
	switch (-r) {
	case 0:
		return EXIT_OK;
	/* What the named input or option can cause: the user can fix it. */
	case EINVAL:
	case ENOENT:
	case ENOTDIR:
	case EISDIR:
	case EFBIG:
	case ELOOP:
	case ENAMETOOLONG:
	case EEXIST:
	case EACCES:
	case EPERM:
	case EBADMSG:
	case EPROTO:
	case ERANGE:
	case EOVERFLOW:
	case E2BIG:
	case ENODATA:
	case ENXIO:
	case EKEYREJECTED:
		return EXIT_DATA;
	default:
		return EXIT_SYSTEM;
	}
}

int cli_check_files(const char *command, const struct cli_file *files, size_t n)
{
	struct cmd_files seen = {0};
	char why[PATH_MAX + 64] = "";
	size_t i;
	int r = 0;

	for (i = 0; i < n && r == 0; i++)
		r = files[i].output ? cmd_files_output(&seen, files[i].option, files[i].path, why,
		                                       sizeof(why))
		                    : cmd_files_input(&seen, files[i].option, files[i].path, why,
		                                      sizeof(why));
	cmd_files_free(&seen);
	if (r == 0)
		return EXIT_OK;
	fprintf(stderr, "ccimage %s: %s %s: %s\n", command, files[i - 1].option, files[i - 1].path,
	        why);
	return cli_exit_code(r);
}

int cli_host_build_failed(const char *what, int r, const char *why, bool cached_only, bool resolved)
{
	fprintf(stderr, "ccimage: %s: %s\n", what, why_or_errno(why, r));
	if (r == -ENOENT && cached_only && resolved)
		return EXIT_CHECK; /* resolved fine, just not built yet */
	return cli_exit_code(r);
}
