/* SPDX-License-Identifier: Apache-2.0 */
/* `ccimage mkosi tree`: a mkosi Format=directory output as an image root (rootfs/tree/mkosi.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "rootfs/ccimage/cli.h"
#include "rootfs/ccimage/command.h"
#include "rootfs/tree/mkosi.h"

#define MAX_EXCLUDES 64

static const char usage_text[] =
        "usage: ccimage mkosi tree SRC --out DIR [--exclude GLOB]... [--quiet]\n"
        "Copies a mkosi Format=directory tree (e.g. OUTPUT/debian~bookworm/root) to DIR\n"
        "for `ccimage image --root DIR`, dropping what differs between two mkosi 14\n"
        "builds (logs, caches, /etc/*- backups, /dev nodes) and the build day in\n"
        "/etc/shadow. --exclude drops more (image paths, '*' '?' '**'). Device nodes\n"
        "outside /dev, FIFOs and sockets are refused. Times and owners are the image\n"
        "step's to normalise. Default excludes:\n";

static void default_excludes(FILE *f)
{
	for (size_t i = 0; mkosi_default_excludes[i]; i++)
		fprintf(f, "  %s\n", mkosi_default_excludes[i]);
}

static int run(int argc, char **argv)
{
	const char *out = NULL, *excludes[MAX_EXCLUDES];
	struct cli_list exclude = {excludes, 0, MAX_EXCLUDES};
	bool quiet = false;
	const struct cli_opt opts[] = {
	        CLI_STRING("out", 'o', &out, "DIR", NULL),
	        CLI_LIST("exclude", 'x', &exclude, "GLOB", NULL),
	        CLI_FLAG("quiet", 'q', &quiet, NULL),
	        {0},
	};
	struct cli cli = {argc, argv, usage_text, opts, default_excludes};
	struct mkosi_stats st;
	char why[1024];
	int r;

	if (!cli_parse(&cli, 1, 1))
		return cli.exit_code;
	if (!out)
		return cli_usage_error(&cli);
	for (size_t i = 0; i < exclude.count; i++)
		if (excludes[i][0] != '/') {
			fprintf(stderr, "ccimage: --exclude: '%s' is not an absolute glob\n",
			        excludes[i]);
			return EXIT_USAGE;
		}
	r = mkosi_tree_output(argv[optind], out, excludes, exclude.count, &st, why, sizeof(why));
	if (r < 0) {
		fprintf(stderr, "ccimage: mkosi tree: %s\n", why);
		return r == -EINVAL ? EXIT_DATA : EXIT_SYSTEM;
	}
	if (!quiet)
		fprintf(stderr,
		        "ccimage: mkosi tree: %u files, %u hard links, %u symlinks, %u directories "
		        "(%u packages in dpkg status); %u dropped, %u rewritten\n",
		        st.files, st.hardlinks, st.symlinks, st.dirs, st.packages, st.dropped,
		        st.rewritten);
	return EXIT_OK;
}

CCIMAGE_COMMAND(mkosi_tree, "mkosi tree", "take a mkosi Format=directory output as an image root",
                run);
