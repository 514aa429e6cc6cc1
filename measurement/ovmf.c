/* SPDX-License-Identifier: Apache-2.0 */
/*
 * OVMF footer table and SEV metadata (layout in ovmf.h and measurement/README.md, 3).
 *
 * sev-snp-measure slices Python byte strings, so some inconsistent tables
 * (an entry longer than what is left, a table reaching before the start of
 * the file) are silently clamped there. We refuse those instead: a firmware
 * that says one thing and holds another is not one to predict a measurement
 * for. Every well-formed input gives the same result as sev-snp-measure.
 */
#include "init/base/bytes.h"
#include "init/base/hex.h"
#include "measurement/ovmf.h"
#include "init/base/why.h"

#include <errno.h>
#include <string.h>

#define SEV_METADATA_HEADER_SIZE 16u /* "ASEV", u32 size, u32 version, u32 num_items */
#define SEV_SECTION_DESC_SIZE    12u

/*
 * Walks the table from its end towards its start, as edk2 lays it out: each entry is
 * data, then u16 size (header included), then GUID. Fewer than 18 bytes left over at the
 * start are padding. Calls fn for each entry until it returns non-zero.
 */
static int walk_table(const uint8_t *table, size_t len, char *why, size_t why_size,
                      int (*fn)(const uint8_t *guid, const uint8_t *data, size_t data_len,
                                void *arg),
                      void *arg)
{
	while (len >= OVMF_FOOTER_HEADER_SIZE) {
		const uint8_t *hdr = table + len - OVMF_FOOTER_HEADER_SIZE;
		size_t entry_size = le16(hdr);

		if (entry_size < OVMF_FOOTER_HEADER_SIZE)
			return why_set(why, why_size, -EBADMSG,
			               "OVMF footer table: invalid entry size");
		if (entry_size > len)
			return why_set(why, why_size, -EBADMSG,
			               "OVMF footer table: entry runs past the start of the table");
		if (fn) {
			int r = fn(hdr + 2, table + len - entry_size,
			           entry_size - OVMF_FOOTER_HEADER_SIZE, arg);
			if (r)
				return r;
		}
		len -= entry_size;
	}
	return 0;
}

struct find_ctx {
	const char *guid;
	const uint8_t *data;
	size_t len;
	bool found;
};

static int find_cb(const uint8_t *guid, const uint8_t *data, size_t data_len, void *arg)
{
	struct find_ctx *c = arg;
	char text[UUID_TEXT_SIZE];

	guid_to_text(guid, text);
	/* Keep walking: a later (lower) duplicate overrides, as a Python dict assignment does. */
	if (strcmp(text, c->guid) == 0) {
		c->data = data;
		c->len = data_len;
		c->found = true;
	}
	return 0;
}

int ovmf_table_find(const struct ovmf *fw, const char *guid, const uint8_t **data, size_t *len)
{
	struct find_ctx c = {.guid = guid};

	if (!fw->has_table)
		return -ENOENT;
	if (walk_table(fw->table, fw->table_size, NULL, 0, find_cb, &c) < 0 || !c.found)
		return -ENOENT; /* walk errors cannot happen: ovmf_parse checked the table */
	*data = c.data;
	*len = c.len;
	return 0;
}

int ovmf_table_u32(const struct ovmf *fw, const char *guid, uint32_t *value)
{
	const uint8_t *d;
	size_t n;
	int r = ovmf_table_find(fw, guid, &d, &n);

	if (r < 0)
		return r;
	if (n < 4)
		return -EBADMSG;
	*value = le32(d);
	return 0;
}

