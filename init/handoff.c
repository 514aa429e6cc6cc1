/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Step 7: hand control to the agent. Two models, chosen explicitly:
 *  - exec (default, the s6 model): the agent becomes PID 1. kata-agent's init
 *    mode reaps and powers off when it ends, so ccinit leaves nothing behind.
 *  - supervise (ccinit.supervise=1, the tini model): ccinit stays PID 1,
 *    reaps every child, forwards SIGTERM/SIGINT to the agent, and powers off
 *    when the agent exits, logging how it ended.
 * Either way the agent gets exactly what kata-agent expects (init/README.md, 3):
 * NOFILE 1048576, oom_score_adj -997, a clean environment (the kernel passes
 * unknown command-line words to init as environment variables: none of that
 * may leak), descriptors 0-2 on the console and nothing else.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "init/base/log.h"
#include "init/steps.h"
#include "init/sys.h"

#define AGENT_NOFILE        1048576
#define AGENT_OOM_SCORE_ADJ "-997"

static char *const agent_env[] = {
        "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        NULL,
};

/* 0-2 on the console, everything else closed (our own fds are O_CLOEXEC; this catches the rest). */
static int prepare_descriptors(void)
{
	int fd = sys->open("/dev/console", O_RDWR | O_NOCTTY, 0);
	if (fd < 0)
		return fd;
	for (int i = 0; i < 3; i++)
		if (fd != i && dup2(fd, i) < 0)
			return -errno;
	if (fd > 2)
		close(fd);
	DIR *d = opendir("/proc/self/fd");
	if (!d)
		return -errno;
	struct dirent *de;
	while ((de = readdir(d))) {
		int n = atoi(de->d_name);
		if (n > 2 && n != dirfd(d) && de->d_name[0] != '.')
			close(n);
	}
	closedir(d);
	return 0;
}

/*
 * Reads the agent through once before it runs. On a verified root every
 * block is checked as it is read, so a tampered block fails here, before
 * exec, with a message: left to page faults, it would surface as a SIGBUS in
 * an agent that had already started.
 */
static int agent_readable(struct boot *b)
{
	int fd = sys->open(b->config.agent, O_RDONLY | O_CLOEXEC, 0);
	if (fd < 0)
		return boot_error(b, fd, "exec %s", b->config.agent);
	static char buf[65536];
	ssize_t n;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		;
	int r = n < 0 ? -errno : 0;
	close(fd);
	if (r < 0)
		return boot_error(b, r, "reading %s (a block failed verification?)",
		                  b->config.agent);
	return 0;
}

static int prepare_process(struct boot *b)
{
	struct rlimit nofile = {AGENT_NOFILE, AGENT_NOFILE};
	if (setrlimit(RLIMIT_NOFILE, &nofile) < 0)
		return boot_error(b, -errno, "setrlimit NOFILE %d", AGENT_NOFILE);
	int r = sys_write_file("/proc/self/oom_score_adj", AGENT_OOM_SCORE_ADJ);
	if (r < 0)
		return boot_error(b, r, "oom_score_adj");
	return 0;
}

static int exec_agent(struct boot *b)
{
	char *const argv[] = {b->config.agent, NULL};
	log_close(); /* O_CLOEXEC anyway; closing first keeps the descriptor scan honest */
	int r = prepare_descriptors();
	if (r < 0) {
		log_open();
		return boot_error(b, r, "setting up the agent's descriptors");
	}
	signals_reset_for_exec();
	execve(b->config.agent, argv, agent_env);
	r = -errno;
	signals_block_all();
	log_open();
	return boot_error(b, r, "exec %s", b->config.agent);
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

_Noreturn static void supervise(struct boot *b)
{
	pid_t agent = fork();
	if (agent < 0)
		boot_fail(b, "handoff", boot_error(b, -errno, "fork"));
	if (agent == 0) {
		char *const argv[] = {b->config.agent, NULL};
		log_close();
		if (prepare_descriptors() < 0)
			_exit(126);
		signals_reset_for_exec();
		setsid();
		execve(b->config.agent, argv, agent_env);
		_exit(errno == ENOENT ? 127 : 126);
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

_Noreturn void handoff(struct boot *b)
{
	int r = agent_readable(b);
	if (r >= 0)
		r = prepare_process(b);
	if (r < 0)
		boot_fail(b, "handoff", r);
	trace_print(&b->trace, sys->now_ns());
	if (b->config.supervise)
		supervise(b);
	log_info("handing off to %s", b->config.agent);
	boot_fail(b, "handoff", exec_agent(b));
}
