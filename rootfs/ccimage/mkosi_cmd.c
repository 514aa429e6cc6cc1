/* SPDX-License-Identifier: Apache-2.0 */
/* `ccimage mkosi tree`: a mkosi Format=directory output as an image root (rootfs/tree/mkosi.h). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "rootfs/ccimage/cli.h"
#include "rootfs/ccimage/command.h"
#include "rootfs/tree/mkosi.h"

#define MAX_EXCLUDES 64

static void usage(FILE *f)
{
	fprintf(f,
	        "usage: ccimage mkosi tree SRC --out DIR [--exclude GLOB]... [--quiet]\n"
	        "Copies a mkosi Format=directory tree (e.g. OUTPUT/debian~bookworm/root) to DIR\n"
	        "for `ccimage image --root DIR`, dropping what differs between two mkosi 14\n"
	        "builds (logs, caches, /etc/*- backups, /dev nodes) and the build day in\n"
	        "/etc/shadow. --exclude drops more (image paths, '*' '?' '**'). Device nodes\n"
	        "outside /dev, FIFOs and sockets are refused. Times and owners are the image\n"
	        "step's to normalise. Default excludes:\n");
	for (size_t i = 0; mkosi_default_excludes[i]; i++)
		fprintf(f, "  %s\n", mkosi_default_excludes[i]);
}

static int run(int argc, char **argv)
{
	static const struct option options[] = {
	        {"out", required_argument, NULL, 'o'},
	        {"exclude", required_argument, NULL, 'x'},
	        {"quiet", no_argument, NULL, 'q'},
	        {"help", no_argument, NULL, 'h'},
	        {0},
	};
	struct cli cli = {argc, argv, "o:x:qh", options, usage};
	const char *out = NULL, *excludes[MAX_EXCLUDES];
	size_t nexcludes = 0;
	struct mkosi_stats st;
	char why[1024];
	bool quiet = false;
	int c, r;

	while (cli_next(&cli, &c)) {
		if (c == 'o') {
			out = optarg;
		} else if (c == 'q') {
			quiet = true;
		} else if (nexcludes == MAX_EXCLUDES || optarg[0] != '/') {
			fprintf(stderr, "ccimage: --exclude: at most %d absolute globs\n",
			        MAX_EXCLUDES);
			return EXIT_USAGE;
		} else {
			excludes[nexcludes++] = optarg; /* 'x' */
		}
	}
	if (cli.stop)
		return cli.exit_code;
	if (!out)
		return cli_usage_error(&cli);
	if (!cli_args(&cli, 1, 1))
		return EXIT_USAGE;
	r = mkosi_tree_output(argv[optind], out, excludes, nexcludes, &st, why, sizeof(why));
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
