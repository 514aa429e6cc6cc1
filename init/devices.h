/* SPDX-License-Identifier: Apache-2.0 */
/* Finding block devices the host attached: by path or by virtio serial, waiting on uevents. */
#pragma once

#include <stddef.h>

/*
 * Waits until spec names an existing block device and writes its /dev path to
 * path. spec: "/dev/vda", "/dev/vda1", or "serial:NAME" (the virtio-blk
 * serial, /sys/block/<dev>/serial). partition > 0 asks for that partition of
 * the disk spec names (Kata's layout: 1 data, 2 hash). Waits on kernel
 * uevents, never sleep-polls, up to timeout_s. -ETIMEDOUT with why on expiry.
 */
int device_wait(const char *spec, unsigned partition, unsigned timeout_s, char *path, size_t size,
                char *why, size_t why_size);

/*
 * Calls fn for each block device in /sys/block (below sys_root) with its name
 * ("vda", "dm-0") and the value of its attribute attr ("serial", "dm/name"),
 * skipping devices without it. Stops at the first non-zero return of fn and
 * returns it; 0 when fn never stopped; a negative errno when /sys/block
 * cannot be read.
 */
int block_devices_each(const char *attr,
                       int (*fn)(const char *dev, const char *value, void *userdata),
                       void *userdata);

/* The block device whose attribute attr equals value, as a name ("vdb", "dm-0"); -ENOENT if none.
 */
int block_device_find(const char *attr, const char *value, char *dev, size_t size);

/*
 * The kernel's name of block device dev ("vda1") and of the disk it is on
 * ("vda"; the same name for a whole disk), from /sys/dev/block.
 */
int block_device_disk(const char *dev, char *name, size_t name_size, char *disk, size_t disk_size);
