/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include "init/core/boot.h"

/* The agent passes these before it runs (agent_check.c). */
int agent_check(struct boot *b);
