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

/*
 * Everything the verified root and its writable layer may need (init/README.md, 1, step 3),
 * from the initramfs. An image carries every row; a boot loads the rows its
 * command line needs (the `need` column), so nothing is loaded that the
 * configuration does not use before module loading is locked.
 */
static const struct module_spec storage[] = {
        /*
         * The virtio transport and the disks. Probed synchronously on purpose:
         * async_probe=1 saves time but lets the disks come up in any order, and
         * Kata names the root /dev/vda (dm-mod.create= says /dev/vda1).
         */
        {"virtio_pci", NULL, false, NEED_ROOT | NEED_SCRATCH},
        {"virtio_blk", NULL, false, NEED_ROOT | NEED_SCRATCH},
        {"dm_mod", NULL, false, NEED_ROOT | NEED_SCRATCH}, /* device-mapper core */
        {"dm_verity", NULL, false, NEED_ROOT},             /* the verified root */
        {"erofs", NULL, false, NEED_ROOT},                 /* the root filesystem */
        {"overlay", NULL, false, NEED_ROOT},               /* writable layer over the root */
        /*
         * libcryptsetup is built with the kernel crypto backend (AF_ALG): it
         * binds hash sockets even to activate verity. Debian's algif modules
         * carry no alias, so nothing would load them on demand.
         */
        {"af_alg", NULL, false, NEED_ROOT | NEED_SCRATCH},
        {"algif_hash", NULL, false, NEED_ROOT | NEED_SCRATCH},
        {"algif_skcipher", NULL, false, NEED_SCRATCH},
        {"dm_crypt", NULL, false, NEED_SCRATCH}, /* the encrypted scratch layer */
        {"ext4", NULL, false, NEED_SCRATCH},     /* the scratch filesystem */
        /*
         * The scratch ciphers. The kernel would ask modprobe for crypto templates
         * on demand, but the guest has no modprobe (and modules_disabled=1 comes
         * first), so every template a cipher spec names is loaded here:
         * aes-xts-plain64 is xts over ecb(aes).
         */
        {"aesni_intel", NULL, true, NEED_SCRATCH}, /* hardware AES when the CPU has it */
        {"ecb", NULL, false, NEED_SCRATCH},
        {"xts", NULL, false, NEED_SCRATCH},
        /*
         * ccinit.scratch.integrity: LUKS2 over dm-integrity. hmac-sha256 is
         * authenc(hmac(sha256), xts(aes)); AEAD is gcm(aes), which needs ctr and ghash.
         */
        {"dm_integrity", NULL, false, NEED_INTEGRITY},
        {"algif_aead", NULL, false, NEED_INTEGRITY},
        {"authenc", NULL, false, NEED_INTEGRITY},
        {"hmac", NULL, false, NEED_INTEGRITY},
        /*
         * Optional: kernels from 7.2 have neither module; sha256 and GHASH come from
         * the crypto library there (crypto/sha256.c, gcm's CRYPTO_LIB_GF128HASH).
         */
        {"sha256_generic", NULL, true, NEED_INTEGRITY},
        {"ctr", NULL, false, NEED_INTEGRITY},
        {"ghash_generic", NULL, true, NEED_INTEGRITY},
        {"gcm", NULL, false, NEED_INTEGRITY},
};

/*
 * The NVIDIA modules, from the verified root (init/README.md, 1, step 5); options come from
 * the GPU step. First the kernel crypto that the driver's SPDM session in CC mode allocates
 * by name (kernel-configs/gpu.conf): the kernel would ask modprobe for a module that
 * provides it, the guest has none, so whatever a kernel builds as a module is loaded here,
 * before nvidia.ko. Our own kernel (`ccimage kernel build`) builds every row in, which
 * libkmod finds in modules.builtin and reports as loaded; Debian 13's cloud kernel builds
 * CRYPTO_GCM, CRYPTO_GHASH and CRYPTO_ECDH as modules (tests/reference/kconfig-debian.sh).
 * Its CRYPTO_AEAD=m needs no row: the aead module is AEAD2's, which it builds in. The
 * rest of gpu.conf's crypto, found by name or not, Debian builds in as gpu.conf asks.
 */
static const struct module_spec gpu[] = {
        /*
         * The gcm template's cipher, "ctr(aes)", found by name. Built in on Debian 13 and
         * on ours; a row because a kernel that builds it as a module (the storage rows
         * assume one may) would otherwise fail every "gcm(aes)".
         */
        {"ctr", NULL, false, NEED_ALWAYS},
        /*
         * The gcm template's "ghash", by name: CRYPTO_GHASH=m on Debian 13. Optional:
         * kernels from 7.2 have no such module, their gcm takes GHASH from the library
         * (kernel-configs/gpu.conf, "until: 7.2").
         */
        {"ghash_generic", NULL, true, NEED_ALWAYS},
        /* The SPDM session's "gcm(aes)" (libspdm_aead.c): CRYPTO_GCM=m on Debian 13. */
        {"gcm", NULL, false, NEED_ALWAYS},
        /*
         * SPDM's ECDH key exchange: CRYPTO_ECDH=m on Debian 13. nvidia.ko names
         * ecdh_generic only as a soft dependency, whose failure a load skips (as
         * modprobe does); a row makes a kernel without it fail here, by name.
         */
        {"ecdh_generic", NULL, false, NEED_ALWAYS},
        /* The driver itself; gpu-crypto below is every row before these two. */
        {"nvidia", NULL, false, NEED_ALWAYS},
        {"nvidia_uvm", NULL, false, NEED_ALWAYS},
};
#define GPU_DRIVER_ROWS 2 /* nvidia, nvidia_uvm: the last rows of gpu[] */

static const struct module_profile profiles[] = {
        PROFILE("storage", storage),
        PROFILE("gpu", gpu),
        /*
         * The same rows without the driver: what ccinit's GPU step loads before nvidia,
         * whose options it works out itself (init/gpu/step.c).
         */
        {"gpu-crypto", gpu, sizeof(gpu) / sizeof(gpu[0]) - GPU_DRIVER_ROWS},
};

const struct module_profile *module_profile_find(const char *name)
{
	for (size_t i = 0; i < sizeof(profiles) / sizeof(profiles[0]); i++)
		if (strcmp(profiles[i].name, name) == 0)
			return &profiles[i];
	return NULL;
}
