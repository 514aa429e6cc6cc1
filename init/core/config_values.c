// SPDX-License-Identifier: Apache-2.0
/* The value syntaxes knobs share (init/core/config_values.h). */
#include "init/core/config_values.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int config_parse_ulong(const char *s, unsigned long *ret)
{
	char *end;
	if (!isdigit((unsigned char)s[0]))
		return -EINVAL;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (errno || *end)
		return -EINVAL;
	*ret = v;
	return 0;
}

int config_parse_bool(const char *s)
{
	static const char *const yes[] = {"1", "yes", "true", "on"};
	static const char *const no[] = {"0", "no", "false", "off"};
	for (size_t i = 0; i < 4; i++) {
		if (strcasecmp(s, yes[i]) == 0)
			return 1;
		if (strcasecmp(s, no[i]) == 0)
			return 0;
	}
	return -EINVAL;
}

int config_copy_string(char *dst, size_t size, const char *src)
{
	size_t len = strlen(src);
	if (len >= size)
		return -ENAMETOOLONG;
	memcpy(dst, src, len + 1);
	return 0;
}

/* A device: an absolute /dev path, or serial:<virtio serial>. */
bool config_valid_device(const char *s)
{
	if (strncmp(s, "serial:", 7) == 0)
		return s[7] != '\0' && strlen(s + 7) <= 20 && !strchr(s + 7, '/');
	return strncmp(s, "/dev/", 5) == 0 && s[5] != '\0' && !strstr(s, "..");
}

bool config_valid_module_name(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_' && *s != '-')
			return false;
	return true;
}

static char param_char(char c)
{
	return c == '-' ? '_' : c;
}

bool param_eqn(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (param_char(a[i]) != param_char(b[i]))
			return false;
		if (!a[i])
			return true;
	}
	return true;
}

bool param_eq(const char *a, const char *b)
{
	return param_eqn(a, b, SIZE_MAX);
}

bool param_prefix(const char *a, const char *prefix)
{
	return param_eqn(a, prefix, strlen(prefix));
}
