/* SPDX-License-Identifier: Apache-2.0 */
/*
 * CC event logs: trustee's fixtures replay to the RTMRs measurement/README.md, 6.6 gives,
 * every truncation or corruption is refused with a reason, and `diff` names
 * the first event per register that differs from a prediction.
 */
#include <errno.h>

#include "measurement/eventlog.h"
#include "tests/lib/ccel.h"
#include "tests/lib/tap.h"

/* trustee's CCEL_data_ovmf_out.json and CCEL_data_grub_out.json. */
static const char ovmf_kernel[] = "a2ccae1e7d6c668ca325bb09c882d8ce44d26d714ba6f58d2e8083fe291a7046"
                                  "46afe24a2368bca3341728d78ec80a80";
static const char ovmf_params[] = "4230f84885a6f3f305e91a1955045398bd9edd8ffd2aaf2aab8ad3ac53476c4a"
                                  "c82a3675ef559c4ae949a06e84119fc2";

static uint8_t *read_fixture(const char *path, size_t *len)
{
	uint8_t *buf;
	char why[160];

	if (tdx_read_file(path, &buf, len, why, sizeof(why)) < 0)
		tap_fail("%s: %s", path, why);
	return buf;
}

TEST(ccel_ovmf_replays_to_reference)
{
	char err[TDX_ERR_MAX] = "", desc[256];
	uint8_t mr[CC_MR_COUNT][SHA384_LEN];
	struct cc_eventlog log;
	size_t len;
	uint8_t *buf = read_fixture(CCEL_OVMF, &len);

	ASSERT_EQ(len, 65536);
	ASSERT_EQ(eventlog_parse(buf, len, &log, err, sizeof(err)), 0);
	ASSERT_EQ(log.n, 20);
	ASSERT_EQ(log.n_algs, 1);
	ASSERT_EQ(log.alg_id[0], TCG_ALG_SHA384);
	ASSERT_EQ(eventlog_replay(&log, mr, err, sizeof(err)), 0);
	for (int i = 0; i < CC_MR_COUNT; i++)
		ASSERT_STR(hex48(mr[i]), ccel_ovmf_rtmr[i]);
	ASSERT_TRUE(eventlog_find_kernel(&log) != NULL);
	ASSERT_STR(hex48(eventlog_find_kernel(&log)->digest), ovmf_kernel);
	ASSERT_STR(hex48(eventlog_find_load_options(&log)->digest), ovmf_params);
	eventlog_describe(eventlog_find_kernel(&log), desc, sizeof(desc));
	ASSERT_STR(desc, "VenMedia(1428f772-b64a-441e-b8c3-9ebdd7f893c7)/File(kernel)");
	eventlog_describe(&log.ev[2], desc, sizeof(desc));
	ASSERT_STR(desc, "8be4df61-93ca-11d2-aa0d-00e098032b8c:SecureBoot (0 bytes)");
	ASSERT_STR(eventlog_type_name(log.ev[0].type), "EV_EFI_HANDOFF_TABLES2");
	ASSERT_TRUE(eventlog_digest_is_of_data(&log.ev[7])); /* the separator */
	eventlog_free(&log);
	free(buf);
}

TEST(ccel_grub_parses)
{
	char err[TDX_ERR_MAX] = "";
	uint8_t mr[CC_MR_COUNT][SHA384_LEN], zero[SHA384_LEN] = {0};
	struct cc_eventlog log;
	size_t len;
	uint8_t *buf = read_fixture(CCEL_GRUB, &len);

	ASSERT_EQ(eventlog_parse(buf, len, &log, err, sizeof(err)), 0);
	ASSERT_EQ(log.n, 37);
	ASSERT_EQ(eventlog_replay(&log, mr, err, sizeof(err)), 0);
	/* A grub boot loads no File(kernel) through QEMU, but the stub still measures LoadOptions.
	 */
	ASSERT_TRUE(eventlog_find_kernel(&log) == NULL);
	ASSERT_STR(hex48(eventlog_find_load_options(&log)->digest),
	           "f45887f32c15f51f7a384ed851c22823097c29b79a44f80a598f7132ca80e02c"
	           "419a1e8c6902fbd961d3a0225fccc034");
	ASSERT_TRUE(memcmp(mr[2], zero, SHA384_LEN) != 0);
	ASSERT_MEM(mr[3], zero, SHA384_LEN);
	eventlog_free(&log);
	free(buf);
}

