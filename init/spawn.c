/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "init/spawn.h"
#include "init/steps.h"

int run_and_wait(const char *const *argv, char *why, size_t why_size)
{
	static char *const empty_env[] = {NULL};
	pid_t pid = fork();
	if (pid < 0) {
		snprintf(why, why_size, "fork for %s", argv[0]);
		return -errno;
	}
	if (pid == 0) {
		/* The child must never return into PID 1's code: every path ends in _exit. */
		int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (null < 0 || dup2(null, STDIN_FILENO) < 0)
			_exit(126);
		signals_reset_for_exec();
		execve(argv[0], (char *const *)argv, empty_env);
		_exit(errno == ENOENT ? 127 : 126);
	}
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			snprintf(why, why_size, "waiting for %s", argv[0]);
			return -errno;
		}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFEXITED(status))
		snprintf(why, why_size, "%s exited with status %d%s", argv[0], WEXITSTATUS(status),
		         WEXITSTATUS(status) == 127 ? " (not found)" : "");
	else
		snprintf(why, why_size, "%s killed by signal %d", argv[0], WTERMSIG(status));
	return -ECHILD;
}
