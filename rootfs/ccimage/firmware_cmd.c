/* SPDX-License-Identifier: Apache-2.0 */
/* `ccimage firmware build`: AMD SEV OVMF from Debian's edk2 source, cached. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "init/base/log.h"
#include "measurement/firmware/fwbuild.h"
#include "rootfs/ccimage/cli.h"
#include "rootfs/ccimage/command.h"
#include "rootfs/lib/hostbuild.h"

static const char usage_text[] =
        "usage: ccimage firmware build [--source-version V] [--suite S]\n" CLI_HOST_BUILD_USAGE
        "Builds AMD SEV OVMF (" FWBUILD_PLATFORM ", RELEASE, GCC5) from Debian's\n"
        "" FWBUILD_SOURCE " source package of the suite (default " FWBUILD_SUITE
        "), fetched with a private\n"
        "apt configuration, Debian's patches applied, keyed by the source files'\n"
        "hashes (default version: apt's candidate), the platform, the build flags and\n"
        "the gcc, nasm, iasl and python3 versions; its path is printed on stdout.\n"
        "--cache and --source-version are checked before anything is fetched (exit 3);\n"
        "archives that cannot be reached at all are a network failure (exit "
        "4).\n" CLI_HOST_BUILD_CACHED("firmware/KEY/OVMF.fd");

static int run(int argc, char **argv)
{
	struct fwbuild_opts o = {0};
	struct fwbuild_result res;
	char why[1024] = "";
	const struct cli_opt opts[] = {
	        CLI_HOST_BUILD_OPTS(o),
	        {0},
	};
	struct cli cli = {argc, argv, usage_text, opts};
	int r;

	if (!cli_parse(&cli, 0, 0))
		return cli.exit_code;
	/* Before the lists are fetched: a typo must not cost a network round. */
	const struct hostbuild_option checks[] = {
	        {"--cache", o.cache, hostbuild_check_cache},
	        {"--source-version", o.source_version, hostbuild_check_version},
	};
	if ((r = hostbuild_check_options(checks, sizeof(checks) / sizeof(checks[0]), why,
	                                 sizeof(why))) < 0) {
		log_error("%s", why);
		return EXIT_DATA;
	}
	r = fwbuild_run(&o, &res, why, sizeof(why));
	if (r < 0)
		return cli_host_build_failed("firmware build", r, why, o.cached_only, res.dir[0]);
	if (!o.quiet)
		fprintf(stderr,
		        "ccimage: firmware: OVMF.fd from %s %s, %llu bytes, sha256 %s: %s in %.1f "
		        "s\n",
		        FWBUILD_SOURCE, res.source_version, (unsigned long long)res.size,
		        res.sha256, res.cached ? "cached" : "built", res.seconds);
	printf("%s\n", res.path);
	return EXIT_OK;
}

CCIMAGE_COMMAND(firmware_build, "firmware build",
                "build AMD SEV OVMF from Debian's edk2 source (cached)", run);
