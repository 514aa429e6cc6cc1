/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Parallel level hashing. veritysetup hashes block after block on one core;
 * the digests of one level are independent, so we split each level into
 * chunks of whole output hash blocks (no two threads ever touch the same hash
 * block) and let every CPU take chunks from a shared counter. Input comes in
 * with pread() into a per-thread buffer, which works the same on files and
 * block devices.
 */
#include "measurement/verity_engine.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "init/base/fileio.h"
#include "measurement/verity_sha256_x16.h"

/* About this much input per chunk: large enough to amortise a pread, small enough to balance. */
#define CHUNK_INPUT_BYTES (2u << 20)

#define CALIBRATE_BLOCKS (4 * SHA256_X16_LANES) /* of 4 KiB: a quarter MiB each way */

static double cpu_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU seconds to hash the calibration blocks one way: lanes or one by one. */
static double time_engine(const uint8_t *data, bool lanes)
{
	static const uint8_t salt[32];
	uint8_t out[SHA256_X16_LANES][32];
	EVP_MD_CTX *c = EVP_MD_CTX_new(); /* one context for all blocks, as a worker has */
	double t0 = cpu_seconds(), t;

	for (size_t k = 0; c && k < CALIBRATE_BLOCKS; k += SHA256_X16_LANES) {
		const uint8_t *in = data + k * 4096;
		if (lanes) {
			sha256_x16(salt, sizeof(salt), in, 4096, 4096, NULL, 0, out);
			continue;
		}
		for (size_t l = 0; l < SHA256_X16_LANES; l++)
			if (EVP_DigestInit_ex2(c, EVP_sha256(), NULL) &&
			    EVP_DigestUpdate(c, salt, sizeof(salt)) &&
			    EVP_DigestUpdate(c, in + l * 4096, 4096))
				EVP_DigestFinal_ex(c, out[l], NULL);
	}
	t = cpu_seconds() - t0;
	EVP_MD_CTX_free(c);
	return c ? t : 1e9;
}

static bool lanes_win;

/*
 * Neither SHA-256 engine wins on every CPU: on the project's Xeons the
 * AVX-512 lanes do about twice the bytes per CPU second of OpenSSL's SHA-NI
 * path, while on an AMD EPYC with both they were 1.11x slower single-threaded
 * (512 MiB: 0.460 s vs 0.417 s). So each is timed on the same blocks, best of
 * three, once per process: under a millisecond against a tree's seconds. The
 * bytes are the same either way (tests/unit/test_verity.c checks the lanes
 * against OpenSSL).
 */
static void calibrate(void)
{
	uint8_t *data = calloc(CALIBRATE_BLOCKS, 4096);
	double lanes = 1e9, single = 1e9;

	if (!data)
		return;
	for (int i = 0; i < 3; i++) {
		double a = time_engine(data, true), b = time_engine(data, false);
		lanes = a < lanes ? a : lanes;
		single = b < single ? b : single;
	}
	lanes_win = lanes < single;
	free(data);
}

/* CCIMAGE_VERITY_SIMD=0: OpenSSL only; 1: the lanes wherever the CPU runs them; unset: timed. */
static bool use_lanes(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	const char *env = getenv("CCIMAGE_VERITY_SIMD");

	if (!sha256_x16_available())
		return false;
	if (env && strcmp(env, "1") == 0)
		return true;
	pthread_once(&once, calibrate);
	return lanes_win;
}

int verity_hasher_init(struct verity_hasher *h, const char *hash_name, int format,
                       const uint8_t *salt, size_t salt_size)
{
	EVP_MD *md;
	int size;

	memset(h, 0, sizeof(*h));
	md = EVP_MD_fetch(NULL, hash_name, NULL);
	if (!md)
		return -EINVAL;
	size = EVP_MD_get_size(md);
	/* XOFs and odd digests have no place in a tree. */
	if (size <= 0 || size > VERITY_MAX_DIGEST_SIZE ||
	    (EVP_MD_get_flags(md) & EVP_MD_FLAG_XOF)) {
		EVP_MD_free(md);
		return -EINVAL;
	}
	h->md = md;
	h->format = format;
	h->salt = salt;
	h->salt_size = salt_size;
	h->digest_size = (uint32_t)size;
	h->x16 = EVP_MD_is_a(md, "SHA2-256") && use_lanes();
	return 0;
}

void verity_hasher_done(struct verity_hasher *h)
{
	EVP_MD_free((EVP_MD *)h->md);
	h->md = NULL;
}

