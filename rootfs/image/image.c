/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The image pipeline: erofs -> salt -> verity tree -> Kata disk -> the
 * parameter lines -> manifest. Each output is written whole from inputs that
 * are all named in the manifest, so building twice gives the same bytes.
 */
#include "rootfs/image/image.h"

#include "init/base/fileio.h"
#include "rootfs/lib/digest.h"
#include "rootfs/lib/fsutil.h"
#include "rootfs/lib/staged.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "init/base/verity_params.h"
#include "init/base/verity_table.h"

#define UUID_DOMAIN "ccimage erofs uuid v1"
#define SALT_DOMAIN "ccimage image verity salt v1"

void image_opts_init(struct image_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->name = "root";
	o->salt_seed = "";
	o->compress = "lz4";
	o->mkfs_erofs = "mkfs.erofs";
	o->data_dev = "/dev/vda1";
	o->hash_dev = "/dev/vda2";
	o->root_dev = "/dev/vda";
}

/* Each field with its length in front, so ("ab","c") and ("a","bc") hash apart. */
static void update_field(EVP_MD_CTX *c, const void *p, size_t n)
{
	uint8_t len[8];

	for (int i = 0; i < 8; i++)
		len[i] = (uint8_t)((uint64_t)n >> (8 * i));
	EVP_DigestUpdate(c, len, sizeof(len));
	EVP_DigestUpdate(c, p, n);
}

void image_erofs_uuid(const struct image_opts *o, uint8_t uuid[16])
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	uint8_t md[32];
	char epoch[24];

	snprintf(epoch, sizeof(epoch), "%llu", (unsigned long long)o->source_date_epoch);
	EVP_DigestInit_ex(c, EVP_sha256(), NULL);
	update_field(c, UUID_DOMAIN, strlen(UUID_DOMAIN));
	update_field(c, o->name, strlen(o->name));
	update_field(c, o->salt_seed, strlen(o->salt_seed));
	update_field(c, epoch, strlen(epoch));
	EVP_DigestFinal_ex(c, md, NULL);
	EVP_MD_CTX_free(c);
	memcpy(uuid, md, 16);
	uuid[6] = (uint8_t)((uuid[6] & 0x0f) | 0x40);
	uuid[8] = (uint8_t)((uuid[8] & 0x3f) | 0x80);
}

void image_verity_salt(const struct image_opts *o, const uint8_t erofs_sha256[32], uint8_t salt[32])
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();

	EVP_DigestInit_ex(c, EVP_sha256(), NULL);
	update_field(c, SALT_DOMAIN, strlen(SALT_DOMAIN));
	update_field(c, o->salt_seed, strlen(o->salt_seed));
	update_field(c, erofs_sha256, 32);
	EVP_DigestFinal_ex(c, salt, NULL);
	EVP_MD_CTX_free(c);
}

static int failf(char *why, size_t size, int r, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));
static int failf(char *why, size_t size, int r, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(why, size, fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n < size)
		snprintf(why + n, size - (size_t)n, ": %s", strerror(-r));
	return r;
}

static void out_path(char *buf, size_t size, const struct image_opts *o, const char *suffix)
{
	snprintf(buf, size, "%s/%s%s", o->out_dir, o->name, suffix);
}

/* The lines a guest needs: Kata's parameters, the dm-init table, ccinit's knobs. */
static int make_lines(const struct image_opts *o, struct image_result *r)
{
	struct verity_params p = {0};
	struct dm_create dm;
	const struct verity_geometry *g = &r->verity.geo;
	char table[sizeof(r->dm_mod)];
	int n;

	memcpy(p.root_hash, r->verity.root_hash, r->verity.root_hash_size);
	p.root_hash_size = r->verity.root_hash_size;
	memcpy(p.salt, r->salt, sizeof(r->salt));
	p.salt_size = sizeof(r->salt);
	p.data_blocks = g->data_blocks;
	p.data_block_size = g->data_block_size;
	p.hash_block_size = g->hash_block_size;
	strcpy(p.hash_name, "sha256");
	if (verity_params_format(&p, r->kata_line, sizeof(r->kata_line)) < 0)
		return -ENOSPC;
	/* rootfs/README.md, 2: what Kata's shim puts on the command line for a verity root. */
	dm_create_from_params(&dm, &p, o->data_dev, o->hash_dev);
	if (dm_create_format(&dm, table, sizeof(table)) < 0)
		return -ENOSPC;
	n = snprintf(r->dm_mod, sizeof(r->dm_mod),
	             "dm-mod.create=%s root=/dev/dm-0 rootflags=ro rootfstype=erofs", table);
	if (n < 0 || (size_t)n >= sizeof(r->dm_mod))
		return -ENOSPC;
	n = snprintf(r->cmdline, sizeof(r->cmdline), "ccinit.root=%s ccinit.root.verity=%s",
	             o->root_dev, r->kata_line);
	return n < 0 || (size_t)n >= sizeof(r->cmdline) ? -ENOSPC : 0;
}

