/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `ccimage measure`: sev-snp-measure's command line, so a script switches by
 * changing the program name; the same one output line and the same checks in
 * the same order (cli.py). TDX modes go to tdx_measure_main().
 *
 * Exit codes differ on purpose: ours are the ccimage set (2 usage, 3 refused
 * data, 4 system) where sev-snp-measure uses 2 and 1; both are non-zero.
 *
 * Where sev-snp-measure prints a value only through Python quirks, we refuse
 * with a message instead: inconsistent OVMF tables it clamps by slicing
 * (ovmf.c), table entries too short for their u32, a --snp-ovmf-hash that is
 * not 48 bytes, more than 2^20 vCPUs or 4 GiB of metadata sections (it would
 * run for hours), integers past 127 bits (past int64 for counts), firmware
 * past 4 GiB. Every other input gives its line, byte for byte
 * (tests/reference/snp-vs-sev-snp-measure.sh).
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rootfs/ccimage/measure_cmd.h"
#include "measurement/measure_input.h"
#include "measurement/snp.h"
#include "measurement/tdx.h"
#include "rootfs/ccimage/command.h"

#define SSM_VERSION "0.0.13" /* the sev-snp-measure release whose results we reproduce */

enum {
	OPT_MODE = 256,
	OPT_TEE,
	OPT_VCPUS,
	OPT_VCPU_TYPE,
	OPT_VCPU_SIG,
	OPT_VCPU_FAMILY,
	OPT_VCPU_MODEL,
	OPT_VCPU_STEPPING,
	OPT_VMM_TYPE,
	OPT_OVMF,
	OPT_KERNEL,
	OPT_INITRD,
	OPT_APPEND,
	OPT_GUEST_FEATURES,
	OPT_OUTPUT_FORMAT,
	OPT_SNP_OVMF_HASH,
	OPT_DUMP_VMSA,
	OPT_SVSM,
	OPT_VARS_SIZE,
	OPT_VARS_FILE,
	OPT_JSON,
	OPT_RVPS,
	OPT_TRUSTEE_VERSION,
	OPT_VERSION,
	OPT_HELP,
};

static const struct option options[] = {
        {"mode", required_argument, NULL, OPT_MODE},
        {"tee", required_argument, NULL, OPT_TEE},
        {"vcpus", required_argument, NULL, OPT_VCPUS},
        {"vcpu-type", required_argument, NULL, OPT_VCPU_TYPE},
        {"vcpu-sig", required_argument, NULL, OPT_VCPU_SIG},
        {"vcpu-family", required_argument, NULL, OPT_VCPU_FAMILY},
        {"vcpu-model", required_argument, NULL, OPT_VCPU_MODEL},
        {"vcpu-stepping", required_argument, NULL, OPT_VCPU_STEPPING},
        {"vmm-type", required_argument, NULL, OPT_VMM_TYPE},
        {"ovmf", required_argument, NULL, OPT_OVMF},
        {"kernel", required_argument, NULL, OPT_KERNEL},
        {"initrd", required_argument, NULL, OPT_INITRD},
        {"append", required_argument, NULL, OPT_APPEND},
        {"guest-features", required_argument, NULL, OPT_GUEST_FEATURES},
        {"output-format", required_argument, NULL, OPT_OUTPUT_FORMAT},
        {"snp-ovmf-hash", required_argument, NULL, OPT_SNP_OVMF_HASH},
        {"dump-vmsa", no_argument, NULL, OPT_DUMP_VMSA},
        {"svsm", required_argument, NULL, OPT_SVSM},
        {"vars-size", required_argument, NULL, OPT_VARS_SIZE},
        {"vars-file", required_argument, NULL, OPT_VARS_FILE},
        {"json", no_argument, NULL, OPT_JSON},
        {"rvps", required_argument, NULL, OPT_RVPS},
        {"trustee-version", required_argument, NULL, OPT_TRUSTEE_VERSION},
        {"verbose", no_argument, NULL, 'v'},
        {"version", no_argument, NULL, OPT_VERSION},
        {"help", no_argument, NULL, 'h'},
        {},
};

