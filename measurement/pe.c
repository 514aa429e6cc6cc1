/* SPDX-License-Identifier: Apache-2.0 */
/* QEMU's bzImage header patch and PE/COFF Authenticode SHA-384 (see pe.h). */
#include "init/base/bytes.h"
#include "measurement/pe.h"
#include "init/base/why.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#define PE32_MAGIC         0x10b
#define PE32PLUS_MAGIC     0x20b
#define SECTION_HDR        40u
#define MAX_SECTIONS       96u /* the PE/COFF specification's limit */
#define DIR_SECURITY       4u
#define LOWMEM_SPLIT       0xb0000000ull
#define XLF_ABOVE_4G       0x40u
#define LOADFLAG_HIGH      0x01u
#define LOADFLAG_CAN_HEAP  0x80u
#define QEMU_LOADER_TYPE   0xb0u
#define DEFAULT_INITRD_MAX 0x37ffffffu

bool pe_patch_depends_on_ram(uint64_t ram)
{
	return ram < LOWMEM_SPLIT && ram != 0x80000000ull;
}

int pe_qemu_patch(uint8_t *k, size_t len, bool has_initrd, uint64_t initrd_size, uint64_t ram,
                  char *why, size_t why_size)
{
	uint16_t protocol;
	uint32_t real_addr, cmdline_addr, initrd_max;
	uint64_t lowmem, below_4g;

	if (len < PE_MIN_KERNEL)
		return why_set(why, why_size, -EBADMSG,
		               "kernel is %zu bytes; a bzImage has at least %u", len,
		               PE_MIN_KERNEL);
	/* QEMU treats images without the "HdrS" magic as old protocol 0. */
	protocol = memcmp(k + 0x202, "HdrS", 4) == 0 ? le16(k + 0x206) : 0;
	if (protocol >= 0x200 && (k[0x211] & LOADFLAG_HIGH)) {
		real_addr = 0x10000;
		cmdline_addr = 0x20000;
	} else {
		real_addr = 0x90000;
		cmdline_addr = 0x9a000;
	}
	if (protocol >= 0x200)
		k[0x210] = QEMU_LOADER_TYPE;
	if (protocol >= 0x201) {
		k[0x211] |= LOADFLAG_CAN_HEAP;
		put_le32(k + 0x224, cmdline_addr - real_addr - 0x200);
	}
	if (protocol >= 0x202) {
		put_le32(k + 0x228, cmdline_addr);
	} else {
		put_le16(k + 0x20, 0xa33f);
		put_le16(k + 0x22, (uint16_t)(cmdline_addr - real_addr));
	}
	if (!has_initrd)
		return 0;
	if (protocol < 0x200)
		return why_set(why, why_size, -EBADMSG,
		               "kernel boot protocol %#x is too old for an initrd", protocol);
	if (protocol >= 0x20c && (le16(k + 0x236) & XLF_ABOVE_4G))
		initrd_max = UINT32_MAX;
	else if (protocol >= 0x203 && le32(k + 0x22c) != 0)
		initrd_max = le32(k + 0x22c);
	else
		initrd_max = DEFAULT_INITRD_MAX;
	/* pc/q35: RAM from 0xB0000000 up is split at 2 GiB, below that it all sits under 4 GiB. */
	lowmem = ram >= LOWMEM_SPLIT ? 0x80000000ull : LOWMEM_SPLIT;
	below_4g = ram >= lowmem ? lowmem : ram;
	if (below_4g <= PE_QEMU_ACPI_DATA_SIZE)
		return why_set(why, why_size, -EBADMSG, "RAM size %#llx leaves no room below 4 GiB",
		               (unsigned long long)ram);
	if (initrd_max >= below_4g - PE_QEMU_ACPI_DATA_SIZE)
		initrd_max = (uint32_t)(below_4g - PE_QEMU_ACPI_DATA_SIZE - 1);
	if (initrd_size >= initrd_max)
		return why_set(why, why_size, -EFBIG,
		               "initrd of %llu bytes does not fit below %#x (QEMU refuses it)",
		               (unsigned long long)initrd_size, initrd_max);
	put_le32(k + 0x218, (uint32_t)((initrd_max - initrd_size) & ~4095ull));
	put_le32(k + 0x21c, (uint32_t)initrd_size);
	return 0;
}

struct span {
	size_t off, len;
};

static int cmp_span(const void *a, const void *b)
{
	const struct span *x = a, *y = b;
	return x->off < y->off ? -1 : x->off > y->off;
}

static int update(EVP_MD_CTX *ctx, const void *p, size_t n)
{
	return EVP_DigestUpdate(ctx, p, n) == 1 ? 0 : -EIO;
}

/* Hashes the image per Authenticode; offsets are checked by the caller's header walk. */
static int hash_image(EVP_MD_CTX *ctx, const uint8_t *img, size_t len, size_t checksum,
                      size_t cert_dir, bool has_cert_dir, size_t headers, struct span *sec,
                      size_t nsec, char *why, size_t why_size)
{
	size_t sum = headers, cert_size = has_cert_dir ? le32(img + cert_dir + 4) : 0;
	static const uint8_t zeros[8];
	int r;

	if ((r = update(ctx, img, checksum)) < 0)
		return r;
	if (has_cert_dir) {
		if ((r = update(ctx, img + checksum + 4, cert_dir - checksum - 4)) < 0 ||
		    (r = update(ctx, img + cert_dir + 8, headers - cert_dir - 8)) < 0)
			return r;
	} else if ((r = update(ctx, img + checksum + 4, headers - checksum - 4)) < 0) {
		return r;
	}
	qsort(sec, nsec, sizeof(*sec), cmp_span);
	for (size_t i = 0; i < nsec; i++) {
		if ((r = update(ctx, img + sec[i].off, sec[i].len)) < 0)
			return r;
		sum += sec[i].len;
	}
	if (len > sum) {
		if (len - sum > cert_size) {
			if ((r = update(ctx, img + sum, len - sum - cert_size)) < 0)
				return r;
		} else if (len - sum < cert_size)
			return why_set(
			        why, why_size, -EBADMSG,
			        "PE certificate table (%zu bytes) is larger than the %zu bytes "
			        "after the sections",
			        cert_size, len - sum);
	}
	if (len % 8)
		return update(ctx, zeros, 8 - len % 8);
	return 0;
}

