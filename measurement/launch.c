/* SPDX-License-Identifier: Apache-2.0 */
/*
 * launch_measure(): reads the inputs, checks them, and computes the launch
 * values of one TEE mode (launch.h). The SEV modes hash the kernel and initrd
 * on their own threads while the firmware pages are measured on this one;
 * TDX reads the files whole, as its digests take them whole.
 */
#include "measurement/launch.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "init/base/why.h"
#include "measurement/measure_input.h"
#include "measurement/tdvf.h"

/* The firmware ends at 4 GiB: a larger file cannot be one. */
#define SEV_FIRMWARE_MAX ((size_t)SNP_FIRMWARE_END)
/*
 * QEMU loads the initrd below 4 GiB (the boot protocol's initrd_addr_max is
 * 32 bits), so a bigger one can never boot: refused from its size, unread.
 */
#define TDX_INITRD_MAX UINT32_MAX

int launch_check_vcpus(uint64_t n, char *why, size_t why_size)
{
	if (n >= 1 && n <= LAUNCH_VCPUS_MAX)
		return 0;
	return why_set(why, why_size, -ERANGE, "not 1..%d", LAUNCH_VCPUS_MAX);
}

int launch_check_vcpu_type(const char *name, uint64_t *sig, char *why, size_t why_size)
{
	if (snp_vcpu_sig_by_name(name, sig) == 0)
		return 0;
	return why_set(why, why_size, -EINVAL, "not a vCPU type QEMU names");
}

int launch_check_memory(uint64_t bytes, char *why, size_t why_size)
{
	if (bytes >= LAUNCH_MEMORY_MIN && bytes <= LAUNCH_MEMORY_MAX)
		return 0;
	return why_set(why, why_size, -ERANGE, "not 1 MiB..16 TiB");
}

/* Records where the measurement stopped; why holds the step's words, or the errno's. */
static int fail(struct launch_result *res, enum launch_stage stage, int r, const char *step_why,
                char *why, size_t why_size)
{
	res->failed = stage;
	return why_set(why, why_size, r, "%s", step_why && *step_why ? step_why : strerror(-r));
}

/* A whole input file into *data, with its size and sha256 in f. */
static int read_input(struct launch_result *res, struct launch_file *f, const char *path,
                      size_t max, uint8_t **data, char *why, size_t why_size)
{
	char reason[160];
	size_t size = 0;
	int r = read_file_all(path, max, data, &size, reason, sizeof(reason));

	if (r < 0) {
		res->failed_file = path;
		res->failed = LAUNCH_READ;
		return why_set(why, why_size, r, "%s: %s", path, reason);
	}
	f->path = path;
	f->size = size;
	if (EVP_Digest(*data, size, f->sha256, NULL, EVP_sha256(), NULL) != 1)
		return fail(res, LAUNCH_COMPUTE, -EIO, "SHA-256 failed", why, why_size);
	return 0;
}

static bool given(const char *path)
{
	return path && *path;
}

/* One SEV run's buffers and the firmware pages measured beside the file hashes. */
struct sev_run {
	uint8_t *fw_data, *svsm_data;
	struct ovmf fw, svsm;
	uint8_t seed[SNP_LD_SIZE], fw_ld[SNP_LD_SIZE];
	bool have_seed;
	int fw_r;
	char fw_why[256];
};

static void fw_pages(void *arg)
{
	struct sev_run *x = arg;

	x->fw_r = snp_ovmf_hash(&x->fw, x->fw_ld, x->fw_why, sizeof(x->fw_why));
}

