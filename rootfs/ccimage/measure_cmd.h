/* SPDX-License-Identifier: Apache-2.0 */
/* `ccimage measure`: parsed SEV options (measure_cmd.c), the SEV run (measure_run.c), TDX
 * (tdx_cmd.c). */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "measurement/snp.h"

struct measure_args {
	enum sev_mode mode;
	const char *mode_name;
	bool have_mode;
	const char *ovmf, *kernel, *initrd, *append; /* "" counts as absent, as in Python */
	int64_t vcpus;
	bool have_vcpus;
	const char *vcpus_list; /* --vcpus 1,2,4: measure_vcpu_counts() runs each */
	const char *vcpu_type;
	uint64_t vcpu_type_sig;
	uint64_t vcpu_sig; /* the one used, once check_options() resolved it */
	bool have_vcpu_sig;
	int64_t family, model, stepping;
	bool have_family, have_model, have_stepping;
	const char *vmm_name;
	enum vmm_type vmm;
	uint64_t guest_features;
	const char *snp_ovmf_hash;
	bool base64, verbose, dump_vmsa, json;
	const char *rvps, *trustee_version;
	const char *svsm, *vars_file;
	int64_t vars_size;
	bool have_vars_size;
	bool answered; /* --help or --version printed: nothing more to do */
};

/* `ccimage measure ARGS`: argv[0] is "measure". Returns a ccimage exit code. */
int measure_main(int argc, char **argv);

/*
 * `ccimage measure --mode tdx ...` (tdx_cmd.c): measure_main hands TDX modes
 * there with its argv unchanged. Returns a ccimage exit code.
 */
int tdx_measure_main(int argc, char **argv);

/* Reads and hashes the inputs, computes, prints. Returns a ccimage exit code. */
int measure_run(const struct measure_args *a);

/* measure_run once per count of a->vcpus_list, each line led by its count (measure_vcpus.c). */
int measure_vcpu_counts(struct measure_args *a);
