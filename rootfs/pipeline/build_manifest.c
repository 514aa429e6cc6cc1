/* SPDX-License-Identifier: Apache-2.0 */
/*
 * build.json: what went in (recipe and lock by sha256, epoch, variables,
 * packages) and what came out (each output's size and sha256, the root
 * hash, the command line), plus the recipe's measurement settings for the
 * measurement code. No build times and no host paths of the output, so two
 * builds from the same inputs write the same file.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "init/base/verity_params.h"
#include "rootfs/pipeline/build.h"
#include "rootfs/lib/digest.h"
#include "rootfs/lib/jsondoc.h"

static json_object *file_obj(const char *path)
{
	uint8_t md[32];
	uint64_t size;
	char hex[65];

	if (digest_file(path, false, md, NULL, &size) < 0)
		return NULL;
	hex_encode(md, 32, hex);
	json_object *o = json_object_new_object();
	json_object_object_add(o, "size", json_object_new_int64((int64_t)size));
	json_object_object_add(o, "sha256", json_object_new_string(hex));
	return o;
}

/* The image's files with the sizes and digests the image step took as it wrote them. */
static void add_image_files(const struct build *b, json_object *out)
{
	const struct image_result *im = &b->image;
	const struct {
		const char *suffix;
		uint64_t size;
		const uint8_t *sha256;
	} files[] = {
	        {".erofs", im->erofs_size, im->erofs_sha256},
	        {".verity", im->verity_size, im->verity_sha256},
	        {".img", im->disk.size, im->disk_sha256},
	};
	char name[PATH_MAX], hex[65];

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		json_object *o = json_object_new_object();
		snprintf(name, sizeof(name), "%s%s", b->recipe->name, files[i].suffix);
		hex_encode(files[i].sha256, 32, hex);
		json_object_object_add(o, "size", json_object_new_int64((int64_t)files[i].size));
		json_object_object_add(o, "sha256", json_object_new_string(hex));
		json_object_object_add(out, name, o);
	}
}

