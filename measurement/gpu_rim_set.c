// SPDX-License-Identifier: Apache-2.0
/* A set of NVIDIA RIMs into the golden table (gpu_rim_set.h). */
#include "measurement/gpu_rim_set.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/sha.h>

#include "init/base/why.h"

int gpu_rim_builtin_root(struct gpu_rim_root *root, char *why, size_t why_size)
{
	unsigned char d[SHA256_DIGEST_LENGTH];
	char hex[2 * SHA256_DIGEST_LENGTH + 1];

	SHA256(gpu_rim_nvidia_root, gpu_rim_nvidia_root_size, d);
	for (size_t i = 0; i < sizeof(d); i++)
		snprintf(hex + 2 * i, 3, "%02x", d[i]);
	if (strcmp(hex, GPU_RIM_NVIDIA_ROOT_SHA256))
		return why_set(why, why_size, -EINVAL,
		               "the built-in RIM root's SHA-256 %s is not %s", hex,
		               GPU_RIM_NVIDIA_ROOT_SHA256);
	*root = (struct gpu_rim_root){gpu_rim_nvidia_root, gpu_rim_nvidia_root_size, false,
	                              "the built-in NVIDIA RIM root"};
	return 0;
}

static bool same_rim(const struct gpu_golden_rim *a, const struct gpu_golden_rim *b)
{
	return a->kind == b->kind && !strcasecmp(a->model, b->model) &&
	       !strcasecmp(a->version, b->version);
}

/* A driver and a VBIOS RIM measuring one index: the GPU's report would be judged by both. */
static int collision(const struct gpu_golden_rim *a, const char *a_path,
                     const struct gpu_golden_rim *b, const char *b_path, char *why, size_t why_size)
{
	unsigned i = 0, j = 0;

	if (a->kind == b->kind)
		return 0;
	while (i < a->count && j < b->count) {
		if (a->m[i].index == b->m[j].index)
			return why_set(
			        why, why_size, -EINVAL,
			        "%s and %s: both measure index %u (a driver RIM's and a VBIOS "
			        "RIM's active measurements must not collide)",
			        a_path, b_path, a->m[i].index);
		if (a->m[i].index < b->m[j].index)
			i++;
		else
			j++;
	}
	return 0;
}

/* RIM n (paths[n]) against the ones before it and driver. */
static int check(const struct gpu_golden_rim *rims, char *const *paths, size_t n,
                 const char *driver, char *why, size_t why_size)
{
	const struct gpu_golden_rim *rim = &rims[n];
	int r;

	if (driver && rim->kind == GPU_GOLDEN_DRIVER && strcmp(rim->version, driver))
		return why_set(why, why_size, -EKEYREJECTED,
		               "%s: driver RIM for %s, not the image's driver %s", paths[n],
		               rim->version, driver);
	for (size_t i = 0; i < n; i++) {
		if (same_rim(&rims[i], rim))
			return why_set(why, why_size, -EINVAL,
			               "%s and %s: both the %s RIM of %s %s", paths[i], paths[n],
			               gpu_golden_kind_name(rim->kind), rim->model, rim->version);
		if ((r = collision(&rims[i], paths[i], rim, paths[n], why, why_size)) < 0)
			return r;
	}
	return 0;
}

/* The table, whole, into *text. */
static int table(const struct gpu_golden_rim *rims, size_t n, char **text, size_t *len)
{
	FILE *f = open_memstream(text, len);
	int r;

	if (!f)
		return -ENOMEM;
	r = gpu_golden_write_header(f);
	for (size_t i = 0; r == 0 && i < n; i++)
		r = gpu_golden_write_rim(f, &rims[i]);
	if (fclose(f) != 0 && r == 0)
		r = -ENOMEM;
	return r;
}

int gpu_rim_set_read(char *const *paths, size_t n, const struct gpu_rim_root *root,
                     bool accept_expired, const char *driver, struct gpu_rim_set *set, char *why,
                     size_t why_size)
{
	int r = 0;

	*set = (struct gpu_rim_set){0};
	if (n > GPU_GOLDEN_MAX_RIMS)
		return why_set(why, why_size, -E2BIG, "%zu RIMs: at most %u", n,
		               GPU_GOLDEN_MAX_RIMS);
	if (!(set->rims = calloc(n ? n : 1, sizeof(*set->rims))))
		return -ENOMEM;
	for (size_t i = 0; r == 0 && i < n; i++) {
		r = gpu_rim_read(paths[i], root, accept_expired, &set->rims[i], why, why_size);
		set->n = i + 1; /* freed even when half-read */
		if (r == 0)
			r = check(set->rims, paths, i, driver, why, why_size);
	}
	if (r == 0)
		r = table(set->rims, set->n, &set->text, &set->len);
	if (r < 0)
		gpu_rim_set_free(set);
	return r;
}

void gpu_rim_set_free(struct gpu_rim_set *set)
{
	for (size_t i = 0; set->rims && i < set->n; i++)
		gpu_rim_free(&set->rims[i]);
	free(set->rims);
	free(set->text);
	*set = (struct gpu_rim_set){0};
}
