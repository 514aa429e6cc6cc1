// SPDX-License-Identifier: Apache-2.0
/*
 * What a daemon ccinit starts (nvidia-persistenced, the fabric manager, DCGM)
 * runs under, set in the child between fork and exec: a capability bounding
 * set, its user (the image's /etc/passwd names one for it, else root),
 * no_new_privs, and a seccomp filter that refuses what no GPU daemon needs and
 * an attacker in one would want: loading or removing modules, kexec, bpf,
 * ptrace, the kernel keyring, userfaultfd, and new namespaces.
 *
 * The filter is written here, not built with libseccomp: it is one deny list
 * of twelve system calls, two flag tests and clone3, about thirty BPF
 * instructions whose meaning is the kernel's stable seccomp ABI, and it is
 * tested by running it (tests/unit/test_harden.c). libseccomp would add a library to
 * build and audit for a program this size, and its value (arch and syscall
 * tables, argument comparisons across ABIs) is not needed for one ABI and
 * one argument.
 *
 * These calls are made in the child only, between fork and exec, and go to
 * the kernel directly rather than through the seam (init/core/sys.h): what they
 * do is the process's own state, which a fake could only pretend to change,
 * so the tests run them for real in a forked child instead.
 */
#include <errno.h>
#include <grp.h>
#include <linux/audit.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "init/core/harden.h"

#if defined(__x86_64__)
#define ARCH_SELF AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define ARCH_SELF AUDIT_ARCH_AARCH64
#else
#error "add this architecture's AUDIT_ARCH to init/core/harden.c"
#endif

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif
/* clone()'s low byte is the exit signal, so CLONE_NEWTIME only means a namespace to unshare. */
#define CLONE_NS_FLAGS                                                                             \
	(CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER |             \
	 CLONE_NEWPID | CLONE_NEWNET)
#define UNSHARE_NS_FLAGS (CLONE_NS_FLAGS | CLONE_NEWTIME)

/* Refused with EPERM whatever their arguments. */
static const long denied[] = {
        __NR_init_module, __NR_finit_module,    __NR_delete_module, /* modules */
        __NR_kexec_load,  __NR_kexec_file_load,                     /* another kernel */
        __NR_bpf,                                                   /* kernel programs */
        __NR_ptrace,                                                /* other processes */
        __NR_keyctl,      __NR_add_key,         __NR_request_key,   /* the keyring */
        __NR_userfaultfd,                                           /* race amplifier */
        __NR_setns,                                                 /* joining namespaces */
};

#define ARG0_LOW offsetof(struct seccomp_data, args[0]) /* little-endian: the low 32 bits */

/* Jump targets, resolved when the program is laid out. */
enum { NEXT, DENY, NOSYS, CLONE, UNSHARE, ALLOW, KILL, LABELS };

struct insn {
	uint16_t code;
	uint32_t k;
	uint8_t jt, jf; /* labels, for jumps */
	uint8_t label;  /* this instruction starts label (0: none) */
};

#define STMT(c, v, l)    ((struct insn){(c), (v), NEXT, NEXT, (l)})
#define JUMP(c, v, t, f) ((struct insn){(c), (v), (t), (f), NEXT})

int harden_filter(struct sock_filter *prog, unsigned max)
{
	struct insn code[64];
	unsigned n = 0, at[LABELS] = {0};

	code[n++] = STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch), NEXT);
	code[n++] = JUMP(BPF_JMP | BPF_JEQ | BPF_K, ARCH_SELF, NEXT, KILL);
	code[n++] = STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr), NEXT);
#ifdef __x86_64__
	/* The x32 ABI reaches the same calls under numbers with bit 30 set. */
	code[n++] = JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000, DENY, NEXT);
