/* SPDX-License-Identifier: Apache-2.0 */
/* Standard base64 (RFC 4648, with padding), as RVPS messages and NVIDIA's evidence lists write it.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* The encoding of n bytes into a new string (caller frees): 0, -ENOMEM or -EOVERFLOW. */
int base64_encode(const uint8_t *data, size_t n, char **out);
