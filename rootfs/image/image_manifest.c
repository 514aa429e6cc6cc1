/* SPDX-License-Identifier: Apache-2.0 */
/*
 * image.json: every output with its size and SHA-256, and every input that
 * decides its bytes (name, seed, epoch, mkfs flags, verity parameters), so a
 * verifier can rebuild and compare. Keys are written in a fixed order; no
 * timestamps of the build itself go in.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "init/base/json.h"
#include "init/base/verity_params.h"
#include "init/base/hex.h"
#include "rootfs/image/image.h"

static void json_hex(FILE *f, const uint8_t *b, size_t n)
{
	char hex[2 * VERITY_MAX_SALT + 1];

	hex_encode(b, n, hex);
	fprintf(f, "\"%s\"", hex);
}

static void file_entry(FILE *f, const struct image_opts *o, const char *suffix, uint64_t size,
                       const uint8_t sha[32])
{
	char name[4096];

	snprintf(name, sizeof(name), "%s%s", o->name, suffix);
	fprintf(f, "    \"file\": ");
	json_write_string(f, name);
	fprintf(f, ",\n    \"size\": %llu,\n    \"sha256\": ", (unsigned long long)size);
	json_hex(f, sha, 32);
	fprintf(f, ",\n");
}

int image_write_manifest(const struct image_opts *o, const struct image_result *r, const char *path)
{
	const struct verity_geometry *g = &r->verity.geo;
	char uuid[37];
	FILE *f;
	int ret = 0;

	(void)unlink(path);
	f = fopen(path, "wxe");
	if (!f)
		return -errno;
	fprintf(f,
	        "{\n  \"schema\": \"ccimage-image/1\",\n  \"tool\": \"ccimage %s\",\n  \"name\": ",
	        CCINIT_VERSION);
	json_write_string(f, o->name);
	fprintf(f, ",\n  \"salt_seed\": ");
	json_write_string(f, o->salt_seed);
	fprintf(f, ",\n  \"source_date_epoch\": %llu,\n", (unsigned long long)o->source_date_epoch);

	uuid_to_text(r->erofs_uuid, uuid);
	fprintf(f, "  \"erofs\": {\n");
	file_entry(f, o, ".erofs", r->erofs_size, r->erofs_sha256);
	fprintf(f, "    \"uuid\": \"%s\",\n    \"compression\": ", uuid);
	json_write_string(f, o->compress && strcmp(o->compress, "none") ? o->compress : "none");
	fprintf(f, ",\n    \"mkfs_flags\": \"-E noinline_data -T %llu -U %s --all-root\"\n  },\n",
	        (unsigned long long)o->source_date_epoch, uuid);

	fprintf(f, "  \"verity\": {\n");
	file_entry(f, o, ".verity", r->verity_size, r->verity_sha256);
	fprintf(f,
	        "    \"format\": 1,\n    \"hash\": \"sha256\",\n    \"superblock\": false,\n"
	        "    \"data_block_size\": %u,\n    \"hash_block_size\": %u,\n"
	        "    \"data_blocks\": %llu,\n    \"hash_blocks\": %llu,\n    \"salt\": ",
	        g->data_block_size, g->hash_block_size, (unsigned long long)g->data_blocks,
	        (unsigned long long)g->hash_blocks);
	json_hex(f, r->salt, sizeof(r->salt));
	fprintf(f, ",\n    \"root_hash\": ");
	json_hex(f, r->verity.root_hash, r->verity.root_hash_size);
	fprintf(f, "\n  },\n");

	fprintf(f, "  \"disk\": {\n");
	file_entry(f, o, ".img", r->disk.size, r->disk_sha256);
	fprintf(f,
	        "    \"label\": \"msdos\",\n    \"signature\": \"0x%08x\",\n"
	        "    \"partitions\": [\n"
	        "      {\"number\": 1, \"start_lba\": %llu, \"sectors\": %llu, \"bootable\": true, "
	        "\"content\": \"erofs\"},\n"
	        "      {\"number\": 2, \"start_lba\": %llu, \"sectors\": %llu, \"bootable\": "
	        "false, "
	        "\"content\": \"verity\"}\n    ]\n  },\n",
	        r->disk.signature, (unsigned long long)r->disk.p1_start,
	        (unsigned long long)r->disk.p1_sectors, (unsigned long long)r->disk.p2_start,
	        (unsigned long long)r->disk.p2_sectors);

	fprintf(f, "  \"kata_verity_params\": ");
	json_write_string(f, r->kata_line);
	fprintf(f, ",\n  \"dm_mod_create\": ");
	json_write_string(f, r->dm_mod);
	fprintf(f, ",\n  \"cmdline\": ");
	json_write_string(f, r->cmdline);
	fprintf(f, "\n}\n");
	if (ferror(f))
		ret = -EIO;
	if (fclose(f) != 0 && ret == 0)
		ret = -errno;
	return ret;
}
