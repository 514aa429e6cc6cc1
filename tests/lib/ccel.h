/* SPDX-License-Identifier: Apache-2.0 */
/* trustee's CC event log fixtures and the registers they replay to, for test_eventlog and test_tdx.
 */
#pragma once

#include <stdint.h>

#include "measurement/tdx.h"

#define CCEL_OVMF "tests/fixtures/ccel/CCEL_data_ovmf"
#define CCEL_GRUB "tests/fixtures/ccel/CCEL_data_grub"

/* measurement/README.md, 6.6: replaying trustee's CCEL_data_ovmf (nothing extends RTMR3). */
static const char *const ccel_ovmf_rtmr[4] = {
        "8566f998798db09443b244c62de9a3041fb02e2e6936c4396d784bba2e90177329ec5aba3bb484404f2ab9cc90"
        "abe193",
        "775b9f6bfe99f8a31396f0d0218e67ffa796d3b96ccf961cbb0deba48c79c00f082cda1a5567c1c16305f1fc21"
        "0c13c6",
        "94eaf7a7bf398ed8d888c91057ae0261802e4f3df084213a76ca7f0b5055ac9d2241de43cd58d9e8b49c503bbf"
        "25f34a",
        "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
        "000000",
};

/* A SHA-384 digest in hex; four calls' results live at once. */
static inline const char *hex48(const uint8_t *d)
{
	static char buf[4][97];
	static int i;
	i = (i + 1) % 4;
	return tdx_hex(d, SHA384_LEN, buf[i]);
}
