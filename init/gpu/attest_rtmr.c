// SPDX-License-Identifier: Apache-2.0
/*
 * The attested evidence measured into TDX RTMR3 (init/gpu/attestation.md, 5):
 * per GPU, D = SHA-384(report.bin || chain.pem) is written to the kernel's TSM
 * measurement register file, which extends RTMR3 = SHA-384(RTMR3 || D), and
 * one line "<pci address> <D in hex>" is appended to the event log beside the
 * evidence, in extend order, so a verifier can replay it
 * (`ccimage gpu rtmr3 D...` prints the value it gives from a zeroed RTMR3).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <mbedtls/sha512.h>

#include "init/base/fileio.h"
#include "init/base/hex.h"
#include "init/base/why.h"
#include "init/gpu/attest.h"
#include "init/core/sys.h"

void gpu_attest_evidence_digest(const uint8_t *report, size_t report_size, const char *chain,
                                size_t chain_size, uint8_t out[GPU_ATTEST_DIGEST_SIZE])
{
	mbedtls_sha512_context ctx;
	unsigned char full[64]; /* SHA-512's size: SHA-384 fills the first 48 */

	mbedtls_sha512_init(&ctx);
	mbedtls_sha512_starts_ret(&ctx, 1 /* SHA-384 */);
	mbedtls_sha512_update_ret(&ctx, report, report_size);
	mbedtls_sha512_update_ret(&ctx, (const unsigned char *)chain, chain_size);
	mbedtls_sha512_finish_ret(&ctx, full);
	mbedtls_sha512_free(&ctx);
	memcpy(out, full, GPU_ATTEST_DIGEST_SIZE);
}

static int append_event(const char *bdf, const uint8_t *digest)
{
	char path[512], line[160], hex[2 * GPU_ATTEST_DIGEST_SIZE + 1];
	int fd, r;

	if (sys_path(path, sizeof(path), GPU_ATTEST_EVIDENCE_DIR "/rtmr3.log") < 0)
		return -ENAMETOOLONG;
	hex_encode(digest, GPU_ATTEST_DIGEST_SIZE, hex);
	snprintf(line, sizeof(line), "%s %s\n", bdf, hex);
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0444);
	if (fd < 0)
		return -errno;
	r = write_full(fd, line, strlen(line));
	close(fd);
	return r;
}

int gpu_attest_extend_rtmr3(const char *bdf, const uint8_t *digest, char *why, size_t why_size)
{
	char path[512];
	struct stat st;
	int fd, r;

	if (sys_path(path, sizeof(path), GPU_ATTEST_RTMR3) < 0)
		return -ENAMETOOLONG;
	if (stat(path, &st) < 0)
		return 1; /* no TSM measurement register here: the caller says so once */
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return why_set(why, why_size, -errno, "GPU %s: opening %s to extend RTMR3", bdf,
		               GPU_ATTEST_RTMR3);
	/* One write of the whole digest: the kernel extends only a full register width. */
	r = (int)write(fd, digest, GPU_ATTEST_DIGEST_SIZE);
	r = r == GPU_ATTEST_DIGEST_SIZE ? 0 : r < 0 ? -errno : -EIO;
	close(fd);
	if (r == 0)
		r = append_event(bdf, digest);
	if (r < 0)
		return why_set(why, why_size, r, "GPU %s: extending RTMR3 with the evidence digest",
		               bdf);
	return 0;
}
