/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `ccimage measure` for SEV modes, once the options are checked: read the
 * firmware, hash the kernel and initrd on their own threads while the firmware
 * pages are measured on this one, then print sev-snp-measure's line, a JSON
 * report, or a trustee RVPS message.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "init/base/json.h"
#include "rootfs/ccimage/measure_cmd.h"
#include "measurement/measure_input.h"
#include "measurement/rvps.h"
#include "measurement/snp.h"
#include "rootfs/ccimage/command.h"

#define FIRMWARE_MAX ((size_t)SNP_FIRMWARE_END)

struct fw_job {
	const struct ovmf *fw;
	uint8_t ld[SNP_LD_SIZE];
	int r;
	char why[256];
};

static void fw_job_run(void *arg)
{
	struct fw_job *j = arg;

	j->r = snp_ovmf_hash(j->fw, j->ld, j->why, sizeof(j->why));
}

static int data_error(int r, const char *why)
{
	if (r == -EBADMSG || r == -EINVAL) {
		fprintf(stderr, "Error: %s\n", why);
		return EXIT_DATA;
	}
	fprintf(stderr, "Error: %s\n", strerror(-r));
	return EXIT_SYSTEM;
}

static int file_error(const char *path, int r)
{
	fprintf(stderr, "Error: %s: %s\n", path, strerror(-r));
	return EXIT_SYSTEM;
}

