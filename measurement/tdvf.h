/* SPDX-License-Identifier: Apache-2.0 */
/*
 * TDVF metadata of an OVMF/TDVF image and the MRTD it produces
 * (measurement/README.md, 5): the image's GUIDed footer table points at a "TDVF" descriptor
 * whose sections say which pages QEMU adds (TDH.MEM.PAGE.ADD) and which it
 * measures (TDH.MR.EXTEND).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "measurement/tdx.h"

enum tdvf_type {
	TDVF_BFV = 0,
	TDVF_CFV = 1,
	TDVF_TD_HOB = 2,
	TDVF_TEMP_MEM = 3,
	TDVF_PERM_MEM = 4,
	TDVF_PAYLOAD = 5,
	TDVF_PAYLOAD_PARAM = 6,
	TDVF_TD_INFO = 7,
};

#define TDVF_ATTR_MR_EXTEND 0x1u
#define TDVF_ATTR_PAGE_AUG  0x2u

/* A sanity bound on sections: real images have 6-8; anything huge is corrupt. */
#define TDVF_MAX_SECTIONS 64

struct tdvf_section {
	uint32_t data_offset;
	uint32_t raw_size;
	uint64_t gpa;
	uint64_t mem_size;
	uint32_t type;
	uint32_t attributes;
};

struct tdvf {
	struct tdvf_section sec[TDVF_MAX_SECTIONS];
	size_t n;
	size_t descriptor_offset; /* file offset of the "TDVF" signature */
};

/*
 * Finds and checks the descriptor. Every section that is measured must lie
 * inside fw, so tdvf_mrtd() can then read without further checks.
 * Returns 0, -ENOENT (no TDX metadata), or -EBADMSG (inconsistent), with why set.
 */
int tdvf_parse(const uint8_t *fw, size_t len, struct tdvf *out, char *why, size_t why_size);

/* MRTD; two_pass adds all pages of a section before extending any (QEMU 8.x). */
int tdvf_mrtd(const uint8_t *fw, size_t len, const struct tdvf *t, bool two_pass,
              uint8_t out[SHA384_LEN]);

const char *tdvf_type_name(uint32_t type);
