/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The FWID check of the local GPU attestation gate (init/gpu/attestation.md,
 * 3): the firmware identity the report carries against the one NVIDIA put
 * in the leaf certificate, in Hopper's or Blackwell's DICE form. Its own
 * file so the tests can hand it a leaf that no longer chains (a mutated
 * FWID) and see this check, not the chain's, refuse it.
 */
#pragma once

#include <stddef.h>

struct gpu_report;
struct mbedtls_x509_crt;

/*
 * 0 when the report's FWID equals the leaf's, or when the report carries
 * none (drivers before the FWID opaque field, as NVIDIA's verifiers allow).
 * Otherwise -EKEYREJECTED, why starting "FWID: ".
 */
int gpu_attest_check_fwid(const struct mbedtls_x509_crt *leaf, const struct gpu_report *rep,
                          char *why, size_t why_size);
