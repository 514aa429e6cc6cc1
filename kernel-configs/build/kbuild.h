/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The guest kernel built on the host (`ccimage kernel build`, a recipe's
 * `kernel: {build: ...}`): the tree Debian's linux source package ships as
 * linux-source-X.Y (Debian's patches applied) in the suite, configured from
 * allnoconfig plus every fragment in kernel-configs/ (merged with the
 * kernel's own merge_config.sh), checked
 * against those fragments with nothing unmet, built with fixed build
 * metadata, and its modules signed with a key made for this build and then
 * thrown away (kernel-configs/README.md, "The kernel build"). Cached like the
 * firmware (rootfs/lib/keylock.h) by every input that decides its bytes.
 *
 * Functions return 0 or a negative errno; `why` names what failed.
 */
#pragma once

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KBUILD_SOURCE_META "linux-source" /* linux-source-X.Y holds the tree */
#define KBUILD_SUITE       "trixie"
#define KBUILD_LOCALVER    "-ccinit"
#define KBUILD_MAX_FRAGS   16

struct kbuild_opts {
	const char *source_version;  /* NULL: apt's candidate */
	const char *suite;           /* NULL: KBUILD_SUITE */
	const char *fragment_dir;    /* NULL: kconfig_fragment_dir()'s */
	const char *signing_key;     /* PEM (key and certificate) to sign with; NULL: a new one */
	const char *keep_key;        /* write the new key here (0600) instead of discarding it */
	const char *cache;           /* NULL: $CCINIT_CACHE, else /var/cache/ccinit */
	const char *mirror;          /* NULL: http://deb.debian.org/debian */
	const char *security_mirror; /* NULL: http://deb.debian.org/debian-security */
	unsigned jobs;               /* 0: the CPUs we may use */
	bool quiet;                  /* no progress lines on stderr */
	bool cached_only;            /* never build: -ENOENT when the cache lacks it */
};

struct kbuild_result {
	char dir[PATH_MAX];  /* CACHE/kernels/build-KEY */
	char root[PATH_MAX]; /* dir/root: boot/vmlinuz-KVER, boot/config-KVER, lib/modules/KVER */
	char vmlinuz[PATH_MAX]; /* dir/root/boot/vmlinuz-KVER */
	char key[65];           /* sha256 of key.txt's input lines, hex */
	char kver[128];
	char vmlinuz_sha256[65];
	char cert_sha256[65]; /* of signing_key.x509, the public half modules are checked with */
	char source_version[128];
	uint64_t vmlinuz_size;
	bool cached; /* found in the cache, nothing built */
	double seconds;
};

/* Builds the kernel, or finds it in the cache. */
int kbuild_run(const struct kbuild_opts *o, struct kbuild_result *res, char *why, size_t why_size);

/* --- pieces ------------------------------------------------------------------------------ */

/* config.c: the fragments, the .config made from them, and the check that it has them all. */
struct kbuild_fragments {
	char dir[PATH_MAX];
	char paths[KBUILD_MAX_FRAGS][PATH_MAX];
	size_t n;
};
int kbuild_fragments_find(struct kbuild_fragments *f, const char *opt_dir, char *why,
                          size_t why_size);
/* "NAME sha256:HEX" per fragment, one line each, for the cache key; -ENAMETOOLONG past size. */
int kbuild_fragments_key(const struct kbuild_fragments *f, char *out, size_t size, char *why,
                         size_t why_size);
/* What only the build wants (local version, signing every module): a fragment's text. */
extern const char kbuild_build_fragment[];
/* Every wanted option of every fragment met by config (strictly: warnings too). */
int kbuild_config_check(const struct kbuild_fragments *f, const char *config, char *why,
                        size_t why_size);
