/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The OVMF footer table and SEV metadata parser (measurement/ovmf.c) on the
 * published fixtures and on hostile input: truncated, inconsistent and
 * oversized tables are refused with a message, never read past.
 */
#include "tests/lib/tap.h"

#include <errno.h>

#include "init/base/hex.h"
#include "measurement/measure_input.h"
#include "measurement/ovmf.h"
#include "measurement/snp.h"
#include "tests/lib/ovmf_fixture.h"

TEST(fixture_layout)
{
	static const struct sev_section amdsev[] = {
	        {0x800000, 0x9000, 1}, {0x80a000, 0x3000, 1}, {0x80d000, 0x1000, 2},
	        {0x80e000, 0x1000, 3}, {0x80f000, 0x1000, 4}, {0x810000, 0x1000, 0x10},
	        {0x811000, 0xf000, 1},
	};
	struct fixture f;
	uint32_t v;

	load(&f, AMDSEV);
	ASSERT_EQ(ovmf_table_u32(&f.fw, OVMF_GUID_SEV_ES_RESET_BLOCK, &v), 0);
	ASSERT_EQ(v, 0x80b004);
	ASSERT_EQ(ovmf_table_u32(&f.fw, OVMF_GUID_SEV_HASH_TABLE_RV, &v), 0);
	ASSERT_EQ(v, 0x810c00);
	ASSERT_EQ(f.fw.n_sections, 7);
	for (uint32_t i = 0; i < f.fw.n_sections; i++) {
		struct sev_section s = ovmf_sev_section(&f.fw, i);
		ASSERT_EQ(s.gpa, amdsev[i].gpa);
		ASSERT_EQ(s.size, amdsev[i].size);
		ASSERT_EQ(s.type, amdsev[i].type);
	}
	free(f.data);
	load(&f, OVMFX64);
	ASSERT_EQ(ovmf_table_u32(&f.fw, OVMF_GUID_SEV_HASH_TABLE_RV, &v), 0);
	ASSERT_EQ(v, 0);
	ASSERT_FALSE(ovmf_has_sev_section(&f.fw, SEV_SECTION_SNP_KERNEL_HASHES));
	ASSERT_EQ(ovmf_sev_section(&f.fw, 5).gpa, 0x810000);
	ASSERT_EQ(ovmf_sev_section(&f.fw, 5).size, 0x10000);
	free(f.data);
}

/* A firmware of size bytes whose footer table holds table (entries in file order). */
static void make_fw(uint8_t *buf, size_t size, const uint8_t *table, size_t table_len,
                    uint16_t footer_size)
{
	memset(buf, 0, size);
	memcpy(buf + size - 50 - table_len, table, table_len);
	buf[size - 50] = (uint8_t)footer_size;
	buf[size - 49] = (uint8_t)(footer_size >> 8);
	ASSERT_EQ(guid_from_text(OVMF_GUID_FOOTER, buf + size - 48), 0);
}

static void add_entry(uint8_t *t, size_t *len, const char *guid, const void *data, size_t dlen)
{
	memcpy(t + *len, data, dlen);
	t[*len + dlen] = (uint8_t)(dlen + 18);
	t[*len + dlen + 1] = 0;
	ASSERT_EQ(guid_from_text(guid, t + *len + dlen + 2), 0);
	*len += dlen + 18;
}

