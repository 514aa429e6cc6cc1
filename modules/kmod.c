/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The wrapper that fixes libkmod's behaviour (modules/README.md, 2):
 *  - no configuration: kmod_new() gets an empty config vector, so nothing
 *    under /etc, /run or /lib/modprobe.d is read (depmod's own
 *    modules.softdep in the tree still is: it is part of the image);
 *  - never a spawn, never an insert: libkmod only looks up and walks
 *    dependencies (modules_walk); load.c hands each file to the kernel, so
 *    an `install` line can never run a program through system(3);
 *  - its log goes through ours, at our level.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "init/base/log.h"
#include "init/base/why.h"
#include "modules/kmod_walk.h"

static void kmod_log(void *data, int priority, const char *file, int line, const char *fn,
                     const char *format, va_list args)
{
	(void)data, (void)file, (void)line, (void)fn;
	char msg[512];
	vsnprintf(msg, sizeof(msg), format, args);
	size_t len = strlen(msg);
	if (len && msg[len - 1] == '\n')
		msg[len - 1] = '\0';
	/* libkmod reports at its own levels; an error there is ours to judge, so debug at most
	 * info. */
	log_msg(priority <= LOG_ERR ? LOG_INFO : LOG_DEBUG, "libkmod: %s", msg);
}

int modules_new(const char *moddir, struct modules_ctx **ret)
{
	static const char *const no_config[] = {NULL};
	struct modules_ctx *m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	if (snprintf(m->moddir, sizeof(m->moddir), "%s", moddir) >= (int)sizeof(m->moddir)) {
		free(m);
		return -ENAMETOOLONG;
	}
	m->kmod = kmod_new(moddir, no_config);
	if (!m->kmod) {
		free(m);
		return -ENOMEM;
	}
	kmod_set_log_fn(m->kmod, kmod_log, NULL);
	kmod_set_log_priority(m->kmod, log_get_max_level() >= LOG_DEBUG ? LOG_DEBUG : LOG_ERR);
	/* Index files are mmapped once up front rather than reopened per lookup. */
	int r = kmod_load_resources(m->kmod);
	if (r < 0) {
		modules_free(m);
		return r;
	}
	*ret = m;
	return 0;
}

struct modules_ctx *modules_free(struct modules_ctx *m)
{
	if (!m)
		return NULL;
	kmod_unref(m->kmod);
	free(m);
	return NULL;
}

void modules_set_load_hook(struct modules_ctx *m, const struct modules_load_hook *hook)
{
	m->hook = hook ? *hook : (struct modules_load_hook){0};
}

/* Resolves a name (or alias) to modules; -ENOENT when the tree has none. */
static int lookup(struct modules_ctx *m, const char *name, struct kmod_list **ret, char *why,
                  size_t why_size)
{
	struct kmod_list *list = NULL;
	int r = kmod_module_new_from_lookup(m->kmod, name, &list);
	if (r < 0)
		return why_set(why, why_size, r, "module %s: lookup in %s", name, m->moddir);
	if (!list)
		return why_set(why, why_size, -ENOENT, "module %s: not found in %s", name,
		               m->moddir);
	*ret = list;
	return 0;
}

/*
 * mod between its pre and post softdeps (each walked whole); with deps, mod's
 * dependencies first, each between its own softdeps (modules.dep is
 * transitive, so a dependency's dependencies are already in the list).
 */
static int walk_one(struct modules_ctx *m, struct kmod_module *mod, unsigned roles, bool deps,
                    modules_visit_fn fn, void *userdata, char *why, size_t why_size, unsigned depth)
{
	if (depth > 32)
		return why_set(why, why_size, -ELOOP, "module %s: dependency chain too deep",
		               kmod_module_get_name(mod));
	if (!kmod_module_get_path(mod))
		return fn(mod, roles, userdata); /* built in: no file, no dependencies */

	struct kmod_list *dep = deps ? kmod_module_get_dependencies(mod) : NULL, *pre = NULL,
	                 *post = NULL, *l;
	int r = 0;
	(void)kmod_module_get_softdeps(mod, &pre, &post);
	kmod_list_foreach(l, dep)
	{
		struct kmod_module *d = kmod_module_get_module(l);
		r = walk_one(m, d, roles & ~WALK_NAMED, false, fn, userdata, why, why_size,
		             depth + 1);
		kmod_module_unref(d);
		if (r < 0)
			break;
	}
	struct kmod_list *groups[] = {pre, NULL, post};
	for (size_t g = 0; g < 3 && r >= 0; g++) {
		if (g == 1) {
			r = fn(mod, roles, userdata);
			continue;
		}
		kmod_list_foreach(l, groups[g])
		{
			struct kmod_module *s = kmod_module_get_module(l);
			r = walk_one(m, s, (roles & ~WALK_NAMED) | WALK_SOFT, true, fn, userdata,
			             why, why_size, depth + 1);
			kmod_module_unref(s);
			if (r < 0)
				break;
		}
	}
	kmod_module_unref_list(dep);
	kmod_module_unref_list(pre);
	kmod_module_unref_list(post);
	return r;
}

int modules_walk(struct modules_ctx *m, const char *name, modules_visit_fn fn, void *userdata,
                 char *why, size_t why_size)
{
	struct kmod_list *list = NULL, *l;
	int r = lookup(m, name, &list, why, why_size);
	if (r < 0)
		return r;
	kmod_list_foreach(l, list)
	{
		struct kmod_module *mod = kmod_module_get_module(l);
		r = walk_one(m, mod, WALK_NAMED, true, fn, userdata, why, why_size, 0);
		kmod_module_unref(mod);
		if (r < 0)
			break;
	}
	kmod_module_unref_list(list);
	return r;
}

struct resolve {
	const char *moddir;
	int (*fn)(const char *relpath, void *userdata);
	void *userdata;
};

static int resolve_visit(struct kmod_module *mod, unsigned roles, void *userdata)
{
	const struct resolve *rs = userdata;
	const char *path = kmod_module_get_path(mod);
	(void)roles;
	if (!path)
		return 0; /* built in: nothing to ship */
	size_t dirlen = strlen(rs->moddir);
	if (strncmp(path, rs->moddir, dirlen) == 0 && path[dirlen] == '/')
		path += dirlen + 1;
	return rs->fn(path, rs->userdata);
}

int modules_resolve(struct modules_ctx *m, const char *name,
                    int (*fn)(const char *relpath, void *userdata), void *userdata, char *why,
                    size_t why_size)
{
	struct resolve rs = {.moddir = m->moddir, .fn = fn, .userdata = userdata};
	return modules_walk(m, name, resolve_visit, &rs, why, why_size);
}
