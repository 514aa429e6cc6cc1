/* SPDX-License-Identifier: Apache-2.0 */
/*
 * image.json: every output with its size and SHA-256, and every input that
 * decides its bytes (name, seed, epoch, mkfs flags and erofs-utils version,
 * verity parameters), so a verifier can rebuild and compare. Keys are written
 * in a fixed order; no timestamps of the build itself go in.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "init/base/hex.h"
#include "init/base/verity_params.h"
#include "rootfs/image/image.h"
#include "rootfs/lib/jsondoc.h"

/* {"file": NAME+suffix, "size": ..., "sha256": ...}, the start of each output's section. */
static json_object *output(const struct image_opts *o, const char *suffix, uint64_t size,
                           const uint8_t sha[32])
{
	json_object *f = json_object_new_object();
	char name[4096];

	snprintf(name, sizeof(name), "%s%s", o->name, suffix);
	json_object_object_add(f, "file", jsondoc_text(name));
	json_object_object_add(f, "size", json_object_new_uint64(size));
	json_object_object_add(f, "sha256", jsondoc_hex(sha, 32));
	return f;
}

static void add_string(json_object *o, const char *key, const char *value)
{
	json_object_object_add(o, key, jsondoc_text(value));
}

static void add_u64(json_object *o, const char *key, uint64_t value)
{
	json_object_object_add(o, key, json_object_new_uint64(value));
}

json_object *image_tool_json(const struct erofs_tool *t)
{
	json_object *o = json_object_new_object();

	add_string(o, "version", t->version);
	json_object_object_add(o, "multithreaded", json_object_new_boolean(t->workers));
	return o;
}

static json_object *erofs_section(const struct image_opts *o, const struct image_result *r)
{
	json_object *e = output(o, ".erofs", r->erofs_size, r->erofs_sha256);
	char uuid[37], flags[128];

	uuid_to_text(r->erofs_uuid, uuid);
	snprintf(flags, sizeof(flags), "-E noinline_data -T %llu -U %s --all-root",
	         (unsigned long long)o->source_date_epoch, uuid);
	add_string(e, "uuid", uuid);
	add_string(e, "compression",
	           o->compress && strcmp(o->compress, "none") ? o->compress : "none");
	add_string(e, "mkfs_flags", flags);
	json_object_object_add(e, "erofs_utils", image_tool_json(&r->mkfs));
	return e;
}

static json_object *verity_section(const struct image_opts *o, const struct image_result *r)
{
	const struct verity_geometry *g = &r->verity.geo;
	json_object *v = output(o, ".verity", r->verity_size, r->verity_sha256);

	json_object_object_add(v, "format", json_object_new_int(1));
	add_string(v, "hash", "sha256");
	json_object_object_add(v, "superblock", json_object_new_boolean(false));
	add_u64(v, "data_block_size", g->data_block_size);
	add_u64(v, "hash_block_size", g->hash_block_size);
	add_u64(v, "data_blocks", g->data_blocks);
	add_u64(v, "hash_blocks", g->hash_blocks);
	json_object_object_add(v, "salt", jsondoc_hex(r->salt, sizeof(r->salt)));
	json_object_object_add(v, "root_hash",
	                       jsondoc_hex(r->verity.root_hash, r->verity.root_hash_size));
	return v;
}

static json_object *partition(unsigned number, uint64_t start, uint64_t sectors, bool bootable,
                              const char *content)
{
	json_object *p = json_object_new_object();

	add_u64(p, "number", number);
	add_u64(p, "start_lba", start);
	add_u64(p, "sectors", sectors);
	json_object_object_add(p, "bootable", json_object_new_boolean(bootable));
	add_string(p, "content", content);
	return p;
}

static json_object *disk_section(const struct image_opts *o, const struct image_result *r)
{
	json_object *d = output(o, ".img", r->disk.size, r->disk_sha256);
	json_object *parts = json_object_new_array();
	char signature[16];

	snprintf(signature, sizeof(signature), "0x%08x", r->disk.signature);
	add_string(d, "label", "msdos");
	add_string(d, "signature", signature);
	json_object_array_add(parts,
	                      partition(1, r->disk.p1_start, r->disk.p1_sectors, true, "erofs"));
	json_object_array_add(parts,
	                      partition(2, r->disk.p2_start, r->disk.p2_sectors, false, "verity"));
	json_object_object_add(d, "partitions", parts);
	return d;
}

int image_write_manifest(const struct image_opts *o, const struct image_result *r, const char *path)
{
	json_object *doc = json_object_new_object();
	char tool[64];
	FILE *f;
	int ret;

	snprintf(tool, sizeof(tool), "ccimage %s", CCINIT_VERSION);
	add_string(doc, "schema", "ccimage-image/1");
	add_string(doc, "tool", tool);
	add_string(doc, "name", o->name);
	add_string(doc, "salt_seed", o->salt_seed);
	add_u64(doc, "source_date_epoch", o->source_date_epoch);
	json_object_object_add(doc, "erofs", erofs_section(o, r));
	json_object_object_add(doc, "verity", verity_section(o, r));
	json_object_object_add(doc, "disk", disk_section(o, r));
	add_string(doc, "kata_verity_params", r->kata_line);
	add_string(doc, "dm_mod_create", r->dm_mod);
	add_string(doc, "cmdline", r->cmdline);

	(void)unlink(path);
	f = fopen(path, "wxe");
	if (!f) {
		ret = -errno;
		json_object_put(doc);
		return ret;
	}
	ret = jsondoc_print(f, doc, JSONDOC_PRETTY);
	if (fclose(f) != 0 && ret == 0)
		ret = -errno;
	return ret;
}
