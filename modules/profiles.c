/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Module profiles: which modules a boot stage needs, in load order. Each row
 * says why it is there. A module that a kernel may build in is still listed:
 * libkmod reports built-in modules as loaded.
 */
#include <string.h>

#include "modules/modules.h"

#define PROFILE(n, table)                                                                          \
	{                                                                                          \
		n, table, sizeof(table) / sizeof(table[0])                                         \
	}

/* Everything the verified root needs (DESIGN step 3), from the initramfs. */
static const struct module_spec storage[] = {
        {"virtio_pci", NULL, false},   /* the virtio transport the disks sit on */
        {"virtio_blk", NULL, false},   /* root, hash and scratch disks */
        {"dm_mod", NULL, false},       /* device-mapper core */
        {"dm_verity", NULL, false},    /* the verified root */
        {"dm_crypt", NULL, false},     /* the encrypted scratch layer */
        {"dm_integrity", NULL, false}, /* ccinit.scratch.integrity */
        {"erofs", NULL, false},        /* the root filesystem */
        {"overlay", NULL, false},      /* writable layer over the read-only root */
        {"ext4", NULL, false},         /* the scratch filesystem */
        /*
         * libcryptsetup is built with the kernel crypto backend (AF_ALG): it
         * binds hash sockets even to activate verity. Debian's algif modules
         * carry no alias, so nothing would load them on demand.
         */
        {"af_alg", NULL, false},
        {"algif_hash", NULL, false},
        {"algif_skcipher", NULL, false},
        {"algif_aead", NULL, true}, /* LUKS2 with AEAD integrity only */
        /*
         * The scratch ciphers. The kernel would ask modprobe for crypto templates on
         * demand, but the guest has no modprobe (and modules_disabled=1 comes
         * first), so every template a cipher spec names is loaded here:
         * aes-xts-plain64 is xts over ecb(aes); LUKS2 integrity adds authenc and
         * hmac(sha256); AEAD is gcm(aes), which needs ctr and ghash.
         */
        {"aesni_intel", NULL, true}, /* hardware AES when the CPU has it */
        {"ecb", NULL, false},
        {"xts", NULL, false},
        {"authenc", NULL, false},
        {"hmac", NULL, false},
        {"sha256_generic", NULL, false},
        {"ctr", NULL, false},
        {"ghash_generic", NULL, false},
        {"gcm", NULL, false},
};

/* The NVIDIA modules, from the verified root (DESIGN step 5); options come from the GPU step. */
static const struct module_spec gpu[] = {
        {"nvidia", NULL, false},
        {"nvidia_uvm", NULL, false},
};

static const struct module_profile profiles[] = {
        PROFILE("storage", storage),
        PROFILE("gpu", gpu),
};

const struct module_profile *module_profile_find(const char *name)
{
	for (size_t i = 0; i < sizeof(profiles) / sizeof(profiles[0]); i++)
		if (strcmp(profiles[i].name, name) == 0)
			return &profiles[i];
	return NULL;
}
