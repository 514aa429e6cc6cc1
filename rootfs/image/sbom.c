/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The SPDX 2.3 document. Objects are built with json-c in a fixed key order
 * and every list is sorted, so the same image gives the same bytes; its only
 * time is SOURCE_DATE_EPOCH.
 */
#include "rootfs/lib/fsutil.h"
#include "rootfs/image/sbom.h"
#include "init/base/fileio.h"
#include "rootfs/lib/digest.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>
#include <openssl/evp.h>

#include "init/base/hex.h"

/* Debian short names (DEP-5) to SPDX identifiers; anything else becomes a LicenseRef. */
static const char *const licence_map[][2] = {
        {"GPL-1", "GPL-1.0-only"},
        {"GPL-1+", "GPL-1.0-or-later"},
        {"GPL-2", "GPL-2.0-only"},
        {"GPL-2+", "GPL-2.0-or-later"},
        {"GPL-3", "GPL-3.0-only"},
        {"GPL-3+", "GPL-3.0-or-later"},
        {"LGPL-2", "LGPL-2.0-only"},
        {"LGPL-2+", "LGPL-2.0-or-later"},
        {"LGPL-2.1", "LGPL-2.1-only"},
        {"LGPL-2.1+", "LGPL-2.1-or-later"},
        {"LGPL-3", "LGPL-3.0-only"},
        {"LGPL-3+", "LGPL-3.0-or-later"},
        {"BSD-2-clause", "BSD-2-Clause"},
        {"BSD-3-clause", "BSD-3-Clause"},
        {"BSD-4-clause", "BSD-4-Clause"},
        {"Expat", "MIT"},
        {"MIT", "MIT"},
        {"ISC", "ISC"},
        {"Zlib", "Zlib"},
        {"Apache-2.0", "Apache-2.0"},
        {"MPL-2.0", "MPL-2.0"},
        {"Apache-2", "Apache-2.0"},
        {"Artistic", "Artistic-1.0-Perl"},
        {"PSF-2", "PSF-2.0"},
        {"CC0-1.0", "CC0-1.0"},
        {"public-domain", "LicenseRef-public-domain"},
};

static void map_one(const char *tok, size_t len, char *out, size_t size)
{
	for (size_t i = 0; i < sizeof(licence_map) / sizeof(licence_map[0]); i++)
		if (strlen(licence_map[i][0]) == len &&
		    strncasecmp(licence_map[i][0], tok, len) == 0) {
			snprintf(out, size, "%s", licence_map[i][1]);
			return;
		}
	size_t n = (size_t)snprintf(out, size, "LicenseRef-");
	for (size_t i = 0; i < len && n + 1 < size; i++) {
		char c = tok[i];
		out[n++] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		                           (c >= '0' && c <= '9') || c == '.' || c == '-'
		                   ? c
		                   : '-';
	}
	out[n < size ? n : size - 1] = '\0';
}

/* "GPL-2+ or LGPL-2.1+" -> "GPL-2.0-or-later OR LGPL-2.1-or-later". */
static void map_expr(const char *v, char *out, size_t size)
{
	size_t n = 0;
	bool compound = false;

	out[0] = '\0';
	/* "GPL-2+ with Texinfo exception": SPDX 2.3 has no exception refs, so one LicenseRef. */
	for (const char *w = v; (w = strcasestr(w, "with")); w++)
		if ((w == v || w[-1] == ' ') && (w[4] == ' ' || !w[4])) {
			map_one(v + strspn(v, " \t"), strlen(v + strspn(v, " \t")), out, size);
			return;
		}
	while (*v && n + 1 < size) {
		v += strspn(v, " \t,");
		size_t len = strcspn(v, " \t,");
		if (!len)
			break;
		const char *op = NULL;
		if (len == 2 && !strncasecmp(v, "or", 2))
			op = " OR ";
		else if (len == 3 && !strncasecmp(v, "and", 3))
			op = " AND ";
		if (op) {
			n += (size_t)snprintf(out + n, size - n, "%s", op);
			compound = true;
		} else {
			char one[128];
			map_one(v, len, one, sizeof(one));
			n += (size_t)snprintf(out + n, size - n, "%s", one);
		}
		v += len;
	}
	if (compound && n + 3 < size) {
		memmove(out + 1, out, n + 1);
		out[0] = '(';
		out[n + 1] = ')';
		out[n + 2] = '\0';
	}
}