/* Pads the image to whole verity data blocks: uncovered bytes would be unverified. */
static int pad_to_blocks(const char *path, uint64_t *size)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return -errno;
	*size = ((uint64_t)st.st_size + 4095) / 4096 * 4096;
	if (*size == 0)
		return -ENODATA;
	if (*size != (uint64_t)st.st_size && truncate(path, (off_t)*size) < 0)
		return -errno;
	return 0;
}

/* Whether dir is root or below it: mkfs.erofs would pack our own outputs into the image. */
static bool inside(const char *dir, const char *root)
{
	char *d = realpath(dir, NULL), *r = realpath(root, NULL);
	size_t n = r ? strlen(r) : 0;
	bool in = d && r && strncmp(d, r, n) == 0 && (d[n] == '/' || d[n] == 0 || n == 1);

	free(d);
	free(r);
	return in;
}

/* mkfs.erofs 1.5 fails, saying only "No such file or directory", on a name of 255 bytes. */
#define EROFS_NAME_MAX 254

struct root_check {
	size_t root_len;
	char *why;
	size_t why_size;
};

/*
 * What mkfs.erofs would pack without a word, or fail on without naming:
 * named here. Device nodes, FIFOs and sockets belong only under /dev (as in
 * `mkosi tree` and a recipe's tree:, which refuse them elsewhere).
 */
static int check_entry(const char *path, const struct stat *st, void *userdata)
{
	struct root_check *c = userdata;
	const char *in = path + c->root_len, *base = strrchr(in, '/');
	size_t base_len = base ? strlen(base + 1) : 0;
	int fd;

	if (base_len > EROFS_NAME_MAX) {
		snprintf(c->why, c->why_size, "root: %s: a name of %zu bytes (mkfs.erofs takes %d)",
		         in, base_len, EROFS_NAME_MAX);
		return -EBADMSG;
	}
	if (!S_ISREG(st->st_mode) && !S_ISDIR(st->st_mode) && !S_ISLNK(st->st_mode) &&
	    strncmp(in, "/dev/", 5) != 0) {
		snprintf(c->why, c->why_size,
		         "root: %s: a device node, FIFO or socket outside /dev has no place in an "
		         "image root",
		         in);
		return -EBADMSG;
	}
	if (!S_ISREG(st->st_mode))
		return 0;
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(c->why, c->why_size, "root: %s: cannot be read: %s", in, strerror(errno));
		return -EBADMSG;
	}
	close(fd);
	return 0;
}

/* The options with every NULL field a default, the root checked, the output made. */
static int prepare(const struct image_opts *opts, struct image_opts *eff, char *why,
                   size_t why_size)
{
	struct image_opts defaults;
	struct stat st;
	bool created;

	*eff = *opts;
	/* Fields a caller left NULL take the defaults (compress NULL means none). */
	image_opts_init(&defaults);
	if (!eff->root_dir || !eff->out_dir)
		return failf(why, why_size, -EINVAL, "no root tree or output directory");
	eff->name = eff->name ? eff->name : defaults.name;
	eff->salt_seed = eff->salt_seed ? eff->salt_seed : defaults.salt_seed;
	eff->mkfs_erofs = eff->mkfs_erofs ? eff->mkfs_erofs : defaults.mkfs_erofs;
	eff->data_dev = eff->data_dev ? eff->data_dev : defaults.data_dev;
	eff->hash_dev = eff->hash_dev ? eff->hash_dev : defaults.hash_dev;
	eff->root_dev = eff->root_dev ? eff->root_dev : defaults.root_dev;
	if (stat(eff->root_dir, &st) < 0 || !S_ISDIR(st.st_mode))
		return failf(why, why_size, -ENOTDIR, "root %s", eff->root_dir);
	struct root_check check = {strlen(eff->root_dir), why, why_size};
	int r = tree_walk(eff->root_dir, 0, check_entry, &check);
	if (r < 0)
		return r == -EBADMSG
		               ? r
		               : failf(why, why_size, r, "reading the root %s", eff->root_dir);
	created = mkdir(eff->out_dir, 0755) == 0;
	if (!created && errno != EEXIST)
		return failf(why, why_size, -errno, "output directory %s", eff->out_dir);
	if (inside(eff->out_dir, eff->root_dir)) {
		if (created)
			(void)rmdir(eff->out_dir);
		return failf(why, why_size, -EINVAL, "output directory %s inside the root tree %s",
		             eff->out_dir, eff->root_dir);
	}
	return 0;
}

