/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Step 6: no module loads after this. Users asked NVRC for a way to load a
 * few more modules first (nvrc #212): ccinit.modules.extra, loaded from the
 * verified root, then kernel.modules_disabled=1, which cannot be undone, read
 * back to be sure. A kernel built without module support has no such sysctl
 * (NVRC tolerates it, nvrc #221): nothing can be loaded, so that is a notice.
 */
#include <errno.h>
#include <string.h>

#include "init/base/log.h"
#include "init/steps.h"
#include "init/core/sys.h"
#include "init/core/modules_load.h"

#define MODULES_DISABLED "/proc/sys/kernel/modules_disabled"

int lockdown(struct boot *b)
{
	const struct name_list *extra = &b->config.modules_extra;
	if (extra->count && !b->modules)
		return boot_error(b, -ENOENT,
		                  "ccinit.modules.extra given, but the root has no modules");
	for (unsigned i = 0; i < extra->count; i++) {
		int r = modules_load(b->modules, extra->names[i], NULL, b->why, sizeof(b->why));
		if (r < 0)
			return r;
	}
	int r = sys_write_file(MODULES_DISABLED, "1\n");
	if (r == -ENOENT) {
		/* No such sysctl: the kernel has no module support, so nothing can be loaded. */
		log_notice("kernel without module support (no %s): nothing to disable",
		           MODULES_DISABLED);
		return 0;
	}
	if (r < 0)
		return boot_error(b, r, "setting kernel.modules_disabled=1");
	/* A write that "succeeded" but did not take would leave module loading open. */
	char value[16];
	r = sys_read_file(MODULES_DISABLED, value, sizeof(value));
	if (r < 0)
		return boot_error(b, r, "reading kernel.modules_disabled back");
	if (strcmp(value, "1") != 0)
		return boot_error(b, -EPERM, "kernel.modules_disabled reads '%s' after writing 1",
		                  value);
	log_info("module loading disabled");
	return 0;
}
