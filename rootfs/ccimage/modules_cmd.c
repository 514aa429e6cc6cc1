/* SPDX-License-Identifier: Apache-2.0 */
/* `ccimage modules build`: NVIDIA's open kernel modules for an image's kernel, cached. */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rootfs/ccimage/cli.h"
#include "rootfs/ccimage/command.h"
#include "modules/nvidia/modbuild.h"

static void usage(FILE *f)
{
	fprintf(f,
	        "usage: ccimage modules build (--kver KVER | --kernel-root DIR)\n"
	        "         [--headers-version V] [--source PKG] [--source-version V] [--cc CC]\n"
	        "         [--module NAME]... [-j N] [--cache DIR] [--suite S] [--mirror URL]\n"
	        "         [--security-mirror URL] [--install ROOT] [--kernel-tree OUT]\n"
	        "         [--cached-only] [--quiet]\n"
	        "Builds nvidia.ko and nvidia-uvm.ko (or the --module list) from Debian's\n"
	        "" MODBUILD_SOURCE_DEFAULT
	        " against linux-headers-KVER, fetched with a private apt\n"
	        "configuration and unpacked, not installed. The result is cached in\n"
	        "${CCINIT_CACHE:-/var/cache/ccinit}/nvidia-modules/KEY, keyed by the source and\n"
	        "headers versions (default: apt's candidates), the compiler and the module list;\n"
	        "its path is printed on stdout. --kernel-root takes KVER from DIR/lib/modules;\n"
	        "--install copies the modules to ROOT/lib/modules/KVER/updates/dkms/;\n"
	        "--kernel-tree (with --kernel-root) writes OUT, the kernel tree hard-linked\n"
	        "with the modules added and depmod run: a recipe's `kernel: root:`.\n");
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

static int parse_jobs(const char *s, unsigned *jobs)
{
	char *end;

	errno = 0;
	*jobs = (unsigned)strtoul(s, &end, 10);
	return errno || *end || *jobs == 0 || *jobs > 256 ? -EINVAL : 0;
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
	if (r < 0) {
		fprintf(stderr, "ccimage: modules build: %s\n", why[0] ? why : strerror(-r));
		if (r == -ENOENT && o->cached_only && res.dir[0])
			return EXIT_CHECK; /* resolved fine, just not built yet */
		return r == -EINVAL || r == -ENOENT ? EXIT_DATA : EXIT_SYSTEM;
	}
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

static int run(int argc, char **argv)
{
	static const struct option options[] = {
	        {"kver", required_argument, NULL, 'k'},
	        {"kernel-root", required_argument, NULL, 'K'},
	        {"headers-version", required_argument, NULL, 'H'},
	        {"source", required_argument, NULL, 's'},
	        {"source-version", required_argument, NULL, 'S'},
	        {"cc", required_argument, NULL, 'c'},
	        {"module", required_argument, NULL, 'm'},
	        {"jobs", required_argument, NULL, 'j'},
	        {"cache", required_argument, NULL, 'C'},
	        {"suite", required_argument, NULL, 'u'},
	        {"mirror", required_argument, NULL, 'M'},
	        {"security-mirror", required_argument, NULL, 'y'},
	        {"install", required_argument, NULL, 'i'},
	        {"kernel-tree", required_argument, NULL, 't'},
	        {"quiet", no_argument, NULL, 'q'},
	        {"cached-only", no_argument, NULL, 'o'},
	        {"help", no_argument, NULL, 'h'},
	        {0},
	};
	struct cli cli = {argc, argv, "j:qh", options, usage};
	struct modbuild_opts o = {0};
	const char *kernel_root = NULL, *install = NULL, *tree = NULL;
	char kver[256], modules[512] = "";
	/* The options that only name a string, by their letter. */
	const char **strings[128] = {
	        ['k'] = &o.kver,
	        ['K'] = &kernel_root,
	        ['H'] = &o.headers_version,
	        ['s'] = &o.source_package,
	        ['S'] = &o.source_version,
	        ['c'] = &o.cc,
	        ['C'] = &o.cache,
	        ['u'] = &o.suite,
	        ['M'] = &o.mirror,
	        ['y'] = &o.security_mirror,
	        ['i'] = &install,
	        ['t'] = &tree,
	};
	size_t used = 0;
	int c;

	while (cli_next(&cli, &c)) {
		if (c < 128 && strings[c]) {
			*strings[c] = optarg;
		} else if (c == 'q' || c == 'o') {
			o.quiet |= c == 'q';
			o.cached_only |= c == 'o';
		} else if (c == 'm') {
			used += (size_t)snprintf(modules + used, sizeof(modules) - used, "%s%s",
			                         used ? " " : "", optarg);
			if (used >= sizeof(modules))
				return EXIT_USAGE;
		} else if (c == 'j' && parse_jobs(optarg, &o.jobs) < 0) {
			fprintf(stderr, "ccimage: --jobs: '%s' is not 1..256\n", optarg);
			return EXIT_USAGE;
		}
	}
	if (cli.stop)
		return cli.exit_code;
	if (!cli_args(&cli, 0, 0))
		return EXIT_USAGE;
	if (!!o.kver == !!kernel_root || (tree && !kernel_root))
		return cli_usage_error(&cli);
	if (kernel_root) {
		if (kver_of(kernel_root, kver, sizeof(kver)) < 0) {
			fprintf(stderr, "ccimage: %s/lib/modules must hold exactly one kernel\n",
			        kernel_root);
			return EXIT_DATA;
		}
		o.kver = kver;
	}
	if (modules[0])
		o.modules = modules;
	return build(&o, kernel_root, install, tree);
}

CCIMAGE_COMMAND(modules_build, "modules build",
                "build NVIDIA's open kernel modules for a kernel (cached)", run);
