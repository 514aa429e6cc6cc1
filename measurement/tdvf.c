/* SPDX-License-Identifier: Apache-2.0 */
/* TDVF metadata and MRTD; the layout is described in tdvf.h and measurement/README.md, 5. */
#include "init/base/bytes.h"
#include "measurement/ovmf.h"
#include "measurement/tdvf.h"
#include "init/base/why.h"

#include <errno.h>
#include <openssl/evp.h>
#include <string.h>

#define PAGE         4096u
#define EXTEND_CHUNK 256u
#define DESC_HDR     16u
#define SECTION_SIZE 32u
/* No real firmware page-adds more than a few MiB; the cap keeps corrupt input from hashing for
 * hours. */
#define MAX_ADDED_BYTES (1ull << 30)

const char *tdvf_type_name(uint32_t type)
{
	static const char *const names[] = {"BFV",     "CFV",     "TD_HOB",       "TempMem",
	                                    "PermMem", "Payload", "PayloadParam", "TD_INFO"};
	return type < sizeof(names) / sizeof(names[0]) ? names[type] : "unknown";
}

static int descriptor_offset(const uint8_t *fw, size_t len, size_t *off, char *why, size_t why_size)
{
	const uint8_t *data;
	size_t dlen;
	uint32_t back;
	struct ovmf table;
	int r = ovmf_parse_table(&table, fw, len, why, why_size);

	if (r < 0)
		return r;
	if (!table.has_table) {
		/* td-shim images carry the offset at EOF-0x20 without a footer table. */
		back = le32(fw + len - OVMF_FOOTER_END_GAP);
	} else if (ovmf_table_find(&table, OVMF_GUID_TDX_METADATA, &data, &dlen) < 0) {
		return why_set(
		        why, why_size, -ENOENT,
		        "the firmware's footer table has no TDX metadata entry (not a TDX build)");
	} else if (dlen < 4) {
		return why_set(why, why_size, -EBADMSG,
		               "TDX metadata footer entry holds %zu bytes, needs 4", dlen);
	} else {
		back = le32(data + dlen - 4);
	}
	if (back == 0 || back > len)
		return why_set(
		        why, why_size, -ENOENT,
		        "no TDX metadata (descriptor offset %#x from EOF of a %zu-byte file)", back,
		        len);
	*off = len - back;
	return 0;
}

static int check_section(const struct tdvf_section *s, size_t i, size_t len, char *why,
                         size_t why_size)
{
	if (s->gpa % PAGE || s->mem_size % PAGE)
		return why_set(why, why_size, -EBADMSG,
		               "TDVF section %zu: GPA %#llx or size %#llx is not 4 KiB aligned", i,
		               (unsigned long long)s->gpa, (unsigned long long)s->mem_size);
	if (s->gpa + s->mem_size < s->gpa)
		return why_set(why, why_size, -EBADMSG, "TDVF section %zu: GPA range wraps", i);
	if (s->raw_size > s->mem_size)
		return why_set(why, why_size, -EBADMSG,
		               "TDVF section %zu: raw size %#x exceeds memory size %#llx", i,
		               s->raw_size, (unsigned long long)s->mem_size);
	if ((uint64_t)s->data_offset + s->raw_size > len)
		return why_set(
		        why, why_size, -EBADMSG,
		        "TDVF section %zu: data %#x+%#x lies past the end of the %zu-byte file "
		        "(a split OVMF_CODE.fd? TDX needs the unified image)",
		        i, s->data_offset, s->raw_size, len);
	/* The measured bytes are read for the whole memory size, as QEMU's ROM mapping does. */
	if ((s->attributes & TDVF_ATTR_MR_EXTEND) && (uint64_t)s->data_offset + s->mem_size > len)
		return why_set(
		        why, why_size, -EBADMSG,
		        "TDVF section %zu: measured range %#x+%#llx lies past the end of the "
		        "%zu-byte file (a split OVMF_CODE.fd? TDX needs the unified image)",
		        i, s->data_offset, (unsigned long long)s->mem_size, len);
	if (s->attributes & ~(TDVF_ATTR_MR_EXTEND | TDVF_ATTR_PAGE_AUG))
		return why_set(why, why_size, -EBADMSG, "TDVF section %zu: unknown attributes %#x",
		               i, s->attributes);
	return 0;
}

