// SPDX-License-Identifier: Apache-2.0
/*
 * The whole GPU step (init/gpu.c) against the fake driver and a fake root:
 * PCI, procfs, firmware, and shell scripts standing in for the daemons.
 */
#include <sys/wait.h>

#include "init/boot.h"
#include "init/gpu.h"
#include "init/trace.h"
#include "tests/unit/gpu_fake.h"

#define VERSION "580.159.04"

static char modules_log[256];
static int modules_result_nvidia;

static int fake_modules_load(struct modules_ctx *m, const char *name, const char *options,
                             char *why, size_t why_size)
{
	size_t n = strlen(modules_log);

	(void)m;
	snprintf(modules_log + n, sizeof(modules_log) - n, "%s(%s) ", name, options ? options : "");
	if (strcmp(name, "nvidia") == 0 && modules_result_nvidia) {
		snprintf(why, why_size, "%s", name);
		return modules_result_nvidia;
	}
	return 0;
}

/* A script in the fake root that records its arguments and does what `body` says. */
/* A fake program appending its arguments to REL.args, renamed into place so a
 * test polling for a background daemon's file never reads it created but empty. */
static void script(const char *rel, const char *body)
{
	char text[1024];

	snprintf(text, sizeof(text),
	         "#!/bin/sh\nR='%s'\nA=\"$R%s.args\"\n"
	         "{ cat \"$A\" 2>/dev/null; echo \"$@\"; } >\"$A.tmp\" && mv \"$A.tmp\" "
	         "\"$A\"\n%s\n",
	         fake.root, rel, body);
	fake_file(rel, text, 0755);
}

/* A GPU guest image with n GPUs whose persistenced comes up at once. */
static void image(struct boot *b, unsigned n)
{
	fake_setup(VERSION);
	memset(b, 0, sizeof(*b));
	config_init(&b->config);
	trace_init(&b->trace);
	b->config.persistenced_timeout_s = 3;
	gpu_modules_load = fake_modules_load;
	fake_gpus(n);
	fake_driver_procfs(n);
	fake_file("/lib/firmware/nvidia/" VERSION "/gsp_ga10x.bin", "gsp", 0644);
	fake_file("/sys/module/nvidia/version", VERSION "\n", 0644);
	fake_dir("/var/run");
	fake_dir("/run");
	script("/usr/bin/nvidia-persistenced", ": > \"$R/var/run/nvidia-persistenced/socket\"");
	script("/usr/bin/nvidia-smi", "exit 0");
}

static void cc_on(void)
{
	fake.caps.cc_feature = NV_CC_FEATURE_HCC;
	fake.caps.environment = NV_CC_ENV_PROD;
	fake.caps.cpu_capability = NV_CC_CPU_AMD_SEV_SNP;
}

/* A background daemon's script may still be starting: give it a moment. */
static const char *read_soon(const char *rel)
{
	for (int i = 0; i < 100 && !fake_exists(rel); i++)
		usleep(20000);
	return fake_read(rel);
}

static bool traced(const struct boot *b, const char *name)
{
	for (unsigned i = 0; i < b->trace.count; i++)
		if (strcmp(b->trace.entries[i].name, name) == 0 && b->trace.entries[i].end_ns)
			return true;
	return false;
}

