/* SPDX-License-Identifier: Apache-2.0 */
/* `ccimage kernel build`: the guest kernel from Debian's linux source and kernel-configs/, cached.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "init/base/cmdfiles.h"
#include "init/base/log.h"
#include "init/base/why.h"
#include "kernel-configs/kernel-build/kbuild.h"
#include "rootfs/ccimage/cli.h"
#include "rootfs/ccimage/command.h"
#include "rootfs/lib/hostbuild.h"

static const char usage_text[] =
        "usage: ccimage kernel build [--source-version V] [--suite S] [--dir DIR]\n"
        "         [--nvidia-version V | --no-nvidia]\n"
        "         [--signing-key PEM | --keep-key FILE]\n" CLI_HOST_BUILD_USAGE
        "Builds the guest kernel from the tree of Debian's linux source package that\n"
        "linux-source-X.Y ships (Debian's patches applied; --source-version V, default\n"
        "the candidate of linux-source) of the suite (default " KBUILD_SUITE
        "), configured from allnoconfig\n"
        "and every fragment in kernel-configs/ (or --dir), which the merged config must\n"
        "meet in full. NVIDIA's open GPU modules (nvidia, nvidia-uvm) from the suite's\n"
        "nvidia-open-kernel-source (--nvidia-version V, default its candidate) are built\n"
        "against it in the same run, into lib/modules/KVER/updates/dkms (--no-nvidia:\n"
        "none). Modules are signed with a key made for this build and discarded\n"
        "after it (--keep-key writes it to FILE, 0600, a new file in a directory that\n"
        "exists; --signing-key signs with yours, one PEM holding an unencrypted\n"
        "private key and its certificate, checked to be one pair: that makes the build\n"
        "reproducible). Options, the key and the fragments are checked before\n"
        "anything is fetched: bad input is exit 3. Keyed by the source package's\n"
        "hash, the fragments, the build options, the NVIDIA source package's hash,\n"
        "the gcc, ld and openssl versions and the given key; its root (boot/vmlinuz-KVER,\n"
        "lib/modules/KVER, what a recipe's kernel.root takes) is printed on "
        "stdout.\n" CLI_HOST_BUILD_CACHED("kernels/build-KEY");

/* --keep-key: a new file in a directory that exists, never over another file. */
static int new_file(const char *path, char *why, size_t why_size)
{
	struct stat st;
	int r = check_output_path(path, why, why_size);

	if (r == 0 && lstat(path, &st) == 0)
		r = why_set(why, why_size, -EEXIST,
		            "exists; a private key is never written over another file");
	return r;
}

/* Every option a build of many minutes would otherwise reach late, checked first. */
static int options_check(const struct kbuild_opts *o, char *why, size_t why_size)
{
	const struct hostbuild_option checks[] = {
	        {"--cache", o->cache, hostbuild_check_cache},
	        {"--source-version", o->source_version, hostbuild_check_version},
	        {"--nvidia-version", o->nvidia_version, hostbuild_check_version},
	        {"--dir", o->fragment_dir, hostbuild_check_dir},
	        {"--keep-key", o->keep_key, new_file},
	};

	return hostbuild_check_options(checks, sizeof(checks) / sizeof(checks[0]), why, why_size);
}

static int run(int argc, char **argv)
{
	struct kbuild_opts o = {0};
	struct kbuild_result res;
	char why[2048] = "";
	const struct cli_opt opts[] = {
	        CLI_STRING("dir", 0, &o.fragment_dir, "DIR", NULL),
	        CLI_STRING("nvidia-version", 0, &o.nvidia_version, "V", NULL),
	        CLI_FLAG("no-nvidia", 0, &o.no_nvidia, NULL),
	        CLI_STRING("signing-key", 0, &o.signing_key, "PEM", NULL),
	        CLI_STRING("keep-key", 0, &o.keep_key, "FILE", NULL),
	        CLI_HOST_BUILD_OPTS(o),
	        {0},
	};
	struct cli cli = {argc, argv, usage_text, opts};
	int r;

	if (!cli_parse(&cli, 0, 0))
		return cli.exit_code;
	if (o.nvidia_version && o.no_nvidia) {
		fprintf(stderr, "ccimage kernel build: --nvidia-version and --no-nvidia: one or "
		                "the other\n");
		return EXIT_USAGE;
	}
	if (o.signing_key && o.keep_key) {
		fprintf(stderr, "ccimage kernel build: --keep-key and --signing-key: the key given "
		                "is already yours to keep\n");
		return EXIT_USAGE;
	}
	if ((r = options_check(&o, why, sizeof(why))) < 0) {
		log_error("%s", why);
		return EXIT_DATA;
	}
	/* kbuild_run() reads and checks --signing-key and the fragments before any fetch. */
	r = kbuild_run(&o, &res, why, sizeof(why));
	if (r < 0)
		return cli_host_build_failed("kernel build", r, why, o.cached_only, res.dir[0]);
	if (!o.quiet)
		fprintf(stderr,
		        "ccimage: kernel: %s from linux-source %s, NVIDIA modules %s, vmlinuz %llu "
		        "bytes sha256 %s, module certificate sha256 %s: %s in %.1f s\n",
		        res.kver, res.source_version,
		        res.nvidia_version[0] ? res.nvidia_version : "none",
		        (unsigned long long)res.vmlinuz_size, res.vmlinuz_sha256, res.cert_sha256,
		        res.cached ? "cached" : "built", res.seconds);
	printf("%s\n", res.root);
	return EXIT_OK;
}

CCIMAGE_COMMAND(kernel_build, "kernel build",
                "build the guest kernel from Debian's linux source and kernel-configs/ (cached)",
                run);
