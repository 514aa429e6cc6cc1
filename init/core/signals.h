/* SPDX-License-Identifier: Apache-2.0 */
/* PID 1's signal discipline: everything but the faults blocked, all of it reset for an exec. */
#pragma once

void signals_block_all(void);
void signals_reset_for_exec(void);