TEST(cc_on_snp_ready_state_set_last)
{
	struct boot b;

	image(&b, 1);
	fake_file("/dev/sev-guest", "", 0600);
	cc_on();
	b.config.gpu_attest = GPU_ATTEST_OFF; /* the gate: test_gpu_attest_step.c */
	snprintf(b.config.smi_srs, sizeof(b.config.smi_srs), "1");
	ASSERT_EQ(gpu_step(&b), 0);
	ASSERT_TRUE(b.gpu_up); /* the agent gets KATA_ATTESTER_VARIANT=nvidia */
	ASSERT_TRUE(fake.ready);
	ASSERT_EQ(fake.set_calls, 1);
	ASSERT_STR(modules_log, "nvidia(NVreg_NvLinkDisable=1) nvidia-uvm() ");
	ASSERT_TRUE(fake_node_find("/dev/nvidiactl") != NULL);
	ASSERT_TRUE(fake_node_find("/dev/nvidia0") != NULL);
	ASSERT_TRUE(fake_node_find("/dev/nvidia-uvm-tools") != NULL);
	ASSERT_STR(fake_read("/usr/bin/nvidia-persistenced.args"),
	           "--verbose --uvm-persistence-mode\n");
	ASSERT_CONTAINS(fake_read("/var/run/cdi/nvidia.yaml"), "- path: /dev/nvidia0");
	ASSERT_CONTAINS(fake_read("/var/run/cdi/nvidia.yaml"), "- path: /dev/nvidiactl");
	ASSERT_CONTAINS(fake_read("/var/run/cdi/nvidia.yaml"), "name: GPU-00000000");
	ASSERT_FALSE(fake_exists("/usr/bin/nvidia-smi.args")); /* no clock knobs given */
	const char *steps[] = {"gpu topology", "gpu tee",      "gpu firmware", "gpu modules",
	                       "gpu nodes",    "gpu cc state", "gpu daemons",  "gpu ready state"};
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
		ASSERT_TRUE(traced(&b, steps[i]));
	ASSERT_EQ(fake.bad_requests, 0);
	fake_teardown();
}

TEST(cc_off_under_tee_is_a_mismatch)
{
	struct boot b;

	image(&b, 1);
	fake_file("/dev/tdx-guest", "", 0600);
	snprintf(b.config.smi_srs, sizeof(b.config.smi_srs), "1");
	ASSERT_EQ(gpu_step(&b), -EMEDIUMTYPE);
	ASSERT_FALSE(b.gpu_up);
	ASSERT_CONTAINS(b.why, "ccinit.gpu.cc=on but the driver reports CC off");
	/* Nothing after the check ran: no daemon, no ready state. */
	ASSERT_FALSE(fake_exists("/usr/bin/nvidia-persistenced.args"));
	ASSERT_EQ(fake.set_calls, 0);
	ASSERT_FALSE(fake.ready);
	fake_teardown();
}

TEST(cc_on_required_off_mismatch)
{
	struct boot b;

	image(&b, 1);
	cc_on();
	b.config.gpu_cc = GPU_CC_OFF;
	ASSERT_EQ(gpu_step(&b), -EMEDIUMTYPE);
	ASSERT_CONTAINS(b.why, "ccinit.gpu.cc=off but the driver reports CC on");
	fake_teardown();
}

TEST(cc_devtools_policy)
{
	struct boot b;

	image(&b, 1);
	cc_on();
	fake.caps.devtools_mode = 1;
	b.config.gpu_cc = GPU_CC_DEVTOOLS;
	ASSERT_EQ(gpu_step(&b), 0);
	fake_teardown();
}

TEST(cc_devtools_refused_under_tee)
{
	struct boot b;

	image(&b, 1);
	fake_file("/dev/sev-guest", "", 0600);
	cc_on();
	fake.caps.devtools_mode = 1;
	ASSERT_EQ(gpu_step(&b), -EMEDIUMTYPE);
	ASSERT_CONTAINS(b.why, "CC devtools");
	fake_teardown();
}

TEST(cc_off_without_tee_ready_not_applicable)
{
	struct boot b;

	image(&b, 1);
	b.config.gpu_ready = true;
	ASSERT_EQ(gpu_step(&b), 0);
	ASSERT_EQ(fake.set_calls, 0);
	fake_teardown();
}

TEST(cc_on_not_ready_left_alone)
{
	struct boot b;

	image(&b, 1);
	cc_on();
	ASSERT_EQ(gpu_step(&b), 0);
	ASSERT_EQ(fake.set_calls, 0);
	ASSERT_FALSE(fake.ready);
	ASSERT_FALSE(traced(&b, "gpu ready state"));
	fake_teardown();
}