/* verity_params.txt, dm-mod.txt, cmdline.txt and image.json in the output directory. */
static int write_texts(const struct image_opts *o, const struct image_result *res, char *why,
                       size_t why_size)
{
	static const char *const names[] = {"verity_params.txt", "dm-mod.txt", "cmdline.txt"};
	const char *const lines[] = {res->kata_line, res->dm_mod, res->cmdline};
	char txt[4096];
	int r = 0;

	for (size_t i = 0; r == 0 && i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(txt, sizeof(txt), "%s/%s", o->out_dir, names[i]);
		r = write_string_file(txt, lines[i], WRITE_NEWLINE | WRITE_REPLACE);
	}
	if (r == 0) {
		snprintf(txt, sizeof(txt), "%s/image.json", o->out_dir);
		r = image_write_manifest(o, res, txt);
	}
	return r < 0 ? failf(why, why_size, r, "writing %s", txt) : 0;
}

int image_build(const struct image_opts *opts, struct image_result *res, char *why, size_t why_size)
{
	char erofs[4096], tree[4096], disk[4096];
	struct image_opts eff;
	const struct image_opts *o = &eff;
	struct verity_opts vo;
	uint64_t tree_bytes;
	int r;

	memset(res, 0, sizeof(*res));
	if ((r = prepare(opts, &eff, why, why_size)) < 0)
		return r;
	out_path(erofs, sizeof(erofs), o, ".erofs");
	out_path(tree, sizeof(tree), o, ".verity");
	out_path(disk, sizeof(disk), o, ".img");

	image_erofs_uuid(o, res->erofs_uuid);
	image_probe_mkfs_erofs(o->mkfs_erofs, &res->mkfs);
	char said[1024] = "";
	r = image_run_mkfs_erofs(o, &res->mkfs, res->erofs_uuid, erofs, said, sizeof(said));
	if (r < 0) {
		snprintf(why, why_size, "%s %s -> %s: %s", o->mkfs_erofs, o->root_dir, erofs,
		         said[0] ? said : strerror(-r));
		return r;
	}
	if (o->root_read)
		o->root_read(o->root_read_arg);
	r = pad_to_blocks(erofs, &res->erofs_size);
	if (r == 0)
		r = digest_file(erofs, false, res->erofs_sha256, NULL, NULL);
	if (r < 0)
		return failf(why, why_size, r, "reading %s", erofs);

	image_verity_salt(o, res->erofs_sha256, res->salt);
	verity_opts_init(&vo);
	vo.superblock = false; /* Kata's scheme: the tree at offset 0 of its own device */
	vo.salt = res->salt;
	vo.salt_size = sizeof(res->salt);
	vo.threads = o->threads;
	(void)unlink(tree);
	r = verity_format(&vo, erofs, tree, &res->verity);
	if (r == 0)
		r = digest_file(tree, false, res->verity_sha256, NULL, &res->verity_size);
	if (r < 0)
		return failf(why, why_size, r, "verity tree %s", tree);

	tree_bytes = res->verity.geo.hash_end;
	r = disk_layout_compute(&res->disk, res->erofs_size, tree_bytes);
	if (r < 0)
		return failf(why, why_size, r, "disk layout for %llu bytes",
		             (unsigned long long)res->erofs_size);
	/* The signature names this image's content: the first four bytes of its root hash. */
	res->disk.signature =
	        (uint32_t)res->verity.root_hash[0] | (uint32_t)res->verity.root_hash[1] << 8 |
	        (uint32_t)res->verity.root_hash[2] << 16 | (uint32_t)res->verity.root_hash[3] << 24;
	r = disk_write(&res->disk, disk, erofs, tree);
	if (r == 0)
		r = digest_file(disk, false, res->disk_sha256, NULL, NULL);
	if (r < 0)
		return failf(why, why_size, r, "disk image %s", disk);

	r = make_lines(o, res);
	if (r < 0)
		return failf(why, why_size, r, "parameter lines");
	return write_texts(o, res, why, why_size);
}

int image_build_output(const struct image_opts *opts, struct image_result *res, char *why,
                       size_t why_size)
{
	struct staged_dir out;
	struct image_opts o = *opts;
	int r;

	if (!o.out_dir)
		return image_build(&o, res, why, why_size);
	r = staged_dir_begin(&out, opts->out_dir, "image.json", why, why_size);
	if (r < 0)
		return r == -EEXIST || r == -ENOTDIR || r == -EINVAL ? -EBADMSG : r;
	o.out_dir = out.tmp;
	r = image_build(&o, res, why, why_size);
	if (r == 0)
		r = staged_dir_commit(&out, why, why_size);
	staged_dir_abort(&out);
	return r;
}
