/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>

#include "init/base/verity_params.h"
#include "tests/lib/tap.h"

#define RH "34d438f29561883ab6af7a59e3305759398581ecdf55976c1aa20456f307d2d9"

TEST(round_trip)
{
	static const char line[] = "root_hash=" RH ",salt=abab,data_blocks=19,data_block_size=4096,"
	                           "hash_block_size=512";
	struct verity_params p;
	char why[128], out[1024];
	ASSERT_EQ(verity_params_parse(&p, line, why, sizeof(why)), 0);
	ASSERT_EQ(p.root_hash_size, 32);
	ASSERT_EQ(p.hash_block_size, 512);
	ASSERT_TRUE(verity_params_format(&p, out, sizeof(out)) > 0);
	ASSERT_STR(out, line);
}

TEST(empty_salt_and_sha512)
{
	struct verity_params p;
	char why[128], out[1024], line[512];
	snprintf(line, sizeof(line),
	         "root_hash=%s%s,salt=-,data_blocks=1,data_block_size=512,hash_block_size=512,"
	         "hash=sha512",
	         RH, RH);
	ASSERT_EQ(verity_params_parse(&p, line, why, sizeof(why)), 0);
	ASSERT_EQ(p.salt_size, 0);
	ASSERT_STR(p.hash_name, "sha512");
	ASSERT_TRUE(verity_params_format(&p, out, sizeof(out)) > 0);
	ASSERT_STR(out, line);
}

TEST(rejects)
{
	static const char *const bad[] = {
	        "",
	        "root_hash=" RH,
	        "root_hash=" RH ",salt=ab,data_blocks=0,data_block_size=4096,hash_block_size=4096",
	        "root_hash=" RH ",salt=ab,data_blocks=1,data_block_size=8192,hash_block_size=4096",
	        "root_hash=" RH ",salt=ab,data_blocks=1,data_block_size=4096,hash_block_size=1000",
	        "root_hash=" RH ",salt=abc,data_blocks=1,data_block_size=4096,hash_block_size=4096",
	        "root_hash=" RH ",salt=ab,data_blocks=1,data_block_size=4096,hash_block_size=4096,",
	        "root_hash=" RH
	        ",salt=ab,data_blocks=1,data_block_size=4096,hash_block_size=4096,x=1",
	        "root_hash=" RH
	        ",salt=ab,salt=ab,data_blocks=1,data_block_size=4096,hash_block_size=4096",
	        "root_hash=00,salt=ab,data_blocks=1,data_block_size=4096,hash_block_size=4096",
	        "root_hash=" RH ",salt=ab,data_blocks=1x,data_block_size=4096,hash_block_size=4096",
	        "root_hash=" RH
	        ",salt=ab,data_blocks=1,data_block_size=4096,hash_block_size=4096,hash=md5",
	        "root_hash=" RH "salt=ab",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct verity_params p;
		char why[128] = "";
		if (verity_params_parse(&p, bad[i], why, sizeof(why)) != -EINVAL)
			tap_fail("accepted: %s", bad[i]);
		ASSERT_TRUE(why[0] != '\0');
	}
}
