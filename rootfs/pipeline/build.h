/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `ccimage build`: a recipe and its lock to an image, step by step. Each step
 * is a function over one struct build so the command, the tests and a
 * reader can follow the pipeline in order (rootfs/RECIPES.md).
 */
#pragma once

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct kata_toml;

#include "measurement/gpu_rim_set.h"
#include "rootfs/deb/extract.h"
#include "rootfs/deb/fetch.h"
#include "rootfs/image/image.h"
#include "rootfs/image/sbom.h"
#include "rootfs/lib/staged.h"
#include "rootfs/recipe/lock.h"
#include "rootfs/recipe/origin.h"
#include "rootfs/recipe/recipe.h"

struct json_object;
struct tee_info;

/* A recipe's local file (files:, initramfs): a regular file of at most this size. */
#define BUILD_LOCAL_FILE_MAX (1ull << 30)

struct build_pkg {
	const struct lock_entry *pin;
	char deb[PATH_MAX];
	struct deb_index *idx;
	char url[1024];
};

/* One launch measurement build_measure made, for build_kata's reference-values.json. */
struct build_launch {
	const struct tee_info *tee;
	unsigned vcpus;             /* per-vCPU TEEs; 0 otherwise */
	char report[32];            /* measurement-<report>.json */
	struct json_object *values; /* under trustee's names */
	uint8_t sha256[3][32];      /* of the firmware, vmlinuz and initramfs.cpio it measured */
};

struct build {
	/* inputs */
	struct recipe *recipe;
	const char *recipe_path;
	char lock_path[PATH_MAX];
	const char *out_dir; /* where the steps write: out.tmp until committed, then out.final */
	struct staged_dir out;
	uint64_t epoch;
	bool quiet, keep_stage;
	bool explain;            /* explain.txt, which walks the stage after the last step */
	const char *kata_prefix; /* where the drop-in says the image's files are; NULL: Kata's */
	const char *kata_config; /* a Kata configuration TOML: measure the line Kata passes */
	struct kata_toml *kata_toml; /* kata_config, read by build_kata_config() before any step */
	unsigned kata_runtime;       /* enum kata_runtime */

	/* state */
	struct lock *lock;
	struct build_pkg *pkgs; /* the recipe's packages, by name */
	size_t npkgs;
	struct build_pkg kernel_pkg; /* idx holds only control and copyright */
	char kernel_root[PATH_MAX], kver[256];
	char stage[PATH_MAX];
	struct origins origins;
	struct fetcher fetcher;
	unsigned closure_added, root_modules, initramfs_modules;
	bool ld_cache;
	struct image_result image;
	struct sbom_files files; /* the root's regular files and digests, taken beside mkfs.erofs */
	char cmdline[4096];
	char launch_cmdline[8192]; /* what is measured: cmdline, or Kata's line around it */
	char tdx_firmware[PATH_MAX], snp_firmware[PATH_MAX]; /* host paths; "" when not named */
	char snp_firmware_built[512];     /* how `snp-firmware: build` made it; "" otherwise */
	char kernel_built[512];           /* how `kernel: build` made the kernel; "" otherwise */
	struct apt_pkg kernel_sources[2]; /* the packages `kernel: build` made it from */
	char kernel_source_urls[2][1024];
	size_t nkernel_sources;
	struct build_launch *launches; /* build_measure's, in the recipe's order */
	size_t nlaunches;
	/* gpu.rims: the files (directories expanded, in order) and what build_gpu_rims read */
	char **gpu_rim_paths;
	size_t ngpu_rim_paths;
	struct gpu_rim_set gpu_rims;

	char why[8192];
};

void build_init(struct build *b);
void build_free(struct build *b);
/* Whether any path of the image came from package name (a package may give none). */
bool build_package_has_files(const struct build *b, const char *name);

/*
 * The output directory, written whole (rootfs/lib/staged.h): begin makes the
 * directory the steps write into (and the stage in it), commit puts it in
 * place of out once every step succeeded. Without a commit, build_free
 * removes it and a previous output stays as it was.
 */
int build_out_begin(struct build *b, const char *out);
int build_out_commit(struct build *b);

/* The steps, in order. Each returns 0 or a negative errno with b->why set. */
int build_lock_check(struct build *b);
int build_fetch(struct build *b);
int build_slices(struct build *b);
int build_local_files(struct build *b);
int build_kernel(struct build *b);
int build_closure(struct build *b);
int build_normalise(struct build *b);
int build_image(struct build *b);
int build_initramfs(struct build *b);
int build_outputs(struct build *b); /* cmdline.txt, vmlinuz, config, SBOM, build.json */
/* measurement-<tee>.json and rvps-<tee>.json for the recipe's TEEs
 * (rootfs/pipeline/build_measure.c)
 */
int build_measure(struct build *b);
/*
 * Each named TEE's firmware as a host path (rootfs/pipeline/build_measure.c):
 * the recipe's (relative ones from its directory), or for snp by default the
 * AMD SEV OVMF of `ccimage firmware build`, from the cache or built now.
 */
int build_firmware(struct build *b);
/* The firmware build_firmware found for tee ("tdx", "snp"); NULL when none. */
const char *build_firmware_for(const struct build *b, const char *tee);
/*
 * kata_config read and parsed into kata_toml, before any step, so that a bad
 * configuration is refused before packages are fetched (rootfs/pipeline/build_kata.c).
 */
int build_kata_config(struct build *b);
/* launch_cmdline: the image's, or with kata_config Kata's line (rootfs/pipeline/build_kata.c). */
int build_kata_cmdline(struct build *b);
/* The Kata drop-in kata-NAME.toml and reference-values.json (rootfs/pipeline/build_kata.c). */
int build_kata(struct build *b);

/* The names of a module list, profiles expanded (free both arrays). */
int build_module_names(const struct recipe_modules *m, const char ***names, bool **optional,
                       size_t *count, char *why, size_t why_size);

/* build.json: inputs, outputs with sha256, measurement settings (rootfs/pipeline/build_manifest.c).
 */
int build_manifest(struct build *b, const char *path);

/* Writes "PATH<TAB>PACKAGE<TAB>REASON" for every entry of the stage, sorted. */
int build_explain(struct build *b, const char *path);
