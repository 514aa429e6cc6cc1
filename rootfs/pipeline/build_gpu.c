/* SPDX-License-Identifier: Apache-2.0 */
/* NVIDIA GPU reference values of a recipe (measurement/README.md, 14). */
#include "rootfs/pipeline/build_gpu.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>
#include <openssl/sha.h>

#include "init/base/cmdfiles.h"
#include "init/base/gpu_golden.h"
#include "init/base/hex.h"
#include "init/base/why.h"
#include "measurement/gpu_aael.h"
#include "measurement/gpu_rv.h"
#include "rootfs/lib/digest.h"
#include "rootfs/lib/fsutil.h"
#include "rootfs/lib/stagefs.h"

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

/*
 * The versions of the RIMs of kind, each once, into list (NULL-terminated, at most max). The
 * strings are the RIM set's.
 */
static size_t rim_versions(const struct build *b, enum gpu_golden_kind kind, const char **list,
                           size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < b->gpu_rims.n && n < max; i++) {
		const struct gpu_golden_rim *rim = &b->gpu_rims.rims[i];
		bool seen = false;
		for (size_t j = 0; j < n && !seen; j++)
			seen = !strcmp(list[j], rim->version);
		if (rim->kind == kind && !seen)
			list[n++] = rim->version;
	}
	list[n] = NULL;
	return n;
}

