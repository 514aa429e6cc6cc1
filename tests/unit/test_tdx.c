/* SPDX-License-Identifier: Apache-2.0 */
/*
 * TDX prediction: TDVF parsing and MRTD, the QEMU kernel patch and
 * Authenticode, and the RTMR event sequences. Expected values come
 * from measurement/README.md, from trustee's CCEL fixture, or from a second, naive
 * construction in this file; never from the code under test.
 */
#include <errno.h>
#include <openssl/evp.h>

#include "measurement/eventlog.h"
#include "measurement/pe.h"
#include "measurement/tdvf.h"
#include "measurement/tdx.h"
#include "tests/lib/ccel.h"
#include "tests/lib/tap.h"

#define DEBIAN_OVMF "/usr/share/ovmf/OVMF.fd"

/* measurement/README.md, 5.3: td-shim's single-pass MRTD of Debian bookworm's OVMF.fd. */
static const char debian_mrtd[] = "4c7206f0f483c524f12c366c711e9049030a8d47c471ee5a"
                                  "a9c4999a08de4057fb887fed0744d5631a212967fb231c47";

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

/*
 * The Debian OVMF.fd layout from measurement/README.md, 5.3, for code that needs only the
 * metadata.
 */
static void debian_sections(struct tdvf *t)
{
	static const struct tdvf_section s[] = {
	        {0x20000, 0x1e0000, 0xffe20000, 0x1e0000, TDVF_BFV, 1},
	        {0, 0x20000, 0xffe00000, 0x20000, TDVF_CFV, 0},
	        {0, 0, 0x810000, 0x10000, TDVF_TEMP_MEM, 0},
	        {0, 0, 0x80b000, 0x2000, TDVF_TEMP_MEM, 0},
	        {0, 0, 0x809000, 0x2000, TDVF_TD_HOB, 0},
	        {0, 0, 0x800000, 0x6000, TDVF_TEMP_MEM, 0},
	};
	memset(t, 0, sizeof(*t));
	memcpy(t->sec, s, sizeof(s));
	t->n = 6;
}

/* ---- synthetic TDVF image: 64 KiB, descriptor at 0x1000, three sections ---- */

#define FW_LEN 0x10000u
static const uint8_t tdx_guid[16] = {0x35, 0x65, 0x7a, 0xe4, 0x4a, 0x98, 0x98, 0x47,
                                     0x86, 0x5e, 0x46, 0x85, 0xa7, 0xbf, 0x8e, 0xc2};
static const uint8_t footer_guid[16] = {0xde, 0x82, 0xb5, 0x96, 0xb2, 0x1f, 0xf7, 0x45,
                                        0xba, 0xea, 0xa3, 0x66, 0xc5, 0x5a, 0x08, 0x2d};

static void fw_section(uint8_t *fw, int i, uint32_t off, uint32_t raw, uint64_t gpa, uint64_t size,
                       uint32_t type, uint32_t attr)
{
	uint8_t *p = fw + 0x1000 + 16 + 32 * i;
	put32(p, off);
	put32(p + 4, raw);
	put64(p + 8, gpa);
	put64(p + 16, size);
	put32(p + 24, type);
	put32(p + 28, attr);
}

static uint8_t *synthetic_fw(void)
{
	uint8_t *fw = malloc(FW_LEN);
	for (uint32_t i = 0; i < FW_LEN; i++)
		fw[i] = (uint8_t)(i * 7 + (i >> 8));
	memcpy(fw + 0x1000, "TDVF", 4);
	put32(fw + 0x1004, 16 + 32 * 3);
	put32(fw + 0x1008, 1);
	put32(fw + 0x100c, 3);
	fw_section(fw, 0, 0x4000, 0x2000, 0x100000000ull - FW_LEN + 0x4000, 0x2000, TDVF_BFV,
	           TDVF_ATTR_MR_EXTEND);
	fw_section(fw, 1, 0, 0, 0x809000, 0x2000, TDVF_TD_HOB, 0);
	fw_section(fw, 2, 0, 0, 0x900000, 0x1000, TDVF_PERM_MEM, TDVF_ATTR_PAGE_AUG);
	/* footer table: one TDX entry (u32 data, u16 size 22, GUID), then the footer entry */
	put32(fw + FW_LEN - 72, FW_LEN - 0x1000);
	fw[FW_LEN - 68] = 22;
	fw[FW_LEN - 67] = 0;
	memcpy(fw + FW_LEN - 66, tdx_guid, 16);
	fw[FW_LEN - 50] = 40;
	fw[FW_LEN - 49] = 0;
	memcpy(fw + FW_LEN - 48, footer_guid, 16);
	return fw;
}

