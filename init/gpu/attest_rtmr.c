// SPDX-License-Identifier: Apache-2.0
/*
 * The attested evidence measured into TDX RTMR3 (init/gpu/attestation.md, 5)
 * so that the CoCo attestation agent's event log still replays to it: per GPU,
 * D = SHA-384(report.bin || chain.pem) becomes the AAEL event
 * "github.com/ccinit gpu-evidence <pci address> <D in hex>"; the SHA-384 E of
 * that event's data is written to the kernel's TSM measurement register file
 * (RTMR3 = SHA-384(RTMR3 || E)) and the TCG2 entry carrying it is appended to
 * /run/attestation-agent/eventlog, in extend order, exactly as the agent
 * itself would log it (init/README.md, "ccinit's events in the attestation
 * agent's log"). The agent opens that file later and appends after ours.
 * `ccimage gpu rtmr3 BDF=D...` prints the register and the events.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <mbedtls/sha512.h>

#include "init/base/aael.h"
#include "init/base/fileio.h"
#include "init/base/why.h"
#include "init/gpu/attest.h"
#include "init/core/sys.h"

static void sha384_two(const uint8_t *a, size_t a_size, const uint8_t *b, size_t b_size,
                       uint8_t out[GPU_ATTEST_DIGEST_SIZE])
{
	mbedtls_sha512_context ctx;
	unsigned char full[64]; /* SHA-512's size: SHA-384 fills the first 48 */

	mbedtls_sha512_init(&ctx);
	mbedtls_sha512_starts_ret(&ctx, 1 /* SHA-384 */);
	mbedtls_sha512_update_ret(&ctx, a, a_size);
	mbedtls_sha512_update_ret(&ctx, b, b_size);
	mbedtls_sha512_finish_ret(&ctx, full);
	mbedtls_sha512_free(&ctx);
	memcpy(out, full, GPU_ATTEST_DIGEST_SIZE);
}

void gpu_attest_evidence_digest(const uint8_t *report, size_t report_size, const char *chain,
                                size_t chain_size, uint8_t out[GPU_ATTEST_DIGEST_SIZE])
{
	sha384_two(report, report_size, (const uint8_t *)chain, chain_size, out);
}

/* One write of the whole entry, appended: the agent later appends after it. */
static int append_entry(const uint8_t *entry, size_t len)
{
	char path[512];
	int fd, r;

	if (sys_path(path, sizeof(path), AAEL_DIR) < 0)
		return -ENAMETOOLONG;
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		return -errno;
	if (sys_path(path, sizeof(path), AAEL_PATH) < 0)
		return -ENAMETOOLONG;
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return -errno;
	r = write_full(fd, entry, len);
	close(fd);
	return r;
}

/* Through the seam's open, so a test can see every extend, not only the last. */
static int extend(const char *path, const uint8_t *e)
{
	int fd = sys->open(path, O_WRONLY | O_CLOEXEC, 0), r;

	if (fd < 0)
		return fd;
	/* One write of the whole digest: the kernel extends only a full register width. */
	r = (int)write(fd, e, GPU_ATTEST_DIGEST_SIZE);
	r = r == GPU_ATTEST_DIGEST_SIZE ? 0 : r < 0 ? -errno : -EIO;
	close(fd);
	return r;
}

int gpu_attest_extend_rtmr3(const char *bdf, const uint8_t *digest, char *why, size_t why_size)
{
	uint8_t data[256], entry[256 + AAEL_ENTRY_OVERHEAD], e[GPU_ATTEST_DIGEST_SIZE];
	char path[512];
	struct stat st;
	int n, len, r;

	if (sys_path(path, sizeof(path), GPU_ATTEST_RTMR3) < 0)
		return -ENAMETOOLONG;
	if (stat(path, &st) < 0)
		return 1; /* no TSM measurement register here: the caller says so once */
	n = aael_gpu_event(bdf, digest, data, sizeof(data));
	if (n < 0)
		return why_set(why, why_size, n, "GPU %s: building its attestation agent event",
		               bdf);
	sha384_two(data, (size_t)n, NULL, 0, e);
	len = aael_entry(AAEL_MR_RTMR3, data, (size_t)n, e, entry, sizeof(entry));
	if (len < 0)
		return why_set(why, why_size, len, "GPU %s: building its attestation agent event",
		               bdf);
	r = extend(path, e);
	if (r < 0)
		return why_set(why, why_size, r, "GPU %s: extending RTMR3 through %s", bdf,
		               GPU_ATTEST_RTMR3);
	r = append_entry(entry, (size_t)len);
	if (r < 0)
		return why_set(why, why_size, r, "GPU %s: appending its event to %s", bdf,
		               AAEL_PATH);
	return 0;
}
