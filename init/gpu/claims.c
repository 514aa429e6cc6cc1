// SPDX-License-Identifier: Apache-2.0
/*
 * NVIDIA's claim names and CoCo's evidence list (claims.h). Names and shapes
 * are the attestation SDK's (73c032eb: src/gpu/claims.cpp to_json,
 * include/nv_attestation/claims.h) and the CoCo attester's
 * (guest-components 8246e5e0: attestation-agent/attester/src/nvidia/nvat.rs).
 * A claim the gate did not establish is not claimed: no OCSP status (the
 * relying party's check), and no RIM claims when none were compared.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "init/base/base64.h"
#include "init/base/hex.h"
#include "init/gpu/claims.h"

/* The leaf serial (big-endian) in decimal: NVIDIA's ueid. */
static void decimal(const uint8_t *be, size_t n, char *out, size_t size)
{
	uint8_t num[32];
	char digits[96];
	size_t len = 0;

	out[0] = '\0';
	if (n > sizeof(num) || size < 2)
		return;
	memcpy(num, be, n);
	do { /* divide by ten, most significant byte first; the remainders are the digits */
		unsigned rem = 0;
		int nonzero = 0;

		for (size_t i = 0; i < n; i++) {
			unsigned cur = rem * 256 + num[i];

			num[i] = (uint8_t)(cur / 10);
			rem = cur % 10;
			nonzero |= num[i];
		}
		digits[len++] = (char)('0' + rem);
		if (!nonzero)
			break;
	} while (len < sizeof(digits));
	for (size_t i = 0; i < len && i + 1 < size; i++)
		out[i] = digits[len - 1 - i];
	out[len < size ? len : size - 1] = '\0';
}

static void add_string(struct json_object *o, const char *key, const char *value)
{
	json_object_object_add(o, key, json_object_new_string(value));
}

static void add_bool(struct json_object *o, const char *key, int value)
{
	json_object_object_add(o, key, json_object_new_boolean(value));
}

static struct json_object *cert_chain(const char *status)
{
	struct json_object *o = json_object_new_object();

	if (o)
		add_string(o, "x-nvidia-cert-status", status);
	return o;
}

static const struct gpu_golden_measurement *measured_at(const struct gpu_golden_rim *rim,
                                                        unsigned index)
{
	for (unsigned i = 0; rim && i < rim->count; i++)
		if (rim->m[i].index == index)
			return &rim->m[i];
	return NULL;
}

static struct json_object *mismatch_records(const struct gpu_report *rep,
                                            const struct gpu_rim_result *res)
{
	struct json_object *list = json_object_new_array();
	char hex[2 * GPU_GOLDEN_MAX_VALUE + 1];

	for (unsigned i = 0; list && i <= GPU_GOLDEN_MAX_INDEX; i++) {
		const struct gpu_golden_rim *rim =
		        res->mismatch[i] == 1 + GPU_GOLDEN_DRIVER ? res->driver : res->vbios;
		const struct gpu_golden_measurement *m;
		const struct gpu_report_block *b;
		struct json_object *r;

		if (!res->mismatch[i])
			continue;
		m = measured_at(rim, i);
		b = gpu_report_block(rep, i + 1);
		if (!m || !(r = json_object_new_object()))
			continue;
		json_object_object_add(r, "index", json_object_new_int((int)i));
		json_object_object_add(r, "goldenSize", json_object_new_int((int)m->size));
		hex_encode(m->values[0], m->size, hex);
		add_string(r, "goldenValue", hex);
		json_object_object_add(r, "runtimeSize",
		                       json_object_new_int(b ? b->value_size : 0));
		if (b && b->value_size <= GPU_GOLDEN_MAX_VALUE)
			hex_encode(b->value, b->value_size, hex);
		add_string(r, "runtimeValue",
		           b && b->value_size <= GPU_GOLDEN_MAX_VALUE ? hex : "NA");
		add_string(r, "measurementSource", rim == res->driver ? "Driver" : "Firmware");
		json_object_array_add(list, r);
	}
	return list;
}

