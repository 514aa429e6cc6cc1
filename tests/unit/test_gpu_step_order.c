// SPDX-License-Identifier: Apache-2.0
/*
 * The GPU step's ordering rules (init/gpu/step.c, init/gpu/reset.c), each
 * read off the fake's event log (fake.events, gpu_fake.h): every NVIDIA
 * function reset once, unbound, before nvidia.ko probes it; every GPU bound
 * before persistenced starts. Breaking any one rule in the step fails the
 * test named for it.
 */
#include "tests/unit/gpu_step_fixture.h"

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
