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

#include "measurement/json_out.h"
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
	const char *why;
};

static void fw_job_run(void *arg)
{
	struct fw_job *j = arg;

	j->r = snp_ovmf_hash(j->fw, j->ld, &j->why);
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

int measure_run(const struct measure_args *a)
{
	struct file_hash files[2] = {0};
	struct report rep = {.a = a};
	struct fw_job job = {0};
	struct sev_hashes hashes;
	uint8_t seed[SNP_LD_SIZE], digest[SEV_DIGEST_MAX];
	/* sev-snp-measure ignores --kernel in these modes: it does not even open the file. */
	bool have_kernel = a->kernel && *a->kernel && a->mode != SEV_MODE_SNP_OVMF_HASH &&
	                   a->mode != SEV_MODE_SNP_SVSM;
	bool have_seed = false;
	size_t nfiles = 0, fw_size = 0, digest_len = 0;
	uint8_t *fw_data = NULL, *svsm_data = NULL;
	size_t svsm_size = 0;
	struct ovmf svsm;
	const char *why = "";
	struct ovmf fw;
	int r, ret = EXIT_OK;

	if (a->rvps) {
		unsigned major, minor;
		if (rvps_version_parse(a->trustee_version, &major, &minor) < 0) {
			fprintf(stderr,
			        "ccimage measure: error: unsupported --trustee-version '%s' "
			        "(need 0.10.0 or later)\n",
			        a->trustee_version);
			return EXIT_USAGE;
		}
	}
	if (a->mode == SEV_MODE_SNP && a->snp_ovmf_hash && *a->snp_ovmf_hash) {
		if (py_fromhex(a->snp_ovmf_hash, seed, sizeof(seed)) != SNP_LD_SIZE) {
			fprintf(stderr,
			        "ccimage measure: error: --snp-ovmf-hash must be %u bytes in "
			        "hex\n",
			        SNP_LD_SIZE);
			return EXIT_USAGE;
		}
		have_seed = true;
	}
	r = read_file_all(a->ovmf, FIRMWARE_MAX, &fw_data, &fw_size);
	if (r < 0)
		return file_error(a->ovmf, r);
	r = ovmf_parse(&fw, fw_data, fw_size, &why);
	if (r < 0) {
		ret = data_error(r, why);
		goto out;
	}
	if (a->mode == SEV_MODE_SNP_SVSM) {
		if (!a->svsm) {
			ret = data_error(-EINVAL, "snp:svsm mode needs --svsm");
			goto out;
		}
		r = read_file_all(a->svsm, FIRMWARE_MAX, &svsm_data, &svsm_size);
		if (r < 0) {
			ret = file_error(a->svsm, r);
			goto out;
		}
		r = ovmf_parse(&svsm, svsm_data, svsm_size, &why);
		if (r < 0) {
			ret = data_error(r, why);
			goto out;
		}
	}
	job.fw = &fw;
	if (have_kernel) {
		files[nfiles++] = (struct file_hash){.path = a->kernel};
		if (a->initrd && *a->initrd)
			files[nfiles++] = (struct file_hash){.path = a->initrd};
	}
	/* The firmware pages (SNP) overlap with hashing the kernel and the initrd. */
	bool fw_pages =
	        a->mode == SEV_MODE_SNP_OVMF_HASH || (a->mode == SEV_MODE_SNP && !have_seed);
	file_hash_parallel(files, nfiles, fw_pages ? fw_job_run : NULL, &job);
	for (size_t i = 0; i < nfiles; i++)
		if (files[i].err < 0) {
			ret = file_error(files[i].path, files[i].err);
			goto out;
		}
	if (fw_pages && job.r < 0) {
		ret = data_error(job.r, job.why);
		goto out;
	}

	if (have_kernel) {
		memset(&hashes, 0, sizeof(hashes));
		memcpy(hashes.kernel, files[0].sha256, 32);
		if (nfiles == 2)
			memcpy(hashes.initrd, files[1].sha256, 32);
		else
			EVP_Digest("", 0, hashes.initrd, NULL, EVP_sha256(), NULL);
		r = sev_hashes_cmdline(a->append, hashes.cmdline);
		if (r < 0) {
			ret = data_error(r, "SHA-256 failed");
			goto out;
		}
		rep.kernel = &files[0];
		rep.initrd = nfiles == 2 ? &files[1] : NULL;
		rep.hashes = &hashes;
	}

	if (a->mode == SEV_MODE_SNP_OVMF_HASH) {
		memcpy(digest, job.ld, SNP_LD_SIZE);
		digest_len = SNP_LD_SIZE;
	} else {
		struct sev_params p = {
		        .mode = a->mode,
		        .fw = &fw,
		        .hashes = have_kernel ? &hashes : NULL,
		        .vcpus = a->vcpus,
		        .vcpu_sig = a->vcpu_sig,
		        .guest_features = a->guest_features,
		        .vmm = a->vmm,
		        .seed = have_seed                 ? seed
		                : a->mode == SEV_MODE_SNP ? job.ld
		                                          : NULL,
		        .vmsa_cb = a->dump_vmsa ? dump_vmsa : NULL,
		        .svsm = svsm_data ? &svsm : NULL,
		        .vars_size = a->vars_size,
		};
		r = sev_launch_digest(&p, digest, &digest_len, &why);
		if (r < 0) {
			ret = data_error(r, why);
			goto out;
		}
	}

	if (a->json) {
		rep.digest = digest;
		rep.digest_len = digest_len;
		rep.fw_size = fw.size;
		rep.svsm = svsm_data ? &svsm : NULL;
		if (firmware_sha256(&fw, rep.fw_sha256) < 0 ||
		    (rep.svsm && firmware_sha256(rep.svsm, rep.svsm_sha256) < 0)) {
			ret = data_error(-EIO, "");
			goto out;
		}
		print_json(&rep);
	} else {
		print_line(a, digest, digest_len);
	}
	if (a->rvps)
		ret = write_rvps(a, digest);
	if (fflush(stdout) != 0 && ret == EXIT_OK)
		ret = EXIT_SYSTEM;
out:
	free(fw_data);
	free(svsm_data);
	return ret;
}