static void usage(FILE *f)
{
	fprintf(f,
	        "usage: ccimage measure --mode {sev,seves,snp,snp:ovmf-hash,snp:svsm,tdx} --ovmf "
	        "PATH\n"
	        "         [--vcpus N[,N...]] [--vcpu-type CPUTYPE | --vcpu-sig VALUE |\n"
	        "          --vcpu-family F --vcpu-model M --vcpu-stepping S] [--vmm-type "
	        "QEMU|ec2|gce]\n"
	        "         [--kernel PATH [--initrd PATH] [--append CMDLINE]] [--guest-features "
	        "VALUE]\n"
	        "         [--snp-ovmf-hash HEX] [--output-format hex|base64] [--dump-vmsa] [-v]\n"
	        "         [--svsm PATH (--vars-size N | --vars-file PATH)]\n"
	        "         [--json] [--rvps FILE [--trustee-version X]]\n\n"
	        "Predicts the AMD SEV/SEV-ES/SEV-SNP launch measurement exactly as sev-snp-measure "
	        "%s\n"
	        "does (same flags, same output line). --tee snp is --mode snp; --mode tdx (or "
	        "--tee tdx)\n"
	        "predicts TDX measurements instead (`ccimage measure --mode tdx --help`).\n"
	        "--json prints a report of the value and its inputs' sha256; --rvps writes a "
	        "trustee RVPS\n"
	        "message for snp_launch_measurement (hex, or base64 for trustee before 0.18.0).\n"
	        "vCPU types:",
	        SSM_VERSION);
	for (size_t i = 0; snp_vcpu_name(i); i++)
		fprintf(f, "%s %s", i ? "," : "", snp_vcpu_name(i));
	fprintf(f, "\n");
}

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "ccimage measure: error: ");
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n(`ccimage measure --help` lists the options)\n");
	return EXIT_USAGE;
}

/* TDX is another engineer's command line: hand it the whole argv before parsing anything. */
static bool wants_tdx(int argc, char **argv)
{
	bool tdx = false;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = NULL;
		if (strcmp(a, "--") == 0)
			break;
		if (strcmp(a, "--mode") == 0 || strcmp(a, "--tee") == 0)
			v = i + 1 < argc ? argv[++i] : NULL;
		else if (strncmp(a, "--mode=", 7) == 0)
			v = a + 7;
		else if (strncmp(a, "--tee=", 6) == 0)
			v = a + 6;
		if (v)
			tdx = strcmp(v, "tdx") == 0; /* the last one wins, as for any option */
	}
	return tdx;
}

static int parse_mode(const char *v, struct measure_args *a)
{
	static const struct {
		const char *name;
		enum sev_mode mode;
	} modes[] = {{"sev", SEV_MODE_SEV},
	             {"seves", SEV_MODE_SEVES},
	             {"snp", SEV_MODE_SNP},
	             {"snp:ovmf-hash", SEV_MODE_SNP_OVMF_HASH},
	             {"snp:svsm", SEV_MODE_SNP_SVSM}};

	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		if (strcmp(v, modes[i].name) == 0) {
			a->mode = modes[i].mode;
			a->mode_name = modes[i].name;
			return 0;
		}
	return usage_error("argument --mode: invalid choice: '%s' (choose from 'sev', 'seves', "
	                   "'snp', 'snp:ovmf-hash', 'snp:svsm', 'tdx')",
	                   v);
}

static int parse_i64(const char *opt, const char *v, int base, int64_t *out)
{
	__int128 x;

	if (py_int(v, base, &x) < 0 || x > INT64_MAX || x < INT64_MIN) {
		fprintf(stderr, "ccimage measure: error: argument --%s: invalid int value: '%s'\n",
		        opt, v);
		return EXIT_USAGE;
	}
	*out = (int64_t)x;
	return 0;
}

/* --vcpu-sig and --guest-features: any Python int; the VMSA keeps its low 64 bits. */
static int parse_u64_wrap(const char *opt, const char *v, uint64_t *out)
{
	__int128 x;

	if (py_int(v, 0, &x) < 0) {
		fprintf(stderr, "ccimage measure: error: argument --%s: invalid int value: '%s'\n",
		        opt, v);
		return EXIT_USAGE;
	}
	*out = (uint64_t)(unsigned __int128)x;
	return 0;
}

