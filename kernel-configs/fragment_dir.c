/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kernel-configs/kconfig.h"

/*
 * Where the shipped fragments live when none are named: --dir, then
 * $CCIMAGE_KCONFIG_DIR, then beside the binary (build/ccimage in a checkout,
 * PREFIX/bin/ccimage installed), then ./kernel-configs.
 */
int kconfig_fragment_dir(const char *opt_dir, char *buf, size_t size)
{
	static const char *const beside_exe[] = {"../kernel-configs",
	                                         "../share/ccinit/kernel-configs"};
	const char *env = getenv("CCIMAGE_KCONFIG_DIR");
	char exe[PATH_MAX];
	struct stat st;
	ssize_t n;

	if (opt_dir || (env && *env)) {
		snprintf(buf, size, "%s", opt_dir ? opt_dir : env);
		return stat(buf, &st) == 0 && S_ISDIR(st.st_mode) ? 0 : -ENOENT;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		char *slash = strrchr(exe, '/');
		if (slash)
			*slash = '\0';
		for (size_t i = 0; i < sizeof(beside_exe) / sizeof(beside_exe[0]); i++) {
			char rel[PATH_MAX + 40], *canon;
			snprintf(rel, sizeof(rel), "%s/%s", exe, beside_exe[i]);
			/* Report paths without "build/.." in them. */
			canon = realpath(rel, NULL);
			if (canon && strlen(canon) < size && stat(canon, &st) == 0 &&
			    S_ISDIR(st.st_mode)) {
				strcpy(buf, canon);
				free(canon);
				return 0;
			}
			free(canon);
		}
	}
	snprintf(buf, size, "kernel-configs");
	return stat(buf, &st) == 0 && S_ISDIR(st.st_mode) ? 0 : -ENOENT;
}
