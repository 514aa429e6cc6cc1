/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The wrapper that fixes libkmod's behaviour (modules/README.md, 2):
 *  - no configuration: kmod_new() gets an empty config vector, so nothing
 *    under /etc, /run or /lib/modprobe.d is read (depmod's own
 *    modules.softdep in the tree still is: it is part of the image);
 *  - never a spawn: KMOD_PROBE_IGNORE_COMMAND, so an `install` line can
 *    never run a program through system(3);
 *  - its log goes through ours, at our level.
 */
#include <errno.h>
#include <libkmod.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "init/base/log.h"
#include "init/base/why.h"
#include "modules/modules.h"

struct modules_ctx {
	struct kmod_ctx *kmod;
	struct modules_load_hook hook; /* begin NULL: none */
	char moddir[256];
};

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

int modules_load(struct modules_ctx *m, const char *name, const char *options, char *why,
                 size_t why_size)
{
	struct kmod_list *list = NULL, *l;
	char label[48];
	snprintf(label, sizeof(label), "module %s", name);
	int t = m->hook.begin ? m->hook.begin(label, m->hook.userdata) : -1;
	int r = lookup(m, name, &list, why, why_size);

	kmod_list_foreach(l, list)
	{
		struct kmod_module *mod = kmod_module_get_module(l);
		/* Not FAIL_ON_LOADED: loaded or built in already is what we want. */
		r = kmod_module_probe_insert_module(mod, KMOD_PROBE_IGNORE_COMMAND, options, NULL,
		                                    NULL, NULL);
		if (r < 0)
			why_set(why, why_size, r, "module %s (%s): load failed", name,
			        kmod_module_get_name(mod));
		else
			log_debug("module %s loaded", kmod_module_get_name(mod));
		kmod_module_unref(mod);
		if (r < 0)
			break;
	}
	kmod_module_unref_list(list);
	if (m->hook.end)
		m->hook.end(t, m->hook.userdata);
	return r;
}

int modules_load_profile(struct modules_ctx *m, const struct module_profile *p, unsigned needs,
                         char *why, size_t why_size)
{
	for (size_t i = 0; i < p->count; i++) {
		const struct module_spec *s = &p->modules[i];
		if (s->need != NEED_ALWAYS && !(s->need & needs))
			continue;
		int r = modules_load(m, s->name, s->options, why, why_size);
		if (r == -ENOENT && s->optional) {
			log_info("module %s: not in the tree, optional", s->name);
			continue;
		}
		if (r < 0)
			return r;
	}
	return 0;
}

/* Calls fn once per module file, following dependencies and softdeps depth first. */
static int resolve_one(struct modules_ctx *m, struct kmod_module *mod,
                       int (*fn)(const char *, void *), void *userdata, char *why, size_t why_size,
                       unsigned depth)
{
	if (depth > 32)
		return why_set(why, why_size, -ELOOP, "module %s: dependency chain too deep",
		               kmod_module_get_name(mod));
	const char *path = kmod_module_get_path(mod);
	if (!path)
		return 0; /* built in: nothing to ship */

	struct kmod_list *deps = kmod_module_get_dependencies(mod), *pre = NULL, *post = NULL, *l;
	int r = 0;
	(void)kmod_module_get_softdeps(mod, &pre, &post);
	struct kmod_list *groups[] = {deps, pre, post};
	for (size_t g = 0; g < 3 && r >= 0; g++) {
		kmod_list_foreach(l, groups[g])
		{
			struct kmod_module *dep = kmod_module_get_module(l);
			r = resolve_one(m, dep, fn, userdata, why, why_size, depth + 1);
			kmod_module_unref(dep);
			if (r < 0)
				break;
		}
	}
	kmod_module_unref_list(deps);
	kmod_module_unref_list(pre);
	kmod_module_unref_list(post);
	if (r < 0)
		return r;

	size_t dirlen = strlen(m->moddir);
	if (strncmp(path, m->moddir, dirlen) == 0 && path[dirlen] == '/')
		path += dirlen + 1;
	return fn(path, userdata);
}

int modules_resolve(struct modules_ctx *m, const char *name,
                    int (*fn)(const char *relpath, void *userdata), void *userdata, char *why,
                    size_t why_size)
{
	struct kmod_list *list = NULL, *l;
	int r = lookup(m, name, &list, why, why_size);
	if (r < 0)
		return r;
	kmod_list_foreach(l, list)
	{
		struct kmod_module *mod = kmod_module_get_module(l);
		r = resolve_one(m, mod, fn, userdata, why, why_size, 0);
		kmod_module_unref(mod);
		if (r < 0)
			break;
	}
	kmod_module_unref_list(list);
	return r;
}
