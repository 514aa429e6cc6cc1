// SPDX-License-Identifier: Apache-2.0
/*
 * The GPU userspace ccinit starts: nvidia-persistenced (waited for, with a
 * timeout that grows with the GPU count), the nvidia-smi clock and power
 * knobs, DCGM, and the CDI spec; the NVL4 fabric manager is in
 * gpu/fabricmanager.c, on the helpers below. Programs are paths
 * in the verified root (below sys_root, so tests run scripts instead). A
 * program that fails, or a daemon that exits non-zero, is a boot failure;
 * exit 0 is fine for a daemon, which may fork away.
 *
 * Daemons run confined (init/core/harden.c: bounding set, no_new_privs, seccomp),
 * as the non-root user the image's /etc/passwd names for them (the table
 * below), else as root with a reduced bounding set.
 */
#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "init/gpu/daemons.h"
#include "init/gpu/nodes.h"
#include "init/gpu/topology.h"
#include "init/core/harden.h"
#include "init/core/passwd.h"
#include "init/core/spawn.h"
#include "init/base/log.h"
#include "init/core/boot.h"
#include "init/core/sys.h"

#define PERSISTENCED      "/usr/bin/nvidia-persistenced"
#define PERSISTENCED_DIR  "/var/run/nvidia-persistenced"
#define PERSISTENCED_SOCK PERSISTENCED_DIR "/socket"
#define NVIDIA_SMI        "/usr/bin/nvidia-smi"
#define NV_HOSTENGINE     "/usr/bin/nv-hostengine"
#define DCGM_EXPORTER     "/usr/bin/dcgm-exporter"
#define NVIDIA_CTK        "/usr/bin/nvidia-ctk"
#define CDI_DIR           "/var/run/cdi"
#define CDI_SPEC          CDI_DIR "/nvidia.yaml"
#define GPU_EXTENSION     "/run/kata-extensions/gpu"
#define NVIDIA_GPUS       "/proc/driver/nvidia/gpus"
#define PROGRESS_TICK_MS  1000
#define DAEMONS_MAX       8

#define PASSWD     "/etc/passwd"
#define PASSWD_MAX (256 * 1024)

/*
 * The users daemons run as when the image names them. nvpd is the system user
 * Debian's nvidia-persistenced package creates for it; nv-hostengine drops to
 * its service account by itself (--service-account), so it starts as root.
 */
static const struct {
	const char *daemon, *user;
} daemon_users[] = {
        {"nvidia-persistenced", "nvpd"},
};

static pid_t daemons[DAEMONS_MAX];
static const char *daemon_names[DAEMONS_MAX];
static unsigned daemon_count;

unsigned gpu_persistenced_timeout_s(unsigned configured_s, unsigned gpu_count)
{
	if (configured_s)
		return configured_s;
	return 120 + 60 * gpu_count;
}

int gpu_daemon_identity(const char *name, struct harden *h, char *why, size_t why_size)
{
	static char text[PASSWD_MAX];
	const char *user = NULL;
	char path[512];
	ssize_t n;
	int fd, r;

	*h = (struct harden){.as_user = false};
	for (size_t i = 0; i < sizeof(daemon_users) / sizeof(daemon_users[0]); i++)
		if (strcmp(daemon_users[i].daemon, name) == 0)
			user = daemon_users[i].user;
	if (!user || sys_path(path, sizeof(path), PASSWD) < 0)
		return 0;
	fd = sys->open(path, O_RDONLY | O_CLOEXEC, 0);
	if (fd == -ENOENT)
		return 0; /* no passwd: no users, root it is */
	if (fd < 0) {
		snprintf(why, why_size, "reading %s for %s's user", PASSWD, name);
		return fd;
	}
	n = read(fd, text, sizeof(text));
	r = n < 0 ? -errno : 0;
	close(fd);
	if (r < 0 || n == (ssize_t)sizeof(text)) {
		snprintf(why, why_size, "reading %s for %s's user%s", PASSWD, name,
		         r < 0 ? "" : ": larger than 256 KiB");
		return r < 0 ? r : -EFBIG;
	}
	r = passwd_find(text, (size_t)n, user, &h->uid, &h->gid);
	if (r == -ENOENT)
		return 0;
	if (r < 0 || h->uid == 0) {
		snprintf(why, why_size, "%s: user %s %s", PASSWD, user,
		         r < 0 ? "has a malformed line" : "is root, not a daemon user");
		return r < 0 ? r : -EPERM;
	}
	h->as_user = true;
	log_info("gpu: %s runs as %s (uid %u, gid %u)", name, user, h->uid, h->gid);
	return 0;
}

