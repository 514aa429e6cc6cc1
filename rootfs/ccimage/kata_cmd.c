/* SPDX-License-Identifier: Apache-2.0 */
/* `ccimage kata cmdline`: the kernel command line Kata passes for a configuration TOML. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "init/base/base64.h"
#include "init/base/cmdfiles.h"
#include "init/base/hex.h"
#include "init/base/why.h"
#include "measurement/kata/cmdline.h"
#include "measurement/kata/initdata.h"
#include "measurement/rvps.h"
#include "rootfs/ccimage/cli.h"
#include "rootfs/ccimage/command.h"

static const char usage_text[] =
        "usage: ccimage kata cmdline --config FILE [--runtime go|rs] [--kata-version V]\n"
        "                            [--image|--initrd] [--verity-params FILE]\n"
        "                            [--max-vcpus N] [--debug]\n"
        "Prints the guest kernel command line Kata's runtime (Go, or runtime-rs) passes\n"
        "to QEMU for the configuration FILE (Kata " KATA_CMDLINE_VERSION
        " by default). --image or\n"
        "--initrd overrides the boot the file names; --verity-params FILE (Kata's\n"
        "one line, alone in FILE) replaces kernel_verity_params;\n"
        "--max-vcpus N is the runtime's max vCPU count where it shows (nr_cpus, Go,\n"
        "non-confidential or Kata < 3.32); --debug as if the hypervisor and agent\n"
        "enable_debug were true. A file that is not a regular file, or holds a NUL,\n"
        "is bad input (exit 3); a --kata-version this derivation does not know, a\n"
        "bad option value (exit 2).\n";

/*
 * Kata's verity line from path: one line, a line end after it allowed. An
 * empty first line would leave the line empty, which the derivation reads as
 * "no dm-verity", so it is refused with a second line, which Kata never has.
 */
static int read_verity_file(const char *path, char **line, char *why, size_t why_size)
{
	size_t len, first;
	int r = read_input_file(path, 4096, line, &len, why, why_size);
	if (r < 0)
		return r;
	r = input_text_check(*line, len, why, why_size);
	first = strcspn(*line, "\r\n");
	if (r == 0 && first == 0)
		r = why_set(why, why_size, -EINVAL, "the first line is empty");
	else if (r == 0 && strspn(*line + first, "\r\n") != len - first)
		r = why_set(why, why_size, -EINVAL,
		            "more than one line (Kata's verity parameters are one)");
	if (r < 0) {
		free(*line);
		*line = NULL;
		return r;
	}
	(*line)[first] = '\0';
	return 0;
}

/* --kata-version: a release as Kata numbers them; which ones are known is the derivation's. */
static int parse_kata_version(void *field, const char *value, char *why, size_t why_size)
{
	uint32_t code;
	if (kata_version_parse(value, &code) < 0)
		return why_set(why, why_size, -EINVAL, "not a release A.B.C (each 0 to 255)");
	*(const char **)field = value;
	return 0;
}

static const char *const runtimes[] = {[KATA_RUNTIME_GO] = "go", [KATA_RUNTIME_RS] = "rs", NULL};

