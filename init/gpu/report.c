// SPDX-License-Identifier: Apache-2.0
/*
 * SPDM GET_MEASUREMENTS request + MEASUREMENTS response, laid out as DMTF's
 * SPDM 1.1 (DSP0274) gives it and NVIDIA's local verifier reads it
 * (init/gpu/attestation.md, 2). Little-endian lengths; nothing is trusted
 * before its bounds are checked.
 */
#include "init/gpu/report.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "init/base/bytes.h"
#include "init/base/why.h"

#define SPDM_GET_MEASUREMENTS 0xE0
#define SPDM_MEASUREMENTS     0x60
#define REQUEST_SIZE          37 /* version, code, param1, param2, nonce, slot id */
#define DMTF_SPECIFICATION    0x01
#define DMTF_HEADER_SIZE      3 /* value type, value size */

/* NVIDIA's opaque data field ids (the local verifier's OPAQUE_DATA_TYPES). */
#define OPAQUE_DRIVER_VERSION 3
#define OPAQUE_VBIOS_VERSION  6
#define OPAQUE_NVDEC0_STATUS  11
#define OPAQUE_CHIP_SKU       15
#define OPAQUE_PROJECT        17
#define OPAQUE_PROJECT_SKU    18
#define OPAQUE_FWID           20
#define VBIOS_VERSION_SIZE    8

static int bad(char *why, size_t size, size_t offset, const char *what)
{
	return why_set(why, size, -EBADMSG, "GPU attestation report, byte %zu: %s", offset, what);
}

static int parse_blocks(const uint8_t *p, size_t len, size_t base, struct gpu_report *r, char *why,
                        size_t size)
{
	size_t off = 0;

	for (unsigned i = 0; i < r->block_count; i++) {
		struct gpu_report_block *b = &r->blocks[i];
		uint16_t msize;

		if (len - off < 4)
			return bad(why, size, base + off,
			           "measurement block header past the record");
		b->index = p[off];
		if (p[off + 1] != DMTF_SPECIFICATION)
			return bad(why, size, base + off + 1,
			           "measurement block not in DMTF format");
		msize = le16(p + off + 2);
		off += 4;
		if (len - off < msize || msize < DMTF_HEADER_SIZE)
			return bad(why, size, base + off - 2,
			           "measurement block size out of bounds");
		b->value_type = p[off];
		b->value_size = le16(p + off + 1);
		if (b->value_size != msize - DMTF_HEADER_SIZE)
			return bad(why, size, base + off + 1,
			           "measurement value size disagrees with its block size");
		b->value = p + off + DMTF_HEADER_SIZE;
		off += msize;
	}
	if (off != len)
		return bad(why, size, base + off, "bytes left over after the measurement blocks");
	return 0;
}

/* NVIDIA's VBIOS version order: bytes 3, 2, 1, 0 then 4, as nvidia-smi prints it. */
static void format_vbios(const uint8_t *v, char *out, size_t size)
{
	snprintf(out, size, "%02X.%02X.%02X.%02X.%02X", v[3], v[2], v[1], v[0], v[4]);
}

/*
 * A text field: printable, given once, NUL-padded; NVIDIA's verifier strips
 * the padding and surrounding spaces (the VBIOS RIM id's parts come so).
 */
static int opaque_text(char *out, size_t out_size, const uint8_t *v, uint16_t n, size_t at,
                       const char *name, char *why, size_t size)
{
	size_t len = strnlen((const char *)v, n), start = 0;
	char what[96];

	while (len && v[len - 1] == ' ')
		len--;
	while (start < len && v[start] == ' ')
		start++;
	snprintf(what, sizeof(what), "%s field repeated, empty or too long", name);
	if (out[0] || len == start || len - start >= out_size)
		return bad(why, size, at, what);
	for (size_t i = start; i < len; i++)
		if (v[i] < 0x20 || v[i] > 0x7e) {
			snprintf(what, sizeof(what), "%s not printable", name);
			return bad(why, size, at + i, what);
		}
	memcpy(out, v + start, len - start);
	out[len - start] = '\0';
	return 0;
}

