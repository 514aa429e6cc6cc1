/* SPDX-License-Identifier: Apache-2.0 */
/* `ccimage measure --mode tdx`: TDX launch-measurement prediction on the command line. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "measurement/launch.h"
#include "measurement/rvps.h"
#include "measurement/tdx.h"
#include "init/base/log.h"
#include "init/base/why.h"
#include "rootfs/ccimage/cli.h"
#include "rootfs/ccimage/command.h"
#include "rootfs/ccimage/measure_cmd.h"
#include "rootfs/lib/jsondoc.h"
#include "rootfs/pipeline/launch_report.h"

static const char usage_text[] =
        "usage: ccimage measure --mode tdx [--ovmf OVMF.fd] [--kernel BZIMAGE [--initrd FILE]\n"
        "         [--append CMDLINE] --memory SIZE] [--two-pass] [--profile trustee|dstack]\n"
        "         [--acpi-loader F --acpi-rsdp F --acpi-tables F] [--xfam HEX] [--json "
        "[--events]]\n"
        "         [--rvps FILE [--trustee-version VER]]\n"
        "\n"
        "Predicts TDX measurements for a QEMU direct kernel boot:\n"
        "  mr_td            MRTD of the unified OVMF image (--two-pass: QEMU 8.x page order)\n"
        "  rtmr_1           the QEMU-patched kernel's Authenticode digest and OVMF's boot events\n"
        "  rtmr_2           LoadOptions (command line + \" initrd=initrd\", UCS-2) and the initrd\n"
        "  tdvfkernel       the kernel event digest; tdvfkernelparams: the LoadOptions digest\n"
        "  rtmr_0           only with --memory and the three ACPI blobs QEMU's fw_cfg serves\n"
        "--memory takes QEMU's -m syntax: a bare number is MiB; K, M, G, T suffixes.\n"
        "--profile picks the firmware event order (default trustee; dstack for Pre202505 OVMF).\n"
        "--json prints one object keyed by trustee RVPS names; --events adds each register's\n"
        "event digests (input for `ccimage eventlog diff`). --rvps writes a trustee RVPS sample\n"
        "message for `rvps-tool register --path FILE`.\n";

struct opts {
	const char *ovmf, *kernel, *initrd, *append, *acpi[3], *xfam, *rvps, *trustee_version;
	uint64_t ram;
	bool two_pass, json, events;
	enum tdx_profile profile;
};

/* QEMU -m syntax: a bare number is MiB; B/K/M/G/T suffixes, optionally followed by "iB"/"B". */
static int parse_size(const char *s, uint64_t *out)
{
	unsigned long long v;
	unsigned shift = 20;
	char *end;

	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -EINVAL;
	if (*end) {
		const char *u = strchr("BKMGT", toupper((unsigned char)*end));
		if (!u)
			return -EINVAL;
		shift = 10 * (unsigned)(u - "BKMGT");
		end++;
		if (*end && strcasecmp(end, "iB") != 0 && strcasecmp(end, "B") != 0)
			return -EINVAL;
	}
	if (v == 0 || v > (UINT64_MAX >> shift))
		return -EINVAL;
	*out = (uint64_t)v << shift;
	return 0;
}

static int parse_memory(void *field, const char *v, char *why, size_t why_size)
{
	int r = parse_size(v, field);

	if (r < 0)
		return why_set(why, why_size, r, "not a size in QEMU's -m syntax");
	return launch_check_memory(*(uint64_t *)field, why, why_size);
}

/* --mode and --tee reach here only as tdx (measure_main hands TDX over), but may repeat. */
static int parse_mode(void *field, const char *v, char *why, size_t why_size)
{
	(void)field;
	return strcmp(v, "tdx") == 0 ? 0 : why_set(why, why_size, -EINVAL, "not a TDX mode");
}

static int parse_profile(void *field, const char *v, char *why, size_t why_size)
{
	int r = tdx_profile_parse(v, field);

	return r < 0 ? why_set(why, why_size, r, "not trustee or dstack") : 0;
}

static int parse_xfam(void *field, const char *v, char *why, size_t why_size)
{
	uint8_t tmp[8];

	if (strlen(v) != 16 || tdx_unhex(v, tmp, 8) < 0)
		return why_set(why, why_size, -EINVAL, "not 16 hex digits");
	*(const char **)field = v;
	return 0;
}

/* Every option into o; false with *code (EXIT_OK after --help) when the command ends here. */
static bool parse_args(int argc, char **argv, struct opts *o, int *code)
{
	const struct cli_opt lo[] = {
	        CLI_CALL("mode", 0, NULL, parse_mode, "tdx", NULL),
	        CLI_CALL("tee", 0, NULL, parse_mode, "tdx", NULL),
	        CLI_STRING("ovmf", 0, &o->ovmf, "OVMF.fd", NULL),
	        CLI_STRING("kernel", 0, &o->kernel, "BZIMAGE", NULL),
	        CLI_STRING("initrd", 0, &o->initrd, "FILE", NULL),
	        CLI_STRING("append", 0, &o->append, "CMDLINE", NULL),
	        CLI_CALL("memory", 0, &o->ram, parse_memory, "SIZE", NULL),
	        CLI_FLAG("two-pass", 0, &o->two_pass, NULL),
	        CLI_CALL("profile", 0, &o->profile, parse_profile, "NAME", NULL),
	        CLI_STRING("acpi-loader", 0, &o->acpi[0], "F", NULL),
	        CLI_STRING("acpi-rsdp", 0, &o->acpi[1], "F", NULL),
	        CLI_STRING("acpi-tables", 0, &o->acpi[2], "F", NULL),
	        CLI_CALL("xfam", 0, &o->xfam, parse_xfam, "HEX", NULL),
	        CLI_FLAG("json", 0, &o->json, NULL),
	        CLI_FLAG("events", 0, &o->events, NULL),
	        CLI_STRING("rvps", 0, &o->rvps, "FILE", NULL),
	        CLI_STRING("trustee-version", 0, &o->trustee_version, "VER", NULL),
	        {0},
	};
	struct cli cli = {argc, argv, usage_text, lo};

	*code = EXIT_USAGE;
	if (!cli_parse(&cli, 0, 0)) {
		*code = cli.exit_code;
		return false;
	}
	if ((!o->ovmf && !o->kernel) || (o->initrd && !o->kernel) || (o->append && !o->kernel) ||
	    (o->events && !o->json)) {
		cli_usage_error(&cli);
		return false;
	}
	if ((o->acpi[0] || o->acpi[1] || o->acpi[2]) &&
	    !(o->acpi[0] && o->acpi[1] && o->acpi[2] && o->ovmf && o->ram)) {
		log_error("RTMR0 needs --ovmf, --memory and all three ACPI blobs");
		return false;
	}
	return true;
}

