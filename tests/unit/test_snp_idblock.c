/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SEV-SNP ID block and ID auth (measurement/README.md, 13): the byte layout,
 * sev-snp-measure's published vector (tests/test_id_block.py, on its test keys
 * in tests/fixtures/sev-snp/), signatures that verify, and refused keys.
 */
#include "tests/lib/tap.h"

#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>

#include "init/base/base64.h"
#include "init/base/bytes.h"
#include "init/base/hex.h"
#include "measurement/rvps.h"
#include "measurement/snp_idblock.h"

#define FIXTURES   "tests/fixtures/sev-snp/"
#define ID_KEY     FIXTURES "id_key_test.pem"
#define AUTHOR_KEY FIXTURES "author_key_test.pem"

/* test_id_block.py's launch digest and what it expects. */
#define VECTOR_LD       "B28FLQi9p6cAqipgjFyqawDrrSl7bWioWkWx5mmlWLZ+G5HShKMB/mPE+gdQRn7t"
#define VECTOR_ID_BLOCK VECTOR_LD "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAABAAAAAAAAAAAAAwAAAAAA"
/* Its id_key_hash and author_key (base64 there), in hex. */
#define VECTOR_ID_DIGEST                                                                           \
	"870b7e35c53f8a72d0d322f75ab2af8262792aaf6579622ce4131c3f21f289e77cb0560a5e3b90b3932e674e" \
	"c70"                                                                                      \
	"9cb14"
#define VECTOR_AUTHOR_DIGEST                                                                       \
	"63111c34bbfc0a4938f9a009bd074980d8172323e61599c9fd336da8673248e1dca98d0be8f76376a106b8af" \
	"d4c"                                                                                      \
	"0a057"

static struct snp_id_key *load(const char *path)
{
	struct snp_id_key *k = NULL;
	char why[256];

	if (snp_id_key_load(path, &k, why, sizeof(why)) < 0)
		tap_fail("%s (tests/fixtures/README.md)", why);
	return k;
}

static void digest_hex(const struct snp_id_key *k, char hex[97])
{
	uint8_t d[48];
	char why[256];

	ASSERT_EQ(snp_id_key_digest(k, d, why, sizeof(why)), 0);
	hex_encode(d, 48, hex);
}

/* The ABI-format public key pub as an OpenSSL key: big-endian uncompressed point. */
static EVP_PKEY *abi_public_key(const uint8_t *pub)
{
	uint8_t point[97];
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	EVP_PKEY *pkey = NULL;
	OSSL_PARAM params[] = {
	        OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, (char *)"secp384r1", 0),
	        OSSL_PARAM_octet_string(OSSL_PKEY_PARAM_PUB_KEY, point, sizeof(point)),
	        OSSL_PARAM_END,
	};

	point[0] = 4;
	for (int i = 0; i < 48; i++) {
		point[1 + i] = pub[4 + 47 - i];
		point[49 + i] = pub[76 + 47 - i];
	}
	/* The ABI pads each coordinate to 72 bytes: the top 24 must be zero for P-384. */
	for (int i = 48; i < 72; i++)
		if (pub[4 + i] || pub[76 + i])
			return NULL;
	if (ctx && EVP_PKEY_fromdata_init(ctx) == 1)
		EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params);
	EVP_PKEY_CTX_free(ctx);
	return pkey;
}

/* Verifies an ABI-format signature over data with the ABI-format public key pub. */
static bool verifies(const uint8_t *pub, const uint8_t *sig, const uint8_t *data, size_t n)
{
	EVP_PKEY *pkey = abi_public_key(pub);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	ECDSA_SIG *s = ECDSA_SIG_new();
	unsigned char *der = NULL;
	int der_len = -1;
	bool ok = false;

	if (s &&
	    ECDSA_SIG_set0(s, BN_lebin2bn(sig, 72, NULL), BN_lebin2bn(sig + 72, 72, NULL)) == 1)
		der_len = i2d_ECDSA_SIG(s, &der);
	if (pkey && ctx && der_len > 0 &&
	    EVP_DigestVerifyInit(ctx, NULL, EVP_sha384(), NULL, pkey) == 1)
		ok = EVP_DigestVerify(ctx, der, (size_t)der_len, data, n) == 1;
	OPENSSL_free(der);
	ECDSA_SIG_free(s);
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(pkey);
	return ok;
}

