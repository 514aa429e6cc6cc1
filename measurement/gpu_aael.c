// SPDX-License-Identifier: Apache-2.0
/* ccinit's GPU events in the attestation agent's log, predicted (gpu_aael.h). */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "init/base/aael.h"
#include "measurement/gpu_aael.h"
#include "measurement/rvps.h"

int gpu_aael_extend(const char *bdf, const uint8_t digest[SHA384_LEN], uint8_t rtmr[SHA384_LEN],
                    char *text, size_t text_size, uint8_t entry[GPU_AAEL_ENTRY_MAX])
{
	uint8_t data[256], e[SHA384_LEN];
	int n = aael_gpu_event(bdf, digest, data, sizeof(data)), r;
	size_t len;

	if (n < 0)
		return n;
	len = (size_t)n - AAEL_TAG_HEADER_SIZE;
	if (len >= text_size)
		return -ENOSPC;
	/* The register gets the hash of the whole tagged event, header included. */
	r = tdx_sha384(data, (size_t)n, e);
	if (r < 0)
		return r;
	r = tdx_extend(rtmr, e);
	if (r < 0)
		return r;
	memcpy(text, data + AAEL_TAG_HEADER_SIZE, len);
	text[len] = '\0';
	return aael_entry(AAEL_MR_RTMR3, data, (size_t)n, e, entry, GPU_AAEL_ENTRY_MAX);
}

/* The knobs that decide whether ccinit logs GPU events, as init/core/config.c names them. */
enum knob { K_GPU, K_COUNT, K_ATTEST, K_CC, K_READY, K_SRS, K_N };
static const char *const knob_names[K_N] = {
        "ccinit.gpu",    "ccinit.gpu.count", "ccinit.gpu.attest",
        "ccinit.gpu.cc", "ccinit.gpu.ready", "nvrc.smi.srs",
};

/* config_parse_bool's words (init/core/config_values.c): 1, 0, or -1 for neither. */
static int boolean(const char *s)
{
	static const char *const yes[] = {"1", "yes", "true", "on"}, *const no[] = {"0", "no",
	                                                                            "false", "off"};

	for (size_t i = 0; i < 4; i++) {
		if (strcasecmp(s, yes[i]) == 0)
			return 1;
		if (strcasecmp(s, no[i]) == 0)
			return 0;
	}
	return -1;
}

/* count, with why it is that. */
static int because(const char **why, int count, const char *text)
{
	*why = text;
	return count;
}

