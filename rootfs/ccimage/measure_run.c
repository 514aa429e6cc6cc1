/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `ccimage measure` for SEV modes, once the options are checked: the launch
 * library (measurement/launch.h) reads, hashes and computes, and this prints
 * sev-snp-measure's line, a JSON report, or a trustee RVPS message.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "init/base/cmdfiles.h"
#include "rootfs/ccimage/measure_cmd.h"
#include "measurement/launch.h"
#include "measurement/measure_input.h"
#include "measurement/rvps.h"
#include "rootfs/ccimage/cli.h"
#include "rootfs/ccimage/command.h"
#include "rootfs/pipeline/launch_report.h"

static int data_error(int r, const char *why)
{
	if (r == -EBADMSG || r == -EINVAL) {
		fprintf(stderr, "Error: %s\n", why);
		return EXIT_DATA;
	}
	fprintf(stderr, "Error: %s\n", strerror(-r));
	return EXIT_SYSTEM;
}

static int file_error(const char *what, int r)
{
	fprintf(stderr, "Error: %s\n", what);
	return cli_exit_code(r);
}

static int dump_vmsa(unsigned index, const uint8_t page[SNP_PAGE_SIZE], void *arg)
{
	char name[32];
	int fd, r = 0;

	(void)arg;
	snprintf(name, sizeof(name), "vmsa%u.bin", index);
	if (check_output_path(name, NULL, 0) < 0)
		return -EINVAL;
	fd = open(name, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	if (write(fd, page, SNP_PAGE_SIZE) != SNP_PAGE_SIZE)
		r = -EIO;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	return r;
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
		printf("Calculated %s guest measurement: %s\n", a->tee_mode->label, out);
	else
		printf("%s\n", out);
}

static int write_rvps(const struct measure_args *a, const struct launch_result *res)
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
	r = launch_rvps_add(res, m);
	if (r == 0)
		r = rvps_write_file(m, a->rvps);
	rvps_free(m);
	if (r < 0) {
		fprintf(stderr, "Error: writing %s: %s\n", a->rvps, strerror(-r));
		return cli_exit_code(r);
	}
	return 0;
}

/* What the options carry beyond their syntax, refused before any file is read. */
static int check_values(const struct measure_args *a)
{
	unsigned major, minor;
	uint8_t seed[SNP_LD_SIZE];

	if (a->rvps && rvps_version_parse(a->trustee_version, &major, &minor) < 0) {
		fprintf(stderr,
		        "ccimage measure: error: unsupported --trustee-version '%s' "
		        "(need 0.10.0 or later)\n",
		        a->trustee_version);
		return EXIT_USAGE;
	}
	if (a->mode == SEV_MODE_SNP && a->snp_ovmf_hash && *a->snp_ovmf_hash &&
	    py_fromhex(a->snp_ovmf_hash, seed, sizeof(seed)) != SNP_LD_SIZE) {
		fprintf(stderr, "ccimage measure: error: --snp-ovmf-hash must be %u bytes in hex\n",
		        SNP_LD_SIZE);
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

static int report(const struct measure_args *a, const struct launch_in *in,
                  const struct launch_result *res)
{
	int ret = EXIT_OK;

	if (a->json) {
		if (launch_report_print(stdout, in, res) < 0)
			return data_error(-EIO, "");
	} else {
		print_line(a, res->digest, res->digest_len);
	}
	if (a->rvps)
		ret = write_rvps(a, res);
	if (fflush(stdout) != 0 && ret == EXIT_OK)
		ret = EXIT_SYSTEM;
	return ret;
}

int measure_run(const struct measure_args *a)
{
	uint64_t features = (uint64_t)a->guest_features.value;
	const struct launch_in in = {
	        .mode = a->tee_mode,
	        .firmware = a->ovmf,
	        .kernel = a->kernel,
	        .initrd = a->initrd,
	        .cmdline = a->append,
	        .vcpus = a->vcpus,
	        .vcpu_type = a->vcpu_type,
	        .vcpu_sig_set = true, /* check_options() chose among type, signature and family */
	        .vcpu_sig = a->vcpu_sig,
	        .sev = {.vmm = a->vmm,
	                .guest_features = &features,
	                .ovmf_hash = a->snp_ovmf_hash,
	                .svsm = a->svsm,
	                .vars_size = a->vars_size.value,
	                .vmsa_cb = a->dump_vmsa ? dump_vmsa : NULL},
	};
	struct launch_result res;
	char why[512] = "";
	int ret = check_values(a), r;

	if (ret != EXIT_OK)
		return ret;
	r = launch_measure(&in, &res, why, sizeof(why));
	if (r < 0)
		ret = res.failed == LAUNCH_READ ? file_error(why, r) : data_error(r, why);
	else
		ret = report(a, &in, &res);
	launch_result_free(&res);
	return ret;
}
