// SPDX-License-Identifier: Apache-2.0
/*
 * NVIDIA's RIMs into golden table entries (measurement/gpu_rim.h): the file
 * name, the Meta and the active Measurement resources. The signature is
 * measurement/gpu_rim_dsig.c's; nothing here is trusted before it passed.
 */
#include "measurement/gpu_rim.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/parser.h>
#include <libxml/xmlerror.h>
#include <openssl/sha.h>

#include "init/base/cmdfiles.h"
#include "init/base/why.h"
#include "measurement/gpu_rim_dsig.h"

#define SWID_NS   "http://standards.iso.org/iso/19770/-2/2015/schema.xsd"
#define SHA384_NS "http://www.w3.org/2001/04/xmlenc#sha384"

/* What the file name says: NVIDIA's RIM id, the only place a driver RIM differs from a VBIOS one.
 */
struct rim_name {
	enum gpu_golden_kind kind;
	char model[32], version[32];
};

/* The next '_'-separated word of *s into out (nonempty, alphanumeric or '.'), or false. */
static bool name_word(const char **s, char *out, size_t out_size, bool dots)
{
	size_t n = 0;

	while ((*s)[n] && (*s)[n] != '_') {
		if (!isalnum((unsigned char)(*s)[n]) && !(dots && (*s)[n] == '.'))
			return false;
		n++;
	}
	if (!n || n >= out_size)
		return false;
	memcpy(out, *s, n);
	out[n] = '\0';
	*s += n + ((*s)[n] == '_');
	return true;
}

static int parse_name(const char *name, struct rim_name *rn, char *why, size_t why_size)
{
	const char *base = strrchr(name, '/') ? strrchr(name, '/') + 1 : name;
	const char *dot = strrchr(base, '.');
	char stem[256], project[10], psku[10], csku[10];
	const char *s = stem;
	size_t n;

	if (!dot || (strcasecmp(dot, ".xml") && strcasecmp(dot, ".swidtag")))
		goto bad;
	n = (size_t)(dot - base);
	/* NVIDIA's driver versions have dots: the extension is the last one only when it is known.
	 */
	if (n >= sizeof(stem))
		goto bad;
	memcpy(stem, base, n);
	stem[n] = '\0';
	memset(rn, 0, sizeof(*rn));
	if (!strncmp(s, "NV_GPU_DRIVER_", 14) || !strncmp(s, "NV_GPU_CC_DRIVER_", 17)) {
		s += s[7] == 'C' ? 17 : 14;
		rn->kind = GPU_GOLDEN_DRIVER;
		if (!name_word(&s, rn->model, sizeof(rn->model), false) ||
		    !name_word(&s, rn->version, sizeof(rn->version), true))
			goto bad;
		return 0;
	}
	if (!strncmp(s, "NV_GPU_VBIOS_", 13))
		s += 13;
	rn->kind = GPU_GOLDEN_VBIOS;
	if (!name_word(&s, project, sizeof(project), false) ||
	    !name_word(&s, psku, sizeof(psku), false) ||
	    !name_word(&s, csku, sizeof(csku), false) ||
	    !name_word(&s, rn->version, sizeof(rn->version), false))
		goto bad;
	snprintf(rn->model, sizeof(rn->model), "%s_%s_%s", project, psku, csku);
	for (char *p = rn->model; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return 0;
bad:
	return why_set(why, why_size, -EINVAL,
	               "%s: file name is not one of NVIDIA's RIM names "
	               "(NV_GPU_DRIVER_<chip>_<version>, NV_GPU_CC_DRIVER_<chip>_<version>, "
	               "[NV_GPU_VBIOS_]<project>_<project sku>_<chip sku>_<version>, then "
	               "optionally _<anything>, .xml or .swidtag)",
	               name);
}

/* A decimal attribute in lo..hi. */
static int attr_number(const char *name, unsigned index, xmlNode *node, const char *attr,
                       unsigned lo, unsigned hi, unsigned *out, char *why, size_t why_size)
{
	xmlChar *v = xmlGetNoNsProp(node, (const xmlChar *)attr);
	const char *s = (const char *)v;
	unsigned long n = 0;
	size_t i;

	for (i = 0; s && isdigit((unsigned char)s[i]) && i < 4; i++)
		n = n * 10 + (unsigned long)(s[i] - '0');
	bool ok = s && i > 0 && !s[i] && n >= lo && n <= hi;
	xmlFree(v);
	if (!ok && index == ~0u)
		return why_set(why, why_size, -EINVAL, "%s: Resource: %s %s (want %u..%u)", name,
		               attr, s ? "not a number in range" : "missing", lo, hi);
	if (!ok)
		return why_set(why, why_size, -EINVAL, "%s: Resource index %u: %s %s (want %u..%u)",
		               name, index, attr, s ? "not a number in range" : "missing", lo, hi);
	*out = (unsigned)n;
	return 0;
}

static int unhex(const char *s, uint8_t *out, size_t n)
{
	if (strlen(s) != 2 * n)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		char pair[3] = {s[2 * i], s[2 * i + 1], '\0'};
		if (!isxdigit((unsigned char)pair[0]) || !isxdigit((unsigned char)pair[1]))
			return -EINVAL;
		out[i] = (uint8_t)strtoul(pair, NULL, 16);
	}
	return 0;
}

