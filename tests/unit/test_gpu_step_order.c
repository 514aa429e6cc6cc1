// SPDX-License-Identifier: Apache-2.0
/*
 * The GPU step's ordering rules (init/gpu/step.c, init/gpu/reset.c), each
 * read off the fake's event log (fake.events, gpu_fake.h): every NVIDIA
 * function reset once, unbound, before nvidia.ko probes it; every GPU bound
 * before persistenced starts; and no RM allocation or open of /dev/nvidiaN
 * before persistenced holds the GPUs. Breaking any one rule in the step
 * fails the test named for it.
 */
#include "tests/unit/gpu_step_fixture.h"

/* The whole order for one GPU under CC, as one string: the rules read in sequence. */
GPU_STEP_TEST(one_gpu_order_reset_load_persistenced_then_rm, 1)
{
	fake_file("/dev/sev-guest", "", 0600);
	cc_on();
	b->config.gpu_attest = GPU_ATTEST_OFF;
	b->config.gpu_ready = true;
	ASSERT_EQ(gpu_step(b), 0);
	ASSERT_STR(fake.events, "reset 0000:10:00.0\n"
	                        "load ctr\n" /* the crypto SPDM finds by name, first */
	                        "load ghash_generic\n"
	                        "load gcm\n"
	                        "load ecdh_generic\n"
	                        "load nvidia\n"
	                        "load nvidia-uvm\n"
	                        "persistenced start\n"
	                        "persistenced ready\n"
	                        "alloc 0x41\n"   /* the CC state: client, */
	                        "alloc 0xcb33\n" /* CC object */
	                        "alloc 0x41\n"   /* the ready state last */
	                        "alloc 0xcb33\n");
	ASSERT_TRUE(traced(b, "gpu reset"));
	ASSERT_TRUE(traced(b, "gpu persistenced"));
}

/* Each of 8 GPUs and 4 NVSwitches reset exactly once, all before the driver loads. */
GPU_STEP_TEST(every_function_reset_once_before_the_driver_probes, 8)
{
	char line[64];
	int load;

	nvswitches(4, 4);
	ASSERT_EQ(gpu_step(b), 0);
	load = fake_event_at("load nvidia");
	ASSERT_TRUE(load >= 0);
	for (unsigned i = 0; i < 12; i++) {
		snprintf(line, sizeof(line), "reset 0000:%02x:00.0",
		         i < 8 ? 0x10 + i : 0x80 + i - 8);
		ASSERT_EQ(fake_event_count(line), 1);
		ASSERT_TRUE(fake_event_at(line) < load);
	}
}

/* Nothing touches the RM or a GPU node before persistenced's socket is up. */
GPU_STEP_TEST(nothing_attaches_before_persistenced_holds_the_gpus, 8)
{
	const char *held;

	cc_on();
	b->config.gpu_ready = true; /* attestation too (local by default): it fails on this fake */
	ASSERT_TRUE(gpu_step(b) < 0);
	ASSERT_CONTAINS(b->why, "listing the GPUs the driver attached");
	held = strstr(fake.events, "persistenced ready\n");
	ASSERT_TRUE(held != NULL);
	ASSERT_TRUE(strstr(fake.events, "persistenced start\n") < held);
	ASSERT_TRUE(strstr(fake.events, "load nvidia\n") <
	            strstr(fake.events, "persistenced start"));
	/* The first RM allocation, and any open of a GPU's node, come after it. */
	ASSERT_TRUE(strstr(fake.events, "alloc ") > held);
	ASSERT_TRUE(strstr(fake.events, "open /dev/nvidia") == NULL ||
	            strstr(fake.events, "open /dev/nvidia") > held);
}

/* A function some driver probed already missed its reset: refused, and nothing is loaded. */
GPU_STEP_TEST(function_bound_before_its_reset_is_refused, 2)
{
	fake_bind("0000:11:00.0", "nouveau");
	ASSERT_STEP(b, -EBUSY, "GPU 0000:11:00.0 is bound to nouveau before its reset");
	ASSERT_STR(modules_log, "");
	ASSERT_EQ(fake_event_count("reset 0000:11:00.0"), 0);
}

/* persistenced enumerates the GPUs once: one the driver left unbound would be lost. */
GPU_STEP_TEST(gpu_left_unbound_stops_before_persistenced, 2)
{
	fake_remove(
	        "/proc/driver/nvidia/gpus/0000:11:00.0"); /* the fake driver binds what it lists */
	ASSERT_STEP(b, -ENODEV, "GPU 0000:11:00.0 is not bound to nvidia (no driver)");
	ASSERT_EQ(fake_event_count("persistenced start"), 0);
	ASSERT_EQ(fake_event_count("alloc 0x41"), 0);
}

/* FLR first when the function offers it among others; a function without reset is left be. */
GPU_STEP_TEST(flr_preferred_and_no_reset_method_tolerated, 2)
{
	fake_resettable("0000:10:00.0", "bus flr\n");
	fake_remove("/sys/bus/pci/devices/0000:11:00.0/reset");
	ASSERT_EQ(gpu_step(b), 0);
	ASSERT_STR(fake_read("/sys/bus/pci/devices/0000:10:00.0/reset_method"), "flr");
	ASSERT_STR(fake_read("/sys/bus/pci/devices/0000:10:00.0/reset"), "1");
	ASSERT_EQ(fake_event_count("reset 0000:10:00.0"), 1);
	ASSERT_EQ(fake_event_count("reset 0000:11:00.0"), 0);
}
