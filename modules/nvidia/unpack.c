/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Whole-package unpacking for the module build tree (kernel headers, the
 * NVIDIA source tarball) with libarchive; a .deb's data.tar is opened by
 * rootfs/deb/extract.c, as for the image. Unlike image extraction nothing is
 * sliced or normalised here: the tree only feeds a compiler. It still never
 * writes outside dest: no absolute or ".." paths, no writing through links.
 * (Names are rebased onto dest, an absolute path, before libarchive sees
 * them, so its NOABSOLUTEPATHS check cannot be used; rebase() refuses them.)
 */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "rootfs/deb/extract.h"
#include "modules/nvidia/modbuild.h"

static const int disk_flags = ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_TIME |
                              ARCHIVE_EXTRACT_SECURE_NODOTDOT | ARCHIVE_EXTRACT_SECURE_SYMLINKS |
                              ARCHIVE_EXTRACT_UNLINK;

/* "./usr/src/x" -> "DEST/usr/src/x"; NULL for the root entry itself. */
static int rebase(char *out, size_t size, const char *dest, const char *name)
{
	while (name[0] == '.' && name[1] == '/')
		name += 2;
	if (!*name || strcmp(name, ".") == 0)
		return 1;
	if (name[0] == '/')
		return -EINVAL;
	return snprintf(out, size, "%s/%s", dest, name) >= (int)size ? -ENAMETOOLONG : 0;
}

static int extract(struct archive *in, const char *what, const char *dest, char *why,
                   size_t why_size)
{
	struct archive *out = archive_write_disk_new();
	struct archive_entry *e;
	char path[PATH_MAX], link[PATH_MAX];
	int r = 0, ar;

	if (!out)
		return -ENOMEM;
	archive_write_disk_set_options(out, disk_flags);
	while ((ar = archive_read_next_header(in, &e)) == ARCHIVE_OK) {
		const char *hard = archive_entry_hardlink(e);
		int k = rebase(path, sizeof(path), dest, archive_entry_pathname(e));

		if (k == 1)
			continue;
		if (k == 0 && hard)
			k = rebase(link, sizeof(link), dest, hard);
		if (k != 0) {
			snprintf(why, why_size, "%s: bad path %s", what, archive_entry_pathname(e));
			r = -EINVAL;
			break;
		}
		archive_entry_set_pathname(e, path);
		if (hard)
			archive_entry_set_hardlink(e, link);
		if (archive_write_header(out, e) < ARCHIVE_WARN) {
			snprintf(why, why_size, "%s: %s", what, archive_error_string(out));
			r = -EIO;
			break;
		}
		if (archive_entry_size(e) > 0) {
			const void *buf;
			size_t len;
			la_int64_t off;
			while ((ar = archive_read_data_block(in, &buf, &len, &off)) == ARCHIVE_OK)
				if (archive_write_data_block(out, buf, len, off) < ARCHIVE_WARN)
					break;
			if (ar != ARCHIVE_EOF) {
				snprintf(why, why_size, "%s: %s", what,
				         archive_error_string(ar < ARCHIVE_WARN ? in : out));
				r = -EIO;
				break;
			}
		}
		if (archive_write_finish_entry(out) < ARCHIVE_WARN) {
			snprintf(why, why_size, "%s: %s", what, archive_error_string(out));
			r = -EIO;
			break;
		}
	}
	if (r == 0 && ar != ARCHIVE_EOF) {
		snprintf(why, why_size, "%s: %s", what, archive_error_string(in));
		r = -EIO;
	}
	if (archive_write_close(out) != ARCHIVE_OK && r == 0) {
		snprintf(why, why_size, "%s: %s", what, archive_error_string(out));
		r = -EIO;
	}
	archive_write_free(out);
	return r;
}

static struct archive *reader(void)
{
	struct archive *a = archive_read_new();

	if (a) {
		archive_read_support_filter_all(a);
		archive_read_support_format_tar(a);
	}
	return a;
}

int modbuild_unpack_tar(const char *tarball, const char *dest, char *why, size_t why_size)
{
	struct archive *in = reader();
	int r;

	if (!in)
		return -ENOMEM;
	if (archive_read_open_filename(in, tarball, 1 << 16) != ARCHIVE_OK) {
		snprintf(why, why_size, "%s: %s", tarball, archive_error_string(in));
		archive_read_free(in);
		return -EIO;
	}
	r = extract(in, tarball, dest, why, why_size);
	archive_read_free(in);
	return r;
}

int modbuild_unpack_deb(const char *deb, const char *dest, char *why, size_t why_size)
{
	struct deb_member m = {0};
	int r = deb_member_open(&m, deb, "data.tar", why, why_size);

	if (r == 0)
		r = extract(m.inner, deb, dest, why, why_size);
	deb_member_close(&m);
	return r;
}
