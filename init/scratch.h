/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include "init/core/boot.h"

/* Mounts the writable layer (ccinit.scratch) on dir, with dir/upper and dir/work made. */
int scratch_mount(struct boot *b, const char *dir);
