/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Kata's initdata digest: kata-types `initdata.rs` (calculate_initdata_digest,
 * adjust_digest) and the Go runtime's `oci/utils.go`
 * (addHypervisorInitdataOverrides) with govmm's adjustProperLength, at 4.1.0.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "init/base/why.h"
#include "measurement/kata/initdata.h"
#include "measurement/kata/toml_read.h"

/* Both runtimes copy the digest into the field: cut when longer, zeros after when shorter. */
static void place(const struct initdata_digest *d, uint8_t *field, size_t size)
{
	memset(field, 0, size);
	memcpy(field, d->digest, d->digest_size < size ? d->digest_size : size);
}

static int check_fields(const struct kata_toml *t, const EVP_MD **md, struct initdata_digest *out,
                        char *why, size_t why_size)
{
	const char *version = NULL, *algorithm = NULL;
	size_t n;
	int r = kata_toml_string(t, "version", &version, why, why_size);
	if (r == 0)
		r = kata_toml_string(t, "algorithm", &algorithm, why, why_size);
	if (r == 0)
		r = kata_toml_table_size(t, "data", &n, why, why_size);
	/* kata-types reads [data] as file name to contents, strings both: any other value fails. */
	if (r == 0)
		r = kata_toml_table_strings(t, "data", why, why_size);
	if (r == -ENOENT)
		return why_set(why, why_size, -EINVAL, "%s: needs version, algorithm and [data]",
		               kata_toml_name(t));
	if (r < 0)
		return r;
	if (strcmp(version, "0.1.0") != 0)
		return why_set(why, why_size, -EINVAL, "%s:%u: version \"%s\": Kata knows 0.1.0",
		               kata_toml_name(t), kata_toml_line(t, "version"), version);
	*md = !strcmp(algorithm, "sha256")   ? EVP_sha256()
	      : !strcmp(algorithm, "sha384") ? EVP_sha384()
	      : !strcmp(algorithm, "sha512") ? EVP_sha512()
	                                     : NULL;
	if (!*md)
		return why_set(why, why_size, -EINVAL,
		               "%s:%u: algorithm \"%s\": Kata knows sha256, sha384, sha512",
		               kata_toml_name(t), kata_toml_line(t, "algorithm"), algorithm);
	snprintf(out->algorithm, sizeof(out->algorithm), "%s", algorithm);
	return 0;
}

int initdata_digest(const char *name, const char *text, size_t size, struct initdata_digest *out,
                    char *why, size_t why_size)
{
	struct kata_toml *t = NULL;
	const EVP_MD *md = NULL;
	unsigned len = 0;
	int r = kata_toml_parse(&t, name, text, size, why, why_size);
	if (r == 0)
		r = check_fields(t, &md, out, why, why_size);
	kata_toml_free(t);
	if (r < 0)
		return r;
	/* The digest is over the document's bytes as given, not a re-serialisation. */
	if (EVP_Digest(text, size, out->digest, &len, md, NULL) != 1)
		return why_set(why, why_size, -EIO, "%s: %s failed", name, out->algorithm);
	out->digest_size = len;
	place(out, out->snp_host_data, sizeof(out->snp_host_data));
	place(out, out->tdx_mr_config_id, sizeof(out->tdx_mr_config_id));
	return 0;
}
