/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Rootfs mode: the kernel built / from dm-mod.create= before ccinit ran, so
 * ccinit checks the table the kernel holds against what the measured command
 * line says, field by field (init/README.md, 7). The launch measurement covers
 * the line; this check is for every verifier that pins less than the whole
 * line (a root hash claim, a policy on some parameters) and for a line that
 * is simply wrong.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/dm-ioctl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "init/base/log.h"
#include "init/base/why.h"
#include "init/rootfs_check.h"
#include "init/steps.h"
#include "init/core/sys.h"

#define DEV_TEXT 24 /* "4294967295:4294967295" */

/* The live table of dm device `name`: its one target's type, length and parameters. */
static int dm_table(const char *name, char *type, size_t type_size, uint64_t *sectors, char *params,
                    size_t params_size)
{
	union {
		struct dm_ioctl io;
		char bytes[16384];
	} buf;
	memset(&buf, 0, sizeof(buf));
	buf.io.version[0] = DM_VERSION_MAJOR;
	buf.io.version[1] = DM_VERSION_MINOR;
	buf.io.version[2] = DM_VERSION_PATCHLEVEL;
	buf.io.data_size = sizeof(buf);
	buf.io.data_start = sizeof(struct dm_ioctl);
	buf.io.flags = DM_STATUS_TABLE_FLAG;
	snprintf(buf.io.name, sizeof(buf.io.name), "%s", name);

	int fd = sys->open("/dev/mapper/control", O_RDWR | O_CLOEXEC, 0);
	if (fd < 0)
		return fd;
	int r = sys->ioctl(fd, DM_TABLE_STATUS, &buf);
	close(fd);
	if (r < 0)
		return r;
	if (buf.io.flags & DM_BUFFER_FULL_FLAG || buf.io.target_count != 1 ||
	    buf.io.data_start + sizeof(struct dm_target_spec) >= sizeof(buf))
		return -EINVAL; /* a verity root is exactly one target */
	const struct dm_target_spec *spec = (const void *)(buf.bytes + buf.io.data_start);
	const char *p = (const char *)(spec + 1);
	size_t max = sizeof(buf) - buf.io.data_start - sizeof(*spec);
	if (strnlen(p, max) == max || spec->sector_start != 0)
		return -EINVAL;
	snprintf(type, type_size, "%.*s", (int)sizeof(spec->target_type), spec->target_type);
	*sectors = spec->length;
	snprintf(params, params_size, "%s", p);
	return 0;
}

static int parse_dev_number(const char *s, const char **end, unsigned *ret)
{
	unsigned long v = 0;
	if (*s < '0' || *s > '9')
		return -EINVAL;
	for (; *s >= '0' && *s <= '9'; s++)
		if ((v = v * 10 + (unsigned long)(*s - '0')) > 0xffffffffUL)
			return -EINVAL;
	*end = s;
	*ret = (unsigned)v;
	return 0;
}

/*
 * A device as the kernel names it in a live table ("MAJ:MIN"), from how a
 * command line may name it: "MAJ:MIN" or a /dev path. Other forms the kernel
 * takes (PARTUUID=...) are refused: ccinit compares only what it can resolve.
 */
int rootfs_resolve_device(const char *spec, char out[DEV_TEXT], char *why, size_t why_size)
{
	unsigned maj, min;
	const char *s;
	struct stat st;
	char path[256];

	if (parse_dev_number(spec, &s, &maj) == 0 && *s == ':' &&
	    parse_dev_number(s + 1, &s, &min) == 0 && !*s) {
		snprintf(out, DEV_TEXT, "%u:%u", maj, min);
		return 0;
	}
	if (strncmp(spec, "/dev/", 5) != 0)
		return why_set(why, why_size, -EINVAL,
		               "device '%s' is neither MAJ:MIN nor a /dev path", spec);
	if (sys_path(path, sizeof(path), spec) < 0 || stat(path, &st) < 0)
		return why_set(why, why_size, -ENODEV, "device %s: %s", spec, strerror(errno));
	if (!S_ISBLK(st.st_mode))
		return why_set(why, why_size, -ENOTBLK, "%s is not a block device", spec);
	snprintf(out, DEV_TEXT, "%u:%u", major(st.st_rdev), minor(st.st_rdev));
	return 0;
}

/* Field names as the kernel's verity.rst writes them, and Kata's for the same values. */
static int differ(const char *field, const char *live, const char *want, const char *source,
                  char *why, size_t why_size)
{
	if (strcmp(live, want) == 0)
		return 0;
	return why_set(why, why_size, -EKEYREJECTED, "/ has %s %s, %s says %s", field, live, source,
	               want);
}

