/* SPDX-License-Identifier: Apache-2.0 */
/*
 * NVIDIA's open GPU modules, built in the same run as the kernel: against
 * its tree (the kernel's own Module.symvers, headers and compiler, the host's
 * gcc that just built it) and signed with its key before that key is thrown
 * away. A kernel with MODULE_SIG_FORCE and lockdown refuses any module its
 * build did not sign, so modules built later, against headers, could never
 * load into it (confos does the same in one derivation). The source is
 * Debian's nvidia-open-kernel-source with our compat fixes, as for Debian's
 * kernel (modules/nvidia/source.c).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "kernel-configs/kernel-build/kbuild.h"
#include "modules/nvidia/modbuild.h"
#include "rootfs/deb/apt.h"
#include "rootfs/lib/digest.h"
#include "rootfs/lib/fsutil.h"
#include "rootfs/lib/spawn.h"

/* kbuild_build_fragment's CONFIG_MODULE_SIG_SHA512: what modules_install signs with. */
#define SIGN_HASH "sha512"

static int build(const struct kbuild_nvidia *n, const char *srcdir, char *why, size_t why_size)
{
	char sys_src[PATH_MAX + 8], sys_out[PATH_MAX + 8], prefix[PATH_MAX + 32];

	snprintf(sys_src, sizeof(sys_src), "SYSSRC=%s", n->tree);
	snprintf(sys_out, sizeof(sys_out), "SYSOUT=%s", n->tree);
	/* The work directory must not reach the modules' bytes. */
	snprintf(prefix, sizeof(prefix), "KCFLAGS=-ffile-prefix-map=%s/=", n->h->work);
	const char *make[] = {
	        "make",    "-C",    srcdir,  n->jobs,
	        "modules", sys_src, sys_out, "NV_KERNEL_MODULES=" MODBUILD_MODULES_DEFAULT,
	        "CC=gcc",  prefix,  NULL};

	return hostbuild_step(n->h, "building NVIDIA's open modules against it", make, srcdir, why,
	                      why_size);
}

/* Stripped as INSTALL_MOD_STRIP=1 does, then signed (strip would drop a signature). */
static int sign_install(const struct kbuild_nvidia *n, const char *ko, struct kbuild_key *key,
                        char *why, size_t why_size)
{
	char sign_file[PATH_MAX], cert[PATH_MAX], dest[PATH_MAX], hex[65];
	const char *strip[] = {"strip", "--strip-debug", ko, NULL};
	const char *sign[] = {sign_file, SIGN_HASH, n->pem, cert, ko, NULL};
	int r;

	if (path_join(sign_file, sizeof(sign_file), n->tree, "scripts/sign-file") < 0 ||
	    path_join(cert, sizeof(cert), n->tree, "certs/signing_key.x509") < 0)
		return -ENAMETOOLONG;
	if ((r = hostbuild_step(n->h, "stripping", strip, n->tree, why, why_size)) < 0 ||
	    (r = hostbuild_step(n->h, "signing with the build's key", sign, n->tree, why,
	                        why_size)) < 0 ||
	    (r = modbuild_check_vermagic(ko, n->kver, why, why_size)) < 0 ||
	    (r = modbuild_install_one(ko, n->kver, n->root, dest, sizeof(dest), why, why_size)) <
	            0 ||
	    (r = digest_file_hex(dest, hex)) < 0)
		return r;
	/* As keep() names outputs: relative to the cached directory, whose root/ n->root is. */
	return kbuild_key_add(key, "output root", dest + strlen(n->root), " sha256:", hex, "\n",
	                      NULL);
}

int kbuild_nvidia_build(const struct kbuild_nvidia *n, struct kbuild_key *key, char *why,
                        size_t why_size)
{
	char work[PATH_MAX], srcdir[PATH_MAX], applied[256], ko[PATH_MAX + 80];
	const char *list = MODBUILD_MODULES_DEFAULT;
	int r;

	if (path_join(work, sizeof(work), n->h->work, "nvidia") < 0)
		return -ENAMETOOLONG;
	hostbuild_progress(n->h, "fetching", n->pkg->name);
	if ((r = modbuild_source_prepare(n->fetch, n->pkg->name, n->pkg->version, work, n->tree,
	                                 srcdir, sizeof(srcdir), applied, sizeof(applied), why,
	                                 why_size)) < 0)
		return r;
	if (applied[0])
		hostbuild_progress(n->h, "compat fixes applied:", applied);
	if ((r = kbuild_key_add(key, "applied ", applied[0] ? applied : "-", "\n", NULL)) < 0 ||
	    (r = build(n, srcdir, why, why_size)) < 0)
		return r;
	while (*list) {
		size_t len = strcspn(list, " ");
		if (snprintf(ko, sizeof(ko), "%s/%.*s.ko", srcdir, (int)len, list) >=
		    (int)sizeof(ko))
			return -ENAMETOOLONG;
		if (access(ko, F_OK) < 0) {
			snprintf(why, why_size, "%s: %s (not built? see %s)", ko, strerror(errno),
			         n->h->log);
			return -ENOENT;
		}
		if ((r = sign_install(n, ko, key, why, why_size)) < 0)
			return r;
		list += len + (list[len] == ' ');
	}
	return 0;
}
