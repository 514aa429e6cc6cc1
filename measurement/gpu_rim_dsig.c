// SPDX-License-Identifier: Apache-2.0
/*
 * A RIM's enveloped XML-DSig through libxmlsec1's OpenSSL backend
 * (measurement/gpu_rim_dsig.h). xmlsec is made to behave the same on every
 * host: no I/O callbacks (so no Reference can fetch a file or a URL), only
 * the whole document as the signed Reference, only the transforms and
 * algorithms NVIDIA's RIMs use, keys only from the document's X509Data, and
 * its errors collected into ours instead of printed.
 *
 * xmlsec's OpenSSL certificate store also trusts the host's system CAs
 * (X509_STORE_set_default_paths), which would let any web PKI chain sign a
 * RIM. So the signing key's certificate is verified again, here, against a
 * store that holds the pinned root alone.
 */
#include "measurement/gpu_rim_dsig.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <xmlsec/crypto.h>
#include <xmlsec/errors.h>
#include <xmlsec/io.h>
#include <xmlsec/openssl/x509.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/xmlsec.h>
#include <xmlsec/xmltree.h>

#include "init/base/why.h"

#define MAX_CERTS 8

/* xmlsec's first complaint of the current verification. */
static char xmlsec_error[512];

static void collect_error(const char *file, int line, const char *func, const char *object,
                          const char *subject, int reason, const char *msg)
{
	(void)file, (void)line, (void)object, (void)reason;
	if (!xmlsec_error[0])
		snprintf(xmlsec_error, sizeof(xmlsec_error), "%s: %s", func ? func : "xmlsec",
		         msg       ? msg
		         : subject ? subject
		                   : "failed");
}

static void quiet(void *ctx, const char *fmt, ...)
{
	(void)ctx, (void)fmt;
}

static int init_once(char *why, size_t why_size)
{
	static int state; /* 0: not yet, 1: done, < 0: failed */

	if (state == 0) {
		xmlInitParser();
		xmlSetGenericErrorFunc(NULL, quiet);
		state = xmlSecInit() < 0 || xmlSecCheckVersion() != 1 ||
		                        xmlSecCryptoAppInit(NULL) < 0 || xmlSecCryptoInit() < 0
		                ? -ENOSYS
		                : 1;
		/* After xmlSecInit(), which installs the default (printing) one. */
		xmlSecErrorsSetCallback(collect_error);
		/* Without I/O callbacks a Reference to anything outside the document cannot be
		 * read. */
		xmlSecIOCleanupCallbacks();
	}
	return state < 0 ? why_set(why, why_size, state, "xmlsec (OpenSSL) does not initialise: %s",
	                           xmlsec_error)
	                 : 0;
}

static bool is_dsig(const xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && n->ns &&
	       !strcmp((const char *)n->ns->href, (const char *)xmlSecDSigNs) &&
	       !strcmp((const char *)n->name, name);
}

/* The one Signature element under the root: an enveloped signature is a child of what it signs. */
static xmlNode *signature_node(xmlDoc *doc)
{
	xmlNode *root = xmlDocGetRootElement(doc), *sig = NULL;

	for (xmlNode *n = root ? root->children : NULL; n; n = n->next)
		if (is_dsig(n, "Signature")) {
			if (sig)
				return NULL;
			sig = n;
		}
	return sig;
}

/* The X509Certificate elements of KeyInfo/X509Data, decoded, into certs. */
static int document_certs(const char *name, xmlNode *sig, STACK_OF(X509) * certs, char *why,
                          size_t why_size)
{
	for (xmlNode *ki = sig->children; ki; ki = ki->next) {
		if (!is_dsig(ki, "KeyInfo"))
			continue;
		for (xmlNode *xd = ki->children; xd; xd = xd->next) {
			if (!is_dsig(xd, "X509Data"))
				continue;
			for (xmlNode *c = xd->children; c; c = c->next) {
				if (!is_dsig(c, "X509Certificate"))
					continue;
				xmlChar *b64 = xmlNodeGetContent(c);
				int n = b64 ? (int)strlen((const char *)b64) : 0, len = 0, tail = 0;
				unsigned char *der = OPENSSL_malloc((size_t)n / 4 * 3 + 4);
				EVP_ENCODE_CTX *ctx = EVP_ENCODE_CTX_new();
				const unsigned char *p = der;
				X509 *x = NULL;
				if (der && ctx) {
					EVP_DecodeInit(ctx);
					if (EVP_DecodeUpdate(ctx, der, &len, b64, n) >= 0 &&
					    EVP_DecodeFinal(ctx, der + len, &tail) > 0)
						x = d2i_X509(NULL, &p, len + tail);
				}
				EVP_ENCODE_CTX_free(ctx);
				OPENSSL_free(der);
				xmlFree(b64);
				if (!x || sk_X509_num(certs) >= MAX_CERTS ||
				    !sk_X509_push(certs, x)) {
					X509_free(x);
					return why_set(
					        why, why_size, -EINVAL,
					        "%s: Signature KeyInfo: X509Certificate %d %s",
					        name, sk_X509_num(certs) + 1,
					        x ? "one too many" : "is not base64 DER");
				}
			}
		}
	}
	return sk_X509_num(certs) ? 0
	                          : why_set(why, why_size, -EINVAL,
	                                    "%s: Signature KeyInfo: no X509Certificate", name);
}