/* The gate runs first: a GPU that cannot be attested is never declared ready. */
TEST(attestation_failure_leaves_gpus_not_ready)
{
	struct boot b;

	image(&b, 1);
	cc_on();
	b.config.gpu_ready = true; /* ccinit.gpu.attest defaults to local */
	ASSERT_TRUE(gpu_step(&b) < 0);
	/* This fake driver answers no attestation control (test_gpu_attest_step.c has one). */
	ASSERT_CONTAINS(b.why, "listing the GPUs the driver attached");
	ASSERT_TRUE(traced(&b, "gpu attest"));
	ASSERT_FALSE(traced(&b, "gpu ready state"));
	ASSERT_EQ(fake.set_calls, 0);
	ASSERT_FALSE(fake.ready);
	fake_teardown();
}

TEST(ready_state_refused_by_driver)
{
	struct boot b;

	image(&b, 1);
	cc_on();
	b.config.gpu_attest = GPU_ATTEST_OFF;
	b.config.gpu_ready = true;
	fake.set_status = NV_ERR_INSUFFICIENT_PERMISSIONS;
	ASSERT_EQ(gpu_step(&b), -EPERM);
	ASSERT_CONTAINS(b.why, "GPUs-ready");
	fake_teardown();
}

TEST(eight_gpus)
{
	struct boot b;

	image(&b, 8);
	cc_on();
	ASSERT_EQ(gpu_step(&b), 0);
	ASSERT_STR(modules_log, "nvidia() nvidia-uvm() ");
	for (unsigned i = 0; i < 8; i++) {
		char node[32];
		snprintf(node, sizeof(node), "/dev/nvidia%u", i);
		ASSERT_TRUE(fake_node_find(node) != NULL);
	}
	ASSERT_CONTAINS(fake_read("/var/run/cdi/nvidia.yaml"), "name: \"7\"");
	fake_teardown();
}

/* n NVSwitches on PCI (the first `bound` of them in the driver's procfs) and a fabric manager. */
static void nvswitches(unsigned n, unsigned bound)
{
	for (unsigned i = 0; i < n; i++) {
		char bdf[32], rel[96];
		snprintf(bdf, sizeof(bdf), "0000:%02x:00.0", 0x80 + i);
		fake_pci(bdf, "0x10de", "0x068000", "0x22a3");
		snprintf(rel, sizeof(rel), "/proc/driver/nvidia-nvswitch/devices/%s/information",
		         bdf);
		if (i < bound)
			fake_file(rel, "BIOS Version: N/A\n", 0644);
	}
	fake_file("/usr/share/nvidia/nvswitch/fabricmanager.cfg",
	          "LOG_LEVEL=4\nFABRIC_MODE=1\nPARTITION_RAIL_POLICY=symmetric\n", 0644);
	script("/usr/bin/nv-fabricmanager", "exit 0");
}

TEST(nvswitch_nvl4_fabric_manager)
{
	struct boot b;

	image(&b, 8);
	nvswitches(4, 4);
	ASSERT_EQ(gpu_step(&b), 0);
	ASSERT_STR(modules_log, "nvidia() nvidia-uvm() "); /* no TEE: no protected PCIe */
	ASSERT_STR(fake_read("/run/fabricmanager.cfg"),
	           "LOG_LEVEL=4\nFABRIC_MODE=0\nPARTITION_RAIL_POLICY=greedy\n");
	ASSERT_STR(fake_read("/usr/bin/nv-fabricmanager.args"), "-c /run/fabricmanager.cfg\n");
	ASSERT_TRUE(fake_node_find("/dev/nvidia-nvswitchctl") != NULL);
	fake_teardown();
}

/* HGX Hopper under a CPU TEE: protected PCIe, derived from the topology; the counts pinned. */
TEST(nvl4_under_tee_protected_pcie_and_pinned_counts)
{
	struct boot b;

	image(&b, 8);
	nvswitches(4, 4);
	fake_file("/dev/sev-guest", "", 0600);
	cc_on();
	b.config.gpu_count = 8;
	b.config.nvswitch_count = 4;
	ASSERT_EQ(gpu_step(&b), 0);
	ASSERT_STR(modules_log,
	           "nvidia(NVreg_RegistryDwords=RmEnableProtectedPcie=0x1) nvidia-uvm() ");
	fake_teardown();
}

