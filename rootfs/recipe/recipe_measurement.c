/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The recipe's `measurement:` section: which TEEs, vCPU counts and firmware to
 * measure. Its keys are rows of the table (recipe_keys.c); what they need
 * beyond their types is here.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "measurement/launch.h"
#include "measurement/tee.h"
#include "rootfs/recipe/recipe_keys.h"

/* measurement.tee: only what `ccimage build` measures, as the TEE table says (measurement/tee.h).
 */
int rk_check_tee(struct yctx *c, yaml_node_t *v, void *base, const struct rkey *k)
{
	struct recipe *rc = base;
	char why[128];

	(void)k;
	for (size_t i = 0; i < rc->measurement.ntee; i++)
		if (tee_check_built(rc->measurement.tee[i], why, sizeof(why)) < 0)
			return y_err(c, v, "measurement: %s", why);
	return 0;
}

/* measurement.vcpu-type: a CPU model the launch measurement knows, refused here and not after the
 * build. */
int rk_check_vcpu_type(struct yctx *c, yaml_node_t *v, void *base, const struct rkey *k)
{
	const char *type = ((struct recipe *)base)->measurement.vcpu_type;
	uint64_t sig;
	char why[128];

	(void)k;
	if (type && launch_check_vcpu_type(type, &sig, why, sizeof(why)) < 0)
		return y_err(c, v, "measurement: vcpu-type: '%s': %s", type, why);
	return 0;
}

/* snp-firmware: a host path, or `build` (ccimage firmware build's AMD SEV OVMF). */
int rk_snp_firmware(struct yctx *c, yaml_node_t *snp, void *base, const struct rkey *k)
{
	struct recipe_measurement *m = &((struct recipe *)base)->measurement;

	(void)k;
	if (snp->type == YAML_SCALAR_NODE &&
	    strcmp((const char *)snp->data.scalar.value, "build") == 0)
		return (m->snp_firmware = strdup("build")) ? 0 : -ENOMEM;
	return y_path(c, snp, "snp-firmware", &m->snp_firmware);
}

/*
 * firmware: one file for every TEE named; or each TEE its own, tdx-firmware a
 * path and snp-firmware a path or `build` (the default). Both ways at once
 * would leave one of them unused.
 */
int rk_check_measurement(struct yctx *c, yaml_node_t *n, void *base, const struct rkey *k)
{
	struct recipe_measurement *m = &((struct recipe *)base)->measurement;

	(void)k;
	if (m->firmware && (m->tdx_firmware || m->snp_firmware))
		return y_err(c, y_get(c, n, "firmware"),
		             "measurement: firmware (one file for every TEE) and tdx-firmware or "
		             "snp-firmware (one per TEE) together");
	return 0;
}