static time_t asn1_time(const ASN1_TIME *t)
{
	struct tm tm;
	return ASN1_TIME_to_tm(t, &tm) == 1 ? timegm(&tm) : (time_t)-1;
}

/*
 * When to verify: now (0), unless a certificate has run out. Then the
 * latest notBefore of them all, a moment every link was valid that does not
 * move with the build date, or a refusal naming the certificate.
 */
static int verification_time(const char *name, STACK_OF(X509) * certs, bool accept_expired,
                             time_t *when, bool *expired, char *why, size_t why_size)
{
	time_t now = time(NULL), latest = 0;
	X509 *gone = NULL;

	for (int i = 0; i < sk_X509_num(certs); i++) {
		X509 *x = sk_X509_value(certs, i);
		time_t from = asn1_time(X509_get0_notBefore(x)),
		       to = asn1_time(X509_get0_notAfter(x));
		if (from == (time_t)-1 || to == (time_t)-1)
			return why_set(
			        why, why_size, -EINVAL,
			        "%s: Signature KeyInfo: certificate %d: validity not understood",
			        name, i + 1);
		if (from > latest)
			latest = from;
		if (to < now && !gone)
			gone = x;
	}
	*when = 0;
	*expired = gone != NULL;
	if (!gone)
		return 0;
	if (!accept_expired) {
		char subject[256], date[64];
		struct tm tm;
		time_t to = asn1_time(X509_get0_notAfter(gone));
		X509_NAME_oneline(X509_get_subject_name(gone), subject, sizeof(subject));
		gmtime_r(&to, &tm);
		strftime(date, sizeof(date), "%Y-%m-%d %H:%M:%S UTC", &tm);
		return why_set(why, why_size, -EKEYREJECTED,
		               "%s: signing certificate %s expired on %s "
		               "(--accept-expired verifies it when its chain was valid)",
		               name, subject, date);
	}
	*when = latest;
	return 0;
}

/* The transforms and algorithms NVIDIA's RIMs use; anything else (XSLT, XPath, base64) is refused.
 */
static int restrict_transforms(xmlSecDSigCtxPtr ctx)
{
	xmlSecTransformId c14n[] = {
	        xmlSecTransformInclC14NId,   xmlSecTransformInclC14NWithCommentsId,
	        xmlSecTransformInclC14N11Id, xmlSecTransformInclC14N11WithCommentsId,
	        xmlSecTransformExclC14NId,   xmlSecTransformExclC14NWithCommentsId,
	};
	xmlSecTransformId reference[] = {xmlSecTransformEnvelopedId, xmlSecTransformSha256Id,
	                                 xmlSecTransformSha384Id, xmlSecTransformSha512Id};
	xmlSecTransformId signature[] = {xmlSecTransformEcdsaSha256Id, xmlSecTransformEcdsaSha384Id,
	                                 xmlSecTransformEcdsaSha512Id, xmlSecTransformRsaSha256Id,
	                                 xmlSecTransformRsaSha384Id,   xmlSecTransformRsaSha512Id};
	int r = 0;

	for (size_t i = 0; i < sizeof(c14n) / sizeof(*c14n); i++)
		r |= xmlSecDSigCtxEnableReferenceTransform(ctx, c14n[i]) |
		     xmlSecDSigCtxEnableSignatureTransform(ctx, c14n[i]);
	for (size_t i = 0; i < sizeof(reference) / sizeof(*reference); i++)
		r |= xmlSecDSigCtxEnableReferenceTransform(ctx, reference[i]);
	for (size_t i = 0; i < sizeof(signature) / sizeof(*signature); i++)
		r |= xmlSecDSigCtxEnableSignatureTransform(ctx, signature[i]);
	r |= xmlSecPtrListAdd(&ctx->keyInfoReadCtx.enabledKeyData, (void *)xmlSecKeyDataX509Id);
	return r < 0 ? -ENOMEM : 0;
}