/* The firmware, and the SVSM in snp:svsm mode, read and parsed. */
static int sev_firmware(const struct launch_in *in, struct launch_result *res, struct sev_run *x,
                        char *why, size_t why_size)
{
	char step[256] = "";
	int r;

	if (!in->firmware)
		return fail(res, LAUNCH_PARSE, -EINVAL, "no firmware", why, why_size);
	if ((r = read_input(res, &res->firmware, in->firmware, SEV_FIRMWARE_MAX, &x->fw_data, why,
	                    why_size)) < 0)
		return r;
	if ((r = ovmf_parse(&x->fw, x->fw_data, res->firmware.size, step, sizeof(step))) < 0)
		return fail(res, LAUNCH_PARSE, r, step, why, why_size);
	if (in->mode->sev != SEV_MODE_SNP_SVSM)
		return 0;
	if (!in->sev.svsm)
		return fail(res, LAUNCH_PARSE, -EINVAL, "snp:svsm mode needs --svsm", why,
		            why_size);
	if ((r = read_input(res, &res->svsm, in->sev.svsm, SEV_FIRMWARE_MAX, &x->svsm_data, why,
	                    why_size)) < 0)
		return r;
	if ((r = ovmf_parse(&x->svsm, x->svsm_data, res->svsm.size, step, sizeof(step))) < 0)
		return fail(res, LAUNCH_PARSE, r, step, why, why_size);
	return 0;
}

/* Kernel and initrd hashed while the firmware pages (SNP) are measured. */
static int sev_hash_inputs(const struct launch_in *in, struct launch_result *res, struct sev_run *x,
                           char *why, size_t why_size)
{
	enum sev_mode mode = in->mode->sev;
	bool pages = mode == SEV_MODE_SNP_OVMF_HASH || (mode == SEV_MODE_SNP && !x->have_seed);
	/* sev-snp-measure ignores --kernel in these modes: it does not even open the file. */
	bool kernel =
	        given(in->kernel) && mode != SEV_MODE_SNP_OVMF_HASH && mode != SEV_MODE_SNP_SVSM;
	struct file_hash files[2] = {{.path = in->kernel, .max = LAUNCH_BOOT_FILE_MAX},
	                             {.path = in->initrd, .max = LAUNCH_BOOT_FILE_MAX}};
	size_t n = kernel ? (given(in->initrd) ? 2 : 1) : 0;

	file_hash_parallel(files, n, pages ? fw_pages : NULL, x);
	for (size_t i = 0; i < n; i++)
		if (files[i].err < 0) {
			res->failed_file = files[i].path;
			res->failed = LAUNCH_READ;
			return why_set(why, why_size, files[i].err, "%s: %s", files[i].path,
			               files[i].why);
		}
	if (pages && x->fw_r < 0)
		return fail(res, LAUNCH_COMPUTE, x->fw_r, x->fw_why, why, why_size);
	if (!kernel)
		return 0;
	struct launch_file *out[2] = {&res->kernel, &res->initrd};
	for (size_t i = 0; i < n; i++) {
		*out[i] = (struct launch_file){.path = files[i].path, .size = files[i].size};
		memcpy(out[i]->sha256, files[i].sha256, 32);
	}
	memcpy(res->hashes.kernel, files[0].sha256, 32);
	/* Without an initrd QEMU's table holds the digest of none. */
	if (n == 2)
		memcpy(res->hashes.initrd, files[1].sha256, 32);
	else
		EVP_Digest("", 0, res->hashes.initrd, NULL, EVP_sha256(), NULL);
	if (sev_hashes_cmdline(in->cmdline, res->hashes.cmdline) < 0)
		return fail(res, LAUNCH_COMPUTE, -EIO, "SHA-256 failed", why, why_size);
	res->have_hashes = true;
	return 0;
}