/* --events: each register's event digests, in the order they were extended. */
static json_object *events(const struct tdx_prediction *p, const char *const names[3])
{
	json_object *ev = json_object_new_object();

	for (int i = 0; i < 3; i++) {
		if (!p->has_rtmr[i])
			continue;
		json_object *list = json_object_new_array();
		for (size_t e = 0; e < p->n_ev[i]; e++) {
			json_object *one = json_object_new_object();
			json_object_object_add(one, "name",
			                       json_object_new_string(p->ev[i][e].name));
			json_object_object_add(one, "digest",
			                       jsondoc_hex(p->ev[i][e].digest, SHA384_LEN));
			json_object_array_add(list, one);
		}
		json_object_object_add(ev, names[i], list);
	}
	return ev;
}

/* One "name value" line per register, or with --json one object keyed by trustee RVPS names. */
static int print_prediction(const struct opts *o, const struct launch_in *in,
                            const struct launch_result *res)
{
	static const char *const rtmr_names[3] = {"rtmr_0", "rtmr_1", "rtmr_2"};
	json_object *doc = launch_report_json(in, res);

	if (!doc)
		return -ENOMEM;
	if (o->xfam)
		json_object_object_add(doc, "xfam", json_object_new_string(o->xfam));
	if (o->events)
		json_object_object_add(doc, "events", events(res->tdx, rtmr_names));
	if (o->json)
		return jsondoc_print(stdout, doc, launch_report_flags(in->mode));
	json_object_object_foreach(doc, name, value)
	{
		printf("%-17s%s\n", name, json_object_get_string(value));
	}
	json_object_put(doc);
	return 0;
}

static int write_rvps(const struct opts *o, const struct launch_result *res)
{
	struct rvps_msg *m;
	uint8_t xfam[8];
	int r = rvps_new(&m, o->trustee_version);

	if (r < 0) {
		fprintf(stderr, "ccimage measure: bad --trustee-version '%s'\n",
		        o->trustee_version);
		return EXIT_USAGE;
	}
	r = launch_rvps_add(res, m);
	if (r == 0 && o->xfam && tdx_unhex(o->xfam, xfam, 8) == 0)
		r = rvps_add_hex(m, "xfam", RVPS_IN, xfam, 8);
	if (r == 0)
		r = rvps_write_file(m, o->rvps);
	rvps_free(m);
	if (r < 0) {
		fprintf(stderr, "ccimage measure: writing %s: %s\n", o->rvps, strerror(-r));
		return cli_exit_code(r);
	}
	return EXIT_OK;
}

/* The exit code of a failed measurement, by where it failed. */
static int failure_code(const struct launch_result *res, int r)
{
	if (res->failed == LAUNCH_READ)
		return cli_exit_code(r);
	if (res->failed == LAUNCH_PARSE)
		return EXIT_DATA;
	return r == -EINVAL ? EXIT_USAGE : r == -ENOMEM || r == -EIO ? EXIT_SYSTEM : EXIT_DATA;
}

int tdx_measure_main(int argc, char **argv)
{
	struct opts o = {.profile = TDX_PROFILE_TRUSTEE};
	struct launch_result res;
	char why[TDX_ERR_MAX + PATH_MAX] = "";
	int r, ret;

	if (!parse_args(argc, argv, &o, &r))
		return r;
	const struct cli_file files[] = {
	        {"--ovmf", o.ovmf},
	        {"--kernel", o.kernel},
	        {"--initrd", o.initrd},
	        {"--acpi-loader", o.acpi[0]},
	        {"--acpi-rsdp", o.acpi[1]},
	        {"--acpi-tables", o.acpi[2]},
	        {"--rvps", o.rvps, .output = true},
	};
	if ((r = cli_check_files("measure", files, sizeof(files) / sizeof(files[0]))) != EXIT_OK)
		return r;
	const struct launch_in in = {
	        .mode = tee_mode_by_name("tdx"),
	        .firmware = o.ovmf,
	        .kernel = o.kernel,
	        .initrd = o.initrd,
	        .cmdline = o.append,
	        .memory = o.ram,
	        .tdx = {.two_pass = o.two_pass,
	                .profile = o.profile,
	                .acpi = {o.acpi[0], o.acpi[1], o.acpi[2]}},
	};
	r = launch_measure(&in, &res, why, sizeof(why));
	if (r < 0) {
		fprintf(stderr, "ccimage measure: %s\n", why);
		ret = failure_code(&res, r);
	} else if (print_prediction(&o, &in, &res) < 0) {
		ret = EXIT_SYSTEM;
	} else {
		ret = o.rvps ? write_rvps(&o, &res) : EXIT_OK;
	}
	launch_result_free(&res);
	return ret;
}