/* The signing key's certificate chained to root alone, at when (0: now). */
static int chain_to_root(const char *name, xmlSecKeyPtr key, STACK_OF(X509) * certs,
                         const struct gpu_rim_root *root, time_t when, char *why, size_t why_size)
{
	xmlSecKeyDataPtr data = key ? xmlSecKeyGetData(key, xmlSecKeyDataX509Id) : NULL;
	X509 *leaf = data ? xmlSecOpenSSLKeyDataX509GetKeyCert(data) : NULL, *anchor = NULL;
	X509_STORE *store = X509_STORE_new();
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	BIO *bio = BIO_new_mem_buf(root->data, (int)root->size);
	int r = -ENOMEM;

	if (!leaf) {
		r = why_set(why, why_size, -EKEYREJECTED,
		            "%s: the signing key is not an X.509 certificate's", name);
		goto out;
	}
	if (!store || !ctx || !bio)
		goto out;
	anchor = root->pem ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : d2i_X509_bio(bio, NULL);
	if (!anchor || X509_STORE_add_cert(store, anchor) != 1 ||
	    X509_STORE_CTX_init(ctx, store, leaf, certs) != 1) {
		r = why_set(why, why_size, -EINVAL, "%s: not an X.509 certificate", root->name);
		goto out;
	}
	if (when)
		X509_STORE_CTX_set_time(ctx, 0, when);
	if (X509_verify_cert(ctx) != 1) {
		char subject[256];
		X509_NAME_oneline(X509_get_subject_name(leaf), subject, sizeof(subject));
		r = why_set(why, why_size, -EKEYREJECTED, "%s: signing certificate %s: %s", name,
		            subject, X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx)));
		goto out;
	}
	r = 0;
out:
	X509_free(anchor);
	BIO_free(bio);
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(store);
	return r;
}

static int verify(const char *name, xmlNode *sig, const struct gpu_rim_root *root, time_t when,
                  STACK_OF(X509) * certs, char *why, size_t why_size)
{
	xmlSecKeysMngrPtr mngr = xmlSecKeysMngrCreate();
	xmlSecDSigCtxPtr ctx = NULL;
	int r = -ENOMEM;

	xmlsec_error[0] = '\0';
	if (!mngr || xmlSecCryptoAppDefaultKeysMngrInit(mngr) < 0)
		goto out;
	if (xmlSecCryptoAppKeysMngrCertLoadMemory(mngr, root->data, (xmlSecSize)root->size,
	                                          root->pem ? xmlSecKeyDataFormatPem
	                                                    : xmlSecKeyDataFormatDer,
	                                          xmlSecKeyDataTypeTrusted) < 0) {
		r = why_set(why, why_size, -EINVAL, "%s: not an X.509 certificate: %s", root->name,
		            xmlsec_error);
		goto out;
	}
	ctx = xmlSecDSigCtxCreate(mngr);
	if (!ctx || restrict_transforms(ctx) < 0)
		goto out;
	/* Only URI="": the whole document; "#id" would sign a part and leave the rest unsigned. */
	ctx->enabledReferenceUris = xmlSecTransformUriTypeEmpty;
	ctx->keyInfoReadCtx.certsVerificationTime = when;
	if (xmlSecDSigCtxVerify(ctx, sig) < 0 || ctx->status != xmlSecDSigStatusSucceeded) {
		r = why_set(why, why_size, -EKEYREJECTED, "%s: Signature does not verify: %s", name,
		            xmlsec_error[0] ? xmlsec_error : "the signed digest does not match");
		goto out;
	}
	r = chain_to_root(name, ctx->signKey, certs, root, when, why, why_size);
out:
	if (r == -ENOMEM && why && !why[0])
		why_set(why, why_size, r, "%s: xmlsec: out of memory", name);
	xmlSecDSigCtxDestroy(ctx);
	xmlSecKeysMngrDestroy(mngr);
	return r;
}

int gpu_rim_verify_doc(const char *name, xmlDoc *doc, const struct gpu_rim_root *root,
                       bool accept_expired, bool *expired, char *why, size_t why_size)
{
	STACK_OF(X509) *certs = sk_X509_new_null();
	xmlNode *sig = signature_node(doc);
	time_t when;
	int r = init_once(why, why_size);

	*expired = false;
	if (r == 0 && !certs)
		r = why_set(why, why_size, -ENOMEM, "%s: out of memory", name);
	if (r == 0 && !sig)
		r = why_set(why, why_size, -EKEYREJECTED,
		            "%s: want one ds:Signature under the root (an enveloped signature)",
		            name);
	if (r == 0)
		r = document_certs(name, sig, certs, why, why_size);
	if (r == 0)
		r = verification_time(name, certs, accept_expired, &when, expired, why, why_size);
	if (r == 0)
		r = verify(name, sig, root, when, certs, why, why_size);
	sk_X509_pop_free(certs, X509_free);
	return r;
}
