/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The build key's text: every input the kernel build (build.c) and its
 * NVIDIA modules (nvidia.c) name, appended in order, then hashed into the
 * cache key.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include "kernel-configs/kernel-build/kbuild.h"

int kbuild_key_add(struct kbuild_key *k, ...)
{
	va_list ap;
	const char *s;

	va_start(ap, k);
	while ((s = va_arg(ap, const char *)) && k->used < sizeof(k->text))
		k->used += (size_t)snprintf(k->text + k->used, sizeof(k->text) - k->used, "%s", s);
	va_end(ap);
	return k->used < sizeof(k->text) ? 0 : -ENAMETOOLONG;
}
