/* SPDX-License-Identifier: Apache-2.0 */
/* CC event log parsing, replay and event descriptions; the format is in eventlog.h. */
#include "init/base/bytes.h"
#include "init/base/hex.h"
#include "measurement/eventlog.h"
#include "init/base/why.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SHA1_HDR_LEN  32u /* pcr, type, 20-byte digest, event size */
#define MAX_ALGS      8u
#define MAX_DIGEST    64u
#define MIN_EVENT2    12u /* pcr, type, digest count */
#define SPEC_ID_FIXED 28u /* signature .. numberOfAlgorithms */

static bool all_bytes(const uint8_t *p, size_t n, uint8_t v)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != v)
			return false;
	return true;
}

static int parse_spec_id(const uint8_t *buf, size_t len, struct cc_eventlog *log, size_t *pos,
                         char *why, size_t why_size)
{
	uint32_t type, size, nalg;
	const uint8_t *ev;

	if (len < SHA1_HDR_LEN)
		return why_set(why, why_size, -EBADMSG,
		               "log is %zu bytes, too short for its header event", len);
	type = le32(buf + 4);
	size = le32(buf + 28);
	if (type != EV_NO_ACTION || size > len - SHA1_HDR_LEN || size < SPEC_ID_FIXED)
		return why_set(
		        why, why_size, -EBADMSG,
		        "the first event is not a Spec ID EV_NO_ACTION event (type %#x, size %u)",
		        type, size);
	ev = buf + SHA1_HDR_LEN;
	if (memcmp(ev, "Spec ID Event03\0", 16) != 0)
		return why_set(
		        why, why_size, -EBADMSG,
		        "header event signature is not \"Spec ID Event03\" (not crypto-agile)");
	nalg = le32(ev + 24);
	if (nalg == 0 || nalg > MAX_ALGS || 4u * nalg + 1 > size - SPEC_ID_FIXED)
		return why_set(why, why_size, -EBADMSG,
		               "Spec ID event lists %u algorithms in %u bytes", nalg, size);
	for (uint32_t i = 0; i < nalg; i++) {
		log->alg_id[i] = le16(ev + SPEC_ID_FIXED + 4 * i);
		log->alg_size[i] = le16(ev + SPEC_ID_FIXED + 4 * i + 2);
		if (log->alg_size[i] == 0 || log->alg_size[i] > MAX_DIGEST)
			return why_set(why, why_size, -EBADMSG,
			               "Spec ID event: algorithm %#x has digest size %u",
			               log->alg_id[i], log->alg_size[i]);
		if (log->alg_id[i] == TCG_ALG_SHA384 && log->alg_size[i] != SHA384_LEN)
			return why_set(why, why_size, -EBADMSG,
			               "Spec ID event: SHA-384 with digest size %u",
			               log->alg_size[i]);
	}
	if (ev[SPEC_ID_FIXED + 4 * nalg] > size - SPEC_ID_FIXED - 4 * nalg - 1)
		return why_set(why, why_size, -EBADMSG,
		               "Spec ID event: vendor info runs past the event");
	log->n_algs = nalg;
	*pos = SHA1_HDR_LEN + size;
	return 0;
}

/* The digest size the header declared for alg; -ENOENT when it declared none. */
static int alg_size(const struct cc_eventlog *log, uint16_t alg)
{
	for (unsigned i = 0; i < log->n_algs; i++)
		if (log->alg_id[i] == alg)
			return log->alg_size[i];
	return -ENOENT;
}

static int push(struct cc_eventlog *log, size_t *cap, const struct cc_event *e)
{
	if (log->n == *cap) {
		size_t nc = *cap ? *cap * 2 : 64;
		struct cc_event *nv = realloc(log->ev, nc * sizeof(*nv));
		if (!nv)
			return -ENOMEM;
		log->ev = nv;
		*cap = nc;
	}
	log->ev[log->n++] = *e;
	return 0;
}