static const char *base(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

/* {TEE: {path, size, sha256[, built]}} for each TEE measured; null when none. */
static json_object *firmware_obj(const struct build *b)
{
	const struct recipe_measurement *m = &b->recipe->measurement;
	json_object *all = m->ntee ? json_object_new_object() : NULL;

	for (size_t i = 0; i < m->ntee; i++) {
		const char *path = build_firmware_for(b, m->tee[i]);
		json_object *fw = path ? file_obj(path) : NULL;
		if (!path)
			continue;
		if (!fw)
			fw = json_object_new_object();
		json_object_object_add(fw, "path", json_object_new_string(path));
		if (strcmp(m->tee[i], "snp") == 0 && b->snp_firmware_built[0])
			json_object_object_add(fw, "built",
			                       json_object_new_string(b->snp_firmware_built));
		json_object_object_add(all, m->tee[i], fw);
	}
	return all;
}

static json_object *measurement_obj(const struct build *b)
{
	const struct recipe *rc = b->recipe;
	json_object *m = json_object_new_object(), *tee = json_object_new_array(),
	            *vc = json_object_new_array();

	for (size_t i = 0; i < rc->measurement.ntee; i++)
		json_object_array_add(tee, json_object_new_string(rc->measurement.tee[i]));
	for (size_t i = 0; i < rc->measurement.nvcpus; i++)
		json_object_array_add(vc, json_object_new_int((int)rc->measurement.vcpus[i]));
	json_object_object_add(m, "tee", tee);
	json_object_object_add(m, "vcpus", vc);
	json_object_object_add(m, "vcpu_type",
	                       rc->measurement.vcpu_type
	                               ? json_object_new_string(rc->measurement.vcpu_type)
	                               : NULL);
	json_object_object_add(m, "memory_mib",
	                       rc->measurement.memory_mib
	                               ? json_object_new_int((int)rc->measurement.memory_mib)
	                               : NULL);
	json_object_object_add(m, "firmware", firmware_obj(b));
	return m;
}

int build_manifest(struct build *b, const char *path)
{
	const struct recipe *rc = b->recipe;
	json_object *doc = json_object_new_object(), *in = json_object_new_object();
	json_object *vars = json_object_new_object(), *pk = json_object_new_array();
	json_object *out = json_object_new_object(), *f;
	char name[PATH_MAX], root[2 * VERITY_MAX_DIGEST_SIZE + 1];
	int r = 0;

	json_object_object_add(doc, "name", json_object_new_string(rc->name));
	json_object_object_add(in, "recipe", json_object_new_string(base(rc->file)));
	if ((f = file_obj(rc->file)))
		json_object_object_add(in, "recipe_sha256",
		                       json_object_get(json_object_object_get(f, "sha256")));
	json_object_put(f);
	if ((f = file_obj(b->lock_path)))
		json_object_object_add(in, "lock_sha256",
		                       json_object_get(json_object_object_get(f, "sha256")));
	json_object_put(f);
	json_object_object_add(in, "source_date_epoch", json_object_new_int64((int64_t)b->epoch));
	/* Variables name host paths (the agent binary): their values say which file was used. */
	for (size_t i = 0; i < rc->nvars; i++)
		json_object_object_add(vars, rc->vars[i].name,
		                       json_object_new_string(rc->vars[i].value));
	json_object_object_add(in, "variables", vars);
	for (size_t i = 0; i < b->lock->n; i++) {
		const struct lock_entry *e = &b->lock->pkgs[i];
		json_object *p = json_object_new_object();
		json_object_object_add(p, "name", json_object_new_string(e->name));
		json_object_object_add(p, "version", json_object_new_string(e->version));
		json_object_object_add(p, "architecture", json_object_new_string(e->arch));
		json_object_object_add(p, "sha256", json_object_new_string(e->sha256));
		json_object_array_add(pk, p);
	}
	json_object_object_add(in, "packages", pk);
	/* gpu.rims: each RIM file by name and sha256, as the lock pins it. */
	if (b->gpu_rims.n) {
		json_object *rims = json_object_new_array();
		for (size_t i = 0; i < b->gpu_rims.n; i++) {
			const struct gpu_golden_rim *rim = &b->gpu_rims.rims[i];
			const char *slash = strrchr(b->gpu_rim_paths[i], '/');
			json_object *p = json_object_new_object();
			json_object_object_add(
			        p, "name",
			        json_object_new_string(slash ? slash + 1 : b->gpu_rim_paths[i]));
			json_object_object_add(p, "sha256", json_object_new_string(rim->sha256));
			json_object_array_add(rims, p);
		}
		json_object_object_add(in, "gpu_rims", rims);
	}
	json_object_object_add(in, "kernel_version",
	                       b->kver[0] ? json_object_new_string(b->kver) : NULL);
	if (b->kernel_built[0])
		json_object_object_add(in, "kernel_built", json_object_new_string(b->kernel_built));
	json_object_object_add(in, "erofs_utils", image_tool_json(&b->image.mkfs));
	json_object_object_add(doc, "inputs", in);

	add_image_files(b, out);
	snprintf(name, sizeof(name), "%s/%s.spdx.json", b->out_dir, rc->name);
	if ((f = file_obj(name)))
		json_object_object_add(out, base(name), f);
	static const char *const plain[] = {"initramfs.cpio", "vmlinuz",           "config",
	                                    "cmdline.txt",    "verity_params.txt", NULL};
	for (const char *const *s = plain; *s; s++) {
		snprintf(name, sizeof(name), "%s/%s", b->out_dir, *s);
		if ((f = file_obj(name)))
			json_object_object_add(out, *s, f);
	}
	json_object_object_add(doc, "outputs", out);
	hex_encode(b->image.verity.root_hash, b->image.verity.root_hash_size, root);
	json_object_object_add(doc, "root_hash", json_object_new_string(root));
	json_object_object_add(doc, "verity_params", json_object_new_string(b->image.kata_line));
	json_object_object_add(doc, "cmdline", json_object_new_string(b->cmdline));
	json_object_object_add(doc, "closure_added", json_object_new_int((int)b->closure_added));
	json_object_object_add(doc, "ld_so_cache", json_object_new_boolean(b->ld_cache));
	json_object_object_add(doc, "measurement", measurement_obj(b));

	FILE *fp = fopen(path, "we");
	if (!fp) {
		r = -errno;
		json_object_put(doc);
	} else {
		r = jsondoc_print(fp, doc, JSONDOC_PRETTY);
		if (fclose(fp) != 0 && r == 0)
			r = -errno;
	}
	if (r < 0)
		snprintf(b->why, sizeof(b->why), "writing %s: %s", path, strerror(-r));
	return r;
}
