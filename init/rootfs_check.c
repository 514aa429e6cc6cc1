/* SPDX-License-Identifier: Apache-2.0 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/dm-ioctl.h>
#include <sys/ioctl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "init/base/log.h"
#include "init/rootfs_check.h"
#include "init/steps.h"
#include "init/sys.h"

/*
 * Verity table parameters: <version> <data_dev> <hash_dev> <data_bs> <hash_bs>
 * <data_blocks> <hash_start> <algorithm> <root_digest> <salt> [options]
 * (init/README.md, 7). Field 8, counting from 0, is the digest.
 */
#define VERITY_DIGEST_FIELD 8

static int nth_field(const char *s, unsigned n, char *out, size_t size)
{
	for (unsigned i = 0;; i++) {
		while (isspace((unsigned char)*s))
			s++;
		if (!*s)
			return -EINVAL;
		size_t len = strcspn(s, " \t\n");
		if (i == n) {
			if (len >= size)
				return -EINVAL;
			for (size_t j = 0; j < len; j++)
				out[j] = (char)tolower((unsigned char)s[j]);
			out[len] = '\0';
			return 0;
		}
		s += len;
	}
}

int verity_table_root_hash(const char *params, char *hex, size_t size)
{
	return nth_field(params, VERITY_DIGEST_FIELD, hex, size);
}

/* dm-mod.create="<name>,<uuid>,<minor>,<flags>,<start> <len> verity <params>[;...]" */
int dm_create_root_hash(const char *dm_create, char *hex, size_t size)
{
	const char *v = strstr(dm_create, " verity ");
	if (!v)
		return -EINVAL;
	return verity_table_root_hash(v + strlen(" verity "), hex, size);
}

/* The live table of dm device `name`: target type and parameters. */
static int dm_table(const char *name, char *type, size_t type_size, char *params,
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
	if (strnlen(p, max) == max)
		return -EINVAL;
	snprintf(type, type_size, "%.*s", (int)sizeof(spec->target_type), spec->target_type);
	snprintf(params, params_size, "%s", p);
	return 0;
}

int rootfs_check(struct boot *b)
{
	const struct ccinit_config *c = &b->config;
	char expect_cmdline[2 * VERITY_MAX_DIGEST + 1] = "",
	                                            expect_dm[2 * VERITY_MAX_DIGEST + 1] = "";
	char name[128], type[32], params[4096], live[2 * VERITY_MAX_DIGEST + 1], path[128];
	struct stat st;
	int r;

	if (c->root_verity_set)
		hex_encode(c->root_verity.root_hash, c->root_verity.root_hash_size, expect_cmdline);
	if (c->dm_create[0] && dm_create_root_hash(c->dm_create, expect_dm, sizeof(expect_dm)) < 0)
		return boot_error(b, -EINVAL, "dm-mod.create= holds no verity table");
	if (!expect_cmdline[0] && !expect_dm[0])
		return boot_error(b, -EINVAL,
		                  "/ is not the initramfs, and neither ccinit.root.verity nor "
		                  "dm-mod.create= says what it must be");

	if (stat("/", &st) < 0)
		return boot_error(b, -errno, "stat /");
	snprintf(path, sizeof(path), "/sys/dev/block/%u:%u/dm/name", major(st.st_dev),
	         minor(st.st_dev));
	if (sys_read_file(path, name, sizeof(name)) < 0)
		return boot_error(b, -ENODEV, "/ (%u:%u) is not a device-mapper device",
		                  major(st.st_dev), minor(st.st_dev));
	r = dm_table(name, type, sizeof(type), params, sizeof(params));
	if (r < 0)
		return boot_error(b, r, "reading the table of %s", name);
	if (strcmp(type, "verity") != 0)
		return boot_error(b, -EMEDIUMTYPE, "/ is %s, a %s device, not dm-verity", name,
		                  type);
	if (verity_table_root_hash(params, live, sizeof(live)) < 0)
		return boot_error(b, -EINVAL, "cannot read the root hash of %s", name);
	if (expect_cmdline[0] && strcmp(live, expect_cmdline) != 0)
		return boot_error(b, -EKEYREJECTED,
		                  "/ has root hash %s, ccinit.root.verity says %s", live,
		                  expect_cmdline);
	if (expect_dm[0] && strcmp(live, expect_dm) != 0)
		return boot_error(b, -EKEYREJECTED, "/ has root hash %s, dm-mod.create= says %s",
		                  live, expect_dm);
	log_info("root: rootfs mode, / is %s with root hash %s", name, live);
	return modules_open_tree(b, "");
}