static int parse_event2(const struct cc_eventlog *log, const uint8_t *buf, size_t len, size_t pos,
                        struct cc_event *e, size_t *next, char *why, size_t why_size)
{
	size_t p = pos;
	uint32_t count;

	memset(e, 0, sizeof(*e));
	e->offset = pos;
	if (len - p < MIN_EVENT2)
		return why_set(why, why_size, -EBADMSG, "event at offset %zu is truncated (header)",
		               pos);
	e->mr_index = le32(buf + p);
	e->type = le32(buf + p + 4);
	count = le32(buf + p + 8);
	p += MIN_EVENT2;
	if (count == 0 || count > log->n_algs)
		return why_set(
		        why, why_size, -EBADMSG,
		        "event at offset %zu has %u digests (the log declares %u algorithms)", pos,
		        count, log->n_algs);
	for (uint32_t i = 0; i < count; i++) {
		uint16_t alg;
		int sz;
		if (len - p < 2)
			return why_set(why, why_size, -EBADMSG,
			               "event at offset %zu is truncated (digest %u)", pos, i);
		alg = le16(buf + p);
		sz = alg_size(log, alg);
		if (sz < 0)
			return why_set(
			        why, why_size, -EBADMSG,
			        "event at offset %zu uses algorithm %#x the header did not declare",
			        pos, alg);
		p += 2;
		if (len - p < (size_t)sz)
			return why_set(why, why_size, -EBADMSG,
			               "event at offset %zu is truncated (digest %u)", pos, i);
		if (alg == TCG_ALG_SHA384) {
			memcpy(e->digest, buf + p, SHA384_LEN);
			e->has_sha384 = true;
		}
		p += (size_t)sz;
	}
	if (len - p < 4)
		return why_set(why, why_size, -EBADMSG,
		               "event at offset %zu is truncated (event size)", pos);
	e->data_len = le32(buf + p);
	p += 4;
	if (e->data_len > len - p)
		return why_set(why, why_size, -EBADMSG,
		               "event at offset %zu: %u bytes of data, %zu left in the log", pos,
		               e->data_len, len - p);
	e->data = buf + p;
	*next = p + e->data_len;
	return 0;
}

int eventlog_parse(const uint8_t *buf, size_t len, struct cc_eventlog *log, char *why,
                   size_t why_size)
{
	size_t pos = 0, cap = 0;
	int r;

	memset(log, 0, sizeof(*log));
	r = parse_spec_id(buf, len, log, &pos, why, why_size);
	if (r < 0)
		return r;
	while (pos < len) {
		struct cc_event e;
		size_t next = 0;
		/* The CCEL area is larger than its log; the rest is 0xff (or zero) filled. */
		size_t peek = len - pos < 8 ? len - pos : 8;
		if (all_bytes(buf + pos, peek, 0xff) || all_bytes(buf + pos, peek, 0x00))
			break;
		r = parse_event2(log, buf, len, pos, &e, &next, why, why_size);
		if (r == 0 && e.mr_index > CC_MR_COUNT) {
			r = why_set(why, why_size, -EBADMSG,
			            "event at offset %zu has MR index %u (0..%d allowed)", pos,
			            e.mr_index, CC_MR_COUNT);
		}
		if (r == 0)
			r = push(log, &cap, &e);
		if (r < 0) {
			eventlog_free(log);
			return r;
		}
		pos = next;
	}
	log->end = pos;
	return 0;
}

void eventlog_free(struct cc_eventlog *log)
{
	free(log->ev);
	log->ev = NULL;
	log->n = 0;
}

int eventlog_rtmr(const struct cc_event *ev)
{
	return ev->mr_index >= 1 && ev->mr_index <= CC_MR_COUNT ? (int)ev->mr_index - 1 : -1;
}

bool eventlog_extends(const struct cc_event *ev)
{
	return ev->type != EV_NO_ACTION && eventlog_rtmr(ev) >= 0;
}

