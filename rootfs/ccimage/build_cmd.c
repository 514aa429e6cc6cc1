/* SPDX-License-Identifier: Apache-2.0 */
/* `ccimage build RECIPE`: the command-line edge of rootfs/pipeline/. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "init/base/verity_params.h"
#include "rootfs/pipeline/build.h"
#include "rootfs/pipeline/build_gpu.h"
#include "rootfs/ccimage/cli.h"
#include "rootfs/ccimage/command.h"
#include "rootfs/lib/fsutil.h"
#include "rootfs/lib/jsondoc.h"

static const char usage_text[] =
        "usage: ccimage build RECIPE [--lock FILE] [--out DIR] [--set NAME=VALUE]...\n"
        "                     [--kata-prefix DIR] [--kata-config FILE [--kata-runtime go|rs]]\n"
        "                     [--explain] [--keep-stage] [--quiet] [--json]\n"
        "Builds the recipe's image from the packages its lock pins (rootfs/RECIPES.md):\n"
        "NAME.erofs, NAME.verity, NAME.img, initramfs.cpio, vmlinuz, cmdline.txt,\n"
        "NAME.spdx.json, build.json, kata-NAME.toml, reference-values.json in DIR\n"
        "(default ./NAME.out).\n";

static void epoch_note(FILE *f)
{
	fputs("SOURCE_DATE_EPOCH overrides the recipe's source-date-epoch.\n", f);
}

struct step {
	const char *name;
	int (*fn)(struct build *b);
	double seconds;
};

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void print_json(const struct build *b, const struct step *steps, size_t n, double total,
                       int status)
{
	char root[2 * VERITY_MAX_DIGEST_SIZE + 1] = "";
	json_object *o = json_object_new_object(), *st = json_object_new_array();

	hex_encode(b->image.verity.root_hash, b->image.verity.root_hash_size, root);
	json_object_object_add(o, "ok", json_object_new_boolean(!status));
	json_object_object_add(o, "recipe",
	                       json_object_new_string(b->recipe ? b->recipe->name : ""));
	json_object_object_add(o, "out", json_object_new_string(b->out_dir));
	for (size_t i = 0; i < n; i++) {
		json_object *s = json_object_new_object();
		json_object_object_add(s, "name", json_object_new_string(steps[i].name));
		json_object_object_add(s, "seconds", json_object_new_double(steps[i].seconds));
		json_object_array_add(st, s);
	}
	json_object_object_add(o, "steps", st);
	json_object_object_add(o, "seconds", json_object_new_double(total));
	json_object_object_add(o, "debs_downloaded",
	                       json_object_new_int((int)b->fetcher.downloaded));
	json_object_object_add(o, "debs_cached", json_object_new_int((int)b->fetcher.cached));
	json_object_object_add(o, "closure_added", json_object_new_int((int)b->closure_added));
	json_object_object_add(o, "erofs_bytes",
	                       json_object_new_int64((int64_t)b->image.erofs_size));
	json_object_object_add(o, "verity_bytes",
	                       json_object_new_int64((int64_t)b->image.verity_size));
	json_object_object_add(o, "root_hash", status ? NULL : json_object_new_string(root));
	json_object_object_add(o, "error", status ? json_object_new_string(b->why) : NULL);
	(void)jsondoc_print(stdout, o, JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE);
}

static int exit_code(int r)
{
	switch (r) {
	case -EINVAL:
	case -ENOENT:
	case -ESTALE:
	case -EBADMSG:
	case -EEXIST:
	case -ENOTDIR:
	case -EPROTO:
	case -EKEYREJECTED: /* a RIM whose signature or chain fails */
		return EXIT_DATA;
	default:
		return EXIT_SYSTEM;
	}
}

/* What the command line asks beyond the build itself. */
struct build_args {
	const char *lock, *out;
	bool json;
	char default_out[PATH_MAX];
};

/* The recipe, its epoch, lock and output paths, a fresh stage. Returns an exit code. */
static int prepare(struct build *b, struct build_args *a, const struct cli *cli)
{
	int r;

	b->recipe_path = cli->argv[optind];
	if (a->lock)
		snprintf(b->lock_path, sizeof(b->lock_path), "%s", a->lock);
	else
		lock_default_path(b->recipe_path, b->lock_path, sizeof(b->lock_path));
	/* Every file named, and the Kata configuration parsed, before any step runs. */
	const struct cli_file files[] = {
	        {"RECIPE", b->recipe_path},
	        {"--lock", b->lock_path},
	        {"--kata-config", b->kata_config},
	};
	if ((r = cli_check_files("build", files, sizeof(files) / sizeof(files[0]))) != EXIT_OK)
		return r;
	if ((r = build_kata_config(b)) < 0) {
		fprintf(stderr, "ccimage build: %s\n", b->why);
		return cli_exit_code(r);
	}
	r = recipe_load(b->recipe_path, cli->sets, cli->nsets, &b->recipe, b->why, sizeof(b->why));
	if (r < 0) {
		fprintf(stderr, "ccimage build: %s\n", b->why);
		return r == -EINVAL ? EXIT_DATA : EXIT_SYSTEM;
	}
	b->epoch = b->recipe->source_date_epoch;
	if (!cli_source_date_epoch(&b->epoch))
		return EXIT_USAGE;
	if (!a->out) {
		snprintf(a->default_out, sizeof(a->default_out), "%s.out", b->recipe->name);
		a->out = a->default_out;
	}
	if ((r = build_out_begin(b, a->out)) < 0) {
		fprintf(stderr, "ccimage build: %s\n", b->why[0] ? b->why : strerror(-r));
		return r == -EEXIST || r == -ENOTDIR || r == -EINVAL ? EXIT_DATA : EXIT_SYSTEM;
	}
	return EXIT_OK;
}