static int differ_u64(const char *field, uint64_t live, uint64_t want, const char *source,
                      char *why, size_t why_size)
{
	char a[24], b[24];
	snprintf(a, sizeof(a), "%llu", (unsigned long long)live);
	snprintf(b, sizeof(b), "%llu", (unsigned long long)want);
	return differ(field, a, b, source, why, why_size);
}

static int differ_hex(const char *field, const uint8_t *live, size_t live_size, const uint8_t *want,
                      size_t want_size, const char *source, char *why, size_t why_size)
{
	char a[2 * VERITY_MAX_SALT + 1] = "-", b[2 * VERITY_MAX_SALT + 1] = "-";
	if (live_size)
		hex_encode(live, live_size, a);
	if (want_size)
		hex_encode(want, want_size, b);
	return differ(field, a, b, source, why, why_size);
}

static const char *mode_text(enum verity_mode m)
{
	static const char *const names[] = {"eio (the default)", "ignore_corruption", "restart",
	                                    "panic"};
	return names[m];
}

/* What Kata's one-line parameters name: root hash, salt, sizes, algorithm. */
static int compare_kata(const struct verity_table *live, const struct verity_params *p, char *why,
                        size_t why_size)
{
	static const char src[] = "ccinit.root.verity";
	int r;
	if ((r = differ_hex("root hash", live->root_digest, live->root_digest_size, p->root_hash,
	                    p->root_hash_size, src, why, why_size)) < 0 ||
	    (r = differ_hex("salt", live->salt, live->salt_size, p->salt, p->salt_size, src, why,
	                    why_size)) < 0 ||
	    (r = differ_u64("data_blocks", live->data_blocks, p->data_blocks, src, why, why_size)) <
	            0 ||
	    (r = differ_u64("data_block_size", live->data_block_size, p->data_block_size, src, why,
	                    why_size)) < 0 ||
	    (r = differ_u64("hash_block_size", live->hash_block_size, p->hash_block_size, src, why,
	                    why_size)) < 0)
		return r;
	return differ("algorithm", live->algorithm, p->hash_name, src, why, why_size);
}

static int compare_device(const char *field, const char *live, const char *spec, char *why,
                          size_t why_size)
{
	char dev[DEV_TEXT];
	if (!live[0] && !spec[0])
		return 0;
	if (!spec[0])
		return differ(field, live, "none", "dm-mod.create=", why, why_size);
	int r = rootfs_resolve_device(spec, dev, why, why_size);
	if (r < 0)
		return r;
	return differ(field, live[0] ? live : "none", dev, "dm-mod.create=", why, why_size);
}

/* The ten fields of the measured table, the root hash first: it says which root this is. */
static int compare_fields(const struct verity_table *live, const struct verity_table *want,
                          char *why, size_t why_size)
{
	static const char src[] = "dm-mod.create=";
	int r;
	if ((r = differ_hex("root hash", live->root_digest, live->root_digest_size,
	                    want->root_digest, want->root_digest_size, src, why, why_size)) < 0 ||
	    (r = differ_u64("version", live->version, want->version, src, why, why_size)) < 0 ||
	    (r = compare_device("data_dev", live->data_dev, want->data_dev, why, why_size)) < 0 ||
	    (r = compare_device("hash_dev", live->hash_dev, want->hash_dev, why, why_size)) < 0 ||
	    (r = differ_u64("data_block_size", live->data_block_size, want->data_block_size, src,
	                    why, why_size)) < 0 ||
	    (r = differ_u64("hash_block_size", live->hash_block_size, want->hash_block_size, src,
	                    why, why_size)) < 0 ||
	    (r = differ_u64("data_blocks", live->data_blocks, want->data_blocks, src, why,
	                    why_size)) < 0 ||
	    (r = differ_u64("hash_start", live->hash_start, want->hash_start, src, why, why_size)) <
	            0 ||
	    (r = differ("algorithm", live->algorithm, want->algorithm, src, why, why_size)) < 0)
		return r;
	return differ_hex("salt", live->salt, live->salt_size, want->salt, want->salt_size, src,
	                  why, why_size);
}

/* The optional parameters that do not weaken the check must be the ones the line names. */
static int compare_options(const struct verity_table *live, const struct verity_table *want,
                           char *why, size_t why_size)
{
	static const char src[] = "dm-mod.create=";
	int r;
	if ((r = differ("on corruption", mode_text(live->on_corruption),
	                mode_text(want->on_corruption), src, why, why_size)) < 0 ||
	    (r = differ("on error", mode_text(live->on_error), mode_text(want->on_error), src, why,
	                why_size)) < 0 ||
	    (r = differ("try_verify_in_tasklet", live->try_verify_in_tasklet ? "set" : "unset",
	                want->try_verify_in_tasklet ? "set" : "unset", src, why, why_size)) < 0 ||
	    (r = compare_device("use_fec_from_device", live->fec_dev, want->fec_dev, why,
	                        why_size)) < 0 ||
	    (r = differ_u64("fec_roots", live->fec_roots, want->fec_roots, src, why, why_size)) <
	            0 ||
	    (r = differ_u64("fec_blocks", live->fec_blocks, want->fec_blocks, src, why, why_size)) <
	            0 ||
	    (r = differ_u64("fec_start", live->fec_start, want->fec_start, src, why, why_size)) < 0)
		return r;
	return differ("root_hash_sig_key_desc", live->sig_key_desc[0] ? live->sig_key_desc : "none",
	              want->sig_key_desc[0] ? want->sig_key_desc : "none", src, why, why_size);
}

