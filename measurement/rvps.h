/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Trustee RVPS reference-value messages (measurement/README.md, 8): the
 * "sample" extractor's {"version":"0.1.0","type":"sample","payload":B64},
 * where B64 is standard base64 of a JSON object {name: value, ...}.
 *
 * Which shape a value takes depends on how the default policy compares it and
 * on the trustee release that will read it:
 *   - RVPS_IN: the policy uses `in`, so the value is a list: ["v"].
 *   - RVPS_EQ: the policy uses `==`, so the value is bare: "v", 3, true.
 *     Releases before v0.14.0 accepted only lists of strings, so for them every
 *     value becomes ["v"] (integers and booleans as their decimal/word text).
 *   - The SNP launch measurement is base64 in v0.10.0-v0.17.0 and lowercase hex
 *     from v0.18.0 (rvps_add_snp_measurement picks by version).
 *
 * Usage:
 *	struct rvps_msg *m = rvps_new(NULL);           // NULL: newest release
 *	rvps_add_snp_measurement(m, digest48);
 *	rvps_add_int(m, "snp_bootloader", RVPS_IN, 3);
 *	rvps_write_file(m, "rvps-snp.json");            // for rvps-tool register --path
 *	rvps_free(m);
 * All functions return 0 or a negative errno.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum rvps_cmp {
	RVPS_IN, /* policy: `input in query_reference_value(name)`: emit a list */
	RVPS_EQ, /* policy: `input == query_reference_value(name)`: emit a scalar */
};

struct rvps_msg;

/* The trustee release the output is for, "0.17.0" or "v0.18.0"; NULL means the newest known. */
int rvps_version_parse(const char *trustee_version, unsigned *major, unsigned *minor);

/* Allocates an empty message for the given trustee release (see above). -EINVAL on a bad version.
 */
int rvps_new(struct rvps_msg **out, const char *trustee_version);
void rvps_free(struct rvps_msg *m);

/* Lowercase hex of bytes, e.g. mr_td, rtmr_1, tdvfkernel. Replaces an earlier value of the same
 * name. */
int rvps_add_hex(struct rvps_msg *m, const char *name, enum rvps_cmp cmp, const uint8_t *bytes,
                 size_t len);
int rvps_add_string(struct rvps_msg *m, const char *name, enum rvps_cmp cmp, const char *value);
/* name: the list of values (NULL-terminated), as RVPS_IN gives one value. */
int rvps_add_strings(struct rvps_msg *m, const char *name, const char *const *values);
int rvps_add_int(struct rvps_msg *m, const char *name, enum rvps_cmp cmp, long long value);
int rvps_add_bool(struct rvps_msg *m, const char *name, enum rvps_cmp cmp, bool value);
/* "snp_launch_measurement": hex or base64 of the 48-byte digest, as the release wants it. */
int rvps_add_snp_measurement(struct rvps_msg *m, const uint8_t digest[48]);

/* The payload JSON before base64, e.g. for a human-readable report. Caller frees. */
int rvps_payload_json(const struct rvps_msg *m, char **out);
/* The whole message, one line ending in "\n". Caller frees. */
int rvps_message_json(const struct rvps_msg *m, char **out);
int rvps_write(const struct rvps_msg *m, FILE *f);
/* Writes the message to path ("-" is stdout), created 0644 or truncated. */
int rvps_write_file(const struct rvps_msg *m, const char *path);
