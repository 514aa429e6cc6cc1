/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * `ccinit gpu-status` (gpu/status.c): topology, TEE, driver, CC and ready
 * state as JSON. Read only.
 */
int gpu_status_main(int argc, char **argv);
