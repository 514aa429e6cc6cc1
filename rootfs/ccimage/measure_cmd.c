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
 * not 48 bytes, 4 GiB of metadata sections (it would run for hours), integers
 * past 127 bits (past int64 for counts), firmware past 4 GiB. --vcpus takes
 * 1..512 as recipes do, where sev-snp-measure measures no VMSA for 0 or less.
 * Every other input gives its line, byte for byte
 * (tests/reference/snp-vs-sev-snp-measure.sh).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rootfs/ccimage/measure_cmd.h"
#include "measurement/launch.h"
#include "measurement/measure_input.h"
#include "measurement/snp.h"
#include "measurement/tdx.h"
#include "init/base/why.h"
#include "rootfs/ccimage/cli.h"
#include "rootfs/ccimage/command.h"

#define SSM_VERSION "0.0.13" /* the sev-snp-measure release whose results we reproduce */

static const char usage_text[] =
        "usage: ccimage measure --mode {sev,seves,snp,snp:ovmf-hash,snp:svsm,tdx} --ovmf PATH\n"
        "         [--vcpus N[,N...]] [--vcpu-type CPUTYPE | --vcpu-sig VALUE |\n"
        "          --vcpu-family F --vcpu-model M --vcpu-stepping S] [--vmm-type QEMU|ec2|gce]\n"
        "         [--kernel PATH [--initrd PATH] [--append CMDLINE]] [--guest-features VALUE]\n"
        "         [--snp-ovmf-hash HEX] [--output-format hex|base64] [--dump-vmsa] [-v]\n"
        "         [--svsm PATH (--vars-size N | --vars-file PATH)]\n"
        "         [--json] [--rvps FILE [--trustee-version X]]\n\n"
        "Predicts the AMD SEV/SEV-ES/SEV-SNP launch measurement exactly as sev-snp-measure "
        "" SSM_VERSION "\n"
        "does (same flags, same output line). --tee snp is --mode snp; --mode tdx (or --tee tdx)\n"
        "predicts TDX measurements instead (`ccimage measure --mode tdx --help`).\n"
        "--json prints a report of the value and its inputs' sha256; --rvps writes a trustee RVPS\n"
        "message for snp_launch_measurement (hex, or base64 for trustee before 0.18.0).\n";

static void vcpu_types(FILE *f)
{
	fprintf(f, "--vcpus is 1..%d, as in recipes. vCPU types:", LAUNCH_VCPUS_MAX);
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
		if (v) { /* the last one wins, as for any option */
			const struct tee_mode *m = tee_mode_by_name(v);
			tdx = m && m->tee == TEE_TDX;
		}
	}
	return tdx;
}

static int parse_mode(void *field, const char *v, char *why, size_t why_size)
{
	const struct tee_mode *m = tee_mode_by_name(v);
	struct measure_args *a = field;
	char modes[128];

	/* TDX never gets here as the last --mode (wants_tdx), only as an earlier one. */
	if (!m || m->tee == TEE_TDX) {
		tee_mode_list(modes, sizeof(modes));
		return why_set(why, why_size, -EINVAL, "not one of %s", modes);
	}
	a->mode = m->sev;
	a->tee_mode = m;
	a->have_mode = true;
	return 0;
}

/*
 * An integer as Python's int() reads it, in base (10, or 0 for 0x/0o/0b);
 * wrap: keep its low 64 bits (--vcpu-sig, --guest-features, as the VMSA
 * does), else it must fit int64.
 */
static int parse_py_int(struct measure_int *out, const char *v, int base, bool wrap, char *why,
                        size_t why_size)
{
	__int128 x;

	if (py_int(v, base, &x) < 0 || (!wrap && (x > INT64_MAX || x < INT64_MIN)))
		return why_set(why, why_size, -EINVAL, "invalid int value");
	*out = (struct measure_int){(int64_t)(uint64_t)(unsigned __int128)x, true};
	return 0;
}

