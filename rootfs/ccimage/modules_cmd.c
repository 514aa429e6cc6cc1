/* SPDX-License-Identifier: Apache-2.0 */
/* `ccimage modules build`: NVIDIA's open kernel modules for an image's kernel, cached. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "init/base/cmdfiles.h"
#include "init/base/log.h"
#include "init/base/why.h"
#include "modules/nvidia/modbuild.h"
#include "rootfs/ccimage/cli.h"
#include "rootfs/ccimage/command.h"
#include "rootfs/lib/hostbuild.h"

static const char usage_text[] =
        "usage: ccimage modules build (--kver KVER | --kernel-root DIR)\n"
        "         [--headers-version V] [--source PKG] [--source-version V] [--cc CC]\n"
        "         [--module NAME]... [-j N] [--cache DIR] [--suite S] [--mirror URL]\n"
        "         [--security-mirror URL] [--keyring FILE] [--install ROOT]\n"
        "         [--kernel-tree OUT] [--cached-only] [--quiet]\n"
        "Builds nvidia.ko and nvidia-uvm.ko (or the --module list) from Debian's\n"
        "" MODBUILD_SOURCE_DEFAULT " against linux-headers-KVER, inside a build root of\n"
        "the kernel's suite (--suite, default trixie): the compiler the headers package\n"
        "depends on, binutils, make and the shell tools, fetched with a private apt\n"
        "configuration and unpacked, not installed; run with chroot as root, else in a\n"
        "user namespace. --cc names another compiler inside the root (default: the one\n"
        "in the kernel's CONFIG_CC_VERSION_TEXT). The result is cached in\n"
        "${CCINIT_CACHE:-/var/cache/ccinit}/nvidia-modules/KEY, keyed by the source and\n"
        "headers versions (default: apt's candidates), the build root's packages, its\n"
        "compiler's --version and the module list; its path is printed on stdout.\n"
        "--keyring is the OpenPGP keyring apt checks the archives' InRelease with\n"
        "(default: Debian's), for a Debian-layout archive of another signer;\n"
        "--kernel-root takes KVER from DIR/lib/modules;\n"
        "--install copies the modules to ROOT/lib/modules/KVER/updates/dkms/ (ROOT, a\n"
        "directory, must exist);\n"
        "--kernel-tree (with --kernel-root) writes OUT, the kernel tree hard-linked\n"
        "with the modules added and depmod run: a recipe's `kernel: root:`. OUT must\n"
        "be new, an empty directory or a previous --kernel-tree (it holds\n"
        "" MODBUILD_TREE_MARKER "), and neither in nor around the kernel root; it is\n"
        "written beside and renamed into place. Every option is checked before\n"
        "anything is fetched: bad input is exit 3.\n";

/*
 * apt reads the keyring only when it fetches lists, long after parsing; a
 * typo must not wait for a network round or, with lists at hand, pass. Opened
 * as an input (a FIFO is refused, never waited on) and closed: apt reads it.
 */
#define KEYRING_MAX (16u << 20)
static int readable_file(const char *value, char *why, size_t why_size)
{
	struct stat st;
	int fd = open_input_file(value, KEYRING_MAX, true, &st, why, why_size);

	if (fd < 0)
		return fd;
	close(fd);
	return 0;
}

/* The one KVER under DIR/lib/modules, as an extracted kernel package has. */
static int kver_of(const char *root, char *kver, size_t size)
{
	char path[4096];
	struct dirent *de;
	unsigned n = 0;
	DIR *d;

	snprintf(path, sizeof(path), "%s/lib/modules", root);
	d = opendir(path);
	if (!d)
		return -errno;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.' && n++ == 0)
			snprintf(kver, size, "%s", de->d_name);
	closedir(d);
	return n == 1 ? 0 : -EINVAL;
}

/* Builds (or finds), installs and writes the tree as asked; prints the result's directory. */
static int build(const struct modbuild_opts *o, const char *kernel_root, const char *install,
                 const char *tree)
{
	struct modbuild_result res;
	char why[1024] = "";
	int r;

	r = modbuild_run(o, &res, why, sizeof(why));
	if (r == 0 && install)
		r = modbuild_install(&res, o->kver, install, why, sizeof(why));
	if (r == 0 && tree)
		r = modbuild_kernel_tree(&res, o->kver, kernel_root, tree, why, sizeof(why));
	if (r < 0)
		return cli_host_build_failed("modules build", r, why, o->cached_only, res.dir[0]);
	if (!o->quiet)
		fprintf(stderr,
		        "ccimage: modules: %u modules for %s (%s %s, headers %s): %s in %.1f s\n",
		        res.nmodules, o->kver,
		        o->source_package ? o->source_package : MODBUILD_SOURCE_DEFAULT,
		        res.source_version, res.headers_version, res.cached ? "cached" : "built",
		        res.seconds);
	printf("%s\n", res.dir);
	return EXIT_OK;
}