/* The guest CPU's options (--vcpus, its type, signature or family/model/stepping, the VMM). */
static int parse_cpu(int c, char **argv, struct measure_args *a)
{
	uint64_t sig;
	int r = 0;

	switch (c) {
	case OPT_VCPUS:
		a->vcpus_list = strchr(optarg, ',') ? optarg : NULL;
		r = parse_i64("vcpus", a->vcpus_list ? "1" : optarg, 10, &a->vcpus);
		a->have_vcpus = r == 0;
		break;
	case OPT_VCPU_TYPE:
		if (snp_vcpu_sig_by_name(optarg, &sig) < 0)
			return usage_error("argument --vcpu-type: invalid choice: '%s'", optarg);
		a->vcpu_type = optarg;
		a->vcpu_type_sig = sig;
		break;
	case OPT_VCPU_SIG:
		r = parse_u64_wrap("vcpu-sig", optarg, &a->vcpu_sig);
		a->have_vcpu_sig = r == 0;
		break;
	case OPT_VCPU_FAMILY:
		r = parse_i64("vcpu-family", optarg, 10, &a->family);
		a->have_family = r == 0;
		break;
	case OPT_VCPU_MODEL:
		r = parse_i64("vcpu-model", optarg, 10, &a->model);
		a->have_model = r == 0;
		break;
	case OPT_VCPU_STEPPING:
		r = parse_i64("vcpu-stepping", optarg, 10, &a->stepping);
		a->have_stepping = r == 0;
		break;
	case OPT_VMM_TYPE:
		a->vmm_name = optarg;
		break;
	default:
		return usage_error("unrecognized or incomplete argument: %s", argv[optind - 1]);
	}
	return r;
}

/* One option into a: 0, or the exit code of a usage error (said). */
static int parse_one(int c, char **argv, struct measure_args *a)
{
	int r = 0;

	switch (c) {
	case OPT_MODE:
	case OPT_TEE:
		r = parse_mode(optarg, a);
		a->have_mode = r == 0;
		break;
	case OPT_OVMF:
		a->ovmf = optarg;
		break;
	case OPT_KERNEL:
		a->kernel = optarg;
		break;
	case OPT_INITRD:
		a->initrd = optarg;
		break;
	case OPT_APPEND:
		a->append = optarg;
		break;
	case OPT_GUEST_FEATURES:
		r = parse_u64_wrap("guest-features", optarg, &a->guest_features);
		break;
	case OPT_OUTPUT_FORMAT:
		if (strcmp(optarg, "hex") && strcmp(optarg, "base64"))
			return usage_error("argument --output-format: invalid choice: '%s' "
			                   "(choose from 'hex', 'base64')",
			                   optarg);
		a->base64 = strcmp(optarg, "base64") == 0;
		break;
	case OPT_SNP_OVMF_HASH:
		a->snp_ovmf_hash = optarg;
		break;
	case OPT_DUMP_VMSA:
		a->dump_vmsa = true;
		break;
	case OPT_SVSM:
		a->svsm = optarg;
		break;
	case OPT_VARS_SIZE:
		r = parse_i64("vars-size", optarg, 10, &a->vars_size);
		a->have_vars_size = r == 0;
		break;
	case OPT_VARS_FILE:
		a->vars_file = optarg;
		break;
	case OPT_JSON:
		a->json = true;
		break;
	case OPT_RVPS:
		a->rvps = optarg;
		break;
	case OPT_TRUSTEE_VERSION:
		a->trustee_version = optarg;
		break;
	case 'v':
		a->verbose = true;
		break;
	case OPT_VERSION:
		printf("ccimage measure %s (sev-snp-measure %s compatible)\n", CCINIT_VERSION,
		       SSM_VERSION);
		a->answered = true;
		break;
	case 'h':
		usage(stdout);
		a->answered = true;
		break;
	default:
		return parse_cpu(c, argv, a);
	}
	return r;
}

