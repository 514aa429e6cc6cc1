/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A long build on the host whose product the cache keeps under a key (the
 * AMD SEV firmware, the guest kernel): the tools that decide its bytes as
 * key lines, a work directory fixed by the key (a build path that changes
 * would change the bytes: edk2's GenFw records it), each step's output in
 * one build log that a failure names, and progress lines on stderr.
 *
 * Functions return 0 or a negative errno; `why` names what failed.
 */
#pragma once

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

struct hostbuild {
	const char *what; /* the log prefix after "ccimage: " */
	bool quiet;
	char work[PATH_MAX]; /* /var/tmp/ccimage-WHAT-KEY */
	char log[PATH_MAX];  /* work/build.log */
	int log_fd;          /* -1 until hostbuild_begin() */
	int lock_fd;         /* work's lock, held from hostbuild_begin() to hostbuild_end() */
};

/* A tool that decides the bytes: label, the command that prints its version, the line's mark. */
struct hostbuild_tool {
	const char *label, *argv[3], *match;
};

/*
 * What a keyed host build checks of its options before anything is fetched,
 * so that a typo is refused in a second, not after a build of minutes.
 * 0, or a negative errno with why saying what the value is instead.
 */
/* --cache: a directory, or a path one can be made at (no component a file). */
int hostbuild_check_cache(const char *cache, char *why, size_t why_size);
/* A Debian version as apt takes it: [EPOCH:]UPSTREAM[-REVISION], UPSTREAM from a digit. */
int hostbuild_check_version(const char *version, char *why, size_t why_size);

/* A directory that exists (--install ROOT). */
int hostbuild_check_dir(const char *path, char *why, size_t why_size);

/* One option for hostbuild_check_options(): value NULL (not given) passes. */
struct hostbuild_option {
	const char *name; /* "--cache" */
	const char *value;
	int (*check)(const char *value, char *why, size_t why_size);
};
/* Each option checked in order: 0, or the first refusal with why "--NAME VALUE: what it is". */
int hostbuild_check_options(const struct hostbuild_option *opts, size_t n, char *why,
                            size_t why_size);

/* The monotonic clock in seconds, for the time a build took. */
double hostbuild_now(void);

/* "ccimage: WHAT: what arg" on stderr unless quiet. */
void hostbuild_progress(const struct hostbuild *h, const char *what, const char *arg);

/*
 * Appends "LABEL VERSION-LINE\n" per tool to text (at *used); a missing tool
 * is -ENOENT with why "TOOL not found: HINT".
 */
int hostbuild_tools_key(const struct hostbuild_tool *tools, size_t n, const char *hint, char *text,
                        size_t size, size_t *used, char *why, size_t why_size);

/* Sets h->work and h->log for the key; nothing is created. */
int hostbuild_paths(struct hostbuild *h, const char *key);

/*
 * A fresh work directory (/var/tmp is everyone's: only a directory of this
 * user's is ever removed) with the build log open in it. The directory is
 * locked first (WORK.lock): the cache's key lock is per cache, and two caches
 * building the same key would share this directory.
 */
int hostbuild_begin(struct hostbuild *h, char *why, size_t why_size);

/* Runs one step, its output into the log; a failure's why names the log. */
int hostbuild_step(struct hostbuild *h, const char *what, const char *const *argv, const char *cwd,
                   char *why, size_t why_size);

/* Closes the log; the work directory goes when the build succeeded, else stays for the log. */
void hostbuild_end(struct hostbuild *h, bool succeeded);
