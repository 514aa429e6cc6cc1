/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The one table of TEEs: what a recipe's `measurement.tee` may name, which
 * `ccimage measure --mode` words belong to each, whether `ccimage build`
 * measures it, and the names of its reports and values. The recipe parser,
 * the measure front-end, the build and the launch library (launch.h) all
 * read it, so a TEE the build cannot measure is refused where the recipe
 * names it, not after the image is built.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "measurement/snp.h"

enum tee_id { TEE_SEV, TEE_SEV_ES, TEE_SNP, TEE_TDX };

struct tee_info {
	enum tee_id id;
	const char *name; /* the recipe's word, and `ccimage measure --tee` */
	bool built;       /* `ccimage build` measures it (measurement-<report>.json) */
	bool per_vcpu;    /* its launch value depends on the vCPU count: one report per count */
};

/* A `ccimage measure --mode` word. */
struct tee_mode {
	const char *name;
	enum tee_id tee;
	enum sev_mode sev; /* SEV modes only */
	const char *label; /* the guest type sev-snp-measure's --verbose line names: "SEV_SNP" */
};

/* The i-th entry, NULL past the end; the order is the one messages list them in. */
const struct tee_info *tee_at(size_t i);
const struct tee_mode *tee_mode_at(size_t i);
/* By name; NULL for names not in the table. */
const struct tee_info *tee_by_name(const char *name);
const struct tee_info *tee_by_id(enum tee_id id);
const struct tee_mode *tee_mode_by_name(const char *name);

/*
 * A recipe's TEE: 0 when `ccimage build` measures it, else -EINVAL with why
 * "tee 'sev' is not one ccimage build measures (snp, tdx)".
 */
int tee_check_built(const char *name, char *why, size_t why_size);

/* The names the table lists joined by ", ": the TEEs built ones (built) or all --mode words. */
void tee_list_built(char *out, size_t size);
void tee_mode_list(char *out, size_t size);

/* The report a launch value is filed under: "tdx", or "snp-4vcpu" for a per-vCPU TEE. */
int tee_report_name(const struct tee_info *t, unsigned vcpus, char *out, size_t size);
