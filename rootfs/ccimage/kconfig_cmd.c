/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `ccimage kconfig check CONFIG [FRAGMENT...]`: checks a kernel .config
 * against the fragments in kernel-configs/ and reports every option that
 * does not match, with the fragment line that wants it and why.
 *
 * Exit status: 0 when every error-severity option is satisfied (warnings are
 * printed but pass, unless --strict), 1 when one is not, 2 usage, 3 a
 * malformed .config or fragment, 4 a file that cannot be read.
 */
#include "init/base/cmdfiles.h"
#include "kernel-configs/kconfig.h"
#include "rootfs/ccimage/cli.h"
#include "rootfs/lib/jsondoc.h"
#include "rootfs/ccimage/command.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <glob.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct loaded_fragment {
	const char *path;
	struct kconfig_fragment frag;
};

struct finding {
	const struct loaded_fragment *lf;
	const struct kconfig_want *want;
	const struct kconfig_option *actual;
	enum kconfig_verdict verdict;
};

/* Loads and parses one file; logs once and returns the exit code. */
static int load(const char *path, bool fragment, struct kconfig *cfg, struct kconfig_fragment *frag)
{
	struct kconfig_diag diag = {0};
	char why[160];
	size_t len = 0;
	char *data = NULL;
	int r;

	/* A regular file, a pipe (`<(zcat /proc/config.gz)`), or standard input for "-". */
	r = read_input_file(path, KCONFIG_MAX_FILE, &data, &len, why, sizeof(why));
	if (r < 0) {
		fprintf(stderr, "ccimage kconfig check: %s: %s\n", path, why);
		return cli_exit_code(r);
	}
	r = fragment ? kconfig_fragment_parse(data, len, frag, &diag)
	             : kconfig_parse(data, len, cfg, &diag);
	free(data);
	if (r == -EINVAL) {
		if (diag.line)
			fprintf(stderr, "%s:%u: %s\n", path, diag.line, diag.msg);
		else
			fprintf(stderr, "%s: %s\n", path, diag.msg);
		return EXIT_DATA;
	}
	if (r < 0) {
		fprintf(stderr, "ccimage kconfig check: %s: %s\n", path, strerror(-r));
		return EXIT_SYSTEM;
	}
	return EXIT_OK;
}

static void print_text(const char *config, const struct finding *fs, size_t nf, size_t nfrag,
                       size_t satisfied, size_t errors, size_t warnings, bool verbose)
{
	char want[16];

	for (size_t i = 0; i < nf; i++) {
		const struct finding *f = &fs[i];
		const char *sev = kconfig_severity_name(f->want->severity);

		if (kconfig_satisfied(f->verdict)) {
			if (verbose && f->verdict == KCONFIG_PREDATES)
				printf("%s:%u: ok: CONFIG_%s is absent: this kernel predates it\n",
				       f->lf->path, f->want->line, f->want->name);
			else if (verbose && f->verdict == KCONFIG_GONE)
				printf("%s:%u: ok: CONFIG_%s is absent: this kernel no longer has "
				       "it\n",
				       f->lf->path, f->want->line, f->want->name);
			else if (verbose)
				printf("%s:%u: ok: CONFIG_%s is %s\n", f->lf->path, f->want->line,
				       f->want->name, kconfig_actual_text(f->actual));
			continue;
		}
		printf("%s:%u: %s: CONFIG_%s is %s, wants %s: %s\n", f->lf->path, f->want->line,
		       sev, f->want->name,
		       f->verdict == KCONFIG_MISSING ? "absent" : kconfig_actual_text(f->actual),
		       kconfig_want_text(f->want, want, sizeof(want)), f->want->why);
	}
	printf("%s: %zu error%s, %zu warning%s, %zu satisfied (%zu fragment%s)\n", config, errors,
	       errors == 1 ? "" : "s", warnings, warnings == 1 ? "" : "s", satisfied, nfrag,
	       nfrag == 1 ? "" : "s");
}

static json_object *finding_json(const struct finding *f)
{
	json_object *o = json_object_new_object();
	char option[256], want[16];

	snprintf(option, sizeof(option), "CONFIG_%s", f->want->name);
	json_object_object_add(o, "option", jsondoc_text(option));
	json_object_object_add(o, "severity",
	                       json_object_new_string(kconfig_severity_name(f->want->severity)));
	json_object_object_add(o, "state",
	                       json_object_new_string(kconfig_verdict_name(f->verdict)));
	json_object_object_add(o, "want",
	                       jsondoc_text(kconfig_want_text(f->want, want, sizeof(want))));
	json_object_object_add(o, "actual",
	                       f->actual ? jsondoc_text(kconfig_actual_text(f->actual)) : NULL);
	json_object_object_add(o, "fragment", jsondoc_text(f->lf->path));
	json_object_object_add(o, "line", json_object_new_int64(f->want->line));
	json_object_object_add(o, "why", jsondoc_text(f->want->why));
	return o;
}

/* One line: the counts, then each unmet option (a .config's strings may hold any byte). */
static void print_json(const char *config, const struct loaded_fragment *lfs, size_t nfrag,
                       const struct finding *fs, size_t nf, const size_t counts[3], int status)
{
	json_object *doc = json_object_new_object(), *frags = json_object_new_array();
	json_object *findings = json_object_new_array();

	json_object_object_add(doc, "config", jsondoc_text(config));
	for (size_t i = 0; i < nfrag; i++)
		json_object_array_add(frags, jsondoc_text(lfs[i].path));
	json_object_object_add(doc, "fragments", frags);
	json_object_object_add(doc, "errors", json_object_new_uint64(counts[0]));
	json_object_object_add(doc, "warnings", json_object_new_uint64(counts[1]));
	json_object_object_add(doc, "satisfied", json_object_new_uint64(counts[2]));
	json_object_object_add(doc, "exit_status", json_object_new_int(status));
	for (size_t i = 0; i < nf; i++)
		if (!kconfig_satisfied(fs[i].verdict))
			json_object_array_add(findings, finding_json(&fs[i]));
	json_object_object_add(doc, "findings", findings);
	(void)jsondoc_print(stdout, doc, JSONDOC_LINE); /* a failed write shows at fflush */
}

