/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the agent's process gets, whichever model runs it (agent_process.c):
 * exec (handoff.c) and supervise (supervise.c) both start it from here.
 */
#pragma once

#include <stdbool.h>

#include "init/core/boot.h"

/* NOFILE and oom_score_adj as kata-agent expects them; inherited by the agent. */
int agent_limits(struct boot *b);

/*
 * KATA_ATTESTER_VARIANT=nvidia: a GPU came up or Kata's gpu extension is
 * mounted, unless ccinit.attester says otherwise.
 */
bool agent_attester_nvidia(const struct boot *b);

/*
 * The agent's environment: PATH, and KATA_ATTESTER_VARIANT=nvidia when
 * agent_attester_nvidia(). Nothing else: whatever the kernel passed to init
 * stays behind.
 */
char *const *agent_environment(const struct boot *b);

/* 0-2 on the console, every other descriptor but keep (-1: none; O_CLOEXEC) closed. */
int agent_descriptors(int keep);