/* Runs the steps in order; *done gets how many succeeded. */
static int run_steps(struct build *b, struct step *steps, size_t nsteps, size_t *done)
{
	int r = 0;

	for (*done = 0; *done < nsteps; (*done)++) {
		struct step *s = &steps[*done];
		double t0 = now();
		if (!b->quiet)
			fprintf(stderr, "ccimage build: [%zu/%zu] %s ...\n", *done + 1, nsteps,
			        s->name);
		r = s->fn(b);
		s->seconds = now() - t0;
		if (r < 0)
			break;
		if (!b->quiet)
			fprintf(stderr, "ccimage build: [%zu/%zu] %s done in %.2f s\n", *done + 1,
			        nsteps, s->name, s->seconds);
	}
	return r;
}

/* After every step: explain.txt, the output put in place, the summary line. */
static int finish(struct build *b, const struct build_args *a, double start)
{
	int r = 0;

	if (b->explain) {
		char path[PATH_MAX + 16];
		snprintf(path, sizeof(path), "%s/explain.txt", b->out_dir);
		r = build_explain(b, path);
		if (r == 0 && !a->json)
			r = build_explain(b, "-");
	}
	if (r == 0 && (r = build_out_commit(b)) < 0)
		fprintf(stderr, "ccimage build: %s\n", b->why);
	if (r == 0 && !b->quiet)
		fprintf(stderr,
		        "ccimage build: %s in %.2f s: %llu-byte erofs, %u .debs downloaded, "
		        "%u from cache, %u files added by the ELF closure\n",
		        a->out, now() - start, (unsigned long long)b->image.erofs_size,
		        b->fetcher.downloaded, b->fetcher.cached, b->closure_added);
	return r;
}

/* In enum kata_runtime's order (measurement/kata/cmdline.h). */
static const char *const kata_runtimes[] = {"go", "rs", NULL};

static int build_main(int argc, char **argv)
{
	struct step steps[] = {
	        {"lock check", build_lock_check, 0},
	        {"fetch", build_fetch, 0},
	        {"extract slices", build_slices, 0},
	        {"local files", build_local_files, 0},
	        {"GPU RIMs", build_gpu_rims, 0},
	        {"kernel and root modules", build_kernel, 0},
	        {"ELF closure", build_closure, 0},
	        {"normalise", build_normalise, 0},
	        {"erofs + dm-verity", build_image, 0},
	        {"initramfs", build_initramfs, 0},
	        {"firmware", build_firmware, 0},
	        {"SBOM and manifest", build_outputs, 0},
	        {"Kata command line", build_kata_cmdline, 0},
	        {"launch measurements", build_measure, 0},
	        {"GPU reference values", build_gpu_rvps, 0},
	        {"Kata drop-in and reference values", build_kata, 0},
	};
	const size_t nsteps = sizeof(steps) / sizeof(steps[0]);
	struct build_args a = {0};
	size_t done = 0;
	struct build b;
	int code, r;

	build_init(&b);
	const struct cli_opt opts[] = {
	        CLI_STRING("lock", 'l', &a.lock, "FILE", "the lock (default RECIPE.lock)"),
	        CLI_STRING("out", 'o', &a.out, "DIR", "where the outputs go (default ./NAME.out)"),
	        CLI_SETS("overrides the recipe's variable NAME"),
	        CLI_FLAG("explain", 0, &b.explain,
	                 "write DIR/explain.txt: every path in the root and why (also to stdout)"),
	        CLI_STRING("kata-prefix", 0, &b.kata_prefix, "DIR",
	                   "where the Kata drop-in says the image's files are installed "
	                   "(default /opt/kata/share/kata-containers)"),
	        CLI_STRING("kata-config", 0, &b.kata_config, "FILE",
	                   "measure the command line Kata passes with this configuration"),
	        CLI_CHOICE("kata-runtime", 0, &b.kata_runtime, kata_runtimes, "go|rs",
	                   "the Kata runtime reading --kata-config (default go)"),
	        CLI_FLAG("keep-stage", 0, &b.keep_stage, "keep the staged root tree in DIR/root"),
	        CLI_FLAG("quiet", 'q', &b.quiet, "no progress lines"),
	        CLI_FLAG("json", 0, &a.json,
	                 "a JSON summary (steps with times, outputs) on stdout"),
	        {0},
	};
	struct cli cli = {argc, argv, usage_text, opts, epoch_note};

	if (!cli_parse(&cli, 1, 1)) {
		build_free(&b);
		return cli.exit_code;
	}
	/* Helper programs (depmod, ldconfig) create files with the umask: fix it. */
	umask(022);
	if ((code = prepare(&b, &a, &cli)) != EXIT_OK) {
		build_free(&b);
		return code;
	}
	double start = now();
	r = run_steps(&b, steps, nsteps, &done);
	if (r < 0) {
		if (!b.why[0])
			snprintf(b.why, sizeof(b.why), "%s", strerror(-r));
		fprintf(stderr, "ccimage build: %s failed: %s\n", steps[done].name, b.why);
	} else {
		r = finish(&b, &a, start);
	}
	b.out_dir = a.out; /* on failure, the partial directory is gone with build_free */
	if (a.json)
		print_json(&b, steps, r < 0 ? done + 1 : done, now() - start, r < 0);
	code = r < 0 ? exit_code(r) : EXIT_OK;
	build_free(&b);
	return code;
}

CCIMAGE_COMMAND(build, "build", "build a recipe's image, initramfs and SBOM from its lock",
                build_main);