static int opaque_field(struct gpu_report *r, uint16_t type, const uint8_t *v, uint16_t n,
                        size_t at, char *why, size_t size)
{
	switch (type) {
	case OPAQUE_DRIVER_VERSION:
		return opaque_text(r->driver_version, sizeof(r->driver_version), v, n, at,
		                   "driver version", why, size);
	case OPAQUE_PROJECT:
		return opaque_text(r->project, sizeof(r->project), v, n, at, "project", why, size);
	case OPAQUE_PROJECT_SKU:
		return opaque_text(r->project_sku, sizeof(r->project_sku), v, n, at, "project SKU",
		                   why, size);
	case OPAQUE_CHIP_SKU:
		return opaque_text(r->chip_sku, sizeof(r->chip_sku), v, n, at, "chip SKU", why,
		                   size);
	case OPAQUE_VBIOS_VERSION:
		if (r->vbios_version[0] || n != VBIOS_VERSION_SIZE)
			return bad(why, size, at, "VBIOS version field repeated or not 8 bytes");
		format_vbios(v, r->vbios_version, sizeof(r->vbios_version));
		return 0;
	case OPAQUE_NVDEC0_STATUS:
		if (r->nvdec0_present || n < 1)
			return bad(why, size, at, "NVDEC0 status field repeated or empty");
		r->nvdec0_present = true;
		r->nvdec0_status = v[0];
		return 0;
	case OPAQUE_FWID:
		if (r->fwid || n != GPU_REPORT_FWID_SIZE)
			return bad(why, size, at, "FWID field repeated or not 48 bytes");
		r->fwid = v;
		return 0;
	default: /* the other fields are recorded in the evidence, not judged here */
		return 0;
	}
}

static int parse_opaque(struct gpu_report *r, size_t base, char *why, size_t size)
{
	const uint8_t *p = r->opaque;
	size_t off = 0;
	int e;

	while (off < r->opaque_size) {
		uint16_t type, n;

		if (r->opaque_size - off < 4)
			return bad(why, size, base + off,
			           "opaque field header past the opaque data");
		type = le16(p + off);
		n = le16(p + off + 2);
		off += 4;
		if (r->opaque_size - off < n)
			return bad(why, size, base + off - 2, "opaque field past the opaque data");
		e = opaque_field(r, type, p + off, n, base + off, why, size);
		if (e < 0)
			return e;
		off += n;
	}
	return 0;
}

static int parse_request(const uint8_t *p, size_t size, struct gpu_report *r, char *why,
                         size_t why_size)
{
	if (size < REQUEST_SIZE + 8)
		return bad(why, why_size, size, "shorter than a request and a response header");
	if (p[1] != SPDM_GET_MEASUREMENTS)
		return bad(why, why_size, 1, "not an SPDM GET_MEASUREMENTS request");
	if (!(p[2] & 1))
		return bad(why, why_size, 2, "the request did not ask for a signature");
	r->spdm_version = p[0];
	r->request_nonce = p + 4;
	if (p[REQUEST_SIZE] != r->spdm_version)
		return bad(why, why_size, REQUEST_SIZE, "response SPDM version differs");
	if (p[REQUEST_SIZE + 1] != SPDM_MEASUREMENTS)
		return bad(why, why_size, REQUEST_SIZE + 1, "not an SPDM MEASUREMENTS response");
	return 0;
}

int gpu_report_parse(const uint8_t *report, size_t size, struct gpu_report *r, char *why,
                     size_t why_size)
{
	const uint8_t *resp = report + REQUEST_SIZE;
	size_t left, record, at;
	int e;

	memset(r, 0, sizeof(*r));
	e = parse_request(report, size, r, why, why_size);
	if (e < 0)
		return e;
	left = size - REQUEST_SIZE;
	r->block_count = resp[4];
	record = resp[5] | (size_t)resp[6] << 8 | (size_t)resp[7] << 16;
	at = REQUEST_SIZE + 8;
	if (r->block_count == 0)
		return bad(why, why_size, REQUEST_SIZE + 4, "no measurement blocks");
	if (left - 8 < record)
		return bad(why, why_size, REQUEST_SIZE + 5, "measurement record past the end");
	e = parse_blocks(resp + 8, record, at, r, why, why_size);
	if (e < 0)
		return e;
	at += record;
	if (size - at < GPU_REPORT_NONCE_SIZE + 2)
		return bad(why, why_size, at, "nonce and opaque length past the end");
	r->response_nonce = report + at;
	r->opaque_size = le16(report + at + GPU_REPORT_NONCE_SIZE);
	at += GPU_REPORT_NONCE_SIZE + 2;
	if (size - at != r->opaque_size + GPU_REPORT_SIGNATURE_SIZE)
		return bad(why, why_size, at - 2,
		           "opaque data and a 96-byte signature do not fill the rest exactly");
	r->opaque = report + at;
	e = parse_opaque(r, at, why, why_size);
	if (e < 0)
		return e;
	r->signed_data = report;
	r->signed_size = size - GPU_REPORT_SIGNATURE_SIZE;
	r->signature = report + r->signed_size;
	return 0;
}

const struct gpu_report_block *gpu_report_block(const struct gpu_report *r, unsigned index)
{
	for (unsigned i = 0; i < r->block_count; i++)
		if (r->blocks[i].index == index)
			return &r->blocks[i];
	return NULL;
}
