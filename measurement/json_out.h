/* SPDX-License-Identifier: Apache-2.0 */
/* Writing JSON strings to a stream: the reports ccimage prints and the manifests it writes. */
#pragma once

#include <stdio.h>

/* Writes s as a JSON string, quotes included; control bytes and DEL as \u00XX. */
void json_write_string(FILE *f, const char *s);
