/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "init/spawn.h"
#include "init/steps.h"
#include "init/sys.h"

/* The child's side: never returns into PID 1's code; every path ends in exec or _exit. */
static void child_exec(const char *path, const char *const *argv, bool to_kmsg)
{
	static char *const envp[] = {
	        "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/tmp",
	        NULL};
	int out = -1, in = open("/dev/null", O_RDONLY | O_CLOEXEC);

	/* PID 1 blocks signals; a daemon must not inherit that. */
	signals_reset_for_exec();
	if (to_kmsg)
		out = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
	if (out < 0)
		out = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (in >= 0)
		dup2(in, STDIN_FILENO);
	if (out >= 0) {
		dup2(out, STDOUT_FILENO);
		dup2(out, STDERR_FILENO);
	}
	execve(path, (char *const *)argv, envp);
	_exit(127);
}

int run_program(const char *const *argv, bool wait, bool to_kmsg, pid_t *pid, char *why,
                size_t why_size)
{
	char path[512];
	int status;
	pid_t p;

	if (sys_path(path, sizeof(path), argv[0]) < 0 || access(path, X_OK) < 0) {
		snprintf(why, why_size, "%s is missing from the image", argv[0]);
		return -ENOENT;
	}
	p = fork();
	if (p < 0) {
		snprintf(why, why_size, "fork for %s", argv[0]);
		return -errno;
	}
	if (p == 0)
		child_exec(path, argv, to_kmsg);
	if (!wait) {
		*pid = p;
		return 0;
	}
	while (waitpid(p, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	snprintf(why, why_size, "%s %s failed (%s %d)", argv[0], argv[1] ? argv[1] : "",
	         WIFEXITED(status) ? "exit status" : "signal",
	         WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
	return -ECHILD;
}
