/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The test agent: stands in for kata-agent in VM tests. It prints one
 * machine-readable report of the world ccinit handed it (one JSON object on
 * one line between markers, to the console), then exits with the status
 * `testagent.exit=N` on the command line asks for, or else powers off as
 * kata-agent's init mode does when it is PID 1 (under ccinit.supervise=1 it
 * is PID 1 of its own PID namespace, where reboot() ends it instead).
 * Static, no libraries: it must run in any image.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/reboot.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static void json_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static int read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ssize_t n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	return (int)n;
}

static void field_file(const char *key, const char *path)
{
	char buf[4096];
	printf("\"%s\":", key);
	if (read_file(path, buf, sizeof(buf)) < 0)
		printf("null");
	else
		json_string(buf);
}

/* mountinfo fields: id parent major:minor root mountpoint options - fstype source superopts */
static void mounts(void)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[2048];
	int first = 1;
	printf("\"mounts\":[");
	while (f && fgets(line, sizeof(line), f)) {
		char mnt[512], opts[512], fstype[64], source[512], super[1024], devno[32];
		char *dash = strstr(line, " - ");
		if (!dash || sscanf(line, "%*d %*d %31s %*s %511s %511s", devno, mnt, opts) != 3 ||
		    sscanf(dash + 3, "%63s %511s %1023s", fstype, source, super) != 3)
			continue;
		printf("%s{\"target\":", first ? "" : ",");
		json_string(mnt);
		printf(",\"fstype\":");
		json_string(fstype);
		printf(",\"source\":");
		json_string(source);
		printf(",\"dev\":");
		json_string(devno);
		printf(",\"options\":");
		json_string(opts);
		printf(",\"super\":");
		json_string(super);
		printf("}");
		first = 0;
	}
	if (f)
		fclose(f);
	printf("]");
}

static void descriptors(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	int first = 1;
	printf("\"fds\":{");
	while (d && (de = readdir(d))) {
		char path[300], target[PATH_MAX];
		if (de->d_name[0] == '.' || atoi(de->d_name) == dirfd(d))
			continue;
		snprintf(path, sizeof(path), "/proc/self/fd/%s", de->d_name);
		ssize_t n = readlink(path, target, sizeof(target) - 1);
		target[n < 0 ? 0 : n] = '\0';
		printf("%s\"%s\":", first ? "" : ",", de->d_name);
		json_string(target);
		first = 0;
	}
	if (d)
		closedir(d);
	printf("}");
}

/* SigBlk and SigIgn from /proc/self/status: what the agent inherits must be empty. */
static void signal_state(void)
{
	FILE *f = fopen("/proc/self/status", "re");
	char line[256], blk[32] = "", ign[32] = "";
	while (f && fgets(line, sizeof(line), f)) {
		sscanf(line, "SigBlk: %31s", blk);
		sscanf(line, "SigIgn: %31s", ign);
	}
	if (f)
		fclose(f);
	printf("\"sigblk\":");
	json_string(blk);
	printf(",\"sigign\":");
	json_string(ign);
}

static void environment(void)
{
	printf("\"environ\":[");
	for (char **e = environ; e && *e; e++) {
		if (e != environ)
			putchar(',');
		json_string(*e);
	}
	printf("]");
}

static void rlimits(void)
{
	static const struct {
		const char *name;
		int resource;
	} limits[] = {{"nofile", RLIMIT_NOFILE},
	              {"nproc", RLIMIT_NPROC},
	              {"core", RLIMIT_CORE},
	              {"memlock", RLIMIT_MEMLOCK},
	              {"stack", RLIMIT_STACK}};
	printf("\"rlimits\":{");
	for (size_t i = 0; i < sizeof(limits) / sizeof(limits[0]); i++) {
		struct rlimit r;
		getrlimit(limits[i].resource, &r);
		printf("%s\"%s\":[%lld,%lld]", i ? "," : "", limits[i].name,
		       r.rlim_cur == RLIM_INFINITY ? -1LL : (long long)r.rlim_cur,
		       r.rlim_max == RLIM_INFINITY ? -1LL : (long long)r.rlim_max);
	}
	printf("}");
}

