/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What every front-end's option loop shares. A front-end describes its
 * options once, as a table of typed entries that name the field each one
 * fills, its type and, for numbers, the accepted range; cli_parse() derives
 * getopt's tables, stores and checks every value, and the usage lists the
 * same entries, so the text cannot drift from what is parsed:
 *
 *	const struct cli_opt opts[] = {
 *		CLI_STRING("out", 'o', &a.out, "DIR", "where the outputs go"),
 *		CLI_NUMBER("threads", 0, &a.threads, 1, 1024, "N", "hashing threads"),
 *		{0},
 *	};
 *	struct cli cli = {argc, argv, usage_text, opts};
 *	if (!cli_parse(&cli, 1, 1))
 *		return cli.exit_code;
 *
 * --help prints the usage on stdout (exit 0); an unknown option or a missing
 * value is refused with the usage on stderr, a value out of its range or
 * refused by its parser with one line naming the option, the value and why
 * (exit 2 for both). --set NAME=VALUE, when the table has CLI_SETS,
 * is collected in order.
 */
#pragma once

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define CLI_MAX_SETS 32
#define CLI_MAX_OPTS 40

enum cli_type {
	CLI_T_FLAG,   /* no value; the bool field becomes true */
	CLI_T_STRING, /* the const char * field points at the value */
	CLI_T_UINT,   /* a number in min..max into an unsigned field */
	CLI_T_U64,    /* a number in min..max into a uint64_t field */
	CLI_T_CHOICE, /* one of choices: its index into an unsigned field */
	CLI_T_LIST,   /* appended to a struct cli_list, at most its max */
	CLI_T_CALL,   /* handed to parse(): 0, or a negative errno with why */
	CLI_T_SETS,   /* --set NAME=VALUE into struct cli's sets */
};

struct cli_opt {
	const char *name; /* the long name, without "--" */
	int letter;       /* the one-letter form too, or 0 ('h' is --help's) */
	enum cli_type type;
	void *field;
	uint64_t min, max; /* CLI_T_UINT, CLI_T_U64 */
	int base;          /* CLI_T_UINT, CLI_T_U64: 10, or 0 for C's 0x and 0 prefixes */
	int (*parse)(void *field, const char *value, char *why, size_t why_size);
	const char *const *choices; /* CLI_T_CHOICE: the accepted words, NULL-terminated */
	const char *arg;            /* the value's name in the usage: "DIR" */
	const char *help;           /* its line in the usage; NULL lists it only in the text */
};

#define CLI_OPT_(n, l, t, f, lo, hi, base, p, c, a, h)                                             \
	{                                                                                          \
		n, l, t, f, lo, hi, base, p, c, a, h                                               \
	}
/* The number's type follows its field's: unsigned or uint64_t. */
#define CLI_NUMBER_TYPE_(f) _Generic((f), unsigned * : CLI_T_UINT, uint64_t * : CLI_T_U64)

#define CLI_FLAG(n, l, f, h)      CLI_OPT_(n, l, CLI_T_FLAG, f, 0, 0, 0, NULL, NULL, NULL, h)
#define CLI_STRING(n, l, f, a, h) CLI_OPT_(n, l, CLI_T_STRING, f, 0, 0, 0, NULL, NULL, a, h)
#define CLI_NUMBER(n, l, f, lo, hi, a, h)                                                          \
	CLI_OPT_(n, l, CLI_NUMBER_TYPE_(f), f, lo, hi, 10, NULL, NULL, a, h)
/* A number as C (and veritysetup) reads it: 0x hex, 0 octal. */
#define CLI_NUMBER_C(n, l, f, lo, hi, a, h)                                                        \
	CLI_OPT_(n, l, CLI_NUMBER_TYPE_(f), f, lo, hi, 0, NULL, NULL, a, h)
/*
 * The options every keyed host build takes (`kernel build`, `firmware build`),
 * their usage lines and its cache sentence: o is its options struct, which
 * names these fields alike.
 */
#define CLI_HOST_BUILD_USAGE                                                                       \
	"         [-j N] [--cache DIR] [--mirror URL] [--security-mirror URL]\n"                   \
	"         [--cached-only] [--quiet]\n"
/* Where a keyed host build caches (under CCINIT_CACHE) and what --cached-only does. */
#define CLI_HOST_BUILD_CACHED(where)                                                               \
	"The result is cached in ${CCINIT_CACHE:-/var/cache/ccinit}/" where                        \
	".\n--cached-only never builds: exit 1 when the cache lacks it.\n"
