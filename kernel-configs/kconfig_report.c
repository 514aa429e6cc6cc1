/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Words for a check's results: the wanted and actual values as text, the
 * names used in --json, the exit status.
 */
#include "kernel-configs/kconfig.h"

#include <stdio.h>
#include <string.h>

const char *kconfig_want_text(const struct kconfig_want *w, char *buf, size_t size)
{
	static const struct {
		unsigned bit;
		const char *name;
	} order[] = {{KCONFIG_ACCEPT_Y, "y"}, {KCONFIG_ACCEPT_M, "m"}, {KCONFIG_ACCEPT_N, "n"}};
	size_t used = 0;

	if (!w->accept)
		return w->value;
	if (w->accept == KCONFIG_ACCEPT_N)
		return "not set";
	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		if (w->accept & order[i].bit) {
			int n = snprintf(buf + used, size - used, "%s%s", used ? "|" : "",
			                 order[i].name);
			if (n < 0 || (size_t)n >= size - used)
				break;
			used += (size_t)n;
		}
	return buf;
}

const char *kconfig_actual_text(const struct kconfig_option *o)
{
	if (!o)
		return "absent";
	switch (o->state) {
	case KCONFIG_Y:
		return "y";
	case KCONFIG_M:
		return "m";
	case KCONFIG_VALUE:
		return o->value;
	case KCONFIG_NOT_SET:
	case KCONFIG_ABSENT:
		break;
	}
	return "not set";
}

const char *kconfig_verdict_name(enum kconfig_verdict v)
{
	static const char *const names[] = {
	        [KCONFIG_OK] = "ok",
	        [KCONFIG_MISSING] = "missing",
	        [KCONFIG_UNSET] = "not-set",
	        [KCONFIG_WRONG] = "mismatch",
	        [KCONFIG_PREDATES] = "predates",
	        [KCONFIG_GONE] = "gone",
	};

	return (unsigned)v < sizeof(names) / sizeof(names[0]) ? names[v] : "mismatch";
}

bool kconfig_satisfied(enum kconfig_verdict v)
{
	return v == KCONFIG_OK || v == KCONFIG_PREDATES || v == KCONFIG_GONE;
}

const char *kconfig_severity_name(enum kconfig_severity s)
{
	return s == KCONFIG_SEV_WARNING ? "warning" : "error";
}

int kconfig_exit_status(size_t errors, size_t warnings, bool strict)
{
	return errors || (strict && warnings)
	               ? 1
	               : 0; /* rootfs/ccimage/command.h: EXIT_CHECK, EXIT_OK */
}
