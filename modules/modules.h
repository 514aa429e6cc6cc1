/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Kernel modules on libkmod, in process: never modprobe, never an install
 * command, never configuration from outside the image. One opaque context
 * per module tree (the initramfs's, later the verified root's).
 *
 * Used by ccinit (loading) and by ccimage (resolving which files an image
 * needs). Functions return 0 or a negative errno; on failure `why` (when
 * given) names the module.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct modules_ctx;

/* What a boot uses a module for; a profile loads the rows whose need the boot has. */
enum module_need {
	NEED_ALWAYS = 0,
	NEED_ROOT = 1 << 0,      /* a verified root from disks */
	NEED_SCRATCH = 1 << 1,   /* an encrypted scratch disk */
	NEED_INTEGRITY = 1 << 2, /* dm-integrity under the scratch disk */
};

/* A module of a profile and the options the profile gives it. */
struct module_spec {
	const char *name;
	const char *options; /* NULL: none beyond the command line's */
	bool optional;       /* absent module is fine (e.g. built in on other kernels) */
	unsigned need;       /* enum module_need bits; NEED_ALWAYS: every boot */
};

struct module_profile {
	const char *name;
	const struct module_spec *modules;
	size_t count;
};

/* Profiles as data (modules/profiles.c). Returns NULL for an unknown name. */
const struct module_profile *module_profile_find(const char *name);

/*
 * A context over moddir (e.g. "/lib/modules/6.1.0-56-cloud-amd64"). Reads no
 * configuration files: options come from profiles, and from the kernel command
 * line ("<module>.<param>=", which libkmod reads from /proc/cmdline as modprobe
 * does; the command line is measured, so this is no outside input).
 */
int modules_new(const char *moddir, struct modules_ctx **ret);
struct modules_ctx *modules_free(struct modules_ctx *m);

/*
 * Called around each load: begin(label, userdata) with "module NAME" returns
 * a token that end(token, userdata) gets back. ccinit times each load in its
 * boot trace this way; ccimage sets none. hook NULL: none.
 */
struct modules_load_hook {
	int (*begin)(const char *label, void *userdata);
	void (*end)(int token, void *userdata);
	void *userdata;
};
void modules_set_load_hook(struct modules_ctx *m, const struct modules_load_hook *hook);

/*
 * Host side: calls fn for the path (relative to moddir) of name and of every
 * module it depends on (dependencies and softdeps), each once.
 */
int modules_resolve(struct modules_ctx *m, const char *name,
                    int (*fn)(const char *relpath, void *userdata), void *userdata, char *why,
                    size_t why_size);