int build_gpu_rvps(struct build *b)
{
	char driver[64], path[PATH_MAX];
	const char *drivers[GPU_GOLDEN_MAX_RIMS + 1], *vbios[GPU_GOLDEN_MAX_RIMS + 1];
	struct rvps_msg *m = NULL;
	int r = gpu_driver_from_lock(b->lock, b->lock_path, driver, sizeof(driver), b->why,
	                             sizeof(b->why));

	if (r < 0)
		return r;
	/* The lock's driver; without one, the driver RIMs' versions. */
	drivers[0] = driver;
	drivers[1] = NULL;
	if (!driver[0] && !rim_versions(b, GPU_GOLDEN_DRIVER, drivers, GPU_GOLDEN_MAX_RIMS))
		return 0;
	rim_versions(b, GPU_GOLDEN_VBIOS, vbios, GPU_GOLDEN_MAX_RIMS);
	if (path_join(path, sizeof(path), b->out_dir, "rvps-gpu.json") < 0)
		return -ENAMETOOLONG;
	r = rvps_new(&m, NULL);
	if (r == 0)
		r = gpu_rv_add(m, NULL, drivers, vbios, b->why, sizeof(b->why));
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

static bool rim_name(const char *name)
{
	size_t n = strlen(name);

	return name[0] != '.' && ((n > 4 && !strcmp(name + n - 4, ".xml")) ||
	                          (n > 8 && !strcmp(name + n - 8, ".swidtag")));
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int add_path(char ***paths, size_t *n, const char *dir, const char *name)
{
	char **p = realloc(*paths, (*n + 1) * sizeof(**paths));
	int r;

	if (!p)
		return -ENOMEM;
	*paths = p;
	r = dir ? asprintf(&p[*n], "%s/%s", dir, name) : asprintf(&p[*n], "%s", name);
	if (r < 0)
		return -ENOMEM;
	(*n)++;
	return 0;
}

/* A directory's RIMs, in name order (bytes, so no locale changes it). */
static int dir_rims(const char *dir, char ***paths, size_t *n, char *why, size_t why_size)
{
	DIR *d = opendir(dir);
	char **names = NULL;
	size_t count = 0;
	struct dirent *e;
	int r = 0;

	if (!d)
		return why_set(why, why_size, -errno, "%s: %s", dir, strerror(errno));
	while (r == 0 && (e = readdir(d)))
		if (rim_name(e->d_name))
			r = add_path(&names, &count, NULL, e->d_name);
	closedir(d);
	if (r == 0 && !count)
		r = why_set(why, why_size, -EINVAL,
		            "%s: a directory with no *.xml or *.swidtag RIM", dir);
	if (count)
		qsort(names, count, sizeof(*names), cmp_str);
	for (size_t i = 0; r == 0 && i < count; i++)
		r = add_path(paths, n, dir, names[i]);
	for (size_t i = 0; i < count; i++)
		free(names[i]);
	free(names);
	return r;
}

int gpu_rim_paths(const struct recipe *rc, char ***paths, size_t *n, char *why, size_t why_size)
{
	char inner[512] = "";
	struct stat st;
	int r = 0;

	*paths = NULL;
	*n = 0;
	for (size_t i = 0; r == 0 && i < rc->gpu.nrims; i++) {
		const char *p = rc->gpu.rims[i];
		if (stat(p, &st) < 0)
			r = why_set(inner, sizeof(inner), -errno, "%s: %s", p, strerror(errno));
		else if (S_ISDIR(st.st_mode))
			r = dir_rims(p, paths, n, inner, sizeof(inner));
		else if (S_ISREG(st.st_mode))
			r = add_path(paths, n, NULL, p);
		else
			r = why_set(inner, sizeof(inner), -EINVAL,
			            "%s: neither a RIM file nor a directory of them", p);
	}
	if (r < 0)
		why_set(why, why_size, r, "%s: gpu.rims: %s", rc->file, why_or_errno(inner, r));
	return r;
}

/* gpu.rim-root, or NVIDIA's; *pem holds the file read. */
static int rim_root(const struct recipe *rc, struct gpu_rim_root *root, char **pem, char *why,
                    size_t why_size)
{
	char inner[400] = "";
	size_t len;
	int r;

	if (!rc->gpu.rim_root)
		return gpu_rim_builtin_root(root, why, why_size);
	r = read_input_file(rc->gpu.rim_root, 1u << 20, pem, &len, inner, sizeof(inner));
	if (r < 0)
		return why_set(why, why_size, r, "%s: gpu.rim-root %s: %s", rc->file,
		               rc->gpu.rim_root, why_or_errno(inner, r));
	*root = (struct gpu_rim_root){*pem, len, true, rc->gpu.rim_root};
	return 0;
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

int gpu_rim_lock_pins(const struct recipe *rc, struct lock *l, char *why, size_t why_size)
{
	char **paths = NULL, hex[65];
	size_t n = 0;
	int r = gpu_rim_paths(rc, &paths, &n, why, why_size);

	for (size_t i = 0; r == 0 && i < n; i++) {
		if ((r = digest_file_hex(paths[i], hex)) < 0)
			why_set(why, why_size, r, "%s: gpu.rims: %s: %s", rc->file, paths[i],
			        strerror(-r));
		else if ((r = lock_add_rim(l, base_name(paths[i]), hex)) == -EEXIST)
			why_set(why, why_size, -EINVAL,
			        "%s: gpu.rims: two RIMs named %s: the lock pins RIMs by file name",
			        rc->file, base_name(paths[i]));
		else if (r == -EINVAL)
			why_set(why, why_size, r,
			        "%s: gpu.rims: %s: a RIM's file name must have no spaces and no "
			        "'..'",
			        rc->file, paths[i]);
	}
	for (size_t i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
	lock_sort(l);
	return r == -EEXIST ? -EINVAL : r;
}

/* Each RIM's sha256 is the lock's, and the lock pins no other: else the lock is stale. */
static int rim_lock_check(struct build *b)
{
	static const char hint[] = "the lock is stale: run `ccimage lock` on the recipe";
	const struct lock *l = b->lock;
	char hex[65];
	int r;

	for (size_t i = 0; i < b->ngpu_rim_paths; i++) {
		const char *path = b->gpu_rim_paths[i];
		const struct lock_rim *pin = lock_find_rim(l, base_name(path));
		if (!pin)
			return why_set(b->why, sizeof(b->why), -ESTALE,
			               "%s: gpu.rims: %s is not pinned in %s: %s", b->recipe->file,
			               path, b->lock_path, hint);
		if ((r = digest_file_hex(path, hex)) < 0)
			return why_set(b->why, sizeof(b->why), r, "%s: %s", path, strerror(-r));
		if (strcmp(hex, pin->sha256))
			return why_set(b->why, sizeof(b->why), -ESTALE,
			               "%s: gpu.rims: %s has sha256 %s but %s pins %s: %s",
			               b->recipe->file, path, hex, b->lock_path, pin->sha256, hint);
	}
	for (size_t i = 0; i < l->nrims; i++) {
		bool named = false;
		for (size_t j = 0; !named && j < b->ngpu_rim_paths; j++)
			named = !strcmp(base_name(b->gpu_rim_paths[j]), l->rims[i].name);
		if (!named)
			return why_set(
			        b->why, sizeof(b->why), -ESTALE,
			        "%s pins RIM %s, which the recipe's gpu.rims do not name: %s",
			        b->lock_path, l->rims[i].name, hint);
	}
	return 0;
}

int build_gpu_rims(struct build *b)
{
	const struct recipe *rc = b->recipe;
	char driver[64] = "", inner[2048] = "", *pem = NULL;
	struct gpu_rim_root root;
	int rootfd, r;

	r = gpu_rim_paths(rc, &b->gpu_rim_paths, &b->ngpu_rim_paths, b->why, sizeof(b->why));
	if (r == 0)
		r = rim_lock_check(b);
	if (r < 0 || !rc->gpu.nrims)
		return r;
	if (r == 0)
		r = gpu_driver_from_lock(b->lock, b->lock_path, driver, sizeof(driver), b->why,
		                         sizeof(b->why));
	if (r == 0 && !driver[0] && !b->quiet)
		fprintf(stderr,
		        "ccimage build: note: %s pins no NVIDIA driver package (%s, %s): "
		        "driver RIMs of any version are taken\n",
		        b->lock_path, gpu_driver_packages[0], gpu_driver_packages[1]);
	if (r == 0)
		r = rim_root(rc, &root, &pem, b->why, sizeof(b->why));
	if (r == 0) {
		r = gpu_rim_set_read(b->gpu_rim_paths, b->ngpu_rim_paths, &root,
		                     rc->gpu.rims_accept_expired, driver[0] ? driver : NULL,
		                     &b->gpu_rims, inner, sizeof(inner));
		if (r < 0)
			why_set(b->why, sizeof(b->why), r, "%s: gpu.rims: %s", rc->file,
			        why_or_errno(inner, r));
	}
	free(pem);
	/* The bytes verified are the bytes pinned, even if a file changed since its check above. */
	for (size_t i = 0; r == 0 && i < b->gpu_rims.n; i++) {
		const struct lock_rim *pin = lock_find_rim(b->lock, base_name(b->gpu_rim_paths[i]));

		if (!pin || strcmp(pin->sha256, b->gpu_rims.rims[i].sha256))
			r = why_set(b->why, sizeof(b->why), -ESTALE,
			            "%s: gpu.rims: %s changed while the build read it", rc->file,
			            b->gpu_rim_paths[i]);
	}
	if (r < 0)
		return r;
	if ((rootfd = open(b->stage, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return -errno;
	r = stagefs_write(rootfd, GPU_GOLDEN_PATH, b->gpu_rims.text, b->gpu_rims.len, 0444);
	close(rootfd);
	if (r < 0)
		return why_set(b->why, sizeof(b->why), r, "%s: %s", GPU_GOLDEN_PATH,
		               r == -EEXIST ? "already in the root" : strerror(-r));
	return origins_add(&b->origins, GPU_GOLDEN_PATH, NULL,
	                   "GPU golden table (recipe gpu.rims)");
}

int build_gpu_rims_values(const struct build *b, json_object **values, json_object **from)
{
	json_object *rims = json_object_new_array(), *files = json_object_new_object();
	uint8_t d[32];
	char hex[65];

	*values = json_object_new_object();
	*from = json_object_new_object();
	if (!rims || !files || !*values || !*from) {
		json_object_put(rims);
		json_object_put(files);
		json_object_put(*values);
		json_object_put(*from);
		return -ENOMEM;
	}
	for (size_t i = 0; i < b->gpu_rims.n; i++) {
		const struct gpu_golden_rim *rim = &b->gpu_rims.rims[i];
		json_object *o = json_object_new_object();
		json_object_object_add(o, "kind",
		                       json_object_new_string(gpu_golden_kind_name(rim->kind)));
		json_object_object_add(o, "model", json_object_new_string(rim->model));
		json_object_object_add(o, "version", json_object_new_string(rim->version));
		json_object_object_add(o, "sha256", json_object_new_string(rim->sha256));
		json_object_object_add(o, "certificate",
		                       json_object_new_string(rim->expired ? "expired" : "valid"));
		json_object_array_add(rims, o);
		json_object_object_add(files, base_name(b->gpu_rim_paths[i]),
		                       json_object_new_string(rim->sha256));
	}
	json_object_object_add(*values, "rims", rims);
	SHA256((const unsigned char *)b->gpu_rims.text, b->gpu_rims.len, d);
	hex_encode(d, sizeof(d), hex);
	json_object_object_add(*values, "golden_sha256", json_object_new_string(hex));
	json_object_object_add(*from, "files", files);
	json_object_object_add(*from, "golden", json_object_new_string(GPU_GOLDEN_PATH));
	json_object_object_add(*from, "root",
	                       json_object_new_string(b->recipe->gpu.rim_root
	                                                      ? base_name(b->recipe->gpu.rim_root)
	                                                      : "NVIDIA RIM root (built in)"));
	json_object_object_add(*from, "accept_expired",
	                       json_object_new_boolean(b->recipe->gpu.rims_accept_expired));
	return 0;
}
