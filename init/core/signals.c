/* SPDX-License-Identifier: Apache-2.0 */
#include <signal.h>
#include <stddef.h>

#include "init/core/signals.h"

/*
 * Synchronous faults stay unblocked: blocking them only turns a crash into an
 * endless loop. Everything else is blocked and, where PID 1 cares, consumed
 * with sigwaitinfo() (the supervisor); the kernel drops unblocked
 * default-action signals sent to init, so nothing is lost by blocking.
 */
static const int fault_signals[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP, SIGSYS};

void signals_block_all(void)
{
	sigset_t set;
	sigfillset(&set);
	for (size_t i = 0; i < sizeof(fault_signals) / sizeof(fault_signals[0]); i++)
		sigdelset(&set, fault_signals[i]);
	sigprocmask(SIG_BLOCK, &set, NULL);
}

/* What an exec'd program must not inherit: a blocked mask or ignored signals. */
void signals_reset_for_exec(void)
{
	struct sigaction sa = {.sa_handler = SIG_DFL};
	sigemptyset(&sa.sa_mask);
	for (int sig = 1; sig < NSIG; sig++)
		(void)sigaction(sig, &sa, NULL); /* SIGKILL, SIGSTOP and the RT gaps refuse: fine */
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}