#endif
	for (size_t i = 0; i < sizeof(denied) / sizeof(denied[0]); i++)
		code[n++] = JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)denied[i], DENY, NEXT);
	/* clone3 passes its flags in memory, out of a filter's reach: ENOSYS makes libc use clone.
	 */
	code[n++] = JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_clone3, NOSYS, NEXT);
	code[n++] = JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_clone, CLONE, NEXT);
	code[n++] = JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_unshare, UNSHARE, ALLOW);
	code[n++] = STMT(BPF_LD | BPF_W | BPF_ABS, ARG0_LOW, CLONE);
	code[n++] = JUMP(BPF_JMP | BPF_JSET | BPF_K, CLONE_NS_FLAGS, DENY, ALLOW);
	code[n++] = STMT(BPF_LD | BPF_W | BPF_ABS, ARG0_LOW, UNSHARE);
	code[n++] = JUMP(BPF_JMP | BPF_JSET | BPF_K, UNSHARE_NS_FLAGS, DENY, ALLOW);
	code[n++] = STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW, ALLOW);
	code[n++] = STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM, DENY);
	code[n++] = STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS, NOSYS);
	code[n++] = STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS, KILL);
	if (n > max)
		return -ENOSPC;
	for (unsigned i = 0; i < n; i++)
		if (code[i].label)
			at[code[i].label] = i;
	for (unsigned i = 0; i < n; i++) {
		/* Forward only, as BPF requires; NEXT is a jump of 0. */
		unsigned jt = code[i].jt ? at[code[i].jt] - i - 1 : 0;
		unsigned jf = code[i].jf ? at[code[i].jf] - i - 1 : 0;
		prog[i] = (struct sock_filter){code[i].code, (uint8_t)jt, (uint8_t)jf, code[i].k};
	}
	return (int)n;
}

/* Capabilities a daemon running as root keeps: none of them loads code into the kernel. */
static const int root_keeps[] = {
        CAP_CHOWN,     CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER,           CAP_FSETID,
        CAP_KILL,      CAP_SETGID,       CAP_SETUID,          CAP_NET_BIND_SERVICE, CAP_IPC_LOCK,
        CAP_IPC_OWNER, CAP_SYS_NICE,     CAP_SYS_RESOURCE,    CAP_SYS_ADMIN,        CAP_MKNOD,
};

static bool keeps(int cap)
{
	for (size_t i = 0; i < sizeof(root_keeps) / sizeof(root_keeps[0]); i++)
		if (root_keeps[i] == cap)
			return true;
	return false;
}

int harden_apply(const struct harden *h)
{
	struct sock_filter filter[64];
	int n;

	/* The bounding set first, while we still have CAP_SETPCAP; a user daemon keeps nothing. */
	for (int cap = 0; cap <= 63; cap++) {
		if (h->as_user || !keeps(cap))
			if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL)
				return HARDEN_CAPS;
	}
	if (h->as_user) {
		gid_t gid = (gid_t)h->gid;
		if (setgroups(1, &gid) < 0 || setgid(gid) < 0)
			return HARDEN_GROUPS;
		if (setuid((uid_t)h->uid) < 0)
			return HARDEN_USER;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return HARDEN_NO_NEW_PRIVS;
	n = harden_filter(filter, sizeof(filter) / sizeof(filter[0]));
	if (n < 0) {
		errno = -n;
		return HARDEN_SECCOMP;
	}
	struct sock_fprog prog = {(unsigned short)n, filter};
	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) < 0)
		return HARDEN_SECCOMP;
	return HARDEN_OK;
}

const char *harden_step_name(int step)
{
	switch (step) {
	case HARDEN_OK:
		return "exec";
	case HARDEN_CAPS:
		return "dropping capabilities from the bounding set";
	case HARDEN_GROUPS:
		return "setting its group";
	case HARDEN_USER:
		return "setting its user";
	case HARDEN_NO_NEW_PRIVS:
		return "setting no_new_privs";
	case HARDEN_SECCOMP:
		return "installing the seccomp filter";
	default:
		return "?";
	}
}
