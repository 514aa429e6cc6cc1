/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Out-of-tree kernel modules built on the host (`ccimage modules build`):
 * NVIDIA's open GPU kernel modules from Debian's source package, compiled
 * against the Debian headers of the image's kernel inside a build root of
 * the kernel's own suite (its compiler, binutils, make, headers). Nothing is
 * installed on the host: the .debs are fetched through the image build's
 * private apt (rootfs/deb/apt.h) into its debs cache and unpacked under the
 * cache. Results are cached by everything that decides their bytes (source
 * and headers versions, the build root's packages, its compiler, the module
 * list, our compatibility fixes), so the minutes this build takes are paid
 * once.
 *
 * Functions return 0 or a negative errno; `why` names what failed.
 */
#pragma once

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "rootfs/deb/debfetch.h"

#define MODBUILD_SOURCE_DEFAULT  "nvidia-open-kernel-source"
#define MODBUILD_MODULES_DEFAULT "nvidia nvidia-uvm"

struct modbuild_opts {
	const char *kver; /* required: "6.1.0-56-cloud-amd64" */
	const char
	        *headers_version; /* Debian version of linux-headers-KVER; NULL: apt's candidate */
	const char *source_package;  /* NULL: MODBUILD_SOURCE_DEFAULT */
	const char *source_version;  /* NULL: apt's candidate */
	const char *cc;              /* in the build root; NULL: the one that built the kernel */
	const char *modules;         /* NV_KERNEL_MODULES, space separated; NULL: the default */
	const char *cache;           /* NULL: $CCINIT_CACHE, else /var/cache/ccinit */
	const char *suite;           /* the kernel's suite; NULL: "trixie" */
	const char *mirror;          /* NULL: http://deb.debian.org/debian */
	const char *security_mirror; /* NULL: http://deb.debian.org/debian-security */
	const char *keyring;         /* NULL: Debian's archive keyring */
	unsigned jobs;               /* 0: 2 */
	bool quiet;                  /* no progress lines on stderr */
	bool cached_only;            /* never build: -ENOENT when the cache lacks it */
};

struct modbuild_result {
	char dir[PATH_MAX]; /* CACHE/nvidia-modules/KEY: the .ko files and key.txt */
	char key[65];       /* sha256 of key.txt's input lines, hex */
	char source_version[128], headers_version[128];
	unsigned nmodules;
	bool cached; /* found in the cache, nothing built */
	double seconds;
};

/* Builds the modules, or finds them in the cache. */
int modbuild_run(const struct modbuild_opts *o, struct modbuild_result *res, char *why,
                 size_t why_size);

/*
 * Copies the result's .ko files into ROOT/lib/modules/KVER/updates/dkms/ (the
 * place DKMS would put them, which depmod searches before kernel/).
 */
int modbuild_install(const struct modbuild_result *res, const char *kver, const char *root,
                     char *why, size_t why_size);
/* The same for one module file; dest gets where it went. */
int modbuild_install_one(const char *ko, const char *kver, const char *root, char *dest,
                         size_t dest_size, char *why, size_t why_size);

/*
 * tree.c. Writes OUT: kernel_root (an extracted kernel package) as
 * hard links, plus the result's modules under updates/dkms and depmod's
 * indexes over the whole, ready for a recipe's `kernel: root:`. OUT is
 * replaced only when modbuild_kernel_tree_check() allows it.
 */
int modbuild_kernel_tree(const struct modbuild_result *res, const char *kver,
                         const char *kernel_root, const char *out, char *why, size_t why_size);
/* The file every tree written has, which marks OUT as ours to replace. */
#define MODBUILD_TREE_MARKER ".ccimage-kernel-tree"
/*
 * Whether OUT may be written, before any build: absent, an empty directory
 * or a previous tree (-EEXIST, -ENOTDIR otherwise), and neither in, equal to
 * nor around kernel_root (-EINVAL). why says what OUT is instead.
 */
int modbuild_kernel_tree_check(const char *kernel_root, const char *out, char *why,
                               size_t why_size);

/* --- pieces, each in its own file ------------------------------------------------------- */

/*
 * buildroot.c: the tree the driver's Makefile runs in (modules/README.md, 5):
 * the compiler the kernel's headers package names, binutils, make, the
 * shell tools, and the kernel's headers, all from the kernel's suite,
 * unpacked once under CACHE/nvidia-modules/root-DIGEST.
 */
struct modbuild_root {
	char dir[PATH_MAX]; /* on the host */
	char digest[65];    /* sha256 of its packages.txt: "NAME VERSION" per package, sorted */
	char cc[64];        /* the compiler that built the kernel, as the root names it */
	unsigned npackages;
};
/*
 * The apt specs a headers package's Depends asks for: per entry its first
 * alternative that is not a kernel image ("name", or "name=V" for "(= V)").
 */
#define MODBUILD_SEED_MAX 260
int modbuild_root_seeds(const char *depends, char (*seeds)[MODBUILD_SEED_MAX], size_t max,
                        size_t *n, char *why, size_t why_size);
int modbuild_root_prepare(struct deb_fetch *f, const struct modbuild_opts *o, const char *top,
                          const char *headers_version, struct modbuild_root *root, char *why,
                          size_t why_size);

/*
 * rootrun.c: runs argv (paths as the root sees them) inside the root with a
 * clean environment: chroot(1) as root, else in a user namespace (unshare
 * --map-root-user). modbuild_root_can_run says why neither is possible.
 */
struct spawn_io;
int modbuild_root_can_run(char *why, size_t why_size);
int modbuild_root_run(const struct modbuild_root *root, const char *const *argv,
                      const struct spawn_io *io, char *why, size_t why_size);

/*
 * source.c. The source package pkg=version unpacked under WORK (pkg/, src/),
 * srcdir set to the directory with the driver's Makefile, and our compat
 * fixes applied against kernel_src, the kernel's own source tree (Debian's
 * -common headers, or a whole kernel tree); applied as for
 * modbuild_compat_apply.
 */
int modbuild_source_prepare(struct deb_fetch *f, const char *pkg, const char *version,
                            const char *work, const char *kernel_src, char *srcdir,
                            size_t srcdir_size, char *applied, size_t applied_size, char *why,
                            size_t why_size);
/* -ENOEXEC unless the module's vermagic names kver. */
int modbuild_check_vermagic(const char *path, const char *kver, char *why, size_t why_size);

/* unpack.c: libarchive, nothing written outside dest. */
/* Unpacks a .deb's data.tar.* into dest. */
int modbuild_unpack_deb(const char *deb, const char *dest, char *why, size_t why_size);
/* Unpacks a tarball (any compression libarchive reads) into dest. */
int modbuild_unpack_tar(const char *tarball, const char *dest, char *why, size_t why_size);

/*
 * compat.c: source fixes for kernels newer than the driver, each
 * applied only when the headers show the change and the source still has
 * the old call. applied gets their names, space separated ("" for none).
 */
#define MODBUILD_COMPAT_REVISION 1 /* part of the cache key */
int modbuild_compat_apply(const char *headers_common, const char *srcdir, char *applied,
                          size_t applied_size, char *why, size_t why_size);
