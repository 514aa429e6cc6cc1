/* SPDX-License-Identifier: Apache-2.0 */
/* Source packages through the private apt: `apt-get source --print-uris` and its files. */
#include "rootfs/deb/apt.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rootfs/deb/apt_internal.h"

/* "'URL' NAME SIZE SHA256:HEX", one line of `apt-get source --print-uris`. */
static int parse_uri_line(const char *line, struct apt_src_file *f)
{
	char hash[80];

	memset(f, 0, sizeof(*f));
	if (sscanf(line, "'%1023[^']' %255s %" SCNu64 " %79s", f->url, f->name, &f->size, hash) !=
	            4 ||
	    strncmp(hash, "SHA256:", 7) != 0 || strlen(hash + 7) != 64 || strchr(f->name, '/'))
		return -EPROTO;
	memcpy(f->sha256, hash + 7, 65);
	return 0;
}

/* The format of the one stanza of `apt-cache showsrc` that lists the .dsc with this hash. */
static int source_format(struct apt *a, struct apt_src *s, const char *dsc_sha256, char *why,
                         size_t why_size)
{
	const char *args[] = {"showsrc", "--only-source", s->name, NULL};
	char *text = NULL;
	size_t len = 0;
	int r = apt_run(a, "apt-cache", args, NULL, &text, &len, APT_ERRORS_NULL);

	if (r == 0 && text)
		for (const char *p = text; p < text + len;) {
			const char *end = strstr(p, "\n\n");
			size_t slen = end ? (size_t)(end - p) + 1 : (size_t)(text + len - p);
			char *stanza = strndup(p, slen);
			if (stanza && strstr(stanza, dsc_sha256)) {
				deb822_field(stanza, slen, "Format", s->format, sizeof(s->format));
				deb822_field(stanza, slen, "Version", s->version,
				             sizeof(s->version));
			}
			free(stanza);
			p += slen + (end ? 1 : 0);
		}
	free(text);
	if (r == 0 && (!s->format[0] || !s->version[0])) {
		snprintf(why, why_size, "apt-cache showsrc %s: no stanza for its .dsc", s->name);
		r = -EPROTO;
	}
	return r;
}

int apt_source(struct apt *a, const char *spec, struct apt_src *out, char *why, size_t why_size)
{
	const char *args[] = {"-qq", "source", "--print-uris", "--only-source", spec, NULL};
	char cwd[sizeof(a->root) + 8], dsc_sha256[65] = "", *text = NULL;
	int r;

	memset(out, 0, sizeof(*out));
	snprintf(out->name, sizeof(out->name), "%.*s", (int)strcspn(spec, "="), spec);
	/* apt leaves out files already in its working directory: run it in an empty one. */
	snprintf(cwd, sizeof(cwd), "%s/empty", a->root);
	r = apt_run(a, "apt-get", args, cwd, &text, NULL, APT_ERRORS_NULL);
	if (r == -ECHILD) {
		snprintf(why, why_size, "the archives have no source package %s", spec);
		r = -ENOENT;
	}
	for (char *line = text, *next; r == 0 && line && *line; line = next) {
		struct apt_src_file f;
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if ((r = parse_uri_line(line, &f)) < 0) {
			snprintf(why, why_size, "apt-get source --print-uris %s: bad line '%.200s'",
			         spec, line);
		} else if (strlen(f.name) > 4 && strcmp(f.name + strlen(f.name) - 4, ".dsc") == 0) {
			memcpy(dsc_sha256, f.sha256, sizeof(dsc_sha256));
		} else if (out->nfiles == APT_SRC_MAX_FILES) {
			snprintf(why, why_size, "%s: more than %d files", spec, APT_SRC_MAX_FILES);
			r = -E2BIG;
		} else {
			out->files[out->nfiles++] = f;
		}
	}
	free(text);
	if (r == 0 && (!dsc_sha256[0] || !out->nfiles)) {
		snprintf(why, why_size, "apt-get source --print-uris %s: no .dsc or no files",
		         spec);
		r = -EPROTO;
	}
	return r == 0 ? source_format(a, out, dsc_sha256, why, why_size) : r;
}

int apt_fetch_source_file(struct apt *a, const struct apt_src_file *f, const char *path, char *why,
                          size_t why_size)
{
	char hash[80];
	snprintf(hash, sizeof(hash), "SHA256:%s", f->sha256);
	const char *args[] = {"download-file", f->url, path, hash, NULL};
	int r = apt_run(a, "/usr/lib/apt/apt-helper", args, NULL, NULL, NULL, APT_ERRORS_OURS);

	if (r < 0)
		snprintf(why, why_size, "downloading %s failed%s", f->url,
		         r == -ECHILD ? " (see apt's messages)" : "");
	return r;
}
