/* SPDX-License-Identifier: Apache-2.0 */
/* `ccimage kata cmdline`: the kernel command line Kata passes for a configuration TOML. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "init/base/fileio.h"
#include "init/base/hex.h"
#include "measurement/kata/cmdline.h"
#include "measurement/kata/initdata.h"
#include "measurement/rvps.h"
#include "rootfs/ccimage/cli.h"
#include "rootfs/ccimage/command.h"

static void usage(FILE *f)
{
	fprintf(f,
	        "usage: ccimage kata cmdline --config FILE [--runtime go|rs] [--kata-version V]\n"
	        "                            [--image|--initrd] [--verity-params FILE]\n"
	        "                            [--max-vcpus N] [--debug]\n"
	        "Prints the guest kernel command line Kata's runtime (Go, or runtime-rs) passes\n"
	        "to QEMU for the configuration FILE (Kata " KATA_CMDLINE_VERSION
	        " by default). --image or\n"
	        "--initrd overrides the boot the file names; --verity-params FILE (Kata's\n"
	        "one line) replaces kernel_verity_params; --max-vcpus N is the runtime's\n"
	        "max vCPU count where it shows (nr_cpus, Go, non-confidential or Kata\n"
	        "< 3.32); --debug as if the hypervisor and agent enable_debug were true.\n");
}

/* The verity line from file (its first line, without the newline) into *line. */
static int read_verity_file(const char *path, char **line)
{
	size_t len;
	int r = read_full_file(path, 4096, line, &len);
	if (r < 0)
		fprintf(stderr, "ccimage kata cmdline: %s: %s\n", path, strerror(-r));
	else
		(*line)[strcspn(*line, "\r\n")] = 0;
	return r;
}

static int parse_runtime(const char *s, enum kata_runtime *rt)
{
	if (strcmp(s, "go") != 0 && strcmp(s, "rs") != 0)
		return -EINVAL;
	*rt = s[0] == 'g' ? KATA_RUNTIME_GO : KATA_RUNTIME_RS;
	return 0;
}

static int kata_cmdline_main(int argc, char **argv)
{
	static const struct option opts[] = {{"config", required_argument, NULL, 'c'},
	                                     {"runtime", required_argument, NULL, 'r'},
	                                     {"kata-version", required_argument, NULL, 'k'},
	                                     {"image", no_argument, NULL, 'I'},
	                                     {"initrd", no_argument, NULL, 'i'},
	                                     {"verity-params", required_argument, NULL, 'v'},
	                                     {"max-vcpus", required_argument, NULL, 'm'},
	                                     {"debug", no_argument, NULL, 'd'},
	                                     {"help", no_argument, NULL, 'h'},
	                                     {0}};
	struct cli cli = {argc, argv, "h", opts, usage};
	struct kata_cmdline_opts o = {0};
	const char *config = NULL, *verity_file = NULL;
	char why[PATH_MAX + 512] = "", *verity = NULL, *line = NULL, *end;
	struct kata_toml *t = NULL;
	int c, r = 0;

	while (cli_next(&cli, &c) && r == 0) {
		config = c == 'c' ? optarg : config;
		verity_file = c == 'v' ? optarg : verity_file;
		o.version = c == 'k' ? optarg : o.version;
		o.boot = c == 'I' ? KATA_BOOT_IMAGE : c == 'i' ? KATA_BOOT_INITRD : o.boot;
		o.debug |= c == 'd';
		if (c == 'r')
			r = parse_runtime(optarg, &o.runtime);
		if (c == 'm')
			o.max_vcpus = (uint32_t)strtoul(optarg, &end, 10);
		if (c == 'm' && (*end || !o.max_vcpus || o.max_vcpus > 4096))
			r = -EINVAL;
	}
	if (cli.stop)
		return cli.exit_code;
	if (r < 0 || !config || !cli_args(&cli, 0, 0))
		return cli_usage_error(&cli);
	if (verity_file && read_verity_file(verity_file, &verity) < 0)
		return EXIT_SYSTEM;
	o.verity_params = verity;
	r = kata_toml_open(&t, config, why, sizeof(why));
	if (r == 0)
		r = kata_cmdline(t, &o, &line, why, sizeof(why));
	if (r == 0)
		printf("%s\n", line);
	else
		fprintf(stderr, "ccimage kata cmdline: %s\n", why);
	free(line);
	free(verity);
	kata_toml_free(t);
	return r == 0 ? EXIT_OK : r == -EINVAL || r == -ENOTSUP ? EXIT_DATA : EXIT_SYSTEM;
}

CCIMAGE_COMMAND(kata_cmdline, "kata cmdline", "the kernel command line Kata passes for a TOML",
                kata_cmdline_main);

static void initdata_usage(FILE *f)
{
	fprintf(f, "usage: ccimage kata initdata FILE\n"
	           "Kata's initdata document FILE (the TOML, not the gzip+base64 annotation) to\n"
	           "the digest with the algorithm it names, and the values the TEE reports:\n"
	           "snp_host_data (32 bytes), its base64 as trustee's SNP claim init_data, and\n"
	           "tdx_mr_config_id (48 bytes): the digest cut or zero-padded to each size.\n");
}

static void print_hex(const char *label, const uint8_t *data, size_t n)
{
	char hex[2 * INITDATA_MAX_DIGEST + 1];
	hex_encode(data, n, hex);
	printf("%s %s\n", label, hex);
}

static int kata_initdata_main(int argc, char **argv)
{
	static const struct option opts[] = {{"help", no_argument, NULL, 'h'}, {0}};
	struct cli cli = {argc, argv, "h", opts, initdata_usage};
	struct initdata_digest d;
	char why[PATH_MAX + 256] = "", *text = NULL, *b64 = NULL;
	size_t len;
	int c, r;

	while (cli_next(&cli, &c))
		;
	if (cli.stop)
		return cli.exit_code;
	if (!cli_args(&cli, 1, 1))
		return EXIT_USAGE;
	r = read_full_file(argv[optind], 1u << 20, &text, &len);
	if (r < 0) {
		fprintf(stderr, "ccimage kata initdata: %s: %s\n", argv[optind], strerror(-r));
		return EXIT_SYSTEM;
	}
	r = initdata_digest(argv[optind], text, len, &d, why, sizeof(why));
	if (r == 0)
		r = rvps_base64(d.snp_host_data, sizeof(d.snp_host_data), &b64);
	if (r == 0) {
		print_hex(d.algorithm, d.digest, d.digest_size);
		print_hex("snp_host_data", d.snp_host_data, sizeof(d.snp_host_data));
		printf("snp_init_data_claim %s\n", b64);
		print_hex("tdx_mr_config_id", d.tdx_mr_config_id, sizeof(d.tdx_mr_config_id));
	} else {
		fprintf(stderr, "ccimage kata initdata: %s\n", why[0] ? why : strerror(-r));
	}
	free(b64);
	free(text);
	return r == 0 ? EXIT_OK : r == -EINVAL ? EXIT_DATA : EXIT_SYSTEM;
}

CCIMAGE_COMMAND(kata_initdata, "kata initdata",
                "the digest of a Kata initdata document, as SNP HOST_DATA and TDX MRCONFIGID",
                kata_initdata_main);