static int parse_options(int argc, char **argv, struct measure_args *a)
{
	int c, r = 0;

	a->guest_features = 0x1; /* SNPActive alone: host Linux >= 6.8 and QEMU defaults */
	a->vmm = VMM_QEMU;
	a->vmm_name = "QEMU";
	optind = 1;
	opterr = 0;
	while (r == 0 && !a->answered && (c = getopt_long(argc, argv, "vh", options, NULL)) != -1)
		r = parse_one(c, argv, a);
	if (r || a->answered)
		return r;
	if (optind < argc)
		return usage_error("unrecognized arguments: %s", argv[optind]);
	if (!a->have_mode)
		return usage_error("the following arguments are required: %s", "--mode");
	if (!a->ovmf)
		return usage_error("the following arguments are required: %s", "--ovmf");
	return 0;
}

/* cli.py's checks after parsing, in its order. */
static int check_options(struct measure_args *a)
{
	if (a->mode == SEV_MODE_SNP_OVMF_HASH)
		return 0; /* sev-snp-measure answers this mode before any other check */
	/* "--kernel ''" counts as given here and as absent later, as in cli.py. */
	if (a->initrd && *a->initrd && !a->kernel)
		return usage_error("--kernel required when using --initrd");
	if (a->append && *a->append && !a->kernel)
		return usage_error("--kernel required when using --append");
	if (a->mode != SEV_MODE_SEV && !a->have_vcpus)
		return usage_error("missing --vcpus N in guest mode '%s'", a->mode_name);
	if (snp_vmm_type_from_name(a->vmm_name, &a->vmm) < 0)
		return usage_error("unknown VMM type '%s'", a->vmm_name);
	if (a->mode == SEV_MODE_SEV) {
		a->vcpu_sig = 0;
	} else if (a->have_family) {
		if (!a->have_model || !a->have_stepping)
			return usage_error("--vcpu-family needs --vcpu-model and --vcpu-stepping");
		a->vcpu_sig = snp_cpu_sig(a->family, a->model, a->stepping);
	} else if (a->have_vcpu_sig) {
		/* already parsed */
	} else if (a->vcpu_type) {
		a->vcpu_sig = a->vcpu_type_sig;
	} else if (a->vmm == VMM_QEMU) {
		return usage_error(
		        "missing --vcpu-type or --vcpu-sig or --vcpu-family in guest mode "
		        "'%s'",
		        a->mode_name);
	}
	if (a->have_vars_size && a->vars_file)
		return usage_error("argument --vars-file: not allowed with argument --vars-size");
	if (a->mode == SEV_MODE_SNP_SVSM) {
		struct stat st;
		if (a->vars_file && *a->vars_file) {
			if (stat(a->vars_file, &st) < 0) {
				fprintf(stderr, "Error: %s: %m\n", a->vars_file);
				return EXIT_SYSTEM;
			}
			a->vars_size = st.st_size;
		} else if (!a->have_vars_size || a->vars_size == 0) {
			return usage_error("snp:svsm mode requires --vars-size or --vars-file");
		}
	}
	if (a->dump_vmsa && a->mode == SEV_MODE_SEV)
		return usage_error("--dump-vmsa is not available in the selected mode");
	if (a->snp_ovmf_hash && *a->snp_ovmf_hash && a->mode != SEV_MODE_SNP)
		return usage_error("SNP OVMF hash only works with SNP");
	if (a->append && !utf8_valid(a->append))
		return usage_error("--append is not valid UTF-8");
	if (a->trustee_version && !a->rvps)
		return usage_error("--trustee-version needs --rvps");
	if (a->rvps && a->mode != SEV_MODE_SNP && a->mode != SEV_MODE_SNP_SVSM)
		return usage_error("--rvps needs --mode snp (snp_launch_measurement)");
	return 0;
}

int measure_main(int argc, char **argv)
{
	struct measure_args a = {0};
	int r;

	if (wants_tdx(argc, argv))
		return tdx_measure_main(argc, argv);
	r = parse_options(argc, argv, &a);
	if (r || a.answered)
		return r;
	r = check_options(&a);
	if (r)
		return r;
	return a.vcpus_list ? measure_vcpu_counts(&a) : measure_run(&a);
}

CCIMAGE_COMMAND(measure, "measure",
                "predict SEV/SEV-ES/SEV-SNP (sev-snp-measure flags) or TDX launch measurements",
                measure_main);
