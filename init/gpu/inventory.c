// SPDX-License-Identifier: Apache-2.0
/*
 * What the measured command line says the GPU topology is, held against what
 * PCI shows and what the driver bound; and the nvidia module's options, which
 * follow from the topology rather than from the command line (a topology
 * knob there would fork the measured baseline per machine shape).
 *
 * "At least one GPU" lets a host hide one of eight: ccinit.gpu.count and
 * ccinit.nvswitch.count pin the numbers, and both PCI and the driver must
 * show exactly them.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "init/gpu/inventory.h"
#include "init/core/sys.h"

#define DRIVER_GPUS      "/proc/driver/nvidia/gpus"
#define DRIVER_NVSWITCHS "/proc/driver/nvidia-nvswitch/devices"

/*
 * The nvidia module's options by topology. One GPU: no NVLink peer to train
 * (NVRC's rule). 8 Hopper GPUs + 4 NVSwitches under a CPU TEE: protected PCIe,
 * which the driver only enables when told. Blackwell's multi-GPU mode (NVL5,
 * SW_MNG NICs instead of NVSwitches) takes no option. Anything else: none.
 */
static const struct {
	enum gpu_mode mode;
	unsigned gpus; /* 0: any count */
	bool tee;      /* only with a CPU TEE */
	const char *options;
} module_options[] = {
        {GPU_MODE_GPU, 1, false, "NVreg_NvLinkDisable=1"},
        {GPU_MODE_GPU_NVL4, 8, true, "NVreg_RegistryDwords=RmEnableProtectedPcie=0x1"},
};

const char *gpu_module_options(const struct gpu_topology *t, enum cpu_tee tee)
{
	for (size_t i = 0; i < sizeof(module_options) / sizeof(module_options[0]); i++)
		if (module_options[i].mode == t->mode &&
		    (!module_options[i].gpus || module_options[i].gpus == t->gpu_count) &&
		    (!module_options[i].tee || tee != CPU_TEE_NONE))
			return module_options[i].options;
	return NULL;
}

static const char *plural(unsigned n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

int gpu_count_check_pci(const struct ccinit_config *c, const struct gpu_topology *t, char *why,
                        size_t why_size)
{
	if (c->gpu_count >= 0 && (unsigned)c->gpu_count != t->gpu_count) {
		snprintf(why, why_size, "ccinit.gpu.count=%d but PCI has %u %s", c->gpu_count,
		         t->gpu_count, plural(t->gpu_count, "GPU", "GPUs"));
		return -ENODEV;
	}
	if (c->nvswitch_count >= 0 && (unsigned)c->nvswitch_count != t->nvswitch_count) {
		snprintf(why, why_size, "ccinit.nvswitch.count=%d but PCI has %u %s",
		         c->nvswitch_count, t->nvswitch_count,
		         plural(t->nvswitch_count, "NVSwitch", "NVSwitches"));
		return -ENODEV;
	}
	return 0;
}

/* Entries in one of the driver's procfs directories: one per device it bound. */
static int count_entries(const char *dir, unsigned *n)
{
	char path[512];
	struct dirent *de;
	DIR *d;

	*n = 0;
	if (sys_path(path, sizeof(path), dir) < 0)
		return -ENAMETOOLONG;
	d = opendir(path);
	if (!d)
		return errno == ENOENT ? 0 : -errno; /* no directory: the driver bound none */
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			(*n)++;
	closedir(d);
	return 0;
}

int gpu_count_check_driver(const struct ccinit_config *c, char *why, size_t why_size)
{
	static const struct {
		const char *knob, *dir, *one, *many;
		int offset;
	} kinds[] = {
	        {"ccinit.gpu.count", DRIVER_GPUS, "GPU", "GPUs", 0},
	        {"ccinit.nvswitch.count", DRIVER_NVSWITCHS, "NVSwitch", "NVSwitches", 1},
	};
	for (size_t i = 0; i < 2; i++) {
		int want = kinds[i].offset ? c->nvswitch_count : c->gpu_count;
		unsigned n;
		int r;
		if (want < 0)
			continue;
		r = count_entries(kinds[i].dir, &n);
		if (r < 0) {
			snprintf(why, why_size, "listing %s", kinds[i].dir);
			return r;
		}
		if (n != (unsigned)want) {
			snprintf(why, why_size, "%s=%d but the driver bound %u %s (%s)",
			         kinds[i].knob, want, n, plural(n, kinds[i].one, kinds[i].many),
			         kinds[i].dir);
			return -ENODEV;
		}
	}
	return 0;
}
