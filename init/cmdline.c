/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>

#include "init/base/log.h"
#include "init/steps.h"
#include "init/core/sys.h"

/* The effective log level: ccinit.log, else nvrc.log, else the default. */
static int effective_level(const struct ccinit_config *c)
{
	if (c->log_level_set)
		return c->log_level;
	if (c->nvrc_log_present && c->nvrc_log_level >= 0)
		return c->nvrc_log_level;
	return c->log_level;
}

int cmdline_read(struct boot *b)
{
	char cmdline[8192];
	int r = sys_read_file("/proc/cmdline", cmdline, sizeof(cmdline));
	if (r < 0)
		return boot_error(b, r, "reading /proc/cmdline");
	if ((size_t)r >= sizeof(cmdline) - 1)
		return boot_error(b, -E2BIG, "/proc/cmdline longer than %zu bytes",
		                  sizeof(cmdline));

	r = config_parse(&b->config, cmdline, b->why, sizeof(b->why));
	if (r < 0)
		return r;

	int level = effective_level(&b->config);
	log_set_max_level(level);
	/*
	 * The kernel rate-limits /dev/kmsg writers to a burst of 10 lines unless
	 * printk_devkmsg is on; the boot trace alone is longer. NVRC turns it on
	 * whenever nvrc.log is present; so do we, and whenever we log above warning.
	 */
	if (b->config.nvrc_log_present || level > LOG_WARNING) {
		r = sys_write_file("/proc/sys/kernel/printk_devkmsg", "on\n");
		if (r < 0)
			log_warning("cannot turn printk_devkmsg on (%d), messages may be dropped",
			            r);
	}
	log_info("ccinit %s, log level %s", CCINIT_VERSION, log_level_to_string(level));
	return 0;
}