int eventlog_replay(const struct cc_eventlog *log, uint8_t rtmr[CC_MR_COUNT][SHA384_LEN], char *why,
                    size_t why_size)
{
	memset(rtmr, 0, CC_MR_COUNT * SHA384_LEN);
	for (size_t i = 0; i < log->n; i++) {
		const struct cc_event *e = &log->ev[i];
		int r;
		if (!eventlog_extends(e))
			continue;
		if (!e->has_sha384)
			return why_set(why, why_size, -EBADMSG,
			               "event %zu (offset %zu) has no SHA-384 digest", i + 1,
			               e->offset);
		r = tdx_extend(rtmr[eventlog_rtmr(e)], e->digest);
		if (r < 0)
			return r;
	}
	return 0;
}

const char *eventlog_type_name(uint32_t type)
{
	static const struct {
		uint32_t type;
		const char *name;
	} names[] = {
	        {0x0, "EV_PREBOOT_CERT"},
	        {0x1, "EV_POST_CODE"},
	        {EV_NO_ACTION, "EV_NO_ACTION"},
	        {EV_SEPARATOR, "EV_SEPARATOR"},
	        {EV_ACTION, "EV_ACTION"},
	        {EV_EVENT_TAG, "EV_EVENT_TAG"},
	        {0x7, "EV_S_CRTM_CONTENTS"},
	        {0x8, "EV_S_CRTM_VERSION"},
	        {0x9, "EV_CPU_MICROCODE"},
	        {EV_PLATFORM_CONFIG_FLAGS, "EV_PLATFORM_CONFIG_FLAGS"},
	        {0xb, "EV_TABLE_OF_DEVICES"},
	        {0xc, "EV_COMPACT_HASH"},
	        {EV_IPL, "EV_IPL"},
	        {0xe, "EV_IPL_PARTITION_DATA"},
	        {0xf, "EV_NONHOST_CODE"},
	        {0x10, "EV_NONHOST_CONFIG"},
	        {0x11, "EV_NONHOST_INFO"},
	        {0x12, "EV_OMIT_BOOT_DEVICE_EVENTS"},
	        {EV_EFI_VARIABLE_DRIVER_CONFIG, "EV_EFI_VARIABLE_DRIVER_CONFIG"},
	        {EV_EFI_VARIABLE_BOOT, "EV_EFI_VARIABLE_BOOT"},
	        {EV_EFI_BOOT_SERVICES_APP, "EV_EFI_BOOT_SERVICES_APPLICATION"},
	        {EV_EFI_BOOT_SERVICES_DRIVER, "EV_EFI_BOOT_SERVICES_DRIVER"},
	        {EV_EFI_RUNTIME_SERVICES_DRIVER, "EV_EFI_RUNTIME_SERVICES_DRIVER"},
	        {EV_EFI_GPT_EVENT, "EV_EFI_GPT_EVENT"},
	        {EV_EFI_ACTION, "EV_EFI_ACTION"},
	        {EV_EFI_PLATFORM_FIRMWARE_BLOB, "EV_EFI_PLATFORM_FIRMWARE_BLOB"},
	        {EV_EFI_HANDOFF_TABLES, "EV_EFI_HANDOFF_TABLES"},
	        {EV_EFI_PLATFORM_FIRMWARE_BLOB2, "EV_EFI_PLATFORM_FIRMWARE_BLOB2"},
	        {EV_EFI_HANDOFF_TABLES2, "EV_EFI_HANDOFF_TABLES2"},
	        {EV_EFI_VARIABLE_BOOT2, "EV_EFI_VARIABLE_BOOT2"},
	        {0x80000010, "EV_EFI_HCRTM_EVENT"},
	        {EV_EFI_VARIABLE_AUTHORITY, "EV_EFI_VARIABLE_AUTHORITY"},
	        {0x800000e1, "EV_EFI_SPDM_FIRMWARE_BLOB"},
	        {0x800000e2, "EV_EFI_SPDM_FIRMWARE_CONFIG"},
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].type == type)
			return names[i].name;
	return "EV_UNKNOWN";
}