/* The count from the knobs ccinit reads (seen: how often each is given; val: the last value). */
static int predict(const unsigned seen[K_N], char val[K_N][64], enum gpu_aael_rtmr rtmr,
                   const char **why)
{
	/* ccinit refuses these given twice (GPU policies, counts); srs and ready: the last wins. */
	for (int k = K_GPU; k <= K_CC; k++)
		if (seen[k] > 1)
			return because(why, -1, "a GPU knob is given twice: that boot fails");
	/*
	 * The words config.c's tables take (gpu_choices, gpu_attest_choices, gpu_cc_choices;
	 * their "" is the default's name, which no value spells).
	 */
	static const char *const words[][6] = {
	        [K_GPU] = {"required", "optional", "off"},
	        [K_ATTEST] = {"local", "off"},
	        [K_CC] = {"on", "devtools", "off", "any"},
	};
	for (int k = K_GPU; k <= K_CC; k++) {
		bool known = !seen[k] || k == K_COUNT;
		for (size_t w = 0; !known && words[k][w]; w++)
			known = strcmp(val[k], words[k][w]) == 0;
		if (!known)
			return because(why, -1,
			               "a GPU policy knob has a value ccinit refuses: that "
			               "boot fails");
	}
	if (seen[K_GPU] && strcmp(val[K_GPU], "off") == 0)
		return because(why, 0, "ccinit.gpu=off: no GPU step");
	if (seen[K_ATTEST] && strcmp(val[K_ATTEST], "off") == 0)
		return because(why, 0, "ccinit.gpu.attest=off: no GPU attestation");
	if (seen[K_CC] && (strcmp(val[K_CC], "off") == 0 || strcmp(val[K_CC], "any") == 0))
		return because(
		        why, strcmp(val[K_CC], "off") == 0 ? 0 : -1,
		        "ccinit.gpu.cc does not require CC on, and attestation runs only with it");
	/*
	 * gpu_cc_ready_request (init/gpu/cc.c): nvrc.smi.srs=1, or ccinit.gpu.ready true;
	 * a value neither takes, or ready with srs=0, fails the boot.
	 */
	int ready = seen[K_READY] ? boolean(val[K_READY]) : 0;
	if (ready < 0 || (seen[K_SRS] && strcmp(val[K_SRS], "0") && strcmp(val[K_SRS], "1")))
		return because(why, -1,
		               "a GPUs-ready knob has a value ccinit refuses: that boot fails");
	if (ready == 1 && seen[K_SRS] && strcmp(val[K_SRS], "0") == 0)
		return because(why, -1,
		               "ccinit.gpu.ready=1 contradicts nvrc.smi.srs=0: that boot fails");
	if (!((seen[K_SRS] && strcmp(val[K_SRS], "1") == 0) || ready == 1))
		return because(why, 0,
		               "no GPUs-ready request (ccinit.gpu.ready=1 or nvrc.smi.srs=1): no "
		               "attestation");
	if (rtmr == GPU_AAEL_RTMR_NO)
		return because(why, 0,
		               "the kernel has no TSM measurement register file "
		               "(CONFIG_TSM_MEASUREMENTS): ccinit logs no event");
	if (!seen[K_COUNT])
		return because(why, -1,
		               "ccinit.gpu.count is not on the command line: any number boots");
	char *end;
	/* config_parse_ulong's rule: a digit first (no sign, no space), digits to the end. */
	long n = strtol(val[K_COUNT], &end, 10);
	if (!isdigit((unsigned char)val[K_COUNT][0]) || *end || n > 32)
		return because(why, -1,
		               "ccinit.gpu.count is not a count ccinit takes: that boot fails");
	if (rtmr == GPU_AAEL_RTMR_UNKNOWN)
		return because(why, -1,
		               "the kernel's configuration is not at hand: CONFIG_TSM_MEASUREMENTS "
		               "unknown");
	return because(why, (int)n, "");
}

void gpu_aael_expect(const char *cmdline, enum gpu_aael_rtmr rtmr, struct gpu_aael_expect *e)
{
	char val[K_N][64] = {{0}};
	unsigned seen[K_N] = {0};
	const char *p = cmdline + strspn(cmdline, " \t\n");

	while (*p) {
		size_t n = strcspn(p, " \t\n"), key = strcspn(p, "=");
		/* Only KEY=VALUE tokens whose key is one of ours; a value too long for any is kept
		 * cut, which no knob takes either. */
		for (int k = 0; key < n && k < K_N; k++)
			if (key == strlen(knob_names[k]) && strncmp(p, knob_names[k], key) == 0) {
				seen[k]++;
				snprintf(val[k], sizeof(val[k]), "%.*s", (int)(n - key - 1),
				         p + key + 1);
			}
		p += n + strspn(p + n, " \t\n");
	}
	const char *why = "";
	e->count = predict(seen, val, rtmr, &why);
	snprintf(e->why, sizeof(e->why), "%s", why);
}

json_object *gpu_aael_values(int count)
{
	json_object *v = json_object_new_object();

	if (!v)
		return NULL;
	json_object_object_add(v, GPU_AAEL_RV_DOMAIN, json_object_new_string(AAEL_CCINIT_DOMAIN));
	json_object_object_add(v, GPU_AAEL_RV_OPERATION,
	                       json_object_new_string(AAEL_CCINIT_GPU_OP));
	if (count >= 0)
		json_object_object_add(v, GPU_AAEL_RV_COUNT, json_object_new_int(count));
	return v;
}

int gpu_aael_rvps_add(struct rvps_msg *m, int count)
{
	int r = rvps_add_string(m, GPU_AAEL_RV_DOMAIN, RVPS_EQ, AAEL_CCINIT_DOMAIN);

	if (r == 0)
		r = rvps_add_string(m, GPU_AAEL_RV_OPERATION, RVPS_EQ, AAEL_CCINIT_GPU_OP);
	if (r == 0 && count >= 0)
		r = rvps_add_int(m, GPU_AAEL_RV_COUNT, RVPS_EQ, count);
	return r;
}