TEST(module_options_follow_the_topology_table)
{
	struct gpu_topology t = {.mode = GPU_MODE_GPU, .gpu_count = 1};
	ASSERT_STR(gpu_module_options(&t, CPU_TEE_NONE), "NVreg_NvLinkDisable=1");
	t.gpu_count = 8;
	ASSERT_TRUE(gpu_module_options(&t, CPU_TEE_TDX) == NULL); /* Blackwell MPT too: none */
	t.mode = GPU_MODE_GPU_NVL5;
	ASSERT_TRUE(gpu_module_options(&t, CPU_TEE_TDX) == NULL);
	t.mode = GPU_MODE_GPU_NVL4;
	ASSERT_STR(gpu_module_options(&t, CPU_TEE_TDX),
	           "NVreg_RegistryDwords=RmEnableProtectedPcie=0x1");
	ASSERT_TRUE(gpu_module_options(&t, CPU_TEE_NONE) == NULL);
}

/* A host that hides a GPU: PCI shows fewer than the measured command line says. */
TEST(gpu_count_differs_from_pci)
{
	struct boot b;

	image(&b, 1);
	b.config.gpu_count = 2;
	ASSERT_EQ(gpu_step(&b), -ENODEV);
	ASSERT_STR(b.why, "ccinit.gpu.count=2 but PCI has 1 GPU");
	ASSERT_STR(modules_log, ""); /* refused before anything loaded */
	ASSERT_FALSE(b.gpu_up);
	fake_teardown();
	image(&b, 1);
	b.config.gpu_count = 0;
	ASSERT_EQ(gpu_step(&b), -ENODEV);
	ASSERT_STR(b.why, "ccinit.gpu.count=0 but PCI has 1 GPU");
	fake_teardown();
}

/* On PCI, but the driver did not bind it: as good as hidden. */
TEST(gpu_count_differs_from_driver)
{
	struct boot b;
	char cmd[160];

	image(&b, 2);
	b.config.gpu_count = 2;
	snprintf(cmd, sizeof(cmd), "rm -r '%s/proc/driver/nvidia/gpus/0000:11:00.0'", fake.root);
	ASSERT_EQ(system(cmd), 0);
	ASSERT_EQ(gpu_step(&b), -ENODEV);
	ASSERT_STR(b.why,
	           "ccinit.gpu.count=2 but the driver bound 1 GPU (/proc/driver/nvidia/gpus)");
	fake_teardown();
}

TEST(nvswitch_count_differs_from_pci_and_driver)
{
	struct boot b;

	image(&b, 8);
	nvswitches(4, 4);
	b.config.nvswitch_count = 3;
	ASSERT_EQ(gpu_step(&b), -ENODEV);
	ASSERT_STR(b.why, "ccinit.nvswitch.count=3 but PCI has 4 NVSwitches");
	fake_teardown();
	image(&b, 8);
	nvswitches(4, 3);
	b.config.nvswitch_count = 4;
	ASSERT_EQ(gpu_step(&b), -ENODEV);
	ASSERT_STR(b.why, "ccinit.nvswitch.count=4 but the driver bound 3 NVSwitches "
	                  "(/proc/driver/nvidia-nvswitch/devices)");
	fake_teardown();
}

TEST(no_gpu_required_fails)
{
	struct boot b;

	image(&b, 0);
	b.config.gpu = GPU_REQUIRED;
	ASSERT_EQ(gpu_step(&b), -ENODEV);
	ASSERT_CONTAINS(b.why, "ccinit.gpu=required but no NVIDIA GPU");
	ASSERT_STR(modules_log, "");
	fake_teardown();
}

/* A GPU image (it ships firmware) requires its GPU unless told otherwise. */
TEST(no_gpu_default_in_gpu_image_fails)
{
	struct boot b;

	image(&b, 0);
	ASSERT_EQ(gpu_step(&b), -ENODEV);
	fake_teardown();
}

TEST(no_gpu_optional_passes)
{
	struct boot b;

	image(&b, 0);
	b.config.gpu = GPU_OPTIONAL;
	ASSERT_EQ(gpu_step(&b), 0);
	ASSERT_STR(modules_log, "");
	fake_teardown();
}