static int cmp_chars(const void *a, const void *b)
{
	return strcmp(a, b);
}

void sbom_licence(const char *copyright, char *buf, size_t size)
{
	char seen[32][256];
	size_t nseen = 0, n = 0;

	snprintf(buf, size, "NOASSERTION");
	/* Only the machine-readable format says which licences apply. */
	if (!copyright || !strstr(copyright, "copyright-format"))
		return;
	for (const char *p = copyright; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		if (strncmp(p, "License:", 8) != 0)
			continue;
		char val[256], expr[256];
		const char *v = p + 8;
		size_t len = strcspn(v, "\n");
		snprintf(val, sizeof(val), "%.*s", (int)len, v);
		map_expr(val, expr, sizeof(expr));
		bool dup = !expr[0];
		for (size_t i = 0; i < nseen && !dup; i++)
			dup = strcmp(seen[i], expr) == 0;
		if (!dup && nseen < 32)
			snprintf(seen[nseen++], sizeof(seen[0]), "%s", expr);
	}
	if (!nseen)
		return;
	/* Sorted, so the expression does not depend on the file's paragraph order. */
	if (nseen)
		qsort(seen, nseen, sizeof(seen[0]), cmp_chars);
	for (size_t i = 0; i < nseen && n < size; i++)
		n += (size_t)snprintf(buf + n, size - n, "%s%s", i ? " AND " : "", seen[i]);
}

static void spdx_id(char *out, size_t size, const char *prefix, const char *name)
{
	size_t n = (size_t)snprintf(out, size, "%s", prefix);
	for (; *name && n + 1 < size; name++)
		out[n++] = (*name >= 'a' && *name <= 'z') || (*name >= 'A' && *name <= 'Z') ||
		                           (*name >= '0' && *name <= '9') || *name == '.' ||
		                           *name == '-'
		                   ? *name
		                   : '-';
	out[n] = '\0';
}

static int hash_file(const char *path, char sha1[41], char sha256[65])
{
	uint8_t m1[20], m2[32];
	int r = digest_file(path, true, m2, m1, NULL);

	if (r == 0) {
		hex_encode(m1, sizeof(m1), sha1);
		hex_encode(m2, sizeof(m2), sha256);
	}
	return r;
}

static json_object *checksum(const char *alg, const char *hex)
{
	json_object *c = json_object_new_object();
	json_object_object_add(c, "algorithm", json_object_new_string(alg));
	json_object_object_add(c, "checksumValue", json_object_new_string(hex));
	return c;
}

static json_object *relationship(const char *a, const char *type, const char *b)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "spdxElementId", json_object_new_string(a));
	json_object_object_add(o, "relationshipType", json_object_new_string(type));
	json_object_object_add(o, "relatedSpdxElement", json_object_new_string(b));
	return o;
}

static void add_licence_refs(json_object *refs, const char *expr, json_object *seen)
{
	for (const char *p = expr; (p = strstr(p, "LicenseRef-")); p++) {
		char id[128];
		size_t len = strcspn(p, " ()");
		snprintf(id, sizeof(id), "%.*s", (int)len, p);
		if (json_object_object_get_ex(seen, id, NULL))
			continue;
		json_object_object_add(seen, id, json_object_new_boolean(1));
		json_object *e = json_object_new_object();
		json_object_object_add(e, "licenseId", json_object_new_string(id));
		json_object_object_add(e, "extractedText",
		                       json_object_new_string("A licence named in a Debian "
		                                              "copyright file; its text is in "
		                                              "that file."));
		json_object_array_add(refs, e);
	}
}

