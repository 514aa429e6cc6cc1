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
