/* SPDX-License-Identifier: Apache-2.0 */
/* SEV-SNP ID block and ID auth (measurement/README.md, 13), signed with OpenSSL. */
#include "measurement/snp_idblock.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/params.h>
#include <openssl/pem.h>

#include "init/base/bytes.h"
#include "init/base/cmdfiles.h"
#include "init/base/why.h"

#define ALGO_ECDSA_P384_SHA384 1
#define CURVE_P384             2
#define ECC_COORD_SIZE         72 /* r, s, Qx and Qy are each this long, little-endian */
#define P384_SIZE              48
#define ID_KEY_FILE_MAX        (64 * 1024) /* a P-384 PEM is under 400 bytes */

/*
 * Guest policy bits (SEV-SNP Firmware ABI 1.58, "Guest Policy Structure"):
 * 25:0 are defined (ABI version, SMT, MIGRATE_MA, DEBUG, SINGLE_SOCKET,
 * CXL_ALLOW, MEM_AES_256_XTS, RAPL_DIS, CIPHERTEXT_HIDING, PAGE_SWAP_DISABLE),
 * except 17, reserved and must be one; 63:26 are reserved and must be zero.
 */
#define POLICY_RSVD_MBO_BIT 17
#define POLICY_DEFINED_BITS 26

/* Offsets in the ID auth structure (SEV-SNP ABI, table "ID Authentication Information"). */
#define AUTH_ID_KEY_ALGO     0x000
#define AUTH_AUTHOR_KEY_ALGO 0x004
#define AUTH_ID_BLOCK_SIG    0x040
#define AUTH_ID_KEY_SIG      0x680

struct snp_id_key {
	EVP_PKEY *pkey;
	char *path; /* for the messages: a signature that fails names its key's file */
};

/* OpenSSL's own reason for the last failure, for the message. */
static const char *ossl_reason(void)
{
	unsigned long e = ERR_get_error();
	const char *r = e ? ERR_reason_error_string(e) : NULL;

	ERR_clear_error();
	return r ? r : "no detail";
}

static int check_p384(EVP_PKEY *pkey, const char *path, char *why, size_t why_size)
{
	char group[64];

	if (EVP_PKEY_get_base_id(pkey) != EVP_PKEY_EC)
		return why_set(why, why_size, -EINVAL, "%s: not an EC private key", path);
	if (!EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group),
	                                    NULL))
		return why_set(why, why_size, -EINVAL, "%s: EC key without a named curve", path);
	if (strcmp(group, "secp384r1") != 0)
		return why_set(why, why_size, -EINVAL,
		               "%s: the key is on %s; SEV-SNP ID keys are P-384 (secp384r1)", path,
		               group);
	return 0;
}

int snp_policy_check(uint64_t policy, char *why, size_t why_size)
{
	if (!(policy & (1ULL << POLICY_RSVD_MBO_BIT)))
		return why_set(why, why_size, -EINVAL,
		               "bit %d is clear: the SEV-SNP ABI reserves it and requires it set "
		               "(0x30000 is the usual policy)",
		               POLICY_RSVD_MBO_BIT);
	for (int bit = POLICY_DEFINED_BITS; bit < 64; bit++) {
		if (policy & (1ULL << bit))
			return why_set(
			        why, why_size, -EINVAL,
			        "bit %d is set: the SEV-SNP ABI (1.58) reserves bits 63:%d and "
			        "requires them clear",
			        bit, POLICY_DEFINED_BITS);
	}
	return 0;
}

/*
 * A key is checked as a key: its point on P-384, and its private scalar the
 * one that gives that point. A PEM file carries both and nothing makes them
 * agree; signing with a mismatched pair gives a signature the PSP rejects.
 */
static int check_pair(EVP_PKEY *pkey, const char *path, char *why, size_t why_size)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
	int r = 0;

	if (!ctx)
		return why_set(why, why_size, -ENOMEM, "%s: %s", path, ossl_reason());
	if (EVP_PKEY_public_check(ctx) != 1)
		r = why_set(why, why_size, -EKEYREJECTED,
		            "%s: its public key is not a valid P-384 point (%s)", path,
		            ossl_reason());
	else if (EVP_PKEY_pairwise_check(ctx) != 1)
		r = why_set(why, why_size, -EKEYREJECTED,
		            "%s: its private key does not match its public key (%s)", path,
		            ossl_reason());
	EVP_PKEY_CTX_free(ctx);
	return r;
}