static int parse_int(void *field, const char *v, char *why, size_t why_size)
{
	return parse_py_int(field, v, 10, false, why, why_size);
}

static int parse_bits(void *field, const char *v, char *why, size_t why_size)
{
	return parse_py_int(field, v, 0, true, why, why_size);
}

static int parse_vcpu_type(void *field, const char *v, char *why, size_t why_size)
{
	struct measure_args *a = field;

	int r = launch_check_vcpu_type(v, &a->vcpu_type_sig, why, why_size);

	if (r < 0)
		return r;
	a->vcpu_type = v;
	return 0;
}

/* --vcpus N, or a list N,N,... (measure_vcpus.c): each count 1..LAUNCH_VCPUS_MAX. */
static int parse_vcpus(void *field, const char *v, char *why, size_t why_size)
{
	struct measure_args *a = field;
	char count[16];
	uint64_t n;

	a->nvcpu_counts = 0;
	a->vcpus_list = strchr(v, ',') != NULL;
	for (const char *p = v;; p += strlen(count) + 1) {
		snprintf(count, sizeof(count), "%.*s", (int)strcspn(p, ","), p);
		if (a->nvcpu_counts == MEASURE_MAX_COUNTS ||
		    cli_number(count, 10, 0, UINT64_MAX, &n) < 0 ||
		    launch_check_vcpus(n, NULL, 0) < 0)
			return why_set(
			        why, why_size, -ERANGE,
			        "not 1..%d, or a list of such counts like 1,2,4 (at most %d)",
			        LAUNCH_VCPUS_MAX, MEASURE_MAX_COUNTS);
		a->vcpu_counts[a->nvcpu_counts++] = (unsigned)n;
		if (!p[strlen(count)])
			break;
	}
	a->vcpus = a->vcpu_counts[0];
	return 0;
}

static const char *const output_formats[] = {
        [MEASURE_HEX] = "hex", [MEASURE_BASE64] = "base64", NULL};

/* Every option into a; false with *code (EXIT_OK after --help or --version) when the command ends
 * here. */