/* The --module names, space separated as NV_KERNEL_MODULES wants them. */
static bool join_modules(const char *const *names, size_t n, char *out, size_t size)
{
	size_t used = 0;

	out[0] = '\0';
	for (size_t i = 0; i < n && used < size; i++)
		used += (size_t)snprintf(out + used, size - used, "%s%s", i ? " " : "", names[i]);
	if (used < size)
		return true;
	fprintf(stderr, "ccimage: --module: the names take more than %zu bytes\n", size - 1);
	return false;
}

static int run(int argc, char **argv)
{
	struct modbuild_opts o = {0};
	const char *kernel_root = NULL, *install = NULL, *tree = NULL, *module_items[32];
	struct cli_list module_list = {module_items, 0, 32};
	char kver[256], modules[512], why[1024] = "";
	int r;
	const struct cli_opt opts[] = {
	        CLI_STRING("kver", 0, &o.kver, "KVER", NULL),
	        CLI_STRING("kernel-root", 0, &kernel_root, "DIR", NULL),
	        CLI_STRING("headers-version", 0, &o.headers_version, "V", NULL),
	        CLI_STRING("source", 0, &o.source_package, "PKG", NULL),
	        CLI_STRING("source-version", 0, &o.source_version, "V", NULL),
	        CLI_STRING("cc", 0, &o.cc, "CC", NULL),
	        CLI_LIST("module", 0, &module_list, "NAME", NULL),
	        CLI_NUMBER("jobs", 'j', &o.jobs, 1, 256, "N", NULL),
	        CLI_STRING("cache", 0, &o.cache, "DIR", NULL),
	        CLI_STRING("suite", 0, &o.suite, "S", NULL),
	        CLI_STRING("mirror", 0, &o.mirror, "URL", NULL),
	        CLI_STRING("security-mirror", 0, &o.security_mirror, "URL", NULL),
	        CLI_STRING("keyring", 0, &o.keyring, "FILE", NULL),
	        CLI_STRING("install", 0, &install, "ROOT", NULL),
	        CLI_STRING("kernel-tree", 0, &tree, "OUT", NULL),
	        CLI_FLAG("quiet", 'q', &o.quiet, NULL),
	        CLI_FLAG("cached-only", 0, &o.cached_only, NULL),
	        {0},
	};
	struct cli cli = {argc, argv, usage_text, opts};

	if (!cli_parse(&cli, 0, 0))
		return cli.exit_code;
	if (!join_modules(module_items, module_list.count, modules, sizeof(modules)))
		return EXIT_USAGE;
	if (!!o.kver == !!kernel_root || (tree && !kernel_root))
		return cli_usage_error(&cli);
	const struct hostbuild_option checks[] = {
	        {"--cache", o.cache, hostbuild_check_cache},
	        {"--source-version", o.source_version, hostbuild_check_version},
	        {"--headers-version", o.headers_version, hostbuild_check_version},
	        {"--keyring", o.keyring, readable_file},
	        {"--install", install, hostbuild_check_dir},
	        {"--kernel-root", kernel_root, hostbuild_check_dir},
	};
	if ((r = hostbuild_check_options(checks, sizeof(checks) / sizeof(checks[0]), why,
	                                 sizeof(why))) < 0) {
		log_error("%s", why);
		return EXIT_DATA;
	}
	if (kernel_root) {
		if (kver_of(kernel_root, kver, sizeof(kver)) < 0) {
			fprintf(stderr, "ccimage: %s/lib/modules must hold exactly one kernel\n",
			        kernel_root);
			return EXIT_DATA;
		}
		o.kver = kver;
	}
	if (tree && (r = modbuild_kernel_tree_check(kernel_root, tree, why, sizeof(why))) < 0) {
		log_error("--kernel-tree %s: %s", tree, why);
		return EXIT_DATA;
	}
	if (modules[0])
		o.modules = modules;
	return build(&o, kernel_root, install, tree);
}

CCIMAGE_COMMAND(modules_build, "modules build",
                "build NVIDIA's open kernel modules for a kernel (cached)", run);
