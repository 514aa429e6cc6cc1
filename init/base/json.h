/* SPDX-License-Identifier: Apache-2.0 */
/* Writing a JSON string to a stream. */
#pragma once

#include <stdio.h>

/* s as a JSON string, quotes included; control bytes and DEL as \u00XX, invalid UTF-8 as U+FFFD. */
void json_write_string(FILE *out, const char *s);
