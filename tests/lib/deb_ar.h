/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The outer ar archive of a test .deb (for the unit tests that build their own
 * packages): debian-binary, control.tar.COMP and data.tar.COMP with the bytes given.
 */
#pragma once

#include <archive.h>
#include <archive_entry.h>
#include <stdio.h>

#include "tests/lib/tap.h"

static inline void write_deb_ar(const char *path, const char *comp, const void *ctl, size_t clen,
                                const void *data, size_t dlen)
{
	struct archive *a = archive_write_new();
	char cname[32], dname[32];

	snprintf(cname, sizeof(cname), "control.tar.%s", comp);
	snprintf(dname, sizeof(dname), "data.tar.%s", comp);
	archive_write_set_format_ar_svr4(a);
	if (archive_write_open_filename(a, path) != ARCHIVE_OK)
		tap_fail("%s", archive_error_string(a));
	const char *names[] = {"debian-binary", cname, dname};
	const void *bufs[] = {"2.0\n", ctl, data};
	size_t lens[] = {4, clen, dlen};
	for (int i = 0; i < 3; i++) {
		struct archive_entry *e = archive_entry_new();
		archive_entry_set_pathname(e, names[i]);
		archive_entry_set_filetype(e, AE_IFREG);
		archive_entry_set_perm(e, 0644);
		archive_entry_set_size(e, (la_int64_t)lens[i]);
		archive_write_header(a, e);
		archive_write_data(a, bufs[i], lens[i]);
		archive_entry_free(e);
	}
	archive_write_close(a);
	archive_write_free(a);
}
