/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Confidential-computing event logs in the TCG2 crypto-agile format, as the
 * guest firmware leaves them in the ACPI CCEL table
 * (/sys/firmware/acpi/tables/data/CCEL): a SHA-1-format header event carrying
 * the "Spec ID Event03" algorithm list, then TCG_PCR_EVENT2 records. The
 * record's index is the CC MR index: 0 is MRTD, 1..4 are RTMR0..3.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "measurement/tdx.h"

#define TCG_ALG_SHA384 0x000c

/* Event types (TCG PC Client Platform Firmware Profile, UEFI 2.10 section 38). */
#define EV_NO_ACTION                   0x00000003u
#define EV_SEPARATOR                   0x00000004u
#define EV_ACTION                      0x00000005u
#define EV_EVENT_TAG                   0x00000006u
#define EV_PLATFORM_CONFIG_FLAGS       0x0000000au
#define EV_IPL                         0x0000000du
#define EV_EFI_VARIABLE_DRIVER_CONFIG  0x80000001u
#define EV_EFI_VARIABLE_BOOT           0x80000002u
#define EV_EFI_BOOT_SERVICES_APP       0x80000003u
#define EV_EFI_BOOT_SERVICES_DRIVER    0x80000004u
#define EV_EFI_RUNTIME_SERVICES_DRIVER 0x80000005u
#define EV_EFI_GPT_EVENT               0x80000006u
#define EV_EFI_ACTION                  0x80000007u
#define EV_EFI_PLATFORM_FIRMWARE_BLOB  0x80000008u
#define EV_EFI_HANDOFF_TABLES          0x80000009u
#define EV_EFI_PLATFORM_FIRMWARE_BLOB2 0x8000000au
#define EV_EFI_HANDOFF_TABLES2         0x8000000bu
#define EV_EFI_VARIABLE_BOOT2          0x8000000cu
#define EV_EFI_VARIABLE_AUTHORITY      0x800000e0u

/* Tagged-event IDs the Linux EFI stub uses for what lands in RTMR2. */
#define EV_TAG_LOAD_OPTIONS 0x8f3b22edu
#define EV_TAG_INITRD       0x8f3b22ecu

#define CC_MR_COUNT 4 /* RTMR0..3 */

struct cc_event {
	uint32_t mr_index; /* CC MR index as stored: RTMR n is n + 1 */
	uint32_t type;
	bool has_sha384;
	uint8_t digest[SHA384_LEN];
	const uint8_t *data; /* the event data, inside the buffer given to eventlog_parse */
	uint32_t data_len;
	size_t offset; /* of the record in the log */
};

struct cc_eventlog {
	struct cc_event *ev; /* every TCG_PCR_EVENT2 record after the header, in log order */
	size_t n;
	unsigned n_algs;
	uint16_t alg_id[8];
	uint16_t alg_size[8];
	size_t end; /* where parsing stopped: the first byte of unused (0xff or 0x00) space */
};

/*
 * Parses a whole log. The events keep pointers into buf, which must outlive
 * the log. Parsing stops at the first record header of all 0xff or all 0x00
 * (the unused rest of the CCEL area). Returns 0 or -EBADMSG with why set.
 */
int eventlog_parse(const uint8_t *buf, size_t len, struct cc_eventlog *log, char *why,
                   size_t why_size);
void eventlog_free(struct cc_eventlog *log);

/* Replays into rtmr[0..3]. Fails (-EBADMSG, why set) when an extending event has no SHA-384. */
int eventlog_replay(const struct cc_eventlog *log, uint8_t rtmr[CC_MR_COUNT][SHA384_LEN], char *why,
                    size_t why_size);

/* Whether the event extends a register: not EV_NO_ACTION, and an RTMR index. */
bool eventlog_extends(const struct cc_event *ev);
/* The RTMR (0..3) an event extends, or -1 (MRTD, or out of range). */
int eventlog_rtmr(const struct cc_event *ev);

/* "EV_EFI_ACTION", or "EV_0x1234" into a static buffer-free form when unknown. */
const char *eventlog_type_name(uint32_t type);
/*
 * A one-line, printable description of the event data: the action string,
 * "8be4df61-...:SecureBoot (0 bytes)", "VenMedia(...)/File(kernel)", ...
 * Never reads outside ev->data; bad data gives "(malformed ...)".
 */
void eventlog_describe(const struct cc_event *ev, char *out, size_t outlen);
/* Whether digest == SHA-384(event data), as for actions, separators and driver-config variables. */
bool eventlog_digest_is_of_data(const struct cc_event *ev);

/* The kernel image event (File(kernel)) and the LoadOptions tag, as trustee's policy finds them. */
const struct cc_event *eventlog_find_kernel(const struct cc_eventlog *log);
const struct cc_event *eventlog_find_load_options(const struct cc_eventlog *log);

/*
 * A prediction to diff a log against: per RTMR, the expected event digests
 * with a name for each ("kernel", "separator", ...), or only the final value.
 * Read from `ccimage measure --mode tdx --json --events` output.
 */
#define PRED_MAX_EVENTS 64
struct pred_event {
	char name[64];
	uint8_t digest[SHA384_LEN];
};
struct prediction {
	bool has_value[CC_MR_COUNT];
	uint8_t value[CC_MR_COUNT][SHA384_LEN];
	bool has_events[CC_MR_COUNT];
	struct pred_event ev[CC_MR_COUNT][PRED_MAX_EVENTS];
	size_t n_ev[CC_MR_COUNT];
	bool has_kernel, has_params;
	uint8_t kernel[SHA384_LEN], params[SHA384_LEN];
};

/* Parses the prediction JSON (a strict reader; unknown keys are skipped). -EBADMSG with why. */
int prediction_parse(const char *json, size_t len, struct prediction *p, char *why,
                     size_t why_size);

/*
 * Writes the differences between log and prediction to f, one paragraph per
 * RTMR that differs, naming its first differing event. Returns the number of
 * registers that differ (0: all predicted values match), or a negative errno.
 */
int eventlog_diff(const struct cc_eventlog *log, const struct prediction *p, FILE *f, char *why,
                  size_t why_size);
