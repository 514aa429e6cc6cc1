/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Step 3: the early modules, from the initramfs's own module tree, with
 * libkmod in process (never modprobe). Only a boot that assembles a verified
 * root from disks needs them; a boot whose root is the initramfs itself loads
 * nothing.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>

#include "init/base/log.h"
#include "init/steps.h"
#include "init/core/modules_load.h"

/* Opens a module context over <root>/lib/modules/<running kernel>, or sets none if absent. */
int modules_open_tree(struct boot *b, const char *root)
{
	struct utsname u;
	char moddir[256];
	struct stat st;

	b->modules = modules_free(b->modules);
	if (uname(&u) < 0)
		return boot_error(b, -errno, "uname");
	if (snprintf(moddir, sizeof(moddir), "%s/lib/modules/%s", root, u.release) >=
	    (int)sizeof(moddir))
		return boot_error(b, -ENAMETOOLONG, "module directory");
	if (stat(moddir, &st) < 0)
		return 0;
	int r = modules_new(moddir, &b->modules);
	if (r < 0)
		return boot_error(b, r, "libkmod context over %s", moddir);
	modules_set_trace(b->modules, &b->trace);
	return 0;
}

/* What this boot's command line will use the storage modules for. */
static unsigned storage_needs(const struct ccinit_config *c)
{
	unsigned needs = 0;
	if (c->root[0] || c->extension_count)
		needs |= NEED_ROOT; /* extensions are verity + erofs disks too */
	if (c->scratch[0] && strcmp(c->scratch, "tmpfs") != 0)
		needs |= NEED_SCRATCH;
	if (needs & NEED_SCRATCH && c->scratch_integrity != INTEGRITY_NONE)
		needs |= NEED_INTEGRITY;
	return needs;
}

int modules_early(struct boot *b)
{
	unsigned needs = storage_needs(&b->config);
	int r = modules_open_tree(b, "");
	if (r < 0)
		return r;
	if (!needs)
		return 0;
	if (!b->modules)
		return boot_error(b, -ENOENT, "the initramfs has no module tree for this kernel");
	return modules_load_profile(b->modules, module_profile_find("storage"), needs, b->why,
	                            sizeof(b->why));
}
