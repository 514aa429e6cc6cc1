/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The module-signing key a user gives (--signing-key): read once, under the
 * input rule (a regular file, bounded: /dev/zero or a FIFO would otherwise
 * be hashed or waited on forever), and checked before anything is fetched.
 * The kernel's sign-file takes CONFIG_MODULE_SIG_KEY as one PEM holding the
 * private key and its certificate; a file that lacks either, or whose
 * certificate is another key's, would fail only at modules_install, after
 * the whole kernel was compiled, or sign with a key the certificate the
 * kernel trusts does not match.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "init/base/cmdfiles.h"
#include "init/base/hex.h"
#include "init/base/sha256.h"
#include "init/base/why.h"
#include "kernel-configs/kernel-build/kbuild.h"

/* A key with its certificate is a few KiB; a chain or comments leave room. */
#define SIGNING_KEY_MAX (1u << 20)

/* No passphrase is asked: the build runs unattended, and sign-file could not ask either. */
static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf, (void)size, (void)rwflag, (void)u;
	return -1;
}

/* The key and the certificate from the PEM text, and that they are one pair. */
static int check_pair(const char *pem, size_t len, char *why, size_t why_size)
{
	BIO *kb = BIO_new_mem_buf(pem, (int)len), *cb = BIO_new_mem_buf(pem, (int)len);
	EVP_PKEY *key = kb ? PEM_read_bio_PrivateKey(kb, NULL, no_passphrase, NULL) : NULL;
	X509 *cert = cb ? PEM_read_bio_X509(cb, NULL, no_passphrase, NULL) : NULL;
	int r = 0;

	if (!kb || !cb)
		r = -ENOMEM;
	else if (!key)
		r = why_set(why, why_size, -EINVAL,
		            "no unencrypted PEM private key in it (the module signing needs the "
		            "private key and its certificate in one PEM)");
	else if (!cert)
		r = why_set(why, why_size, -EINVAL,
		            "no PEM certificate in it (the module signing needs the private key "
		            "and its certificate in one PEM)");
	else if (X509_check_private_key(cert, key) != 1)
		r = why_set(why, why_size, -EINVAL,
		            "the certificate's public key is not the private key's: modules "
		            "would be signed with a key the kernel does not trust");
	X509_free(cert);
	EVP_PKEY_free(key);
	BIO_free(cb);
	BIO_free(kb);
	return r;
}

int kbuild_signing_key_read(const char *path, struct kbuild_signing_key *k, char *why,
                            size_t why_size)
{
	char what[512] = "";
	uint8_t md[32];
	struct sha256 s;
	int r;

	memset(k, 0, sizeof(*k));
	r = read_input_file(path, SIGNING_KEY_MAX, &k->pem, &k->len, what, sizeof(what));
	if (r == 0)
		r = input_text_check(k->pem, k->len, what, sizeof(what));
	if (r == 0)
		r = check_pair(k->pem, k->len, what, sizeof(what));
	if (r < 0) {
		kbuild_signing_key_free(k);
		return why_set(why, why_size, r, "--signing-key %s: %s", path,
		               why_or_errno(what, r));
	}
	sha256_init(&s);
	sha256_update(&s, k->pem, k->len);
	sha256_final(&s, md);
	hex_encode(md, sizeof(md), k->sha256);
	return 0;
}

void kbuild_signing_key_free(struct kbuild_signing_key *k)
{
	if (k->pem)
		OPENSSL_cleanse(k->pem, k->len);
	free(k->pem);
	k->pem = NULL;
	k->len = 0;
}