bool gpu_exists(const char *p)
{
	char path[512];
	struct stat st;

	return sys_path(path, sizeof(path), p) == 0 && stat(path, &st) == 0;
}

int gpu_userspace_find(const char *path, char *found, size_t size)
{
	int n = snprintf(found, size, "%s", path);

	if (n >= 0 && (size_t)n < size && gpu_exists(found))
		return 0;
	n = snprintf(found, size, GPU_EXTENSION "%s", path);
	if (n < 0 || (size_t)n >= size)
		return -ENAMETOOLONG;
	return gpu_exists(found) ? 0 : -ENOENT;
}

void gpu_daemon_track(pid_t pid, const char *name)
{
	if (daemon_count < DAEMONS_MAX) {
		daemons[daemon_count] = pid;
		daemon_names[daemon_count++] = name;
	}
}

/* 1: still running or exited 0 (forked away); <0: exited with failure. */
static int reap(pid_t pid, const char *name, char *why, size_t why_size)
{
	int status;
	pid_t r = waitpid(pid, &status, WNOHANG);

	if (r <= 0)
		return 1;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	snprintf(why, why_size, "%s exited (%s %d)", name, WIFEXITED(status) ? "status" : "signal",
	         WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
	return -ECHILD;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* An inotify descriptor that wakes when an entry is made in the directory holding file. */
static int watch_dir_of(const char *file)
{
	char dir[512], *slash;
	int fd;

	if (sys_path(dir, sizeof(dir), file) < 0 || !(slash = strrchr(dir, '/')))
		return -ENAMETOOLONG;
	*slash = '\0';
	fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	if (fd >= 0 && inotify_add_watch(fd, dir, IN_CREATE | IN_MOVED_TO) < 0)
		close_fd(&fd);
	return fd;
}

int gpu_daemon_wait_ready(pid_t pid, const char *name, const char *file, int64_t deadline,
                          const struct gpu_ready_tick *tick, char *why, size_t why_size)
{
	enum { DIR_EVENTS, EXIT_EVENT };
	struct pollfd fds[2] = {{.fd = file ? watch_dir_of(file) : -1, .events = POLLIN},
	                        {.fd = (int)syscall(SYS_pidfd_open, pid, 0), .events = POLLIN}};
	char drain[4096];
	bool running = true, ticking = tick != NULL;
	int r;

	for (;;) {
		if (ticking)
			ticking = tick->fn(tick->ctx);
		if (file && gpu_exists(file)) {
			r = 0;
			break;
		}
		if (running) {
			r = reap(pid, name, why, why_size);
			if (r < 0 || (r == 0 && !file))
				break; /* it failed, or exited 0 which is its ready signal */
			running = r == 1;
			if (!running) /* forked away: the file is all there is to wait for */
				close_fd(&fds[EXIT_EVENT].fd);
		}
		int64_t left = deadline - sys->now_ns();
		if (left <= 0) {
			r = -ETIMEDOUT;
			break;
		}
		/* No event source (no inotify, or no pidfd before Linux 5.3): look every 100 ms. */
		if ((file && fds[DIR_EVENTS].fd < 0) || (running && fds[EXIT_EVENT].fd < 0))
			left = left < 100000000LL ? left : 100000000LL;
		/* procfs, which the tick reads, sends no event: look each second. */
		if (ticking && left > PROGRESS_TICK_MS * 1000000LL)
			left = PROGRESS_TICK_MS * 1000000LL;
		int64_t ms = (left + 999999) / 1000000;
		r = sys->poll(fds, 2, ms < INT_MAX ? (int)ms : INT_MAX);
		if (r < 0 && r != -EINTR) {
			snprintf(why, why_size, "waiting for %s to be ready", name);
			break;
		}
		if (fds[DIR_EVENTS].fd >= 0)
			while (read(fds[DIR_EVENTS].fd, drain, sizeof(drain)) > 0)
				continue;
	}
	close_fd(&fds[DIR_EVENTS].fd);
	close_fd(&fds[EXIT_EVENT].fd);
	return r;
}

int gpu_daemons_check(char *why, size_t why_size)
{
	for (unsigned i = 0; i < daemon_count; i++) {
		if (daemons[i] <= 0)
			continue;
		int r = reap(daemons[i], daemon_names[i], why, why_size);
		if (r < 0)
			return r;
		if (r == 0)
			daemons[i] = 0;
	}
	return 0;
}

int gpu_mkdir(const char *path, char *why, size_t why_size)
{
	int r = sys->mkdir(path, 0755);

	if (r < 0 && r != -EEXIST) {
		snprintf(why, why_size, "mkdir %s", path);
		return r;
	}
	return 0;
}

/*
 * The GPUs nvidia-persistenced has attached so far, for the boot log: in CC
 * mode each takes seconds, one after another. The driver's procfs prints
 * "Video BIOS: ??.??.??.??.??" for a GPU until RM is initialized on it
 * (rm_get_vbios_version asks RM only once RmInitAdapter gave the GPU its RM
 * client, RmUnixRmApiPrologue) and the version after: per GPU and read-only.
 */
struct attach_progress {
	unsigned total, attached;
	char done[GPU_MAX][16];
};

static bool gpu_attached(const char *bdf)
{
	char path[128], buf[4096];
	const char *v;

	if (snprintf(path, sizeof(path), NVIDIA_GPUS "/%s/information", bdf) >= (int)sizeof(path) ||
	    sys_read_file(path, buf, sizeof(buf)) < 0 || !(v = strstr(buf, "Video BIOS:")))
		return false;
	v += strlen("Video BIOS:");
	v += strspn(v, " \t");
	return *v && *v != '?' && *v != '\n';
}

static bool already(const struct attach_progress *p, const char *bdf)
{
	for (unsigned i = 0; i < p->attached; i++)
		if (strcmp(p->done[i], bdf) == 0)
			return true;
	return false;
}

/* Logs each GPU attached since the last look; false once all are, so the wait stops looking. */
static bool attach_tick(void *ctx)
{
	struct attach_progress *p = ctx;
	struct dirent *de;
	char dir[512];
	DIR *d;

	if (sys_path(dir, sizeof(dir), NVIDIA_GPUS) < 0 || !(d = opendir(dir)))
		return false;
	while (p->attached < GPU_MAX && (de = readdir(d))) {
		if (de->d_name[0] == '.' || strlen(de->d_name) >= sizeof(p->done[0]) ||
		    already(p, de->d_name) || !gpu_attached(de->d_name))
			continue;
		memcpy(p->done[p->attached++], de->d_name, strlen(de->d_name) + 1);
		log_info("gpu: persistenced: %u of %u GPUs attached (%s)", p->attached, p->total,
		         de->d_name);
	}
	closedir(d);
	return p->attached < p->total;
}

int gpu_persistenced_start(const struct ccinit_config *c, unsigned gpu_count, char *why,
                           size_t why_size)
{
	const char *argv[] = {PERSISTENCED, "--verbose", NULL, NULL};
	unsigned timeout_s = gpu_persistenced_timeout_s(c->persistenced_timeout_s, gpu_count);
	int64_t deadline;
	pid_t pid;
	int r;

	struct harden h;

	r = gpu_mkdir(PERSISTENCED_DIR, why, why_size);
	if (r >= 0)
		r = gpu_daemon_identity("nvidia-persistenced", &h, why, why_size);
	if (r < 0)
		return r;
	/* Its socket and pid file are written there, as its user. */
	if (h.as_user && (r = sys->chown(PERSISTENCED_DIR, h.uid, h.gid)) < 0) {
		snprintf(why, why_size, "chown %s to %u:%u", PERSISTENCED_DIR, h.uid, h.gid);
		return r;
	}
	if (c->uvm_persistence)
		argv[2] = "--uvm-persistence-mode";
	r = run_daemon(argv, c->children_to_kmsg, &h, &pid, why, why_size);
	if (r < 0)
		return r;
	gpu_daemon_track(pid, "nvidia-persistenced");
	/* Its RPC socket appears once it logs "Local RPC services initialized". */
	deadline = sys->now_ns() + (int64_t)timeout_s * 1000000000LL;
	static struct attach_progress progress;
	progress = (struct attach_progress){.total = gpu_count};
	const struct gpu_ready_tick tick = {attach_tick, &progress};
	r = gpu_daemon_wait_ready(pid, "nvidia-persistenced", PERSISTENCED_SOCK, deadline, &tick,
	                          why, why_size);
	if (r == -ETIMEDOUT)
		snprintf(why, why_size,
		         "nvidia-persistenced not ready after %u s (%u GPUs; "
		         "ccinit.gpu.persistenced.timeout= raises it)",
		         timeout_s, gpu_count);
	return r;
}

int gpu_smi_knobs(const struct ccinit_config *c, char *why, size_t why_size)
{
	const struct {
		const char *flag;
		uint32_t value;
	} knobs[] = {{"-lmc", c->smi_lmc}, {"-lgc", c->smi_lgc}, {"-pl", c->smi_pl}};

	for (size_t i = 0; i < sizeof(knobs) / sizeof(knobs[0]); i++) {
		char v[16];
		const char *argv[] = {NVIDIA_SMI, knobs[i].flag, v, NULL};
		int r;

		if (!knobs[i].value)
			continue;
		snprintf(v, sizeof(v), "%u", knobs[i].value);
		r = run_program(argv, true, c->children_to_kmsg, NULL, why, why_size);
		if (r < 0)
			return r;
	}
	return 0;
}

static int start_daemon(const char *const *argv, const char *name, bool to_kmsg, char *why,
                        size_t why_size)
{
	struct harden h;
	pid_t pid;
	int r = gpu_daemon_identity(name, &h, why, why_size);

	if (r == 0)
		r = run_daemon(argv, to_kmsg, &h, &pid, why, why_size);
	if (r == 0)
		gpu_daemon_track(pid, name);
	return r;
}

int gpu_dcgm_start(const struct ccinit_config *c, char *why, size_t why_size)
{
	const char *engine[] = {
	        NV_HOSTENGINE, "--service-account", "nvidia-dcgm", "--home-dir", "/tmp", NULL};
	const char *exporter[] = {DCGM_EXPORTER, "-k", "-f",
	                          "/etc/dcgm-exporter/default-counters.csv", NULL};
	int r;

	if (!c->dcgm)
		return 0;
	if (!gpu_exists(NV_HOSTENGINE) || !gpu_exists(DCGM_EXPORTER)) {
		log_warning("gpu: nvrc.dcgm=1 but the image has no %s or %s: DCGM not started",
		            NV_HOSTENGINE, DCGM_EXPORTER);
		return 0;
	}
	r = start_daemon(engine, "nv-hostengine", c->children_to_kmsg, why, why_size);
	if (r == 0)
		r = start_daemon(exporter, "dcgm-exporter", c->children_to_kmsg, why, why_size);
	return r;
}

static int cdi_generated(const struct gpu_topology *t, char (*nodes)[64], unsigned count, FILE *f)
{
	fprintf(f, "# written by ccinit from the device nodes it made\n"
	           "cdiVersion: 0.5.0\nkind: nvidia.com/gpu\ndevices:\n");
	for (unsigned i = 0; i < t->gpu_count; i++) {
		struct gpu_info info;
		char node[64];

		if (gpu_info_read(t->gpus[i].bdf, &info) < 0 || info.minor < 0)
			info.minor = (int)i;
		snprintf(node, sizeof(node), "/dev/nvidia%d", info.minor);
		fprintf(f,
		        "  - name: \"%u\"\n    containerEdits:\n      deviceNodes:\n"
		        "        - path: %s\n",
		        i, node);
		if (info.uuid[0])
			fprintf(f,
			        "  - name: %s\n    containerEdits:\n      deviceNodes:\n"
			        "        - path: %s\n",
			        info.uuid, node);
	}
	fprintf(f, "  - name: all\n    containerEdits:\n      deviceNodes:\n");
	for (unsigned i = 0; i < count; i++)
		if (strncmp(nodes[i], "/dev/nvidia", 11) == 0 && nodes[i][11] >= '0' &&
		    nodes[i][11] <= '9')
			fprintf(f, "        - path: %s\n", nodes[i]);
	/* The shared nodes every GPU container needs. */
	fprintf(f, "containerEdits:\n  deviceNodes:\n");
	for (unsigned i = 0; i < count; i++)
		if (!(strncmp(nodes[i], "/dev/nvidia", 11) == 0 && nodes[i][11] >= '0' &&
		      nodes[i][11] <= '9'))
			fprintf(f, "    - path: %s\n", nodes[i]);
	return 0;
}

int gpu_cdi_write(const struct ccinit_config *c, const struct gpu_topology *t, char (*nodes)[64],
                  unsigned count, char *why, size_t why_size)
{
	const char *argv[] = {NVIDIA_CTK, "-d", "cdi", "generate", "--output=" CDI_SPEC, NULL};
	char path[512];
	FILE *f;
	int r;

	r = gpu_mkdir(CDI_DIR, why, why_size);
	if (r < 0)
		return r;
	if (gpu_exists(NVIDIA_CTK))
		return run_program(argv, true, c->children_to_kmsg, NULL, why, why_size);
	if (sys_path(path, sizeof(path), CDI_SPEC) < 0)
		return -ENAMETOOLONG;
	f = fopen(path, "we");
	if (!f) {
		snprintf(why, why_size, "cannot write %s", CDI_SPEC);
		return -errno;
	}
	cdi_generated(t, nodes, count, f);
	if (fclose(f) != 0) {
		snprintf(why, why_size, "cannot write %s", CDI_SPEC);
		return -EIO;
	}
	return 0;
}
