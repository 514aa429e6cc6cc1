/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The last step of `ccimage build`: what a Kata host needs to run the image
 * and what a verifier needs to check it (measurement/README.md, 15).
 * kata-NAME.toml is a drop-in for Kata's config.d/ naming the image's files
 * where the user installs them (--kata-prefix); reference-values.json lists
 * every value the build computed with the inputs it came from, read back
 * from the files the earlier steps wrote, so it cannot disagree with them.
 * Before the measurements, with a Kata configuration (--kata-config), the
 * command line to measure becomes the one Kata's runtime passes for it with
 * the drop-in in place (kata-cmdline.txt).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "init/base/fileio.h"
#include "init/base/verity_params.h"
#include "init/base/why.h"
#include "measurement/gpu_rv.h"
#include "measurement/kata/cmdline.h"
#include "measurement/kata/dropin.h"
#include "measurement/launch.h"
#include "rootfs/pipeline/build.h"
#include "rootfs/pipeline/build_gpu.h"
#include "rootfs/lib/digest.h"
#include "rootfs/lib/fsutil.h"
#include "rootfs/lib/jsondoc.h"

/* Where Kata's packages put their guest kernels and images. */
#define KATA_DEFAULT_PREFIX "/opt/kata/share/kata-containers"

static bool has_initramfs(const struct build *b)
{
	char path[PATH_MAX];
	return path_join(path, sizeof(path), b->out_dir, "initramfs.cpio") == 0 &&
	       access(path, F_OK) == 0;
}

/*
 * A Kata configuration is for one TEE and names one firmware: kata-NAME.toml
 * names the first TEE's (none when the recipe measures nothing), and each
 * further TEE gets kata-NAME-TEE.toml with its own.
 */
static int write_dropin(struct build *b, const char *tee, const char *file)
{
	const char *prefix = b->kata_prefix ? b->kata_prefix : KATA_DEFAULT_PREFIX;
	char kernel[PATH_MAX], root[PATH_MAX], image[NAME_MAX + 8], path[PATH_MAX];
	char *toml = NULL, *text = NULL;
	bool initrd = has_initramfs(b);

	snprintf(image, sizeof(image), "%s.img", b->recipe->name);
	if (path_join(kernel, sizeof(kernel), prefix, "vmlinuz") < 0 ||
	    path_join(root, sizeof(root), prefix, initrd ? "initramfs.cpio" : image) < 0)
		return why_set(b->why, sizeof(b->why), -ENAMETOOLONG, "--kata-prefix %s: too long",
		               prefix);
	struct kata_dropin d = {
	        .kernel = kernel,
	        .image = initrd ? NULL : root,
	        .initrd = initrd ? root : NULL,
	        .kernel_params = b->cmdline,
	        .kernel_verity_params = b->image.kata_line,
	        .firmware = tee ? build_firmware_for(b, tee) : NULL,
	};
	int r = kata_dropin_format(&d, &toml, b->why, sizeof(b->why));
	if (r < 0)
		return r;
	/*
	 * The recipe's name is a plain name ([A-Za-z0-9.+_:~-]): it cannot end the
	 * comment early. The prefix could, so it appears only in the TOML strings.
	 */
	if (asprintf(&text,
	             "# Kata drop-in for image %s, written by ccimage build: copy it into the\n"
	             "# config.d/ directory beside Kata's configuration, and the files it names\n"
	             "# to where it names them.%s%s%s\n%s",
	             b->recipe->name, tee ? " Its firmware is the one measured for " : "",
	             tee ? tee : "", tee ? "." : "", toml) < 0) {
		free(toml);
		return -ENOMEM;
	}
	free(toml);
	if (path_join(path, sizeof(path), b->out_dir, file) < 0)
		r = -ENAMETOOLONG;
	else
		r = write_string_file(path, text, 0);
	free(text);
	if (r < 0)
		why_set(b->why, sizeof(b->why), r, "writing %s: %s", path, strerror(-r));
	return r;
}

/* {"NAME": "SHA256"} for one input file, named by its file name. */
static int add_file(json_object *files, const char *path)
{
	char hex[65];
	const char *slash = strrchr(path, '/');
	int r = digest_file_hex(path, hex);
	if (r == 0)
		json_object_object_add(files, slash ? slash + 1 : path,
		                       json_object_new_string(hex));
	return r;
}

