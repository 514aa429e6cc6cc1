/* SPDX-License-Identifier: Apache-2.0 */
/* The signature half of measurement/gpu_rim.h: libxmlsec1 on a parsed RIM. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include <libxml/tree.h>

#include "measurement/gpu_rim.h"

/*
 * doc's enveloped signature (a ds:Signature child of the root, whose one
 * Reference is the whole document) verified with a key from its own
 * X509Data, chained to root. *expired tells whether the chain had run out
 * (only ever true with accept_expired). 0, or -EINVAL / -ENOMEM with why.
 */
int gpu_rim_verify_doc(const char *name, xmlDoc *doc, const struct gpu_rim_root *root,
                       bool accept_expired, bool *expired, char *why, size_t why_size);
