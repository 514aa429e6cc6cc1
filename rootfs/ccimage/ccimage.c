/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ccimage: the host tool. This file only dispatches; each command lives with
 * its concern and registers itself (rootfs/ccimage/command.h). A command name may be
 * two words ("kconfig check"): the longest registered match wins.
 */
#include <stdio.h>
#include <string.h>

#include "init/base/log.h"
#include "rootfs/ccimage/command.h"

extern const struct ccimage_command __start_ccimage_commands[];
extern const struct ccimage_command __stop_ccimage_commands[];

static void usage(FILE *f)
{
	fprintf(f, "usage: ccimage COMMAND [ARGS...]\n\ncommands:\n");
	for (const struct ccimage_command *c = __start_ccimage_commands;
	     c < __stop_ccimage_commands; c++)
		fprintf(f, "  %-18s %s\n", c->name, c->summary);
	fprintf(f, "\n`ccimage COMMAND --help` describes a command.\n");
}

/* How many words of argv (from argv[0]) the command's name takes, or 0 when it does not match. */
static int match(const struct ccimage_command *c, int argc, char **argv)
{
	const char *space = strchr(c->name, ' ');
	if (!space)
		return strcmp(c->name, argv[0]) == 0 ? 1 : 0;
	size_t first = (size_t)(space - c->name);
	if (argc < 2 || strlen(argv[0]) != first || strncmp(c->name, argv[0], first) != 0)
		return 0;
	return strcmp(space + 1, argv[1]) == 0 ? 2 : 0;
}

int main(int argc, char **argv)
{
	const struct ccimage_command *best = NULL;
	int best_words = 0;
	char ident[64];

	log_to_stderr();
	log_set_ident("ccimage");
	if (argc < 2 || strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("ccimage %s\n", CCINIT_VERSION);
		return EXIT_OK;
	}
	for (const struct ccimage_command *c = __start_ccimage_commands;
	     c < __stop_ccimage_commands; c++) {
		int words = match(c, argc - 1, argv + 1);
		if (words > best_words) {
			best = c;
			best_words = words;
		}
	}
	if (!best) {
		fprintf(stderr, "ccimage: unknown command '%s'\n", argv[1]);
		usage(stderr);
		return EXIT_USAGE;
	}
	/* Logged errors read like the front-ends' own: "ccimage verity format: ...". */
	snprintf(ident, sizeof(ident), "ccimage %s", best->name);
	log_set_ident(ident);
	/* The command sees its own name as argv[0], whether it took one word or two. */
	return best->run(argc - best_words, argv + best_words);
}