/* The vCPU count, signature, VMM and features of a SEV mode, checked and resolved. */
static int sev_settings(const struct launch_in *in, struct launch_result *res, struct sev_run *x,
                        char *why, size_t why_size)
{
	enum sev_mode mode = in->mode->sev;
	char step[128];
	int r;

	res->vmm = in->sev.vmm ? in->sev.vmm : VMM_QEMU;
	res->guest_features =
	        in->sev.guest_features ? *in->sev.guest_features : LAUNCH_GUEST_FEATURES_DEFAULT;
	if (mode == SEV_MODE_SNP_OVMF_HASH || mode == SEV_MODE_SEV)
		return 0;
	if ((r = launch_check_vcpus(in->vcpus, step, sizeof(step))) < 0)
		return why_set(why, why_size, r, "vcpus %u: %s", in->vcpus, step);
	if (in->vcpu_sig_set)
		res->vcpu_sig = in->vcpu_sig;
	else if (in->vcpu_type && (r = launch_check_vcpu_type(in->vcpu_type, &res->vcpu_sig, step,
	                                                      sizeof(step))) < 0)
		return why_set(why, why_size, r, "vcpu type %s: %s", in->vcpu_type, step);
	else if (!in->vcpu_type && res->vmm == VMM_QEMU)
		return why_set(why, why_size, -EINVAL, "%s needs a vCPU type", in->mode->name);
	if (mode == SEV_MODE_SNP && given(in->sev.ovmf_hash)) {
		if (py_fromhex(in->sev.ovmf_hash, x->seed, sizeof(x->seed)) != SNP_LD_SIZE)
			return why_set(why, why_size, -EINVAL,
			               "--snp-ovmf-hash must be %u bytes in hex", SNP_LD_SIZE);
		x->have_seed = true;
	}
	return 0;
}

static int sev_measure(const struct launch_in *in, struct launch_result *res, struct sev_run *x,
                       char *why, size_t why_size)
{
	enum sev_mode mode = in->mode->sev;
	char step[256] = "";
	int r;

	if ((r = sev_settings(in, res, x, why, why_size)) < 0) {
		res->failed = LAUNCH_PARSE;
		return r;
	}
	if ((r = sev_firmware(in, res, x, why, why_size)) < 0 ||
	    (r = sev_hash_inputs(in, res, x, why, why_size)) < 0)
		return r;
	if (mode == SEV_MODE_SNP_OVMF_HASH) {
		memcpy(res->digest, x->fw_ld, SNP_LD_SIZE);
		res->digest_len = SNP_LD_SIZE;
		return 0;
	}
	struct sev_params p = {
	        .mode = mode,
	        .fw = &x->fw,
	        .hashes = res->have_hashes ? &res->hashes : NULL,
	        .vcpus = mode == SEV_MODE_SEV ? 0 : in->vcpus,
	        .vcpu_sig = res->vcpu_sig,
	        .guest_features = res->guest_features,
	        .vmm = res->vmm,
	        .seed = x->have_seed           ? x->seed
	                : mode == SEV_MODE_SNP ? x->fw_ld
	                                       : NULL,
	        .vmsa_cb = in->sev.vmsa_cb,
	        .svsm = x->svsm_data ? &x->svsm : NULL,
	        .vars_size = in->sev.vars_size,
	};
	r = sev_launch_digest(&p, res->digest, &res->digest_len, step, sizeof(step));
	return r < 0 ? fail(res, LAUNCH_COMPUTE, r, step, why, why_size) : 0;
}

/* The TDX inputs read whole: firmware, kernel, initrd, and RTMR0's three ACPI blobs. */
struct tdx_run {
	uint8_t *fw, *kernel, *initrd, *acpi[3];
	struct launch_file acpi_file[3];
	struct tdvf tdvf;
};

