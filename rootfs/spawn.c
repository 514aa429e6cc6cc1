/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rootfs/spawn.h"

extern char **environ;

int spawn_wait_output(const char *const *argv, const char *stdout_path)
{
	posix_spawn_file_actions_t actions;
	pid_t pid;
	int status, r;

	posix_spawn_file_actions_init(&actions);
	if (stdout_path) /* no O_CLOEXEC: this descriptor is the one the program must keep */
		posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, stdout_path,
		                                 O_WRONLY | O_CREAT | O_TRUNC, 0644);
	else
		posix_spawn_file_actions_adddup2(&actions, STDERR_FILENO, STDOUT_FILENO);
	r = posix_spawnp(&pid, argv[0], &actions, NULL, (char *const *)argv, environ);
	posix_spawn_file_actions_destroy(&actions);
	if (r != 0) {
		fprintf(stderr, "ccimage: cannot run %s: %s\n", argv[0], strerror(r));
		return -r;
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFEXITED(status))
		fprintf(stderr, "ccimage: %s exited with status %d\n", argv[0],
		        WEXITSTATUS(status));
	else
		fprintf(stderr, "ccimage: %s killed by signal %d\n", argv[0], WTERMSIG(status));
	return -ECHILD;
}

int spawn_wait(const char *const *argv)
{
	return spawn_wait_output(argv, NULL);
}