static int digest_with(EVP_MD_CTX *ctx, const struct verity_hasher *h, const uint8_t *block,
                       size_t len, uint8_t *out)
{
	unsigned olen = 0;
	int ok = EVP_DigestInit_ex2(ctx, h->md, NULL);

	if (h->format == VERITY_FORMAT_NORMAL) {
		ok = ok && EVP_DigestUpdate(ctx, h->salt, h->salt_size);
		ok = ok && EVP_DigestUpdate(ctx, block, len);
	} else {
		ok = ok && EVP_DigestUpdate(ctx, block, len);
		ok = ok && EVP_DigestUpdate(ctx, h->salt, h->salt_size);
	}
	ok = ok && EVP_DigestFinal_ex(ctx, out, &olen);
	return ok && olen == h->digest_size ? 0 : -EIO;
}

int verity_hasher_digest(const struct verity_hasher *h, const uint8_t *block, size_t len,
                         uint8_t *out)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int r;

	if (!ctx)
		return -ENOMEM;
	r = digest_with(ctx, h, block, len, out);
	EVP_MD_CTX_free(ctx);
	return r;
}

/* The CPUs we may run on (taskset, cpusets), not all the machine has. */
unsigned verity_threads(unsigned n)
{
	cpu_set_t set;
	long cpus;

	if (n)
		return n;
	if (sched_getaffinity(0, sizeof(set), &set) == 0 && CPU_COUNT(&set) > 0)
		return (unsigned)CPU_COUNT(&set);
	cpus = sysconf(_SC_NPROCESSORS_ONLN);
	return cpus > 0 ? (unsigned)cpus : 1;
}

struct level_state {
	struct verity_level_job *job;
	uint64_t per_block; /* digest slots per output hash block */
	uint64_t chunk;     /* output hash blocks per chunk */
	uint64_t chunks;
	uint64_t buf_blocks; /* input blocks per read when reading from a file */
	atomic_uint_fast64_t next;
	atomic_uint_fast64_t first_bad;
	atomic_int err;
};

static int read_full(int fd, uint8_t *buf, size_t len, uint64_t off)
{
	ssize_t n = pread_full(fd, buf, len, (off_t)off);

	if (n < 0)
		return (int)n;
	return (size_t)n == len ? 0 : -ENODATA; /* the device shrank under us */
}

static void note_bad(struct level_state *st, uint64_t k)
{
	uint_fast64_t cur = atomic_load(&st->first_bad);

	while (k < cur && !atomic_compare_exchange_weak(&st->first_bad, &cur, k))
		;
}

/* Where input block k's digest goes in the level being written (or checked). */
static uint8_t *slot_of(const struct level_state *st, uint64_t k)
{
	const struct verity_level_job *j = st->job;
	size_t off = (size_t)(k >> j->h->per_block_bits) * j->out_block_size +
	             (size_t)(k & (st->per_block - 1)) * j->h->stride;

	return (j->out ? j->out : (uint8_t *)j->expect) + off;
}

/* Stores or checks one digest; false when a check failed. */
static bool put_digest(struct level_state *st, uint64_t k, const uint8_t *digest)
{
	const struct verity_level_job *j = st->job;

	if (j->out) {
		memcpy(slot_of(st, k), digest, j->h->digest_size);
		return true;
	}
	if (memcmp(digest, slot_of(st, k), j->h->digest_size) == 0)
		return true;
	note_bad(st, k);
	return false;
}

/* Digests of input blocks k..end-1, whose bytes start at in. */
static int hash_range(struct level_state *st, EVP_MD_CTX *ctx, const uint8_t *in, uint64_t k,
                      uint64_t end)
{
	const struct verity_level_job *j = st->job;
	const struct verity_hasher *h = j->h;
	bool normal = h->format == VERITY_FORMAT_NORMAL;
	uint8_t digest[VERITY_MAX_DIGEST_SIZE];

	/* Sixteen blocks at a time where the CPU allows, the rest one by one. */
	for (; h->x16 && k + SHA256_X16_LANES <= end; in += SHA256_X16_LANES * j->in_block_size) {
		uint8_t d16[SHA256_X16_LANES][32];

		sha256_x16(normal ? h->salt : NULL, normal ? h->salt_size : 0, in, j->in_block_size,
		           j->in_block_size, normal ? NULL : h->salt, normal ? 0 : h->salt_size,
		           d16);
		for (int l = 0; l < SHA256_X16_LANES; l++, k++)
			if (!put_digest(st, k, d16[l]))
				return 1; /* later blocks of this chunk cannot be first */
	}
	for (; k < end; k++, in += j->in_block_size) {
		int r = digest_with(ctx, h, in, j->in_block_size, digest);

		if (r < 0)
			return r;
		if (!put_digest(st, k, digest))
			return 1;
	}
	return 0;
}

