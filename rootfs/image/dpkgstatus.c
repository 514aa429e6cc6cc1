/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The dpkg status stub: each package's own control stanza with a Status
 * line, and its file list, for the packages that put files in the image.
 * Scanners (syft, trivy, grype) read exactly these files.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rootfs/image/sbom.h"
#include "rootfs/lib/stagefs.h"

struct buf {
	char *p;
	size_t len, cap;
};

static int put(struct buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = (b->len + n + 1) * 2;
		char *np = realloc(b->p, cap);
		if (!np)
			return -ENOMEM;
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

static bool has_files(struct origins *o, const char *pkg)
{
	for (size_t i = 0; i < o->n; i++)
		if (o->v[i].package && strcmp(o->v[i].package, pkg) == 0)
			return true;
	return false;
}

/* The control stanza with "Status: install ok installed" after its Package line. */
static int stanza(struct buf *b, const char *control)
{
	const char *nl = strchr(control, '\n');
	size_t len = strlen(control);
	int r;

	while (len && control[len - 1] == '\n')
		len--;
	if (!nl || (size_t)(nl - control) >= len)
		return -EINVAL;
	if ((r = put(b, control, (size_t)(nl - control) + 1)) < 0 ||
	    (r = put(b, "Status: install ok installed\n", 29)) < 0 ||
	    (r = put(b, nl + 1, len - (size_t)(nl + 1 - control))) < 0)
		return r;
	return put(b, "\n\n", 2);
}

static int write_list(int rootfd, const struct sbom_pkg *p, struct origins *o, char *path,
                      size_t size)
{
	struct buf b = {0};
	int r = 0;

	bool same = strstr(p->idx->control, "\nMulti-Arch: same\n") != NULL;
	/* dpkg names a Multi-Arch: same package's list with its architecture. */
	snprintf(path, size, "/var/lib/dpkg/info/%s%s%s.list", p->name, same ? ":" : "",
	         same ? p->arch : "");
	origins_sort(o);
	for (size_t i = 0; i < o->n && r == 0; i++)
		if (o->v[i].package && strcmp(o->v[i].package, p->name) == 0 &&
		    (r = put(&b, o->v[i].path, strlen(o->v[i].path))) == 0)
			r = put(&b, "\n", 1);
	if (r == 0)
		r = stagefs_write(rootfd, path, b.p ? b.p : "", b.len, 0644);
	free(b.p);
	return r;
}

int sbom_dpkg_status(const char *stage, const struct sbom_pkg *pkgs, size_t n, struct origins *o,
                     char *why, size_t why_size)
{
	struct buf b = {0};
	char path[PATH_MAX];
	int rootfd = open(stage, O_RDONLY | O_DIRECTORY | O_CLOEXEC), r = 0;

	if (rootfd < 0)
		return -errno;
	/* pkgs come sorted by name, so the stanzas do too. */
	for (size_t i = 0; i < n && r == 0; i++) {
		if (!has_files(o, pkgs[i].name))
			continue;
		r = stanza(&b, pkgs[i].idx->control);
		if (r == 0)
			r = write_list(rootfd, &pkgs[i], o, path, sizeof(path));
		if (r == 0)
			r = origins_add(o, path, NULL, "dpkg file list (scanners read it)");
		if (r < 0)
			snprintf(why, why_size, "dpkg status stub for %s: %s", pkgs[i].name,
			         strerror(-r));
	}
	if (r == 0 && b.len) {
		r = stagefs_write(rootfd, "/var/lib/dpkg/status", b.p, b.len, 0644);
		if (r == 0)
			r = origins_add(o, "/var/lib/dpkg/status", NULL,
			                "dpkg status stub (scanners read it)");
		if (r < 0)
			snprintf(why, why_size, "writing /var/lib/dpkg/status: %s", strerror(-r));
	}
	free(b.p);
	close(rootfd);
	return r;
}