static bool is_swid(const xmlNode *node, const char *name)
{
	return node->type == XML_ELEMENT_NODE && node->ns &&
	       !strcmp((const char *)node->ns->href, SWID_NS) &&
	       !strcmp((const char *)node->name, name);
}

/* An active Measurement resource into m. */
static int measurement(const char *name, xmlNode *node, struct gpu_golden_measurement *m, char *why,
                       size_t why_size)
{
	int r = attr_number(name, ~0u, node, "index", 0, GPU_GOLDEN_MAX_INDEX, &m->index, why,
	                    why_size);

	if (r == 0)
		r = attr_number(name, m->index, node, "size", 1, GPU_GOLDEN_MAX_VALUE, &m->size,
		                why, why_size);
	if (r == 0)
		r = attr_number(name, m->index, node, "alternatives", 1,
		                GPU_GOLDEN_MAX_ALTERNATIVES, &m->alternatives, why, why_size);
	for (unsigned a = 0; r == 0 && a < m->alternatives; a++) {
		char attr[16];
		snprintf(attr, sizeof(attr), "Hash%u", a);
		xmlChar *v = xmlGetNsProp(node, (const xmlChar *)attr, (const xmlChar *)SHA384_NS);
		if (!v || unhex((const char *)v, m->values[a], m->size) < 0)
			r = why_set(why, why_size, -EINVAL, "%s: Resource index %u: %s %s", name,
			            m->index, attr,
			            v ? "is not 2*size hex digits"
			              : "missing (in the sha384 namespace)");
		xmlFree(v);
	}
	return r;
}

static bool active(xmlNode *node)
{
	xmlChar *v = xmlGetNoNsProp(node, (const xmlChar *)"active");
	bool yes = v && !strcasecmp((const char *)v, "true");

	xmlFree(v);
	return yes;
}

static int by_index(const void *a, const void *b)
{
	const struct gpu_golden_measurement *x = a, *y = b;
	return (x->index > y->index) - (x->index < y->index);
}