#define CLI_HOST_BUILD_OPTS(o)                                                                     \
	CLI_STRING("source-version", 0, &(o).source_version, "V", NULL),                           \
	        CLI_STRING("suite", 0, &(o).suite, "S", NULL),                                     \
	        CLI_NUMBER("jobs", 'j', &(o).jobs, 1, 256, "N", NULL),                             \
	        CLI_STRING("cache", 0, &(o).cache, "DIR", NULL),                                   \
	        CLI_STRING("mirror", 0, &(o).mirror, "URL", NULL),                                 \
	        CLI_STRING("security-mirror", 0, &(o).security_mirror, "URL", NULL),               \
	        CLI_FLAG("quiet", 'q', &(o).quiet, NULL),                                          \
	        CLI_FLAG("cached-only", 0, &(o).cached_only, NULL)
#define CLI_CHOICE(n, l, f, c, a, h) CLI_OPT_(n, l, CLI_T_CHOICE, f, 0, 0, 0, NULL, c, a, h)
#define CLI_LIST(n, l, f, a, h)      CLI_OPT_(n, l, CLI_T_LIST, f, 0, 0, 0, NULL, NULL, a, h)
#define CLI_CALL(n, l, f, p, a, h)   CLI_OPT_(n, l, CLI_T_CALL, f, 0, 0, 0, p, NULL, a, h)
#define CLI_SETS(h)                  CLI_OPT_("set", 0, CLI_T_SETS, NULL, 0, 0, 0, NULL, NULL, "NAME=VALUE", h)

/* A repeatable option's values: items has room for max. */
struct cli_list {
	const char **items;
	size_t count, max;
};

/* value appended to list: 0, or -E2BIG with why when it is full. */
int cli_list_add(struct cli_list *list, const char *value, char *why, size_t why_size);

struct cli {
	int argc;
	char **argv;
	const char *text;            /* the usage before the option lines */
	const struct cli_opt *opts;  /* ends with an entry without a name */
	void (*more_usage)(FILE *f); /* printed after the option lines, when set */
	int exit_code;               /* when cli_parse() returned false */
	const char *sets[CLI_MAX_SETS];
	size_t nsets;
};

/*
 * Every option into its field, then whether min..max words follow (max -1:
 * any number; they start at argv[optind]). false when the command ends
 * here, with c->exit_code: EXIT_OK after --help, EXIT_USAGE otherwise.
 */
bool cli_parse(struct cli *c, int min, int max);

/* The usage: c->text, one line per option that has help, c->more_usage. */
void cli_usage(const struct cli *c, FILE *f);

/*
 * SOURCE_DATE_EPOCH, when set and not empty, into *epoch (left alone
 * otherwise). false, with the error logged, when it is not a number.
 */
bool cli_source_date_epoch(uint64_t *epoch);

/* A number in min..max in base (10, or 0 as strtoull): 0, or -EINVAL (no sign, no suffix). */
int cli_number(const char *s, int base, uint64_t min, uint64_t max, uint64_t *v);

/* Usage on stderr; returns EXIT_USAGE, for a front-end's own checks. */
int cli_usage_error(const struct cli *c);

/*
 * The exit code for a command that failed with r: EXIT_DATA when the input
 * or an option the user named can cause it (a missing, unreadable or
 * malformed file, a refused path), EXIT_SYSTEM for the rest (memory, the
 * disk, a tool that cannot start, the network), EXIT_OK for 0.
 */
int cli_exit_code(int r);

/* One file option of a command: the path it names, and whether the command writes it. */
struct cli_file {
	const char *option; /* "--rvps" */
	const char *path;   /* NULL when not given */
	bool output;
};

/*
 * A command's file options, checked together before any work: every output
 * under the output rule of init/base/cmdfiles.h (never a device, FIFO,
 * directory, symlink, an input or another output). 0, or EXIT_DATA after
 * one line naming the option, the path and why.
 */
int cli_check_files(const char *command, const struct cli_file *files, size_t n);

/*
 * A keyed host build that failed (r < 0): its message, once, and the exit
 * code: EXIT_CHECK when --cached-only resolved it but the cache lacks it,
 * EXIT_DATA for bad input or sources, else EXIT_SYSTEM.
 */
int cli_host_build_failed(const char *what, int r, const char *why, bool cached_only,
                          bool resolved);
