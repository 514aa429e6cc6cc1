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

#include "rootfs/ccimage/measure_cmd.h"
#include "measurement/measure_input.h"
#include "measurement/rvps.h"
#include "measurement/snp.h"
#include "rootfs/ccimage/command.h"
#include "rootfs/lib/jsondoc.h"

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

static json_object *input_file(const char *path, const uint8_t *sha256, uint64_t size)
{
	return path ? jsondoc_file(path, size, sha256) : NULL;
}

/* What the value was computed from: the files by their sha256, then the guest's settings. */
static json_object *inputs(const struct report *rep)
{
	const struct measure_args *a = rep->a;
	const struct file_hash *k = rep->kernel, *i = rep->initrd;
	json_object *in = json_object_new_object(), *append = NULL;
	char hex[32];

	json_object_object_add(in, "ovmf", input_file(a->ovmf, rep->fw_sha256, rep->fw_size));
	if (rep->svsm) {
		json_object_object_add(in, "svsm",
		                       input_file(a->svsm, rep->svsm_sha256, rep->svsm->size));
		json_object_object_add(in, "vars_size", json_object_new_int64(a->vars_size.value));
	}
	json_object_object_add(in, "kernel", k ? input_file(k->path, k->sha256, k->size) : NULL);
	json_object_object_add(in, "initrd", i ? input_file(i->path, i->sha256, i->size) : NULL);
	if (rep->hashes) {
		append = json_object_new_object();
		json_object_object_add(append, "value", jsondoc_text(a->append ? a->append : ""));
		json_object_object_add(append, "sha256_with_nul",
		                       jsondoc_hex(rep->hashes->cmdline, 32));
	}
	json_object_object_add(in, "append", append);
	if (a->mode == SEV_MODE_SNP_OVMF_HASH) {
		json_object_object_add(in, "vcpus", NULL);
		return in;
	}
	json_object_object_add(in, "vcpus",
	                       json_object_new_int64(a->mode == SEV_MODE_SEV ? 0 : a->vcpus));
	json_object_object_add(in, "vcpu_type",
	                       jsondoc_text(a->mode != SEV_MODE_SEV ? a->vcpu_type : NULL));
	snprintf(hex, sizeof(hex), "0x%llx", (unsigned long long)a->vcpu_sig);
	json_object_object_add(in, "vcpu_sig", json_object_new_string(hex));
	snprintf(hex, sizeof(hex), "0x%llx",
	         (unsigned long long)(a->mode == SEV_MODE_SNP ? (uint64_t)a->guest_features.value
	                                                      : 0));
	json_object_object_add(in, "guest_features", json_object_new_string(hex));
	json_object_object_add(in, "vmm_type", json_object_new_string(snp_vmm_type_name(a->vmm)));
	json_object_object_add(
	        in, "snp_ovmf_hash",
	        jsondoc_text(a->snp_ovmf_hash && *a->snp_ovmf_hash ? a->snp_ovmf_hash : NULL));
	return in;
}

static int print_json(const struct report *rep)
{
	char b64[4 * ((SEV_DIGEST_MAX + 2) / 3) + 1];
	json_object *doc = json_object_new_object();

	EVP_EncodeBlock((unsigned char *)b64, rep->digest, (int)rep->digest_len);
	json_object_object_add(doc, "mode", json_object_new_string(rep->a->mode_name));
	json_object_object_add(doc, "measurement", jsondoc_hex(rep->digest, rep->digest_len));
	json_object_object_add(doc, "measurement_base64", json_object_new_string(b64));
	json_object_object_add(doc, "inputs", inputs(rep));
	return jsondoc_print(stdout, doc, JSONDOC_PRETTY);
}

static void print_line(const struct measure_args *a, const uint8_t *d, size_t n)
{
	char out[2 * SEV_DIGEST_MAX + 1];

	/* snp:ovmf-hash is always hex, --output-format notwithstanding (cli.py). */
	if (a->output_format == MEASURE_BASE64 && a->mode != SEV_MODE_SNP_OVMF_HASH)
		EVP_EncodeBlock((unsigned char *)out, d, (int)n);
	else
		hex_encode(d, n, out);
	if (a->verbose && a->mode != SEV_MODE_SNP_OVMF_HASH)
		printf("Calculated %s guest measurement: %s\n", a->mode_label, out);
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
	        .guest_features = (uint64_t)a->guest_features.value,
	        .vmm = a->vmm,
	        .seed = x->have_seed              ? x->seed
	                : a->mode == SEV_MODE_SNP ? x->job.ld
	                                          : NULL,
	        .vmsa_cb = a->dump_vmsa ? dump_vmsa : NULL,
	        .svsm = x->svsm_data ? &x->svsm : NULL,
	        .vars_size = a->vars_size.value,
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
		if (print_json(rep) < 0)
			return data_error(-EIO, "");
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
