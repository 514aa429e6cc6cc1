/* SPDX-License-Identifier: Apache-2.0 */
/*
 * NVIDIA GPU reference values for trustee's default GPU policy
 * (measurement/README.md, 14): the driver and VBIOS versions it looks up as
 * `allowed_driver_versions` and `allowed_vbios_versions`, added to an RVPS
 * message (rvps.h). Functions return 0 or a negative errno with why filled.
 */
#pragma once

#include <stddef.h>

#include "measurement/rvps.h"

/* The lock packages that carry the driver version, all from one NVIDIA source package. */
extern const char *const gpu_driver_packages[];

/*
 * The driver version a Debian package version names: "535.261.03-1" and
 * "1:535.261.03-1~deb12u1" give "535.261.03". -EINVAL when what is left is
 * not numbers joined by dots.
 */
int gpu_driver_version_from_deb(const char *deb_version, char *out, size_t out_size, char *why,
                                size_t why_size);

/*
 * Adds allowed_driver_versions (drivers: at least one, NULL-terminated) and,
 * when vbios names any (NULL-terminated; NULL or empty: none),
 * allowed_vbios_versions, each VBIOS in the verifier's form: lowercase hex
 * byte pairs joined by dots ("96.00.9F.00.01", as nvidia-smi prints it,
 * becomes "96.00.9f.00.01"). -EINVAL on a malformed version or a trustee
 * release before the default GPU policy (v0.16.0).
 */
int gpu_rv_add(struct rvps_msg *m, const char *trustee_version, const char *const *drivers,
               const char *const *vbios, char *why, size_t why_size);
