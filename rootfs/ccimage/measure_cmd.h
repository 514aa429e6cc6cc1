/* SPDX-License-Identifier: Apache-2.0 */
/* `ccimage measure`: parsed SEV options (measure_cmd.c), the SEV run (measure_run.c), TDX
 * (tdx_cmd.c). */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "measurement/snp.h"
#include "measurement/tee.h"

/* An integer option read as Python's int() reads it, and whether it was given. */
struct measure_int {
	int64_t value;
	bool set;
};

/* --vcpus 1,2,4: at most this many counts, one digest each. */
#define MEASURE_MAX_COUNTS 64

enum { MEASURE_HEX, MEASURE_BASE64 };

struct measure_args {
	enum sev_mode mode;
	const struct tee_mode *tee_mode; /* --mode's row of the TEE table: its name and label */
	bool have_mode;
	const char *ovmf, *kernel, *initrd, *append; /* "" counts as absent, as in Python */
	unsigned vcpus; /* the count measure_run() uses; 0: not given */
	unsigned vcpu_counts[MEASURE_MAX_COUNTS];
	size_t nvcpu_counts;
	bool vcpus_list; /* --vcpus 1,2,4: measure_vcpu_counts() runs each */
	const char *vcpu_type;
	uint64_t vcpu_type_sig;
	struct measure_int vcpu_sig_arg; /* --vcpu-sig, its low 64 bits */
	uint64_t vcpu_sig;               /* the one used, once check_options() resolved it */
	struct measure_int family, model, stepping;
	const char *vmm_name;
	enum vmm_type vmm;
	struct measure_int guest_features; /* its low 64 bits are the VMSA's */
	const char *snp_ovmf_hash;
	unsigned output_format; /* MEASURE_HEX or MEASURE_BASE64 */
	bool verbose, dump_vmsa, json, version;
	const char *rvps, *trustee_version;
	const char *svsm, *vars_file;
	struct measure_int vars_size;
};

/* `ccimage measure ARGS`: argv[0] is "measure". Returns a ccimage exit code. */
int measure_main(int argc, char **argv);

/*
 * `ccimage measure --mode tdx ...` (tdx_cmd.c): measure_main hands TDX modes
 * there with its argv unchanged. Returns a ccimage exit code.
 */
int tdx_measure_main(int argc, char **argv);

/* measure_run once per count of a->vcpu_counts, each line led by its count (measure_vcpus.c). */
int measure_vcpu_counts(struct measure_args *a);

/* Reads and hashes the inputs, computes, prints. Returns a ccimage exit code. */
int measure_run(const struct measure_args *a);
