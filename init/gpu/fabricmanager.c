// SPDX-License-Identifier: Apache-2.0
/*
 * The NVIDIA fabric manager for the NVL4 modes. The verified root is
 * read-only and has no /var/log, and the fabric manager checks at start that
 * the directory of each path in its config exists, exiting 0 when one does
 * not: so ccinit writes the config itself, every path it writes to under a
 * directory it makes in /run, and waits for the daemon's own socket rather
 * than for its launcher to exit. Its program and data directory come from the
 * verified root, else from Kata's gpu extension.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "init/core/spawn.h"
#include "init/core/sys.h"
#include "init/gpu/daemons.h"

#define FABRICMANAGER "/usr/bin/nv-fabricmanager"
#define FM_DATA_DIR   "/usr/share/nvidia/nvswitch"
#define FM_CONFIG_SRC FM_DATA_DIR "/fabricmanager.cfg"
#define FM_CONFIG     "/run/fabricmanager.cfg"
#define FM_RUN_DIR    "/run/nvidia-fabricmanager"
#define FM_SOCKET     FM_RUN_DIR "/socket"
#define FM_TIMEOUT_S  120
#define FM_KEYS       8

/* One key of the config ccinit sets, whatever the image's says. */
struct fm_key {
	const char *key;
	char value[256];
	bool only_if_present; /* a key older fabric managers refuse as unsupported */
	bool written;
};

/* The key `line` assigns, when it is one of keys: "KEY=", spaces allowed around KEY. */
static struct fm_key *key_of(const char *line, struct fm_key *keys, unsigned count)
{
	line += strspn(line, " \t");
	for (unsigned i = 0; i < count; i++) {
		size_t n = strlen(keys[i].key);
		if (strncmp(line, keys[i].key, n) == 0 && line[n + strspn(line + n, " \t")] == '=')
			return &keys[i];
	}
	return NULL;
}

/* src with each of keys set, in place (its first line) or appended: FM_CONFIG, 0400. */
static int write_config(const char *src_rel, struct fm_key *keys, unsigned count, char *why,
                        size_t why_size)
{
	char src[512], dst[512], line[512];
	FILE *in, *out;
	int fd;

	if (sys_path(src, sizeof(src), src_rel) < 0 || sys_path(dst, sizeof(dst), FM_CONFIG) < 0)
		return -ENAMETOOLONG;
	in = fopen(src, "re");
	if (!in) {
		snprintf(why, why_size, "cannot read %s", src_rel);
		return -errno;
	}
	unlink(dst);
	fd = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0400);
	out = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!out) {
		if (fd >= 0)
			close(fd);
		fclose(in);
		snprintf(why, why_size, "cannot write %s", FM_CONFIG);
		return -EIO;
	}
	while (fgets(line, sizeof(line), in)) {
		struct fm_key *k = line[0] == '#' ? NULL : key_of(line, keys, count);
		if (!k)
			fputs(line, out);
		else if (!k->written) /* its parser keeps the last line: a second one is dropped */
			fprintf(out, "%s=%s\n", k->key, k->value);
		if (k)
			k->written = true;
	}
	for (unsigned i = 0; i < count; i++)
		if (!keys[i].written && !keys[i].only_if_present)
			fprintf(out, "%s=%s\n", keys[i].key, keys[i].value);
	fclose(in);
	if (fclose(out) != 0) {
		snprintf(why, why_size, "cannot write %s", FM_CONFIG);
		return -EIO;
	}
	return 0;
}

/*
 * The keys ccinit owns. UNIX_SOCKET_PATH moves the fabric manager's internal
 * GFM-LFM link from a loopback TCP port to a socket ccinit can watch. The
 * API socket (FM_CMD_UNIX_SOCKET_PATH) is left alone: setting it moves the
 * API off TCP, which an image may bind for a service VM's partition manager.
 */
