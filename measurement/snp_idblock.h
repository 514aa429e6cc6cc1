/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SEV-SNP ID block and ID authentication information (measurement/README.md,
 * 11): what SNP_LAUNCH_FINISH takes so that the PSP itself refuses a guest
 * whose launch digest or policy differs, and reports the key that signed them.
 *
 *	struct snp_id_key *key;
 *	snp_id_key_load("id.pem", &key, why, sizeof(why));
 *	snp_id_block_encode(&params, block);
 *	snp_id_auth_make(block, key, NULL, auth, why, sizeof(why));
 *	snp_id_key_free(key);
 * Functions return 0 or a negative errno with why filled.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define SNP_ID_BLOCK_SIZE      96
#define SNP_ID_AUTH_SIZE       4096
#define SNP_ID_PUBKEY_SIZE     1028       /* the ABI's ECDSA public key structure */
#define SNP_ID_AUTH_ID_KEY     0x240      /* where the ID auth structure holds the ID key */
#define SNP_ID_AUTH_AUTHOR_KEY 0x880      /* and the author key */
#define SNP_ID_DEFAULT_POLICY  0x30000ULL /* QEMU's and sev-snp-measure's default */

struct snp_id_params {
	uint8_t digest[48];
	uint8_t family_id[16];
	uint8_t image_id[16];
	uint32_t guest_svn;
	uint64_t policy; /* must equal the policy the VMM gives SNP_LAUNCH_START */
};

struct snp_id_key;

/*
 * An ECDSA P-384 private key from a PEM file (SEC1 or PKCS#8, unencrypted),
 * read as an input (init/base/cmdfiles.h: regular, bounded, never waited on)
 * and checked as a key: its public point valid and its private scalar the one
 * that gives it (-EKEYREJECTED, naming the file, when not).
 */
int snp_id_key_load(const char *path, struct snp_id_key **out, char *why, size_t why_size);
void snp_id_key_free(struct snp_id_key *key);

/* The public key in the ABI's layout: u32 curve 2, Qx and Qy little-endian, 72 bytes each. */
int snp_id_key_public(const struct snp_id_key *key, uint8_t out[SNP_ID_PUBKEY_SIZE], char *why,
                      size_t why_size);
/* SHA-384 of that structure: the report's ID_KEY_DIGEST / AUTHOR_KEY_DIGEST. */
int snp_id_pubkey_digest(const uint8_t pub[SNP_ID_PUBKEY_SIZE], uint8_t out[48]);
int snp_id_key_digest(const struct snp_id_key *key, uint8_t out[48], char *why, size_t why_size);

/*
 * Whether policy is a guest policy SNP_LAUNCH_START can take (SEV-SNP
 * Firmware ABI 1.58, "Guest Policy Structure"): bit 17 reserved and set, bits
 * 63:26 reserved and clear. 0, or -EINVAL with why naming the bit. Every
 * policy ccimage accepts goes through here.
 */
int snp_policy_check(uint64_t policy, char *why, size_t why_size);

/* The 96-byte ID block (VERSION is always 1, the only one the ABI defines). */
void snp_id_block_encode(const struct snp_id_params *p, uint8_t out[SNP_ID_BLOCK_SIZE]);

/*
 * The 4096-byte ID authentication structure: the ID block signed by id_key,
 * and, when author_key is given, id_key's public structure signed by it
 * (QEMU's author-key-enabled=on then). id_key NULL is the keyless form
 * contrast uses: the fixed signature r = 2, s = 1 and the public key recovered
 * from it and the block, so no private key ever exists and equal blocks give
 * equal structures (measurement/README.md, 13). Each signature is verified
 * under the public key written beside it before this returns: a failure is
 * -EKEYREJECTED naming the key's file.
 */
int snp_id_auth_make(const uint8_t block[SNP_ID_BLOCK_SIZE], const struct snp_id_key *id_key,
                     const struct snp_id_key *author_key, uint8_t out[SNP_ID_AUTH_SIZE], char *why,
                     size_t why_size);
