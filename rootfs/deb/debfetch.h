/* SPDX-License-Identifier: Apache-2.0 */
/*
 * .debs for a build on the host (the NVIDIA module build and its build root,
 * the guest kernel's source): the image build's private apt (apt.h) over the
 * archives the options name, and its debs cache (CACHE/debs), so a package
 * any build fetched is not fetched again. The lists are refreshed at most
 * hourly, and offline the lists we have still resolve.
 *
 * Functions return 0 or a negative errno; `why` names what failed.
 */
#pragma once

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

struct deb_fetch_opts {
	const char *what;              /* the log prefix after "ccimage: " */
	const char *suite;             /* updates and security are added */
	const char *mirror;            /* NULL: http://deb.debian.org/debian */
	const char *security_mirror;   /* NULL: http://deb.debian.org/debian-security */
	const char *keyring;           /* NULL: Debian's archive keyring */
	const char *const *components; /* NULL: main */
	size_t ncomponents;
	bool quiet;
};

struct apt;
struct deb_fetch {
	struct apt *apt;
	const char *what;
	char components[128]; /* for messages: "main contrib" */
	bool updated;         /* the lists were refreshed in this run */
	char debs[PATH_MAX];  /* CACHE/debs */
};
/* Opens apt over o's archives; the debs cache is created when missing. */
int deb_fetch_open(struct deb_fetch *f, const struct deb_fetch_opts *o, const char *cache,
                   char *why, size_t why_size);
void deb_fetch_close(struct deb_fetch *f);
/* Candidate version of pkg (apt's choice across the suites); updates the lists when stale. */
int deb_fetch_candidate(struct deb_fetch *f, const char *pkg, char *version, size_t size, char *why,
                        size_t why_size);
/* The path of pkg=version's .deb in the debs cache, downloading it when absent. */
int deb_fetch_deb(struct deb_fetch *f, const char *pkg, const char *version, char *path,
                  size_t size, char *why, size_t why_size);
/* The same for many (paths[i] for nv[i]), the missing ones in one apt run. */
struct apt_name_version;
int deb_fetch_debs(struct deb_fetch *f, const struct apt_name_version *nv, size_t n,
                   char (*paths)[PATH_MAX], char *why, size_t why_size);
/* apt_show, the lists refreshed when stale. */
struct apt_pkg;
int deb_fetch_show(struct deb_fetch *f, const char *spec, struct apt_pkg *p, char *why,
                   size_t why_size);
/* The specs' dependency closure in the archives (apt_closure, lists refreshed when stale). */
int deb_fetch_closure(struct deb_fetch *f, const char *const *specs, size_t n,
                      struct apt_name_version **out, size_t *count, char *why, size_t why_size);