static bool parse_options(int argc, char **argv, struct measure_args *a, int *code)
{
	const struct cli_opt opts[] = {
	        CLI_CALL("mode", 0, a, parse_mode, "MODE", NULL),
	        CLI_CALL("tee", 0, a, parse_mode, "MODE", NULL),
	        CLI_CALL("vcpus", 0, a, parse_vcpus, "N[,N...]", NULL),
	        CLI_CALL("vcpu-type", 0, a, parse_vcpu_type, "CPUTYPE", NULL),
	        CLI_CALL("vcpu-sig", 0, &a->vcpu_sig_arg, parse_bits, "VALUE", NULL),
	        CLI_CALL("vcpu-family", 0, &a->family, parse_int, "F", NULL),
	        CLI_CALL("vcpu-model", 0, &a->model, parse_int, "M", NULL),
	        CLI_CALL("vcpu-stepping", 0, &a->stepping, parse_int, "S", NULL),
	        CLI_STRING("vmm-type", 0, &a->vmm_name, "TYPE", NULL),
	        CLI_STRING("ovmf", 0, &a->ovmf, "PATH", NULL),
	        CLI_STRING("kernel", 0, &a->kernel, "PATH", NULL),
	        CLI_STRING("initrd", 0, &a->initrd, "PATH", NULL),
	        CLI_STRING("append", 0, &a->append, "CMDLINE", NULL),
	        CLI_CALL("guest-features", 0, &a->guest_features, parse_bits, "VALUE", NULL),
	        CLI_CHOICE("output-format", 0, &a->output_format, output_formats, "FORMAT", NULL),
	        CLI_STRING("snp-ovmf-hash", 0, &a->snp_ovmf_hash, "HEX", NULL),
	        CLI_FLAG("dump-vmsa", 0, &a->dump_vmsa, NULL),
	        CLI_STRING("svsm", 0, &a->svsm, "PATH", NULL),
	        CLI_CALL("vars-size", 0, &a->vars_size, parse_int, "N", NULL),
	        CLI_STRING("vars-file", 0, &a->vars_file, "PATH", NULL),
	        CLI_FLAG("json", 0, &a->json, NULL),
	        CLI_STRING("rvps", 0, &a->rvps, "FILE", NULL),
	        CLI_STRING("trustee-version", 0, &a->trustee_version, "X", NULL),
	        CLI_FLAG("verbose", 'v', &a->verbose, NULL),
	        CLI_FLAG("version", 0, &a->version, NULL),
	        {0},
	};
	struct cli cli = {argc, argv, usage_text, opts, vcpu_types};

	/* SNPActive alone: host Linux >= 6.8 and QEMU defaults. */
	a->guest_features = (struct measure_int){0x1, false};
	a->vmm = VMM_QEMU;
	a->vmm_name = "QEMU";
	*code = EXIT_OK;
	if (!cli_parse(&cli, 0, 0)) {
		*code = cli.exit_code;
		return false;
	}
	if (a->version) {
		printf("ccimage measure %s (sev-snp-measure %s compatible)\n", CCINIT_VERSION,
		       SSM_VERSION);
		return false;
	}
	if (!a->have_mode)
		*code = usage_error("the following arguments are required: %s", "--mode");
	else if (!a->ovmf)
		*code = usage_error("the following arguments are required: %s", "--ovmf");
	return *code == EXIT_OK;
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
	if (a->mode != SEV_MODE_SEV && !a->vcpus)
		return usage_error("missing --vcpus N in guest mode '%s'", a->tee_mode->name);
	if (snp_vmm_type_from_name(a->vmm_name, &a->vmm) < 0)
		return usage_error("unknown VMM type '%s'", a->vmm_name);
	if (a->mode == SEV_MODE_SEV) {
		a->vcpu_sig = 0;
	} else if (a->family.set) {
		if (!a->model.set || !a->stepping.set)
			return usage_error("--vcpu-family needs --vcpu-model and --vcpu-stepping");
		a->vcpu_sig = snp_cpu_sig(a->family.value, a->model.value, a->stepping.value);
	} else if (a->vcpu_sig_arg.set) {
		a->vcpu_sig = (uint64_t)a->vcpu_sig_arg.value;
	} else if (a->vcpu_type) {
		a->vcpu_sig = a->vcpu_type_sig;
	} else if (a->vmm == VMM_QEMU) {
		return usage_error(
		        "missing --vcpu-type or --vcpu-sig or --vcpu-family in guest mode "
		        "'%s'",
		        a->tee_mode->name);
	}
	if (a->vars_size.set && a->vars_file)
		return usage_error("argument --vars-file: not allowed with argument --vars-size");
	if (a->mode == SEV_MODE_SNP_SVSM) {
		struct stat st;
		if (a->vars_file && *a->vars_file) {
			if (stat(a->vars_file, &st) < 0) {
				fprintf(stderr, "Error: %s: %m\n", a->vars_file);
				return EXIT_SYSTEM;
			}
			a->vars_size.value = st.st_size;
		} else if (!a->vars_size.set || a->vars_size.value == 0) {
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
	if (!parse_options(argc, argv, &a, &r))
		return r;
	r = check_options(&a);
	if (r)
		return r;
	const struct cli_file files[] = {
	        {"--ovmf", a.ovmf},           {"--kernel", a.kernel},
	        {"--initrd", a.initrd},       {"--svsm", a.svsm},
	        {"--vars-file", a.vars_file}, {"--rvps", a.rvps, .output = true},
	};
	if ((r = cli_check_files("measure", files, sizeof(files) / sizeof(files[0]))) != EXIT_OK)
		return r;
	return a.vcpus_list ? measure_vcpu_counts(&a) : measure_run(&a);
}

CCIMAGE_COMMAND(measure, "measure",
                "predict SEV/SEV-ES/SEV-SNP (sev-snp-measure flags) or TDX launch measurements",
                measure_main);