/* One computation: what it is, the values it gave, and what it took in. */
static json_object *entry(const char *kind, json_object *values, json_object *from)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "kind", json_object_new_string(kind));
	json_object_object_add(o, "values", values);
	json_object_object_add(o, "from", from);
	return o;
}

static json_object *one_value(const char *name, const char *v)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, name, json_object_new_string(v));
	return o;
}

static int root_hash_entry(struct build *b, json_object *entries)
{
	char root[2 * VERITY_MAX_DIGEST_SIZE + 1], erofs[NAME_MAX + 8], hex[65];
	json_object *from = json_object_new_object(), *files = json_object_new_object();

	hex_encode(b->image.verity.root_hash, b->image.verity.root_hash_size, root);
	snprintf(erofs, sizeof(erofs), "%s.erofs", b->recipe->name);
	/* The digest the image step took as it wrote the file: a gigabyte is not read again. */
	hex_encode(b->image.erofs_sha256, sizeof(b->image.erofs_sha256), hex);
	json_object_object_add(files, erofs, json_object_new_string(hex));
	json_object_object_add(from, "files", files);
	json_object_object_add(from, "verity_params", json_object_new_string(b->image.kata_line));
	json_object_array_add(entries, entry("verity", one_value("root_hash", root), from));
	return 0;
}

/* {"NAME": "SHA256"} for an input build_measure hashed as it measured it. */
static void add_digest(json_object *files, const char *path, const uint8_t sha256[32])
{
	const char *slash = strrchr(path, '/');
	json_object_object_add(files, slash ? slash + 1 : path, jsondoc_hex(sha256, 32));
}

/* What one launch measurement of build_measure took in. */
static json_object *launch_inputs(struct build *b, const struct build_launch *l)
{
	json_object *from = json_object_new_object(), *files = json_object_new_object();
	const struct recipe_measurement *m = &b->recipe->measurement;
	const char *firmware = build_firmware_for(b, l->tee->name);

	json_object_object_add(from, "files", files);
	json_object_object_add(from, "firmware", json_object_new_string(firmware));
	if (l->tee->id == TEE_SNP && b->snp_firmware_built[0])
		json_object_object_add(from, "firmware_built",
		                       json_object_new_string(b->snp_firmware_built));
	if (b->kernel_built[0])
		json_object_object_add(from, "kernel_built",
		                       json_object_new_string(b->kernel_built));
	add_digest(files, firmware, l->sha256[0]);
	add_digest(files, "vmlinuz", l->sha256[1]);
	add_digest(files, "initramfs.cpio", l->sha256[2]);
	json_object_object_add(from, "cmdline", json_object_new_string(b->launch_cmdline));
	if (l->tee->per_vcpu) {
		json_object_object_add(from, "vcpus", json_object_new_int((int)l->vcpus));
		json_object_object_add(from, "vcpu_type", json_object_new_string(m->vcpu_type));
	} else {
		unsigned mib = m->memory_mib ? m->memory_mib : LAUNCH_MEMORY_MIB_DEFAULT;
		json_object_object_add(from, "memory_mib", json_object_new_int((int)mib));
	}
	return from;
}

/* The values build_measure wrote to measurement-<report>.json, with what they came from. */
static void launch_entry(struct build *b, const struct build_launch *l, json_object *entries)
{
	char rvps[64];
	json_object *e = entry(l->tee->name, json_object_get(l->values), launch_inputs(b, l));

	snprintf(rvps, sizeof(rvps), "rvps-%s.json", l->report);
	json_object_object_add(e, "rvps", json_object_new_string(rvps));
	json_object_array_add(entries, e);
}

static int gpu_entry(struct build *b, json_object *entries)
{
	char driver[64];
	int r = 0;

	/* The RIMs the golden table in the root was made from. */
	if (b->gpu_rims.n) {
		json_object *v, *f;
		if ((r = build_gpu_rims_values(b, &v, &f)) < 0)
			return r;
		json_object_array_add(entries, entry("gpu-rims", v, f));
	}
	r = gpu_driver_from_lock(b->lock, b->lock_path, driver, sizeof(driver), b->why,
	                         sizeof(b->why));
	if (r < 0 || !driver[0])
		return r;
	json_object *from = json_object_new_object(), *files = json_object_new_object();
	json_object_object_add(from, "files", files);
	json_object_array_add(entries,
	                      entry("gpu", one_value("allowed_driver_versions", driver), from));
	r = add_file(files, b->lock_path);
	/* An image with a driver attests its GPUs: what ccinit then logs for TDX's RTMR3. */
	json_object *values = NULL;
	if (r == 0 && (r = build_gpu_aael(b, &values, &from)) == 0)
		json_object_array_add(entries, entry("gpu-aael", values, from));
	return r;
}

