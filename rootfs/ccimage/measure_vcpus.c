/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `ccimage measure --vcpus 1,2,4`: one launch digest per vCPU count. The SNP
 * and SEV-ES digests take one VMSA per vCPU (measurement/README.md, 4.2), and
 * Kata boots a pod with as many vCPUs as its shape asks for, so a verifier
 * needs the digest of every count the pods it admits may have.
 */
#include <stdio.h>

#include "rootfs/ccimage/command.h"
#include "rootfs/ccimage/measure_cmd.h"

static int list_error(const char *what)
{
	fprintf(stderr,
	        "ccimage measure: error: %s\n(`ccimage measure --help` lists the options)\n", what);
	return EXIT_USAGE;
}

int measure_vcpu_counts(struct measure_args *a)
{
	/* The counts are parsed and range-checked with the options (measure_cmd.c). */
	if (a->mode != SEV_MODE_SNP && a->mode != SEV_MODE_SNP_SVSM && a->mode != SEV_MODE_SEVES)
		return list_error("a --vcpus list needs --mode snp, snp:svsm or seves (the modes "
		                  "whose digest depends on it)");
	if (a->verbose || a->json || a->rvps || a->dump_vmsa)
		return list_error("a --vcpus list prints one \"COUNT DIGEST\" line per count: "
		                  "not with -v, --json, --rvps or --dump-vmsa");
	for (size_t i = 0; i < a->nvcpu_counts; i++) {
		a->vcpus = a->vcpu_counts[i];
		printf("%u ", a->vcpus);
		fflush(stdout);
		int r = measure_run(a);
		if (r != EXIT_OK)
			return r;
	}
	return EXIT_OK;
}