/* The PEM file's key, read under the input rules (regular, bounded, never waited on). */
static int read_pem_key(const char *path, EVP_PKEY **pkey, char *why, size_t why_size)
{
	char *pem = NULL, sub[256] = "";
	size_t len = 0;
	BIO *bio;
	int r = read_input_file(path, ID_KEY_FILE_MAX, &pem, &len, sub, sizeof(sub));

	if (r < 0)
		return why_set(why, why_size, r, "%s: %s", path, why_or_errno(sub, r));
	bio = BIO_new_mem_buf(pem, (int)len);
	/* No passphrase callback: an encrypted key is an error, never a prompt. */
	*pkey = bio ? PEM_read_bio_PrivateKey(bio, NULL, NULL, (void *)"") : NULL;
	BIO_free(bio);
	OPENSSL_cleanse(pem, len);
	free(pem);
	if (!*pkey)
		return why_set(why, why_size, -EINVAL, "%s: not a PEM private key (%s)", path,
		               ossl_reason());
	return 0;
}

int snp_id_key_load(const char *path, struct snp_id_key **out, char *why, size_t why_size)
{
	EVP_PKEY *pkey = NULL;
	int r = read_pem_key(path, &pkey, why, why_size);

	if (r == 0)
		r = check_p384(pkey, path, why, why_size);
	if (r == 0)
		r = check_pair(pkey, path, why, why_size);
	if (r == 0) {
		*out = calloc(1, sizeof(**out));
		if (!*out || !((*out)->path = strdup(path))) {
			free(*out);
			*out = NULL;
			r = why_set(why, why_size, -ENOMEM, "out of memory");
		}
	}
	if (r < 0) {
		EVP_PKEY_free(pkey);
		return r;
	}
	(*out)->pkey = pkey;
	return 0;
}

void snp_id_key_free(struct snp_id_key *key)
{
	if (!key)
		return;
	EVP_PKEY_free(key->pkey); /* OpenSSL clears the private scalar as it frees it */
	free(key->path);
	free(key);
}

/* A coordinate or signature half as the ABI stores it: little-endian, zero-padded to 72. */
static int put_coord(const BIGNUM *bn, uint8_t out[ECC_COORD_SIZE])
{
	return BN_bn2lebinpad(bn, out, ECC_COORD_SIZE) == ECC_COORD_SIZE ? 0 : -EOVERFLOW;
}

/* Two of them back to back: Qx then Qy, or R then S. */
static int put_pair(const BIGNUM *a, const BIGNUM *b, uint8_t out[2 * ECC_COORD_SIZE])
{
	int r = put_coord(a, out);

	return r < 0 ? r : put_coord(b, out + ECC_COORD_SIZE);
}

int snp_id_key_public(const struct snp_id_key *key, uint8_t out[SNP_ID_PUBKEY_SIZE], char *why,
                      size_t why_size)
{
	BIGNUM *x = NULL, *y = NULL;
	int r = -EIO;

	memset(out, 0, SNP_ID_PUBKEY_SIZE);
	put_le32(out, CURVE_P384);
	if (EVP_PKEY_get_bn_param(key->pkey, OSSL_PKEY_PARAM_EC_PUB_X, &x) &&
	    EVP_PKEY_get_bn_param(key->pkey, OSSL_PKEY_PARAM_EC_PUB_Y, &y))
		r = put_pair(x, y, out + 4);
	BN_free(x);
	BN_free(y);
	if (r < 0)
		return why_set(why, why_size, r, "reading the public key: %s", ossl_reason());
	return 0;
}

int snp_id_pubkey_digest(const uint8_t pub[SNP_ID_PUBKEY_SIZE], uint8_t out[48])
{
	unsigned len = 0;

	return EVP_Digest(pub, SNP_ID_PUBKEY_SIZE, out, &len, EVP_sha384(), NULL) && len == 48
	               ? 0
	               : -EIO;
}

int snp_id_key_digest(const struct snp_id_key *key, uint8_t out[48], char *why, size_t why_size)
{
	uint8_t pub[SNP_ID_PUBKEY_SIZE];
	int r = snp_id_key_public(key, pub, why, why_size);

	if (r == 0 && snp_id_pubkey_digest(pub, out) < 0)
		r = why_set(why, why_size, -EIO, "SHA-384: %s", ossl_reason());
	return r;
}

void snp_id_block_encode(const struct snp_id_params *p, uint8_t out[SNP_ID_BLOCK_SIZE])
{
	memcpy(out, p->digest, 48);
	memcpy(out + 0x30, p->family_id, 16);
	memcpy(out + 0x40, p->image_id, 16);
	put_le32(out + 0x50, 1);
	put_le32(out + 0x54, p->guest_svn);
	put_le64(out + 0x58, p->policy);
}