/* MRTD the long way: the whole record stream in memory, hashed once. */
static void naive_mrtd(const uint8_t *fw, bool two_pass, uint8_t out[SHA384_LEN])
{
	uint8_t *s = calloc(1, 1 << 20), *p = s;
	uint64_t bfv = 0x100000000ull - FW_LEN + 0x4000;
	unsigned int n;

	for (int pass = 0; pass < (two_pass ? 2 : 1); pass++) {
		for (int pg = 0; pg < 2; pg++) {
			if (!two_pass || pass == 0) {
				memcpy(p, "MEM.PAGE.ADD", 12);
				put64(p + 16, bfv + 4096 * pg);
				p += 128;
			}
			if (two_pass && pass == 0)
				continue;
			for (int c = 0; c < 16; c++) {
				memcpy(p, "MR.EXTEND", 9);
				put64(p + 16, bfv + 4096 * pg + 256 * c);
				memcpy(p + 128, fw + 0x4000 + 4096 * pg + 256 * c, 256);
				p += 384;
			}
		}
	}
	for (int pg = 0; pg < 2; pg++) { /* TD_HOB: added, not measured */
		memcpy(p, "MEM.PAGE.ADD", 12);
		put64(p + 16, 0x809000 + 4096 * pg);
		p += 128;
	}
	/* The PAGE_AUG section contributes nothing. */
	EVP_Digest(s, (size_t)(p - s), out, &n, EVP_sha384(), NULL);
	free(s);
}

TEST(mrtd_synthetic_single_and_two_pass)
{
	uint8_t *fw = synthetic_fw(), got[SHA384_LEN], want[SHA384_LEN];
	char err[TDX_ERR_MAX] = "";
	struct tdvf t;

	ASSERT_EQ(tdvf_parse(fw, FW_LEN, &t, err, sizeof(err)), 0);
	ASSERT_EQ(t.n, 3);
	ASSERT_EQ(t.descriptor_offset, 0x1000);
	for (int two = 0; two < 2; two++) {
		ASSERT_EQ(tdvf_mrtd(fw, FW_LEN, &t, two, got), 0);
		naive_mrtd(fw, two, want);
		ASSERT_STR(hex48(got), hex48(want));
	}
	free(fw);
}

