/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Kernel config checks: a strict reader for a kernel .config, a reader for the
 * fragments in kernel-configs/ (kernel-configs/README.md defines their format),
 * and the comparison of one against the other. `ccimage kconfig check` is the
 * command on top (rootfs/ccimage/kconfig_cmd.c).
 *
 * Both readers take the bytes in memory and keep their own copy, so callers
 * may free the input as soon as a reader returns. On failure they return a
 * negative errno and fill *diag with the line and a message; they never log.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define KCONFIG_MAX_LINE 8192u       /* longest accepted line, newline excluded */
#define KCONFIG_MAX_FILE (16u << 20) /* a real .config is about 250 KiB */
#define KCONFIG_MAX_NAME 128u        /* longest symbol name, without CONFIG_ */

/* What a .config says about one symbol. */
enum kconfig_state {
	KCONFIG_ABSENT,  /* no line at all: unmet dependencies, or not in this kernel */
	KCONFIG_NOT_SET, /* "# CONFIG_X is not set" (or the rarer "CONFIG_X=n") */
	KCONFIG_Y,
	KCONFIG_M,
	KCONFIG_VALUE, /* a quoted string or a number, kept as written */
};

struct kconfig_option {
	const char *name; /* without the CONFIG_ prefix */
	enum kconfig_state state;
	const char *value; /* the text after '=' for KCONFIG_VALUE, else NULL */
	unsigned line;
};

/* A kernel version as "since:" and a .config's header name it: 6.16 is KCONFIG_VERSION(6, 16). */
#define KCONFIG_VERSION(major, minor) ((unsigned)(major) << 8 | (unsigned)(minor))

struct kconfig {
	char *buf;
	struct kconfig_option *opts; /* sorted by name */
	size_t n;
	unsigned version; /* from "# Linux/x86 6.12.118 Kernel Configuration"; 0 when not named */
};

struct kconfig_diag {
	unsigned line; /* 1-based; 0 when the problem is not on one line */
	char msg[200];
};

/*
 * Reads a .config: blank lines, comments, "CONFIG_X=y|m|n|"string"|number"
 * and "# CONFIG_X is not set". Anything else, a line longer than
 * KCONFIG_MAX_LINE, a NUL byte or a symbol given twice is an error.
 * Returns: 0, -EINVAL (diag says where), -EFBIG, -ENOMEM.
 */
int kconfig_parse(const char *data, size_t len, struct kconfig *ret, struct kconfig_diag *diag);

/* Returns: the symbol's line, or NULL when the .config does not name it. */
const struct kconfig_option *kconfig_find(const struct kconfig *c, const char *name);

void kconfig_done(struct kconfig *c);

enum kconfig_severity {
	KCONFIG_SEV_ERROR,
	KCONFIG_SEV_WARNING,
};

/* Accepted tristate values of one wanted option. */
enum {
	KCONFIG_ACCEPT_N = 1u << 0, /* not set, or absent */
	KCONFIG_ACCEPT_M = 1u << 1,
	KCONFIG_ACCEPT_Y = 1u << 2,
};

/* One option line of a fragment, with the directives above it. */
struct kconfig_want {
	const char *name;  /* without CONFIG_ */
	unsigned accept;   /* KCONFIG_ACCEPT_* for y/m/n wants; 0 for a value want */
	const char *value; /* value wants: the exact text after '=' */
	enum kconfig_severity severity;
	char *why;
	unsigned line;
	unsigned since; /* "# since: 6.16": KCONFIG_VERSION of the first kernel with it; 0: any */
	unsigned until; /* "# until: 7.2": KCONFIG_VERSION of a kernel known to lack it; 0: none */
};

struct kconfig_fragment {
	char *buf;
	enum kconfig_severity severity; /* the fragment's default */
	struct kconfig_want *wants;     /* in file order */
	size_t n;
};

/*
 * Reads a fragment (kernel-configs/README.md). Every option needs a "# why:"
 * block above it; unknown directives, an option named twice, an "accept:"
 * that excludes the option's own value, or a fragment with no option are
 * errors. Returns: 0, -EINVAL (diag says where), -EFBIG, -ENOMEM.
 */
int kconfig_fragment_parse(const char *data, size_t len, struct kconfig_fragment *ret,
                           struct kconfig_diag *diag);

void kconfig_fragment_done(struct kconfig_fragment *f);

enum kconfig_verdict {
	KCONFIG_OK,
	KCONFIG_MISSING,  /* wanted y/m/value, the .config has no line for it */
	KCONFIG_UNSET,    /* wanted y/m/value, the .config says "is not set" */
	KCONFIG_WRONG,    /* the .config has another value */
	KCONFIG_PREDATES, /* no line, and the .config's kernel is older than the want's since: */
	KCONFIG_GONE,     /* no line, and the .config's kernel is the want's until: or newer */
};

/*
 * Compares one want with the .config; *ret_actual gets the .config's line or
 * NULL. KCONFIG_OK, KCONFIG_PREDATES and KCONFIG_GONE satisfy the want
 * (kconfig_satisfied).
 */
enum kconfig_verdict kconfig_match(const struct kconfig *c, const struct kconfig_want *w,
                                   const struct kconfig_option **ret_actual);

/* "y", "y|m", "not set", or the value; buf must hold at least 16 bytes. */
const char *kconfig_want_text(const struct kconfig_want *w, char *buf, size_t size);

/* "absent", "not set", "y", "m" or the value. */
const char *kconfig_actual_text(const struct kconfig_option *o);

const char *kconfig_verdict_name(enum kconfig_verdict v);
bool kconfig_satisfied(enum kconfig_verdict v);
const char *kconfig_severity_name(enum kconfig_severity s);

/* The exit status for a check: 1 with errors, or with warnings when strict; else 0. */
int kconfig_exit_status(size_t errors, size_t warnings, bool strict);

/*
 * The directory of the shipped fragments: opt_dir, then $CCIMAGE_KCONFIG_DIR,
 * then beside the binary (build/ccimage in a checkout, PREFIX/bin/ccimage
 * installed), then ./kernel-configs. -ENOENT when it is not a directory (buf
 * names the last place tried).
 */
int kconfig_fragment_dir(const char *opt_dir, char *buf, size_t size);
