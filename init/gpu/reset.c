// SPDX-License-Identifier: Apache-2.0
/*
 * Reset before the first probe. In CC mode a GPU sets up its SPDM session
 * only after a fresh function-level reset done inside the guest (the host's
 * reset at VM start does not count), and only once per reset; a function
 * the driver probes without one fails RmInitAdapter (0x22:0x56:894), which
 * at 8 GPUs left 3 stuck (confidential-dot-ai/confidential-os-builder,
 * docs: "FLR before the driver's first probe"). So every NVIDIA function is
 * reset exactly once, while no driver is bound, before nvidia.ko loads.
 *
 * After the load every GPU must be bound: nvidia.ko probes synchronously
 * (PROBE_FORCE_SYNCHRONOUS in kernel-open/nvidia/nv-pci.c), so when the
 * module load returned, a GPU it did not take is one it never will.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "init/base/log.h"
#include "init/core/sys.h"
#include "init/gpu/reset.h"

#define PCI_DEVICES "/sys/bus/pci/devices"
#define NV_DRIVER   "nvidia" /* MODULE_NAME of nvidia.ko's PCI driver */
#define PREFERRED   "flr"    /* a reset of this function alone, nothing beside it */

/* The driver bound to bdf into name ("" when none): the basename of its sysfs driver link. */
static int driver_of(const char *bdf, char *name, size_t size)
{
	char rel[128], path[512], target[512];
	const char *base;
	ssize_t n;

	name[0] = '\0';
	snprintf(rel, sizeof(rel), PCI_DEVICES "/%s/driver", bdf);
	if (sys_path(path, sizeof(path), rel) < 0)
		return -ENAMETOOLONG;
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return errno == ENOENT ? 0 : -errno;
	target[n] = '\0';
	base = strrchr(target, '/');
	base = base ? base + 1 : target;
	if (strlen(base) >= size)
		return -ENAMETOOLONG;
	memcpy(name, base, strlen(base) + 1);
	return 0;
}

static bool has_word(const char *list, const char *word)
{
	size_t len = strlen(word);

	for (const char *p = list; (p = strstr(p, word)); p += len)
		if ((p == list || p[-1] == ' ') && (p[len] == '\0' || p[len] == ' '))
			return true;
	return false;
}

/*
 * The method the kernel will use, FLR made first where the function lists it:
 * reset_method (Linux 5.15+) holds the methods in the order tried. Without
 * that file the kernel picks, and we say so.
 */
static int choose_method(const char *bdf, char *method, size_t size, char *why, size_t why_size)
{
	char rel[128], methods[128];
	size_t first;
	int r;

	snprintf(rel, sizeof(rel), PCI_DEVICES "/%s/reset_method", bdf);
	if (sys_read_file(rel, methods, sizeof(methods)) < 0 || !methods[0]) {
		snprintf(method, size, "the kernel's choice");
		return 0;
	}
	first = strcspn(methods, " ");
	if (has_word(methods, PREFERRED) &&
	    !(first == strlen(PREFERRED) && strncmp(methods, PREFERRED, first) == 0)) {
		r = sys_write_file(rel, PREFERRED);
		if (r < 0) {
			snprintf(why, why_size, "%s: choosing " PREFERRED " among %s", rel,
			         methods);
			return r;
		}
		snprintf(methods, sizeof(methods), PREFERRED);
	}
	snprintf(method, size, "%.*s", (int)strcspn(methods, " "), methods);
	return 0;
}

static int reset_one(const char *bdf, const char *kind, char *why, size_t why_size)
{
	char rel[128], path[512], driver[64], method[64];
	int r = driver_of(bdf, driver, sizeof(driver));

	if (r < 0) {
		snprintf(why, why_size, "%s %s: reading its driver link", kind, bdf);
		return r;
	}
	if (driver[0]) {
		snprintf(why, why_size,
		         "%s %s is bound to %s before its reset: it was probed without the fresh "
		         "reset CC mode needs (a built-in driver, or a module loaded earlier)",
		         kind, bdf, driver);
		return -EBUSY;
	}
	snprintf(rel, sizeof(rel), PCI_DEVICES "/%s/reset", bdf);
	if (sys_path(path, sizeof(path), rel) < 0)
		return -ENAMETOOLONG;
	if (access(path, F_OK) != 0) {
		log_notice(
		        "gpu: %s %s has no reset method: the driver probes it as the host left it",
		        kind, bdf);
		return 0;
	}
	r = choose_method(bdf, method, sizeof(method), why, why_size);
	if (r < 0)
		return r;
	r = sys_write_file(rel, "1");
	if (r < 0) {
		snprintf(why, why_size, "%s %s: reset (%s) failed", kind, bdf, method);
		return r;
	}
	log_info("gpu: %s %s reset (%s)", kind, bdf, method);
	return 0;
}

int gpu_reset_all(const struct gpu_topology *t, char *why, size_t why_size)
{
	const struct {
		const char *kind;
		const struct gpu_pci *list;
		unsigned count;
	} kinds[] = {
	        {"GPU", t->gpus, t->gpu_count},
	        {"NVSwitch", t->nvswitches, t->nvswitch_count},
	};

	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
		for (unsigned i = 0; i < kinds[k].count; i++) {
			int r = reset_one(kinds[k].list[i].bdf, kinds[k].kind, why, why_size);
			if (r < 0)
				return r;
		}
	return 0;
}

int gpu_bound_check(const struct gpu_topology *t, char *why, size_t why_size)
{
	for (unsigned i = 0; i < t->gpu_count; i++) {
		const char *bdf = t->gpus[i].bdf;
		char driver[64];
		int r = driver_of(bdf, driver, sizeof(driver));

		if (r < 0) {
			snprintf(why, why_size, "GPU %s: reading its driver link", bdf);
			return r;
		}
		if (strcmp(driver, NV_DRIVER) != 0) {
			snprintf(why, why_size, "GPU %s is not bound to " NV_DRIVER " (%s%s)", bdf,
			         driver[0] ? "bound to " : "no driver", driver);
			return -ENODEV;
		}
		log_info("gpu: GPU %s bound to " NV_DRIVER " (%u of %u)", bdf, i + 1, t->gpu_count);
	}
	return 0;
}
