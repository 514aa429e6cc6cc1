/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A Debian source package (the firmware's edk2, the guest kernel's linux)
 * through the image build's private apt, with deb-src lines for the suite. The files come
 * with their SHA256 from the Sources index, which apt verified against the
 * suite's signed InRelease; apt's own fetcher checks each download against
 * it. We write the .dsc ourselves from the same index entry rather than
 * download it: the mirrors this project uses do not serve every .dsc
 * (trixie's edk2 .dsc answered 404 where its tarballs did not), and a
 * signature on the .dsc would only repeat what the index already proves.
 * dpkg-source then checks the files against that .dsc once more.
 */
#include <errno.h>
#include <inttypes.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "init/base/fileio.h"
#include "init/base/hex.h"
#include "rootfs/deb/apt.h"
#include "rootfs/deb/source.h"
#include "rootfs/lib/digest.h"
#include "rootfs/lib/fsutil.h"

static const char *const components[] = {"main"};

/* Lists are refreshed at most hourly (apt.h); offline, the lists we have still resolve. */
static int update(struct deb_source *s, const struct deb_source_opts *o, char *why, size_t why_size)
{
	time_t when;
	int r = apt_update(s->apt, false, why, why_size);

	if (r < 0 && apt_updated_at(s->apt, &when) == 0) {
		if (!o->quiet)
			fprintf(stderr, "ccimage: %s: %s; using the lists of %s", o->what, why,
			        ctime(&when));
		return 0;
	}
	return r;
}

int deb_source_resolve(struct deb_source *s, const struct deb_source_opts *o, const char *cache,
                       char *why, size_t why_size)
{
	const struct apt_sources src = {.suite = o->suite,
	                                .mirror = o->mirror,
	                                .security_mirror = o->security_mirror,
	                                .components = components,
	                                .ncomponents = 1,
	                                .updates = true,
	                                .sources = true};
	char spec[256];
	struct apt_src *pkg;
	size_t used = 0;
	int r;

	if ((r = apt_open_sources(&src, o->quiet, &s->apt, why, why_size)) < 0 ||
	    (r = update(s, o, why, why_size)) < 0)
		return r;
	snprintf(spec, sizeof(spec), "%s%s%s", o->name, o->version ? "=" : "",
	         o->version ? o->version : "");
	if (!(pkg = calloc(1, sizeof(*pkg))))
		return -ENOMEM;
	r = apt_source(s->apt, spec, pkg, why, why_size);
	if (r == 0 && strcmp(pkg->format, "3.0 (quilt)") != 0) {
		snprintf(why, why_size, "%s %s: source format '%s', not '3.0 (quilt)'", o->name,
		         pkg->version, pkg->format);
		r = -EPROTO;
	}
	if (r == 0) {
		snprintf(s->version, sizeof(s->version), "%s", pkg->version);
		for (size_t i = 0; i < pkg->nfiles; i++)
			used += (size_t)snprintf(s->files_line + used, sizeof(s->files_line) - used,
			                         "%s%s sha256:%s", i ? " " : "", pkg->files[i].name,
			                         pkg->files[i].sha256);
		if (used >= sizeof(s->files_line) ||
		    snprintf(s->dir, sizeof(s->dir), "%s/sources/%s_%s", cache, o->name,
		             pkg->version) >= (int)sizeof(s->dir) ||
		    snprintf(s->dsc, sizeof(s->dsc), "%s/%s.dsc", s->dir, o->name) >=
		            (int)sizeof(s->dsc))
			r = -ENAMETOOLONG;
	}
	if (r < 0)
		free(pkg);
	else
		s->pkg = pkg;
	return r;
}

/* MD5 only because a .dsc must have a Files field; the SHA256 is what was verified. */
static int md5_file_hex(const char *path, char out[33])
{
	unsigned char buf[1 << 16], md[EVP_MAX_MD_SIZE];
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned mdlen = 0;
	ssize_t n = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC), r = 0;

	if (fd < 0 || !ctx || !EVP_DigestInit_ex(ctx, EVP_md5(), NULL))
		r = fd < 0 ? -errno : -EIO;
	while (r == 0 && (n = read(fd, buf, sizeof(buf))) > 0)
		if (!EVP_DigestUpdate(ctx, buf, (size_t)n))
			r = -EIO;
	if (r == 0 && (n < 0 || !EVP_DigestFinal_ex(ctx, md, &mdlen) || mdlen != 16))
		r = n < 0 ? -errno : -EIO;
	if (r == 0)
		hex_encode(md, 16, out);
	EVP_MD_CTX_free(ctx);
	if (fd >= 0)
		close(fd);
	return r;
}

/* One file into the sources cache: kept when its SHA256 matches, else fetched afresh. */
static int fetch_file(struct deb_source *s, const struct apt_src_file *f, char *why,
                      size_t why_size)
{
	char path[PATH_MAX], part[PATH_MAX], hex[65];
	int r;

	if (path_join(path, sizeof(path), s->dir, f->name) < 0 ||
	    snprintf(part, sizeof(part), "%s.part", path) >= (int)sizeof(part))
		return -ENAMETOOLONG;
	if (digest_file_hex(path, hex) == 0 && strcmp(hex, f->sha256) == 0)
		return 0;
	unlink(part);
	r = apt_fetch_source_file(s->apt, f, part, why, why_size);
	if (r == 0 && rename(part, path) < 0)
		r = -errno;
	return r;
}

int deb_source_fetch(struct deb_source *s, char *why, size_t why_size)
{
	const struct apt_src *pkg = s->pkg;
	char text[4096], path[PATH_MAX], md5[33];
	size_t used, sha_used;
	char sha[2048];
	int r;

	if ((r = mkdir_parents(s->dsc, 0755)) < 0) {
		snprintf(why, why_size, "creating %s: %s", s->dir, strerror(-r));
		return r;
	}
	used = (size_t)snprintf(text, sizeof(text), "Format: %s\nSource: %s\nVersion: %s\nFiles:\n",
	                        pkg->format, pkg->name, pkg->version);
	sha_used = (size_t)snprintf(sha, sizeof(sha), "Checksums-Sha256:\n");
	for (size_t i = 0; i < pkg->nfiles; i++) {
		const struct apt_src_file *f = &pkg->files[i];
		if ((r = fetch_file(s, f, why, why_size)) < 0)
			return r;
		if (path_join(path, sizeof(path), s->dir, f->name) < 0)
			return -ENAMETOOLONG;
		if ((r = md5_file_hex(path, md5)) < 0) {
			snprintf(why, why_size, "reading %s: %s", path, strerror(-r));
			return r;
		}
		used += (size_t)snprintf(text + used, sizeof(text) - used, " %s %" PRIu64 " %s\n",
		                         md5, f->size, f->name);
		sha_used += (size_t)snprintf(sha + sha_used, sizeof(sha) - sha_used,
		                             " %s %" PRIu64 " %s\n", f->sha256, f->size, f->name);
		if (used >= sizeof(text) || sha_used >= sizeof(sha))
			return -ENAMETOOLONG;
	}
	if (used + sha_used >= sizeof(text))
		return -ENAMETOOLONG;
	memcpy(text + used, sha, sha_used + 1);
	if ((r = write_string_file(s->dsc, text, 0)) < 0)
		snprintf(why, why_size, "writing %s: %s", s->dsc, strerror(-r));
	return r;
}

void deb_source_close(struct deb_source *s)
{
	s->apt = apt_free(s->apt);
	free(s->pkg);
	s->pkg = NULL;
}
