/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Logging to /dev/kmsg with syslog priorities, so messages land in the
 * kernel log with a level the console filters by. Before /dev is mounted, or
 * when not PID 1, messages go to stderr. Libraries' logs (libkmod,
 * libcryptsetup) are routed here too, so one level knob governs all.
 */
#pragma once

#include <stdbool.h>
#include <syslog.h>

/* Opens /dev/kmsg (O_CLOEXEC); falls back to stderr when it cannot. */
void log_open(void);
void log_close(void);
/* Send messages to stderr instead of kmsg (host tools, tests). */
void log_to_stderr(void);
void log_set_max_level(int level);
/* Each line starts "IDENT: " ("ccinit" unless set; ccimage: "ccimage COMMAND"). */
void log_set_ident(const char *name);
int log_get_max_level(void);

void log_msg(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_debug(...)   log_msg(LOG_DEBUG, __VA_ARGS__)
#define log_info(...)    log_msg(LOG_INFO, __VA_ARGS__)
#define log_notice(...)  log_msg(LOG_NOTICE, __VA_ARGS__)
#define log_warning(...) log_msg(LOG_WARNING, __VA_ARGS__)
#define log_error(...)   log_msg(LOG_ERR, __VA_ARGS__)
#define log_emerg(...)   log_msg(LOG_EMERG, __VA_ARGS__)

/* Parses a level name (emerg .. debug, or a digit 0-7). Returns the level or -EINVAL. */
int log_level_from_string(const char *s);
const char *log_level_to_string(int level);
