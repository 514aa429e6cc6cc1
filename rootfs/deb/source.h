/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A Debian source package for a build on the host (the AMD SEV firmware's
 * edk2, the guest kernel's linux): resolved through the image build's
 * private apt with deb-src lines for the suite, its files fetched into
 * CACHE/sources/NAME_VERSION and checked against the signed Sources index,
 * and a .dsc written for dpkg-source, which applies Debian's patches.
 *
 * Functions return 0 or a negative errno; `why` names what failed.
 */
#pragma once

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

struct deb_source_opts {
	const char *what;            /* the log prefix after "ccimage: " */
	const char *name;            /* the source package */
	const char *version;         /* NULL: apt's candidate */
	const char *suite;           /* updates and security are added */
	const char *mirror;          /* NULL: http://deb.debian.org/debian */
	const char *security_mirror; /* NULL: http://deb.debian.org/debian-security */
	bool quiet;
};

struct apt;
struct apt_src;
struct deb_source {
	struct apt *apt;
	struct apt_src *pkg;
	char dir[PATH_MAX]; /* CACHE/sources/NAME_VERSION: the files and our .dsc */
	char dsc[PATH_MAX];
	char version[128];
	char files_line[1024]; /* "NAME sha256:HEX ..." for a cache key */
};

/* The version (given, or apt's candidate) and the files; nothing is downloaded. */
int deb_source_resolve(struct deb_source *s, const struct deb_source_opts *o, const char *cache,
                       char *why, size_t why_size);
/* The files into s->dir (kept when their SHA256 matches), then s->dsc. */
int deb_source_fetch(struct deb_source *s, char *why, size_t why_size);
void deb_source_close(struct deb_source *s);
