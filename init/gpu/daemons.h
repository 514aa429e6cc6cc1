/* SPDX-License-Identifier: Apache-2.0 */
/* The GPU userspace ccinit starts, and the CDI spec (gpu/daemons.c). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "init/core/config.h"
#include "init/core/harden.h"
#include "init/gpu/topology.h"

/* NVRC's fixed 120 s failed on 8 GPUs: 120 s plus 60 s per GPU (600 s for 8, NVRC's new value). */
unsigned gpu_persistenced_timeout_s(unsigned configured_s, unsigned gpu_count);
/* Starts nvidia-persistenced and waits for its socket; a child that fails is an error. */
int gpu_persistenced_start(const struct ccinit_config *c, unsigned gpu_count, char *why,
                           size_t why_size);
/* nvidia-smi -lgc/-lmc/-pl when set. */
int gpu_smi_knobs(const struct ccinit_config *c, char *why, size_t why_size);
/* nv-hostengine and dcgm-exporter when nvrc.dcgm asks and the image has them. */
int gpu_dcgm_start(const struct ccinit_config *c, char *why, size_t why_size);
/*
 * The fabric manager for the NVL4 modes (FABRIC_MODE 0, or 1 in the service
 * VM), in gpu/fabricmanager.c: its config written to /run with paths it can
 * write and the data directory found, ready once its GFM-LFM socket exists.
 */
int gpu_fabricmanager_start(const struct ccinit_config *c, enum gpu_mode mode, char *why,
                            size_t why_size);
/* Reaps the daemons started so far: one that exited non-zero is an error. */
int gpu_daemons_check(char *why, size_t why_size);
/* The CDI spec: nvidia-ctk when the image has it, else written from the nodes made. */
int gpu_cdi_write(const struct ccinit_config *c, const struct gpu_topology *t, char (*nodes)[64],
                  unsigned count, char *why, size_t why_size);

/* The helpers gpu/fabricmanager.c shares with the daemons here. */

/* Whether path exists below sys_root. */
bool gpu_exists(const char *path);
/*
 * Where the NVIDIA userspace file `path` is: the verified root's own, else the
 * same path in Kata's gpu extension (/run/kata-extensions/gpu). found gets the
 * path as the boot sees it; -ENOENT when neither has it.
 */
int gpu_userspace_find(const char *path, char *found, size_t size);
/* mkdir that accepts an existing directory. */
int gpu_mkdir(const char *path, char *why, size_t why_size);
/* Who daemon `name` runs as: its user when the image's passwd names one, else root. */
int gpu_daemon_identity(const char *name, struct harden *h, char *why, size_t why_size);
/* Remembers a running daemon for gpu_daemons_check. */
void gpu_daemon_track(pid_t pid, const char *name);
/* Something to look at while waiting that sends no event: returns false when done. */
struct gpu_ready_tick {
	bool (*fn)(void *ctx);
	void *ctx;
};
/*
 * Waits, until deadline (sys->now_ns), for a daemon to be ready: `file` (below
 * sys_root) to exist, or with no file, its first process to exit 0. Driven by
 * events: inotify on the file's directory and a pidfd for the process, so
 * readiness is seen when it happens rather than at the next tick. Returns 0
 * when ready, the failure of a process that exits non-zero, or -ETIMEDOUT.
 * A tick, when given, runs on each wakeup and at least once a second until it
 * returns false.
 */
int gpu_daemon_wait_ready(pid_t pid, const char *name, const char *file, int64_t deadline,
                          const struct gpu_ready_tick *tick, char *why, size_t why_size);
