// SPDX-License-Identifier: Apache-2.0
/*
 * `ccimage gpu rims`: NVIDIA's RIMs, each verified (measurement/gpu_rim.h),
 * into the golden table ccinit compares GPU reports with
 * (init/base/gpu_golden.h). The table is written whole or not at all: every
 * RIM is read and checked before the first byte goes out.
 *
 * Exit status: 0, 1 a RIM whose signature or chain fails or a driver RIM not
 * for --driver-version, 2 usage, 3 a malformed RIM or root, two RIMs for one
 * kind, model and version, or a driver and a VBIOS RIM measuring one index,
 * 4 system error.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "init/base/cmdfiles.h"
#include "init/base/gpu_golden.h"
#include "init/base/why.h"
#include "measurement/gpu_rim_set.h"
#include "rootfs/ccimage/cli.h"
#include "rootfs/ccimage/command.h"

static const char usage_text[] =
        "usage: ccimage gpu rims [--root PEM] [--accept-expired] [--driver-version V]\n"
        "         [--out FILE] RIM...\n"
        "\n"
        "Verifies NVIDIA's Reference Integrity Manifests (signed SWID tags: driver RIMs\n"
        "NV_GPU_DRIVER_<chip>_<version>.xml, VBIOS RIMs NV_GPU_VBIOS_<board>_<version>.xml\n"
        "or nvtrust's <board>_<version>_PROD.swidtag) and writes the golden table ccinit\n"
        "compares each GPU's report with: one rim line per RIM, in the order given, and\n"
        "its active measurements. The file name says which RIM it is and must agree with\n"
        "its content.\n"
        "\n"
        "  --root PEM          the root the signing chains must end at (default: NVIDIA\n"
        "                      CoRIM signing Root CA, built in)\n"
        "  --accept-expired    a RIM whose chain has expired is verified at the latest\n"
        "                      notBefore of its certificates and marked expired\n"
        "  --driver-version V  every driver RIM must be for V, the driver the image runs\n"
        "  --out FILE          write the table to FILE (atomically) instead of stdout\n";

static int fail(int r, const char *why)
{
	fprintf(stderr, "ccimage gpu rims: %s\n", why_or_errno(why, r));
	return r == -EKEYREJECTED ? EXIT_CHECK : cli_exit_code(r);
}

static int write_table(const char *out, const char *text, size_t len, char *why, size_t why_size)
{
	struct output_set set = {0};
	int r;

	if (!out || !strcmp(out, "-"))
		return fwrite(text, 1, len, stdout) == len && fflush(stdout) == 0
		               ? 0
		               : why_set(why, why_size, -EIO, "stdout: write failed");
	r = output_set_add(&set, out, text, len);
	if (r == 0)
		r = output_set_commit(&set);
	output_set_abandon(&set);
	return r < 0 ? why_set(why, why_size, r, "--out %s: %s", out, strerror(-r)) : 0;
}

static int rims(char **paths, int n, const struct gpu_rim_root *root, bool accept_expired,
                const char *driver, const char *out)
{
	struct gpu_rim_set set;
	char why[1024] = "";
	int r = gpu_rim_set_read(paths, (size_t)n, root, accept_expired, driver, &set, why,
	                         sizeof(why));

	if (r == 0)
		r = write_table(out, set.text, set.len, why, sizeof(why));
	gpu_rim_set_free(&set);
	return r < 0 ? fail(r, why) : EXIT_OK;
}

static int run(int argc, char **argv)
{
	const char *root_path = NULL, *driver = NULL, *out = NULL;
	bool accept_expired = false;
	const struct cli_opt opts[] = {
	        CLI_STRING("root", 0, &root_path, "PEM", NULL),
	        CLI_FLAG("accept-expired", 0, &accept_expired, NULL),
	        CLI_STRING("driver-version", 0, &driver, "V", NULL),
	        CLI_STRING("out", 0, &out, "FILE", NULL),
	        {0},
	};
	struct cli cli = {argc, argv, usage_text, opts};
	struct gpu_rim_root root;
	struct cli_file *files;
	char why[512] = "", *pem = NULL;
	size_t pem_len;
	int n, r;

	if (!cli_parse(&cli, 1, -1))
		return cli.exit_code;
	n = argc - optind;
	files = calloc((size_t)n + 2, sizeof(*files));
	if (!files)
		return fail(-ENOMEM, NULL);
	files[0] = (struct cli_file){"--root", root_path};
	files[1] = (struct cli_file){"--out", out && strcmp(out, "-") ? out : NULL, .output = true};
	for (int i = 0; i < n; i++)
		files[i + 2] = (struct cli_file){"RIM", argv[optind + i]};
	r = cli_check_files("gpu rims", files, (size_t)n + 2);
	free(files);
	if (r != EXIT_OK)
		return r;
	if (root_path) {
		char inner[400] = "";
		r = read_input_file(root_path, 1u << 20, &pem, &pem_len, inner, sizeof(inner));
		if (r < 0)
			why_set(why, sizeof(why), r, "--root %s: %s", root_path,
			        why_or_errno(inner, r));
		root = (struct gpu_rim_root){pem, pem_len, true, root_path};
	} else {
		r = gpu_rim_builtin_root(&root, why, sizeof(why));
	}
	if (r == 0)
		r = rims(argv + optind, n, &root, accept_expired, driver, out);
	else
		r = fail(r, why);
	free(pem);
	return r;
}

CCIMAGE_COMMAND(gpu_rims, "gpu rims", "verify NVIDIA's RIMs and write ccinit's GPU golden table",
                run);
