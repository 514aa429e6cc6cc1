// SPDX-License-Identifier: Apache-2.0
/*
 * NVIDIA's measurement comparison, as its local verifier and attestation SDK
 * make it (init/gpu/attestation.md, 6): the active measurements of the
 * driver RIM and of the VBIOS RIM form one golden list, which may not measure
 * an index twice; each golden index i must equal, in size and value, one of
 * its alternatives in the report's measurement block i + 1. Inactive
 * measurements are not in the table (ccimage left them out). Index 35 is
 * NVDEC0's: a GPU whose report says NVDEC0 is fused off (0x55) is not held
 * to it, and a report that says neither off nor on (0xAA) is refused, as
 * the attestation SDK does (src/gpu/verify.cpp).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "init/base/hex.h"
#include "init/base/why.h"
#include "init/gpu/rim.h"

#define NVDEC0_INDEX    35
#define NVDEC0_ENABLED  0xAA
#define NVDEC0_DISABLED 0x55

struct golden_entry {
	const struct gpu_golden_measurement *m;
	const struct gpu_golden_rim *rim;
};

static void board_of(const struct gpu_report *rep, char *out, size_t size)
{
	snprintf(out, size, "%s_%s_%s", rep->project, rep->project_sku, rep->chip_sku);
	for (char *p = out; *p; p++)
		*p = (char)tolower((unsigned char)*p);
}

static int matches(const struct gpu_golden_measurement *m, const struct gpu_report_block *b)
{
	if (!b || b->value_size != m->size)
		return 0;
	for (unsigned a = 0; a < m->alternatives; a++)
		if (memcmp(m->values[a], b->value, m->size) == 0)
			return 1;
	return 0;
}

static int choose(const struct gpu_golden *golden, const struct gpu_report *rep,
                  struct gpu_rim_result *res, char *why, size_t why_size)
{
	board_of(rep, res->board, sizeof(res->board));
	if (!rep->leaf_chip[0] || !rep->driver_version[0])
		return why_set(why, why_size, -ENOENT,
		               "golden measurements: the evidence names no chip or driver version");
	res->driver =
	        gpu_golden_find(golden, GPU_GOLDEN_DRIVER, rep->leaf_chip, rep->driver_version);
	if (!res->driver)
		return why_set(why, why_size, -ENOENT,
		               "golden measurements: the image has no driver RIM for %s driver %s",
		               rep->leaf_chip, rep->driver_version);
	if (!rep->project[0] || !rep->project_sku[0] || !rep->chip_sku[0] || !rep->vbios_version[0])
		return why_set(
		        why, why_size, -ENOENT,
		        "golden measurements: the report names no board or VBIOS version, so "
		        "no VBIOS RIM can be chosen");
	res->vbios = gpu_golden_find(golden, GPU_GOLDEN_VBIOS, res->board, rep->vbios_version);
	if (!res->vbios)
		return why_set(
		        why, why_size, -ENOENT,
		        "golden measurements: the image has no VBIOS RIM for board %s VBIOS %s",
		        res->board, rep->vbios_version);
	return 0;
}

/* The two RIMs' active measurements by index; NVIDIA refuses an index both measure. */
static int merge(const struct gpu_rim_result *res, struct golden_entry list[], unsigned *count,
                 char *why, size_t why_size)
{
	const struct gpu_golden_rim *rims[] = {res->driver, res->vbios};

	*count = 0;
	for (unsigned r = 0; r < 2; r++)
		for (unsigned i = 0; i < rims[r]->count; i++) {
			const struct gpu_golden_measurement *m = &rims[r]->m[i];

			if (list[m->index].m)
				return why_set(
				        why, why_size, -EKEYREJECTED,
				        "golden measurements: the driver RIM %s and the VBIOS "
				        "RIM %s both measure index %u",
				        res->driver->version, res->vbios->version, m->index);
			list[m->index] = (struct golden_entry){m, rims[r]};
			(*count)++;
		}
	return 0;
}

/* Names the first index that differs, with both values, and how many more do. */
static int mismatch(const struct gpu_report *rep, const struct golden_entry *e, unsigned index,
                    const struct gpu_rim_result *res, char *why, size_t why_size)
{
	const struct gpu_report_block *b = gpu_report_block(rep, index + 1);
	char gpu_hex[2 * GPU_GOLDEN_MAX_VALUE + 1] = "no such block";
	char rim_hex[2 * GPU_GOLDEN_MAX_VALUE + 1];

	if (b && b->value_size <= GPU_GOLDEN_MAX_VALUE)
		hex_encode(b->value, b->value_size, gpu_hex);
	hex_encode(e->m->values[0], e->m->size, rim_hex);
	return why_set(why, why_size, -EKEYREJECTED,
	               "golden measurements: index %u differs from the %s RIM %s: the GPU has %s, "
	               "the RIM %s%s (%u of %u indices differ)",
	               index, gpu_golden_kind_name(e->rim->kind), e->rim->version, gpu_hex, rim_hex,
	               e->m->alternatives > 1 ? " or another alternative" : "", res->mismatched,
	               res->compared);
}

int gpu_rim_compare(const struct gpu_golden *golden, const struct gpu_report *rep,
                    struct gpu_rim_result *res, char *why, size_t why_size)
{
	struct golden_entry list[GPU_GOLDEN_MAX_INDEX + 1] = {{0}};
	unsigned count = 0, first = 0;
	int r;

	memset(res, 0, sizeof(*res));
	r = choose(golden, rep, res, why, why_size);
	if (r == 0)
		r = merge(res, list, &count, why, why_size);
	if (r < 0)
		return r;
	if (!rep->nvdec0_present ||
	    (rep->nvdec0_status != NVDEC0_ENABLED && rep->nvdec0_status != NVDEC0_DISABLED))
		return why_set(why, why_size, -EKEYREJECTED,
		               "golden measurements: the report's NVDEC0 status is %s, neither on "
		               "(0xaa) nor off (0x55)",
		               rep->nvdec0_present ? "unknown" : "missing");
	if (count > rep->block_count)
		return why_set(why, why_size, -EKEYREJECTED,
		               "golden measurements: the RIMs measure %u indices, the report has "
		               "%u blocks",
		               count, rep->block_count);
	for (unsigned i = 0; i <= GPU_GOLDEN_MAX_INDEX; i++) {
		if (!list[i].m || (i == NVDEC0_INDEX && rep->nvdec0_status == NVDEC0_DISABLED))
			continue;
		res->compared++;
		if (matches(list[i].m, gpu_report_block(rep, i + 1)))
			continue;
		if (res->mismatched++ == 0)
			first = i;
		res->mismatch[i] = (unsigned char)(1 + list[i].rim->kind);
	}
	return res->mismatched ? mismatch(rep, &list[first], first, res, why, why_size) : 0;
}

bool gpu_rim_matched(const struct gpu_rim_result *res)
{
	return res->driver && res->vbios && res->compared && !res->mismatched;
}
