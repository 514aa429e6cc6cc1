/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The JSON report of one launch measurement (measurement/launch.h): what
 * `ccimage measure --json` prints and what `ccimage build` writes as
 * measurement-<report>.json, from one function so the two cannot differ.
 * SEV modes: {"mode", "measurement", "measurement_base64", "inputs"}; TDX:
 * one object keyed by trustee's names (mr_td, rtmr_1, ...).
 */
#pragma once

#include <stdio.h>

#include <json-c/json.h>

#include "measurement/launch.h"

/* The report, or NULL when out of memory. */
json_object *launch_report_json(const struct launch_in *in, const struct launch_result *res);
/* The report written to f as the command prints it (pretty for SEV, one line for TDX). 0 or -EIO.
 */
int launch_report_print(FILE *f, const struct launch_in *in, const struct launch_result *res);
/* How the report of mode is serialised (JSONDOC_PRETTY or JSONDOC_LINE). */
int launch_report_flags(const struct tee_mode *mode);