static const char usage_text[] =
        "usage: ccimage kconfig check [--json] [--strict] [--verbose] [--dir DIR] CONFIG "
        "[FRAGMENT...]\n"
        "Checks a kernel .config against config fragments (default: DIR/*.conf, DIR the\n"
        "shipped kernel-configs/). Exit 0: no error-severity option unmet; 1: some are\n"
        "(or, with --strict, a warning); 2 usage; 3 malformed, missing or unreadable\n"
        "input (a FIFO, device or directory is refused); 4 a system error.\n";

struct check_args {
	bool json, strict, verbose;
	const char *dir;
};

/* The fragments named, or every .conf in DIR, in glob order. Returns an exit code. */
static int fragment_paths(const char *opt_dir, char ***paths, size_t *npaths, glob_t *g,
                          bool *globbed)
{
	char dir[PATH_MAX], pattern[PATH_MAX + 8];

	if (*npaths)
		return EXIT_OK;
	if (kconfig_fragment_dir(opt_dir, dir, sizeof(dir)) < 0) {
		fprintf(stderr,
		        "ccimage kconfig check: no fragment directory (%s); name "
		        "fragments, or use --dir or CCIMAGE_KCONFIG_DIR\n",
		        dir);
		return EXIT_USAGE;
	}
	snprintf(pattern, sizeof(pattern), "%s/*.conf", dir);
	/* glob() sorts, so the report's order does not depend on the directory. */
	if (glob(pattern, 0, NULL, g) != 0 || g->gl_pathc == 0) {
		fprintf(stderr, "ccimage kconfig check: no *.conf fragment in %s\n", dir);
		globfree(g);
		return EXIT_DATA;
	}
	*globbed = true;
	*paths = g->gl_pathv;
	*npaths = g->gl_pathc;
	return EXIT_OK;
}

/* Loads the config and every fragment, judges each wanted option, reports. */
static int check(const char *config, char **paths, size_t npaths, const struct check_args *a)
{
	struct loaded_fragment *lfs = NULL;
	struct finding *fs = NULL;
	struct kconfig cfg = {0};
	size_t nfrag = 0, nf = 0, errors = 0, warnings = 0, satisfied = 0, total = 0;
	int r = load(config, false, &cfg, NULL);

	if (r != EXIT_OK)
		goto out;
	lfs = calloc(npaths, sizeof(*lfs));
	if (!lfs) {
		r = EXIT_SYSTEM;
		goto out;
	}
	for (; nfrag < npaths; nfrag++) {
		lfs[nfrag].path = paths[nfrag];
		r = load(paths[nfrag], true, NULL, &lfs[nfrag].frag);
		if (r != EXIT_OK)
			goto out;
		total += lfs[nfrag].frag.n;
	}
	fs = calloc(total ? total : 1, sizeof(*fs));
	if (!fs) {
		r = EXIT_SYSTEM;
		goto out;
	}
	for (size_t i = 0; i < nfrag; i++)
		for (size_t j = 0; j < lfs[i].frag.n; j++) {
			struct finding *f = &fs[nf++];

			f->lf = &lfs[i];
			f->want = &lfs[i].frag.wants[j];
			f->verdict = kconfig_match(&cfg, f->want, &f->actual);
			if (kconfig_satisfied(f->verdict))
				satisfied++;
			else if (f->want->severity == KCONFIG_SEV_ERROR)
				errors++;
			else
				warnings++;
		}
	r = kconfig_exit_status(errors, warnings, a->strict);
	if (a->json)
		print_json(config, lfs, nfrag, fs, nf,
		           (const size_t[3]){errors, warnings, satisfied}, r);
	else
		print_text(config, fs, nf, nfrag, satisfied, errors, warnings, a->verbose);
	if (fflush(stdout) != 0)
		r = EXIT_SYSTEM;
out:
	for (size_t i = 0; lfs && i < nfrag; i++)
		kconfig_fragment_done(&lfs[i].frag);
	free(lfs);
	free(fs);
	kconfig_done(&cfg);
	return r;
}

int kconfig_check_main(int argc, char **argv)
{
	struct check_args a = {0};
	const struct cli_opt opts[] = {
	        CLI_FLAG("json", 'j', &a.json, NULL),
	        CLI_FLAG("strict", 's', &a.strict, NULL),
	        CLI_FLAG("verbose", 'v', &a.verbose, NULL),
	        CLI_STRING("dir", 'd', &a.dir, "DIR", NULL),
	        {0},
	};
	struct cli cli = {argc, argv, usage_text, opts};
	glob_t g = {0};
	bool globbed = false;
	int r;

	if (!cli_parse(&cli, 1, -1))
		return cli.exit_code;
	const char *config = argv[optind++];
	char **paths = argv + optind;
	size_t npaths = (size_t)(argc - optind);

	r = fragment_paths(a.dir, &paths, &npaths, &g, &globbed);
	if (r == EXIT_OK)
		r = check(config, paths, npaths, &a);
	if (globbed)
		globfree(&g);
	return r;
}

CCIMAGE_COMMAND(kconfig_check, "kconfig check",
                "check a kernel .config against the kernel-configs/ fragments", kconfig_check_main);
