/* SPDX-License-Identifier: Apache-2.0 */
/* Runs every TEST() of the binary, each in a forked child; prints TAP. */
#include "tap.h"

#include <stdarg.h>
#include <sys/wait.h>
#include <unistd.h>

extern const struct tap_test __start_tap_tests[];
extern const struct tap_test __stop_tap_tests[];

void tap_sh(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	if (system(cmd) != 0)
		tap_fail("failed: %s", cmd);
}

void tap_write(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	if (!f || fputs(text, f) < 0 || fclose(f) != 0)
		tap_fail("writing %s", path);
}

int main(int argc, char **argv)
{
	const char *only = argc > 1 ? argv[1] : NULL;
	const char *suite = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
	size_t n = (size_t)(__stop_tap_tests - __start_tap_tests);
	int failed = 0, number = 0;

	printf("1..%zu\n", only ? (size_t)1 : n);
	for (const struct tap_test *t = __start_tap_tests; t < __stop_tap_tests; t++) {
		if (only && strcmp(only, t->name) != 0)
			continue;
		fflush(stdout);
		pid_t pid = fork();
		if (pid < 0) {
			perror("fork");
			return 1;
		}
		if (pid == 0) {
			t->fn();
			fflush(stdout);
			_exit(0);
		}
		int status;
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		number++;
		if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
			printf("ok %d - %s.%s\n", number, suite, t->name);
		} else if (WIFEXITED(status) && WEXITSTATUS(status) == TAP_SKIP_CODE) {
			printf("ok %d - %s.%s # SKIP\n", number, suite, t->name);
		} else {
			failed++;
			if (WIFSIGNALED(status))
				printf("#   killed by signal %d\n", WTERMSIG(status));
			printf("not ok %d - %s.%s\n", number, suite, t->name);
		}
	}
	return failed ? 1 : 0;
}