/* Device-mapper devices: name, uuid (its prefix names the target: CRYPT-VERITY-, CRYPT-PLAIN-...),
 * ro. */
static void dm_devices(void)
{
	DIR *d = opendir("/sys/block");
	struct dirent *de;
	int first = 1;
	printf("\"dm\":[");
	while (d && (de = readdir(d))) {
		char path[512], buf[256];
		if (strncmp(de->d_name, "dm-", 3) != 0)
			continue;
		printf("%s{\"dev\":", first ? "" : ",");
		json_string(de->d_name);
		snprintf(path, sizeof(path), "/sys/block/%s/dev", de->d_name);
		printf(",\"devno\":");
		json_string(read_file(path, buf, sizeof(buf)) < 0 ? "" : buf);
		snprintf(path, sizeof(path), "/sys/block/%s/dm/name", de->d_name);
		printf(",\"name\":");
		json_string(read_file(path, buf, sizeof(buf)) < 0 ? "" : buf);
		snprintf(path, sizeof(path), "/sys/block/%s/dm/uuid", de->d_name);
		printf(",\"uuid\":");
		json_string(read_file(path, buf, sizeof(buf)) < 0 ? "" : buf);
		snprintf(path, sizeof(path), "/sys/block/%s/ro", de->d_name);
		printf(",\"ro\":");
		json_string(read_file(path, buf, sizeof(buf)) < 0 ? "" : buf);
		printf("}");
		first = 0;
	}
	if (d)
		closedir(d);
	printf("]");
}

static void root_backing(void)
{
	struct stat st;
	char dev[32] = "";
	if (stat("/", &st) == 0)
		snprintf(dev, sizeof(dev), "%u:%u", major(st.st_dev), minor(st.st_dev));
	printf("\"root_dev\":");
	json_string(dev);
}

/* testagent.exit=N: the status to exit with; -1 when not asked. */
static int requested_exit(void)
{
	char cmdline[4096];
	if (read_file("/proc/cmdline", cmdline, sizeof(cmdline)) < 0)
		return -1;
	const char *p = strstr(cmdline, "testagent.exit=");
	return p ? atoi(p + strlen("testagent.exit=")) : -1;
}

/* Reads a file that must exist on the root (testagent.read=PATH): proves data is readable. */
static void probe_file(void)
{
	char cmdline[4096], path[256], buf[256];
	printf("\"probe\":");
	const char *p;
	if (read_file("/proc/cmdline", cmdline, sizeof(cmdline)) < 0 ||
	    !(p = strstr(cmdline, "testagent.read=")) ||
	    sscanf(p + strlen("testagent.read="), "%255s", path) != 1) {
		printf("null");
		return;
	}
	int r = read_file(path, buf, sizeof(buf));
	printf("{\"path\":");
	json_string(path);
	printf(",\"result\":");
	if (r < 0)
		printf("%d", r);
	else
		json_string(buf);
	printf("}");
}

/*
 * testagent.write=PATH: writes a marker to the (writable) root and syncs, so a
 * later boot can show it is gone and the host can show the disk never held it
 * in clear.
 */
static void write_marker(void)
{
	char cmdline[4096], path[256];
	const char *p;
	printf("\"wrote\":");
	if (read_file("/proc/cmdline", cmdline, sizeof(cmdline)) < 0 ||
	    !(p = strstr(cmdline, "testagent.write=")) ||
	    sscanf(p + strlen("testagent.write="), "%255s", path) != 1) {
		printf("null");
		return;
	}
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	int ok = fd >= 0 && write(fd, "CCINIT-SCRATCH-MARKER\n", 22) == 22 && fsync(fd) == 0;
	if (fd >= 0)
		close(fd);
	sync();
	printf(ok ? "true" : "false");
}

