/* SPDX-License-Identifier: Apache-2.0 */
/*
 * .deb reading with libarchive: the ar container, then control.tar.* and
 * data.tar.* inside it, streamed (no dpkg-deb, no shell). An index pass lists
 * the package's paths and keeps its control stanza and copyright file; an
 * extraction pass writes only the paths a caller wants into a staging
 * directory, never outside it.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct archive;

struct deb_entry {
	char *path; /* absolute in the image: "/usr/bin/x" */
	char type;  /* 'f' file, 'd' directory, 'l' symlink, 'h' hard link, '?' other */
	mode_t mode;
	char *link; /* symlink target, or the hard link's target path (absolute) */
	uint64_t size;
};

struct deb_index {
	char *package;
	struct deb_entry *e; /* sorted by path */
	size_t n;
	char *control;   /* the control stanza (NUL-terminated) */
	char *copyright; /* usr/share/doc/PKG/copyright, or NULL */
};

int deb_index_read(const char *deb, struct deb_index **ret, char *why, size_t why_size);
struct deb_index *deb_index_free(struct deb_index *x);
const struct deb_entry *deb_index_find(const struct deb_index *x, const char *path);

/*
 * Extracts the entries for which want(path) is true (want NULL: all) into
 * stage_dir, with parent directories made as the index says (0755 where it
 * says nothing). Modes kept (setuid included); times and owners are left to
 * the normalise step. Hard links whose target is not wanted get the target's
 * bytes. A path that already exists: -EEXIST, its path in why, unless it is
 * the same directory or the same symlink.
 */
int deb_extract(const char *deb, const struct deb_index *x, const char *stage_dir,
                bool (*want)(const char *path, void *userdata), void *userdata, char *why,
                size_t why_size);

/*
 * A .deb's ar member whose name starts with prefix ("data.tar",
 * "control.tar") as a tar stream: m->inner reads it. Closed with
 * deb_member_close(), which is safe on a zeroed or closed one.
 */
struct deb_member {
	struct archive *outer, *inner;
	char buf[65536];
};
int deb_member_open(struct deb_member *m, const char *deb, const char *prefix, char *why,
                    size_t why_size);
void deb_member_close(struct deb_member *m);

/* Normalises a tar member name ("./usr/bin/x") to "/usr/bin/x"; -EINVAL for "..", empty. */
int deb_path_normalise(const char *name, char *out, size_t size);
