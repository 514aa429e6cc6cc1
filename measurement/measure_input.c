/* SPDX-License-Identifier: Apache-2.0 */
/* Inputs of `ccimage measure`: Python-compatible number parsing and file hashing. */
#include "init/base/cmdfiles.h"
#include "init/base/why.h"
#include "measurement/measure_input.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

/* str.strip() whitespace in the ASCII range. */
static bool py_space(char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f);
}

int py_int(const char *s, int base, __int128 *out)
{
	const __int128 limit = ((__int128)1 << 126) - 1 + ((__int128)1 << 126); /* 2^127 - 1 */
	const char *end;
	bool neg = false, any = false, leading_zero = false, nonzero = false;
	__int128 v = 0;

	while (py_space(*s))
		s++;
	end = s + strlen(s);
	while (end > s && py_space(end[-1]))
		end--;
	if (s < end && (*s == '+' || *s == '-'))
		neg = *s++ == '-';
	if (base == 0) {
		base = 10;
		if (end - s >= 2 && s[0] == '0') {
			char p = (char)(s[1] | 0x20);
			if (p == 'x' || p == 'o' || p == 'b') {
				base = p == 'x' ? 16 : p == 'o' ? 8 : 2;
				s += 2;
				if (s < end && *s == '_') /* Python allows "0x_1f" */
					s++;
			}
		}
		if (base == 10 && s < end && *s == '0')
			leading_zero = true;
	}
	for (const char *p = s; p < end; p++) {
		if (*p == '_') {
			/* one underscore, between digits only */
			if (!any || p + 1 >= end || p[1] == '_')
				return -EINVAL;
			continue;
		}
		int d = ascii_digit(*p);
		if (d >= base)
			return -EINVAL;
		if (v > (limit - d) / base)
			return -EINVAL;
		v = v * base + d;
		any = true;
		nonzero |= d != 0;
	}
	if (!any || (leading_zero && nonzero))
		return -EINVAL;
	*out = neg ? -v : v;
	return 0;
}

int py_fromhex(const char *s, uint8_t *out, size_t cap)
{
	size_t n = 0;

	for (;;) {
		while (*s == ' ' || (*s >= '\t' && *s <= '\r'))
			s++;
		if (!*s)
			break;
		int hi = ascii_digit(s[0]), lo = s[1] ? ascii_digit(s[1]) : 99;
		if (hi >= 16 || lo >= 16 || n >= cap)
			return -EINVAL;
		out[n++] = (uint8_t)(hi << 4 | lo);
		s += 2;
	}
	return (int)n;
}

int read_file_all(const char *path, size_t max, uint8_t **data, size_t *size, char *why,
                  size_t why_size)
{
	char *buf;
	int r = read_input_file(path, max, &buf, size, why, why_size);

	if (r == 0)
		*data = (uint8_t *)buf;
	return r;
}

/*
 * Regular files: hash the page cache in place, which saves copying a 64 MiB
 * initrd, a window at a time, so a file of any size is never mapped whole.
 */
static int hash_mapped(int fd, EVP_MD_CTX *ctx, struct file_hash *h)
{
	enum { WINDOW = 16 << 20 }; /* a multiple of any page size */
	struct stat st;
	int r = 0;

	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size < (1 << 20))
		return -ENOTSUP;
	for (off_t off = 0; r == 0 && off < st.st_size; off += WINDOW) {
		size_t len = st.st_size - off < WINDOW ? (size_t)(st.st_size - off) : WINDOW;
		void *p = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, off);

		/* Before the first byte is hashed the read loop can still take over. */
		if (p == MAP_FAILED)
			return off == 0 ? -ENOTSUP : -errno;
		(void)madvise(p, len, MADV_WILLNEED);
		r = EVP_DigestUpdate(ctx, p, len) == 1 ? 0 : -EIO;
		munmap(p, len);
	}
	h->size = (uint64_t)st.st_size;
	return r;
}

void file_hash_run(struct file_hash *h)
{
	enum { CHUNK = 1 << 20 };
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	uint8_t *buf = malloc(CHUNK);
	struct stat st;
	int fd = open_input_file(h->path, h->max, true, &st, h->why, sizeof(h->why));

	h->size = 0;
	h->err = 0;
	if (fd < 0)
		h->err = fd;
	else if (!ctx || !buf)
		h->err = -ENOMEM;
	else if (EVP_DigestInit_ex2(ctx, EVP_sha256(), NULL) != 1)
		h->err = -EIO;
	else {
		int r = hash_mapped(fd, ctx, h);
		if (r == 0)
			goto done;
		if (r != -ENOTSUP)
			h->err = r;
	}
	while (h->err == 0) {
		ssize_t k = read(fd, buf, CHUNK);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			h->err = -errno;
		else if (k == 0)
			break;
		else if (EVP_DigestUpdate(ctx, buf, (size_t)k) != 1)
			h->err = -EIO;
		else if ((h->size += (uint64_t)k) > h->max) /* it grew while read */
			h->err = why_set(h->why, sizeof(h->why), -EFBIG, "grew past %llu bytes",
			                 (unsigned long long)h->max);
	}
done:
	if (h->err == 0 && EVP_DigestFinal_ex(ctx, h->sha256, NULL) != 1)
		h->err = -EIO;
	if (h->err < 0 && !h->why[0])
		snprintf(h->why, sizeof(h->why), "%s", strerror(-h->err));
	if (fd >= 0)
		close(fd);
	free(buf);
	EVP_MD_CTX_free(ctx);
}

static void *hash_thread(void *arg)
{
	file_hash_run(arg);
	return NULL;
}

int file_hash_parallel(struct file_hash *h, size_t n, void (*fn)(void *), void *arg)
{
	pthread_t tid[8];
	bool started[8] = {false};

	if (n > 8)
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		started[i] = pthread_create(&tid[i], NULL, hash_thread, &h[i]) == 0;
	if (fn)
		fn(arg);
	for (size_t i = 0; i < n; i++) {
		if (started[i])
			pthread_join(tid[i], NULL);
		else
			file_hash_run(&h[i]); /* no thread to spare: do it here */
	}
	return 0;
}

/* Strict UTF-8 as Python's str.encode() emits it: no overlongs, no surrogates, <= U+10FFFF. */
bool utf8_valid(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;

	while (*s) {
		unsigned c = *s, n;
		uint32_t cp;
		if (c < 0x80) {
			s++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			n = 1, cp = c & 0x1f;
		else if (c >= 0xe0 && c <= 0xef)
			n = 2, cp = c & 0x0f;
		else if (c >= 0xf0 && c <= 0xf4)
			n = 3, cp = c & 0x07;
		else
			return false;
		for (unsigned i = 1; i <= n; i++) {
			if ((s[i] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (s[i] & 0x3f);
		}
		if ((n == 2 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
		    (n == 3 && (cp < 0x10000 || cp > 0x10ffff)))
			return false;
		s += n + 1;
	}
	return true;
}