/* Unmaps the whole pages of [p, p + len) from this process; the file's bytes stay cached. */
static void release_pages(const uint8_t *p, uint64_t len)
{
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
	uintptr_t from = ((uintptr_t)p + page - 1) & ~(page - 1);
	uintptr_t to = ((uintptr_t)p + (uintptr_t)len) & ~(page - 1);

	/* Only a hint: a range left mapped costs memory, never a wrong digest. */
	if (to > from)
		(void)madvise((void *)from, to - from, MADV_DONTNEED);
}

static int do_chunk(struct level_state *st, EVP_MD_CTX *ctx, uint8_t *buf, uint64_t c)
{
	const struct verity_level_job *j = st->job;
	uint64_t k = c * st->chunk * st->per_block;
	uint64_t end = k + st->chunk * st->per_block;
	int r = 0;

	if (end > j->in_blocks)
		end = j->in_blocks;
	if (j->in_mem) {
		r = hash_range(st, ctx, j->in_mem + k * j->in_block_size, k, end);
		if (j->in_mem_mapped)
			release_pages(j->in_mem + k * j->in_block_size,
			              (end - k) * j->in_block_size);
		return r < 0 ? r : 0;
	}
	/* From a file: through the buffer, a bounded number of blocks at a time. */
	while (r == 0 && k < end) {
		uint64_t stop = end - k > st->buf_blocks ? k + st->buf_blocks : end;

		r = read_full(j->in_fd, buf, (stop - k) * j->in_block_size,
		              j->in_offset + k * j->in_block_size);
		if (r == 0)
			r = hash_range(st, ctx, buf, k, stop);
		k = stop;
	}
	return r < 0 ? r : 0;
}

static void *worker(void *arg)
{
	struct level_state *st = arg;
	const struct verity_level_job *j = st->job;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	uint8_t *buf = NULL;
	int r = 0;

	if (!ctx)
		r = -ENOMEM;
	if (r == 0 && !j->in_mem) {
		buf = malloc(st->buf_blocks * j->in_block_size);
		if (!buf)
			r = -ENOMEM;
	}
	while (r == 0 && atomic_load(&st->err) == 0) {
		uint64_t c = atomic_fetch_add(&st->next, 1);

		if (c >= st->chunks)
			break;
		/* In verify mode, chunks past a known bad block cannot change the answer. */
		if (!j->out && c * st->chunk * st->per_block > atomic_load(&st->first_bad))
			continue;
		r = do_chunk(st, ctx, buf, c);
	}
	if (r < 0) {
		int zero = 0;

		atomic_compare_exchange_strong(&st->err, &zero, r);
	}
	free(buf);
	EVP_MD_CTX_free(ctx);
	return NULL;
}

int verity_level_run(struct verity_level_job *job)
{
	struct level_state st = {.job = job};
	const struct verity_hasher *h = job->h;
	uint64_t out_blocks, per_chunk_input;
	unsigned threads;
	pthread_t *tids;
	unsigned started = 0;

	if (h->stride == 0 || !(job->out || job->expect) || job->in_blocks == 0)
		return -EINVAL;
	st.per_block = 1ULL << h->per_block_bits;
	out_blocks = (job->in_blocks + st.per_block - 1) >> h->per_block_bits;
	per_chunk_input = st.per_block * job->in_block_size;
	st.chunk = CHUNK_INPUT_BYTES / per_chunk_input;
	if (st.chunk == 0)
		st.chunk = 1;
	st.chunks = (out_blocks + st.chunk - 1) / st.chunk;
	/* Whole groups of sixteen, and never a buffer much larger than one chunk's target. */
	st.buf_blocks =
	        CHUNK_INPUT_BYTES / job->in_block_size / SHA256_X16_LANES * SHA256_X16_LANES;
	if (st.buf_blocks < SHA256_X16_LANES)
		st.buf_blocks = SHA256_X16_LANES;
	atomic_init(&st.next, 0);
	atomic_init(&st.first_bad, UINT64_MAX);
	atomic_init(&st.err, 0);

	threads = verity_threads(job->threads);
	if (threads > st.chunks)
		threads = (unsigned)st.chunks;
	if (threads <= 1) {
		worker(&st);
	} else {
		tids = calloc(threads, sizeof(*tids));
		if (!tids)
			return -ENOMEM;
		for (; started < threads - 1; started++)
			if (pthread_create(&tids[started], NULL, worker, &st) != 0)
				break; /* fewer helpers is slower, not wrong */
		worker(&st);
		for (unsigned i = 0; i < started; i++)
			pthread_join(tids[i], NULL);
		free(tids);
	}
	job->first_bad = atomic_load(&st.first_bad);
	return atomic_load(&st.err);
}
