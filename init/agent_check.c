/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What ccinit checks about the agent before it runs it (step 7). The agent's
 * path comes from the measured command line, but what it names is the host's
 * to try: each check below is a boot that otherwise never ends.
 *  - A regular file, opened without blocking: a FIFO would block the open and a
 *    character device (/dev/zero) would feed the read-through forever.
 *  - At most AGENT_SIZE_MAX bytes, and read only up to the size fstat gave.
 *  - Not ccinit itself (/init, /proc/self/exe, a symlink or a copy): ccinit run
 *    as PID 1 again would boot again and hand off to itself again, endlessly.
 *  - Read through once: on a verified root every block is checked as it is
 *    read, so a tampered block fails here, before exec, with a message; left to
 *    page faults it would surface as a SIGBUS in an agent already running.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "init/base/fileio.h"
#include "init/agent_check.h"
#include "init/steps.h"
#include "init/core/sys.h"

/* kata-agent is about 40 MiB with debug info; nothing legitimate comes near this. */
#define AGENT_SIZE_MAX (1LL << 30)
#define SELF_EXE       "/proc/self/exe"

/*
 * Reads the agent (fd, size bytes) through. self: ccinit's own executable when
 * it has the same size, compared as we go; *same says whether every byte matched.
 */
static int read_through(int fd, off_t size, int self, bool *same)
{
	static char buf[65536], mine[65536];
	off_t left = size;
	*same = self >= 0;
	while (left > 0) {
		size_t want = left < (off_t)sizeof(buf) ? (size_t)left : sizeof(buf);
		off_t at = size - left;
		ssize_t n = pread_full(fd, buf, want, at);
		if (n < 0)
			return (int)n;
		if (n == 0)
			break; /* shrank under us: what exec sees is checked by the kernel */
		if (*same &&
		    (pread_full(self, mine, (size_t)n, at) != n || memcmp(buf, mine, (size_t)n)))
			*same = false;
		left -= n;
	}
	return 0;
}

int agent_check(struct boot *b)
{
	const char *agent = b->config.agent;
	struct stat st, me;
	int fd = sys->open(agent, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY, 0);
	if (fd < 0)
		return boot_error(b, fd, "exec %s", agent);
	if (fstat(fd, &st) < 0) {
		int r = -errno;
		close(fd);
		return boot_error(b, r, "stat %s", agent);
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return boot_error(b, -EACCES, "%s is not a regular file (mode %o)", agent,
		                  (unsigned)(st.st_mode & S_IFMT));
	}
	if (st.st_size > AGENT_SIZE_MAX) {
		close(fd);
		return boot_error(b, -EFBIG, "%s is %lld bytes, more than an agent may be (%lld)",
		                  agent, (long long)st.st_size, AGENT_SIZE_MAX);
	}
	int self = sys->open(SELF_EXE, O_RDONLY | O_CLOEXEC, 0);
	if (self >= 0 && fstat(self, &me) < 0) {
		close(self);
		self = -1;
	}
	if (self >= 0 && me.st_dev == st.st_dev && me.st_ino == st.st_ino) {
		close(self);
		close(fd);
		return boot_error(b, -ELOOP, "%s is ccinit itself, not an agent", agent);
	}
	if (self >= 0 && me.st_size != st.st_size) {
		close(self);
		self = -1; /* a different size: not a copy of us, no need to compare */
	}
	bool same;
	int r = read_through(fd, st.st_size, self, &same);
	close(fd);
	if (self >= 0)
		close(self);
	if (r < 0)
		return boot_error(b, r, "reading %s (a block failed verification?)", agent);
	if (same)
		return boot_error(b, -ELOOP, "%s is a copy of ccinit, not an agent", agent);
	return 0;
}
