/* SPDX-License-Identifier: Apache-2.0 */
/* What the agent must be before ccinit runs it, and how a failed helper program is reported. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "init/core/boot.h"
#include "init/agent_check.h"
#include "init/agent_process.h"
#include "init/base/log.h"
#include "init/core/spawn.h"
#include "tests/lib/fake_sys.h"
#include "tests/lib/tap.h"

static struct boot boot;

static void setup(const char *agent)
{
	fake_sys_install("");
	log_to_stderr();
	memset(&boot, 0, sizeof(boot));
	config_init(&boot.config);
	snprintf(boot.config.agent, sizeof(boot.config.agent), "%s", agent);
}

static void write_file(const char *path, const char *text, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
	ASSERT_TRUE(fd >= 0);
	ASSERT_EQ(write(fd, text, len), (ssize_t)len);
	close(fd);
}

TEST(a_regular_agent_passes_and_is_read_through)
{
	char dir[] = "/tmp/ccinit-agent-XXXXXX", path[64];
	ASSERT_TRUE(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/agent", dir);
	write_file(path, "#!/bin/sh\nexit 0\n", 17);
	setup(path);
	ASSERT_EQ(agent_check(&boot), 0);
	ASSERT_CONTAINS(fake_sys_log, "open /proc/self/exe");
}

TEST(ccinit_itself_is_refused)
{
	setup("/proc/self/exe");
	ASSERT_EQ(agent_check(&boot), -ELOOP);
	ASSERT_CONTAINS(boot.why, "/proc/self/exe is ccinit itself");
}

TEST(a_symlink_to_ccinit_is_refused)
{
	char dir[] = "/tmp/ccinit-agent-XXXXXX", link[64], self[4096];
	ASSERT_TRUE(mkdtemp(dir) != NULL);
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	ASSERT_TRUE(n > 0);
	self[n] = '\0';
	snprintf(link, sizeof(link), "%s/agent", dir);
	ASSERT_EQ(symlink(self, link), 0);
	setup(link);
	ASSERT_EQ(agent_check(&boot), -ELOOP);
	ASSERT_CONTAINS(boot.why, "is ccinit itself");
}

/* A copy has another inode: it is caught by its bytes. */
TEST(a_copy_of_ccinit_is_refused)
{
	char dir[] = "/tmp/ccinit-agent-XXXXXX", path[64], cmd[256];
	ASSERT_TRUE(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/agent", dir);
	snprintf(cmd, sizeof(cmd), "cp /proc/%d/exe %s", (int)getpid(), path);
	ASSERT_EQ(system(cmd), 0);
	setup(path);
	ASSERT_EQ(agent_check(&boot), -ELOOP);
	ASSERT_CONTAINS(boot.why, "is a copy of ccinit");
}

TEST(an_endless_character_device_is_refused)
{
	setup("/dev/zero");
	ASSERT_EQ(agent_check(&boot), -EACCES);
	ASSERT_CONTAINS(boot.why, "/dev/zero is not a regular file");
}

/* A FIFO would block the open itself without O_NONBLOCK. */
TEST(a_fifo_is_refused_without_blocking)
{
	char dir[] = "/tmp/ccinit-agent-XXXXXX", path[64];
	ASSERT_TRUE(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/fifo", dir);
	ASSERT_EQ(mkfifo(path, 0600), 0);
	setup(path);
	ASSERT_EQ(agent_check(&boot), -EACCES);
	ASSERT_CONTAINS(boot.why, "is not a regular file");
}

TEST(a_missing_agent_names_the_path)
{
	setup("/nonexistent/agent");
	ASSERT_EQ(agent_check(&boot), -ENOENT);
	ASSERT_STR(boot.why, "exec /nonexistent/agent");
}

/* mke2fs's own last words end up in the one FATAL message. */
TEST(a_failed_program_says_why_in_its_own_words)
{
	fake_sys_install("");
	char why[256] = "";
	const char *const argv[] = {"/bin/sh", "-c",
	                            "echo starting; echo 'mke2fs: Device size reported to be "
	                            "zero.' >&2; exit 1",
	                            NULL};
	ASSERT_EQ(run_program_output(argv, why, sizeof(why)), -ECHILD);
	ASSERT_STR(why, "/bin/sh failed (exit status 1): mke2fs: Device size reported to be zero.");
	const char *const ok[] = {"/bin/sh", "-c", "yes | head -c 100000", NULL};
	ASSERT_EQ(run_program_output(ok, why, sizeof(why)), 0);
}

static bool env_has(char *const *env, const char *want)
{
	for (; *env; env++)
		if (strcmp(*env, want) == 0)
			return true;
	return false;
}

static unsigned env_count(char *const *env)
{
	unsigned n = 0;
	while (env[n])
		n++;
	return n;
}

TEST(attester_variant_follows_the_gpu_unless_overridden)
{
	const char *path = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
	const char *nvidia = "KATA_ATTESTER_VARIANT=nvidia";
	setup("/usr/bin/kata-agent");
	char *const *env = agent_environment(&boot);
	ASSERT_EQ(env_count(env), 1);
	ASSERT_TRUE(env_has(env, path));
	boot.gpu_up = true;
	env = agent_environment(&boot);
	ASSERT_EQ(env_count(env), 2);
	ASSERT_TRUE(env_has(env, nvidia));
	boot.gpu_up = false;
	boot.gpu_extension = true;
	ASSERT_TRUE(env_has(agent_environment(&boot), nvidia));
	boot.config.attester = ATTESTER_NONE;
	ASSERT_EQ(env_count(agent_environment(&boot)), 1);
	boot.gpu_extension = false;
	boot.config.attester = ATTESTER_NVIDIA;
	ASSERT_TRUE(env_has(agent_environment(&boot), nvidia));
}
