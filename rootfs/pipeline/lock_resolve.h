/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stddef.h>

#include "rootfs/deb/apt.h"
#include "rootfs/recipe/lock.h"
#include "rootfs/recipe/recipe.h"

/* Asks the archive (apt must be updated) for today's version of every package. */
int lock_resolve(const struct recipe *r, struct apt *a, struct lock **ret, char *why,
                 size_t why_size);