/* Every active Measurement under Payload, index ascending. */
static int measurements(const char *name, xmlNode *root, struct gpu_golden_rim *rim, char *why,
                        size_t why_size)
{
	for (xmlNode *p = root->children; p; p = p->next) {
		if (!is_swid(p, "Payload"))
			continue;
		for (xmlNode *n = p->children; n; n = n->next) {
			xmlChar *type = is_swid(n, "Resource")
			                        ? xmlGetNoNsProp(n, (const xmlChar *)"type")
			                        : NULL;
			bool want = type && !strcmp((const char *)type, "Measurement") && active(n);
			xmlFree(type);
			if (!want)
				continue;
			if (rim->count >= GPU_GOLDEN_MAX_INDEX + 1)
				return why_set(why, why_size, -EINVAL,
				               "%s: more than %u active measurements", name,
				               GPU_GOLDEN_MAX_INDEX + 1);
			int r = measurement(name, n, &rim->m[rim->count], why, why_size);
			if (r < 0)
				return r;
			rim->count++;
		}
	}
	qsort(rim->m, rim->count, sizeof(*rim->m), by_index);
	for (unsigned i = 1; i < rim->count; i++)
		if (rim->m[i].index == rim->m[i - 1].index)
			return why_set(why, why_size, -EINVAL,
			               "%s: Resource index %u: active twice", name,
			               rim->m[i].index);
	if (!rim->count)
		return why_set(why, why_size, -EINVAL, "%s: no active Measurement Resource", name);
	return 0;
}

/* The Meta's attribute into out. */
static int meta_attr(const char *name, xmlNode *meta, const char *attr, char *out, size_t out_size,
                     char *why, size_t why_size)
{
	xmlChar *v = xmlGetNoNsProp(meta, (const xmlChar *)attr);
	size_t n = v ? strlen((const char *)v) : 0;
	bool ok = n > 0 && n < out_size &&
	          strspn((const char *)v, "0123456789abcdefABCDEFGHIJKLMNOPQRSTUVWXYZ"
	                                  "ghijklmnopqrstuvwxyz._-") == n;

	if (ok)
		memcpy(out, v, n + 1);
	xmlFree(v);
	return ok ? 0
	          : why_set(why, why_size, -EINVAL, "%s: Meta %s %s", name, attr,
	                    n ? "is not a short word of letters, digits, '.', '_', '-'"
	                      : "missing");
}

/* The name's claims against the content: the version, and a driver's chip. */
static int cross_check(const char *name, const struct rim_name *rn, const char *product,
                       const struct gpu_golden_rim *rim, char *why, size_t why_size)
{
	char nodots[32];
	size_t n = 0;

	if (rn->kind == GPU_GOLDEN_DRIVER) {
		if (strcmp(rn->version, rim->version))
			return why_set(
			        why, why_size, -EINVAL,
			        "%s: the name's version %s is not the Meta colloquialVersion %s",
			        name, rn->version, rim->version);
		if (strcasecmp(rn->model, product))
			return why_set(why, why_size, -EINVAL,
			               "%s: the name's chip %s is not the Meta product %s", name,
			               rn->model, product);
		return 0;
	}
	for (const char *p = rim->version; *p && n < sizeof(nodots) - 1; p++)
		if (*p != '.')
			nodots[n++] = *p;
	nodots[n] = '\0';
	if (strcasecmp(rn->version, nodots))
		return why_set(why, why_size, -EINVAL,
		               "%s: the name's version %s is not the Meta colloquialVersion %s "
		               "without its dots",
		               name, rn->version, rim->version);
	return 0;
}