static int dump_vmsa(unsigned index, const uint8_t page[SNP_PAGE_SIZE], void *arg)
{
	char name[32];
	int fd, r = 0;

	(void)arg;
	snprintf(name, sizeof(name), "vmsa%u.bin", index);
	fd = open(name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	if (write(fd, page, SNP_PAGE_SIZE) != SNP_PAGE_SIZE)
		r = -EIO;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	return r;
}

static void json_file(FILE *f, const char *key, const char *path, const uint8_t *sha256,
                      uint64_t size, bool last)
{
	char hex[65];

	fprintf(f, "    \"%s\": ", key);
	if (!path) {
		fprintf(f, "null%s\n", last ? "" : ",");
		return;
	}
	hex_encode(sha256, 32, hex);
	fprintf(f, "{\"path\": ");
	json_write_string(f, path);
	fprintf(f, ", \"size\": %llu, \"sha256\": \"%s\"}%s\n", (unsigned long long)size, hex,
	        last ? "" : ",");
}

struct report {
	const struct measure_args *a;
	const uint8_t *digest;
	size_t digest_len;
	uint8_t fw_sha256[32];
	const struct ovmf *svsm; /* snp:svsm only */
	uint8_t svsm_sha256[32];
	uint64_t fw_size;
	const struct file_hash *kernel, *initrd;
	const struct sev_hashes *hashes;
};

static void print_json(const struct report *rep)
{
	const struct measure_args *a = rep->a;
	char hex[2 * SEV_DIGEST_MAX + 1], b64[4 * ((SEV_DIGEST_MAX + 2) / 3) + 1], chex[65];

	hex_encode(rep->digest, rep->digest_len, hex);
	EVP_EncodeBlock((unsigned char *)b64, rep->digest, (int)rep->digest_len);
	printf("{\n  \"mode\": \"%s\",\n  \"measurement\": \"%s\",\n", a->mode_name, hex);
	printf("  \"measurement_base64\": \"%s\",\n  \"inputs\": {\n", b64);
	json_file(stdout, "ovmf", a->ovmf, rep->fw_sha256, rep->fw_size, false);
	if (rep->svsm) {
		json_file(stdout, "svsm", a->svsm, rep->svsm_sha256, rep->svsm->size, false);
		printf("    \"vars_size\": %lld,\n", (long long)a->vars_size);
	}
	json_file(stdout, "kernel", rep->kernel ? rep->kernel->path : NULL,
	          rep->kernel ? rep->kernel->sha256 : NULL, rep->kernel ? rep->kernel->size : 0,
	          false);
	json_file(stdout, "initrd", rep->initrd ? rep->initrd->path : NULL,
	          rep->initrd ? rep->initrd->sha256 : NULL, rep->initrd ? rep->initrd->size : 0,
	          false);
	if (rep->hashes) {
		hex_encode(rep->hashes->cmdline, 32, chex);
		printf("    \"append\": {\"value\": ");
		json_write_string(stdout, a->append ? a->append : "");
		printf(", \"sha256_with_nul\": \"%s\"},\n", chex);
	} else {
		printf("    \"append\": null,\n");
	}
	if (a->mode == SEV_MODE_SNP_OVMF_HASH) {
		printf("    \"vcpus\": null\n  }\n}\n");
		return;
	}
	printf("    \"vcpus\": %lld,\n", a->mode == SEV_MODE_SEV ? 0LL : (long long)a->vcpus);
	printf("    \"vcpu_type\": ");
	if (a->vcpu_type && a->mode != SEV_MODE_SEV)
		json_write_string(stdout, a->vcpu_type);
	else
		printf("null");
	printf(",\n    \"vcpu_sig\": \"0x%llx\",\n", (unsigned long long)a->vcpu_sig);
	printf("    \"guest_features\": \"0x%llx\",\n",
	       (unsigned long long)(a->mode == SEV_MODE_SNP ? a->guest_features : 0));
	printf("    \"vmm_type\": \"%s\",\n", snp_vmm_type_name(a->vmm));
	printf("    \"snp_ovmf_hash\": ");
	if (a->snp_ovmf_hash && *a->snp_ovmf_hash)
		json_write_string(stdout, a->snp_ovmf_hash);
	else
		printf("null");
	printf("\n  }\n}\n");
}

static void print_line(const struct measure_args *a, const uint8_t *d, size_t n)
{
	static const char *const names[] = {
	        [SEV_MODE_SEV] = "SEV",
	        [SEV_MODE_SEVES] = "SEV_ES",
	        [SEV_MODE_SNP] = "SEV_SNP",
	        [SEV_MODE_SNP_OVMF_HASH] = "SEV_SNP",
	        [SEV_MODE_SNP_SVSM] = "SEV_SNP_SVSM",
	};
	char out[2 * SEV_DIGEST_MAX + 1];

	/* snp:ovmf-hash is always hex, --output-format notwithstanding (cli.py). */
	if (a->base64 && a->mode != SEV_MODE_SNP_OVMF_HASH)
		EVP_EncodeBlock((unsigned char *)out, d, (int)n);
	else
		hex_encode(d, n, out);
	if (a->verbose && a->mode != SEV_MODE_SNP_OVMF_HASH)
		printf("Calculated %s guest measurement: %s\n", names[a->mode], out);
	else
		printf("%s\n", out);
}

static int write_rvps(const struct measure_args *a, const uint8_t digest[SNP_LD_SIZE])
{
	struct rvps_msg *m = NULL;
	int r = rvps_new(&m, a->trustee_version);

	if (r < 0) {
		fprintf(stderr,
		        "ccimage measure: error: unsupported --trustee-version '%s' (need "
		        "0.10.0 or later)\n",
		        a->trustee_version);
		return EXIT_USAGE;
	}
	r = rvps_add_snp_measurement(m, digest);
	if (r == 0)
		r = rvps_write_file(m, a->rvps);
	rvps_free(m);
	if (r < 0)
		return file_error(a->rvps, r);
	return 0;
}

static int firmware_sha256(const struct ovmf *fw, uint8_t out[32])
{
	return EVP_Digest(fw->data, fw->size, out, NULL, EVP_sha256(), NULL) == 1 ? 0 : -EIO;
}

/* One measure run's state; each stage below returns a ccimage exit code. */
struct run {
	const struct measure_args *a;
	uint8_t *fw_data, *svsm_data;
	struct ovmf fw, svsm;
	uint8_t seed[SNP_LD_SIZE];
	bool have_seed, have_kernel;
	struct file_hash files[2];
	size_t nfiles;
	struct fw_job job;
	struct sev_hashes hashes;
	uint8_t digest[SEV_DIGEST_MAX];
	size_t digest_len;
};

/* What the options carry beyond their syntax: the trustee version, the OVMF hash. */
static int check_values(struct run *x)
{
	const struct measure_args *a = x->a;
	unsigned major, minor;

	if (a->rvps && rvps_version_parse(a->trustee_version, &major, &minor) < 0) {
		fprintf(stderr,
		        "ccimage measure: error: unsupported --trustee-version '%s' "
		        "(need 0.10.0 or later)\n",
		        a->trustee_version);
		return EXIT_USAGE;
	}
	if (a->mode == SEV_MODE_SNP && a->snp_ovmf_hash && *a->snp_ovmf_hash) {
		if (py_fromhex(a->snp_ovmf_hash, x->seed, sizeof(x->seed)) != SNP_LD_SIZE) {
			fprintf(stderr,
			        "ccimage measure: error: --snp-ovmf-hash must be %u bytes in "
			        "hex\n",
			        SNP_LD_SIZE);
			return EXIT_USAGE;
		}
		x->have_seed = true;
	}
	return EXIT_OK;
}

/* The firmware, and the SVSM in snp:svsm mode, read and parsed. */
static int load_firmware(struct run *x)
{
	const struct measure_args *a = x->a;
	char why[256] = "";
	size_t size = 0;
	int r = read_file_all(a->ovmf, FIRMWARE_MAX, &x->fw_data, &size);

	if (r < 0)
		return file_error(a->ovmf, r);
	if ((r = ovmf_parse(&x->fw, x->fw_data, size, why, sizeof(why))) < 0)
		return data_error(r, why);
	if (a->mode != SEV_MODE_SNP_SVSM)
		return EXIT_OK;
	if (!a->svsm)
		return data_error(-EINVAL, "snp:svsm mode needs --svsm");
	if ((r = read_file_all(a->svsm, FIRMWARE_MAX, &x->svsm_data, &size)) < 0)
		return file_error(a->svsm, r);
	if ((r = ovmf_parse(&x->svsm, x->svsm_data, size, why, sizeof(why))) < 0)
		return data_error(r, why);
	return EXIT_OK;
}

/* Kernel and initrd hashed while the firmware pages (SNP) are measured. */
static int hash_inputs(struct run *x, struct report *rep)
{
	const struct measure_args *a = x->a;
	bool fw_pages =
	        a->mode == SEV_MODE_SNP_OVMF_HASH || (a->mode == SEV_MODE_SNP && !x->have_seed);

	x->job.fw = &x->fw;
	if (x->have_kernel) {
		x->files[x->nfiles++] = (struct file_hash){.path = a->kernel};
		if (a->initrd && *a->initrd)
			x->files[x->nfiles++] = (struct file_hash){.path = a->initrd};
	}
	file_hash_parallel(x->files, x->nfiles, fw_pages ? fw_job_run : NULL, &x->job);
	for (size_t i = 0; i < x->nfiles; i++)
		if (x->files[i].err < 0)
			return file_error(x->files[i].path, x->files[i].err);
	if (fw_pages && x->job.r < 0)
		return data_error(x->job.r, x->job.why);
	if (!x->have_kernel)
		return EXIT_OK;
	memset(&x->hashes, 0, sizeof(x->hashes));
	memcpy(x->hashes.kernel, x->files[0].sha256, 32);
	if (x->nfiles == 2)
		memcpy(x->hashes.initrd, x->files[1].sha256, 32);
	else
		EVP_Digest("", 0, x->hashes.initrd, NULL, EVP_sha256(), NULL);
	int r = sev_hashes_cmdline(a->append, x->hashes.cmdline);
	if (r < 0)
		return data_error(r, "SHA-256 failed");
	rep->kernel = &x->files[0];
	rep->initrd = x->nfiles == 2 ? &x->files[1] : NULL;
	rep->hashes = &x->hashes;
	return EXIT_OK;
}

static int launch_digest(struct run *x)
{
	const struct measure_args *a = x->a;
	char why[256] = "";
	int r;

	if (a->mode == SEV_MODE_SNP_OVMF_HASH) {
		memcpy(x->digest, x->job.ld, SNP_LD_SIZE);
		x->digest_len = SNP_LD_SIZE;
		return EXIT_OK;
	}
	struct sev_params p = {
	        .mode = a->mode,
	        .fw = &x->fw,
	        .hashes = x->have_kernel ? &x->hashes : NULL,
	        .vcpus = a->vcpus,
	        .vcpu_sig = a->vcpu_sig,
	        .guest_features = a->guest_features,
	        .vmm = a->vmm,
	        .seed = x->have_seed              ? x->seed
	                : a->mode == SEV_MODE_SNP ? x->job.ld
	                                          : NULL,
	        .vmsa_cb = a->dump_vmsa ? dump_vmsa : NULL,
	        .svsm = x->svsm_data ? &x->svsm : NULL,
	        .vars_size = a->vars_size,
	};
	r = sev_launch_digest(&p, x->digest, &x->digest_len, why, sizeof(why));
	return r < 0 ? data_error(r, why) : EXIT_OK;
}

static int report(struct run *x, struct report *rep)
{
	const struct measure_args *a = x->a;
	int ret = EXIT_OK;

	if (a->json) {
		rep->digest = x->digest;
		rep->digest_len = x->digest_len;
		rep->fw_size = x->fw.size;
		rep->svsm = x->svsm_data ? &x->svsm : NULL;
		if (firmware_sha256(&x->fw, rep->fw_sha256) < 0 ||
		    (rep->svsm && firmware_sha256(rep->svsm, rep->svsm_sha256) < 0))
			return data_error(-EIO, "");
		print_json(rep);
	} else {
		print_line(a, x->digest, x->digest_len);
	}
	if (a->rvps)
		ret = write_rvps(a, x->digest);
	if (fflush(stdout) != 0 && ret == EXIT_OK)
		ret = EXIT_SYSTEM;
	return ret;
}

int measure_run(const struct measure_args *a)
{
	struct run *x = calloc(1, sizeof(*x));
	struct report rep = {.a = a};
	int ret;

	if (!x)
		return EXIT_SYSTEM;
	x->a = a;
	/* sev-snp-measure ignores --kernel in these modes: it does not even open the file. */
	x->have_kernel = a->kernel && *a->kernel && a->mode != SEV_MODE_SNP_OVMF_HASH &&
	                 a->mode != SEV_MODE_SNP_SVSM;
	ret = check_values(x);
	if (ret == EXIT_OK)
		ret = load_firmware(x);
	if (ret == EXIT_OK)
		ret = hash_inputs(x, &rep);
	if (ret == EXIT_OK)
		ret = launch_digest(x);
	if (ret == EXIT_OK)
		ret = report(x, &rep);
	free(x->fw_data);
	free(x->svsm_data);
	free(x);
	return ret;
}
