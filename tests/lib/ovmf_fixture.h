/* SPDX-License-Identifier: Apache-2.0 */
/* The published SEV OVMF fixtures (tests/fixtures/sev-snp/), read and parsed, for test_ovmf and
 * test_snp. */
#pragma once

#include <stdint.h>

#include "measurement/measure_input.h"
#include "measurement/ovmf.h"
#include "tests/lib/tap.h"

#define FIXTURES "tests/fixtures/sev-snp/"
#define AMDSEV   FIXTURES "ovmf_AmdSev_suffix.bin"
#define OVMFX64  FIXTURES "ovmf_OvmfX64_suffix.bin"

struct fixture {
	uint8_t *data;
	size_t size;
	struct ovmf fw;
};

/* Reads and parses the fixture at path; either failing fails the test. */
static inline void load(struct fixture *f, const char *path)
{
	char why[256] = "";

	if (read_file_all(path, 1 << 20, &f->data, &f->size, why, sizeof(why)) < 0)
		tap_fail("%s: %s (tests/fixtures/README.md)", path, why);
	if (ovmf_parse(&f->fw, f->data, f->size, why, sizeof(why)) < 0)
		tap_fail("%s: %s", path, why);
}