int rootfs_compare(const struct rootfs_live *live, const struct dm_create *dm,
                   const struct verity_params *kata, char *why, size_t why_size)
{
	const struct verity_table none = {0}, *t = &live->table;
	const char *weak = verity_table_weakening(t);
	int r;

	if (!weak && dm)
		weak = verity_table_weakening(&dm->verity);
	if (weak)
		return why_set(why, why_size, -EKEYREJECTED,
		               "/ (%s) is verified with %s, which weakens dm-verity", live->name,
		               weak);
	if (dm) {
		if ((r = compare_fields(t, &dm->verity, why, why_size)) < 0 ||
		    (r = differ("device name", live->name, dm->name, "dm-mod.create=", why,
		                why_size)) < 0 ||
		    (r = differ_u64("length in sectors", live->sectors, dm->sectors,
		                    "dm-mod.create=", why, why_size)) < 0)
			return r;
	}
	/* Without dm-mod.create= nothing named an optional parameter: none may be there. */
	if ((r = compare_options(t, dm ? &dm->verity : &none, why, why_size)) < 0)
		return r;
	/* Every data block is covered: a shorter target would hide none, a longer one is
	 * unverified. */
	if (live->sectors * 512 != t->data_blocks * t->data_block_size)
		return why_set(
		        why, why_size, -EKEYREJECTED,
		        "/ (%s) is %llu sectors long, its %llu data blocks of %u bytes are not",
		        live->name, (unsigned long long)live->sectors,
		        (unsigned long long)t->data_blocks, t->data_block_size);
	return kata ? compare_kata(t, kata, why, why_size) : 0;
}

/* / as a dm device: its name and live table. */
static int read_live_root(struct boot *b, struct rootfs_live *live)
{
	char path[128], type[32], params[4096];
	struct stat st;
	int r;

	if (stat("/", &st) < 0)
		return boot_error(b, -errno, "stat /");
	snprintf(path, sizeof(path), "/sys/dev/block/%u:%u/dm/name", major(st.st_dev),
	         minor(st.st_dev));
	if (sys_read_file(path, live->name, sizeof(live->name)) < 0)
		return boot_error(b, -ENODEV, "/ (%u:%u) is not a device-mapper device",
		                  major(st.st_dev), minor(st.st_dev));
	r = dm_table(live->name, type, sizeof(type), &live->sectors, params, sizeof(params));
	if (r < 0)
		return boot_error(b, r, "reading the table of %s", live->name);
	if (strcmp(type, "verity") != 0)
		return boot_error(b, -EMEDIUMTYPE, "/ is %s, a %s device, not dm-verity",
		                  live->name, type);
	char why[256];
	r = verity_table_parse(&live->table, params, why, sizeof(why));
	if (r < 0)
		return boot_error(b, r, "the table of %s ('%s'): %s", live->name, params, why);
	return 0;
}

int rootfs_check(struct boot *b)
{
	const struct ccinit_config *c = &b->config;
	struct rootfs_live live;
	struct dm_create dm;
	char hex[2 * VERITY_MAX_DIGEST + 1], why[256];
	int r;

	if (!c->root_verity_set && !c->dm_create_set)
		return boot_error(b, -EINVAL,
		                  "/ is not the initramfs, and neither ccinit.root.verity nor "
		                  "dm-mod.create= says what it must be");
	if (c->dm_create_set && (r = dm_create_parse(&dm, c->dm_create, why, sizeof(why))) < 0)
		return boot_error(b, r, "dm-mod.create=: %s", why);
	if ((r = read_live_root(b, &live)) < 0)
		return r;
	r = rootfs_compare(&live, c->dm_create_set ? &dm : NULL,
	                   c->root_verity_set ? &c->root_verity : NULL, b->why, sizeof(b->why));
	if (r < 0)
		return r; /* b->why says which field */
	hex_encode(live.table.root_digest, live.table.root_digest_size, hex);
	log_info("root: rootfs mode, / is %s with root hash %s, its table as the command line says",
	         live.name, hex);
	return modules_open_tree(b, "");
}
