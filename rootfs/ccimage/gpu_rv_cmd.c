/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `ccimage gpu rvps`: the RVPS message for trustee's default GPU policy
 * (measurement/gpu_rv.h), with the driver version an NVIDIA recipe's lock pins.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "init/base/why.h"
#include "measurement/gpu_rv.h"
#include "rootfs/ccimage/cli.h"
#include "rootfs/ccimage/command.h"
#include "rootfs/pipeline/build_gpu.h"
#include "rootfs/recipe/lock.h"

static const char usage_text[] =
        "usage: ccimage gpu rvps (RECIPE | --driver-version V) [--vbios-version V]\n"
        "         [--rvps FILE] [--trustee-version X]\n"
        "Writes the trustee RVPS message (to stdout, or FILE) with the values trustee's\n"
        "default GPU policy looks up: allowed_driver_versions, the driver version\n"
        "RECIPE's lock pins (its firmware-nvidia-gsp and libnvidia-ml1 packages, which\n"
        "must agree), and allowed_vbios_versions when --vbios-version gives one (as\n"
        "nvidia-smi -q prints it). The policy grants its best configuration claim only\n"
        "when both match (measurement/README.md, 14).\n";

/* The driver version the recipe's lock pins, into out. EXIT_OK or an exit code, logged. */
static int driver_from_recipe(const char *recipe, char *out, size_t out_size)
{
	char path[4096], why[512] = "";
	struct lock *l = NULL;
	int r = lock_default_path(recipe, path, sizeof(path));

	if (r == 0)
		r = lock_read(path, &l, why, sizeof(why));
	if (r == 0)
		r = gpu_driver_from_lock(l, path, out, out_size, why, sizeof(why));
	if (r == 0 && !*out)
		r = why_set(why, sizeof(why), -EINVAL,
		            "%s: no %s or %s package; give --driver-version", path,
		            gpu_driver_packages[0], gpu_driver_packages[1]);
	lock_free(l);
	if (r < 0) {
		fprintf(stderr, "ccimage: gpu rvps: %s\n", why_or_errno(why, r));
		return cli_exit_code(r);
	}
	return EXIT_OK;
}

static int write_message(const char *driver, const char *vbios, const char *trustee,
                         const char *out)
{
	struct rvps_msg *m = NULL;
	char why[512] = "";
	int r = rvps_new(&m, trustee);

	if (r < 0)
		snprintf(why, sizeof(why), "--trustee-version '%s' not understood", trustee);
	else
		r = gpu_rv_add(m, trustee, (const char *const[]){driver, NULL},
		               (const char *const[]){vbios, NULL}, why, sizeof(why));
	if (r == 0 && (r = rvps_write_file(m, out)) < 0)
		snprintf(why, sizeof(why), "%s: %s", out, strerror(-r));
	rvps_free(m);
	if (r < 0) {
		fprintf(stderr, "ccimage: gpu rvps: %s\n", why);
		return cli_exit_code(r);
	}
	return EXIT_OK;
}

static int run(int argc, char **argv)
{
	const char *driver = NULL, *vbios = NULL, *out = "-", *trustee = NULL;
	const struct cli_opt opts[] = {
	        CLI_STRING("driver-version", 0, &driver, "V", NULL),
	        CLI_STRING("vbios-version", 0, &vbios, "V", NULL),
	        CLI_STRING("rvps", 0, &out, "FILE", NULL),
	        CLI_STRING("trustee-version", 0, &trustee, "X", NULL),
	        {0},
	};
	struct cli cli = {argc, argv, usage_text, opts};
	char from_lock[64];
	int rc;

	if (!cli_parse(&cli, 0, 1))
		return cli.exit_code;
	if ((optind < argc) == (driver != NULL)) {
		fprintf(stderr, "ccimage: gpu rvps: give one of RECIPE and --driver-version\n");
		return cli_usage_error(&cli);
	}
	const struct cli_file files[] = {
	        {"RECIPE", optind < argc ? argv[optind] : NULL},
	        {"--rvps", out, .output = true},
	};
	if ((rc = cli_check_files("gpu rvps", files, 2)) != EXIT_OK)
		return rc;
	if (!driver) {
		rc = driver_from_recipe(argv[optind], from_lock, sizeof(from_lock));
		if (rc != EXIT_OK)
			return rc;
		driver = from_lock;
	}
	return write_message(driver, vbios, trustee, out);
}

CCIMAGE_COMMAND(gpu_rvps, "gpu rvps", "RVPS message for trustee's default NVIDIA GPU policy", run);