TEST(gpu_off_does_nothing)
{
	struct boot b;

	image(&b, 4);
	for (unsigned i = 0; i < 2; i++) { /* even a topology NVRC would panic on */
		char bdf[32];
		snprintf(bdf, sizeof(bdf), "0000:%02x:00.0", 0x80 + i);
		fake_pci(bdf, "0x10de", "0x068000", "0x22a3");
	}
	b.config.gpu = GPU_OFF;
	ASSERT_EQ(gpu_step(&b), 0);
	ASSERT_EQ(b.trace.count, 0);
	fake_teardown();
}

TEST(unknown_topology_fails)
{
	struct boot b;

	image(&b, 4);
	fake_pci("0000:80:00.0", "0x10de", "0x068000", "0x22a3");
	ASSERT_EQ(gpu_step(&b), -ENOTSUP);
	ASSERT_CONTAINS(b.why, "unknown PCI topology");
	fake_teardown();
}

TEST(missing_firmware)
{
	struct boot b;
	char cmd[256];

	image(&b, 1);
	b.config.gpu = GPU_REQUIRED;
	snprintf(cmd, sizeof(cmd), "rm -r '%s/lib/firmware/nvidia/" VERSION "'", fake.root);
	ASSERT_EQ(system(cmd), 0);
	ASSERT_EQ(gpu_step(&b), -ENOENT);
	ASSERT_CONTAINS(b.why, "no NVIDIA firmware");
	ASSERT_STR(modules_log, "");
	fake_teardown();
}

TEST(firmware_without_gsp)
{
	struct boot b;
	char cmd[256];

	image(&b, 1);
	snprintf(cmd, sizeof(cmd), "rm '%s/lib/firmware/nvidia/" VERSION "/gsp_ga10x.bin'",
	         fake.root);
	ASSERT_EQ(system(cmd), 0);
	ASSERT_EQ(gpu_step(&b), -ENOENT);
	ASSERT_CONTAINS(b.why, "no GSP firmware");
	fake_teardown();
}

TEST(module_refuses_without_device)
{
	struct boot b;

	image(&b, 1);
	modules_result_nvidia = -ENODEV;
	ASSERT_EQ(gpu_step(&b), -ENODEV);
	ASSERT_CONTAINS(b.why, "the nvidia module refused to load: no device");
	fake_teardown();
}

TEST(module_version_differs_from_firmware)
{
	struct boot b;

	image(&b, 1);
	fake_file("/sys/module/nvidia/version", "570.86.15\n", 0644);
	ASSERT_EQ(gpu_step(&b), -EPROTO);
	ASSERT_CONTAINS(b.why, "nvidia module 570.86.15 does not match the firmware " VERSION);
	fake_teardown();
}

TEST(version_handshake_refused)
{
	struct boot b;
	char cmd[256];

	image(&b, 1);
	/* No module version to compare: the driver's handshake is what catches it. */
	snprintf(cmd, sizeof(cmd), "rm '%s/sys/module/nvidia/version'", fake.root);
	ASSERT_EQ(system(cmd), 0);
	snprintf(fake.version, sizeof(fake.version), "575.51.03");
	ASSERT_EQ(gpu_step(&b), -EPROTO);
	ASSERT_CONTAINS(b.why, "refused the version handshake: userspace " VERSION
	                       ", kernel module 575.51.03");
	fake_teardown();
}

TEST(ioctl_error)
{
	struct boot b;

	image(&b, 1);
	fake.fail_nr = NV_ESC_RM_CONTROL;
	fake.fail_errno = ENXIO;
	ASSERT_EQ(gpu_step(&b), -ENXIO);
	ASSERT_CONTAINS(b.why, "confidential-compute state");
	fake_teardown();
}

TEST(persistenced_fails)
{
	struct boot b;

	image(&b, 1);
	script("/usr/bin/nvidia-persistenced", "exit 3");
	ASSERT_EQ(gpu_step(&b), -ECHILD);
	ASSERT_CONTAINS(b.why, "nvidia-persistenced exited (status 3)");
	fake_teardown();
}

