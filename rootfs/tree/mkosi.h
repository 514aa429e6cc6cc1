/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A root tree built elsewhere (mkosi's Format=directory output) taken in as
 * an image's root. Debian's mkosi 14 has no SourceDateEpoch= or Seed=, so a
 * rebuild differs in logs, caches and dates inside files
 * (rootfs/README.md, 5): the import drops or rewrites exactly those, copies the rest, and
 * refuses what an image root must not hold (device nodes outside /dev,
 * sockets, FIFOs). Times and owners are left to the image step, which
 * normalises them for every root.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct mkosi_stats {
	unsigned files, dirs, symlinks, hardlinks; /* copied */
	unsigned dropped;                          /* by the default list or the caller's globs */
	unsigned rewritten;                        /* files whose bytes were normalised */
	unsigned packages;                         /* in the tree's var/lib/dpkg/status */
};

/*
 * Copies src into dst (created, or an empty directory, as a build's stage). exclude: extra
 * image-path globs (such as "/var/lib/apt/lists/ and below" as a double-star glob) dropped besides
 * the default list. added (may be NULL) is called with each image path kept, e.g. to record its
 * origin.
 */
int mkosi_tree_import(const char *src, const char *dst, const char *const *exclude, size_t nexclude,
                      void (*added)(const char *path, void *userdata), void *userdata,
                      struct mkosi_stats *st, char *why, size_t why_size);

/*
 * `ccimage mkosi tree`: mkosi_tree_import() into a fresh directory beside dst
 * that becomes dst only when the import succeeded (rootfs/lib/staged.h), so a
 * failure leaves nothing to block the rerun. dst must be new or empty.
 */
int mkosi_tree_output(const char *src, const char *dst, const char *const *exclude, size_t nexclude,
                      struct mkosi_stats *st, char *why, size_t why_size);

/*
 * Empties the third field of every /etc/shadow line (the day of the last
 * password change: the day the tree was built). *out is malloc()ed, never
 * longer than in. Returns 1 when something changed, 0 when not, -ENOMEM.
 */
int mkosi_shadow_normalise(const char *in, size_t len, char **out, size_t *out_len);

/* The paths (globs) dropped by default: mkosi 14's and debootstrap's non-reproducible files. */
extern const char *const mkosi_default_excludes[];
