/* SPDX-License-Identifier: Apache-2.0 */
#include "modules/host/decompress.h"

#include <errno.h>
#include <lzma.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include "init/base/why.h"

#define CHUNK (64 * 1024)
/* kbuild compresses with a 1 MiB xz dictionary and zstd's default window; these are ample. */
#define XZ_MEMLIMIT         (128u << 20)
#define ZSTD_WINDOW_LOG_MAX 27

static const char *const suffixes[] = {".ko.xz", ".ko.zst"};

static const char *suffix_of(const char *path)
{
	size_t len = strlen(path);
	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		size_t n = strlen(suffixes[i]);
		if (len > n && strcmp(path + len - n, suffixes[i]) == 0)
			return suffixes[i];
	}
	return NULL;
}

bool module_unpacked_name(const char *relpath, char *plain, size_t size)
{
	const char *suffix = suffix_of(relpath);
	if (!suffix)
		return false;
	/* Keep NAME.ko: drop what follows the .ko. */
	int len = (int)(strlen(relpath) - strlen(suffix) + strlen(".ko"));
	return snprintf(plain, size, "%.*s", len, relpath) < (int)size;
}

/* Where unpacked bytes go, counted against MODULE_MAX_BYTES. */
struct sink {
	FILE *out;
	uint64_t written;
	const char *from, *to;
	char *why;
	size_t why_size;
};

static int sink_write(struct sink *s, const void *buf, size_t n)
{
	if (s->written + n > MODULE_MAX_BYTES)
		return why_set(s->why, s->why_size, -EFBIG, "%s: unpacks to more than %u MiB",
		               s->from, MODULE_MAX_BYTES >> 20);
	if (n && fwrite(buf, 1, n, s->out) != n)
		return why_set(s->why, s->why_size, -EIO, "writing %s", s->to);
	s->written += n;
	return 0;
}

static int unxz(FILE *in, struct sink *s)
{
	uint8_t ibuf[CHUNK], obuf[CHUNK];
	lzma_stream z = LZMA_STREAM_INIT;
	lzma_action action = LZMA_RUN;
	lzma_ret ret = lzma_stream_decoder(&z, XZ_MEMLIMIT, LZMA_CONCATENATED);
	int r = 0;

	if (ret != LZMA_OK)
		return why_set(s->why, s->why_size, -ENOMEM, "%s: liblzma cannot start (%d)",
		               s->from, (int)ret);
	z.next_out = obuf;
	z.avail_out = sizeof(obuf);
	while (r == 0 && ret == LZMA_OK) {
		if (z.avail_in == 0 && action == LZMA_RUN) {
			z.next_in = ibuf;
			z.avail_in = fread(ibuf, 1, sizeof(ibuf), in);
			if (ferror(in))
				r = why_set(s->why, s->why_size, -EIO, "reading %s", s->from);
			else if (feof(in))
				action = LZMA_FINISH;
		}
		ret = lzma_code(&z, action);
		if (r == 0 && (z.avail_out == 0 || ret == LZMA_STREAM_END)) {
			r = sink_write(s, obuf, sizeof(obuf) - z.avail_out);
			z.next_out = obuf;
			z.avail_out = sizeof(obuf);
		}
	}
	lzma_end(&z);
	if (r == 0 && ret != LZMA_STREAM_END)
		r = why_set(s->why, s->why_size, -EBADMSG,
		            "%s: corrupt or truncated xz stream (liblzma error %d)", s->from,
		            (int)ret);
	return r;
}

/* Feeds one input buffer through, flushing for as long as the output fills. */
static int unzstd_chunk(ZSTD_DStream *z, ZSTD_inBuffer *ib, size_t *left, struct sink *s)
{
	uint8_t obuf[CHUNK];
	ZSTD_outBuffer ob;
	int r = 0;

	do {
		ob = (ZSTD_outBuffer){obuf, sizeof(obuf), 0};
		*left = ZSTD_decompressStream(z, &ob, ib);
		if (ZSTD_isError(*left))
			return why_set(s->why, s->why_size, -EBADMSG,
			               "%s: corrupt zstd stream (%s)", s->from,
			               ZSTD_getErrorName(*left));
		r = sink_write(s, obuf, ob.pos);
	} while (r == 0 && (ib->pos < ib->size || ob.pos == ob.size));
	return r;
}

static int unzstd(FILE *in, struct sink *s)
{
	uint8_t ibuf[CHUNK];
	ZSTD_DStream *z = ZSTD_createDStream();
	size_t left = 1, n;
	int r = 0;

	if (!z || ZSTD_isError(ZSTD_DCtx_setParameter(z, ZSTD_d_windowLogMax, ZSTD_WINDOW_LOG_MAX)))
		r = why_set(s->why, s->why_size, -ENOMEM, "%s: libzstd cannot start", s->from);
	while (r == 0 && (n = fread(ibuf, 1, sizeof(ibuf), in)) > 0) {
		ZSTD_inBuffer ib = {ibuf, n, 0};
		r = unzstd_chunk(z, &ib, &left, s);
	}
	if (r == 0 && ferror(in))
		r = why_set(s->why, s->why_size, -EIO, "reading %s", s->from);
	if (r == 0 && left != 0)
		r = why_set(s->why, s->why_size, -EBADMSG, "%s: truncated zstd stream", s->from);
	ZSTD_freeDStream(z);
	return r;
}

int module_decompress(const char *from, const char *to, char *why, size_t why_size)
{
	const char *suffix = suffix_of(from);
	struct sink s = {.from = from, .to = to, .why = why, .why_size = why_size};
	FILE *in;
	int r;

	if (!suffix)
		return why_set(why, why_size, -EINVAL, "%s: not an .ko.xz or .ko.zst module", from);
	in = fopen(from, "rbe");
	if (!in)
		return why_set(why, why_size, -errno, "opening %s", from);
	s.out = fopen(to, "wbe");
	if (!s.out) {
		r = why_set(why, why_size, -errno, "creating %s", to);
		fclose(in);
		return r;
	}
	/* Whatever the umask: the initramfs records the mode. */
	if (fchmod(fileno(s.out), 0644) < 0)
		r = why_set(why, why_size, -errno, "chmod %s", to);
	else
		r = strcmp(suffix, ".ko.xz") == 0 ? unxz(in, &s) : unzstd(in, &s);
	fclose(in);
	if (fclose(s.out) != 0 && r == 0)
		r = why_set(why, why_size, -EIO, "writing %s", to);
	if (r < 0)
		(void)unlink(to);
	return r;
}
