/* SPDX-License-Identifier: Apache-2.0 */
/* NVIDIA GPU reference values of a recipe (measurement/README.md, 14). */
#include "rootfs/pipeline/build_gpu.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "init/base/why.h"
#include "measurement/gpu_aael.h"
#include "measurement/gpu_rv.h"
#include "rootfs/lib/digest.h"
#include "rootfs/lib/fsutil.h"

int gpu_driver_from_lock(const struct lock *l, const char *lock_path, char *out, size_t out_size,
                         char *why, size_t why_size)
{
	char found[64] = "", version[64], detail[256];
	const char *from = NULL;

	for (size_t i = 0; gpu_driver_packages[i]; i++) {
		const struct lock_entry *e = lock_find(l, gpu_driver_packages[i]);
		int r;
		if (!e)
			continue;
		r = gpu_driver_version_from_deb(e->version, version, sizeof(version), detail,
		                                sizeof(detail));
		if (r < 0)
			return why_set(why, why_size, r, "%s: %s: %s", lock_path, e->name, detail);
		if (from && strcmp(found, version) != 0)
			return why_set(why, why_size, -EINVAL,
			               "%s: %s pins driver %s but %s pins %s; the driver refuses a "
			               "mismatch",
			               lock_path, from, found, e->name, version);
		snprintf(found, sizeof(found), "%s", version);
		from = e->name;
	}
	if (strlen(found) >= out_size)
		return why_set(why, why_size, -ENAMETOOLONG, "%s: driver version too long",
		               lock_path);
	snprintf(out, out_size, "%s", found);
	return 0;
}

/*
 * Whether the guest kernel has the TSM measurement register file ccinit extends RTMR3
 * through: CONFIG_TSM_MEASUREMENTS=y in its boot/config-KVER. Unknown without the file.
 */
static enum gpu_aael_rtmr kernel_rtmr(const char *config)
{
	char line[256];
	enum gpu_aael_rtmr r = GPU_AAEL_RTMR_NO;
	FILE *f = fopen(config, "re");

	if (!f)
		return GPU_AAEL_RTMR_UNKNOWN;
	while (r == GPU_AAEL_RTMR_NO && fgets(line, sizeof(line), f))
		if (strcmp(line, "CONFIG_TSM_MEASUREMENTS=y\n") == 0)
			r = GPU_AAEL_RTMR_YES;
	fclose(f);
	return r;
}

/* What ccinit logs for this image (gpu_aael_expect); config gets the kernel's configuration. */
static enum gpu_aael_rtmr expect(const struct build *b, struct gpu_aael_expect *e, char *config,
                                 size_t size)
{
	char boot[PATH_MAX], name[sizeof(b->kver) + 8];
	enum gpu_aael_rtmr rtmr = GPU_AAEL_RTMR_UNKNOWN;

	snprintf(name, sizeof(name), "config-%s", b->kver);
	config[0] = '\0';
	if (b->kernel_root[0] && b->kver[0] &&
	    path_join(boot, sizeof(boot), b->kernel_root, "boot") == 0 &&
	    path_join(config, size, boot, name) == 0)
		rtmr = kernel_rtmr(config);
	gpu_aael_expect(b->launch_cmdline, rtmr, e);
	return rtmr;
}

int build_gpu_rvps(struct build *b)
{
	char driver[64], path[PATH_MAX];
	struct rvps_msg *m = NULL;
	int r = gpu_driver_from_lock(b->lock, b->lock_path, driver, sizeof(driver), b->why,
	                             sizeof(b->why));

	if (r < 0 || !driver[0])
		return r;
	if (path_join(path, sizeof(path), b->out_dir, "rvps-gpu.json") < 0)
		return -ENAMETOOLONG;
	r = rvps_new(&m, NULL);
	if (r == 0)
		r = gpu_rv_add(m, NULL, driver, NULL, b->why, sizeof(b->why));
	/* ccinit's AAEL events, as reference-values.json's gpu-aael entry has them. */
	if (r == 0) {
		char config[PATH_MAX];
		struct gpu_aael_expect e;
		(void)expect(b, &e, config, sizeof(config));
		if ((r = gpu_aael_rvps_add(m, e.count)) < 0)
			why_set(b->why, sizeof(b->why), r, "rvps-gpu.json: the AAEL values");
	}
	if (r == 0 && (r = rvps_write_file(m, path)) < 0)
		why_set(b->why, sizeof(b->why), r, "%s: %s", path, strerror(-r));
	rvps_free(m);
	return r;
}

int build_gpu_aael(struct build *b, json_object **values, json_object **from)
{
	static const char *const rtmr_names[] = {"unknown", "no", "yes"};
	char config[PATH_MAX], hex[65];
	struct gpu_aael_expect e;
	enum gpu_aael_rtmr rtmr = expect(b, &e, config, sizeof(config));
	const char *slash = strrchr(config, '/');
	json_object *files;

	*values = gpu_aael_values(e.count);
	*from = json_object_new_object();
	files = json_object_new_object();
	if (!*values || !*from || !files) {
		json_object_put(*values);
		json_object_put(*from);
		json_object_put(files);
		return -ENOMEM;
	}
	json_object_object_add(*from, "cmdline", json_object_new_string(b->launch_cmdline));
	json_object_object_add(*from, "tsm_measurements", json_object_new_string(rtmr_names[rtmr]));
	if (rtmr != GPU_AAEL_RTMR_UNKNOWN && digest_file_hex(config, hex) == 0)
		json_object_object_add(files, slash ? slash + 1 : config,
		                       json_object_new_string(hex));
	json_object_object_add(*from, "files", files);
	if (e.why[0])
		json_object_object_add(*from, "count", json_object_new_string(e.why));
	return 0;
}
