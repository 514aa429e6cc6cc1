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

#include "rootfs/deb/apt.h"
#include "rootfs/lib/hostbuild.h"

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
	const char *nvidia_version;  /* nvidia-open-kernel-source's; NULL: apt's candidate */
	bool no_nvidia;              /* build no NVIDIA modules */
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
	char nvidia_version[128]; /* "" without NVIDIA modules */
	/* The Debian packages it is made from: linux-source-X.Y, then NVIDIA's source if built */
	struct apt_pkg sources[2];
	size_t nsources;
	uint64_t vmlinuz_size;
	bool cached; /* found in the cache, nothing built */
	double seconds;
};

/*
 * The package holding the tree of a kernel version: "linux-source-6.12" for
 * "6.12.118-1". -EINVAL when version is not a kernel version.
 */
int kbuild_source_package(const char *version, char *name, size_t size);

/* Builds the kernel, or finds it in the cache. */
int kbuild_run(const struct kbuild_opts *o, struct kbuild_result *res, char *why, size_t why_size);

/* The text the cache key is the hash of: one input (or output) per line. */
struct kbuild_key {
	char text[8192];
	size_t used;
};
/* Appends the strings; NULL ends them. -ENAMETOOLONG when the text is full. */
__attribute__((sentinel)) int kbuild_key_add(struct kbuild_key *k, ...);

/* --- pieces ------------------------------------------------------------------------------ */

/*
 * signkey.c: the --signing-key PEM, read once under the input rule and held
 * (what is hashed into the key is what the build signs with), checked to be
 * an unencrypted private key and its certificate, one pair. -EINVAL (or the
 * file's errno) with why naming the option and the path.
 */
struct kbuild_signing_key {
	char *pem;
	size_t len;
	char sha256[65];
};
int kbuild_signing_key_read(const char *path, struct kbuild_signing_key *k, char *why,
                            size_t why_size);
void kbuild_signing_key_free(struct kbuild_signing_key *k);

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

/*
 * nvidia.c: NVIDIA's open modules (MODBUILD_MODULES_DEFAULT) built against
 * the configured and compiled tree, stripped, signed with pem, installed
 * under root/lib/modules/KVER/updates/dkms (before depmod runs), each named
 * in the key as an output.
 */
struct apt_pkg;
struct deb_fetch;
struct kbuild_nvidia {
	struct hostbuild *h;
	struct deb_fetch *fetch;
	const struct apt_pkg *pkg; /* nvidia-open-kernel-source=V */
	const char *tree, *pem, *kver, *jobs, *root;
};
int kbuild_nvidia_build(const struct kbuild_nvidia *n, struct kbuild_key *key, char *why,
                        size_t why_size);
