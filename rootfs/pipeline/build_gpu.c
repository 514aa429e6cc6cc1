/* SPDX-License-Identifier: Apache-2.0 */
/* NVIDIA GPU reference values of a recipe (measurement/README.md, 14). */
#include "rootfs/pipeline/build_gpu.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "init/base/why.h"
#include "measurement/gpu_rv.h"
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
	if (r == 0 && (r = rvps_write_file(m, path)) < 0)
		why_set(b->why, sizeof(b->why), r, "%s: %s", path, strerror(-r));
	rvps_free(m);
	return r;
}
