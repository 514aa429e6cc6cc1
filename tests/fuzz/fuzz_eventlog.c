/* SPDX-License-Identifier: Apache-2.0 */
/*
 * CC event log parser, replay and event descriptions (measurement/eventlog.c),
 * and the prediction JSON reader `eventlog diff` uses. Input: a log, and the
 * same bytes as a prediction.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "measurement/eventlog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char pred[] = "{\"rtmr_0\":[\"00000000000000000000000000000000"
	                           "00000000000000000000000000000000"
	                           "00000000000000000000000000000000\"]}";
	static struct prediction p;
	uint8_t mr[CC_MR_COUNT][SHA384_LEN];
	char err[TDX_ERR_MAX], desc[256];
	struct cc_eventlog log;

	if (eventlog_parse(data, size, &log, err, sizeof(err)) == 0) {
		for (size_t i = 0; i < log.n; i++) {
			eventlog_describe(&log.ev[i], desc, sizeof(desc));
			(void)eventlog_type_name(log.ev[i].type);
		}
		(void)eventlog_find_kernel(&log);
		(void)eventlog_find_load_options(&log);
		if (eventlog_replay(&log, mr, err, sizeof(err)) == 0 &&
		    prediction_parse(pred, strlen(pred), &p, err, sizeof(err)) == 0) {
			FILE *f = fopen("/dev/null", "we");
			if (f) {
				eventlog_diff(&log, &p, f, err, sizeof(err));
				fclose(f);
			}
		}
		eventlog_free(&log);
	}
	(void)prediction_parse((const char *)data, size, &p, err, sizeof(err));
	return 0;
}