static json_object *package_obj(const struct sbom_pkg *p, json_object *refs, json_object *seen)
{
	json_object *o = json_object_new_object(), *sums = json_object_new_array(),
	            *ext = json_object_new_array(), *purl = json_object_new_object();
	char id[300], lic[1024], url[700];

	spdx_id(id, sizeof(id), "SPDXRef-Package-", p->name);
	sbom_licence(p->idx ? p->idx->copyright : NULL, lic, sizeof(lic));
	add_licence_refs(refs, lic, seen);
	json_object_object_add(o, "SPDXID", json_object_new_string(id));
	json_object_object_add(o, "name", json_object_new_string(p->name));
	json_object_object_add(o, "versionInfo", json_object_new_string(p->version));
	json_object_object_add(o, "downloadLocation", json_object_new_string(p->url));
	json_object_object_add(o, "filesAnalyzed", json_object_new_boolean(0));
	json_object_array_add(sums, checksum("SHA256", p->sha256));
	json_object_object_add(o, "checksums", sums);
	json_object_object_add(o, "licenseConcluded", json_object_new_string("NOASSERTION"));
	json_object_object_add(o, "licenseDeclared", json_object_new_string(lic));
	json_object_object_add(o, "copyrightText", json_object_new_string("NOASSERTION"));
	json_object_object_add(o, "supplier", json_object_new_string("Organization: Debian"));
	snprintf(url, sizeof(url), "pkg:deb/debian/%s@%s?arch=%s", p->name, p->version, p->arch);
	json_object_object_add(purl, "referenceCategory",
	                       json_object_new_string("PACKAGE-MANAGER"));
	json_object_object_add(purl, "referenceType", json_object_new_string("purl"));
	json_object_object_add(purl, "referenceLocator", json_object_new_string(url));
	json_object_array_add(ext, purl);
	json_object_object_add(o, "externalRefs", ext);
	return o;
}

/* The document's header: SPDX version, licence, name, namespace, creation. */
static void add_header(json_object *doc, const struct recipe *r, uint64_t epoch,
                       const char *namespace_id)
{
	json_object *ci = json_object_new_object(), *creators = json_object_new_array();
	char buf[64], ns[300];
	time_t t = (time_t)epoch;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	json_object_object_add(doc, "spdxVersion", json_object_new_string("SPDX-2.3"));
	json_object_object_add(doc, "dataLicense", json_object_new_string("CC0-1.0"));
	json_object_object_add(doc, "SPDXID", json_object_new_string("SPDXRef-DOCUMENT"));
	json_object_object_add(doc, "name", json_object_new_string(r->name));
	snprintf(ns, sizeof(ns), "https://ccinit.invalid/spdx/%s-%s", r->name, namespace_id);
	json_object_object_add(doc, "documentNamespace", json_object_new_string(ns));
	json_object_object_add(ci, "created", json_object_new_string(buf));
	json_object_array_add(creators, json_object_new_string("Tool: ccimage-" CCINIT_VERSION));
	json_object_object_add(ci, "creators", creators);
	json_object_object_add(doc, "creationInfo", ci);
}

/* The image itself, as the package the document describes. */
static json_object *image_obj(const char *image_id, const char *name)
{
	json_object *img = json_object_new_object();

	json_object_object_add(img, "SPDXID", json_object_new_string(image_id));
	json_object_object_add(img, "name", json_object_new_string(name));
	json_object_object_add(img, "downloadLocation", json_object_new_string("NOASSERTION"));
	json_object_object_add(img, "filesAnalyzed", json_object_new_boolean(0));
	json_object_object_add(img, "primaryPackagePurpose",
	                       json_object_new_string("OPERATING-SYSTEM"));
	json_object_object_add(img, "licenseConcluded", json_object_new_string("NOASSERTION"));
	json_object_object_add(img, "licenseDeclared", json_object_new_string("NOASSERTION"));
	json_object_object_add(img, "copyrightText", json_object_new_string("NOASSERTION"));
	return img;
}

/* The stage's regular files, by image path. */
struct walk_list {
	struct sbom_files *f;
	size_t skip;
};

static int walk_entry(const char *path, const struct stat *st, void *userdata)
{
	struct walk_list *l = userdata;
	struct sbom_file *nv;

	if (!S_ISREG(st->st_mode))
		return 0;
	nv = realloc(l->f->v, (l->f->n + 1) * sizeof(*nv));
	if (!nv)
		return -ENOMEM;
	l->f->v = nv;
	memset(&nv[l->f->n], 0, sizeof(*nv));
	return (nv[l->f->n++].path = strdup(path + l->skip)) ? 0 : -ENOMEM;
}

static int cmp_file(const void *a, const void *b)
{
	return strcmp(((const struct sbom_file *)a)->path, ((const struct sbom_file *)b)->path);
}