TEST(tdvf_rejects_inconsistent_metadata)
{
	char err[TDX_ERR_MAX];
	struct tdvf t;
	uint8_t *fw = synthetic_fw();

	/* A measured section past EOF. */
	fw_section(fw, 0, 0xf000, 0x2000, 0xfff00000, 0x2000, TDVF_BFV, TDVF_ATTR_MR_EXTEND);
	err[0] = 0;
	ASSERT_EQ(tdvf_parse(fw, FW_LEN, &t, err, sizeof(err)), -EBADMSG);
	ASSERT_CONTAINS(err, "past the end");
	free(fw);

	fw = synthetic_fw(); /* misaligned GPA */
	fw_section(fw, 1, 0, 0, 0x809100, 0x2000, TDVF_TD_HOB, 0);
	ASSERT_EQ(tdvf_parse(fw, FW_LEN, &t, err, sizeof(err)), -EBADMSG);
	ASSERT_CONTAINS(err, "aligned");
	free(fw);

	fw = synthetic_fw(); /* more sections than the descriptor holds */
	put32(fw + 0x100c, 100);
	ASSERT_EQ(tdvf_parse(fw, FW_LEN, &t, err, sizeof(err)), -EBADMSG);
	free(fw);

	fw = synthetic_fw(); /* footer table longer than the file */
	fw[FW_LEN - 50] = 0xff;
	fw[FW_LEN - 49] = 0xff;
	ASSERT_EQ(tdvf_parse(fw, FW_LEN, &t, err, sizeof(err)), -EBADMSG);
	free(fw);

	fw = synthetic_fw(); /* descriptor offset beyond the start of the file */
	put32(fw + FW_LEN - 72, FW_LEN + 16);
	ASSERT_EQ(tdvf_parse(fw, FW_LEN, &t, err, sizeof(err)), -ENOENT);
	free(fw);

	fw = synthetic_fw(); /* a huge unmeasured section: refused, not hashed for hours */
	fw_section(fw, 1, 0, 0, 0x809000, 1ull << 40, TDVF_TD_HOB, 0);
	ASSERT_EQ(tdvf_parse(fw, FW_LEN, &t, err, sizeof(err)), -EBADMSG);
	free(fw);

	/*
	 * Shortening from the front keeps the footer; offsets count from EOF, so
	 * it parses until the descriptor is cut off. Either way nothing overreads.
	 */
	fw = synthetic_fw();
	for (uint32_t cut = 1; cut < FW_LEN; cut += 97) {
		uint8_t *c = malloc(FW_LEN - cut);
		memcpy(c, fw + cut, FW_LEN - cut);
		int r = tdvf_parse(c, FW_LEN - cut, &t, err, sizeof(err));
		if (cut > 0x1000)
			ASSERT_TRUE(r < 0);
		free(c);
	}
	for (uint32_t len = 0; len < 64; len++)
		ASSERT_TRUE(tdvf_parse(fw + FW_LEN - len, len, &t, err, sizeof(err)) < 0);
	free(fw);
}

TEST(mrtd_debian_ovmf_matches_td_shim)
{
	uint8_t *fw, mrtd[SHA384_LEN];
	char err[TDX_ERR_MAX] = "";
	struct tdvf t, want;
	size_t len;

	if (tdx_read_file(DEBIAN_OVMF, &fw, &len, NULL, 0) < 0)
		tap_skip(DEBIAN_OVMF " is absent (Debian package ovmf)");
	ASSERT_EQ(tdvf_parse(fw, len, &t, err, sizeof(err)), 0);
	debian_sections(&want);
	ASSERT_EQ(t.n, want.n);
	for (size_t i = 0; i < t.n; i++) {
		ASSERT_EQ(t.sec[i].type, want.sec[i].type);
		ASSERT_EQ(t.sec[i].gpa, want.sec[i].gpa);
		ASSERT_EQ(t.sec[i].mem_size, want.sec[i].mem_size);
	}
	ASSERT_EQ(tdvf_mrtd(fw, len, &t, false, mrtd), 0);
	ASSERT_STR(hex48(mrtd), debian_mrtd);
	free(fw);
}

static void load_log(const char *path, uint8_t **buf, struct cc_eventlog *log)
{
	char err[TDX_ERR_MAX] = "";
	size_t len;

	if (tdx_read_file(path, buf, &len, err, sizeof(err)) < 0)
		tap_fail("%s: %s", path, err);
	if (eventlog_parse(*buf, len, log, err, sizeof(err)) < 0)
		tap_fail("%s: %s", path, err);
}

/* The i-th event (from 0) that extends RTMR mr. */
static const struct cc_event *nth(const struct cc_eventlog *log, int mr, size_t i)
{
	for (size_t k = 0; k < log->n; k++)
		if (eventlog_extends(&log->ev[k]) && eventlog_rtmr(&log->ev[k]) == mr && i-- == 0)
			return &log->ev[k];
	tap_fail("no event %zu for RTMR%d", i, mr);
}

