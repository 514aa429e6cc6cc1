/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The GPU golden table: NVIDIA's reference measurements (RIMs) as ccimage
 * verified them at build time, in a line format PID 1 reads without an XML
 * parser (init/gpu/attestation.md, 6). ccimage writes it from signed RIMs
 * (measurement/gpu_rim.c); ccinit compares each GPU's report with it
 * (init/gpu/rim.c). Both ends use this one reader and writer.
 *
 *   ccinit-gpu-golden 1
 *   rim driver GH100 550.144.03 <sha256 of the RIM file> valid
 *   m 7 48 <hex>
 *   m 21 48 <hex>,<hex>
 *   rim vbios 1010_0200_882 96.00.5E.00.01 <sha256> expired
 *   m 0 48 <hex>
 *
 * "#" lines and blank lines are skipped. A rim line opens a RIM; the m lines
 * after it are its active measurements (NVIDIA's index, 0-based, ascending;
 * the value size in bytes; each alternative in lowercase hex). Inactive
 * measurements are left out: NVIDIA's verifier never compares them.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define GPU_GOLDEN_MAGIC            "ccinit-gpu-golden 1"
#define GPU_GOLDEN_PATH             "/usr/share/ccinit/gpu-golden"
#define GPU_GOLDEN_MAX_SIZE         (4u << 20)
#define GPU_GOLDEN_MAX_RIMS         256
#define GPU_GOLDEN_MAX_INDEX        255
#define GPU_GOLDEN_MAX_VALUE        64 /* bytes: SHA-512 at most; NVIDIA's are SHA-384 */
#define GPU_GOLDEN_MAX_ALTERNATIVES 16

enum gpu_golden_kind { GPU_GOLDEN_DRIVER, GPU_GOLDEN_VBIOS };

struct gpu_golden_measurement {
	unsigned index;        /* the RIM's, 0-based: the report's measurement block index - 1 */
	unsigned size;         /* bytes in each alternative */
	unsigned alternatives; /* 1..GPU_GOLDEN_MAX_ALTERNATIVES */
	uint8_t values[GPU_GOLDEN_MAX_ALTERNATIVES][GPU_GOLDEN_MAX_VALUE];
};

struct gpu_golden_rim {
	enum gpu_golden_kind kind;
	/*
	 * driver: the chip, as the RIM's product names it (GH100, GB100);
	 * vbios: the board, <project>_<project SKU>_<chip SKU> in lowercase,
	 * as NVIDIA names VBIOS RIMs (1010_0200_882).
	 */
	char model[32];
	char version[32]; /* the RIM's colloquialVersion: 550.144.03, 96.00.5E.00.01 */
	char sha256[65];  /* of the RIM file, lowercase hex */
	bool expired;     /* its signing chain had expired when ccimage verified it */
	unsigned count;
	struct gpu_golden_measurement *m; /* count entries, index ascending */
};

struct gpu_golden {
	unsigned count;
	struct gpu_golden_rim *rims;
};

const char *gpu_golden_kind_name(enum gpu_golden_kind kind);

/*
 * Parses text[0..size). 0 with *out allocated (gpu_golden_free), or
 * -EBADMSG with why naming the line and field. Two RIMs of one kind, model
 * and version, or an index given twice, are errors too.
 */
int gpu_golden_parse(const char *text, size_t size, struct gpu_golden **out, char *why,
                     size_t why_size);
void gpu_golden_free(struct gpu_golden *g);

/* The RIM of kind for model and version (case-insensitive), or NULL. */
const struct gpu_golden_rim *gpu_golden_find(const struct gpu_golden *g, enum gpu_golden_kind kind,
                                             const char *model, const char *version);

/* The table's first line, then one RIM and its measurements: what gpu_golden_parse reads. */
int gpu_golden_write_header(FILE *f);
int gpu_golden_write_rim(FILE *f, const struct gpu_golden_rim *rim);
