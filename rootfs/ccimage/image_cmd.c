/* SPDX-License-Identifier: Apache-2.0 */
/* `ccimage image`: the command-line edge of rootfs/image/image.c. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "init/base/log.h"
#include "init/base/verity_params.h"
#include "rootfs/ccimage/cli.h"
#include "rootfs/ccimage/command.h"
#include "rootfs/image/image.h"

static void usage(FILE *f)
{
	fprintf(f,
	        "usage: ccimage image --root DIR --out OUTDIR [OPTIONS]\n"
	        "Builds NAME.erofs, NAME.verity (dm-verity tree, no superblock), NAME.img (Kata's\n"
	        "disk: p1 erofs, p2 tree), verity_params.txt, dm-mod.txt, cmdline.txt and\n"
	        "image.json in OUTDIR. The same inputs give the same bytes.\n"
	        "  --root DIR                 the staged root tree\n"
	        "  --out OUTDIR               where the outputs go (created if missing)\n"
	        "  --name NAME                output prefix (root)\n"
	        "  --salt-seed STRING         mixed into the erofs UUID and the verity salt\n"
	        "  --source-date-epoch N      every inode's time (default $SOURCE_DATE_EPOCH or "
	        "0)\n"
	        "  --compress ALG|none        mkfs.erofs compressor (lz4hc)\n"
	        "  --mkfs-erofs PROGRAM       mkfs.erofs to run (from PATH)\n"
	        "  --data-dev DEV --hash-dev DEV   guest devices for dm-mod.create (/dev/vda1 "
	        "/dev/vda2)\n"
	        "  --root-dev DEV             device for ccinit.root= (/dev/vda)\n"
	        "  --threads N                verity hashing threads (online CPUs)\n");
}

static int parse_epoch(const char *s, uint64_t *v)
{
	char *end;

	errno = 0;
	if (!s || !*s || *s == '-')
		return -EINVAL;
	*v = strtoull(s, &end, 10);
	return errno || *end ? -EINVAL : 0;
}

/* The options into o; false when the command ends here (cli->stop, or a usage error said). */
static bool parse_options(struct cli *cli, struct image_opts *o)
{
	uint64_t v;
	int c;

	while (cli_next(cli, &c)) {
		switch (c) {
		case 'r':
			o->root_dir = optarg;
			break;
		case 'o':
			o->out_dir = optarg;
			break;
		case 'n':
			if (!*optarg || strchr(optarg, '/')) {
				log_error("--name must be a plain file name");
				return false;
			}
			o->name = optarg;
			break;
		case 's':
			o->salt_seed = optarg;
			break;
		case 'e':
			if (parse_epoch(optarg, &o->source_date_epoch) < 0) {
				log_error("--source-date-epoch '%s' is not a number", optarg);
				return false;
			}
			break;
		case 'z':
			o->compress = optarg;
			break;
		case 'm':
			o->mkfs_erofs = optarg;
			break;
		case 'D':
			o->data_dev = optarg;
			break;
		case 'H':
			o->hash_dev = optarg;
			break;
		case 'R':
			o->root_dev = optarg;
			break;
		case 't':
			if (parse_epoch(optarg, &v) < 0 || v == 0 || v > 1024) {
				log_error("--threads '%s' is not 1..1024", optarg);
				return false;
			}
			o->threads = (unsigned)v;
			break;
		}
	}
	if (cli->stop)
		return false;
	if (!o->root_dir || !o->out_dir)
		return cli_usage_error(cli), false;
	return cli_args(cli, 0, 0);
}

static int image_main(int argc, char **argv)
{
	static const struct option opts[] = {
	        {"root", required_argument, NULL, 'r'},
	        {"out", required_argument, NULL, 'o'},
	        {"name", required_argument, NULL, 'n'},
	        {"salt-seed", required_argument, NULL, 's'},
	        {"source-date-epoch", required_argument, NULL, 'e'},
	        {"compress", required_argument, NULL, 'z'},
	        {"mkfs-erofs", required_argument, NULL, 'm'},
	        {"data-dev", required_argument, NULL, 'D'},
	        {"hash-dev", required_argument, NULL, 'H'},
	        {"root-dev", required_argument, NULL, 'R'},
	        {"threads", required_argument, NULL, 't'},
	        {"help", no_argument, NULL, 'h'},
	        {0},
	};
	struct cli cli = {argc, argv, "h", opts, usage};
	struct image_opts o;
	struct image_result res;
	char why[4096] = "";
	int r;

	image_opts_init(&o);
	if (!cli_source_date_epoch(&o.source_date_epoch))
		return EXIT_USAGE;
	if (!parse_options(&cli, &o))
		return cli.stop ? cli.exit_code : EXIT_USAGE;
	r = image_build_output(&o, &res, why, sizeof(why));
	if (r < 0) {
		log_error("%s", why);
		if (r == -EINVAL)
			return EXIT_USAGE;
		return r == -ENOTDIR || r == -EPROTO || r == -EBADMSG ? EXIT_DATA : EXIT_SYSTEM;
	}
	printf("%s/%s.erofs\t%llu bytes\n", o.out_dir, o.name, (unsigned long long)res.erofs_size);
	printf("%s/%s.verity\t%llu bytes\n", o.out_dir, o.name,
	       (unsigned long long)res.verity_size);
	printf("%s/%s.img\t%llu bytes (p1 erofs at LBA %llu, p2 tree at LBA %llu)\n", o.out_dir,
	       o.name, (unsigned long long)res.disk.size, (unsigned long long)res.disk.p1_start,
	       (unsigned long long)res.disk.p2_start);
	printf("verity parameters: %s\n", res.kata_line);
	printf("kernel command line: %s\n", res.cmdline);
	return EXIT_OK;
}

CCIMAGE_COMMAND(image, "image", "build a verity-protected erofs image in Kata's layout",
                image_main);