static bool all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

TEST(id_block_layout)
{
	struct snp_id_params p = {.guest_svn = 0x01020304, .policy = 0x1122334455667788ULL};
	uint8_t b[SNP_ID_BLOCK_SIZE];

	for (int i = 0; i < 48; i++)
		p.digest[i] = (uint8_t)(0xa0 + i);
	memset(p.family_id, 0xf1, 16);
	memset(p.image_id, 0x1d, 16);
	snp_id_block_encode(&p, b);
	ASSERT_MEM(b, p.digest, 48);
	ASSERT_MEM(b + 0x30, p.family_id, 16);
	ASSERT_MEM(b + 0x40, p.image_id, 16);
	ASSERT_EQ(le32(b + 0x50), 1);
	ASSERT_EQ(le32(b + 0x54), 0x01020304);
	ASSERT_TRUE(le64(b + 0x58) == 0x1122334455667788ULL);
}

TEST(id_block_sev_snp_measure_vector)
{
	struct snp_id_key *id = load(ID_KEY), *author = load(AUTHOR_KEY);
	struct snp_id_params p = {.policy = SNP_ID_DEFAULT_POLICY};
	uint8_t b[SNP_ID_BLOCK_SIZE];
	unsigned char ld[49];
	char hex[97], *b64;

	ASSERT_EQ(EVP_DecodeBlock(ld, (const unsigned char *)VECTOR_LD, 64), 48);
	memcpy(p.digest, ld, 48);
	snp_id_block_encode(&p, b);
	ASSERT_EQ(base64_encode(b, sizeof(b), &b64), 0);
	ASSERT_STR(b64, VECTOR_ID_BLOCK);
	free(b64);
	digest_hex(id, hex);
	ASSERT_STR(hex, VECTOR_ID_DIGEST);
	digest_hex(author, hex);
	ASSERT_STR(hex, VECTOR_AUTHOR_DIGEST);
	snp_id_key_free(id);
	snp_id_key_free(author);
}

TEST(id_auth_layout_and_signatures)
{
	struct snp_id_key *id = load(ID_KEY), *author = load(AUTHOR_KEY);
	struct snp_id_params p = {.policy = SNP_ID_DEFAULT_POLICY, .guest_svn = 7};
	uint8_t b[SNP_ID_BLOCK_SIZE], a[SNP_ID_AUTH_SIZE], pub[SNP_ID_PUBKEY_SIZE];
	char why[256];

	memset(p.digest, 0x5a, 48);
	snp_id_block_encode(&p, b);
	ASSERT_EQ(snp_id_auth_make(b, id, author, a, why, sizeof(why)), 0);
	ASSERT_EQ(le32(a), 1);
	ASSERT_EQ(le32(a + 4), 1);
	ASSERT_TRUE(all_zero(a + 8, 0x40 - 8));
	ASSERT_EQ(snp_id_key_public(id, pub, why, sizeof(why)), 0);
	ASSERT_EQ(le32(pub), 2);
	ASSERT_TRUE(all_zero(pub + 4 + 144, SNP_ID_PUBKEY_SIZE - 4 - 144));
	ASSERT_MEM(a + 0x240, pub, SNP_ID_PUBKEY_SIZE);
	ASSERT_TRUE(all_zero(a + 0x40 + 144, 512 - 144));
	ASSERT_TRUE(verifies(a + 0x240, a + 0x40, b, sizeof(b)));
	ASSERT_TRUE(verifies(a + 0x880, a + 0x680, a + 0x240, SNP_ID_PUBKEY_SIZE));
	ASSERT_TRUE(all_zero(a + 0xc84, SNP_ID_AUTH_SIZE - 0xc84));
	/* A signature over another block must not verify: the check above can fail. */
	b[0] ^= 1;
	ASSERT_FALSE(verifies(a + 0x240, a + 0x40, b, sizeof(b)));
	snp_id_key_free(id);
	snp_id_key_free(author);
}

