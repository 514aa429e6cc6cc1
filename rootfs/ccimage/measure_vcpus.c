/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `ccimage measure --vcpus 1,2,4`: one launch digest per vCPU count. The SNP
 * and SEV-ES digests take one VMSA per vCPU (measurement/README.md, 4.2), and
 * Kata boots a pod with as many vCPUs as its shape asks for, so a verifier
 * needs the digest of every count the pods it admits may have.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rootfs/ccimage/command.h"
#include "rootfs/ccimage/measure_cmd.h"

#define MAX_COUNTS 64
#define MAX_VCPUS  4096

static int list_error(const char *what)
{
	fprintf(stderr,
	        "ccimage measure: error: %s\n(`ccimage measure --help` lists the options)\n", what);
	return EXIT_USAGE;
}

/* "1,2,4" into counts: each 1..MAX_VCPUS. Returns how many, or -EINVAL. */
static int parse_counts(const char *list, int64_t counts[MAX_COUNTS])
{
	const char *p = list;
	int n = 0;
	for (;;) {
		char *end;
		if (*p < '0' || *p > '9' || n == MAX_COUNTS)
			return -EINVAL;
		long long v = strtoll(p, &end, 10);
		if (v < 1 || v > MAX_VCPUS)
			return -EINVAL;
		counts[n++] = v;
		if (!*end)
			return n;
		if (*end != ',')
			return -EINVAL;
		p = end + 1;
	}
}

int measure_vcpu_counts(struct measure_args *a)
{
	int64_t counts[MAX_COUNTS];
	int n = parse_counts(a->vcpus_list, counts);
	if (n < 0)
		return list_error("argument --vcpus: a count or a list of counts from 1 to 4096, "
		                  "like 1,2,4 (at most 64)");
	if (a->mode != SEV_MODE_SNP && a->mode != SEV_MODE_SNP_SVSM && a->mode != SEV_MODE_SEVES)
		return list_error("a --vcpus list needs --mode snp, snp:svsm or seves (the modes "
		                  "whose digest depends on it)");
	if (a->verbose || a->json || a->rvps || a->dump_vmsa)
		return list_error("a --vcpus list prints one \"COUNT DIGEST\" line per count: "
		                  "not with -v, --json, --rvps or --dump-vmsa");
	for (int i = 0; i < n; i++) {
		a->vcpus = counts[i];
		printf("%lld ", (long long)counts[i]);
		fflush(stdout);
		int r = measure_run(a);
		if (r != EXIT_OK)
			return r;
	}
	return EXIT_OK;
}