/* Where the headers put what Authenticode skips or walks. */
struct pe_layout {
	size_t checksum, cert_dir, headers, table, nsec;
	bool has_cert_dir;
};

/* The DOS, PE and optional headers, checked against the file's length. */
static int parse_headers(const uint8_t *img, size_t len, struct pe_layout *l, char *why,
                         size_t why_size)
{
	size_t pe, opt, opt_size, dirs, ndirs;
	bool plus;

	if (len < 0x40 || img[0] != 'M' || img[1] != 'Z')
		return why_set(why, why_size, -EBADMSG, "not a PE image (no MZ header)");
	pe = le32(img + 0x3c);
	if (pe > len || len - pe < 24 || memcmp(img + pe, "PE\0\0", 4) != 0)
		return why_set(
		        why, why_size, -EBADMSG,
		        "not a PE image (no PE signature at %#zx); is this an EFI-stub bzImage?",
		        pe);
	l->nsec = le16(img + pe + 6);
	opt_size = le16(img + pe + 20);
	opt = pe + 24;
	if (opt_size > len - opt || opt_size < 2)
		return why_set(why, why_size, -EBADMSG,
		               "PE optional header (%zu bytes) runs past the file", opt_size);
	switch (le16(img + opt)) {
	case PE32_MAGIC:
		plus = false;
		break;
	case PE32PLUS_MAGIC:
		plus = true;
		break;
	default:
		return why_set(why, why_size, -EBADMSG, "unknown PE optional header magic %#x",
		               le16(img + opt));
	}
	dirs = opt + (plus ? 112 : 96);
	if (dirs - opt > opt_size)
		return why_set(why, why_size, -EBADMSG,
		               "PE optional header is too short (%zu bytes)", opt_size);
	ndirs = le32(img + dirs - 4);
	if (ndirs > (opt_size - (dirs - opt)) / 8)
		return why_set(why, why_size, -EBADMSG,
		               "PE header claims %zu data directories that do not fit", ndirs);
	l->checksum = opt + 64;
	l->has_cert_dir = ndirs > DIR_SECURITY;
	if (l->has_cert_dir) {
		size_t cert_off, cert_len;
		l->cert_dir = dirs + 8 * DIR_SECURITY;
		cert_off = le32(img + l->cert_dir);
		cert_len = le32(img + l->cert_dir + 4);
		if (cert_len && (cert_off > len || cert_len > len - cert_off))
			return why_set(
			        why, why_size, -EBADMSG,
			        "PE certificate table %#zx+%#zx lies past the end of the file",
			        cert_off, cert_len);
	}
	l->headers = le32(img + opt + 60);
	l->table = opt + opt_size;
	if (l->headers > len || l->headers < (l->has_cert_dir ? l->cert_dir + 8 : l->checksum + 4))
		return why_set(why, why_size, -EBADMSG,
		               "PE SizeOfHeaders %#zx is inconsistent with the headers or file",
		               l->headers);
	if (l->nsec > MAX_SECTIONS || l->nsec * SECTION_HDR > len - l->table)
		return why_set(why, why_size, -EBADMSG,
		               "PE section table (%zu sections) runs past the file", l->nsec);
	return 0;
}

/* The sections with raw data, in table order. */
static int collect_sections(const uint8_t *img, size_t len, const struct pe_layout *l,
                            struct span *sec, size_t *nspan, char *why, size_t why_size)
{
	for (size_t i = 0; i < l->nsec; i++) {
		const uint8_t *s = img + l->table + i * SECTION_HDR;
		size_t raw = le32(s + 16), ptr = le32(s + 20);
		if (!raw)
			continue;
		if (ptr > len || raw > len - ptr)
			return why_set(
			        why, why_size, -EBADMSG,
			        "PE section %zu (%.8s) lies past the end of the %zu-byte file", i,
			        (const char *)s, len);
		sec[(*nspan)++] = (struct span){ptr, raw};
	}
	return 0;
}

int pe_authenticode_sha384(const uint8_t *img, size_t len, uint8_t out[SHA384_LEN], char *why,
                           size_t why_size)
{
	struct span sec[MAX_SECTIONS];
	struct pe_layout l = {0};
	size_t nspan = 0;
	EVP_MD_CTX *ctx;
	int r;

	if ((r = parse_headers(img, len, &l, why, why_size)) < 0 ||
	    (r = collect_sections(img, len, &l, sec, &nspan, why, why_size)) < 0)
		return r;
	ctx = EVP_MD_CTX_new();
	if (!ctx)
		return -ENOMEM;
	r = EVP_DigestInit_ex(ctx, EVP_sha384(), NULL) == 1 ? 0 : -EIO;
	if (r == 0)
		r = hash_image(ctx, img, len, l.checksum, l.cert_dir, l.has_cert_dir, l.headers,
		               sec, nspan, why, why_size);
	if (r == 0 && EVP_DigestFinal_ex(ctx, out, NULL) != 1)
		r = -EIO;
	EVP_MD_CTX_free(ctx);
	return r;
}
