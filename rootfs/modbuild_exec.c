/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Running apt, make and strip for the module build: in a given directory,
 * with their output captured or sent to the build log. spawn_wait() does
 * neither, and a shell in between is what we avoid.
 */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rootfs/modbuild.h"

extern char **environ;

static int drain(int fd, char *capture, size_t size)
{
	size_t used = 0;
	char sink[4096];

	for (;;) {
		char *at = used + 1 < size ? capture + used : sink;
		size_t room = used + 1 < size ? size - 1 - used : sizeof(sink);
		ssize_t n = read(fd, at, room);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		if (at != sink)
			used += (size_t)n;
	}
	capture[used] = '\0';
	return 0;
}

int modbuild_exec(const char *const *argv, const char *cwd, int logfd, char *capture,
                  size_t capture_size, char *why, size_t why_size)
{
	posix_spawn_file_actions_t fa;
	int out[2] = {-1, -1}, status, r, err = logfd >= 0 ? logfd : STDERR_FILENO;
	pid_t pid;

	if (capture && (capture_size == 0 || pipe2(out, O_CLOEXEC) < 0))
		return capture_size == 0 ? -EINVAL : -errno;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, capture ? out[1] : err, STDOUT_FILENO);
	posix_spawn_file_actions_adddup2(&fa, err, STDERR_FILENO);
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
	if (cwd)
		posix_spawn_file_actions_addchdir_np(&fa, cwd);
	r = posix_spawnp(&pid, argv[0], &fa, NULL, (char *const *)argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (capture)
		close(out[1]);
	if (r != 0) {
		if (capture)
			close(out[0]);
		snprintf(why, why_size, "cannot run %s: %s", argv[0], strerror(r));
		return -r;
	}
	r = capture ? drain(out[0], capture, capture_size) : 0;
	if (capture)
		close(out[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (r < 0) {
		snprintf(why, why_size, "reading %s's output: %s", argv[0], strerror(-r));
		return r;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFEXITED(status))
		snprintf(why, why_size, "%s exited with status %d", argv[0], WEXITSTATUS(status));
	else
		snprintf(why, why_size, "%s killed by signal %d", argv[0], WTERMSIG(status));
	return -ECHILD;
}
