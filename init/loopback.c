/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `lo` up, before any daemon starts: newer nv-fabricmanager talks to itself
 * over loopback (NVRC brings lo up before starting it), and an agent that is
 * not PID 1 would not do it itself. Two ioctls on a throwaway socket, through
 * the seam: no `ip` binary, no netlink message to build.
 */
#include <errno.h>
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "init/base/log.h"
#include "init/steps.h"
#include "init/core/sys.h"

int loopback_up(struct boot *b)
{
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, "lo", 3);
	int fd = sys->socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		return boot_error(b, fd, "socket for bringing lo up");
	int r = sys->ioctl(fd, SIOCGIFFLAGS, &ifr);
	if (r >= 0 && !(ifr.ifr_flags & IFF_UP)) {
		ifr.ifr_flags |= IFF_UP;
		r = sys->ioctl(fd, SIOCSIFFLAGS, &ifr);
	}
	close(fd);
	if (r < 0)
		return boot_error(b, r, "bringing lo up");
	log_info("lo up");
	return 0;
}
