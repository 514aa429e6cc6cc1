/* SPDX-License-Identifier: Apache-2.0 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "init/base/why.h"

int why_set(char *why, size_t size, int err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	if (why && size)
		vsnprintf(why, size, fmt, ap);
	va_end(ap);
	return err;
}

const char *why_or_errno(const char *why, int err)
{
	return why && why[0] ? why : strerror(-err);
}
