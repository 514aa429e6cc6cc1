// SPDX-License-Identifier: Apache-2.0
/*
 * init/base/aael.c against the attestation agent's own vector: its eventlog
 * tests (guest-components attestation-agent/attestation-agent/src/eventlog/
 * mod.rs, test_event_digest) give the SHA-384 of the event "domain operation
 * content", hashed here with OpenSSL; and the text rules the agent and its log
 * specification set.
 */
#include <errno.h>

#include "init/base/aael.h"
#include "init/base/bytes.h"
#include "measurement/tdx.h"
#include "tests/lib/tap.h"

TEST(event_digest_is_the_agents)
{
	uint8_t data[64], digest[SHA384_LEN];
	char hex[2 * SHA384_LEN + 1];
	int n = aael_event_data("domain", "operation", "content", data, sizeof(data));

	ASSERT_EQ(n, 8 + 24);
	ASSERT_MEM(data, "LEAA", 4);
	ASSERT_EQ(le32(data + 4), 24);
	ASSERT_EQ(tdx_sha384(data, (size_t)n, digest), 0);
	ASSERT_STR(tdx_hex(digest, SHA384_LEN, hex),
	           "dad5f0e226318ffa9839b75a472c6aa7fdb5834949d0a0a22990cf04d5692440fb00f3aa0609d"
	           "b7e49cd8d793f670d02");
}

TEST(entry_layout)
{
	uint8_t digest[AAEL_SHA384_SIZE], out[128];

	memset(digest, 0xab, sizeof(digest));
	ASSERT_EQ(aael_entry(4, (const uint8_t *)"xyz", 3, digest, out, sizeof(out)), 66 + 3);
	ASSERT_EQ(le32(out), 4);
	ASSERT_EQ(le32(out + 4), 6);
	ASSERT_EQ(le32(out + 8), 1);
	ASSERT_EQ(le16(out + 12), 0x0c);
	ASSERT_MEM(out + 14, digest, sizeof(digest));
	ASSERT_EQ(le32(out + 62), 3);
	ASSERT_MEM(out + 66, "xyz", 3);
	ASSERT_EQ(aael_entry(4, (const uint8_t *)"xyz", 3, digest, out, 68), -ENOSPC);
}

TEST(text_the_agent_refuses_is_refused)
{
	uint8_t data[64];

	ASSERT_EQ(aael_event_data("a b", "op", "c", data, sizeof(data)), -EINVAL);
	ASSERT_EQ(aael_event_data("d", "o\tp", "c", data, sizeof(data)), -EINVAL);
	ASSERT_EQ(aael_event_data("", "op", "c", data, sizeof(data)), -EINVAL);
	ASSERT_EQ(aael_event_data("d", "op", "line\nfeed", data, sizeof(data)), -EINVAL);
	ASSERT_EQ(aael_event_data("d", "op", "spaces are fine", data, sizeof(data)), 8 + 20);
	ASSERT_EQ(aael_event_data("d", "op", "too long for the buffer given", data, 20), -ENOSPC);
}

TEST(gpu_event_text)
{
	uint8_t digest[AAEL_SHA384_SIZE], data[256];
	int n;

	memset(digest, 0x0f, sizeof(digest));
	n = aael_gpu_event("0000:41:00.0", digest, data, sizeof(data));
	ASSERT_EQ(n, 8 + 44 + 96);
	data[n] = '\0';
	ASSERT_STR((char *)data + 8,
	           "github.com/ccinit gpu-evidence 0000:41:00.0 "
	           "0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f"
	           "0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f");
}
