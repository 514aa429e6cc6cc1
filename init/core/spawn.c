/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "init/core/spawn.h"
#include "init/core/signals.h"
#include "init/core/sys.h"

int (*spawn_harden)(const struct harden *h) = harden_apply;

/* What a daemon's child says when it could not exec (through an O_CLOEXEC pipe). */
struct child_report {
	int err;  /* errno */
	int step; /* harden step, HARDEN_OK for exec itself */
};

/*
 * The child's side: never returns into PID 1's code; every path ends in exec or
 * _exit. out: where stdout and stderr go (a pipe), or -1 for kmsg or /dev/null.
 * h: confinement for a daemon, with report the pipe that says what failed.
 */
static void child_exec(const char *path, const char *const *argv, bool to_kmsg, int out,
                       const struct harden *h, int report)
{
	struct child_report rep = {0, HARDEN_OK};
	static char *const envp[] = {
	        "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/tmp",
	        NULL};
	int in = open("/dev/null", O_RDONLY | O_CLOEXEC);

	/* PID 1 blocks signals; a daemon must not inherit that. */
	signals_reset_for_exec();
	if (out < 0 && to_kmsg)
		out = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
	if (out < 0)
		out = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (in >= 0)
		dup2(in, STDIN_FILENO);
	if (out >= 0) {
		dup2(out, STDOUT_FILENO);
		dup2(out, STDERR_FILENO);
	}
	if (h && (rep.step = spawn_harden(h)) != HARDEN_OK)
		rep.err = errno;
	else
		execve(path, (char *const *)argv, envp);
	if (report >= 0) {
		if (!rep.err)
			rep.err = errno ? errno : EIO;
		while (write(report, &rep, sizeof(rep)) < 0 && errno == EINTR)
			;
	}
	_exit(127);
}

/* argv[0] resolved in the image; a program the image lacks is named. */
static int resolve(const char *const *argv, char *path, size_t path_size, char *why,
                   size_t why_size)
{
	if (sys_path(path, path_size, argv[0]) < 0 || access(path, X_OK) < 0) {
		snprintf(why, why_size, "%s is missing from the image", argv[0]);
		return -ENOENT;
	}
	return 0;
}

/* resolve(), then a close-on-exec pipe and a fork: the child gets *pid == 0. */
static int fork_with_pipe(const char *const *argv, char *path, size_t path_size, int pipefd[2],
                          pid_t *pid, char *why, size_t why_size)
{
	int r = resolve(argv, path, path_size, why, why_size);

	if (r < 0)
		return r;
	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		snprintf(why, why_size, "pipe for %s", argv[0]);
		return -errno;
	}
	*pid = fork();
	if (*pid < 0) {
		r = -errno;
		close(pipefd[0]);
		close(pipefd[1]);
		snprintf(why, why_size, "fork for %s", argv[0]);
		return r;
	}
	return 0;
}

int run_daemon(const char *const *argv, bool to_kmsg, const struct harden *h, pid_t *pid, char *why,
               size_t why_size)
{
	struct child_report rep;
	char path[512];
	int pipefd[2], r;
	ssize_t n;
	pid_t p;

	if ((r = fork_with_pipe(argv, path, sizeof(path), pipefd, &p, why, why_size)) < 0)
		return r;
	if (p == 0) {
		close(pipefd[0]);
		child_exec(path, argv, to_kmsg, -1, h, pipefd[1]);
	}
	close(pipefd[1]);
	while ((n = read(pipefd[0], &rep, sizeof(rep))) < 0 && errno == EINTR)
		;
	close(pipefd[0]);
	if (n == (ssize_t)sizeof(rep)) {
		(void)waitpid(p, NULL, 0);
		snprintf(why, why_size, "starting %s: %s: %s", argv[0], harden_step_name(rep.step),
		         strerror(rep.err));
		return -rep.err;
	}
	*pid = p;
	return 0;
}

int run_program(const char *const *argv, bool wait, bool to_kmsg, pid_t *pid, char *why,
                size_t why_size)
{
	char path[512];
	int status, r;
	pid_t p;

	if ((r = resolve(argv, path, sizeof(path), why, why_size)) < 0)
		return r;
	p = fork();
	if (p < 0) {
		snprintf(why, why_size, "fork for %s", argv[0]);
		return -errno;
	}
	if (p == 0)
		child_exec(path, argv, to_kmsg, -1, NULL, -1);
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

/* The last non-empty line of text, in place. */
static const char *last_line(char *text)
{
	size_t n = strlen(text);
	while (n && (text[n - 1] == '\n' || text[n - 1] == ' '))
		text[--n] = '\0';
	char *nl = strrchr(text, '\n');
	return nl ? nl + 1 : text;
}

int run_program_output(const char *const *argv, char *why, size_t why_size)
{
	char path[512], out[4096];
	int pipefd[2], status, r;
	size_t used = 0;
	ssize_t n;
	pid_t p;

	if ((r = fork_with_pipe(argv, path, sizeof(path), pipefd, &p, why, why_size)) < 0)
		return r;
	if (p == 0)
		child_exec(path, argv, false, pipefd[1], NULL, -1);
	close(pipefd[1]);
	/* Keep the first 4 KiB; read on to the end so the child never blocks on a full pipe. */
	for (;;) {
		char drain[512];
		bool full = used == sizeof(out) - 1;
		n = full ? read(pipefd[0], drain, sizeof(drain))
		         : read(pipefd[0], out + used, sizeof(out) - 1 - used);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (!full)
			used += (size_t)n;
	}
	out[used] = '\0';
	close(pipefd[0]);
	while (waitpid(p, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	const char *line = last_line(out);
	snprintf(why, why_size, "%s failed (%s %d)%s%s", argv[0],
	         WIFEXITED(status) ? "exit status" : "signal",
	         WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status), *line ? ": " : "",
	         line);
	return -ECHILD;
}
