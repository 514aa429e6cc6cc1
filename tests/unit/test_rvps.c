/* SPDX-License-Identifier: Apache-2.0 */
/* Trustee RVPS sample messages: shapes per trustee release, base64, replacement. */
#include <errno.h>

#include "init/base/base64.h"
#include "measurement/rvps.h"
#include "measurement/tdx.h"
#include "tests/lib/tap.h"

TEST(base64_vectors)
{
	static const char *const in[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
	static const char *const out[] = {"",         "Zg==",     "Zm8=",    "Zm9v",
	                                  "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
	for (int i = 0; i < 7; i++) {
		char *s;
		ASSERT_EQ(base64_encode((const uint8_t *)in[i], strlen(in[i]), &s), 0);
		ASSERT_STR(s, out[i]);
		free(s);
	}
}

TEST(rvps_message_shapes_by_trustee_version)
{
	uint8_t d[SHA384_LEN];
	struct rvps_msg *m;
	char *s, *b64, *want;

	for (int i = 0; i < SHA384_LEN; i++)
		d[i] = (uint8_t)i;
	ASSERT_EQ(rvps_new(&m, NULL), 0);
	ASSERT_EQ(rvps_add_hex(m, "mr_td", RVPS_IN, d, 2), 0);
	ASSERT_EQ(rvps_add_hex(m, "tdvfkernel", RVPS_EQ, d + 2, 2), 0);
	ASSERT_EQ(rvps_add_int(m, "snp_bootloader", RVPS_IN, 3), 0);
	ASSERT_EQ(rvps_add_bool(m, "snp_smt_enabled", RVPS_EQ, true), 0);
	ASSERT_EQ(rvps_add_hex(m, "mr_td", RVPS_IN, d + 4, 1), 0); /* replaces */
	ASSERT_EQ(rvps_payload_json(m, &s), 0);
	ASSERT_STR(s, "{\"mr_td\":[\"04\"],\"tdvfkernel\":\"0203\",\"snp_bootloader\":[3],"
	              "\"snp_smt_enabled\":true}");
	ASSERT_EQ(base64_encode((const uint8_t *)s, strlen(s), &b64), 0);
	ASSERT_TRUE(asprintf(&want,
	                     "{\"version\":\"0.1.0\",\"type\":\"sample\",\"payload\":\"%s\"}\n",
	                     b64) > 0);
	free(s);
	ASSERT_EQ(rvps_message_json(m, &s), 0);
	ASSERT_STR(s, want);
	free(s);
	free(want);
	free(b64);
	rvps_free(m);

	/* v0.18.0 on: SNP measurement in hex; v0.10-v0.17: base64; before v0.14: strings only. */
	ASSERT_EQ(rvps_new(&m, "v0.18.0"), 0);
	ASSERT_EQ(rvps_add_snp_measurement(m, d), 0);
	ASSERT_EQ(rvps_payload_json(m, &s), 0);
	ASSERT_CONTAINS(s, "[\"000102030405");
	free(s);
	rvps_free(m);
	ASSERT_EQ(rvps_new(&m, "0.17.0"), 0);
	ASSERT_EQ(rvps_add_snp_measurement(m, d), 0);
	ASSERT_EQ(rvps_payload_json(m, &s), 0);
	ASSERT_CONTAINS(s, "[\"AAECAwQF");
	free(s);
	rvps_free(m);
	ASSERT_EQ(rvps_new(&m, "0.13"), 0);
	ASSERT_EQ(rvps_add_int(m, "svn", RVPS_EQ, 7), 0);
	ASSERT_EQ(rvps_payload_json(m, &s), 0);
	ASSERT_STR(s, "{\"svn\":[\"7\"]}");
	free(s);
	rvps_free(m);
	ASSERT_EQ(rvps_new(&m, "0.9.0"), -EINVAL);
	ASSERT_EQ(rvps_new(&m, "latest"), -EINVAL);
	ASSERT_EQ(rvps_new(&m, "0.18.0x"), -EINVAL);
}
