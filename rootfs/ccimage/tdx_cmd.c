/* SPDX-License-Identifier: Apache-2.0 */
/* `ccimage measure --mode tdx`: TDX launch-measurement prediction on the command line. */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "init/base/fileio.h"
#include "measurement/rvps.h"
#include "measurement/tdvf.h"
#include "measurement/tdx.h"
#include "init/base/log.h"
#include "init/base/why.h"
#include "rootfs/ccimage/cli.h"
#include "rootfs/ccimage/command.h"
#include "rootfs/ccimage/measure_cmd.h"
#include "rootfs/lib/jsondoc.h"

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

	return r < 0 ? why_set(why, why_size, r, "not a size in QEMU's -m syntax") : 0;
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
static int print_prediction(const struct opts *o, const struct tdx_prediction *p)
{
	static const char *const rtmr_names[3] = {"rtmr_0", "rtmr_1", "rtmr_2"};
	const struct {
		bool has;
		const char *name;
		const uint8_t *digest;
	} fields[] = {
	        {p->has_mrtd, "mr_td", p->mrtd},
	        {p->has_rtmr[0], rtmr_names[0], p->rtmr[0]},
	        {p->has_rtmr[1], rtmr_names[1], p->rtmr[1]},
	        {p->has_rtmr[2], rtmr_names[2], p->rtmr[2]},
	        {p->has_kernel, "tdvfkernel", p->kernel},
	        {p->has_params, "tdvfkernelparams", p->params},
	};
	json_object *doc = json_object_new_object();
	char hex[2 * SHA384_LEN + 1];

	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		if (!fields[i].has)
			continue;
		tdx_hex(fields[i].digest, SHA384_LEN, hex);
		json_object_object_add(doc, fields[i].name, json_object_new_string(hex));
		if (!o->json)
			printf("%-17s%s\n", fields[i].name, hex);
	}
	if (o->xfam) {
		json_object_object_add(doc, "xfam", json_object_new_string(o->xfam));
		if (!o->json)
			printf("%-17s%s\n", "xfam", o->xfam);
	}
	if (o->events)
		json_object_object_add(doc, "events", events(p, rtmr_names));
	if (!o->json) {
		json_object_put(doc);
		return 0;
	}
	return jsondoc_print(stdout, doc, JSONDOC_LINE);
}

static int write_rvps(const struct opts *o, const struct tdx_prediction *p)
{
	struct rvps_msg *m;
	uint8_t xfam[8];
	int r = rvps_new(&m, o->trustee_version);

	if (r < 0) {
		fprintf(stderr, "ccimage measure: bad --trustee-version '%s'\n",
		        o->trustee_version);
		return EXIT_USAGE;
	}
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
	if (r == 0 && o->xfam && tdx_unhex(o->xfam, xfam, 8) == 0)
		r = rvps_add_hex(m, "xfam", RVPS_IN, xfam, 8);
	if (r == 0)
		r = rvps_write_file(m, o->rvps);
	rvps_free(m);
	if (r < 0) {
		fprintf(stderr, "ccimage measure: writing %s: %s\n", o->rvps, strerror(-r));
		return EXIT_SYSTEM;
	}
	return EXIT_OK;
}

struct files {
	uint8_t *fw, *kernel, *initrd, *acpi[3];
	size_t fw_len, kernel_len, initrd_len, acpi_len[3];
};

/*
 * QEMU loads the initrd below 4 GiB (the boot protocol's initrd_addr_max is
 * 32 bits), so a bigger one can never boot: refused from its size, unread.
 */
#define TDX_INITRD_MAX UINT32_MAX

static int load(const char *path, size_t max, uint8_t **buf, size_t *len)
{
	char *data;
	int r;

	if (!path)
		return 0;
	r = read_full_file(path, max, &data, len);
	if (r == 0)
		*buf = (uint8_t *)data;
	else if (r == -EFBIG)
		fprintf(stderr, "ccimage measure: %s: larger than %zu bytes\n", path, max);
	else
		fprintf(stderr, "ccimage measure: %s: %s\n", path, strerror(-r));
	return r;
}

int tdx_measure_main(int argc, char **argv)
{
	struct opts o = {.profile = TDX_PROFILE_TRUSTEE};
	struct files f = {0};
	struct tdvf *tdvf = NULL;
	struct tdx_prediction *p = NULL;
	struct tdx_inputs in = {0};
	char err[TDX_ERR_MAX] = "";
	int r, ret = EXIT_SYSTEM;

	if (!parse_args(argc, argv, &o, &r))
		return r;
	if ((r = load(o.ovmf, TDX_FILE_MAX, &f.fw, &f.fw_len)) < 0 ||
	    (r = load(o.kernel, TDX_FILE_MAX, &f.kernel, &f.kernel_len)) < 0 ||
	    (r = load(o.initrd, TDX_INITRD_MAX, &f.initrd, &f.initrd_len)) < 0)
		goto bad_file;
	for (int i = 0; i < 3; i++)
		if ((r = load(o.acpi[i], TDX_FILE_MAX, &f.acpi[i], &f.acpi_len[i])) < 0)
			goto bad_file;
	tdvf = malloc(sizeof(*tdvf));
	p = malloc(sizeof(*p));
	if (!tdvf || !p)
		goto out;
	if (f.fw) {
		r = tdvf_parse(f.fw, f.fw_len, tdvf, err, sizeof(err));
		if (r < 0) {
			fprintf(stderr, "ccimage measure: %s: %s\n", o.ovmf, err);
			ret = EXIT_DATA;
			goto out;
		}
	}
	in = (struct tdx_inputs){
	        .fw = f.fw,
	        .fw_len = f.fw_len,
	        .tdvf = tdvf,
	        .two_pass = o.two_pass,
	        .kernel = f.kernel,
	        .kernel_len = f.kernel_len,
	        .initrd = f.initrd,
	        .initrd_len = f.initrd_len,
	        .cmdline = o.append,
	        .ram = o.ram,
	        .profile = o.profile,
	};
	for (int i = 0; i < 3; i++) {
		in.acpi[i] = f.acpi[i];
		in.acpi_len[i] = f.acpi_len[i];
	}
	r = tdx_predict(&in, p, err, sizeof(err));
	if (r < 0) {
		fprintf(stderr, "ccimage measure: %s\n", err[0] ? err : strerror(-r));
		ret = r == -EINVAL                ? EXIT_USAGE
		      : r == -ENOMEM || r == -EIO ? EXIT_SYSTEM
		                                  : EXIT_DATA;
		goto out;
	}
	if (print_prediction(&o, p) < 0)
		goto out;
	ret = o.rvps ? write_rvps(&o, p) : EXIT_OK;
	goto out;
bad_file:
	ret = r == -EFBIG || r == -EISDIR ? EXIT_DATA : EXIT_SYSTEM;
out:
	free(f.fw);
	free(f.kernel);
	free(f.initrd);
	for (int i = 0; i < 3; i++)
		free(f.acpi[i]);
	free(tdvf);
	free(p);
	return ret;
}
