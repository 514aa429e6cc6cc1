/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Running a program inside the build root. As root: chroot(1), nothing
 * else; no namespace is needed, and container runtimes that refuse user
 * namespaces still allow it. Otherwise a user namespace in which we are root
 * (unshare --map-root-user) with a mount namespace of its own, where the
 * host's /dev/null is bind-mounted over the root's (an unprivileged user
 * cannot make the device) before chroot(1). The environment is a fixed one:
 * nothing of the caller's reaches the compiler.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "modules/nvidia/modbuild.h"
#include "rootfs/lib/spawn.h"

static char *const clean_env[] = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/", "LC_ALL=C",
                                  "SHELL=/bin/sh", NULL};

/* $0 is the root; the rest is the command. */
static const char bind_then_chroot[] = "mount --bind /dev/null \"$0/dev/null\" && "
                                       "exec chroot \"$0\" \"$@\"";

int modbuild_root_can_run(char *why, size_t why_size)
{
	const char *argv[] = {"unshare", "--map-root-user", "--mount", "true", NULL};
	char cause[256];
	int r;

	if (geteuid() == 0)
		return 0;
	r = spawn_run(argv, &(const struct spawn_io){.stderr_null = true}, cause, sizeof(cause));
	if (r < 0)
		snprintf(why, why_size,
		         "the module build runs the driver's Makefile in a build root: as root "
		         "with chroot, otherwise in a user namespace, which this host refuses "
		         "(%s); run it as root, or allow unprivileged user namespaces "
		         "(sysctl user.max_user_namespaces, kernel.unprivileged_userns_clone)",
		         cause);
	return r;
}

int modbuild_root_run(const struct modbuild_root *root, const char *const *argv,
                      const struct spawn_io *io, char *why, size_t why_size)
{
	const char *prefix_root[] = {"chroot", root->dir};
	const char *prefix_user[] = {"unshare", "--map-root-user", "--mount", "sh",
	                             "-c",      bind_then_chroot,  root->dir};
	const bool as_root = geteuid() == 0;
	const char **prefix = as_root ? prefix_root : prefix_user;
	size_t nprefix = as_root ? 2 : 7, nargs = 0;
	struct spawn_io with_env = io ? *io : (struct spawn_io){0};
	int r;

	while (argv[nargs])
		nargs++;
	const char **full = calloc(nprefix + nargs + 1, sizeof(*full));
	if (!full)
		return -ENOMEM;
	memcpy(full, prefix, nprefix * sizeof(*full));
	memcpy(full + nprefix, argv, nargs * sizeof(*full));
	with_env.envp = clean_env;
	r = spawn_run(full, &with_env, why, why_size);
	free(full);
	return r;
}
