/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Step 7: hand control to the agent. Two models, chosen explicitly:
 *  - exec (default, the s6 model): the agent becomes PID 1. kata-agent's init
 *    mode reaps and powers off when it ends, so ccinit leaves nothing behind.
 *  - supervise (ccinit.supervise=1, init/supervise.c): the agent is PID 1 of
 *    a new PID namespace, ccinit stays the real PID 1, reaps, forwards
 *    SIGTERM/SIGINT to the agent, and powers off when the agent has gone,
 *    logging how it ended.
 * Either way the agent passes init/agent_check.c first, and gets exactly what
 * kata-agent expects (init/agent_process.c).
 */
#include <errno.h>
#include <unistd.h>

#include "init/agent_check.h"
#include "init/agent_process.h"
#include "init/base/log.h"
#include "init/core/signals.h"
#include "init/steps.h"
#include "init/supervise.h"
#include "init/core/sys.h"
#include "init/core/trace.h"

static int exec_agent(struct boot *b)
{
	char *const argv[] = {b->config.agent, NULL};
	log_close(); /* O_CLOEXEC anyway; closing first keeps the descriptor scan honest */
	int r = agent_descriptors(-1);
	if (r < 0) {
		log_open();
		return boot_error(b, r, "setting up the agent's descriptors");
	}
	signals_reset_for_exec();
	execve(b->config.agent, argv, agent_environment(b));
	r = -errno;
	signals_block_all();
	log_open();
	return boot_error(b, r, "exec %s", b->config.agent);
}

_Noreturn void handoff(struct boot *b)
{
	int r = agent_check(b);
	if (r >= 0)
		r = agent_limits(b);
	if (r < 0)
		boot_fail(b, "handoff", r);
	trace_print(&b->trace, sys->now_ns());
	if (b->config.supervise)
		supervise(b);
	log_info("handing off to %s%s", b->config.agent,
	         agent_attester_nvidia(b) ? " with KATA_ATTESTER_VARIANT=nvidia" : "");
	boot_fail(b, "handoff", exec_agent(b));
}
