/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The early mounts, as data. Flags follow NVRC and kata-agent: kata-agent
 * skips a target that is already mounted with the same type, so mounting
 * first is how ccinit keeps control of the flags the agent runs with.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "init/base/log.h"
#include "init/steps.h"
#include "init/core/sys.h"

#define COMMON       (MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RELATIME)
#define STARTED_MARK "/run/ccinit.started"

enum mount_condition {
	MOUNT_ALWAYS,
	MOUNT_IF_SUPPORTED, /* only if the kernel has the type and the target exists */
};

struct mount_spec {
	const char *source, *target, *fstype;
	unsigned long flags;
	const char *data;
	enum mount_condition condition;
	unsigned long magic; /* statfs f_type: how an existing mount of this type is recognised */
};

#define TMPFS_MAGIC      0x01021994 /* devtmpfs is tmpfs inside */
#define PROC_MAGIC       0x9fa0
#define SYSFS_MAGIC      0x62656572
#define SECURITYFS_MAGIC 0x73636673
#define CONFIGFS_MAGIC   0x62656570

static const struct mount_spec early_mounts[] = {
        /* First, so /dev/kmsg exists for every later message. Debian's kernel lacks DEVTMPFS_MOUNT.
         */
        {"devtmpfs", "/dev", "devtmpfs", MS_NOSUID | MS_NOEXEC | MS_RELATIME, "mode=0755",
         MOUNT_ALWAYS, TMPFS_MAGIC},
        {"proc", "/proc", "proc", COMMON, NULL, MOUNT_ALWAYS, PROC_MAGIC},
        {"sysfs", "/sys", "sysfs", COMMON, NULL, MOUNT_ALWAYS, SYSFS_MAGIC},
        /* Runtime state, sockets and the scratch key's tmpfs live here; nothing runs from it. */
        {"run", "/run", "tmpfs", COMMON, "mode=0755", MOUNT_ALWAYS, TMPFS_MAGIC},
        /* Workloads may execute from /tmp, as NVRC allows. */
        {"tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV | MS_RELATIME, "mode=1777", MOUNT_ALWAYS,
         TMPFS_MAGIC},
        /* Attestation reads TSM reports from configfs; securityfs holds IMA and lockdown state. */
        {"securityfs", "/sys/kernel/security", "securityfs", COMMON, NULL, MOUNT_IF_SUPPORTED,
         SECURITYFS_MAGIC},
        {"configfs", "/sys/kernel/config", "configfs", COMMON, NULL, MOUNT_IF_SUPPORTED,
         CONFIGFS_MAGIC},
};

/* Whether /proc/filesystems lists fstype (as "nodev\tNAME" or "\tNAME"). */
static bool filesystem_supported(const char *fstype)
{
	char list[4096];
	if (sys_read_file("/proc/filesystems", list, sizeof(list)) < 0)
		return false;
	size_t len = strlen(fstype);
	for (char *p = list; (p = strstr(p, fstype)); p += len)
		if (p > list && p[-1] == '\t' && (p[len] == '\n' || p[len] == '\0'))
			return true;
	return false;
}

static bool target_exists(const char *target)
{
	char path[512];
	struct stat st;
	return sys_path(path, sizeof(path), target) == 0 && stat(path, &st) == 0;
}

/*
 * Whether target is already a mount point of this type: the kernel mounts
 * /dev itself with DEVTMPFS_MOUNT when the root is not an initramfs, and in
 * rootfs mode an earlier stage may have. A second devtmpfs there is EBUSY.
 */
static bool already_mounted(const struct mount_spec *m)
{
	char path[512], parent[512];
	struct stat st, pst;
	struct statfs fs;
	if (sys_path(path, sizeof(path), m->target) < 0 ||
	    snprintf(parent, sizeof(parent), "%s/..", path) >= (int)sizeof(parent))
		return false;
	return stat(path, &st) == 0 && stat(parent, &pst) == 0 && st.st_dev != pst.st_dev &&
	       statfs(path, &fs) == 0 && (unsigned long)fs.f_type == m->magic;
}

/*
 * One ccinit per boot. A second one as PID 1 means the agent was ccinit after
 * all (a copy init/agent_check.c did not recognise, a script that execs it):
 * it would boot and hand off again, endlessly. The first leaves a mark in
 * /run, which travels with /run into the verified root; a second finds it.
 */
static int mark_started(struct boot *b)
{
	char path[512];
	if (sys_path(path, sizeof(path), STARTED_MARK) < 0)
		return boot_error(b, -ENAMETOOLONG, "%s", STARTED_MARK);
	int fd = sys->open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0400);
	if (fd == -EEXIST)
		return boot_error(
		        b, -EALREADY,
		        "ccinit already ran in this boot (%s exists): the agent is ccinit",
		        STARTED_MARK);
	if (fd < 0)
		return boot_error(b, fd, "creating %s", STARTED_MARK);
	close(fd);
	return 0;
}

int mount_early(struct boot *b)
{
	for (size_t i = 0; i < sizeof(early_mounts) / sizeof(early_mounts[0]); i++) {
		const struct mount_spec *m = &early_mounts[i];
		if (m->condition == MOUNT_IF_SUPPORTED &&
		    (!filesystem_supported(m->fstype) || !target_exists(m->target)))
			continue;
		int r;
		if (already_mounted(m)) {
			/* Keep the mount, not its flags: ours are the ones the agent must run with.
			 */
			r = sys->mount(NULL, m->target, NULL, MS_REMOUNT | MS_BIND | m->flags,
			               NULL);
			if (r < 0)
				return boot_error(b, r, "remounting %s with ccinit's flags",
				                  m->target);
		} else {
			r = sys->mkdir(m->target, 0755);
			if (r < 0 && r != -EEXIST)
				return boot_error(b, r, "mkdir %s", m->target);
			r = sys->mount(m->source, m->target, m->fstype, m->flags, m->data);
			if (r < 0)
				return boot_error(b, r, "mount %s on %s", m->fstype, m->target);
		}
		if (i == 0)
			log_open();
	}
	return mark_started(b);
}
