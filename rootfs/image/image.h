/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `ccimage image`: a staged root tree to a verity-protected erofs in Kata's
 * layout, reproducibly. Same tree, name, seed and epoch give the same bytes in
 * every output: the erofs UUID and time are fixed, owners are root (setuid
 * bits kept), the verity salt is derived from the erofs bytes and the seed,
 * the disk signature from the root hash. Nothing is random.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "measurement/verity.h"
#include "rootfs/image/disk.h"
#include "rootfs/lib/jsondoc.h"

struct image_opts {
	const char *root_dir;
	const char *out_dir;
	const char *name;      /* output file prefix and manifest name; default "root" */
	const char *salt_seed; /* mixed into the erofs UUID and the verity salt; default "" */
	uint64_t source_date_epoch;
	const char *compress;   /* mkfs.erofs -z value, or NULL/"none" for none; default "lz4" */
	const char *mkfs_erofs; /* program; default "mkfs.erofs" from PATH */
	const char
	        *data_dev; /* guest device names for dm-mod.create; default /dev/vda1, /dev/vda2 */
	const char *hash_dev;
	const char *root_dev; /* for ccinit.root=; default /dev/vda */
	unsigned threads;     /* verity hashing and mkfs.erofs workers; 0: the CPUs we may use */
	/* Called once mkfs.erofs has read root_dir: the caller may let the tree go. */
	void (*root_read)(void *arg);
	void *root_read_arg;
};

/*
 * The mkfs.erofs in use, as it says: its erofs-utils version (an input of the
 * image's bytes: another version may lay out the same tree otherwise) and
 * whether it compresses on several threads.
 */
struct erofs_tool {
	char version[32]; /* "1.5", "1.8.5"; "unknown" when it does not say */
	bool workers;     /* takes --workers: built with multithreading (erofs-utils 1.8 on) */
};

struct image_result {
	struct erofs_tool mkfs;
	uint8_t erofs_uuid[16];
	uint64_t erofs_size;
	uint8_t erofs_sha256[32];
	uint8_t salt[32];
	struct verity_result verity;
	uint64_t verity_size;
	uint8_t verity_sha256[32];
	struct disk_layout disk;
	uint8_t disk_sha256[32];
	char kata_line[512];
	char dm_mod[1024];
	char cmdline[1024];
};

/* Fills defaults. */
void image_opts_init(struct image_opts *o);

/*
 * Builds every output under o->out_dir (created if missing): NAME.erofs,
 * NAME.verity, NAME.img, verity_params.txt, dm-mod.txt, cmdline.txt,
 * image.json. On failure, why names the step. Returns 0 or a negative errno:
 * -EBADMSG for a root that cannot be an image (a device node, FIFO or socket
 * outside /dev, a name mkfs.erofs cannot take, an unreadable file; why names
 * it), -EPROTO when mkfs.erofs fails anyway.
 */
int image_build(const struct image_opts *o, struct image_result *r, char *why, size_t why_size);

/*
 * image_build() into a fresh directory beside o->out_dir that replaces it
 * only when every output is written (rootfs/lib/staged.h): a failure leaves
 * the previous output, or nothing. An existing out_dir must be empty or a
 * previous output (image.json in it).
 */
int image_build_output(const struct image_opts *o, struct image_result *r, char *why,
                       size_t why_size);

/* The erofs UUID for these inputs: SHA-256 over a domain, name, seed and epoch, as a v4 UUID. */
void image_erofs_uuid(const struct image_opts *o, uint8_t uuid[16]);
/* The verity salt: SHA-256 over a domain, the seed and the erofs image's SHA-256. */
void image_verity_salt(const struct image_opts *o, const uint8_t erofs_sha256[32],
                       uint8_t salt[32]);

/*
 * Asks mkfs_erofs what it is (-V, --help). What it does not say stays
 * "unknown" and false: a mkfs.erofs that does not work fails in the run after.
 */
void image_probe_mkfs_erofs(const char *mkfs_erofs, struct erofs_tool *t);
/*
 * Runs mkfs.erofs with reproducible flags and a scrubbed environment, with
 * --workers when tool (may be NULL) says it takes them; why gets its last message.
 */
int image_run_mkfs_erofs(const struct image_opts *o, const struct erofs_tool *tool,
                         const uint8_t uuid[16], const char *out, char *why, size_t why_size);

/* {"version": ..., "multithreaded": ...}: the erofs-utils in image.json and build.json. */
json_object *image_tool_json(const struct erofs_tool *t);

/* Writes image.json. */
int image_write_manifest(const struct image_opts *o, const struct image_result *r,
                         const char *path);