/* ECDSA-SHA384 of data in the ABI's signature layout (r, then s; 512 bytes, rest zero). */
static int sign(const struct snp_id_key *key, const uint8_t *data, size_t n, uint8_t out[512],
                char *why, size_t why_size)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char der[160];
	const unsigned char *p = der;
	size_t der_len = sizeof(der);
	ECDSA_SIG *sig = NULL;
	int r = -EIO;

	memset(out, 0, 512);
	if (ctx && EVP_DigestSignInit(ctx, NULL, EVP_sha384(), NULL, key->pkey) == 1 &&
	    EVP_DigestSign(ctx, der, &der_len, data, n) == 1)
		sig = d2i_ECDSA_SIG(NULL, &p, (long)der_len);
	if (sig)
		r = put_pair(ECDSA_SIG_get0_r(sig), ECDSA_SIG_get0_s(sig), out);
	ECDSA_SIG_free(sig);
	EVP_MD_CTX_free(ctx);
	if (r < 0)
		return why_set(why, why_size, r, "ECDSA signing: %s", ossl_reason());
	return 0;
}

/* The ABI's public key structure as an OpenSSL key: the point, big-endian, uncompressed. */
static EVP_PKEY *abi_public_key(const uint8_t pub[SNP_ID_PUBKEY_SIZE])
{
	uint8_t point[1 + 2 * P384_SIZE];
	OSSL_PARAM params[] = {
	        OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, (char *)"secp384r1", 0),
	        OSSL_PARAM_octet_string(OSSL_PKEY_PARAM_PUB_KEY, point, sizeof(point)),
	        OSSL_PARAM_END,
	};
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	EVP_PKEY *pkey = NULL;

	point[0] = 4;
	for (int i = 0; i < P384_SIZE; i++) {
		point[1 + i] = pub[4 + P384_SIZE - 1 - i];
		point[1 + P384_SIZE + i] = pub[4 + ECC_COORD_SIZE + P384_SIZE - 1 - i];
	}
	if (ctx && EVP_PKEY_fromdata_init(ctx) == 1)
		(void)EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params);
	EVP_PKEY_CTX_free(ctx);
	return pkey;
}

/* Whether sig, in the ABI's layout, verifies over data under pub: the PSP's own check. */
static bool abi_verifies(const uint8_t pub[SNP_ID_PUBKEY_SIZE], const uint8_t sig[512],
                         const uint8_t *data, size_t n)
{
	EVP_PKEY *pkey = abi_public_key(pub);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	ECDSA_SIG *s = ECDSA_SIG_new();
	BIGNUM *r = BN_lebin2bn(sig, ECC_COORD_SIZE, NULL);
	BIGNUM *sv = BN_lebin2bn(sig + ECC_COORD_SIZE, ECC_COORD_SIZE, NULL);
	unsigned char *der = NULL;
	int der_len = -1;
	bool ok = false;

	if (s && r && sv && ECDSA_SIG_set0(s, r, sv) == 1) {
		r = sv = NULL; /* s owns them now */
		der_len = i2d_ECDSA_SIG(s, &der);
	}
	if (pkey && ctx && der_len > 0 &&
	    EVP_DigestVerifyInit(ctx, NULL, EVP_sha384(), NULL, pkey) == 1)
		ok = EVP_DigestVerify(ctx, der, (size_t)der_len, data, n) == 1;
	ERR_clear_error();
	OPENSSL_free(der);
	BN_free(r);
	BN_free(sv);
	ECDSA_SIG_free(s);
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(pkey);
	return ok;
}

/*
 * Every signature is checked as the PSP will check it before anything is
 * written: a key that signs what its public half does not verify would give
 * files that look right and a launch that is refused. key NULL: keyless.
 */
static int check_signature(const uint8_t *pub, const uint8_t *sig, const uint8_t *data, size_t n,
                           const struct snp_id_key *key, char *why, size_t why_size)
{
	if (abi_verifies(pub, sig, data, n))
		return 0;
	if (!key)
		return why_set(why, why_size, -EIO,
		               "the keyless signature does not verify under the recovered key");
	return why_set(why, why_size, -EKEYREJECTED,
	               "%s: its signature does not verify under its public key (the PSP would "
	               "refuse the launch)",
	               key->path);
}

/* The keyless signature: r = 2 (an x on P-384), s = 1, as contrast signs. */
static void keyless_signature(uint8_t out[512])
{
	memset(out, 0, 512);
	out[0] = 2;
	out[ECC_COORD_SIZE] = 1;
}

/*
 * Q = r^-1 (s R - z G) for the R with x = r and the given y parity (SEC 1,
 * 4.1.6 public key recovery); with s = 1: Q = u1 G + u2 R, u1 = -z/r, u2 = 1/r.
 */
