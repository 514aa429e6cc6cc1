/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "init/base/log.h"

/* The prefix of every line: the program, and in ccimage the command. */
static char ident[64] = "ccinit";

void log_set_ident(const char *name)
{
	snprintf(ident, sizeof(ident), "%s", name);
}

static int kmsg_fd = -1;
static int max_level = LOG_WARNING;

/* Index = syslog level. */
static const char *const level_names[] = {
        "emerg", "alert", "crit", "err", "warning", "notice", "info", "debug",
};

void log_open(void)
{
	if (kmsg_fd >= 0)
		return;
	kmsg_fd = open("/dev/kmsg", O_WRONLY | O_NOCTTY | O_CLOEXEC);
}

void log_close(void)
{
	if (kmsg_fd >= 0)
		close(kmsg_fd);
	kmsg_fd = -1;
}

void log_to_stderr(void)
{
	log_close();
}

void log_set_max_level(int level)
{
	if (level >= LOG_EMERG && level <= LOG_DEBUG)
		max_level = level;
}

int log_get_max_level(void)
{
	return max_level;
}

int log_level_from_string(const char *s)
{
	if (s[0] >= '0' && s[0] <= '7' && s[1] == '\0')
		return s[0] - '0';
	for (int i = 0; i <= LOG_DEBUG; i++)
		if (strcmp(s, level_names[i]) == 0)
			return i;
	return -EINVAL;
}

const char *log_level_to_string(int level)
{
	return level >= LOG_EMERG && level <= LOG_DEBUG ? level_names[level] : "?";
}

void log_msg(int level, const char *fmt, ...)
{
	/* Emergencies always go out: the one message a failed boot leaves must never be filtered.
	 */
	if (level > max_level && level != LOG_EMERG)
		return;

	int saved_errno = errno;
	char line[1024];
	int prefix, n;
	va_list ap;

	if (kmsg_fd >= 0)
		/* Facility "user" (1): the kernel shows it as coming from userspace. */
		prefix = snprintf(line, sizeof(line), "<%d>%s: ", 8 + level, ident);
	else
		prefix = snprintf(line, sizeof(line), "%s: ", ident);
	va_start(ap, fmt);
	n = vsnprintf(line + prefix, sizeof(line) - (size_t)prefix - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	size_t len = (size_t)prefix + (size_t)n;
	if (len > sizeof(line) - 2)
		len = sizeof(line) - 2;
	line[len++] = '\n';

	/* kmsg takes one record per write; a short write would split it. */
	if (kmsg_fd < 0 || write(kmsg_fd, line, len) < 0)
		(void)!write(STDERR_FILENO, line, len);
	errno = saved_errno;
}
