/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Step 4: the root the agent runs from. Three modes, from the command line:
 *  - initramfs: no ccinit.root and no dm-mod.create=; the initramfs is the
 *    root, and the TEE measured it whole with the kernel;
 *  - verified root: ccinit.root= names the devices, ccinit.root.verity= the
 *    parameters; dm-verity + erofs, a writable layer, overlay, switch root;
 *  - rootfs mode: the kernel built the verity root itself (dm-mod.create=);
 *    check that / is that device with the expected root hash.
 */
#include <errno.h>
#include <string.h>

#include "init/log.h"
#include "init/steps.h"

int verified_root(struct boot *b)
{
	if (!b->config.root[0]) {
		if (b->config.root_verity_set)
			return boot_error(b, -EINVAL, "ccinit.root.verity given without ccinit.root");
		log_info("root: the initramfs (measured whole at launch)");
		return 0;
	}
	return boot_error(b, -EOPNOTSUPP, "verified root not built in yet");
}