static int write_reference_values(struct build *b)
{
	json_object *doc = json_object_new_object(), *entries = json_object_new_array();
	char path[PATH_MAX];
	int r;

	json_object_object_add(doc, "image", json_object_new_string(b->recipe->name));
	json_object_object_add(doc, "entries", entries);
	r = root_hash_entry(b, entries);
	for (size_t i = 0; i < b->nlaunches; i++)
		launch_entry(b, &b->launches[i], entries);
	if (r == 0)
		r = gpu_entry(b, entries);
	if (r == 0 && path_join(path, sizeof(path), b->out_dir, "reference-values.json") < 0)
		r = -ENAMETOOLONG;
	FILE *f = r == 0 ? fopen(path, "we") : NULL;
	if (r == 0 && !f)
		r = -errno;
	if (f) {
		r = jsondoc_print(f, doc, JSONDOC_PRETTY);
		doc = NULL;
		if (fclose(f) != 0 && r == 0)
			r = -errno;
		if (r < 0)
			why_set(b->why, sizeof(b->why), r, "writing %s: %s", path, strerror(-r));
	}
	json_object_put(doc);
	return r;
}

static int write_dropins(struct build *b)
{
	const struct recipe_measurement *m = &b->recipe->measurement;
	char file[NAME_MAX + 1];
	int r;

	snprintf(file, sizeof(file), "kata-%s.toml", b->recipe->name);
	r = write_dropin(b, m->ntee ? m->tee[0] : NULL, file);
	for (size_t i = 1; i < m->ntee && r == 0; i++) {
		snprintf(file, sizeof(file), "kata-%s-%s.toml", b->recipe->name, m->tee[i]);
		r = write_dropin(b, m->tee[i], file);
	}
	return r;
}

int build_kata(struct build *b)
{
	/* Without the recipe's kernel there is nothing of this build for Kata to boot. */
	int r = b->kver[0] ? write_dropins(b) : 0;
	return r < 0 ? r : write_reference_values(b);
}

int build_kata_config(struct build *b)
{
	return b->kata_config
	               ? kata_toml_open(&b->kata_toml, b->kata_config, b->why, sizeof(b->why))
	               : 0;
}

int build_kata_cmdline(struct build *b)
{
	struct kata_cmdline_opts o = {
	        .runtime = (enum kata_runtime)b->kata_runtime,
	        .boot = has_initramfs(b) ? KATA_BOOT_INITRD : KATA_BOOT_IMAGE,
	        .verity_params = b->image.kata_line,
	        .kernel_params = b->cmdline,
	};
	char *line = NULL, path[PATH_MAX];
	int r = 0;

	snprintf(b->launch_cmdline, sizeof(b->launch_cmdline), "%s", b->cmdline);
	if (!b->kata_toml)
		return 0;
	r = kata_cmdline(b->kata_toml, &o, &line, b->why, sizeof(b->why));
	/* Only the configuration's kernel_params make it this long: bad input (exit 3). */
	if (r == 0 && strlen(line) >= sizeof(b->launch_cmdline))
		r = why_set(b->why, sizeof(b->why), -EINVAL,
		            "%s: Kata's command line is over %zu bytes", b->kata_config,
		            sizeof(b->launch_cmdline) - 1);
	if (r == 0) {
		snprintf(b->launch_cmdline, sizeof(b->launch_cmdline), "%s", line);
		if (path_join(path, sizeof(path), b->out_dir, "kata-cmdline.txt") < 0)
			r = -ENAMETOOLONG;
		else if ((r = write_string_file(path, line, WRITE_NEWLINE)) < 0)
			why_set(b->why, sizeof(b->why), r, "writing %s: %s", path, strerror(-r));
	}
	free(line);
	return r;
}
