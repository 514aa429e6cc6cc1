/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The last step of `ccimage build`: what a verifier must expect of this
 * image, from the recipe's measurement settings. For each TEE it names, the
 * launch measurement of the image's kernel, initramfs and command line on the
 * TEE's firmware (build_firmware: the recipe's, or for snp by default the AMD
 * SEV OVMF of `ccimage firmware build`), written next to the image as the plain JSON report
 * (measurement-<tee>.json) and as a trustee RVPS message (rvps-<tee>.json).
 * It calls the launch library and writes the report `ccimage measure` prints
 * (rootfs/pipeline/launch_report.h), so a build's values are exactly what a user
 * gets from the command with the same inputs; build_kata takes them from
 * b->launches.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "init/base/hex.h"
#include "init/base/why.h"
#include "measurement/firmware/fwbuild.h"
#include "measurement/launch.h"
#include "rootfs/pipeline/build.h"
#include "rootfs/lib/fsutil.h"
#include "rootfs/lib/jsondoc.h"
#include "rootfs/pipeline/launch_report.h"

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
		               why_or_errno(why, r));
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

		char why[128];
		if (tee_check_built(m->tee[i], why, sizeof(why)) < 0)
			return why_set(b->why, sizeof(b->why), -EINVAL, "%s: measurement: %s",
			               b->recipe->file, why);
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

/* The report written to path as `ccimage measure --json` prints it. */
static int write_report(const char *path, const struct launch_in *in,
                        const struct launch_result *res)
{
	FILE *f = fopen(path, "we");
	int r;

	if (!f)
		return -errno;
	r = launch_report_print(f, in, res);
	if (fclose(f) != 0 && r == 0)
		r = -errno;
	return r;
}

static int write_rvps(const char *path, const struct launch_result *res)
{
	struct rvps_msg *m = NULL;
	int r = rvps_new(&m, NULL);

	if (r == 0)
		r = launch_rvps_add(res, m);
	if (r == 0)
		r = rvps_write_file(m, path);
	rvps_free(m);
	return r;
}

/* The values reference-values.json lists, under the names trustee queries (README, 8.2). */
static json_object *launch_values(const struct launch_in *in, const struct launch_result *res)
{
	char hex[2 * SEV_DIGEST_MAX + 1];
	json_object *values;

	if (in->mode->tee == TEE_TDX)
		return launch_report_json(in, res);
	values = json_object_new_object();
	hex_encode(res->digest, res->digest_len, hex);
	json_object_object_add(values, "snp_launch_measurement", json_object_new_string(hex));
	return values;
}

/* One launch: measurement-<report>.json, rvps-<report>.json, and b->launches' next entry. */
static int measure_one(struct build *b, const struct tee_info *t, unsigned vcpus,
                       const char *kernel, const char *initrd)
{
	const struct recipe_measurement *m = &b->recipe->measurement;
	struct build_launch *l = &b->launches[b->nlaunches];
	unsigned mib = m->memory_mib ? m->memory_mib : LAUNCH_MEMORY_MIB_DEFAULT;
	const struct launch_in in = {
	        .mode = tee_mode_by_name(t->name),
	        .firmware = build_firmware_for(b, t->name),
	        .kernel = kernel,
	        .initrd = initrd,
	        .cmdline = b->launch_cmdline,
	        .vcpus = vcpus,
	        .vcpu_type = m->vcpu_type,
	        .memory = (uint64_t)mib << 20, /* RTMR1 depends on it through the setup header */
	};
	struct launch_result res;
	char why[1024] = "", path[PATH_MAX];
	int r;

	l->tee = t;
	l->vcpus = vcpus;
	if (tee_report_name(t, vcpus, l->report, sizeof(l->report)) < 0)
		return -ENAMETOOLONG;
	if (!in.firmware)
		return why_set(b->why, sizeof(b->why), -EINVAL, "measurement: no firmware for %s",
		               t->name);
	r = launch_measure(&in, &res, why, sizeof(why));
	if (r < 0) {
		launch_result_free(&res);
		return why_set(b->why, sizeof(b->why), r, "measurement-%s.json: %s", l->report,
		               why);
	}
	snprintf(path, sizeof(path), "%s/measurement-%s.json", b->out_dir, l->report);
	r = write_report(path, &in, &res);
	if (r == 0) {
		snprintf(path, sizeof(path), "%s/rvps-%s.json", b->out_dir, l->report);
		r = write_rvps(path, &res);
	}
	if (r == 0) {
		l->values = launch_values(&in, &res);
		memcpy(l->sha256[0], res.firmware.sha256, 32);
		memcpy(l->sha256[1], res.kernel.sha256, 32);
		memcpy(l->sha256[2], res.initrd.sha256, 32);
		b->nlaunches++;
	}
	launch_result_free(&res);
	if (r < 0)
		why_set(b->why, sizeof(b->why), r, "writing %s: %s", path, strerror(-r));
	return r;
}

int build_measure(struct build *b)
{
	const struct recipe_measurement *m = &b->recipe->measurement;
	char kernel[PATH_MAX], initrd[PATH_MAX];
	size_t n = 0;
	int r = 0;

	if (!m->ntee)
		return 0;
	if (!b->kver[0])
		return why_set(
		        b->why, sizeof(b->why), -EINVAL,
		        "%s: measurement: a launch measurement needs the recipe's kernel (no "
		        "'kernel:')",
		        b->recipe->file);
	if (path_join(kernel, sizeof(kernel), b->out_dir, "vmlinuz") < 0 ||
	    path_join(initrd, sizeof(initrd), b->out_dir, "initramfs.cpio") < 0)
		return -ENAMETOOLONG;
	for (size_t i = 0; i < m->ntee; i++) {
		const struct tee_info *t = tee_by_name(m->tee[i]);
		if (t && t->per_vcpu && (!m->nvcpus || !m->vcpu_type))
			return why_set(b->why, sizeof(b->why), -EINVAL,
			               "measurement: %s needs vcpus and vcpu-type", t->name);
		n += t && t->per_vcpu ? m->nvcpus : 1;
	}
	b->launches = calloc(n, sizeof(*b->launches));
	if (!b->launches)
		return -ENOMEM;
	for (size_t i = 0; i < m->ntee && r == 0; i++) {
		const struct tee_info *t = tee_by_name(m->tee[i]);
		if (!t)
			return -EINVAL; /* build_firmware refused it already */
		for (size_t v = 0; v < (t->per_vcpu ? m->nvcpus : 1) && r == 0; v++)
			r = measure_one(b, t, t->per_vcpu ? m->vcpus[v] : 0, kernel, initrd);
	}
	return r;
}
