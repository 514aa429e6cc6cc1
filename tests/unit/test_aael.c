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
#include "measurement/gpu_aael.h"
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

/* What a build predicts of ccinit's GPU events from the measured line (measurement/gpu_aael.h). */
#define READY "root=x ccinit.gpu.count=2 nvrc.smi.srs=1"

TEST(expect_pins_the_count_when_every_condition_holds)
{
	struct gpu_aael_expect e;

	gpu_aael_expect(READY, GPU_AAEL_RTMR_YES, &e);
	ASSERT_EQ(e.count, 2);
	ASSERT_STR(e.why, "");
	gpu_aael_expect("ccinit.gpu.ready=yes ccinit.gpu.count=8 ccinit.gpu.cc=devtools",
	                GPU_AAEL_RTMR_YES, &e);
	ASSERT_EQ(e.count, 8);
}

TEST(expect_no_events_where_ccinit_logs_none)
{
	static const char *const lines[] = {
	        READY " ccinit.gpu.attest=off",
	        READY " ccinit.gpu=off",
	        READY " ccinit.gpu.cc=off",
	        "ccinit.gpu.count=2",                     /* no ready request */
	        "ccinit.gpu.count=2 nvrc.smi.srs=0",      /* ready asked to stay off */
	        "ccinit.gpu.count=2 ccinit.gpu.ready=no", /* the same */
	};
	struct gpu_aael_expect e;

	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		gpu_aael_expect(lines[i], GPU_AAEL_RTMR_YES, &e);
		ASSERT_EQ(e.count, 0);
		ASSERT_TRUE(e.why[0] != '\0');
	}
	/* A kernel without the register file (6.12's): the evidence unmeasured, nothing logged. */
	gpu_aael_expect(READY, GPU_AAEL_RTMR_NO, &e);
	ASSERT_EQ(e.count, 0);
	ASSERT_CONTAINS(e.why, "CONFIG_TSM_MEASUREMENTS");
}

TEST(expect_no_count_where_the_line_does_not_pin_it)
{
	static const char *const lines[] = {
	        "nvrc.smi.srs=1",                     /* any number boots */
	        READY " ccinit.gpu.cc=any",           /* CC may be off */
	        READY " ccinit.gpu.count=3",          /* twice: the boot fails */
	        "ccinit.gpu.count=33 nvrc.smi.srs=1", /* ccinit refuses it */
	};
	struct gpu_aael_expect e;

	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		gpu_aael_expect(lines[i], GPU_AAEL_RTMR_YES, &e);
		ASSERT_EQ(e.count, -1);
		ASSERT_TRUE(e.why[0] != '\0');
	}
	gpu_aael_expect(READY, GPU_AAEL_RTMR_UNKNOWN, &e);
	ASSERT_EQ(e.count, -1);
}

/* Any other token, however long (a verity line, dm-mod.create=), is passed over. */
TEST(expect_reads_past_long_tokens)
{
	char line[2048];
	struct gpu_aael_expect e;

	snprintf(line, sizeof(line), "  dm-mod.create=%01200d " READY " ccinit.gpu.countx=9 ", 0);
	gpu_aael_expect(line, GPU_AAEL_RTMR_YES, &e);
	ASSERT_EQ(e.count, 2);
}

/* The names and texts a policy compares with the AAEL claims: aael.c's, the count when known. */
TEST(values_are_the_events_domain_operation_and_count)
{
	json_object *v = gpu_aael_values(2), *w = gpu_aael_values(-1);

	ASSERT_STR(json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN |
	                                                     JSON_C_TO_STRING_NOSLASHESCAPE),
	           "{\"ccinit_aael_domain\":\"github.com/ccinit\","
	           "\"ccinit_gpu_aael_operation\":\"gpu-evidence\",\"ccinit_gpu_aael_count\":2}");
	ASSERT_TRUE(!json_object_object_get_ex(w, GPU_AAEL_RV_COUNT, NULL));
	json_object_put(v);
	json_object_put(w);
}
