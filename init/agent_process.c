/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the agent's process gets, exec'd or supervised, exactly as kata-agent
 * expects it (init/README.md, 3): NOFILE 1048576, oom_score_adj -997, a clean
 * environment (the kernel passes unknown command-line words to init as
 * environment variables: none of that may leak), descriptors 0-2 on the
 * console and nothing else.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

#include "init/agent_process.h"
#include "init/core/sys.h"

#define AGENT_NOFILE        1048576
#define AGENT_OOM_SCORE_ADJ "-997"

#define ENV_PATH            "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
#define ENV_ATTESTER_NVIDIA "KATA_ATTESTER_VARIANT=nvidia"

int agent_limits(struct boot *b)
{
	struct rlimit nofile = {AGENT_NOFILE, AGENT_NOFILE};
	if (setrlimit(RLIMIT_NOFILE, &nofile) < 0)
		return boot_error(b, -errno, "setrlimit NOFILE %d", AGENT_NOFILE);
	int r = sys_write_file("/proc/self/oom_score_adj", AGENT_OOM_SCORE_ADJ);
	if (r < 0)
		return boot_error(b, r, "oom_score_adj");
	return 0;
}

/*
 * kata-agent picks the attestation agent to start from KATA_ATTESTER_VARIANT
 * (Kata's composable images ship a default and an NVIDIA build); NVRC sets
 * "nvidia" when a GPU is there, and a KBS policy that asks for GPU evidence
 * fails without it. ccinit.attester overrides what the boot found.
 */
bool agent_attester_nvidia(const struct boot *b)
{
	switch (b->config.attester) {
	case ATTESTER_NVIDIA:
		return true;
	case ATTESTER_NONE:
		return false;
	case ATTESTER_AUTO:
		break;
	}
	return b->gpu_up || b->gpu_extension;
}

char *const *agent_environment(const struct boot *b)
{
	static char *env[3];
	unsigned n = 0;
	env[n++] = ENV_PATH;
	if (agent_attester_nvidia(b))
		env[n++] = ENV_ATTESTER_NVIDIA;
	env[n] = NULL;
	return env;
}

/* Our own fds are O_CLOEXEC; this catches the rest. */
int agent_descriptors(int keep)
{
	int fd = sys->open("/dev/console", O_RDWR | O_NOCTTY, 0);
	if (fd < 0)
		return fd;
	for (int i = 0; i < 3; i++)
		if (fd != i && dup2(fd, i) < 0)
			return -errno;
	if (fd > 2)
		close(fd);
	DIR *d = opendir("/proc/self/fd");
	if (!d)
		return -errno;
	struct dirent *de;
	while ((de = readdir(d))) {
		int n = atoi(de->d_name);
		if (n > 2 && n != keep && n != dirfd(d) && de->d_name[0] != '.')
			close(n);
	}
	closedir(d);
	return 0;
}
