/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What ccimage's JSON documents share on top of json-c, which builds and
 * serialises them: strings from arbitrary bytes, hex digests, and the one
 * way a finished document is written out.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <json-c/json.h>

/* Reports and manifests: indented, "key": value, slashes as they are. */
#define JSONDOC_PRETTY                                                                             \
	(JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE)
/* One line, no spaces: output meant for scripts and line-oriented tools. */
#define JSONDOC_LINE (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

/*
 * s as a JSON string, or JSON null when s is NULL. json-c copies bytes as
 * they are; a path or a kernel .config may hold any, so each byte that does
 * not start a valid UTF-8 sequence (overlong forms, surrogates, cut short)
 * becomes U+FFFD and the document stays valid JSON.
 */
json_object *jsondoc_text(const char *s);

/* n bytes as a lowercase hex string. */
json_object *jsondoc_hex(const uint8_t *b, size_t n);

/* {"path": path, "size": size, "sha256": hex}: one input file of a report. */
json_object *jsondoc_file(const char *path, uint64_t size, const uint8_t sha256[32]);

/*
 * doc serialised with flags and a newline to f, then released (always):
 * 0, or -EIO when the text could not be made or written.
 */
int jsondoc_print(FILE *f, json_object *doc, int flags);