static int tdx_measure(const struct launch_in *in, struct launch_result *res, struct tdx_run *x,
                       char *why, size_t why_size)
{
	struct tdx_inputs t = {.tdvf = &x->tdvf,
	                       .two_pass = in->tdx.two_pass,
	                       .cmdline = in->cmdline,
	                       .ram = in->memory,
	                       .profile = in->tdx.profile};
	char step[TDX_ERR_MAX] = "";
	int r = 0;

	if (in->memory && (r = launch_check_memory(in->memory, step, sizeof(step))) < 0)
		return fail(res, LAUNCH_PARSE, r, step, why, why_size);
	if ((given(in->firmware) && (r = read_input(res, &res->firmware, in->firmware, TDX_FILE_MAX,
	                                            &x->fw, why, why_size)) < 0) ||
	    (given(in->kernel) && (r = read_input(res, &res->kernel, in->kernel, TDX_FILE_MAX,
	                                          &x->kernel, why, why_size)) < 0) ||
	    (given(in->initrd) && (r = read_input(res, &res->initrd, in->initrd, TDX_INITRD_MAX,
	                                          &x->initrd, why, why_size)) < 0))
		return r;
	for (int i = 0; i < 3; i++)
		if (given(in->tdx.acpi[i]) &&
		    (r = read_input(res, &x->acpi_file[i], in->tdx.acpi[i], TDX_FILE_MAX,
		                    &x->acpi[i], why, why_size)) < 0)
			return r;
	if (x->fw &&
	    (r = tdvf_parse(x->fw, res->firmware.size, &x->tdvf, step, sizeof(step))) < 0) {
		res->failed = LAUNCH_PARSE;
		return why_set(why, why_size, r, "%s: %s", in->firmware, step);
	}
	t.fw = x->fw;
	t.fw_len = res->firmware.size;
	t.kernel = x->kernel;
	t.kernel_len = res->kernel.size;
	t.initrd = x->initrd;
	t.initrd_len = res->initrd.size;
	for (int i = 0; i < 3; i++) {
		t.acpi[i] = x->acpi[i];
		t.acpi_len[i] = x->acpi_file[i].size;
	}
	if (!(res->tdx = calloc(1, sizeof(*res->tdx))))
		return fail(res, LAUNCH_COMPUTE, -ENOMEM, NULL, why, why_size);
	r = tdx_predict(&t, res->tdx, step, sizeof(step));
	return r < 0 ? fail(res, LAUNCH_COMPUTE, r, step, why, why_size) : 0;
}

int launch_measure(const struct launch_in *in, struct launch_result *res, char *why,
                   size_t why_size)
{
	/* Both kinds in one allocation, so one path frees whatever either read. */
	struct {
		struct sev_run sev;
		struct tdx_run tdx;
	} * x;
	int r;

	*res = (struct launch_result){.mode = in->mode};
	if (!in->mode)
		return fail(res, LAUNCH_PARSE, -EINVAL, "no TEE mode", why, why_size);
	if (!(x = calloc(1, sizeof(*x))))
		return fail(res, LAUNCH_COMPUTE, -ENOMEM, NULL, why, why_size);
	r = in->mode->tee == TEE_TDX ? tdx_measure(in, res, &x->tdx, why, why_size)
	                             : sev_measure(in, res, &x->sev, why, why_size);
	free(x->sev.fw_data);
	free(x->sev.svsm_data);
	free(x->tdx.fw);
	free(x->tdx.kernel);
	free(x->tdx.initrd);
	for (int i = 0; i < 3; i++)
		free(x->tdx.acpi[i]);
	free(x);
	return r;
}

void launch_result_free(struct launch_result *res)
{
	free(res->tdx);
	res->tdx = NULL;
}

int launch_rvps_add(const struct launch_result *res, struct rvps_msg *m)
{
	const struct tdx_prediction *p = res->tdx;
	int r = 0;

	if (res->mode->tee != TEE_TDX)
		return rvps_add_snp_measurement(m, res->digest);
	if (!p)
		return -EINVAL;
	if (p->has_mrtd)
		r = rvps_add_hex(m, "mr_td", RVPS_IN, p->mrtd, SHA384_LEN);
	if (r == 0 && p->has_rtmr[1])
		r = rvps_add_hex(m, "rtmr_1", RVPS_IN, p->rtmr[1], SHA384_LEN);
	if (r == 0 && p->has_rtmr[2])
		r = rvps_add_hex(m, "rtmr_2", RVPS_IN, p->rtmr[2], SHA384_LEN);
	/* The default policy compares the two UEFI event digests with ==. */
	if (r == 0 && p->has_kernel)
		r = rvps_add_hex(m, "tdvfkernel", RVPS_EQ, p->kernel, SHA384_LEN);
	if (r == 0 && p->has_params)
		r = rvps_add_hex(m, "tdvfkernelparams", RVPS_EQ, p->params, SHA384_LEN);
	return r;
}