TEST(persistenced_timeout)
{
	struct boot b;

	image(&b, 1);
	b.config.persistenced_timeout_s = 1;
	script("/usr/bin/nvidia-persistenced", "exit 0"); /* forks away, never makes its socket */
	ASSERT_EQ(gpu_step(&b), -ETIMEDOUT);
	ASSERT_CONTAINS(b.why, "nvidia-persistenced not ready after 1 s");
	fake_teardown();
}

TEST(persistenced_missing)
{
	struct boot b;
	char cmd[256];

	image(&b, 1);
	snprintf(cmd, sizeof(cmd), "rm '%s/usr/bin/nvidia-persistenced'", fake.root);
	ASSERT_EQ(system(cmd), 0);
	ASSERT_EQ(gpu_step(&b), -ENOENT);
	ASSERT_CONTAINS(b.why, "/usr/bin/nvidia-persistenced is missing");
	fake_teardown();
}

TEST(smi_knobs_and_uvm_persistence_off)
{
	struct boot b;

	image(&b, 1);
	b.config.smi_lgc = 1980;
	b.config.smi_pl = 500;
	b.config.uvm_persistence = false;
	ASSERT_EQ(gpu_step(&b), 0);
	ASSERT_STR(fake_read("/usr/bin/nvidia-smi.args"), "-lgc 1980\n-pl 500\n");
	ASSERT_STR(fake_read("/usr/bin/nvidia-persistenced.args"), "--verbose\n");
	fake_teardown();
}

TEST(smi_knob_failure)
{
	struct boot b;

	image(&b, 1);
	b.config.smi_lmc = 1593;
	script("/usr/bin/nvidia-smi", "exit 4");
	ASSERT_EQ(gpu_step(&b), -ECHILD);
	ASSERT_CONTAINS(b.why, "/usr/bin/nvidia-smi -lmc failed (exit status 4)");
	fake_teardown();
}

TEST(nvidia_ctk_writes_cdi)
{
	struct boot b;

	image(&b, 1);
	script("/usr/bin/nvidia-ctk", "exit 0");
	ASSERT_EQ(gpu_step(&b), 0);
	ASSERT_STR(fake_read("/usr/bin/nvidia-ctk.args"),
	           "-d cdi generate --output=/var/run/cdi/nvidia.yaml\n");
	fake_teardown();
}

TEST(dcgm_started_when_present)
{
	struct boot b;

	image(&b, 1);
	b.config.dcgm = true;
	script("/usr/bin/nv-hostengine", "exit 0");
	script("/usr/bin/dcgm-exporter", "exit 0");
	ASSERT_EQ(gpu_step(&b), 0);
	ASSERT_STR(read_soon("/usr/bin/nv-hostengine.args"),
	           "--service-account nvidia-dcgm --home-dir /tmp\n");
	fake_teardown();
}

/* gpu-status reads and never sets, and prints what nvidia-smi would. */
TEST(gpu_status_json)
{
	char *argv[] = {"gpu-status", NULL}, out[256];
	int fd, saved;

	fake_setup(VERSION);
	fake_gpus(1);
	fake_driver_procfs(1);
	fake_file("/sys/module/nvidia/version", VERSION "\n", 0644);
	fake_file("/dev/nvidiactl", "", 0644);
	cc_on();
	fake.ready = true;
	snprintf(out, sizeof(out), "%s/status.json", fake.root);
	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ASSERT_TRUE(fd >= 0 && saved >= 0);
	dup2(fd, STDOUT_FILENO);
	int r = gpu_status_main(1, argv);
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(fd);
	ASSERT_EQ(r, 0);
	const char *json = fake_read("/status.json");
	ASSERT_CONTAINS(json, "\"CC State\": \"ON\"");
	ASSERT_CONTAINS(json, "\"CPU CC Capabilities\": \"AMD SEV-SNP\"");
	ASSERT_CONTAINS(json, "\"CC GPUs Ready State\": \"Ready\"");
	ASSERT_CONTAINS(json, "\"uuid\": \"GPU-00000000\"");
	ASSERT_CONTAINS(json, "\"version\": \"" VERSION "\"");
	ASSERT_EQ(fake.set_calls, 0);
	fake_teardown();
}
