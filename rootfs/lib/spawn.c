/* SPDX-License-Identifier: Apache-2.0 */
#include "rootfs/lib/spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* Reads fd to its end into a malloc'd string, at most SPAWN_CAPTURE_MAX bytes. */
static int drain(int fd, char **ret, size_t *ret_len)
{
	size_t cap = 65536, len = 0;
	char *buf = malloc(cap);
	ssize_t k;

	if (!buf)
		return -ENOMEM;
	while ((k = read(fd, buf + len, cap - len - 1)) != 0) {
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			free(buf);
			return -errno;
		}
		len += (size_t)k;
		if (cap - len < 4096) {
			char *nb = cap < SPAWN_CAPTURE_MAX ? realloc(buf, cap * 2) : NULL;
			if (!nb) {
				free(buf);
				return cap < SPAWN_CAPTURE_MAX ? -ENOMEM : -EFBIG;
			}
			buf = nb;
			cap *= 2;
		}
	}
	buf[len] = '\0';
	*ret = buf;
	if (ret_len)
		*ret_len = len;
	return 0;
}

static void file_actions(posix_spawn_file_actions_t *fa, const struct spawn_io *io, int pipe_w)
{
	int err = io->log_fd > 0 ? io->log_fd : STDERR_FILENO;

	posix_spawn_file_actions_addopen(fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
	if (pipe_w >= 0)
		posix_spawn_file_actions_adddup2(fa, pipe_w, STDOUT_FILENO);
	else if (io->stdout_path) /* no O_CLOEXEC: this descriptor is the one the program keeps */
		posix_spawn_file_actions_addopen(fa, STDOUT_FILENO, io->stdout_path,
		                                 O_WRONLY | O_CREAT | O_TRUNC, 0644);
	else if (io->stdout_null)
		posix_spawn_file_actions_addopen(fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
	else
		posix_spawn_file_actions_adddup2(fa, err, STDOUT_FILENO);
	if (io->stderr_null)
		posix_spawn_file_actions_addopen(fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
	else if (err != STDERR_FILENO)
		posix_spawn_file_actions_adddup2(fa, err, STDERR_FILENO);
	if (io->cwd)
		posix_spawn_file_actions_addchdir_np(fa, io->cwd);
}

int spawn_run(const char *const *argv, const struct spawn_io *io, char *why, size_t why_size)
{
	static const struct spawn_io defaults = {0};
	posix_spawn_file_actions_t fa;
	int out[2] = {-1, -1}, status, r;
	pid_t pid;

	if (!io)
		io = &defaults;
	if (io->capture)
		*io->capture = NULL;
	if (io->capture && pipe2(out, O_CLOEXEC) < 0)
		return -errno;
	posix_spawn_file_actions_init(&fa);
	file_actions(&fa, io, out[1]);
	r = posix_spawnp(&pid, argv[0], &fa, NULL, (char *const *)argv,
	                 io->envp ? io->envp : environ);
	posix_spawn_file_actions_destroy(&fa);
	if (out[1] >= 0)
		close(out[1]);
	if (r != 0) {
		if (out[0] >= 0)
			close(out[0]);
		snprintf(why, why_size, "cannot run %s: %s", argv[0], strerror(r));
		return -r;
	}
	r = io->capture ? drain(out[0], io->capture, io->capture_len) : 0;
	if (out[0] >= 0)
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

int spawn_wait_output(const char *const *argv, const char *stdout_path)
{
	const struct spawn_io io = {.stdout_path = stdout_path};
	char why[512];
	int r = spawn_run(argv, &io, why, sizeof(why));

	if (r < 0)
		fprintf(stderr, "ccimage: %s\n", why);
	return r;
}

int spawn_wait(const char *const *argv)
{
	return spawn_wait_output(argv, NULL);
}

int spawn_version_line(const char *const *argv, const char *match, char *out, size_t size,
                       char *why, size_t why_size)
{
	char *text = NULL;
	const struct spawn_io io = {.capture = &text, .stderr_null = true};
	int r = spawn_run(argv, &io, why, why_size);

	out[0] = '\0';
	for (char *line = text, *next; r == 0 && line && *line && !out[0]; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (strstr(line, match))
			snprintf(out, size, "%.200s", line);
	}
	free(text);
	if (r == 0 && !out[0]) {
		snprintf(why, why_size, "%s: no '%s' in its version output", argv[0], match);
		r = -EPROTO;
	}
	return r;
}
