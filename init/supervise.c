/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ccinit.supervise=1: ccinit stays the real PID 1 and runs the agent as PID 1
 * of a new PID namespace, so kata-agent keeps its init mode (it mounts
 * devpts, /dev/shm and cgroups, brings up lo and sets the hostname only when
 * getpid() is 1), and its reboot() becomes an ending ccinit sees: in a child
 * PID namespace reboot() kills the namespace's init with SIGINT (power off,
 * halt) or SIGHUP (restart) instead of stopping the machine, which also ends
 * the race between the agent's reboot() and the host shim. The agent gets its
 * own mount namespace (slave to ours) with a /proc of its PID namespace.
 *
 * ccinit reaps, forwards SIGTERM and SIGINT (as init of its namespace the
 * agent receives them only if it handles them), and powers off when the agent
 * has gone, logging how. An agent that never ran (exec failed: no exec bit, a
 * script without #!) is a boot failure naming the cause, not an exit status:
 * the child reports the failing step and errno through a pipe that exec
 * closes (O_CLOEXEC), so an empty read means the agent is running.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include "init/agent_process.h"
#include "init/base/log.h"
#include "init/core/signals.h"
#include "init/steps.h"
#include "init/supervise.h"
#include "init/core/sys.h"

/* What the child did last before giving up, for the parent's message. */
static const char *const child_steps[] = {
        "exec",                                 /* the agent itself */
        "unshare(CLONE_NEWNS) for the agent",   /* its mount namespace */
        "making / a slave mount for the agent", /* our mounts must not see its */
        "mounting /proc of the agent's PID namespace",
        "setting up the agent's descriptors",
};

struct child_report {
	int err;  /* negative errno */
	int step; /* index into child_steps */
};

static int own_mounts(void)
{
	if (sys->unshare(CLONE_NEWNS) < 0)
		return 1;
	if (sys->mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0)
		return 2;
	if (sys->mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		return 3;
	return 0;
}

/* The child's side, PID 1 of the new namespace: ends in exec or _exit. */
_Noreturn static void run_agent(struct boot *b, int report)
{
	char *const argv[] = {b->config.agent, NULL};
	struct child_report rep = {0, 0};
	log_close();
	/* The seam returns -errno; errno is what the report carries either way. */
	errno = 0;
	rep.step = own_mounts();
	if (rep.step == 0 && agent_descriptors(report) < 0)
		rep.step = 4;
	if (rep.step == 0) {
		signals_reset_for_exec();
		setsid();
		execve(b->config.agent, argv, agent_environment(b));
	}
	rep.err = errno ? -errno : -EIO;
	while (write(report, &rep, sizeof(rep)) < 0 && errno == EINTR)
		;
	_exit(127);
}

/* 0 once the agent runs; otherwise the child's report. */
static int child_result(int report, struct child_report *rep)
{
	ssize_t n;
	while ((n = read(report, rep, sizeof(*rep))) < 0 && errno == EINTR)
		;
	if (n != (ssize_t)sizeof(*rep))
		return 0;
	if (rep->step < 0 || rep->step >= (int)(sizeof(child_steps) / sizeof(child_steps[0])))
		rep->step = 0;
	return rep->err < 0 ? rep->err : -EIO;
}

static void log_exit(pid_t pid, int status)
{
	if (WIFEXITED(status))
		log_msg(WEXITSTATUS(status) ? LOG_WARNING : LOG_NOTICE,
		        "agent (pid %d) exited with status %d; powering off", (int)pid,
		        WEXITSTATUS(status));
	else if (WTERMSIG(status) == SIGINT || WTERMSIG(status) == SIGHUP)
		log_notice("agent (pid %d) ended by %s: its reboot(%s) in its PID namespace (or a "
		           "forwarded signal); powering off",
		           (int)pid, WTERMSIG(status) == SIGINT ? "SIGINT" : "SIGHUP",
		           WTERMSIG(status) == SIGINT ? "power off or halt" : "restart");
	else
		log_warning("agent (pid %d) killed by signal %d; powering off", (int)pid,
		            WTERMSIG(status));
}

_Noreturn void supervise(struct boot *b)
{
	int pipefd[2], r;
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		boot_fail(b, "handoff", boot_error(b, -errno, "pipe"));
	/* Our next child is PID 1 of a new PID namespace; ccinit stays where it is. */
	if ((r = sys->unshare(CLONE_NEWPID)) < 0)
		boot_fail(b, "handoff", boot_error(b, r, "unshare(CLONE_NEWPID) for the agent"));
	pid_t agent = fork();
	if (agent < 0)
		boot_fail(b, "handoff", boot_error(b, -errno, "fork"));
	if (agent == 0) {
		close(pipefd[0]);
		run_agent(b, pipefd[1]);
	}
	close(pipefd[1]);
	struct child_report rep;
	r = child_result(pipefd[0], &rep);
	close(pipefd[0]);
	if (r < 0) {
		(void)waitpid(agent, NULL, 0);
		if (rep.step == 0)
			boot_fail(b, "handoff",
			          boot_error(b, r, "exec %s%s", b->config.agent,
			                     r == -ENOEXEC
			                             ? " (not an executable: a script without #!?)"
			                             : ""));
		boot_fail(b, "handoff", boot_error(b, r, "%s", child_steps[rep.step]));
	}
	log_info("supervising agent %s: PID 1 of its own PID namespace, pid %d here",
	         b->config.agent, (int)agent);

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
