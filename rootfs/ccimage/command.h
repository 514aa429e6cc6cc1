/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ccimage subcommands. Each concern registers its own commands with
 * CCIMAGE_COMMAND() in its own directory; rootfs/ccimage/ccimage.c finds them in the
 * ELF section, so adding a command touches no shared file.
 *
 * Exit codes (the host tool's fixed set): 0 ok, 1 a check failed (a mismatch,
 * a verification error), 2 usage, 3 bad input data, 4 system error.
 */
#pragma once

enum { EXIT_OK = 0, EXIT_CHECK = 1, EXIT_USAGE = 2, EXIT_DATA = 3, EXIT_SYSTEM = 4 };

struct ccimage_command {
	const char *name;                  /* "measure", or two words: "kconfig check" */
	const char *summary;               /* one line for `ccimage help` */
	int (*run)(int argc, char **argv); /* argv[0] is the command name */
};

#define CCIMAGE_COMMAND(id, cmd_name, cmd_summary, fn)                                             \
	static const struct ccimage_command ccimage_command_##id                                   \
	        __attribute__((used, section("ccimage_commands"), aligned(sizeof(void *)))) = {    \
	                .name = cmd_name, .summary = cmd_summary, .run = fn}

/* `ccimage kconfig check` (kconfig_cmd.c), run in process by the unit tests. */
int kconfig_check_main(int argc, char **argv);
/* `ccimage gpu-rtmr3` (gpu_rtmr3_cmd.c), run in process by test_gpu_attest_step. */
int gpu_rtmr3_main(int argc, char **argv);