static int extract_doc(const char *name, xmlDoc *doc, struct gpu_golden_rim *rim, char *why,
                       size_t why_size)
{
	xmlNode *root = xmlDocGetRootElement(doc), *meta = NULL;
	struct rim_name rn;
	char product[32];
	int r = parse_name(name, &rn, why, why_size);

	memset(rim, 0, sizeof(*rim));
	if (r < 0)
		return r;
	if (!root || !is_swid(root, "SoftwareIdentity"))
		return why_set(why, why_size, -EINVAL,
		               "%s: the root is not a SWID SoftwareIdentity", name);
	for (xmlNode *n = root->children; n; n = n->next)
		if (is_swid(n, "Meta")) {
			if (meta)
				return why_set(why, why_size, -EINVAL, "%s: Meta given twice",
				               name);
			meta = n;
		}
	if (!meta)
		return why_set(why, why_size, -EINVAL, "%s: no Meta", name);
	r = meta_attr(name, meta, "colloquialVersion", rim->version, sizeof(rim->version), why,
	              why_size);
	if (r == 0)
		r = meta_attr(name, meta, "product", product, sizeof(product), why, why_size);
	if (r == 0)
		r = cross_check(name, &rn, product, rim, why, why_size);
	if (r < 0)
		return r;
	rim->kind = rn.kind;
	memcpy(rim->model, rn.kind == GPU_GOLDEN_DRIVER ? product : rn.model, sizeof(rim->model));
	rim->m = calloc(GPU_GOLDEN_MAX_INDEX + 1, sizeof(*rim->m));
	if (!rim->m)
		return why_set(why, why_size, -ENOMEM, "%s: out of memory", name);
	r = measurements(name, root, rim, why, why_size);
	if (r < 0)
		gpu_rim_free(rim);
	return r;
}

/* xml parsed without the network, entities or a DTD: a RIM needs none of them. */
static int parse(const char *name, const char *xml, size_t size, xmlDoc **doc, char *why,
                 size_t why_size)
{
	const xmlError *e;

	if (size > GPU_RIM_MAX_SIZE)
		return why_set(why, why_size, -EFBIG, "%s: over %u bytes", name, GPU_RIM_MAX_SIZE);
	xmlResetLastError();
	*doc = xmlReadMemory(xml, (int)size, NULL, NULL,
	                     XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (!*doc) {
		e = xmlGetLastError();
		return why_set(why, why_size, -EINVAL, "%s: not XML: line %d: %s", name,
		               e ? e->line : 0, e && e->message ? e->message : "parse error\n");
	}
	if ((*doc)->intSubset || (*doc)->extSubset) {
		xmlFreeDoc(*doc);
		*doc = NULL;
		return why_set(why, why_size, -EINVAL, "%s: has a DOCTYPE (a RIM has none)", name);
	}
	return 0;
}

int gpu_rim_extract(const char *name, const char *xml, size_t size, struct gpu_golden_rim *rim,
                    char *why, size_t why_size)
{
	xmlDoc *doc;
	int r = parse(name, xml, size, &doc, why, why_size);

	if (r < 0) {
		memset(rim, 0, sizeof(*rim));
		return r;
	}
	r = extract_doc(name, doc, rim, why, why_size);
	xmlFreeDoc(doc);
	return r;
}

int gpu_rim_read(const char *path, const struct gpu_rim_root *root, bool accept_expired,
                 struct gpu_golden_rim *rim, char *why, size_t why_size)
{
	unsigned char digest[SHA256_DIGEST_LENGTH];
	char *buf = NULL, inner[512] = "";
	xmlDoc *doc = NULL;
	bool expired = false;
	size_t len;
	int r = read_input_file(path, GPU_RIM_MAX_SIZE, &buf, &len, inner, sizeof(inner));

	memset(rim, 0, sizeof(*rim));
	if (r < 0)
		return why_set(why, why_size, r, "%s: %s", path, why_or_errno(inner, r));
	r = parse(path, buf, len, &doc, why, why_size);
	if (r == 0)
		r = gpu_rim_verify_doc(path, doc, root, accept_expired, &expired, why, why_size);
	if (r == 0)
		r = extract_doc(path, doc, rim, why, why_size);
	if (r == 0) {
		SHA256((const unsigned char *)buf, len, digest);
		for (size_t i = 0; i < sizeof(digest); i++)
			snprintf(rim->sha256 + 2 * i, 3, "%02x", digest[i]);
		rim->expired = expired;
	}
	xmlFreeDoc(doc);
	free(buf);
	return r;
}

void gpu_rim_free(struct gpu_golden_rim *rim)
{
	free(rim->m);
	rim->m = NULL;
	rim->count = 0;
}