static int parse_footer(struct ovmf *fw, char *why, size_t why_size)
{
	size_t footer_at, table_size;
	const uint8_t *footer;
	char guid[UUID_TEXT_SIZE];

	if (fw->size < OVMF_FOOTER_END_GAP + OVMF_FOOTER_HEADER_SIZE)
		return why_set(why, why_size, -EBADMSG,
		               "firmware file too small to hold an OVMF footer table");
	footer_at = fw->size - OVMF_FOOTER_END_GAP - OVMF_FOOTER_HEADER_SIZE;
	footer = fw->data + footer_at;
	guid_to_text(footer + 2, guid);
	if (strcmp(guid, OVMF_GUID_FOOTER) != 0)
		return 0; /* not an OVMF with a table: fine for plain SEV */
	if (le16(footer) < OVMF_FOOTER_HEADER_SIZE)
		return why_set(why, why_size, -EBADMSG,
		               "OVMF footer table: size smaller than its header");
	table_size = le16(footer) - OVMF_FOOTER_HEADER_SIZE;
	if (table_size > footer_at)
		return why_set(why, why_size, -EBADMSG, "OVMF footer table: larger than the file");
	fw->table = footer - table_size;
	fw->table_size = table_size;
	fw->has_table = true;
	return walk_table(fw->table, fw->table_size, why, why_size, NULL, NULL);
}

static int parse_sev_metadata(struct ovmf *fw, char *why, size_t why_size)
{
	const uint8_t *entry, *hdr;
	size_t entry_len, start, avail;
	uint32_t off, hsize, n;

	if (ovmf_table_find(fw, OVMF_GUID_SEV_METADATA, &entry, &entry_len) < 0)
		return 0;
	if (entry_len < 4)
		return why_set(why, why_size, -EBADMSG,
		               "OVMF SEV metadata entry: shorter than its offset field");
	off = le32(entry);
	if (off > fw->size || off < SEV_METADATA_HEADER_SIZE)
		return why_set(why, why_size, -EBADMSG,
		               "OVMF SEV metadata: offset outside the file");
	start = fw->size - off;
	hdr = fw->data + start;
	if (memcmp(hdr, "ASEV", 4) != 0)
		return why_set(why, why_size, -EBADMSG, "Wrong SEV metadata signature");
	if (le32(hdr + 8) != 1)
		return why_set(why, why_size, -EBADMSG, "Wrong SEV metadata version");
	hsize = le32(hdr + 4);
	n = le32(hdr + 12);
	avail = fw->size - start;
	if (hsize < SEV_METADATA_HEADER_SIZE || hsize > avail)
		return why_set(why, why_size, -EBADMSG,
		               "OVMF SEV metadata: size field inconsistent with the file");
	if (n > (hsize - SEV_METADATA_HEADER_SIZE) / SEV_SECTION_DESC_SIZE)
		return why_set(why, why_size, -EBADMSG,
		               "OVMF SEV metadata: more sections than its size holds");
	fw->sections = hdr + SEV_METADATA_HEADER_SIZE;
	fw->n_sections = n;
	fw->has_sev_metadata = true;
	return 0;
}

int ovmf_parse_table(struct ovmf *fw, const uint8_t *data, size_t size, char *why, size_t why_size)
{
	memset(fw, 0, sizeof(*fw));
	fw->data = data;
	fw->size = size;
	return parse_footer(fw, why, why_size);
}

int ovmf_parse(struct ovmf *fw, const uint8_t *data, size_t size, char *why, size_t why_size)
{
	int r = ovmf_parse_table(fw, data, size, why, why_size);

	return r < 0 ? r : parse_sev_metadata(fw, why, why_size);
}

struct sev_section ovmf_sev_section(const struct ovmf *fw, uint32_t i)
{
	const uint8_t *p = fw->sections + (size_t)i * SEV_SECTION_DESC_SIZE;

	return (struct sev_section){.gpa = le32(p), .size = le32(p + 4), .type = le32(p + 8)};
}

bool ovmf_has_sev_section(const struct ovmf *fw, enum sev_section_type type)
{
	for (uint32_t i = 0; i < fw->n_sections; i++)
		if (ovmf_sev_section(fw, i).type == (uint32_t)type)
			return true;
	return false;
}
