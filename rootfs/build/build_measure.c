/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The last step of `ccimage build`: what a verifier must expect of this
 * image, from the recipe's measurement settings. For each TEE it names, the
 * launch measurement of the image's kernel, initramfs and command line on the
 * recipe's firmware, written next to the image as the plain JSON report
 * (measurement-<tee>.json) and as a trustee RVPS message (rvps-<tee>.json).
 * It runs `ccimage measure` itself, so a build's values are exactly what a
 * user gets from the command with the same inputs.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

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

int build_firmware_path(const struct build *b, char *out, size_t size)
{
	const char *fw = b->recipe->measurement.firmware;

	if (!fw)
		return -ENOENT;
	if (fw[0] == '/')
		return snprintf(out, size, "%s", fw) < (int)size ? 0 : -ENAMETOOLONG;
	return path_join(out, size, b->recipe->dir, fw);
}

int build_measure(struct build *b)
{
	const struct recipe *rc = b->recipe;
	char firmware[PATH_MAX], kernel[PATH_MAX], initrd[PATH_MAX], memory[32];
	if (!rc->measurement.ntee)
		return 0;
	if (!b->kver[0]) {
		snprintf(b->why, sizeof(b->why),
		         "%s: measurement: a launch measurement needs the recipe's kernel (no "
		         "'kernel:')",
		         rc->file);
		return -EINVAL;
	}
	if (!rc->measurement.firmware) {
		snprintf(b->why, sizeof(b->why), "measurement: a TEE is named but no firmware");
		return -EINVAL;
	}
	if (build_firmware_path(b, firmware, sizeof(firmware)) < 0 ||
	    path_join(kernel, sizeof(kernel), b->out_dir, "vmlinuz") < 0 ||
	    path_join(initrd, sizeof(initrd), b->out_dir, "initramfs.cpio") < 0)
		return -ENAMETOOLONG;
	/* Kata's default guest memory; RTMR1 depends on it through the kernel's setup header. */
	snprintf(memory, sizeof(memory), "%uM",
	         rc->measurement.memory_mib ? rc->measurement.memory_mib : 2048);

	for (size_t i = 0; i < rc->measurement.ntee; i++) {
		const char *tee = rc->measurement.tee[i];
		bool snp = strcmp(tee, "snp") == 0;
		size_t runs = snp ? rc->measurement.nvcpus : 1;
		if (!snp && strcmp(tee, "tdx") != 0) {
			snprintf(b->why, sizeof(b->why), "measurement: unknown TEE '%s'", tee);
			return -EINVAL;
		}
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