int sbom_files_hash(const char *stage, struct sbom_files *f, const atomic_bool *stop, char *why,
                    size_t why_size)
{
	struct walk_list walk = {f, strlen(stage)};
	char host[PATH_MAX + 256];
	int r;

	memset(f, 0, sizeof(*f));
	if ((r = tree_walk(stage, 0, walk_entry, &walk)) < 0) {
		snprintf(why, why_size, "listing %s: %s", stage, strerror(-r));
		return r;
	}
	if (f->n)
		qsort(f->v, f->n, sizeof(*f->v), cmp_file);
	for (size_t i = 0; i < f->n; i++) {
		if (stop && atomic_load(stop))
			return -ECANCELED;
		snprintf(host, sizeof(host), "%s%s", stage, f->v[i].path);
		if ((r = hash_file(host, f->v[i].sha1, f->v[i].sha256)) < 0) {
			snprintf(why, why_size, "hashing %s: %s", f->v[i].path, strerror(-r));
			return r;
		}
	}
	return 0;
}

void sbom_files_free(struct sbom_files *f)
{
	for (size_t i = 0; i < f->n; i++)
		free(f->v[i].path);
	free(f->v);
	memset(f, 0, sizeof(*f));
}

/* One file of the image; og (may be NULL) says where it came from. */
static json_object *file_obj(const struct sbom_file *sf, size_t index, const struct origin *og,
                             char *fid, size_t fid_size)
{
	char name[PATH_MAX + 2];
	json_object *f = json_object_new_object(), *sums = json_object_new_array();

	snprintf(fid, fid_size, "SPDXRef-File-%zu", index + 1);
	snprintf(name, sizeof(name), ".%s", sf->path);
	json_object_object_add(f, "SPDXID", json_object_new_string(fid));
	json_object_object_add(f, "fileName", json_object_new_string(name));
	json_object_array_add(sums, checksum("SHA1", sf->sha1));
	json_object_array_add(sums, checksum("SHA256", sf->sha256));
	json_object_object_add(f, "checksums", sums);
	json_object_object_add(f, "licenseConcluded", json_object_new_string("NOASSERTION"));
	json_object_object_add(f, "copyrightText", json_object_new_string("NOASSERTION"));
	if (og)
		json_object_object_add(f, "comment", json_object_new_string(og->reason));
	return f;
}

static int write_doc(json_object *doc, const char *path, char *why, size_t why_size)
{
	const char *text = json_object_to_json_string_ext(
	        doc,
	        JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE);
	int rc = write_string_file(path, text, WRITE_NEWLINE);

	if (rc < 0)
		snprintf(why, why_size, "writing %s: %s", path, strerror(-rc));
	return rc;
}

int sbom_write(const char *path, const struct recipe *r, const struct sbom_files *sf,
               const struct sbom_pkg *pkgs, size_t n, struct origins *o, uint64_t epoch,
               const char *namespace_id, char *why, size_t why_size)
{
	json_object *doc = json_object_new_object(), *packages = json_object_new_array();
	json_object *files = json_object_new_array(), *rels = json_object_new_array();
	json_object *refs = json_object_new_array(), *seen = json_object_new_object();
	char image_id[300];
	int rc;

	add_header(doc, r, epoch, namespace_id);
	spdx_id(image_id, sizeof(image_id), "SPDXRef-Image-", r->name);
	json_object_array_add(packages, image_obj(image_id, r->name));
	json_object_array_add(rels, relationship("SPDXRef-DOCUMENT", "DESCRIBES", image_id));
	for (size_t i = 0; i < n; i++) {
		char id[300];
		json_object_array_add(packages, package_obj(&pkgs[i], refs, seen));
		spdx_id(id, sizeof(id), "SPDXRef-Package-", pkgs[i].name);
		json_object_array_add(rels, relationship(image_id, "CONTAINS", id));
	}
	for (size_t i = 0; i < sf->n; i++) {
		char fid[48], pid[300];
		const struct origin *og = origins_find(o, sf->v[i].path);
		json_object_array_add(files, file_obj(&sf->v[i], i, og, fid, sizeof(fid)));
		if (og && og->package)
			spdx_id(pid, sizeof(pid), "SPDXRef-Package-", og->package);
		else
			snprintf(pid, sizeof(pid), "%s", image_id);
		json_object_array_add(rels, relationship(pid, "CONTAINS", fid));
	}
	json_object_object_add(doc, "packages", packages);
	json_object_object_add(doc, "files", files);
	json_object_object_add(doc, "relationships", rels);
	if (json_object_array_length(refs))
		json_object_object_add(doc, "hasExtractedLicensingInfos", refs);
	else
		json_object_put(refs);
	json_object_put(seen);
	rc = write_doc(doc, path, why, why_size);
	json_object_put(doc);
	return rc;
}