TEST(truncated_logs_are_refused)
{
	char err[TDX_ERR_MAX];
	struct cc_eventlog full, log;
	size_t len;
	uint8_t *buf = read_fixture(CCEL_OVMF, &len);

	ASSERT_EQ(eventlog_parse(buf, len, &full, err, sizeof(err)), 0);
	for (size_t cut = 0; cut <= full.end; cut++) {
		uint8_t *c = malloc(cut ? cut : 1);
		bool boundary = cut == full.end;
		int r;
		for (size_t i = 0; i < full.n; i++)
			boundary |= full.ev[i].offset == cut;
		memcpy(c, buf, cut);
		err[0] = 0;
		r = eventlog_parse(c, cut, &log, err, sizeof(err));
		if (boundary && cut >= full.ev[0].offset) {
			ASSERT_EQ(r, 0);
			eventlog_free(&log);
		} else {
			ASSERT_EQ(r, -EBADMSG);
			ASSERT_TRUE(err[0] != 0);
		}
		free(c);
	}
	eventlog_free(&full);
	free(buf);
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void expect_refused(const uint8_t *orig, size_t len, size_t off, uint32_t value,
                           const char *why)
{
	char err[TDX_ERR_MAX] = "";
	struct cc_eventlog log;
	uint8_t *c = malloc(len);

	memcpy(c, orig, len);
	put32(c + off, value);
	ASSERT_EQ(eventlog_parse(c, len, &log, err, sizeof(err)), -EBADMSG);
	ASSERT_CONTAINS(err, why);
	free(c);
}

TEST(corrupt_logs_are_refused)
{
	struct cc_eventlog log;
	char err[TDX_ERR_MAX];
	size_t len;
	uint8_t *buf = read_fixture(CCEL_OVMF, &len);
	size_t e1;

	ASSERT_EQ(eventlog_parse(buf, len, &log, err, sizeof(err)), 0);
	e1 = log.ev[0].offset;
	eventlog_free(&log);
	expect_refused(buf, len, 32, 0x63657053 ^ 1, "Spec ID Event03");
	expect_refused(buf, len, 32 + 24, 0, "algorithms");
	expect_refused(buf, len, 32 + 24, 1000, "algorithms");
	expect_refused(buf, len, e1 + 8, 0, "digests");
	expect_refused(buf, len, e1 + 12, 0x000b, "did not declare"); /* SHA-256, undeclared */
	expect_refused(buf, len, e1 + 12 + 2 + 48, 0x7fffffff, "bytes of data");
	expect_refused(buf, len, e1, 9, "MR index");
	expect_refused(buf, len, 28, 0xfffffff0, "Spec ID");
	free(buf);
}

/* Writes a prediction JSON from the log's own events, with one digest optionally changed. */
static char *prediction_from_log(const struct cc_eventlog *log, int bad_mr, size_t bad_ev,
                                 int drop_last_mr)
{
	char *s;
	size_t n;
	FILE *f = open_memstream(&s, &n);

	fprintf(f, "{\"mr_td\": [\"ignored\"], \"events\": {");
	for (int mr = 0; mr < 3; mr++) {
		size_t k = 0, total = 0;
		for (size_t i = 0; i < log->n; i++)
			total += eventlog_extends(&log->ev[i]) && eventlog_rtmr(&log->ev[i]) == mr;
		fprintf(f, "%s\"rtmr_%d\": [", mr ? ", " : "", mr);
		for (size_t i = 0; i < log->n; i++) {
			const struct cc_event *e = &log->ev[i];
			uint8_t d[SHA384_LEN];
			if (!eventlog_extends(e) || eventlog_rtmr(e) != mr)
				continue;
			if (mr == drop_last_mr && k == total - 1)
				break;
			memcpy(d, e->digest, SHA384_LEN);
			if (mr == bad_mr && k == bad_ev)
				d[0] ^= 1;
			fprintf(f, "%s{\"name\": \"predicted_%d_%zu\", \"digest\": \"%s\"}",
			        k ? ", " : "", mr, k, hex48(d));
			k++;
		}
		fprintf(f, "]");
	}
	fprintf(f, "}, \"note\": {\"nested\": [1, 2.5e3, true, null, \"\\u00e9\"]}}");
	fclose(f);
	return s;
}

static int run_diff(const struct cc_eventlog *log, const char *json, char **out)
{
	struct prediction *p = malloc(sizeof(*p));
	char err[TDX_ERR_MAX] = "";
	size_t n;
	FILE *f = open_memstream(out, &n);
	int r = prediction_parse(json, strlen(json), p, err, sizeof(err));

	if (r < 0)
		tap_fail("prediction_parse: %s", err);
	r = eventlog_diff(log, p, f, err, sizeof(err));
	fclose(f);
	free(p);
	return r;
}

TEST(diff_names_first_differing_event)
{
	struct cc_eventlog log;
	char err[TDX_ERR_MAX], *json, *out;
	size_t len;
	uint8_t *buf = read_fixture(CCEL_OVMF, &len);

	ASSERT_EQ(eventlog_parse(buf, len, &log, err, sizeof(err)), 0);

	json = prediction_from_log(&log, -1, 0, -1);
	ASSERT_EQ(run_diff(&log, json, &out), 0);
	ASSERT_CONTAINS(out, "RTMR2: all 2 events match");
	free(json);
	free(out);

	/* RTMR2's first event is the LoadOptions tag. */
	json = prediction_from_log(&log, 2, 0, -1);
	ASSERT_EQ(run_diff(&log, json, &out), 1);
	ASSERT_CONTAINS(out, "RTMR2: event 1 differs");
	ASSERT_CONTAINS(out, "LOADED_IMAGE::LoadOptions");
	ASSERT_CONTAINS(out, "prediction: predicted_2_0");
	ASSERT_CONTAINS(out, "RTMR1: all 4 events match");
	free(json);
	free(out);

	/* Only the first difference in a register is named. */
	json = prediction_from_log(&log, 0, 8, -1);
	ASSERT_EQ(run_diff(&log, json, &out), 1);
	ASSERT_CONTAINS(out, "RTMR0: event 9 differs");
	ASSERT_CONTAINS(out, "ACPI DATA");
	free(json);
	free(out);

	/* A log with an event more than predicted (a separator the profile did not expect). */
	json = prediction_from_log(&log, -1, 0, 1);
	ASSERT_EQ(run_diff(&log, json, &out), 1);
	ASSERT_CONTAINS(out, "RTMR1: event 4 differs");
	ASSERT_CONTAINS(out, "(no event: 3 predicted)");
	free(json);
	free(out);

	/* The dstack order puts a separator into RTMR1: the diff says to try the other profile. */
	{
		char *j;
		ASSERT_TRUE(
		        asprintf(&j,
		                 "{\"events\":{\"rtmr_1\":[{\"name\":\"kernel\",\"digest\":\"%s\"},"
		                 "{\"name\":\"calling_efi_application\",\"digest\":\"%s\"},"
		                 "{\"name\":\"separator\",\"digest\":\"%s\"}]}}",
		                 ovmf_kernel, hex48(log.ev[14].digest),
		                 hex48(log.ev[15].digest)) > 0);
		ASSERT_EQ(run_diff(&log, j, &out), 1);
		ASSERT_CONTAINS(out, "RTMR1: event 3 differs");
		ASSERT_CONTAINS(out, "Exit Boot Services Invocation");
		ASSERT_CONTAINS(out, "try the other --profile");
		free(j);
		free(out);
	}

	/* Values only: the register and the named event digests. */
	ASSERT_EQ(
	        run_diff(
	                &log,
	                "{\"rtmr_1\":[\"775b9f6bfe99f8a31396f0d0218e67ffa796d3b96ccf961cbb0deba4"
	                "8c79c00f082cda1a5567c1c16305f1fc210c13c6\"],\"tdvfkernel\":\"a2ccae1e7d6c"
	                "668ca325bb09c882d8ce44d26d714ba6f58d2e8083fe291a704646afe24a2368bca3341728"
	                "d78ec80a81\"}",
	                &out),
	        1);
	ASSERT_CONTAINS(out, "RTMR1: matches");
	ASSERT_CONTAINS(out, "tdvfkernel differs");
	ASSERT_CONTAINS(out, "File(kernel)");
	free(out);
	eventlog_free(&log);
	free(buf);
}

TEST(prediction_parse_refuses_bad_json)
{
	static const char *const bad[] = {
	        "",
	        "{",
	        "[]",
	        "{\"rtmr_1\": \"00\"}",
	        "{\"rtmr_1\": 5}",
	        "{\"a\": 1} x",
	        "{\"a\": \"\\q\"}",
	        "{\"a\": "
	        "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]"
	        "}",
	        "{\"events\": {\"rtmr_1\": [{\"name\": \"x\"}]}}",
	        "{\"a\": \"unterminated}",
	};
	struct prediction *p = malloc(sizeof(*p));
	char err[TDX_ERR_MAX];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = 0;
		ASSERT_EQ(prediction_parse(bad[i], strlen(bad[i]), p, err, sizeof(err)), -EBADMSG);
		ASSERT_CONTAINS(err, "prediction JSON");
	}
	/* A prediction naming nothing would match any log: refused (issue 24). */
	ASSERT_EQ(prediction_parse("{}", 2, p, err, sizeof(err)), -EBADMSG);
	ASSERT_CONTAINS(err, "names no register");
	ASSERT_EQ(prediction_parse("{\"events\": {}}", 14, p, err, sizeof(err)), -EBADMSG);
	ASSERT_CONTAINS(err, "names no register");
	ASSERT_EQ(prediction_parse("{\"rtmr_9\": \"00\"}", 16, p, err, sizeof(err)), -EBADMSG);
	ASSERT_CONTAINS(err, "names no register");
	free(p);
}