static void add_rim_claims(struct json_object *o, const struct gpu_report *rep,
                           const struct gpu_rim_result *res)
{
	static const char *const kinds[] = {"driver", "vbios"};
	const struct gpu_golden_rim *rims[] = {res->driver, res->vbios};
	int success = gpu_rim_matched(res);
	char key[64];

	for (unsigned k = 0; k < 2; k++) {
		/* ccimage verified every RIM it put in the table, and chose it by version. */
		snprintf(key, sizeof(key), "x-nvidia-gpu-%s-rim-fetched", kinds[k]);
		add_bool(o, key, rims[k] != NULL);
		snprintf(key, sizeof(key), "x-nvidia-gpu-%s-rim-signature-verified", kinds[k]);
		add_bool(o, key, rims[k] != NULL);
		snprintf(key, sizeof(key), "x-nvidia-gpu-%s-rim-version-match", kinds[k]);
		add_bool(o, key, rims[k] != NULL);
		snprintf(key, sizeof(key), "x-nvidia-gpu-%s-rim-measurements-available", kinds[k]);
		add_bool(o, key, rims[k] != NULL);
		snprintf(key, sizeof(key), "x-nvidia-gpu-%s-rim-cert-chain", kinds[k]);
		json_object_object_add(o, key,
		                       rims[k] ? cert_chain(rims[k]->expired ? "expired" : "valid")
		                               : NULL);
	}
	add_bool(o, "x-nvidia-gpu-vbios-index-no-conflict", res->driver && res->vbios);
	add_string(o, "measres", success ? "success" : "fail");
	/* The SDK claims these only when the measurements matched. */
	json_object_object_add(o, "secboot", success ? json_object_new_boolean(1) : NULL);
	json_object_object_add(o, "dbgstat", success ? json_object_new_string("disabled") : NULL);
	json_object_object_add(o, "x-nvidia-mismatch-measurement-records",
	                       success ? NULL : mismatch_records(rep, res));
}

struct json_object *gpu_claims_new(const struct gpu_report *rep, const struct gpu_rim_result *res,
                                   const uint8_t nonce[GPU_REPORT_NONCE_SIZE])
{
	struct json_object *o = json_object_new_object();
	char hex[2 * GPU_REPORT_NONCE_SIZE + 1], ueid[96];

	if (!o)
		return NULL;
	hex_encode(nonce, GPU_REPORT_NONCE_SIZE, hex);
	add_string(o, "eat_nonce", hex);
	add_string(o, "hwmodel", rep->hwmodel);
	decimal(rep->leaf_serial, rep->leaf_serial_size, ueid, sizeof(ueid));
	add_string(o, "ueid", ueid);
	add_string(o, "x-nvidia-device-type", "gpu");
	add_bool(o, "x-nvidia-gpu-arch-check", 1);
	add_string(o, "x-nvidia-gpu-driver-version", rep->driver_version);
	add_string(o, "x-nvidia-gpu-vbios-version", rep->vbios_version);
	json_object_object_add(o, "x-nvidia-gpu-attestation-report-cert-chain",
	                       cert_chain("valid"));
	/* A report without the FWID field was not compared with the leaf (attestation.md, 3). */
	json_object_object_add(o, "x-nvidia-gpu-attestation-report-cert-chain-fwid-match",
	                       rep->fwid ? json_object_new_boolean(1) : NULL);
	add_bool(o, "x-nvidia-gpu-attestation-report-parsed", 1);
	add_bool(o, "x-nvidia-gpu-attestation-report-nonce-match", 1);
	add_bool(o, "x-nvidia-gpu-attestation-report-signature-verified", 1);
	if (res)
		add_rim_claims(o, rep, res);
	else
		add_string(o, "measres", "not-run");
	add_string(o, "x-nvidia-gpu-claims-version", "3.0");
	return o;
}

struct json_object *gpu_evidence_entry_new(const struct gpu_report *rep, const uint8_t *report,
                                           size_t report_size, const char *chain, size_t chain_size,
                                           const uint8_t nonce[GPU_REPORT_NONCE_SIZE])
{
	const char *arch = strncmp(rep->leaf_chip, "GH", 2) == 0   ? "HOPPER"
	                   : strncmp(rep->leaf_chip, "GB", 2) == 0 ? "BLACKWELL"
	                                                           : NULL;
	char hex[2 * GPU_REPORT_NONCE_SIZE + 1], *evidence = NULL, *certificate = NULL;
	struct json_object *o = arch ? json_object_new_object() : NULL;

	if (o && base64_encode(report, report_size, &evidence) == 0 &&
	    base64_encode((const uint8_t *)chain, chain_size, &certificate) == 0) {
		hex_encode(nonce, GPU_REPORT_NONCE_SIZE, hex);
		add_string(o, "arch", arch);
		add_string(o, "uuid",
		           "unknown"); /* the attester's own default: NVAT reports none */
		add_string(o, "nonce", hex);
		add_string(o, "evidence", evidence);
		add_string(o, "certificate", certificate);
	} else if (o) {
		json_object_put(o);
		o = NULL;
	}
	free(evidence);
	free(certificate);
	return o;
}
