/* SPDX-License-Identifier: Apache-2.0 */
/* The hand-off's parts (step 7), shared by exec (handoff.c) and supervise (supervise.c). */
#pragma once

#include "init/boot.h"

/*
 * The agent's environment: PATH, and KATA_ATTESTER_VARIANT=nvidia when a GPU
 * came up or Kata's gpu extension is mounted (ccinit.attester overrides).
 * Nothing else: whatever the kernel passed to init stays behind.
 */
char *const *agent_environment(const struct boot *b);

/* 0-2 on the console, every other descriptor but keep (-1: none; O_CLOEXEC) closed. */
int handoff_descriptors(int keep);

/* The agent passes these before it runs (init/agent_check.c). */
int agent_check(struct boot *b);

/* ccinit.supervise=1: run the agent as a child, stay PID 1, power off after it. */
_Noreturn void supervise(struct boot *b);
