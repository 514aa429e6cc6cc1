/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `ccimage initramfs`: the early image. ccinit as /init, the files a list
 * names, and the kernel modules a profile or --module names, resolved with
 * their dependencies through the same libkmod code ccinit loads them with,
 * plus depmod's indexes for exactly that set.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "init/base/cmdfiles.h"
#include "init/base/why.h"
#include "modules/modules.h"
#include "rootfs/ccimage/cli.h"
#include "rootfs/ccimage/command.h"
#include "rootfs/image/cpio.h"
#include "rootfs/lib/fsutil.h"
#include "modules/host/stage.h"

#define MAX_MODULES 64

static const char usage_text[] =
        "usage: ccimage initramfs -o OUT [--list FILE]... [--init BINARY]\n"
        "         [--kernel-root DIR --kver VERSION [--profile NAME]... [--module "
        "NAME]...]\n"
        "         [--modules-compressed] [--mtime SECONDS]\n"
        "Writes a reproducible cpio (newc) initramfs. --list takes gen_init_cpio lines\n"
        "(dir, file, slink, nod, tree; host paths relative to the list's directory).\n"
        "Always present: /dev/console, /proc, /sys, /dev, /run, /tmp. The mtime defaults\n"
        "to SOURCE_DATE_EPOCH, else 0. Modules shipped as .ko.xz or .ko.zst are stored\n"
        "unpacked as .ko unless --modules-compressed.\n";

struct initramfs_args {
	const char *out, *init, *kernel_root, *kver;
	const char *list_items[16], *module_items[MAX_MODULES];
	bool optional[MAX_MODULES]; /* per module_items: a profile row the kernel may lack */
	struct cli_list lists, modules;
	uint64_t mtime;
	bool modules_compressed;
};

static int stage_modules(const struct initramfs_args *ia, const char *tmp, struct cpio_archive *a)
{
	char staged_modules[PATH_MAX], why[1024] = "";
	unsigned copied = 0;

	if (path_join(staged_modules, sizeof(staged_modules), tmp, "lib/modules") < 0)
		return -ENAMETOOLONG;
	int r = modstage(ia->kernel_root, ia->kver, tmp, ia->modules.items, ia->optional,
	                 ia->modules.count,
	                 ia->modules_compressed ? MODSTAGE_AS_SHIPPED : MODSTAGE_DECOMPRESS,
	                 &copied, why, sizeof(why));
	if (r < 0) {
		fprintf(stderr, "ccimage: %s\n", why);
		return r;
	}
	fprintf(stderr, "ccimage: %u module files staged for %zu requested\n", copied,
	        ia->modules.count);
	return cpio_add_tree(a, "/lib/modules", staged_modules);
}

/*
 * --profile NAME: the profile's modules join the --module list, its optional
 * rows as optional (aesni_intel: a kernel without it, or with it built in, is fine).
 */
static int add_profile(void *field, const char *value, char *why, size_t why_size)
{
	struct initramfs_args *a = field;
	const struct module_profile *p = module_profile_find(value);
	int r = 0;

	if (!p)
		return why_set(why, why_size, -EINVAL, "no such module profile");
	for (size_t i = 0; r == 0 && i < p->count; i++) {
		size_t at = a->modules.count;
		r = cli_list_add(&a->modules, p->modules[i].name, why, why_size);
		if (r == 0)
			a->optional[at] = p->modules[i].optional;
	}
	return r;
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
	for (size_t i = 0; r >= 0 && i < a->lists.count; i++) {
		char base[PATH_MAX];
		snprintf(base, sizeof(base), "%s", a->lists.items[i]);
		char *slash = strrchr(base, '/');
		if (slash)
			*slash = '\0';
		else
			strcpy(base, ".");
		r = cpio_add_list(ar, a->lists.items[i], base, why, sizeof(why));
		if (r < 0)
			fprintf(stderr, "ccimage: %s\n", why);
	}
	if (r >= 0 && a->modules.count) {
		if (!mkdtemp(stage))
			return -errno;
		*staged = true;
		r = stage_modules(a, stage, ar);
	}
	return r;
}

/* Written beside OUT and renamed over it: a failed or killed run leaves no half archive. */
static int write_out(struct cpio_archive *ar, const char *out, uint64_t mtime)
{
	struct output_set set = {0};
	int fd = output_set_open(&set, out), r;
	FILE *f = fd < 0 ? NULL : fdopen(fd, "w");

	if (fd >= 0 && !f)
		close(fd);
	r = f ? cpio_write(ar, f, (uint32_t)mtime) : fd < 0 ? fd : -errno;
	if (f && fclose(f) != 0 && r >= 0)
		r = -EIO;
	if (r >= 0)
		r = output_set_commit(&set);
	output_set_abandon(&set);
	return r;
}

/* Every file option: the lists and init read, OUT written and none of them. */
static int check_files(const struct initramfs_args *a)
{
	struct cli_file files[2 + sizeof(a->list_items) / sizeof(a->list_items[0])] = {
	        {"--init", a->init},
	};
	size_t n = 1;

	for (size_t i = 0; i < a->lists.count; i++)
		files[n++] = (struct cli_file){"--list", a->lists.items[i]};
	files[n++] = (struct cli_file){"--output", a->out, .output = true};
	return cli_check_files("initramfs", files, n);
}

static int run(int argc, char **argv)
{
	struct initramfs_args a = {0};
	const struct cli_opt opts[] = {
	        CLI_STRING("output", 'o', &a.out, "OUT", NULL),
	        CLI_LIST("list", 0, &a.lists, "FILE", NULL),
	        CLI_STRING("init", 0, &a.init, "BINARY", NULL),
	        CLI_STRING("kernel-root", 0, &a.kernel_root, "DIR", NULL),
	        CLI_STRING("kver", 0, &a.kver, "VERSION", NULL),
	        CLI_CALL("profile", 0, &a, add_profile, "NAME", NULL),
	        CLI_LIST("module", 0, &a.modules, "NAME", NULL),
	        CLI_NUMBER("mtime", 0, &a.mtime, 0, UINT32_MAX, "SECONDS", NULL),
	        CLI_FLAG("modules-compressed", 0, &a.modules_compressed, NULL),
	        {0},
	};
	struct cli cli = {argc, argv, usage_text, opts};
	char stage[] = "/tmp/ccimage-initramfs-XXXXXX";
	struct cpio_archive *ar = NULL;
	bool staged = false;
	int r;

	a.lists =
	        (struct cli_list){a.list_items, 0, sizeof(a.list_items) / sizeof(a.list_items[0])};
	a.modules = (struct cli_list){a.module_items, 0, MAX_MODULES};
	if (!cli_source_date_epoch(&a.mtime))
		return EXIT_USAGE;
	if (!cli_parse(&cli, 0, 0))
		return cli.exit_code;
	if (!a.out || (a.modules.count && (!a.kernel_root || !a.kver)))
		return cli_usage_error(&cli);
	if ((r = check_files(&a)) != EXIT_OK)
		return r;
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