static int kata_cmdline_main(int argc, char **argv)
{
	struct kata_cmdline_opts o = {0};
	const char *config = NULL, *verity_file = NULL;
	unsigned runtime = KATA_RUNTIME_GO;
	bool image = false, initrd = false;
	const struct cli_opt opts[] = {
	        CLI_STRING("config", 0, &config, "FILE", NULL),
	        CLI_CHOICE("runtime", 0, &runtime, runtimes, "go|rs", NULL),
	        CLI_CALL("kata-version", 0, &o.version, parse_kata_version, "V", NULL),
	        CLI_FLAG("image", 0, &image, NULL),
	        CLI_FLAG("initrd", 0, &initrd, NULL),
	        CLI_STRING("verity-params", 0, &verity_file, "FILE", NULL),
	        CLI_NUMBER("max-vcpus", 0, &o.max_vcpus, 1, 4096, "N", NULL),
	        CLI_FLAG("debug", 0, &o.debug, NULL),
	        {0},
	};
	struct cli cli = {argc, argv, usage_text, opts};
	char why[PATH_MAX + 512] = "", *verity = NULL, *line = NULL;
	struct kata_toml *t = NULL;
	int r;

	if (!cli_parse(&cli, 0, 0))
		return cli.exit_code;
	if (!config || (image && initrd))
		return cli_usage_error(&cli);
	o.runtime = (enum kata_runtime)runtime;
	o.boot = image ? KATA_BOOT_IMAGE : initrd ? KATA_BOOT_INITRD : KATA_BOOT_FROM_CONFIG;
	if (verity_file && (r = read_verity_file(verity_file, &verity, why, sizeof(why))) < 0) {
		fprintf(stderr, "ccimage kata cmdline: --verity-params %s: %s\n", verity_file, why);
		return cli_exit_code(r);
	}
	o.verity_params = verity;
	r = kata_toml_open(&t, config, why, sizeof(why));
	if (r == 0)
		r = kata_cmdline(t, &o, &line, why, sizeof(why));
	if (r == 0)
		printf("%s\n", line);
	else if (r == -ENOTSUP)
		fprintf(stderr, "ccimage kata cmdline: --kata-version: %s\n", why);
	else
		fprintf(stderr, "ccimage kata cmdline: %s\n", why_or_errno(why, r));
	free(line);
	free(verity);
	kata_toml_free(t);
	/* -ENOTSUP: a release the derivation was not checked against: the option's value. */
	return r == -ENOTSUP ? EXIT_USAGE : cli_exit_code(r);
}

CCIMAGE_COMMAND(kata_cmdline, "kata cmdline", "the kernel command line Kata passes for a TOML",
                kata_cmdline_main);

static const char initdata_usage[] =
        "usage: ccimage kata initdata FILE\n"
        "Kata's initdata document FILE (the TOML, not the gzip+base64 annotation) to\n"
        "the digest with the algorithm it names, and the values the TEE reports:\n"
        "snp_host_data (32 bytes), its base64 as trustee's SNP claim init_data, and\n"
        "tdx_mr_config_id (48 bytes): the digest cut or zero-padded to each size.\n";

static void print_hex(const char *label, const uint8_t *data, size_t n)
{
	char hex[2 * INITDATA_MAX_DIGEST + 1];
	hex_encode(data, n, hex);
	printf("%s %s\n", label, hex);
}

static int kata_initdata_main(int argc, char **argv)
{
	const struct cli_opt none[] = {{0}};
	struct cli cli = {argc, argv, initdata_usage, none};
	struct initdata_digest d;
	char why[PATH_MAX + 256] = "", *text = NULL, *b64 = NULL;
	size_t len;
	int r;

	if (!cli_parse(&cli, 1, 1))
		return cli.exit_code;
	r = read_input_file(argv[optind], INITDATA_MAX, &text, &len, why, sizeof(why));
	if (r < 0) {
		fprintf(stderr, "ccimage kata initdata: %s: %s\n", argv[optind], why);
		return cli_exit_code(r);
	}
	r = initdata_digest(argv[optind], text, len, &d, why, sizeof(why));
	if (r == 0)
		r = base64_encode(d.snp_host_data, sizeof(d.snp_host_data), &b64);
	if (r == 0) {
		print_hex(d.algorithm, d.digest, d.digest_size);
		print_hex("snp_host_data", d.snp_host_data, sizeof(d.snp_host_data));
		printf("snp_init_data_claim %s\n", b64);
		print_hex("tdx_mr_config_id", d.tdx_mr_config_id, sizeof(d.tdx_mr_config_id));
	} else {
		fprintf(stderr, "ccimage kata initdata: %s\n", why_or_errno(why, r));
	}
	free(b64);
	free(text);
	return cli_exit_code(r);
}

CCIMAGE_COMMAND(kata_initdata, "kata initdata",
                "the digest of a Kata initdata document, as SNP HOST_DATA and TDX MRCONFIGID",
                kata_initdata_main);