static int recover_candidate(const EC_GROUP *g, const BIGNUM *z, int y_bit, BIGNUM *qx, BIGNUM *qy,
                             BN_CTX *ctx)
{
	EC_POINT *rp = EC_POINT_new(g), *q = EC_POINT_new(g);
	BIGNUM *r = BN_new(), *u1 = BN_new(), *u2 = BN_new(), *zero = BN_new(); /* new is 0 */
	const BIGNUM *n = EC_GROUP_get0_order(g);
	int ok = rp && q && r && u1 && u2 && zero && BN_set_word(r, 2) &&
	         EC_POINT_set_compressed_coordinates(g, rp, r, y_bit, ctx) &&
	         BN_mod_inverse(u2, r, n, ctx) && BN_mod_mul(u1, z, u2, n, ctx) &&
	         BN_mod_sub(u1, zero, u1, n, ctx) && EC_POINT_mul(g, q, u1, rp, u2, ctx) &&
	         EC_POINT_get_affine_coordinates(g, q, qx, qy, ctx);

	EC_POINT_free(rp);
	EC_POINT_free(q);
	BN_free(r);
	BN_free(u1);
	BN_free(u2);
	BN_free(zero);
	return ok ? 0 : -EIO;
}

/* The ID key the keyless signature verifies under: of the two, the smaller (x, y). */
static int keyless_public(const uint8_t block[SNP_ID_BLOCK_SIZE], uint8_t out[SNP_ID_PUBKEY_SIZE])
{
	EC_GROUP *g = EC_GROUP_new_by_curve_name(NID_secp384r1);
	BN_CTX *ctx = BN_CTX_new();
	BIGNUM *x[2] = {BN_new(), BN_new()}, *y[2] = {BN_new(), BN_new()}, *z = NULL;
	uint8_t md[48];
	int r = -EIO, pick;

	if (g && ctx && x[0] && x[1] && y[0] && y[1] &&
	    EVP_Digest(block, SNP_ID_BLOCK_SIZE, md, NULL, EVP_sha384(), NULL))
		z = BN_bin2bn(md, sizeof(md), NULL);
	if (z)
		r = recover_candidate(g, z, 0, x[0], y[0], ctx);
	if (r == 0)
		r = recover_candidate(g, z, 1, x[1], y[1], ctx);
	if (r == 0) {
		int c = BN_cmp(x[0], x[1]);
		pick = c > 0 || (c == 0 && BN_cmp(y[0], y[1]) > 0);
		memset(out, 0, SNP_ID_PUBKEY_SIZE);
		put_le32(out, CURVE_P384);
		r = put_pair(x[pick], y[pick], out + 4);
	}
	for (int i = 0; i < 2; i++) {
		BN_free(x[i]);
		BN_free(y[i]);
	}
	BN_free(z);
	BN_CTX_free(ctx);
	EC_GROUP_free(g);
	return r;
}

int snp_id_auth_make(const uint8_t block[SNP_ID_BLOCK_SIZE], const struct snp_id_key *id_key,
                     const struct snp_id_key *author_key, uint8_t out[SNP_ID_AUTH_SIZE], char *why,
                     size_t why_size)
{
	uint8_t *id_pub = out + SNP_ID_AUTH_ID_KEY, *author_pub = out + SNP_ID_AUTH_AUTHOR_KEY;
	int r = 0;

	memset(out, 0, SNP_ID_AUTH_SIZE);
	put_le32(out + AUTH_ID_KEY_ALGO, ALGO_ECDSA_P384_SHA384);
	if (!id_key) {
		keyless_signature(out + AUTH_ID_BLOCK_SIG);
		if (keyless_public(block, id_pub) < 0)
			r = why_set(why, why_size, -EIO, "recovering the keyless ID key: %s",
			            ossl_reason());
	} else {
		r = sign(id_key, block, SNP_ID_BLOCK_SIZE, out + AUTH_ID_BLOCK_SIG, why, why_size);
		if (r == 0)
			r = snp_id_key_public(id_key, id_pub, why, why_size);
	}
	if (r == 0)
		r = check_signature(id_pub, out + AUTH_ID_BLOCK_SIG, block, SNP_ID_BLOCK_SIZE,
		                    id_key, why, why_size);
	if (r < 0 || !author_key)
		return r;
	put_le32(out + AUTH_AUTHOR_KEY_ALGO, ALGO_ECDSA_P384_SHA384);
	r = sign(author_key, id_pub, SNP_ID_PUBKEY_SIZE, out + AUTH_ID_KEY_SIG, why, why_size);
	if (r == 0)
		r = snp_id_key_public(author_key, author_pub, why, why_size);
	if (r == 0)
		r = check_signature(author_pub, out + AUTH_ID_KEY_SIG, id_pub, SNP_ID_PUBKEY_SIZE,
		                    author_key, why, why_size);
	return r;
}
