/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The daemons' confinement, run for real in a forked child: the seccomp
 * filter refuses what it lists and lets the rest through; as root, the whole
 * of harden_apply (bounding set, user, no_new_privs, filter). And the
 * /etc/passwd lookup that picks the user.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "init/core/harden.h"
#include "init/core/passwd.h"
#include "tests/lib/tap.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

/* Each check is one bit of the child's exit status: 0 means all held. */
static int probe_syscalls(void)
{
	int bad = 0, bit = 0;
#define EXPECT(call, want_errno)                                                                   \
	do {                                                                                       \
		errno = 0;                                                                         \
		long r_ = (call);                                                                  \
		if (!(r_ == -1 && errno == (want_errno)))                                          \
			bad |= 1 << bit;                                                           \
		bit++;                                                                             \
	} while (0)
	EXPECT(syscall(__NR_init_module, NULL, 0, ""), EPERM);
	EXPECT(syscall(__NR_finit_module, -1, "", 0), EPERM);
	EXPECT(syscall(__NR_delete_module, "nvidia", 0), EPERM);
	EXPECT(syscall(__NR_kexec_file_load, -1, -1, 0, "", 0), EPERM);
	EXPECT(syscall(__NR_bpf, 0, NULL, 0), EPERM);
	EXPECT(syscall(__NR_ptrace, 0 /* PTRACE_TRACEME */, 0, 0, 0), EPERM);
	EXPECT(syscall(__NR_keyctl, 0, 0, 0, 0, 0), EPERM);
	EXPECT(syscall(__NR_userfaultfd, 0), EPERM);
	EXPECT(syscall(__NR_setns, -1, 0), EPERM);
	EXPECT(unshare(CLONE_NEWUSER), EPERM);
	EXPECT(unshare(CLONE_NEWNET), EPERM);
	EXPECT(unshare(CLONE_NEWTIME), EPERM);
	EXPECT(syscall(__NR_clone, CLONE_NEWPID | SIGCHLD, 0, 0, 0, 0), EPERM);
	EXPECT(syscall(__NR_clone3, NULL, 0), ENOSYS);
#ifdef __x86_64__
	EXPECT(syscall(0x40000000 | __NR_getpid), EPERM); /* x32 */
#endif
	/* What a daemon does every day still works. */
	if (unshare(CLONE_FILES) != 0)
		bad |= 1 << bit;
	bit++;
	pid_t p = fork();
	if (p == 0)
		_exit(0);
	int status = 1;
	if (p < 0 || waitpid(p, &status, 0) != p || status != 0)
		bad |= 1 << bit;
	return bad;
#undef EXPECT
}

static int run_child(int (*fn)(void))
{
	pid_t p = fork();
	if (p == 0)
		_exit(fn()); /* _exit: no sanitizer exit hooks (LeakSanitizer uses ptrace) */
	int status;
	ASSERT_EQ(waitpid(p, &status, 0), p);
	if (!WIFEXITED(status))
		tap_fail("child killed by signal %d", WTERMSIG(status));
	return WEXITSTATUS(status);
}

static int filter_only(void)
{
	struct sock_filter f[64];
	int n = harden_filter(f, 64);
	if (n <= 0 || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return 255;
	struct sock_fprog prog = {(unsigned short)n, f};
	if (prctl(PR_SET_SECCOMP, 2 /* SECCOMP_MODE_FILTER */, &prog, 0, 0) < 0)
		return 254;
	return probe_syscalls();
}

TEST(seccomp_filter_refuses_the_list_and_allows_the_rest)
{
	int r = run_child(filter_only);
	if (r)
		tap_fail("check bits %#x failed (255/254: setup)", r);
}

TEST(filter_layout_needs_room)
{
	struct sock_filter f[8];
	ASSERT_EQ(harden_filter(f, 8), -ENOSPC);
}

static int status_line(const char *key, char *value, size_t size)
{
	FILE *f = fopen("/proc/self/status", "re");
	char line[256];
	int found = 0;
	while (f && fgets(line, sizeof(line), f))
		if (strncmp(line, key, strlen(key)) == 0) {
			snprintf(value, size, "%s", line + strlen(key));
			value[strcspn(value, "\n")] = '\0';
			found = 1;
		}
	if (f)
		fclose(f);
	return found;
}

static int whole_as_user(void)
{
	struct harden h = {.as_user = true, .uid = 65534, .gid = 65534};
	char v[64];
	int step = harden_apply(&h);
	if (step != HARDEN_OK)
		return 100 + step;
	if (getuid() != 65534 || getgid() != 65534)
		return 90;
	if (!status_line("CapBnd:\t", v, sizeof(v)) || strcmp(v, "0000000000000000") != 0)
		return 91;
	if (!status_line("NoNewPrivs:\t", v, sizeof(v)) || strcmp(v, "1") != 0)
		return 92;
	if (!status_line("Seccomp:\t", v, sizeof(v)) || strcmp(v, "2") != 0)
		return 93;
	return probe_syscalls() ? 94 : 0;
}

static int whole_as_root(void)
{
	struct harden h = {.as_user = false};
	char v[64];
	int step = harden_apply(&h);
	if (step != HARDEN_OK)
		return 100 + step;
	/* CAP_SYS_MODULE (16), CAP_SYS_RAWIO (17), CAP_SYS_PTRACE (19), CAP_SYS_BOOT (22) gone. */
	unsigned long long bnd = 0;
	if (!status_line("CapBnd:\t", v, sizeof(v)) || sscanf(v, "%llx", &bnd) != 1)
		return 91;
	if (bnd & ((1ull << 16) | (1ull << 17) | (1ull << 19) | (1ull << 22)))
		return 92;
	if (!(bnd & (1ull << 0))) /* CAP_CHOWN stays */
		return 93;
	return probe_syscalls() ? 94 : 0;
}

TEST(harden_apply_as_a_user_and_as_root)
{
	if (geteuid() != 0)
		tap_skip("needs root (the bounding set and setuid)");
	ASSERT_EQ(run_child(whole_as_user), 0);
	ASSERT_EQ(run_child(whole_as_root), 0);
}

TEST(passwd_lookup)
{
	static const char text[] =
	        "root:x:0:0:root:/root:/bin/sh\n"
	        "daemon:x:1:1::/:/usr/sbin/nologin\n"
	        "nvpd:x:143:150:NVIDIA Persistence Daemon:/var/run/nvpd:/bin/false";
	unsigned uid = 0, gid = 0;
	ASSERT_EQ(passwd_find(text, sizeof(text) - 1, "nvpd", &uid, &gid), 0);
	ASSERT_EQ(uid, 143);
	ASSERT_EQ(gid, 150);
	ASSERT_EQ(passwd_find(text, sizeof(text) - 1, "nvp", &uid, &gid), -ENOENT);
	ASSERT_EQ(passwd_find(text, sizeof(text) - 1, "nobody", &uid, &gid), -ENOENT);
	static const char bad[] = "nvpd:x:14x:150::/:/bin/false\n";
	ASSERT_EQ(passwd_find(bad, sizeof(bad) - 1, "nvpd", &uid, &gid), -EINVAL);
	static const char huge[] = "nvpd:x:4294967296:1::/:/bin/false\n";
	ASSERT_EQ(passwd_find(huge, sizeof(huge) - 1, "nvpd", &uid, &gid), -EINVAL);
	static const char short_line[] = "nvpd:x:143\n";
	ASSERT_EQ(passwd_find(short_line, sizeof(short_line) - 1, "nvpd", &uid, &gid), -ENOENT);
}
