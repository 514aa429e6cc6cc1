/* SPDX-License-Identifier: Apache-2.0 */
/* `ccimage measure --mode tdx`: TDX launch-measurement prediction on the command line. */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "init/base/fileio.h"
#include "measurement/rvps.h"
#include "measurement/tdvf.h"
#include "measurement/tdx.h"
#include "rootfs/ccimage/command.h"
#include "rootfs/ccimage/measure_cmd.h"

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
	bool help; /* --help printed: nothing more to do */
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

enum {
	O_OVMF = 256,
	O_KERNEL,
	O_INITRD,
	O_APPEND,
	O_MEMORY,
	O_TWO_PASS,
	O_PROFILE,
	O_ACPI_LOADER,
	O_ACPI_RSDP,
	O_ACPI_TABLES,
	O_XFAM,
	O_JSON,
	O_EVENTS,
	O_RVPS,
	O_TRUSTEE,
	O_MODE,
	O_HELP
};

/* One option into o: 0, or the exit code of a usage error (said). */
static int parse_one(int c, struct opts *o)
{
	switch (c) {
	case O_MODE:
		if (strcmp(optarg, "tdx") != 0) {
			fprintf(stderr, "ccimage measure: --mode %s is not a TDX mode\n", optarg);
			return EXIT_USAGE;
		}
		break;
	case O_OVMF:
		o->ovmf = optarg;
		break;
	case O_KERNEL:
		o->kernel = optarg;
		break;
	case O_INITRD:
		o->initrd = optarg;
		break;
	case O_APPEND:
		o->append = optarg;
		break;
	case O_MEMORY:
		if (parse_size(optarg, &o->ram) < 0) {
			fprintf(stderr, "ccimage measure: bad --memory '%s'\n", optarg);
			return EXIT_USAGE;
		}
		break;
	case O_TWO_PASS:
		o->two_pass = true;
		break;
	case O_PROFILE:
		if (tdx_profile_parse(optarg, &o->profile) < 0) {
			fprintf(stderr, "ccimage measure: unknown --profile '%s'\n", optarg);
			return EXIT_USAGE;
		}
		break;
	case O_ACPI_LOADER:
		o->acpi[0] = optarg;
		break;
	case O_ACPI_RSDP:
		o->acpi[1] = optarg;
		break;
	case O_ACPI_TABLES:
		o->acpi[2] = optarg;
		break;
	case O_XFAM: {
		size_t n = strlen(optarg);
		uint8_t tmp[8];
		if (n != 16 || tdx_unhex(optarg, tmp, 8) < 0) {
			fprintf(stderr, "ccimage measure: --xfam wants 16 hex digits\n");
			return EXIT_USAGE;
		}
		o->xfam = optarg;
		break;
	}
	case O_JSON:
		o->json = true;
		break;
	case O_EVENTS:
		o->events = true;
		break;
	case O_RVPS:
		o->rvps = optarg;
		break;
	case O_TRUSTEE:
		o->trustee_version = optarg;
		break;
	case O_HELP:
		fputs(usage_text, stdout);
		o->help = true;
		break;
	default:
		fputs(usage_text, stderr);
		return EXIT_USAGE;
	}
	return 0;
}

static int parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
	        {"mode", required_argument, NULL, O_MODE},
	        {"tee", required_argument, NULL, O_MODE},
	        {"ovmf", required_argument, NULL, O_OVMF},
	        {"kernel", required_argument, NULL, O_KERNEL},
	        {"initrd", required_argument, NULL, O_INITRD},
	        {"append", required_argument, NULL, O_APPEND},
	        {"memory", required_argument, NULL, O_MEMORY},
	        {"two-pass", no_argument, NULL, O_TWO_PASS},
	        {"profile", required_argument, NULL, O_PROFILE},
	        {"acpi-loader", required_argument, NULL, O_ACPI_LOADER},
	        {"acpi-rsdp", required_argument, NULL, O_ACPI_RSDP},
	        {"acpi-tables", required_argument, NULL, O_ACPI_TABLES},
	        {"xfam", required_argument, NULL, O_XFAM},
	        {"json", no_argument, NULL, O_JSON},
	        {"events", no_argument, NULL, O_EVENTS},
	        {"rvps", required_argument, NULL, O_RVPS},
	        {"trustee-version", required_argument, NULL, O_TRUSTEE},
	        {"help", no_argument, NULL, O_HELP},
	        {0},
	};
	int c, r = 0;

	optind = 1;
	while (r == 0 && !o->help && (c = getopt_long(argc, argv, "", lo, NULL)) != -1)
		r = parse_one(c, o);
	if (r || o->help)
		return r;
	if (optind != argc || (!o->ovmf && !o->kernel) || (o->initrd && !o->kernel) ||
	    (o->append && !o->kernel) || (o->events && !o->json)) {
		fputs(usage_text, stderr);
		return EXIT_USAGE;
	}
	if ((o->acpi[0] || o->acpi[1] || o->acpi[2]) &&
	    !(o->acpi[0] && o->acpi[1] && o->acpi[2] && o->ovmf && o->ram)) {
		fprintf(stderr, "ccimage measure: RTMR0 needs --ovmf, --memory and all three ACPI "
		                "blobs\n");
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

static void print_hex_field(bool json, bool *first, const char *name, const uint8_t *d)
{
	char hex[2 * SHA384_LEN + 1];

	tdx_hex(d, SHA384_LEN, hex);
	if (json)
		printf("%s\"%s\":\"%s\"", *first ? "" : ",", name, hex);
	else
		printf("%-17s%s\n", name, hex);
	*first = false;
}

static void print_prediction(const struct opts *o, const struct tdx_prediction *p)
{
	static const char *const rtmr_names[3] = {"rtmr_0", "rtmr_1", "rtmr_2"};
	bool first = true;

	if (o->json)
		printf("{");
	if (p->has_mrtd)
		print_hex_field(o->json, &first, "mr_td", p->mrtd);
	for (int i = 0; i < 3; i++)
		if (p->has_rtmr[i])
			print_hex_field(o->json, &first, rtmr_names[i], p->rtmr[i]);
	if (p->has_kernel)
		print_hex_field(o->json, &first, "tdvfkernel", p->kernel);
	if (p->has_params)
		print_hex_field(o->json, &first, "tdvfkernelparams", p->params);
	if (o->xfam) {
		if (o->json)
			printf("%s\"xfam\":\"%s\"", first ? "" : ",", o->xfam);
		else
			printf("%-17s%s\n", "xfam", o->xfam);
	}
	if (!o->json)
		return;
	if (o->events) {
		char hex[2 * SHA384_LEN + 1];
		bool firstreg = true;
		printf(",\"events\":{");
		for (int i = 0; i < 3; i++) {
			if (!p->has_rtmr[i])
				continue;
			printf("%s\"%s\":[", firstreg ? "" : ",", rtmr_names[i]);
			firstreg = false;
			for (size_t e = 0; e < p->n_ev[i]; e++)
				printf("%s{\"name\":\"%s\",\"digest\":\"%s\"}", e ? "," : "",
				       p->ev[i][e].name,
				       tdx_hex(p->ev[i][e].digest, SHA384_LEN, hex));
			printf("]");
		}
		printf("}");
	}
	printf("}\n");
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

	r = parse_args(argc, argv, &o);
	if (r != EXIT_OK || o.help)
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
	print_prediction(&o, p);
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
