/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The last step of `ccimage build`: what a verifier must expect of this
 * image, from the recipe's measurement settings. For each TEE it names, the
 * launch measurement of the image's kernel, initramfs and command line on the
 * TEE's firmware (build_firmware: the recipe's, or for snp by default the AMD
 * SEV OVMF of `ccimage firmware build`), written next to the image as the plain JSON report
 * (measurement-<tee>.json) and as a trustee RVPS message (rvps-<tee>.json).
 * It runs `ccimage measure` itself, so a build's values are exactly what a
 * user gets from the command with the same inputs.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "init/base/why.h"
#include "measurement/firmware/fwbuild.h"
#include "rootfs/build/build.h"
#include "rootfs/lib/fsutil.h"
#include "rootfs/lib/spawn.h"

/* Runs this program's measure command, its report to `out`; its errors go to stderr. */
static int run_self(char **argv, const char *out, char *why, size_t why_size)
{
	argv[0] = "/proc/self/exe";
	int r = spawn_wait_output((const char *const *)argv, out);
	if (r < 0)
		snprintf(why, why_size, "ccimage measure --mode %s failed", argv[3]);
	return r == -ECHILD ? -EPROTO : r;
}

static int recipe_path(const struct build *b, const char *path, char *out, size_t size)
{
	if (path[0] == '/')
		return snprintf(out, size, "%s", path) < (int)size ? 0 : -ENAMETOOLONG;
	return path_join(out, size, b->recipe->dir, path);
}

/* `snp-firmware: build`: the cached AMD SEV OVMF, built first when the cache lacks it. */
static int built_snp_firmware(struct build *b)
{
	const struct fwbuild_opts o = {.quiet = b->quiet};
	struct fwbuild_result res;
	char why[1024] = "";
	int r = fwbuild_run(&o, &res, why, sizeof(why));

	if (r < 0)
		return why_set(b->why, sizeof(b->why), r, "measurement: snp-firmware: build: %s",
		               why[0] ? why : strerror(-r));
	snprintf(b->snp_firmware, sizeof(b->snp_firmware), "%s", res.path);
	snprintf(b->snp_firmware_built, sizeof(b->snp_firmware_built),
	         "ccimage firmware build: %s %s, %s, key %s", FWBUILD_SOURCE, res.source_version,
	         FWBUILD_PLATFORM, res.key);
	return 0;
}

int build_firmware(struct build *b)
{
	const struct recipe_measurement *m = &b->recipe->measurement;

	/* Nothing to measure without the kernel (build_measure says so): build nothing for it. */
	if (!b->kver[0])
		return 0;
	for (size_t i = 0; i < m->ntee; i++) {
		bool snp = strcmp(m->tee[i], "snp") == 0;
		const char *own = snp ? m->snp_firmware : m->tdx_firmware;
		const char *path = m->firmware ? m->firmware : own;
		char *out = snp ? b->snp_firmware : b->tdx_firmware;

		if (!snp && strcmp(m->tee[i], "tdx") != 0)
			return why_set(
			        b->why, sizeof(b->why), -EINVAL,
			        "%s: measurement: tee %s: ccimage build measures snp and tdx",
			        b->recipe->file, m->tee[i]);
		if (snp && (!path || strcmp(path, "build") == 0)) {
			int r = built_snp_firmware(b);
			if (r < 0)
				return r;
			continue;
		}
		if (!path)
			return why_set(b->why, sizeof(b->why), -EINVAL,
			               "%s: measurement: tdx is named but neither tdx-firmware nor "
			               "firmware",
			               b->recipe->file);
		if (recipe_path(b, path, out, PATH_MAX) < 0)
			return why_set(b->why, sizeof(b->why), -ENAMETOOLONG,
			               "measurement: firmware path %s: too long", path);
	}
	return 0;
}

const char *build_firmware_for(const struct build *b, const char *tee)
{
	const char *path = strcmp(tee, "snp") == 0 ? b->snp_firmware : b->tdx_firmware;
	return path[0] ? path : NULL;
}

int build_measure(struct build *b)
{
	const struct recipe *rc = b->recipe;
	char kernel[PATH_MAX], initrd[PATH_MAX], memory[32];
	if (!rc->measurement.ntee)
		return 0;
	if (!b->kver[0]) {
		snprintf(b->why, sizeof(b->why),
		         "%s: measurement: a launch measurement needs the recipe's kernel (no "
		         "'kernel:')",
		         rc->file);
		return -EINVAL;
	}
	if (path_join(kernel, sizeof(kernel), b->out_dir, "vmlinuz") < 0 ||
	    path_join(initrd, sizeof(initrd), b->out_dir, "initramfs.cpio") < 0)
		return -ENAMETOOLONG;
	/* Kata's default guest memory; RTMR1 depends on it through the kernel's setup header. */
	snprintf(memory, sizeof(memory), "%uM",
	         rc->measurement.memory_mib ? rc->measurement.memory_mib : 2048);

	for (size_t i = 0; i < rc->measurement.ntee; i++) {
		const char *tee = rc->measurement.tee[i];
		bool snp = strcmp(tee, "snp") == 0;
		size_t runs = snp ? rc->measurement.nvcpus : 1;
		char firmware[PATH_MAX];
		const char *fw = build_firmware_for(b, tee);
		if (!fw)
			return why_set(b->why, sizeof(b->why), -EINVAL,
			               "measurement: no firmware for %s", tee);
		snprintf(firmware, sizeof(firmware), "%s", fw);
		if (snp && (!runs || !rc->measurement.vcpu_type)) {
			snprintf(b->why, sizeof(b->why),
			         "measurement: snp needs vcpus and vcpu-type");
			return -EINVAL;
		}
		for (size_t v = 0; v < runs; v++) {
			char report[PATH_MAX], rvps[PATH_MAX], name[64], vcpus[16];
			if (snp) {
				snprintf(vcpus, sizeof(vcpus), "%u", rc->measurement.vcpus[v]);
				snprintf(name, sizeof(name), "snp-%svcpu", vcpus);
			} else {
				snprintf(name, sizeof(name), "tdx");
			}
			snprintf(report, sizeof(report), "%s/measurement-%s.json", b->out_dir,
			         name);
			snprintf(rvps, sizeof(rvps), "%s/rvps-%s.json", b->out_dir, name);
			char *snp_argv[] = {
			        "ccimage",  "measure", "--mode",      "snp",
			        "--ovmf",   firmware,  "--kernel",    kernel,
			        "--initrd", initrd,    "--append",    b->launch_cmdline,
			        "--vcpus",  vcpus,     "--vcpu-type", rc->measurement.vcpu_type,
			        "--json",   "--rvps",  rvps,          NULL};
			char *tdx_argv[] = {"ccimage",  "measure", "--mode",   "tdx",
			                    "--ovmf",   firmware,  "--kernel", kernel,
			                    "--initrd", initrd,    "--append", b->launch_cmdline,
			                    "--memory", memory,    "--json",   "--rvps",
			                    rvps,       NULL};
			int r = run_self(snp ? snp_argv : tdx_argv, report, b->why, sizeof(b->why));
			if (r < 0)
				return r;
		}
	}
	return 0;
}
