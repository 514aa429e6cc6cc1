/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include "init/core/boot.h"

/* ccinit.supervise=1 (supervise.c): run the agent as a child, stay PID 1, power off after it. */
_Noreturn void supervise(struct boot *b);
