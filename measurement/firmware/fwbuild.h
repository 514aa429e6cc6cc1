/* SPDX-License-Identifier: Apache-2.0 */
/*
 * AMD SEV OVMF built on the host (`ccimage firmware build`): Debian's edk2
 * source package, Debian's patches applied, OvmfPkg/AmdSev/AmdSevX64.dsc
 * compiled with edk2's BaseTools and the host's gcc, nasm and iasl. This is
 * the OVMF whose SEV metadata has the SNP_KERNEL_HASHES section, which SNP
 * direct boot (-kernel/-initrd) needs and Debian does not ship
 * (measurement/README.md, 3.1). The source files are fetched through the
 * image build's private apt (rootfs/deb/apt.h) and kept under the cache;
 * the firmware is cached by every input that decides its bytes, so the
 * minutes it takes are paid once.
 *
 * Functions return 0 or a negative errno; `why` names what failed.
 */
#pragma once

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FWBUILD_SOURCE   "edk2"
#define FWBUILD_SUITE    "trixie"
#define FWBUILD_PLATFORM "OvmfPkg/AmdSev/AmdSevX64.dsc"

struct fwbuild_opts {
	const char *source_version;  /* NULL: apt's candidate */
	const char *cache;           /* NULL: $CCINIT_CACHE, else /var/cache/ccinit */
	const char *suite;           /* NULL: FWBUILD_SUITE */
	const char *mirror;          /* NULL: http://deb.debian.org/debian */
	const char *security_mirror; /* NULL: http://deb.debian.org/debian-security */
	unsigned jobs;               /* 0: 2 */
	bool quiet;                  /* no progress lines on stderr */
	bool cached_only;            /* never build: -ENOENT when the cache lacks it */
};

struct fwbuild_result {
	char dir[PATH_MAX];  /* CACHE/firmware/KEY: OVMF.fd and key.txt */
	char path[PATH_MAX]; /* dir/OVMF.fd */
	char key[65];        /* sha256 of key.txt's input lines, hex */
	char sha256[65];     /* of OVMF.fd */
	char source_version[128];
	uint64_t size;
	bool cached; /* found in the cache, nothing built */
	double seconds;
};

/* Builds the firmware, or finds it in the cache. */
int fwbuild_run(const struct fwbuild_opts *o, struct fwbuild_result *res, char *why,
                size_t why_size);
