/* SPDX-License-Identifier: Apache-2.0 */
/* The recipe's `measurement:` section: which TEEs, vCPU counts and firmware to measure. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "measurement/launch.h"
#include "rootfs/recipe/recipe_yaml.h"

/*
 * firmware: one file for every TEE named; or each TEE its own, tdx-firmware a
 * path and snp-firmware a path or `build` (ccimage firmware build's AMD SEV
 * OVMF, the default). Both ways at once would leave one of them unused.
 */
static int parse_firmware(struct yctx *c, yaml_node_t *n)
{
	struct recipe_measurement *m = &c->recipe->measurement;
	yaml_node_t *snp = y_get(c, n, "snp-firmware");
	int r;

	if ((r = y_opt_path(c, n, "firmware", &m->firmware)) < 0 ||
	    (r = y_opt_path(c, n, "tdx-firmware", &m->tdx_firmware)) < 0)
		return r;
	if (snp && snp->type == YAML_SCALAR_NODE &&
	    strcmp((const char *)snp->data.scalar.value, "build") == 0)
		m->snp_firmware = strdup("build");
	else if ((r = y_opt_path(c, n, "snp-firmware", &m->snp_firmware)) < 0)
		return r;
	if (snp && !m->snp_firmware)
		return -ENOMEM;
	if (m->firmware && (m->tdx_firmware || m->snp_firmware))
		return y_err(c, y_get(c, n, "firmware"),
		             "measurement: firmware (one file for every TEE) and tdx-firmware or "
		             "snp-firmware (one per TEE) together");
	return 0;
}

int recipe_parse_measurement(struct yctx *c, yaml_node_t *n)
{
	struct recipe *rc = c->recipe;
	yaml_node_t *v;
	uint64_t x;
	char why[128];
	int r;

	if ((v = y_get(c, n, "tee"))) {
		if ((r = y_strlist(c, v, &rc->measurement.tee, &rc->measurement.ntee)) < 0)
			return r;
		/* Only what `ccimage build` measures: the TEE table says (measurement/tee.h). */
		for (size_t i = 0; i < rc->measurement.ntee; i++)
			if (tee_check_built(rc->measurement.tee[i], why, sizeof(why)) < 0)
				return y_err(c, v, "measurement: %s", why);
	}
	if ((v = y_get(c, n, "vcpus"))) {
		if (v->type != YAML_SEQUENCE_NODE)
			return y_err(c, v, "measurement: vcpus: expected a list of numbers");
		size_t cnt = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
		rc->measurement.vcpus = calloc(cnt ? cnt : 1, sizeof(unsigned));
		if (!rc->measurement.vcpus)
			return -ENOMEM;
		for (size_t i = 0; i < cnt; i++) {
			yaml_node_t *it =
			        yaml_document_get_node(c->doc, v->data.sequence.items.start[i]);
			if ((r = y_uint(c, it, &x)) < 0)
				return r;
			if (launch_check_vcpus(x, why, sizeof(why)) < 0)
				return y_err(c, it, "measurement: vcpus: %llu is %s",
				             (unsigned long long)x, why);
			rc->measurement.vcpus[rc->measurement.nvcpus++] = (unsigned)x;
		}
	}
	if ((r = y_opt_str(c, n, "vcpu-type", &rc->measurement.vcpu_type, NULL)) < 0 ||
	    (r = parse_firmware(c, n)) < 0)
		return r;
	if ((v = y_get(c, n, "memory-mib"))) {
		if ((r = y_uint(c, v, &x)) < 0)
			return r;
		if (launch_check_memory(x > UINT64_MAX >> 20 ? UINT64_MAX : x << 20, why,
		                        sizeof(why)) < 0)
			return y_err(c, v, "measurement: memory-mib %llu is %s",
			             (unsigned long long)x, why);
		rc->measurement.memory_mib = (unsigned)x;
	}
	return 0;
}
