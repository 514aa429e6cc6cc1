/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `ccimage initramfs`: the early image. ccinit as /init, the files a list
 * names, and the kernel modules a profile or --module names, resolved with
 * their dependencies through the same libkmod code ccinit loads them with,
 * plus depmod's indexes for exactly that set.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "modules/modules.h"
#include "rootfs/ccimage/cli.h"
#include "rootfs/ccimage/command.h"
#include "rootfs/image/cpio.h"
#include "rootfs/lib/fsutil.h"
#include "modules/stage.h"

#define MAX_MODULES 64

static int stage_modules(const char *kernel_root, const char *kver, const char *tmp,
                         const char *const *names, size_t count, struct cpio_archive *a)
{
	char staged_modules[PATH_MAX], why[1024] = "";
	unsigned copied = 0;

	if (path_join(staged_modules, sizeof(staged_modules), tmp, "lib/modules") < 0)
		return -ENAMETOOLONG;
	int r = modstage(kernel_root, kver, tmp, names, NULL, count, &copied, why, sizeof(why));
	if (r < 0) {
		fprintf(stderr, "ccimage: %s\n", why);
		return r;
	}
	fprintf(stderr, "ccimage: %u module files staged for %zu requested\n", copied, count);
	return cpio_add_tree(a, "/lib/modules", staged_modules);
}

static void usage(FILE *f)
{
	fprintf(f,
	        "usage: ccimage initramfs -o OUT [--list FILE]... [--init BINARY]\n"
	        "         [--kernel-root DIR --kver VERSION [--profile NAME]... [--module "
	        "NAME]...]\n"
	        "         [--mtime SECONDS]\n"
	        "Writes a reproducible cpio (newc) initramfs. --list takes gen_init_cpio lines\n"
	        "(dir, file, slink, nod, tree; host paths relative to the list's directory).\n"
	        "Always present: /dev/console, /proc, /sys, /dev, /run, /tmp. The mtime defaults\n"
	        "to SOURCE_DATE_EPOCH, else 0.\n");
}

struct initramfs_args {
	const char *out, *init, *kernel_root, *kver;
	const char *lists[16], *modules[MAX_MODULES];
	size_t nlists, nmodules;
	unsigned long mtime;
};

/* The options into a; false when the command ends here (cli->stop, or a usage error). */
static bool parse_options(struct cli *cli, struct initramfs_args *a)
{
	const struct module_profile *p;
	int c;

	while (cli_next(cli, &c)) {
		switch (c) {
		case 'o':
			a->out = optarg;
			break;
		case 'i':
			a->init = optarg;
			break;
		case 'k':
			a->kernel_root = optarg;
			break;
		case 'v':
			a->kver = optarg;
			break;
		case 't':
			a->mtime = strtoul(optarg, NULL, 10);
			break;
		case 'l':
			if (a->nlists == sizeof(a->lists) / sizeof(a->lists[0]))
				return false;
			a->lists[a->nlists++] = optarg;
			break;
		case 'm':
			if (a->nmodules == MAX_MODULES)
				return false;
			a->modules[a->nmodules++] = optarg;
			break;
		case 'p':
			p = module_profile_find(optarg);
			if (!p) {
				fprintf(stderr, "ccimage: unknown module profile '%s'\n", optarg);
				return false;
			}
			for (size_t i = 0; i < p->count && a->nmodules < MAX_MODULES; i++)
				a->modules[a->nmodules++] = p->modules[i].name;
			break;
		}
	}
	if (cli->stop)
		return false;
	if (!a->out || (a->nmodules && (!a->kernel_root || !a->kver)))
		return cli_usage_error(cli), false;
	return cli_args(cli, 0, 0);
}

/* The skeleton, /init, the lists' files; stage is a fresh directory for the modules. */
static int fill(struct cpio_archive *ar, const struct initramfs_args *a, char *stage, bool *staged)
{
	static const char *const dirs[] = {"/dev", "/proc", "/sys", "/run", "/tmp"};
	char why[512] = "";
	int r = 0;

	for (size_t i = 0; r >= 0 && i < sizeof(dirs) / sizeof(dirs[0]); i++)
		r = cpio_add_dir(ar, dirs[i], 0755);
	/* The kernel opens /dev/console for init's stdio before any devtmpfs exists. */
	if (r >= 0)
		r = cpio_add_node(ar, "/dev/console", S_IFCHR | 0600, 5, 1);
	if (r >= 0 && a->init)
		r = cpio_add_file(ar, "/init", a->init, 0755);
	for (size_t i = 0; r >= 0 && i < a->nlists; i++) {
		char base[PATH_MAX];
		snprintf(base, sizeof(base), "%s", a->lists[i]);
		char *slash = strrchr(base, '/');
		if (slash)
			*slash = '\0';
		else
			strcpy(base, ".");
		r = cpio_add_list(ar, a->lists[i], base, why, sizeof(why));
		if (r < 0)
			fprintf(stderr, "ccimage: %s\n", why);
	}
	if (r >= 0 && a->nmodules) {
		if (!mkdtemp(stage))
			return -errno;
		*staged = true;
		r = stage_modules(a->kernel_root, a->kver, stage, a->modules, a->nmodules, ar);
	}
	return r;
}

/* Writes OUT.tmp, then renames it: a failed run leaves no half archive. */
static int write_out(struct cpio_archive *ar, const char *out, unsigned long mtime)
{
	char partial[PATH_MAX];
	FILE *f;
	int r;

	snprintf(partial, sizeof(partial), "%s.tmp", out);
	f = fopen(partial, "we");
	r = f ? cpio_write(ar, f, (uint32_t)mtime) : -errno;
	if (f && fclose(f) != 0 && r >= 0)
		r = -EIO;
	if (r >= 0 && rename(partial, out) < 0)
		r = -errno;
	if (r < 0)
		(void)unlink(partial);
	return r;
}

static int run(int argc, char **argv)
{
	static const struct option options[] = {
	        {"output", required_argument, NULL, 'o'},
	        {"list", required_argument, NULL, 'l'},
	        {"init", required_argument, NULL, 'i'},
	        {"kernel-root", required_argument, NULL, 'k'},
	        {"kver", required_argument, NULL, 'v'},
	        {"profile", required_argument, NULL, 'p'},
	        {"module", required_argument, NULL, 'm'},
	        {"mtime", required_argument, NULL, 't'},
	        {"help", no_argument, NULL, 'h'},
	        {0},
	};
	struct cli cli = {argc, argv, "o:h", options, usage};
	const char *epoch = getenv("SOURCE_DATE_EPOCH");
	struct initramfs_args a = {.mtime = epoch ? strtoul(epoch, NULL, 10) : 0};
	char stage[] = "/tmp/ccimage-initramfs-XXXXXX";
	struct cpio_archive *ar = NULL;
	bool staged = false;
	int r;

	if (!parse_options(&cli, &a))
		return cli.stop ? cli.exit_code : EXIT_USAGE;
	r = cpio_new(&ar);
	if (r >= 0)
		r = fill(ar, &a, stage, &staged);
	if (r >= 0)
		r = write_out(ar, a.out, a.mtime);
	if (staged)
		(void)remove_tree(stage);
	cpio_free(ar);
	if (r < 0) {
		fprintf(stderr, "ccimage initramfs: %s\n", strerror(-r));
		return r == -ECHILD || r == -EINVAL || r == -ENOENT ? EXIT_DATA : EXIT_SYSTEM;
	}
	return EXIT_OK;
}

CCIMAGE_COMMAND(initramfs, "initramfs", "write a reproducible initramfs (cpio newc)", run);
