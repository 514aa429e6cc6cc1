/* SPDX-License-Identifier: Apache-2.0 */
/* `ccimage image`: the command-line edge of rootfs/image/image.c. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "init/base/log.h"
#include "init/base/why.h"
#include "init/base/verity_params.h"
#include "rootfs/ccimage/cli.h"
#include "rootfs/ccimage/command.h"
#include "rootfs/image/image.h"

static const char usage_text[] =
        "usage: ccimage image --root DIR --out OUTDIR [OPTIONS]\n"
        "Builds NAME.erofs, NAME.verity (dm-verity tree, no superblock), NAME.img (Kata's\n"
        "disk: p1 erofs, p2 tree), verity_params.txt, dm-mod.txt, cmdline.txt and\n"
        "image.json in OUTDIR. The same inputs give the same bytes.\n";

static int plain_name(void *field, const char *value, char *why, size_t why_size)
{
	if (!*value || strchr(value, '/'))
		return why_set(why, why_size, -EINVAL, "not a plain file name");
	*(const char **)field = value;
	return 0;
}

static int image_main(int argc, char **argv)
{
	struct image_opts o;
	const struct cli_opt opts[] = {
	        CLI_STRING("root", 0, &o.root_dir, "DIR", "the staged root tree"),
	        CLI_STRING("out", 0, &o.out_dir, "OUTDIR",
	                   "where the outputs go (created if missing)"),
	        CLI_CALL("name", 0, &o.name, plain_name, "NAME", "output prefix (root)"),
	        CLI_STRING("salt-seed", 0, &o.salt_seed, "STRING",
	                   "mixed into the erofs UUID and the verity salt"),
	        CLI_NUMBER("source-date-epoch", 0, &o.source_date_epoch, 0, UINT64_MAX, "N",
	                   "every inode's time (default $SOURCE_DATE_EPOCH or 0)"),
	        CLI_STRING("compress", 0, &o.compress, "ALG|none", "mkfs.erofs compressor (lz4)"),
	        CLI_STRING("mkfs-erofs", 0, &o.mkfs_erofs, "PROGRAM",
	                   "mkfs.erofs to run (from PATH)"),
	        CLI_STRING("data-dev", 0, &o.data_dev, "DEV",
	                   "guest data device for dm-mod.create (/dev/vda1)"),
	        CLI_STRING("hash-dev", 0, &o.hash_dev, "DEV",
	                   "guest hash device for dm-mod.create (/dev/vda2)"),
	        CLI_STRING("root-dev", 0, &o.root_dev, "DEV", "device for ccinit.root= (/dev/vda)"),
	        CLI_NUMBER("threads", 0, &o.threads, 1, 1024, "N",
	                   "verity hashing threads, and mkfs.erofs workers where it takes them "
	                   "(online CPUs)"),
	        {0},
	};
	struct cli cli = {argc, argv, usage_text, opts};
	struct image_result res;
	char why[4096] = "";
	int r;

	image_opts_init(&o);
	if (!cli_source_date_epoch(&o.source_date_epoch))
		return EXIT_USAGE;
	if (!cli_parse(&cli, 0, 0))
		return cli.exit_code;
	if (!o.root_dir || !o.out_dir)
		return cli_usage_error(&cli);
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