static unsigned fm_keys(struct fm_key *k, int fabric_mode, const char *data_dir)
{
	unsigned n = 0;

	k[n++] = (struct fm_key){.key = "FABRIC_MODE"};
	snprintf(k[n - 1].value, sizeof(k[0].value), "%d", fabric_mode);
	k[n++] = (struct fm_key){.key = "PARTITION_RAIL_POLICY", .value = "greedy"};
	k[n++] = (struct fm_key){.key = "LOG_FILE_NAME", .value = FM_RUN_DIR "/fabricmanager.log"};
	k[n++] = (struct fm_key){.key = "STATE_FILE_NAME",
	                         .value = FM_RUN_DIR "/fabricmanager.state"};
	k[n++] = (struct fm_key){.key = "PID_FILE_PATH",
	                         .value = FM_RUN_DIR "/nv-fabricmanager.pid"};
	k[n++] = (struct fm_key){.key = "UNIX_SOCKET_PATH", .value = FM_SOCKET};
	k[n++] = (struct fm_key){.key = "TOPOLOGY_FILE_PATH"};
	snprintf(k[n - 1].value, sizeof(k[0].value), "%s", data_dir);
	k[n++] = (struct fm_key){.key = "DATABASE_PATH", .only_if_present = true};
	snprintf(k[n - 1].value, sizeof(k[0].value), "%s", data_dir);
	return n;
}

int gpu_fabricmanager_start(const struct ccinit_config *c, enum gpu_mode mode, char *why,
                            size_t why_size)
{
	char program[256], config_src[256], data_dir[256];
	const char *argv[] = {program, "-c", FM_CONFIG, NULL};
	struct fm_key keys[FM_KEYS];
	struct harden h;
	int64_t deadline;
	pid_t pid;
	int r;

	if (mode == GPU_MODE_GPU_NVL5 || mode == GPU_MODE_SERVICEVM_NVL5) {
		snprintf(why, why_size, "%s: NVLink 5 fabrics (nvlsm) are not supported yet",
		         gpu_mode_name(mode));
		return -ENOTSUP;
	}
	if (mode != GPU_MODE_GPU_NVL4 && mode != GPU_MODE_SERVICEVM_NVL4)
		return 0;
	const char *wanted = FABRICMANAGER;
	r = gpu_userspace_find(wanted, program, sizeof(program));
	if (r == 0)
		r = gpu_userspace_find(wanted = FM_CONFIG_SRC, config_src, sizeof(config_src));
	if (r < 0) {
		snprintf(why, why_size, "%s is in neither the image nor the gpu extension", wanted);
		return r;
	}
	/* The topology files lie beside the config, wherever it was found. */
	snprintf(data_dir, sizeof(data_dir), "%.*s", (int)(strrchr(config_src, '/') - config_src),
	         config_src);
	r = gpu_daemon_identity("nv-fabricmanager", &h, why, why_size);
	if (r == 0)
		r = gpu_mkdir(FM_RUN_DIR, why, why_size);
	/* Its log, state, PID file and socket are written by the daemon's own user. */
	if (r == 0 && h.as_user && (r = sys->chown(FM_RUN_DIR, h.uid, h.gid)) < 0)
		snprintf(why, why_size, "chown %s to %u:%u", FM_RUN_DIR, h.uid, h.gid);
	if (r == 0)
		r = write_config(config_src, keys,
		                 fm_keys(keys, mode == GPU_MODE_SERVICEVM_NVL4 ? 1 : 0, data_dir),
		                 why, why_size);
	if (r == 0)
		r = run_daemon(argv, c->children_to_kmsg, &h, &pid, why, why_size);
	if (r < 0)
		return r;
	deadline = sys->now_ns() + FM_TIMEOUT_S * 1000000000LL;
	r = gpu_daemon_wait_ready(pid, "nv-fabricmanager", FM_SOCKET, deadline, NULL, why,
	                          why_size);
	if (r == -ETIMEDOUT)
		snprintf(
		        why, why_size,
		        "nv-fabricmanager not ready after %d s: no %s (it exits 0 on a bad config; "
		        "its log is %s/fabricmanager.log)",
		        FM_TIMEOUT_S, FM_SOCKET, FM_RUN_DIR);
	if (r == 0)
		gpu_daemon_track(pid, "nv-fabricmanager");
	return r;
}
