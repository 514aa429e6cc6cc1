/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Step 6: no module loads after this. Users asked NVRC for a way to load a
 * few more modules first (nvrc #212): ccinit.modules.extra, loaded from the
 * verified root, then kernel.modules_disabled=1, which cannot be undone.
 */
#include <errno.h>

#include "init/base/log.h"
#include "init/steps.h"
#include "init/sys.h"
#include "modules/modules.h"

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
	int r = sys_write_file("/proc/sys/kernel/modules_disabled", "1\n");
	if (r < 0)
		return boot_error(b, r, "setting kernel.modules_disabled=1");
	log_info("module loading disabled");
	return 0;
}