TEST(id_auth_keyless_is_reproducible_and_verifies)
{
	uint8_t b[SNP_ID_BLOCK_SIZE] = {0}, a[SNP_ID_AUTH_SIZE], again[SNP_ID_AUTH_SIZE];
	uint8_t sig[512] = {2}; /* r = 2, s = 1, little-endian */
	char why[256];

	sig[72] = 1;
	ASSERT_EQ(snp_id_auth_make(b, NULL, NULL, a, why, sizeof(why)), 0);
	ASSERT_EQ(snp_id_auth_make(b, NULL, NULL, again, why, sizeof(why)), 0);
	ASSERT_MEM(a, again, SNP_ID_AUTH_SIZE);
	ASSERT_EQ(le32(a), 1);
	ASSERT_EQ(le32(a + 4), 0);
	ASSERT_MEM(a + 0x40, sig, sizeof(sig));
	ASSERT_EQ(le32(a + SNP_ID_AUTH_ID_KEY), 2);
	ASSERT_TRUE(verifies(a + SNP_ID_AUTH_ID_KEY, a + 0x40, b, sizeof(b)));
	ASSERT_TRUE(all_zero(a + 0x644, SNP_ID_AUTH_SIZE - 0x644));
	/* Another block recovers another key. */
	b[0x58] = 1;
	ASSERT_EQ(snp_id_auth_make(b, NULL, NULL, again, why, sizeof(why)), 0);
	ASSERT_TRUE(memcmp(a + SNP_ID_AUTH_ID_KEY, again + SNP_ID_AUTH_ID_KEY, SNP_ID_PUBKEY_SIZE));
	ASSERT_TRUE(verifies(again + SNP_ID_AUTH_ID_KEY, again + 0x40, b, sizeof(b)));
}

TEST(id_key_refusals_name_the_file)
{
	char path[] = "/tmp/test_snp_idblock.XXXXXX", why[256];
	struct snp_id_key *k = NULL;
	EVP_PKEY *p256 = EVP_EC_gen("P-256");
	int fd = mkstemp(path);
	FILE *f;

	ASSERT_TRUE(fd >= 0 && p256);
	f = fdopen(fd, "w");
	ASSERT_TRUE(f && PEM_write_PrivateKey(f, p256, NULL, NULL, 0, NULL, NULL) == 1);
	fclose(f);
	ASSERT_EQ(snp_id_key_load(path, &k, why, sizeof(why)), -EINVAL);
	ASSERT_CONTAINS(why, path);
	ASSERT_CONTAINS(why, "P-384");
	f = fopen(path, "w");
	ASSERT_TRUE(f && fputs("-----BEGIN EC PRIVATE KEY-----\nAAAA\n", f) >= 0);
	fclose(f);
	ASSERT_EQ(snp_id_key_load(path, &k, why, sizeof(why)), -EINVAL);
	ASSERT_CONTAINS(why, path);
	unlink(path);
	ASSERT_EQ(snp_id_key_load(path, &k, why, sizeof(why)), -ENOENT);
	ASSERT_CONTAINS(why, path);
	EVP_PKEY_free(p256);
}

/* A PEM key with a's private scalar and b's public point: what nothing in a PEM file prevents. */
static void write_mismatched_key(const char *path, EVP_PKEY *a, EVP_PKEY *b)
{
	uint8_t point[97];
	size_t point_len = 0;
	BIGNUM *priv = NULL;
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	EVP_PKEY *mixed = NULL;
	FILE *f;

	ASSERT_TRUE(EVP_PKEY_get_bn_param(a, OSSL_PKEY_PARAM_PRIV_KEY, &priv));
	ASSERT_TRUE(EVP_PKEY_get_octet_string_param(b, OSSL_PKEY_PARAM_PUB_KEY, point,
	                                            sizeof(point), &point_len));
	ASSERT_TRUE(bld && OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
	                                                   "secp384r1", 0));
	ASSERT_TRUE(OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, priv));
	ASSERT_TRUE(
	        OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point, point_len));
	ASSERT_TRUE((params = OSSL_PARAM_BLD_to_param(bld)) != NULL);
	ASSERT_TRUE(ctx && EVP_PKEY_fromdata_init(ctx) == 1 &&
	            EVP_PKEY_fromdata(ctx, &mixed, EVP_PKEY_KEYPAIR, params) == 1);
	f = fopen(path, "we");
	ASSERT_TRUE(f && PEM_write_PrivateKey(f, mixed, NULL, NULL, 0, NULL, NULL) == 1);
	fclose(f);
	EVP_PKEY_free(mixed);
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_clear_free(priv);
}