bool eventlog_digest_is_of_data(const struct cc_event *ev)
{
	uint8_t d[SHA384_LEN];

	return ev->has_sha384 && tdx_sha384(ev->data, ev->data_len, d) == 0 &&
	       memcmp(d, ev->digest, SHA384_LEN) == 0;
}

/* Appends printf output to a bounded buffer, truncating silently. */
struct out {
	char *s;
	size_t len, cap;
};

__attribute__((format(printf, 2, 3))) static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->len + 1 >= o->cap)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->s + o->len, o->cap - o->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->len = o->len + (size_t)n < o->cap ? o->len + (size_t)n : o->cap - 1;
}

/* ASCII text as printable, non-printables as '.', stopping at a NUL. */
static void put_ascii(struct out *o, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n && p[i]; i++)
		put(o, "%c", p[i] >= 0x20 && p[i] < 0x7f ? p[i] : '.');
}

/* UTF-16LE text, non-ASCII as '?', stopping at a NUL. n is in code units. */
static void put_utf16(struct out *o, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint16_t c = le16(p + 2 * i);
		if (!c)
			break;
		put(o, "%c", c >= 0x20 && c < 0x7f ? c : '?');
	}
}

static void put_guid(struct out *o, const uint8_t *g)
{
	char text[UUID_TEXT_SIZE];

	guid_to_text(g, text);
	put(o, "%s", text);
}

static void describe_variable(struct out *o, const uint8_t *d, size_t n)
{
	uint64_t name_len, data_len;

	if (n < 32) {
		put(o, "(malformed variable event)");
		return;
	}
	name_len = le64(d + 16);
	data_len = le64(d + 24);
	if (name_len > (n - 32) / 2) {
		put(o, "(malformed variable event)");
		return;
	}
	put_guid(o, d);
	put(o, ":");
	put_utf16(o, d + 32, (size_t)name_len);
	put(o, " (%llu bytes)", (unsigned long long)data_len);
}

static void describe_device_path(struct out *o, const uint8_t *p, size_t n)
{
	bool first = true;

	while (n >= 4) {
		uint8_t type = p[0], sub = p[1];
		uint16_t len = le16(p + 2);
		if (len < 4 || len > n) {
			put(o, "(malformed device path)");
			return;
		}
		if (type == 0x7f)
			return;
		if (!first)
			put(o, "/");
		first = false;
		if (type == 4 && sub == 3 && len >= 20) {
			put(o, "VenMedia(");
			put_guid(o, p + 4);
			put(o, ")");
		} else if (type == 4 && sub == 4) {
			put(o, "File(");
			put_utf16(o, p + 4, (size_t)(len - 4) / 2);
			put(o, ")");
		} else if (type == 4 && sub == 1 && len >= 42) {
			put(o, "HD(%u,", le32(p + 4));
			put_guid(o, p + 24);
			put(o, ")");
		} else if (type == 2 && sub == 1 && len >= 12) {
			uint32_t hid = le32(p + 4);
			/* EISA-compressed "PNP" IDs, as UEFI device-path text prints them. */
			if ((hid & 0xffff) == 0x41d0)
				put(o, "ACPI(PNP%04X,%u)", hid >> 16, le32(p + 8));
			else
				put(o, "ACPI(%#x,%u)", hid, le32(p + 8));
		} else if (type == 1 && sub == 1 && len >= 6) {
			put(o, "Pci(%u,%u)", p[5], p[4]);
		} else {
			put(o, "Path(%u,%u)", type, sub);
		}
		p += len;
		n -= len;
	}
}

