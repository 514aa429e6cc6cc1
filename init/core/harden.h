/* SPDX-License-Identifier: Apache-2.0 */
/* How ccinit confines the daemons it starts (init/core/harden.c). */
#pragma once

#include <linux/filter.h>
#include <stdbool.h>

struct harden {
	bool as_user;      /* run as uid/gid (supplementary groups: just gid) */
	unsigned uid, gid; /* from the image's /etc/passwd */
};

/* Where harden_apply gave up (errno says why). */
enum {
	HARDEN_OK,
	HARDEN_CAPS,
	HARDEN_GROUPS,
	HARDEN_USER,
	HARDEN_NO_NEW_PRIVS,
	HARDEN_SECCOMP,
};

/*
 * In a child about to exec: the capability bounding set (empty for a user
 * daemon, without module, boot, ptrace, raw I/O and the like for a root
 * one), the user, no_new_privs, the seccomp filter. Returns HARDEN_OK or the
 * step that failed, with errno set. Irreversible: only ever in a child.
 */
int harden_apply(const struct harden *h);
const char *harden_step_name(int step);

/* Lays the seccomp program out in prog (max instructions); returns its length or -ENOSPC. */
int harden_filter(struct sock_filter *prog, unsigned max);
