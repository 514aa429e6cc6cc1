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
	const char *out = NULL, *init = NULL, *kernel_root = NULL, *kver = NULL;
	const char *lists[16], *modules[MAX_MODULES];
	size_t nlists = 0, nmodules = 0;
	const char *epoch = getenv("SOURCE_DATE_EPOCH");
	unsigned long mtime = epoch ? strtoul(epoch, NULL, 10) : 0;
	int c;

	while ((c = getopt_long(argc, argv, "o:h", options, NULL)) != -1) {
		const struct module_profile *p;
		switch (c) {
		case 'o':
			out = optarg;
			break;
		case 'i':
			init = optarg;
			break;
		case 'k':
			kernel_root = optarg;
			break;
		case 'v':
			kver = optarg;
			break;
		case 't':
			mtime = strtoul(optarg, NULL, 10);
			break;
		case 'l':
			if (nlists == sizeof(lists) / sizeof(lists[0]))
				return EXIT_USAGE;
			lists[nlists++] = optarg;
			break;
		case 'm':
			if (nmodules == MAX_MODULES)
				return EXIT_USAGE;
			modules[nmodules++] = optarg;
			break;
		case 'p':
			p = module_profile_find(optarg);
			if (!p) {
				fprintf(stderr, "ccimage: unknown module profile '%s'\n", optarg);
				return EXIT_USAGE;
			}
			for (size_t i = 0; i < p->count && nmodules < MAX_MODULES; i++)
				modules[nmodules++] = p->modules[i].name;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (!out || optind != argc || (nmodules && (!kernel_root || !kver))) {
		usage(stderr);
		return EXIT_USAGE;
	}

	struct cpio_archive *a = NULL;
	char why[512] = "", tmp[] = "/tmp/ccimage-initramfs-XXXXXX";
	int r = cpio_new(&a);
	static const char *const dirs[] = {"/dev", "/proc", "/sys", "/run", "/tmp"};
	for (size_t i = 0; r >= 0 && i < sizeof(dirs) / sizeof(dirs[0]); i++)
		r = cpio_add_dir(a, dirs[i], 0755);
	/* The kernel opens /dev/console for init's stdio before any devtmpfs exists. */
	if (r >= 0)
		r = cpio_add_node(a, "/dev/console", S_IFCHR | 0600, 5, 1);
	if (r >= 0 && init)
		r = cpio_add_file(a, "/init", init, 0755);
	for (size_t i = 0; r >= 0 && i < nlists; i++) {
		char base[PATH_MAX];
		snprintf(base, sizeof(base), "%s", lists[i]);
		char *slash = strrchr(base, '/');
		if (slash)
			*slash = '\0';
		else
			strcpy(base, ".");
		r = cpio_add_list(a, lists[i], base, why, sizeof(why));
		if (r < 0)
			fprintf(stderr, "ccimage: %s\n", why);
	}
	bool staged = false;
	if (r >= 0 && nmodules) {
		if (!mkdtemp(tmp)) {
			r = -errno;
		} else {
			staged = true;
			r = stage_modules(kernel_root, kver, tmp, modules, nmodules, a);
		}
	}
	if (r >= 0) {
		char partial[PATH_MAX];
		snprintf(partial, sizeof(partial), "%s.tmp", out);
		FILE *f = fopen(partial, "we");
		r = f ? cpio_write(a, f, (uint32_t)mtime) : -errno;
		if (f && fclose(f) != 0 && r >= 0)
			r = -EIO;
		if (r >= 0 && rename(partial, out) < 0)
			r = -errno;
		if (r < 0)
			(void)unlink(partial);
	}
	if (staged)
		(void)remove_tree(tmp);
	cpio_free(a);
	if (r < 0) {
		fprintf(stderr, "ccimage initramfs: %s\n", strerror(-r));
		return r == -ECHILD || r == -EINVAL || r == -ENOENT ? EXIT_DATA : EXIT_SYSTEM;
	}
	return EXIT_OK;
}

CCIMAGE_COMMAND(initramfs, "initramfs", "write a reproducible initramfs (cpio newc)", run);