int tdvf_parse(const uint8_t *fw, size_t len, struct tdvf *out, char *why, size_t why_size)
{
	size_t off = 0;
	uint32_t dlen, version, n;
	int r;

	memset(out, 0, sizeof(*out));
	r = descriptor_offset(fw, len, &off, why, why_size);
	if (r < 0)
		return r;
	if (len - off < DESC_HDR || memcmp(fw + off, "TDVF", 4) != 0)
		return why_set(why, why_size, -EBADMSG,
		               "no TDVF descriptor signature at offset %#zx", off);
	dlen = le32(fw + off + 4);
	version = le32(fw + off + 8);
	n = le32(fw + off + 12);
	if (version != 1)
		return why_set(why, why_size, -EBADMSG,
		               "TDVF descriptor version %u is not supported (expected 1)", version);
	if (n == 0 || n > TDVF_MAX_SECTIONS)
		return why_set(why, why_size, -EBADMSG,
		               "TDVF descriptor has %u sections (1..%d allowed)", n,
		               TDVF_MAX_SECTIONS);
	if (dlen < DESC_HDR + SECTION_SIZE * n || dlen > len - off)
		return why_set(why, why_size, -EBADMSG,
		               "TDVF descriptor length %u does not fit %u sections in the file",
		               dlen, n);
	for (uint32_t i = 0; i < n; i++) {
		const uint8_t *p = fw + off + DESC_HDR + (size_t)SECTION_SIZE * i;
		struct tdvf_section *s = &out->sec[i];
		s->data_offset = le32(p);
		s->raw_size = le32(p + 4);
		s->gpa = le64(p + 8);
		s->mem_size = le64(p + 16);
		s->type = le32(p + 24);
		s->attributes = le32(p + 28);
		r = check_section(s, i, len, why, why_size);
		if (r < 0)
			return r;
	}
	uint64_t added = 0;
	for (uint32_t i = 0; i < n; i++) {
		if (out->sec[i].attributes & TDVF_ATTR_PAGE_AUG)
			continue;
		added += out->sec[i].mem_size;
		if (out->sec[i].mem_size > MAX_ADDED_BYTES || added > MAX_ADDED_BYTES)
			return why_set(why, why_size, -EBADMSG,
			               "TDVF sections add more than 1 GiB of pages; refusing");
	}
	out->n = n;
	out->descriptor_offset = off;
	return 0;
}

static void page_add_record(uint8_t rec[128], uint64_t gpa)
{
	memset(rec, 0, 128);
	memcpy(rec, "MEM.PAGE.ADD", 12);
	for (int i = 0; i < 8; i++)
		rec[16 + i] = (uint8_t)(gpa >> (8 * i));
}

static void extend_record(uint8_t rec[128], uint64_t gpa)
{
	memset(rec, 0, 128);
	memcpy(rec, "MR.EXTEND", 9);
	for (int i = 0; i < 8; i++)
		rec[16 + i] = (uint8_t)(gpa >> (8 * i));
}

/* The 16 EXTEND records of one page, each followed by its 256 data bytes. */
static int extend_page(EVP_MD_CTX *ctx, const uint8_t *fw, const struct tdvf_section *s,
                       uint64_t page)
{
	uint8_t buf[(PAGE / EXTEND_CHUNK) * (128 + EXTEND_CHUNK)];
	uint8_t *p = buf;
	const uint8_t *data = fw + s->data_offset + page * PAGE;

	for (unsigned c = 0; c < PAGE / EXTEND_CHUNK; c++) {
		extend_record(p, s->gpa + page * PAGE + c * EXTEND_CHUNK);
		memcpy(p + 128, data + c * EXTEND_CHUNK, EXTEND_CHUNK);
		p += 128 + EXTEND_CHUNK;
	}
	return EVP_DigestUpdate(ctx, buf, sizeof(buf)) == 1 ? 0 : -EIO;
}

static int add_page(EVP_MD_CTX *ctx, const struct tdvf_section *s, uint64_t page)
{
	uint8_t rec[128];

	if (s->attributes & TDVF_ATTR_PAGE_AUG)
		return 0;
	page_add_record(rec, s->gpa + page * PAGE);
	return EVP_DigestUpdate(ctx, rec, sizeof(rec)) == 1 ? 0 : -EIO;
}

int tdvf_mrtd(const uint8_t *fw, size_t len, const struct tdvf *t, bool two_pass,
              uint8_t out[SHA384_LEN])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int r = 0;

	(void)len; /* tdvf_parse checked every measured range against it */
	if (!ctx)
		return -ENOMEM;
	if (EVP_DigestInit_ex(ctx, EVP_sha384(), NULL) != 1) {
		r = -EIO;
		goto out;
	}
	for (size_t i = 0; i < t->n && r == 0; i++) {
		const struct tdvf_section *s = &t->sec[i];
		uint64_t pages = s->mem_size / PAGE;
		bool measured = s->attributes & TDVF_ATTR_MR_EXTEND;

		if (two_pass) {
			for (uint64_t pg = 0; pg < pages && r == 0; pg++)
				r = add_page(ctx, s, pg);
			for (uint64_t pg = 0; pg < pages && r == 0 && measured; pg++)
				r = extend_page(ctx, fw, s, pg);
		} else {
			for (uint64_t pg = 0; pg < pages && r == 0; pg++) {
				r = add_page(ctx, s, pg);
				if (r == 0 && measured)
					r = extend_page(ctx, fw, s, pg);
			}
		}
	}
	if (r == 0 && EVP_DigestFinal_ex(ctx, out, NULL) != 1)
		r = -EIO;
out:
	EVP_MD_CTX_free(ctx);
	return r;
}
