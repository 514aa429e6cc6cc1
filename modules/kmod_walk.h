/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Inside modules/ only: the context and the one dependency walk that both
 * resolving (kmod.c, host and guest) and loading (load.c, guest) follow, so
 * the files an image carries and the order ccinit loads them in come from
 * the same code.
 */
#pragma once

#include <libkmod.h>

#include "modules/modules.h"

struct modules_ctx {
	struct kmod_ctx *kmod;
	struct modules_load_hook hook; /* begin NULL: none */
	char moddir[256];
};

/* How the walk reached a module. */
enum modules_walk_role {
	WALK_NAMED = 1 << 0, /* the module the caller named (extra options are its) */
	WALK_SOFT = 1 << 1,  /* a softdep, or below one: kmod does not fail a probe on it */
};

/*
 * Calls fn for name's modules in kmod's probe order: each dependency
 * (modules.dep is already transitive) between its own pre and post
 * softdeps, then the module between its softdeps. A built-in module
 * (kmod_module_get_path NULL) is visited alone. A negative fn return stops
 * the walk; -ENOENT when the tree has no such module.
 */
typedef int (*modules_visit_fn)(struct kmod_module *mod, unsigned roles, void *userdata);
int modules_walk(struct modules_ctx *m, const char *name, modules_visit_fn fn, void *userdata,
                 char *why, size_t why_size);