TEST(td_hob_matches_trustee_logs)
{
	struct cc_eventlog log;
	struct tdvf t;
	uint8_t *buf, *hob, d[SHA384_LEN];
	size_t len;

	debian_sections(&t);
	/* CCEL_data_ovmf was taken from a 2 GiB guest, CCEL_data_grub from a 10 GiB one. */
	load_log(CCEL_OVMF, &buf, &log);
	ASSERT_EQ(tdx_td_hob(&t, 2ull << 30, &hob, &len, NULL, 0), 0);
	tdx_sha384(hob, len, d);
	ASSERT_STR(hex48(d), hex48(nth(&log, 0, 0)->digest));
	free(hob);
	eventlog_free(&log);
	free(buf);

	load_log(CCEL_GRUB, &buf, &log);
	ASSERT_EQ(tdx_td_hob(&t, 10ull << 30, &hob, &len, NULL, 0), 0);
	tdx_sha384(hob, len, d);
	ASSERT_STR(hex48(d), hex48(nth(&log, 0, 0)->digest));
	free(hob);
	eventlog_free(&log);
	free(buf);
}

TEST(rtmrs_reproduce_trustee_ccel)
{
	struct tdx_prediction *p = calloc(1, sizeof(*p));
	uint8_t *buf, acpi[3][SHA384_LEN];
	struct cc_eventlog log;
	struct tdvf t;

	debian_sections(&t);
	load_log(CCEL_OVMF, &buf, &log);
	/* Only the CFV, ACPI, kernel, cmdline and initrd inputs are unpublished: take their
	 * digests. */
	for (int i = 0; i < 3; i++)
		memcpy(acpi[i], nth(&log, 0, 8 + i)->digest, SHA384_LEN);
	ASSERT_EQ(tdx_rtmr0_events(&t, 2ull << 30, TDX_PROFILE_TRUSTEE, nth(&log, 0, 1)->digest,
	                           (const uint8_t(*)[SHA384_LEN])acpi, p, NULL, 0),
	          0);
	ASSERT_EQ(p->n_ev[0], 14);
	for (size_t i = 0; i < p->n_ev[0]; i++)
		ASSERT_STR(hex48(p->ev[0][i].digest), hex48(nth(&log, 0, i)->digest));
	ASSERT_STR(hex48(p->rtmr[0]), ccel_ovmf_rtmr[0]);

	ASSERT_EQ(tdx_rtmr1_events(p, TDX_PROFILE_TRUSTEE, nth(&log, 1, 0)->digest), 0);
	ASSERT_EQ(p->n_ev[1], 4);
	ASSERT_STR(hex48(p->rtmr[1]), ccel_ovmf_rtmr[1]);
	/* The dstack profile puts a separator into RTMR1, so it cannot match this log. */
	ASSERT_EQ(tdx_rtmr1_events(p, TDX_PROFILE_DSTACK, nth(&log, 1, 0)->digest), 0);
	ASSERT_EQ(p->n_ev[1], 5);
	ASSERT_TRUE(strcmp(hex48(p->rtmr[1]), ccel_ovmf_rtmr[1]) != 0);

	ASSERT_EQ(tdx_rtmr2_events(p, nth(&log, 2, 0)->digest, nth(&log, 2, 1)->digest), 0);
	ASSERT_STR(hex48(p->rtmr[2]), ccel_ovmf_rtmr[2]);
	eventlog_free(&log);
	free(buf);
	free(p);
}

TEST(load_options_are_ucs2_with_initrd_suffix)
{
	const char *want = "console=ttyS0 initrd=initrd";
	uint8_t *o;
	size_t len;

	ASSERT_EQ(tdx_load_options("console=ttyS0", true, &o, &len), 0);
	ASSERT_EQ(len, 2 * (strlen(want) + 1));
	for (size_t i = 0; i <= strlen(want); i++) {
		ASSERT_EQ(o[2 * i], (uint8_t)want[i]);
		ASSERT_EQ(o[2 * i + 1], 0);
	}
	free(o);
	ASSERT_EQ(tdx_load_options("a", false, &o, &len), 0);
	ASSERT_EQ(len, 4);
	ASSERT_MEM(o, "a\0\0\0", 4);
	free(o);
}

/* ---- synthetic EFI-stub bzImage: PE32+, two sections listed out of file order ---- */

