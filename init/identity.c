/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ccinit run as anything but PID 1. Like NVRC, it prints its version and the
 * sha256 of its own executable (for matching a binary to its release) and
 * exits 0: this doubles as a smoke test that the static binary runs at all.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "init/gpu/status.h"
#include "init/base/log.h"
#include "init/base/sha256.h"
#include "init/steps.h"
#include "init/base/hex.h"

static int self_sha256(char hex[65])
{
	int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	struct sha256 s;
	uint8_t buf[65536], digest[32];
	ssize_t n;
	sha256_init(&s);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		sha256_update(&s, buf, (size_t)n);
	int r = n < 0 ? -errno : 0;
	close(fd);
	if (r < 0)
		return r;
	sha256_final(&s, digest);
	hex_encode(digest, sizeof(digest), hex);
	return 0;
}

int identity_main(int argc, char **argv)
{
	log_to_stderr();
	if (argc > 1 && strcmp(argv[1], "gpu-status") == 0)
		return gpu_status_main(argc - 1, argv + 1);
	if (argc > 1 && strcmp(argv[1], "--help") != 0 && strcmp(argv[1], "--version") != 0) {
		fprintf(stderr,
		        "usage: ccinit [--version | gpu-status]  (as PID 1: boots the guest)\n");
		return 2;
	}
	char hex[65];
	int r = self_sha256(hex);
	printf("ccinit version=%s%s sha256=%s\n", CCINIT_VERSION,
#ifdef CCINIT_DEBUG_BUILD
	       "+debug",
#else
	       "",
#endif
	       r < 0 ? "unavailable" : hex);
	return 0;
}