/*
 * testagent.tamper=PATH: writes 16 MiB of a known pattern to PATH, makes sure
 * it is on the disk and out of every cache, says TAMPER-READY and waits for a
 * line on the console (the host changes the disk meanwhile), then reads it all
 * back. Reports "error <errno>" at the first failed open or read, "wrong-data" if a
 * byte differs without an error, else "intact".
 */
static const char *tamper(void)
{
	char cmdline[4096], path[256], line[16];
	static unsigned char block[65536], back[65536];
	static char err[32];
	const char *p;
	if (read_file("/proc/cmdline", cmdline, sizeof(cmdline)) < 0 ||
	    !(p = strstr(cmdline, "testagent.tamper=")) ||
	    sscanf(p + strlen("testagent.tamper="), "%255s", path) != 1)
		return NULL;
	for (size_t i = 0; i < sizeof(block); i++)
		block[i] = (unsigned char)(i * 7 + 3);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	for (int i = 0; fd >= 0 && i < 256; i++)
		if (write(fd, block, sizeof(block)) != (ssize_t)sizeof(block))
			break;
	if (fd < 0 || fsync(fd) < 0)
		return "setup failed";
	close(fd);
	sync();
	int drop = open("/proc/sys/vm/drop_caches", O_WRONLY | O_CLOEXEC);
	if (drop >= 0) {
		(void)!write(drop, "3\n", 2);
		close(drop);
	}
	fprintf(stderr, "\nTAMPER-READY\n");
	if (!fgets(line, sizeof(line), stdin))
		return "no go-ahead";
	/* A lookup the tampering broke (the directory's block) is an error read too. */
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, sizeof(err), "error %d (open)", errno);
		return err;
	}
	const char *result = "intact";
	for (int i = 0; i < 256; i++) {
		ssize_t n = read(fd, back, sizeof(back));
		if (n < 0) {
			snprintf(err, sizeof(err), "error %d", errno);
			result = err;
			break;
		}
		if (n != (ssize_t)sizeof(back) || memcmp(back, block, sizeof(back)) != 0) {
			result = "wrong-data";
			break;
		}
	}
	close(fd);
	return result;
}

int main(void)
{
	/* First thing: when the agent started, for boot benchmarks (time since the kernel started).
	 */
	struct timespec started;
	clock_gettime(CLOCK_BOOTTIME, &started);
	/* The tamper test runs before the report, so the report goes out in one piece. */
	const char *tampered = tamper();
	static char out[65536];
	setvbuf(stdout, out, _IOFBF, sizeof(out));
	printf("\nCCINIT-AGENT-REPORT-BEGIN\n{\"pid\":%d,\"boottime_ns\":%lld,", (int)getpid(),
	       (long long)started.tv_sec * 1000000000LL + started.tv_nsec);
	field_file("cmdline", "/proc/cmdline");
	putchar(',');
	field_file("oom_score_adj", "/proc/self/oom_score_adj");
	putchar(',');
	field_file("modules_disabled", "/proc/sys/kernel/modules_disabled");
	putchar(',');
	signal_state();
	putchar(',');
	mounts();
	putchar(',');
	descriptors();
	putchar(',');
	environment();
	putchar(',');
	rlimits();
	putchar(',');
	dm_devices();
	putchar(',');
	root_backing();
	putchar(',');
	probe_file();
	putchar(',');
	write_marker();
	printf(",\"tamper\":");
	if (tampered)
		json_string(tampered);
	else
		printf("null");
	printf("}\nCCINIT-AGENT-REPORT-END\n");
	fflush(stdout);

	int status = requested_exit();
	if (status >= 0 || getpid() != 1)
		return status < 0 ? 0 : status;
	sync();
	reboot(RB_POWER_OFF);
	for (;;)
		pause();
}