#define PE_OFF    0x40u
#define OPT_OFF   (PE_OFF + 24)
#define OPT_SIZE  240u /* PE32+: 112 + 16 directories */
#define SEC_TABLE (OPT_OFF + OPT_SIZE)
#define HDRS      0x400u
#define SEC1      0x400u /* 0x600 bytes */
#define SEC2      0xa00u /* 0x800 bytes, right after SEC1 */
#define TRAIL     0x13u
#define CERT      0x20u
#define CERT_DIR  (OPT_OFF + 112 + 4 * 8)
#define CHECKSUM  (OPT_OFF + 64)

static uint8_t *synthetic_kernel(bool cert, size_t *len)
{
	size_t n = SEC2 + 0x800 + TRAIL + (cert ? CERT : 0);
	uint8_t *k = malloc(n);

	for (size_t i = 0; i < n; i++)
		k[i] = (uint8_t)(i * 13 + 5);
	memset(k, 0, HDRS);
	k[0] = 'M';
	k[1] = 'Z';
	put32(k + 0x3c, PE_OFF);
	memcpy(k + PE_OFF, "PE\0\0", 4);
	k[PE_OFF + 6] = 2; /* sections */
	k[PE_OFF + 20] = OPT_SIZE;
	k[OPT_OFF] = 0x0b;
	k[OPT_OFF + 1] = 0x02;
	put32(k + CHECKSUM, 0xdeadbeef);
	put32(k + OPT_OFF + 60, HDRS);
	put32(k + OPT_OFF + 108, 16);
	if (cert) {
		put32(k + CERT_DIR, (uint32_t)(n - CERT));
		put32(k + CERT_DIR + 4, CERT);
	}
	/* section table: the later section first, so the hash must sort them */
	memcpy(k + SEC_TABLE, ".text", 5);
	put32(k + SEC_TABLE + 16, 0x800);
	put32(k + SEC_TABLE + 20, SEC2);
	memcpy(k + SEC_TABLE + 40, ".setup", 6);
	put32(k + SEC_TABLE + 40 + 16, 0x600);
	put32(k + SEC_TABLE + 40 + 20, SEC1);
	/* setup header: boot protocol 2.15, loaded high, may go above 4 GiB */
	memcpy(k + 0x202, "HdrS", 4);
	k[0x206] = 0x0f;
	k[0x207] = 0x02;
	k[0x211] = 0x01;
	put32(k + 0x22c, 0x7fffffff);
	k[0x236] = 0x40;
	*len = n;
	return k;
}

/* Authenticode the long way: the included ranges copied out, padded, hashed once. */
static void naive_authenticode(const uint8_t *k, size_t len, bool cert, uint8_t out[SHA384_LEN])
{
	uint8_t *s = calloc(1, len + 8), *p = s;
	size_t trail = len - (cert ? CERT : 0) - (SEC2 + 0x800);
	unsigned int n;

#define COPY(from, to)                                                                             \
	do {                                                                                       \
		memcpy(p, k + (from), (size_t)((to) - (from)));                                    \
		p += (to) - (from);                                                                \
	} while (0)
	COPY(0, CHECKSUM);
	COPY(CHECKSUM + 4, CERT_DIR);
	COPY(CERT_DIR + 8, HDRS);
	COPY(SEC1, SEC1 + 0x600);
	COPY(SEC2, SEC2 + 0x800);
	COPY(SEC2 + 0x800, SEC2 + 0x800 + trail);
#undef COPY
	p += len % 8 ? 8 - len % 8 : 0; /* zeros from calloc */
	EVP_Digest(s, (size_t)(p - s), out, &n, EVP_sha384(), NULL);
	free(s);
}

TEST(authenticode_synthetic)
{
	uint8_t got[SHA384_LEN], want[SHA384_LEN];
	char err[TDX_ERR_MAX] = "";

	for (int cert = 0; cert < 2; cert++) {
		size_t len;
		uint8_t *k = synthetic_kernel(cert, &len);
		ASSERT_EQ(pe_authenticode_sha384(k, len, got, err, sizeof(err)), 0);
		naive_authenticode(k, len, cert, want);
		ASSERT_STR(hex48(got), hex48(want));
		/* The checksum and certificate directory are not covered. */
		put32(k + CHECKSUM, 1);
		ASSERT_EQ(pe_authenticode_sha384(k, len, want, err, sizeof(err)), 0);
		ASSERT_MEM(got, want, SHA384_LEN);
		free(k);
	}
}

