/* SPDX-License-Identifier: Apache-2.0 */
/*
 * apt with a private configuration: the recipe's archives only, the state and
 * lists under ${CCINIT_CACHE}/apt/<hash of the sources>/, no pins and no dpkg
 * status from the host. apt verifies InRelease against the recipe's keyring
 * and the indexes against InRelease; we take the .deb's SHA256 from the index.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "rootfs/recipe/recipe.h"

struct apt;

/* Debian's own archives and the keyring they are signed with. */
#define APT_DEBIAN_MIRROR          "http://deb.debian.org/debian"
#define APT_DEBIAN_SECURITY_MIRROR "http://deb.debian.org/debian-security"
#define APT_DEBIAN_KEYRING         "/usr/share/keyrings/debian-archive-keyring.gpg"

/*
 * The archives apt reads: a recipe's `debian:` block, or a host build's own.
 * mirror, security_mirror and keyring NULL: Debian's (above).
 */
struct apt_sources {
	const char *suite, *mirror, *security_mirror, *keyring;
	const char *snapshot; /* NULL, or a snapshot.debian.org timestamp (replaces the mirrors) */
	const char *architecture; /* NULL: the host's (apt's default) */
	const char *const *components;
	size_t ncomponents;
	bool updates; /* SUITE-updates and SUITE-security too */
	bool sources; /* deb-src lines: source packages, not .debs */
};

struct apt_pkg {
	char name[128], version[128], arch[32], sha256[65], filename[512];
	char depends[2048];
	uint64_t size;
};

/* The cache root: $CCINIT_CACHE or /var/cache/ccinit. */
const char *apt_cache_dir(void);

int apt_open(const struct recipe *r, bool quiet, struct apt **ret, char *why, size_t why_size);
int apt_open_sources(const struct apt_sources *s, bool quiet, struct apt **ret, char *why,
                     size_t why_size);
/*
 * The recipe's archives with another suite: kernel.build.suite's, where the
 * kernel's sources come from.
 */
/* Whether apt's own output is hidden (apt_open's quiet): a second apt opened for it keeps it. */
bool apt_quiet(const struct apt *a);
int apt_open_suite(const struct recipe *r, const char *suite, bool quiet, struct apt **ret,
                   char *why, size_t why_size);
struct apt *apt_free(struct apt *a);

/* apt-get update, unless done within the last hour (force: always). */
int apt_update(struct apt *a, bool force, char *why, size_t why_size);
/* When the lists were last updated: -ENOENT when never. */
int apt_updated_at(struct apt *a, time_t *when);

/*
 * The archive's stanza for "name" (the candidate: newest across suites) or
 * for "name=version". -ENOENT when the archive has no such package/version.
 */
int apt_show(struct apt *a, const char *spec, struct apt_pkg *out, char *why, size_t why_size);

/*
 * The same for many specs in one apt run: out[i] for specs[i], with an empty
 * name when the archive has no such package or version.
 */
int apt_show_many(struct apt *a, const char *const *specs, size_t n, struct apt_pkg *out, char *why,
                  size_t why_size);

/* A package and version as apt names them. */
struct apt_name_version {
	char name[128], version[128];
};

/*
 * What `apt-get install --no-install-recommends SPECS` would install where
 * nothing is installed (our status file is empty): the specs' dependency
 * closure, resolved by apt against the archives. *out (malloc'd, *count
 * entries, in apt's order) is the caller's to free.
 */
int apt_closure(struct apt *a, const char *const *specs, size_t n, struct apt_name_version **out,
                size_t *count, char *why, size_t why_size);

/* apt-get download of "name=version" specs into dir, in one run. */
int apt_download_many(struct apt *a, const char *const *specs, size_t n, const char *dir, char *why,
                      size_t why_size);

/* One file of a source package, as the signed Sources index lists it. */
struct apt_src_file {
	char url[1024], name[256], sha256[65];
	uint64_t size;
};

#define APT_SRC_MAX_FILES 8

/* A source package: its format and the files its .dsc would list (the .dsc itself left out). */
struct apt_src {
	char name[128], version[128], format[64];
	struct apt_src_file files[APT_SRC_MAX_FILES];
	size_t nfiles;
};

/*
 * The source package "name" (the candidate) or "name=version", from
 * archives opened with `sources`. -ENOENT when the archive has no such one.
 */
int apt_source(struct apt *a, const char *spec, struct apt_src *out, char *why, size_t why_size);

/* Downloads one source file to path with apt's own fetcher, checked against its SHA256. */
int apt_fetch_source_file(struct apt *a, const struct apt_src_file *f, const char *path, char *why,
                          size_t why_size);

/* The URL the archive serves this file from (for the SBOM's download location). */
void apt_file_url(const struct recipe *r, const char *filename, char *buf, size_t size);
