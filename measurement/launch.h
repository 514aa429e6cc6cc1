/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Launch measurements as one library call: the values a TEE's launch of a
 * kernel, initrd and command line on a firmware gives (measurement/README.md,
 * 2), from the files themselves. `ccimage measure`, `ccimage build` and its
 * Kata outputs call launch_measure() in process, and take the range checks
 * of its inputs from here, so a recipe, the command line and the build
 * refuse the same values in the same words.
 *
 * Usage:
 *	struct launch_in in = {.mode = tee_mode_by_name("snp"), .firmware = "OVMF.fd",
 *	                       .kernel = "vmlinuz", .initrd = "initrd", .cmdline = "quiet",
 *	                       .vcpus = 4, .vcpu_type = "EPYC-v4"};
 *	struct launch_result res;
 *	r = launch_measure(&in, &res, why, sizeof(why)); // res.digest, res.kernel.sha256...
 *	launch_result_free(&res);
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "measurement/rvps.h"
#include "measurement/snp.h"
#include "measurement/tdx.h"
#include "measurement/tee.h"

/* Recipes and the command line take 1..512 vCPUs. */
#define LAUNCH_VCPUS_MAX 512
/* Guest RAM: 1 MiB to 16 TiB, and Kata's default when a recipe names none. */
#define LAUNCH_MEMORY_MIN         (1ull << 20)
#define LAUNCH_MEMORY_MAX         (1ull << 44)
#define LAUNCH_MEMORY_MIB_DEFAULT 2048u
/* A kernel or initrd QEMU loads for a SEV guest: it places both below 4 GiB. */
#define LAUNCH_BOOT_FILE_MAX (4ull << 30)
/* SNPActive alone: host Linux >= 6.8 and QEMU's default guest features. */
#define LAUNCH_GUEST_FEATURES_DEFAULT 0x1ull

/* n vCPUs: 0, or -ERANGE with why "N is not 1..512". */
int launch_check_vcpus(uint64_t n, char *why, size_t why_size);
/* bytes of guest RAM: 0, or -ERANGE with why "N bytes is not 1 MiB..16 TiB". */
int launch_check_memory(uint64_t bytes, char *why, size_t why_size);

/* A QEMU CPU model's name (EPYC-v4, ...): 0 with *sig its CPUID signature, or -EINVAL with why. */
int launch_check_vcpu_type(const char *name, uint64_t *sig, char *why, size_t why_size);

struct launch_in {
	const struct tee_mode *mode; /* tee_mode_by_name(): "snp", "tdx", ... */
	const char *firmware; /* OVMF/TDVF image (QEMU -bios); SEV modes need it, TDX: MR_TD */
	const char *kernel, *initrd, *cmdline; /* NULL or "": none */
	unsigned vcpus;                        /* SEV-ES and SNP modes */
	/* SEV-ES and SNP: the QEMU CPU model, whose signature is used unless vcpu_sig_set. */
	const char *vcpu_type;
	bool vcpu_sig_set;
	uint64_t vcpu_sig;
	uint64_t memory; /* TDX: guest RAM in bytes, 0 when unknown */
	/* What `ccimage measure` takes beyond a recipe's settings. */
	struct {
		enum vmm_type vmm;              /* 0: QEMU */
		const uint64_t *guest_features; /* NULL: LAUNCH_GUEST_FEATURES_DEFAULT */
		const char *ovmf_hash;          /* snp: the launch digest after the firmware, hex */
		const char *svsm;               /* snp:svsm: the SVSM binary */
		int64_t vars_size;              /* snp:svsm: the OVMF_VARS size */
		int (*vmsa_cb)(unsigned index, const uint8_t page[SNP_PAGE_SIZE], void *arg);
	} sev;
	struct {
		bool two_pass;
		enum tdx_profile profile;
		const char *acpi[3]; /* table-loader, rsdp, tables: RTMR0 */
	} tdx;
};

/* One input file as it was measured; path NULL when it was not an input. */
struct launch_file {
	const char *path;
	uint64_t size;
	uint8_t sha256[32];
};

enum launch_stage { LAUNCH_OK, LAUNCH_READ, LAUNCH_PARSE, LAUNCH_COMPUTE };

struct launch_result {
	const struct tee_mode *mode;
	struct launch_file firmware, svsm, kernel, initrd;
	/* SEV modes: the digest (48 bytes for SNP, 32 for SEV and SEV-ES) and what it took. */
	uint8_t digest[SEV_DIGEST_MAX];
	size_t digest_len;
	uint64_t vcpu_sig, guest_features;
	enum vmm_type vmm;
	bool have_hashes; /* kernel-hashes=on: the table's three hashes */
	struct sev_hashes hashes;
	struct tdx_prediction *tdx; /* TDX: allocated here, freed by launch_result_free() */
	/* On failure: the stage, and for LAUNCH_READ the file that could not be read. */
	enum launch_stage failed;
	const char *failed_file;
};

/*
 * Reads the inputs and computes in->mode's launch values. Returns 0; a
 * negative errno with why set and res->failed saying where: -EBADMSG or
 * -EINVAL for refused inputs, another errno for a file or a system failure.
 * Call launch_result_free() either way.
 */
int launch_measure(const struct launch_in *in, struct launch_result *res, char *why,
                   size_t why_size);
void launch_result_free(struct launch_result *res);

/* The result's values into a trustee RVPS message (measurement/README.md, 8.2). */
int launch_rvps_add(const struct launch_result *res, struct rvps_msg *m);