TEST(authenticode_rejects_truncation)
{
	char err[TDX_ERR_MAX];
	uint8_t d[SHA384_LEN];
	size_t len;
	uint8_t *k = synthetic_kernel(true, &len);

	/* Every truncation inside the sections or certificate must be refused, never overread. */
	for (size_t n = 0; n < len; n++) {
		uint8_t *c = malloc(n ? n : 1);
		memcpy(c, k, n);
		err[0] = 0;
		ASSERT_EQ(pe_authenticode_sha384(c, n, d, err, sizeof(err)), -EBADMSG);
		ASSERT_TRUE(err[0] != 0);
		free(c);
	}
	put32(k + SEC_TABLE + 16, 0x7fffffff); /* a section larger than the file */
	ASSERT_EQ(pe_authenticode_sha384(k, len, d, err, sizeof(err)), -EBADMSG);
	ASSERT_CONTAINS(err, "past the end");
	free(k);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

TEST(qemu_patch_follows_x86_c)
{
	size_t len;
	uint8_t *k = synthetic_kernel(false, &len), *a = malloc(len), *b = malloc(len);
	const uint64_t initrd = 64u << 20;

	memcpy(a, k, len);
	ASSERT_EQ(pe_qemu_patch(a, len, true, initrd, 2ull << 30, NULL, 0), 0);
	ASSERT_EQ(a[0x210], 0xb0);
	ASSERT_EQ(a[0x211], 0x81);
	ASSERT_EQ(get32(a + 0x224), 0x20000 - 0x10000 - 0x200);
	ASSERT_EQ(get32(a + 0x228), 0x20000);
	/* 2 GiB: below_4g = 2 GiB, initrd_max = 2 GiB - 0x28000 - 1 */
	ASSERT_EQ(get32(a + 0x218), (uint32_t)((0x80000000u - 0x28000u - 1 - initrd) & ~4095u));
	ASSERT_EQ(get32(a + 0x21c), initrd);
	/* From 0xB0000000 on, RAM above 2 GiB moves to 4 GiB: the same placement as 2 GiB. */
	memcpy(b, k, len);
	ASSERT_EQ(pe_qemu_patch(b, len, true, initrd, 16ull << 30, NULL, 0), 0);
	ASSERT_MEM(a, b, len);
	memcpy(b, k, len);
	ASSERT_EQ(pe_qemu_patch(b, len, true, initrd, 1ull << 30, NULL, 0), 0);
	ASSERT_EQ(get32(b + 0x218), (uint32_t)((0x40000000u - 0x28000u - 1 - initrd) & ~4095u));
	ASSERT_FALSE(pe_patch_depends_on_ram(2ull << 30));
	ASSERT_FALSE(pe_patch_depends_on_ram(0xb0000000ull));
	ASSERT_TRUE(pe_patch_depends_on_ram(0xb0000000ull - 1));
	/* Without xloadflags bit 6, initrd_addr_max (0x22c) bounds the placement. */
	memcpy(b, k, len);
	b[0x236] = 0;
	put32(b + 0x22c, 0x37ffffff);
	ASSERT_EQ(pe_qemu_patch(b, len, true, initrd, 2ull << 30, NULL, 0), 0);
	ASSERT_EQ(get32(b + 0x218), (uint32_t)((0x37ffffffu - initrd) & ~4095u));
	/* An initrd that cannot fit is refused as QEMU refuses it. */
	memcpy(b, k, len);
	ASSERT_EQ(pe_qemu_patch(b, len, true, 1ull << 30, 1ull << 30, NULL, 0), -EFBIG);
	free(k);
	free(a);
	free(b);
}

static void sha(const void *d, size_t n, uint8_t out[SHA384_LEN])
{
	unsigned int len;
	EVP_Digest(d, n, out, &len, EVP_sha384(), NULL);
}

static void extend(uint8_t mr[SHA384_LEN], const uint8_t d[SHA384_LEN])
{
	uint8_t buf[2 * SHA384_LEN];
	memcpy(buf, mr, SHA384_LEN);
	memcpy(buf + SHA384_LEN, d, SHA384_LEN);
	sha(buf, sizeof(buf), mr);
}

static void extend_str(uint8_t mr[SHA384_LEN], const char *s)
{
	uint8_t d[SHA384_LEN];
	sha(s, strlen(s), d);
	extend(mr, d);
}

TEST(predict_end_to_end)
{
	static const char *const cmd = "console=hvc0 root=/dev/vda1";
	static const char *const ucs = "console=hvc0 root=/dev/vda1 initrd=initrd";
	const size_t initrd_len = 3 << 20;
	struct tdx_prediction *p = calloc(1, sizeof(*p));
	uint8_t *fw = synthetic_fw(), *initrd = malloc(initrd_len), *opts;
	uint8_t want[3][SHA384_LEN] = {{0}}, d[SHA384_LEN], mrtd[SHA384_LEN];
	char err[TDX_ERR_MAX] = "";
	size_t klen, n = strlen(ucs);
	uint8_t *k = synthetic_kernel(true, &klen), *patched = malloc(klen);
	struct tdvf t;

	for (size_t i = 0; i < initrd_len; i++)
		initrd[i] = (uint8_t)(i ^ (i >> 11));
	ASSERT_EQ(tdvf_parse(fw, FW_LEN, &t, err, sizeof(err)), 0);
	struct tdx_inputs in = {.fw = fw,
	                        .fw_len = FW_LEN,
	                        .tdvf = &t,
	                        .kernel = k,
	                        .kernel_len = klen,
	                        .initrd = initrd,
	                        .initrd_len = initrd_len,
	                        .cmdline = cmd,
	                        .ram = 8ull << 30,
	                        .profile = TDX_PROFILE_DSTACK};
	ASSERT_EQ(tdx_predict(&in, p, err, sizeof(err)), 0);

	naive_mrtd(fw, false, mrtd);
	ASSERT_TRUE(p->has_mrtd && !p->has_rtmr[0]);
	ASSERT_STR(hex48(p->mrtd), hex48(mrtd));
	/* RTMR1: the kernel as QEMU patches it for 8 GiB (initrd below 2 GiB - 0x28000). */
	memcpy(patched, k, klen);
	patched[0x210] = 0xb0;
	patched[0x211] |= 0x80;
	put32(patched + 0x224, 0xfe00);
	put32(patched + 0x228, 0x20000);
	put32(patched + 0x218, (uint32_t)((0x7ffd7fffu - initrd_len) & ~4095u));
	put32(patched + 0x21c, (uint32_t)initrd_len);
	naive_authenticode(patched, klen, true, d);
	ASSERT_STR(hex48(p->kernel), hex48(d));
	extend(want[1], d);
	extend_str(want[1], "Calling EFI Application from Boot Option");
	sha("\0\0\0\0", 4, d);
	extend(want[1], d); /* the dstack profile's separator */
	extend_str(want[1], "Exit Boot Services Invocation");
	extend_str(want[1], "Exit Boot Services Returned with Success");
	ASSERT_STR(hex48(p->rtmr[1]), hex48(want[1]));
	/* RTMR2: UCS-2 LoadOptions with the initrd suffix and a NUL, then the initrd. */
	opts = calloc(n + 1, 2);
	for (size_t i = 0; i < n; i++)
		opts[2 * i] = (uint8_t)ucs[i];
	sha(opts, 2 * (n + 1), d);
	ASSERT_STR(hex48(p->params), hex48(d));
	extend(want[2], d);
	sha(initrd, initrd_len, d);
	extend(want[2], d);
	ASSERT_STR(hex48(p->rtmr[2]), hex48(want[2]));

	/* An initrd without a RAM size cannot be predicted. */
	in.ram = 0;
	ASSERT_EQ(tdx_predict(&in, p, err, sizeof(err)), -EINVAL);
	ASSERT_CONTAINS(err, "--memory");
	free(opts);
	free(patched);
	free(k);
	free(initrd);
	free(fw);
	free(p);
}
