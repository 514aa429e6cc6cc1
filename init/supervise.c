/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ccinit.supervise=1, the tini model: ccinit stays PID 1, reaps every child,
 * forwards SIGTERM/SIGINT to the agent, and powers off when the agent exits,
 * logging how it ended. An agent that never ran (exec failed: no exec bit, a
 * script without #!, a missing interpreter) is a boot failure naming the
 * cause, not an exit status: the child reports exec's errno through a pipe
 * that exec closes (O_CLOEXEC), so an empty read means the agent is running.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "init/handoff.h"
#include "init/log.h"
#include "init/steps.h"
#include "init/sys.h"

/* The child's side: ends in exec or _exit, never back in PID 1's code. */
_Noreturn static void run_agent(struct boot *b, int report)
{
	char *const argv[] = {b->config.agent, NULL};
	log_close();
	int err = handoff_descriptors(report);
	if (err == 0) {
		signals_reset_for_exec();
		setsid();
		execve(b->config.agent, argv, agent_environment(b));
		err = -errno;
	}
	while (write(report, &err, sizeof(err)) < 0 && errno == EINTR)
		;
	_exit(127);
}

/* 0 once the agent runs; the exec's negative errno when it could not. */
static int exec_result(int report)
{
	int err = 0;
	ssize_t n;
	while ((n = read(report, &err, sizeof(err))) < 0 && errno == EINTR)
		;
	return n == (ssize_t)sizeof(err) ? err : 0;
}

static void log_exit(pid_t pid, int status)
{
	if (WIFEXITED(status))
		log_msg(WEXITSTATUS(status) ? LOG_WARNING : LOG_NOTICE,
		        "agent (pid %d) exited with status %d; powering off", (int)pid,
		        WEXITSTATUS(status));
	else
		log_warning("agent (pid %d) killed by signal %d; powering off", (int)pid,
		            WTERMSIG(status));
}

_Noreturn void supervise(struct boot *b)
{
	int pipefd[2];
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		boot_fail(b, "handoff", boot_error(b, -errno, "pipe"));
	pid_t agent = fork();
	if (agent < 0)
		boot_fail(b, "handoff", boot_error(b, -errno, "fork"));
	if (agent == 0) {
		close(pipefd[0]);
		run_agent(b, pipefd[1]);
	}
	close(pipefd[1]);
	int r = exec_result(pipefd[0]);
	close(pipefd[0]);
	if (r < 0) {
		(void)waitpid(agent, NULL, 0);
		boot_fail(b, "handoff",
		          boot_error(b, r, "exec %s%s", b->config.agent,
		                     r == -ENOEXEC ? " (not an executable: a script without #!?)"
		                                   : ""));
	}
	log_info("supervising agent %s (pid %d)", b->config.agent, (int)agent);

	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	for (;;) {
		siginfo_t info;
		if (sigwaitinfo(&set, &info) < 0)
			continue;
		if (info.si_signo == SIGTERM || info.si_signo == SIGINT) {
			(void)kill(agent, info.si_signo);
			continue;
		}
		/* Reap until nothing is left: orphans reparented to us included. */
		for (;;) {
			int status;
			pid_t pid = waitpid(-1, &status, WNOHANG);
			if (pid <= 0)
				break;
			if (pid == agent) {
				log_exit(pid, status);
				boot_terminate(b);
			}
		}
	}
}