static void le32_put(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* measurement/README.md's conventions: the text form, and the bytes firmware stores. */
TEST(guid_text_and_stored_order)
{
	static const uint8_t stored[16] = {0x06, 0xd6, 0x38, 0x94, 0x22, 0x4f, 0xc9, 0x4c,
	                                   0xb4, 0x79, 0xa7, 0x93, 0xd4, 0x11, 0xfd, 0x21};
	uint8_t g[16];
	char text[UUID_TEXT_SIZE];

	ASSERT_EQ(guid_from_text("9438d606-4f22-4cc9-b479-a793d411fd21", g), 0);
	ASSERT_MEM(g, stored, sizeof(stored));
	guid_to_text(stored, text);
	ASSERT_STR(text, "9438d606-4f22-4cc9-b479-a793d411fd21");
	ASSERT_EQ(guid_from_text("9438d606-4f22-4cc9-b479-a793d411fd2", g), -EINVAL);
	ASSERT_EQ(guid_from_text("9438d6064-f22-4cc9-b479-a793d411fd21", g), -EINVAL);
	ASSERT_EQ(guid_from_text("9438d606-4f22-4cc9-b479-a793d411fdzz", g), -EINVAL);
}

TEST(ovmf_footer_hostile)
{
	uint8_t buf[4096], t[256];
	uint32_t eip = 0x80b004, other = 0x1234, v;
	char why[256] = "";
	struct ovmf fw;
	size_t len = 0;

	/* no footer GUID: a plain blob, fine for SEV */
	memset(buf, 0xa5, sizeof(buf));
	ASSERT_EQ(ovmf_parse(&fw, buf, sizeof(buf), why, sizeof(why)), 0);
	ASSERT_FALSE(fw.has_table);
	ASSERT_EQ(ovmf_table_u32(&fw, OVMF_GUID_SEV_ES_RESET_BLOCK, &v), -ENOENT);
	ASSERT_EQ(ovmf_parse(&fw, buf, 49, why, sizeof(why)), -EBADMSG);

	/* the entry nearer the start of the table wins, as in a Python dict filled backwards */
	add_entry(t, &len, OVMF_GUID_SEV_ES_RESET_BLOCK, &eip, 4);
	add_entry(t, &len, OVMF_GUID_SEV_ES_RESET_BLOCK, &other, 4);
	make_fw(buf, sizeof(buf), t, len, (uint16_t)(len + 18));
	ASSERT_EQ(ovmf_parse(&fw, buf, sizeof(buf), why, sizeof(why)), 0);
	ASSERT_EQ(ovmf_table_u32(&fw, OVMF_GUID_SEV_ES_RESET_BLOCK, &v), 0);
	ASSERT_EQ(v, 0x80b004);
	/* up to 17 bytes before the first entry are padding */
	make_fw(buf, sizeof(buf), t, len, (uint16_t)(len + 18 + 17));
	ASSERT_EQ(ovmf_parse(&fw, buf, sizeof(buf), why, sizeof(why)), 0);

	make_fw(buf, sizeof(buf), t, len, 17);
	ASSERT_EQ(ovmf_parse(&fw, buf, sizeof(buf), why, sizeof(why)), -EBADMSG);
	make_fw(buf, 200, t, len, 200);
	ASSERT_EQ(ovmf_parse(&fw, buf, 200, why, sizeof(why)), -EBADMSG);
	ASSERT_CONTAINS(why, "larger than the file");
	/* an entry claiming more than what precedes it */
	make_fw(buf, sizeof(buf), t, len, (uint16_t)(len + 18));
	buf[sizeof(buf) - 50 - 18] = 200;
	ASSERT_EQ(ovmf_parse(&fw, buf, sizeof(buf), why, sizeof(why)), -EBADMSG);
	buf[sizeof(buf) - 50 - 18] = 3;
	ASSERT_EQ(ovmf_parse(&fw, buf, sizeof(buf), why, sizeof(why)), -EBADMSG);
	ASSERT_CONTAINS(why, "invalid entry size");

	/* a reset block too short for its EIP */
	len = 0;
	add_entry(t, &len, OVMF_GUID_SEV_ES_RESET_BLOCK, &eip, 2);
	make_fw(buf, sizeof(buf), t, len, (uint16_t)(len + 18));
	ASSERT_EQ(ovmf_parse(&fw, buf, sizeof(buf), why, sizeof(why)), 0);
	ASSERT_EQ(ovmf_table_u32(&fw, OVMF_GUID_SEV_ES_RESET_BLOCK, &v), -EBADMSG);
}

static int parse_meta(uint8_t *buf, size_t size, uint32_t off, char *why, size_t why_size)
{
	uint8_t t[64];
	uint32_t o = off;
	size_t len = 0;
	struct ovmf fw;

	add_entry(t, &len, OVMF_GUID_SEV_METADATA, &o, 4);
	/* the table goes at the end; the metadata the test placed earlier stays */
	memset(buf + size - 50 - len, 0, 50 + len);
	memcpy(buf + size - 50 - len, t, len);
	buf[size - 50] = (uint8_t)(len + 18);
	buf[size - 49] = 0;
	ASSERT_EQ(guid_from_text(OVMF_GUID_FOOTER, buf + size - 48), 0);
	return ovmf_parse(&fw, buf, size, why, why_size);
}

TEST(sev_metadata_hostile)
{
	uint8_t buf[4096] = {0};
	char why[256] = "";

	memcpy(buf + 1024, "ASEV", 4);
	le32_put(buf + 1028, 16 + 2 * 12);
	le32_put(buf + 1032, 1);
	le32_put(buf + 1036, 2);
	ASSERT_EQ(parse_meta(buf, sizeof(buf), 4096 - 1024, why, sizeof(why)), 0);
	ASSERT_EQ(parse_meta(buf, sizeof(buf), 0, why, sizeof(why)), -EBADMSG);
	ASSERT_EQ(parse_meta(buf, sizeof(buf), 15, why, sizeof(why)), -EBADMSG);
	ASSERT_EQ(parse_meta(buf, sizeof(buf), 4097, why, sizeof(why)), -EBADMSG);
	ASSERT_EQ(parse_meta(buf, sizeof(buf), 0xffffffff, why, sizeof(why)), -EBADMSG);
	ASSERT_EQ(parse_meta(buf, sizeof(buf), 4096 - 1025, why, sizeof(why)), -EBADMSG);
	ASSERT_CONTAINS(why, "signature");
	le32_put(buf + 1036, 3); /* more items than the size holds */
	ASSERT_EQ(parse_meta(buf, sizeof(buf), 4096 - 1024, why, sizeof(why)), -EBADMSG);
	le32_put(buf + 1036, 0xffffffff);
	ASSERT_EQ(parse_meta(buf, sizeof(buf), 4096 - 1024, why, sizeof(why)), -EBADMSG);
	le32_put(buf + 1036, 2);
	le32_put(buf + 1028, 4096); /* size past the end of the file */
	ASSERT_EQ(parse_meta(buf, sizeof(buf), 4096 - 1024, why, sizeof(why)), -EBADMSG);
	le32_put(buf + 1028, 8);
	ASSERT_EQ(parse_meta(buf, sizeof(buf), 4096 - 1024, why, sizeof(why)), -EBADMSG);
	le32_put(buf + 1028, 40);
	le32_put(buf + 1032, 2);
	ASSERT_EQ(parse_meta(buf, sizeof(buf), 4096 - 1024, why, sizeof(why)), -EBADMSG);
	ASSERT_CONTAINS(why, "version");
}

TEST(hostile_section_sizes_refused)
{
	static const uint8_t seed[SNP_LD_SIZE];
	uint8_t buf[8192] = {0}, d[SEV_DIGEST_MAX];
	char why[256] = "";
	struct ovmf fw;
	size_t n;

	memcpy(buf + 1024, "ASEV", 4);
	le32_put(buf + 1028, 16 + 2 * 12);
	le32_put(buf + 1032, 1);
	le32_put(buf + 1036, 2);
	le32_put(buf + 1040 + 4, 0xfffff000); /* SEC_MEM of almost 4 GiB, twice */
	le32_put(buf + 1040 + 8, SEV_SECTION_SNP_SEC_MEM);
	le32_put(buf + 1052 + 4, 0xfffff000);
	le32_put(buf + 1052 + 8, SEV_SECTION_SNP_SEC_MEM);
	ASSERT_EQ(parse_meta(buf, sizeof(buf), sizeof(buf) - 1024, why, sizeof(why)), 0);
	ASSERT_EQ(ovmf_parse(&fw, buf, sizeof(buf), why, sizeof(why)), 0);
	ASSERT_EQ(fw.n_sections, 2);
	struct sev_params p = {
	        .mode = SEV_MODE_SNP, .fw = &fw, .vcpus = 1, .vmm = VMM_QEMU, .seed = seed};
	ASSERT_EQ(sev_launch_digest(&p, d, &n, why, sizeof(why)), -EBADMSG);
	ASSERT_CONTAINS(why, "4 GiB");
}