void eventlog_describe(const struct cc_event *ev, char *buf, size_t cap)
{
	struct out o = {buf, 0, cap};
	const uint8_t *d = ev->data;
	size_t n = ev->data_len;

	if (!cap)
		return;
	buf[0] = '\0';
	switch (ev->type) {
	case EV_EFI_ACTION:
	case EV_ACTION:
	case EV_PLATFORM_CONFIG_FLAGS:
	case EV_IPL:
	case 0x1: /* POST code */
		put(&o, "\"");
		put_ascii(&o, d, n);
		put(&o, "\"");
		break;
	case EV_EVENT_TAG:
		if (n < 8 || le32(d + 4) > n - 8) {
			put(&o, "(malformed tagged event)");
			break;
		}
		put(&o, "tag %#x \"", le32(d));
		put_ascii(&o, d + 8, le32(d + 4));
		put(&o, "\"");
		break;
	case EV_SEPARATOR:
		put(&o, "separator");
		for (size_t i = 0; i < n && i < 8; i++)
			put(&o, "%s%02x", i ? "" : " ", d[i]);
		break;
	case EV_EFI_HANDOFF_TABLES2:
	case EV_EFI_PLATFORM_FIRMWARE_BLOB2:
		if (n < 1 || d[0] > n - 1) {
			put(&o, "(malformed description)");
			break;
		}
		put(&o, "\"");
		put_ascii(&o, d + 1, d[0]);
		put(&o, "\"");
		if (ev->type == EV_EFI_PLATFORM_FIRMWARE_BLOB2 && n - 1 - d[0] >= 16)
			put(&o, " base %#llx length %#llx", (unsigned long long)le64(d + 1 + d[0]),
			    (unsigned long long)le64(d + 9 + d[0]));
		break;
	case EV_EFI_PLATFORM_FIRMWARE_BLOB:
		if (n >= 16)
			put(&o, "base %#llx length %#llx", (unsigned long long)le64(d),
			    (unsigned long long)le64(d + 8));
		break;
	case EV_EFI_VARIABLE_DRIVER_CONFIG:
	case EV_EFI_VARIABLE_BOOT:
	case EV_EFI_VARIABLE_BOOT2:
	case EV_EFI_VARIABLE_AUTHORITY:
		describe_variable(&o, d, n);
		break;
	case EV_EFI_BOOT_SERVICES_APP:
	case EV_EFI_BOOT_SERVICES_DRIVER:
	case EV_EFI_RUNTIME_SERVICES_DRIVER:
		if (n < 32 || le64(d + 24) > n - 32) {
			put(&o, "(malformed image load event)");
			break;
		}
		describe_device_path(&o, d + 32, (size_t)le64(d + 24));
		break;
	default:
		put(&o, "%u bytes", ev->data_len);
		break;
	}
}

/* Whether the image event's device path ends in File(kernel): QEMU's direct-boot kernel. */
static bool is_kernel_event(const struct cc_event *ev)
{
	char desc[256];
	const char *tail = "File(kernel)";
	size_t dl, tl = strlen(tail);

	if (ev->type != EV_EFI_BOOT_SERVICES_APP)
		return false;
	eventlog_describe(ev, desc, sizeof(desc));
	dl = strlen(desc);
	return dl >= tl && strcmp(desc + dl - tl, tail) == 0;
}

const struct cc_event *eventlog_find_kernel(const struct cc_eventlog *log)
{
	for (size_t i = 0; i < log->n; i++)
		if (is_kernel_event(&log->ev[i]))
			return &log->ev[i];
	return NULL;
}

const struct cc_event *eventlog_find_load_options(const struct cc_eventlog *log)
{
	for (size_t i = 0; i < log->n; i++) {
		const struct cc_event *e = &log->ev[i];
		if (e->type == EV_EVENT_TAG && e->data_len >= 4 &&
		    le32(e->data) == EV_TAG_LOAD_OPTIONS)
			return e;
	}
	return NULL;
}
