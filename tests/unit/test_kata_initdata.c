/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Kata's initdata digest (measurement/kata/initdata.c): placement in the SNP
 * and TDX fields and the refusals. tests/reference/kata-initdata.sh holds the
 * digests against python3's hashlib.
 */
#include <errno.h>

#include "measurement/kata/initdata.h"
#include "tests/lib/tap.h"

static int digest_of(const char *doc, struct initdata_digest *d, char *why, size_t why_size)
{
	return initdata_digest("i.toml", doc, strlen(doc), d, why, why_size);
}

TEST(sha256_is_zero_padded_for_tdx)
{
	static const char doc[] = "version = \"0.1.0\"\nalgorithm = \"sha256\"\n[data]\n";
	static const uint8_t zeros[16] = {0};
	struct initdata_digest d;
	char why[256] = "";
	ASSERT_EQ(digest_of(doc, &d, why, sizeof(why)), 0);
	ASSERT_EQ(d.digest_size, 32);
	ASSERT_MEM(d.snp_host_data, d.digest, 32);
	ASSERT_MEM(d.tdx_mr_config_id, d.digest, 32);
	ASSERT_MEM(d.tdx_mr_config_id + 32, zeros, 16);
}

TEST(sha512_is_cut_for_both)
{
	static const char doc[] =
	        "version = \"0.1.0\"\nalgorithm = \"sha512\"\n[data]\nx = \"y\"\n";
	struct initdata_digest d;
	char why[256] = "";
	ASSERT_EQ(digest_of(doc, &d, why, sizeof(why)), 0);
	ASSERT_EQ(d.digest_size, 64);
	ASSERT_STR(d.algorithm, "sha512");
	ASSERT_MEM(d.snp_host_data, d.digest, 32);
	ASSERT_MEM(d.tdx_mr_config_id, d.digest, 48);
}

TEST(refusals_name_the_field)
{
	static const struct {
		const char *doc, *says;
	} bad[] = {
	        {"algorithm = \"sha256\"\n[data]\n", "i.toml: needs version, algorithm and [data]"},
	        {"version = \"0.1.0\"\nalgorithm = \"sha256\"\n",
	         "needs version, algorithm and [data]"},
	        {"version = \"0.1.0\"\nalgorithm = \"sha256\"\ndata = 1\n",
	         "i.toml:3: data must be a table"},
	        {"version = \"0.1.0\"\nalgorithm = \"md5\"\n[data]\n",
	         "i.toml:2: algorithm \"md5\""},
	        {"version = 1\nalgorithm = \"sha256\"\n[data]\n",
	         "i.toml:1: version must be a string"},
	        {"version = \"0.1.0\"\n[data\n", "i.toml:2:"},
	        /* Kata's [data] is file name to contents; C read the algorithm up to the NUL. */
	        {"version = \"0.1.0\"\nalgorithm = \"sha256\"\n[data]\n\"a.rego\" = 1\n",
	         "i.toml:4: data.a.rego must be a string"},
	        {"version = \"0.1.0\"\nalgorithm = \"sha256\"\n[data]\nx = \"\"\ny = [\"a\"]\n",
	         "i.toml:5: data.y must be a string"},
	        {"version = \"0.1.0\"\nalgorithm = \"sha256\"\n[data]\nx = { y = \"a\" }\n",
	         "i.toml:4: data.x must be a string"},
	        {"version = \"0.1.0\"\nalgorithm = \"sha256\\u0000x\"\n[data]\n",
	         "i.toml:2: algorithm must be a string without NUL"},
	        {"version = \"0.1.0\"\nalgorithm = \"sha256\"\n[data]\nx = \"a\\u0000\"\n",
	         "i.toml:4: data.x must be a string without NUL"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct initdata_digest d;
		char why[256] = "";
		ASSERT_EQ(digest_of(bad[i].doc, &d, why, sizeof(why)), -EINVAL);
		ASSERT_CONTAINS(why, bad[i].says);
	}
}
