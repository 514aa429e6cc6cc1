/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A Kata configuration TOML and an initdata document are outside input:
 * toml++ through our C interface (the parser is compiled in and
 * instrumented), the command-line derivation for both runtimes on whatever
 * parsed, and the initdata digest. Seeds: Kata's own files
 * (tests/fixtures/kata/) and tests/fuzz/corpus/fuzz_kata_toml/.
 *
 * The commands accept documents up to KATA_TOML_MAX, and what breaks a
 * parser at that size (a key of 150000 dotted parts overflowed the stack)
 * is out of reach of mutations that grow an input a few bytes at a time.
 * So an input "#amplify\nHEAD\nBODY\nTAIL" stands for HEAD, then BODY
 * repeated until the document is KATA_TOML_MAX bytes, then TAIL; run.sh also
 * lets inputs themselves grow to KATA_TOML_MAX.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "measurement/kata/cmdline.h"
#include "measurement/kata/initdata.h"

static const char amplify[] = "#amplify\n";

/* The document an "#amplify" input stands for, or NULL (the input is the document). */
static char *amplified(const uint8_t *data, size_t size, size_t *len)
{
	const char *head = (const char *)data + strlen(amplify), *end = (const char *)data + size;
	const char *body, *tail;
	size_t hlen, blen, tlen;
	char *doc, *p;

	if (size < strlen(amplify) || memcmp(data, amplify, strlen(amplify)) != 0 ||
	    !(body = memchr(head, '\n', (size_t)(end - head))) ||
	    !(tail = memchr(body + 1, '\n', (size_t)(end - body - 1))))
		return NULL;
	hlen = (size_t)(body++ - head);
	blen = (size_t)(tail++ - body);
	tlen = (size_t)(end - tail);
	if (!blen)
		return NULL;
	if (!(p = doc = malloc(KATA_TOML_MAX)))
		abort();
	memcpy(p, head, hlen);
	for (p += hlen; (size_t)(p - doc) + blen + tlen <= KATA_TOML_MAX; p += blen)
		memcpy(p, body, blen);
	memcpy(p, tail, tlen);
	*len = (size_t)(p - doc) + tlen;
	return doc;
}

static void one(const char *text, size_t size)
{
	struct kata_toml *t = NULL;
	struct initdata_digest d;
	char why[512] = "";
	if (initdata_digest("fuzz.toml", text, size, &d, why, sizeof(why)) < 0 && !why[0])
		abort();
	why[0] = 0;
	if (kata_toml_parse(&t, "fuzz.toml", text, size, why, sizeof(why)) < 0) {
		/* A refusal must say why. */
		if (!why[0])
			abort();
		return;
	}
	for (int rt = KATA_RUNTIME_GO; rt <= KATA_RUNTIME_RS; rt++) {
		struct kata_cmdline_opts o = {.runtime = rt, .max_vcpus = rt == KATA_RUNTIME_GO};
		char *line = NULL;
		why[0] = 0;
		int r = kata_cmdline(t, &o, &line, why, sizeof(why));
		if ((r == 0) != (line != NULL) || (r < 0 && !why[0]) ||
		    (line && strchr(line, '\n')))
			abort();
		free(line);
	}
	kata_toml_free(t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t len = 0;
	char *doc;

	/* Larger than any command reads: never a document (run.sh's -max_len). */
	if (size > KATA_TOML_MAX)
		return 0;
	doc = amplified(data, size, &len);
	one(doc ? doc : (const char *)data, doc ? len : size);
	free(doc);
	return 0;
}