/* Signing with such a key gives an ID auth whose ID_BLOCK_SIG does not verify: refused at load. */
TEST(id_key_mismatched_pair_refused)
{
	char path[] = "/tmp/test_snp_idblock.XXXXXX", why[256];
	EVP_PKEY *a = EVP_EC_gen("P-384"), *b = EVP_EC_gen("P-384");
	struct snp_id_key *k = NULL;
	int fd = mkstemp(path);

	ASSERT_TRUE(fd >= 0 && a && b);
	close(fd);
	write_mismatched_key(path, a, b);
	ASSERT_EQ(snp_id_key_load(path, &k, why, sizeof(why)), -EKEYREJECTED);
	ASSERT_CONTAINS(why, path);
	ASSERT_CONTAINS(why, "does not match");
	ASSERT_TRUE(k == NULL);
	/* The same file with a's own point loads: the check refuses the pair, not the file. */
	write_mismatched_key(path, a, a);
	ASSERT_EQ(snp_id_key_load(path, &k, why, sizeof(why)), 0);
	snp_id_key_free(k);
	unlink(path);
	EVP_PKEY_free(a);
	EVP_PKEY_free(b);
}

/* A key file that is a FIFO is refused at once (O_NONBLOCK), never waited on; a directory too. */
TEST(id_key_not_a_regular_file_refused)
{
	char dir[] = "/tmp/test_snp_idblock.XXXXXX", fifo[64], why[256];
	struct snp_id_key *k = NULL;

	ASSERT_TRUE(mkdtemp(dir) != NULL);
	snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
	ASSERT_EQ(mkfifo(fifo, 0600), 0);
	ASSERT_EQ(snp_id_key_load(fifo, &k, why, sizeof(why)), -EINVAL);
	ASSERT_CONTAINS(why, fifo);
	ASSERT_CONTAINS(why, "FIFO");
	ASSERT_EQ(snp_id_key_load(dir, &k, why, sizeof(why)), -EINVAL);
	ASSERT_CONTAINS(why, "directory");
	unlink(fifo);
	rmdir(dir);
}

/* SEV-SNP ABI 1.58, Guest Policy Structure: bit 17 must be one, bits 63:26 zero. */
TEST(policy_reserved_bits)
{
	char why[256];

	ASSERT_EQ(snp_policy_check(SNP_ID_DEFAULT_POLICY, why, sizeof(why)), 0);
	ASSERT_EQ(snp_policy_check(0x20000, why, sizeof(why)), 0);
	ASSERT_EQ(snp_policy_check(0x3ffffff, why, sizeof(why)), 0); /* every defined bit */
	ASSERT_EQ(snp_policy_check(0x10000, why, sizeof(why)), -EINVAL);
	ASSERT_CONTAINS(why, "bit 17");
	ASSERT_EQ(snp_policy_check(0, why, sizeof(why)), -EINVAL);
	ASSERT_CONTAINS(why, "bit 17");
	ASSERT_EQ(snp_policy_check(SNP_ID_DEFAULT_POLICY | 1ULL << 26, why, sizeof(why)), -EINVAL);
	ASSERT_CONTAINS(why, "bit 26");
	ASSERT_EQ(snp_policy_check(SNP_ID_DEFAULT_POLICY | 1ULL << 63, why, sizeof(why)), -EINVAL);
	ASSERT_CONTAINS(why, "bit 63");
}
