/* SPDX-License-Identifier: Apache-2.0 */
/* `ccimage firmware build`: AMD SEV OVMF from Debian's edk2 source, cached. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "measurement/firmware/fwbuild.h"
#include "rootfs/ccimage/cli.h"
#include "rootfs/ccimage/command.h"

static const char usage_text[] =
        "usage: ccimage firmware build [--source-version V] [-j N] [--cache DIR]\n"
        "         [--suite S] [--mirror URL] [--security-mirror URL] [--cached-only]\n"
        "         [--quiet]\n"
        "Builds AMD SEV OVMF (" FWBUILD_PLATFORM ", RELEASE, GCC5) from Debian's\n"
        "" FWBUILD_SOURCE " source package of the suite (default " FWBUILD_SUITE
        "), fetched with a private\n"
        "apt configuration, Debian's patches applied. The result is cached in\n"
        "${CCINIT_CACHE:-/var/cache/ccinit}/firmware/KEY/OVMF.fd, keyed by the source\n"
        "files' hashes (default version: apt's candidate), the platform, the build\n"
        "flags and the gcc, nasm, iasl and python3 versions; its path is printed on\n"
        "stdout. --cached-only never builds: exit 1 when the cache lacks it.\n";

static int run(int argc, char **argv)
{
	struct fwbuild_opts o = {0};
	struct fwbuild_result res;
	char why[1024] = "";
	const struct cli_opt opts[] = {
	        CLI_STRING("source-version", 0, &o.source_version, "V", NULL),
	        CLI_NUMBER("jobs", 'j', &o.jobs, 1, 256, "N", NULL),
	        CLI_STRING("cache", 0, &o.cache, "DIR", NULL),
	        CLI_STRING("suite", 0, &o.suite, "S", NULL),
	        CLI_STRING("mirror", 0, &o.mirror, "URL", NULL),
	        CLI_STRING("security-mirror", 0, &o.security_mirror, "URL", NULL),
	        CLI_FLAG("quiet", 'q', &o.quiet, NULL),
	        CLI_FLAG("cached-only", 0, &o.cached_only, NULL),
	        {0},
	};
	struct cli cli = {argc, argv, usage_text, opts};
	int r;

	if (!cli_parse(&cli, 0, 0))
		return cli.exit_code;
	r = fwbuild_run(&o, &res, why, sizeof(why));
	if (r < 0) {
		fprintf(stderr, "ccimage: firmware build: %s\n", why[0] ? why : strerror(-r));
		if (r == -ENOENT && o.cached_only && res.dir[0])
			return EXIT_CHECK; /* resolved fine, just not built yet */
		return r == -EINVAL || r == -ENOENT || r == -EPROTO ? EXIT_DATA : EXIT_SYSTEM;
	}
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
