/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The one terminal path. Every failure ends here: one message at emergency
 * level naming the step and the cause, sync(), then power off (or what
 * ccinit.on_failure says). If the reboot call itself fails, PID 1 must still
 * not exit (the kernel would panic with our message lost in the noise): it
 * freezes, reaping children, until the host kills the VM.
 */
#include <errno.h>
#include <string.h>
#include <sys/reboot.h>
#include <sys/wait.h>
#include <unistd.h>

#include "init/base/log.h"
#include "init/core/signals.h"
#include "init/steps.h"
#include "init/core/sys.h"

#ifdef CCINIT_DEBUG_BUILD
/* Debug build only: a shell on the console, so a developer can look at a failed boot. */
static void debug_shell(void)
{
	static const char *const shells[] = {"/bin/sh", "/bin/busybox"};
	log_emerg("debug build: starting a shell on the console; the VM powers off when it exits");
	pid_t pid = fork();
	if (pid == 0) {
		signals_reset_for_exec();
		setsid();
		for (size_t i = 0; i < sizeof(shells) / sizeof(shells[0]); i++)
			execl(shells[i], "sh", (char *)NULL);
		_exit(127);
	}
	while (pid > 0 && waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}
#endif

_Noreturn void boot_terminate(struct boot *b)
{
	static const int commands[] = {
	        [ON_FAILURE_POWEROFF] = RB_POWER_OFF,
	        [ON_FAILURE_REBOOT] = RB_AUTOBOOT,
	        [ON_FAILURE_HALT] = RB_HALT_SYSTEM,
	};
	sync();
	int r = sys->reboot(commands[b->config.on_failure]);
	log_emerg("reboot(2) failed (%s); freezing", strerror(-r));
	for (;;) {
		pause();
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
	}
}

_Noreturn void boot_fail(struct boot *b, const char *step, int err)
{
	if (b->why[0] && err == -ECHILD)
		/* A program failed (init/core/spawn.c): its how-it-ended is in why; errno would
		 * mislead.
		 */
		log_emerg("FATAL: %s: %s", step, b->why);
	else if (b->why[0])
		log_emerg("FATAL: %s: %s: %s", step, b->why, strerror(-err));
	else
		log_emerg("FATAL: %s: %s", step, strerror(-err));
#ifdef CCINIT_DEBUG_BUILD
	if (b->config.debug_shell)
		debug_shell();
#endif
	boot_terminate(b);
}
