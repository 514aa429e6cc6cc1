/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The .config and fragment readers take files a user found anywhere
 * (`ccimage kconfig check`). The input is split at its first NUL byte: the
 * part before is read as a .config, the part after as a fragment (without a
 * NUL, the whole input is tried as both). Whatever both accept is matched and
 * printed, so the report code sees parsed hostile values too.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kernel-configs/kconfig.h"
#include "rootfs/lib/jsondoc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static FILE *sink(void)
{
	static FILE *f;

	if (!f)
		f = fopen("/dev/null", "we");
	if (!f)
		abort();
	return f;
}

/* s through the --json string path: any bytes must make a JSON string. */
static void json_to_sink(const char *s)
{
	if (jsondoc_print(sink(), jsondoc_text(s), JSONDOC_LINE) < 0)
		abort();
}

/* Both readers must accept only what the format allows; check a few invariants. */
static void check_config(const struct kconfig *c)
{
	for (size_t i = 0; i < c->n; i++) {
		const struct kconfig_option *o = &c->opts[i];

		if (kconfig_find(c, o->name) != o || !o->name[0])
			abort();
		if ((o->state == KCONFIG_VALUE) != (o->value != NULL))
			abort();
		json_to_sink(kconfig_actual_text(o));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, 0, size);
	size_t clen = nul ? (size_t)(nul - data) : size;
	const uint8_t *frag = nul ? nul + 1 : data;
	size_t flen = nul ? size - clen - 1 : size;
	/* Heap copies of exactly the right size, so ASan sees any overread. */
	char *cbuf = malloc(clen ? clen : 1), *fbuf = malloc(flen ? flen : 1);
	struct kconfig c;
	struct kconfig_fragment f;
	struct kconfig_diag d;
	bool have_c, have_f;

	if (!cbuf || !fbuf)
		abort();
	memcpy(cbuf, data, clen);
	memcpy(fbuf, frag, flen);
	have_c = kconfig_parse(cbuf, clen, &c, &d) == 0;
	have_f = kconfig_fragment_parse(fbuf, flen, &f, &d) == 0;
	if (have_c)
		check_config(&c);
	if (have_f) {
		for (size_t i = 0; i < f.n; i++) {
			const struct kconfig_want *w = &f.wants[i];
			const struct kconfig_option *o;
			char want[16];

			if ((w->accept == 0) != (w->value != NULL) || !w->why || !w->why[0])
				abort();
			json_to_sink(kconfig_want_text(w, want, sizeof(want)));
			json_to_sink(w->why);
			if (have_c) {
				enum kconfig_verdict v = kconfig_match(&c, w, &o);
				if ((v == KCONFIG_MISSING || v == KCONFIG_PREDATES ||
				     v == KCONFIG_GONE) &&
				    o)
					abort();
				fputs(kconfig_verdict_name(v), sink());
			}
		}
		kconfig_fragment_done(&f);
	}
	if (have_c)
		kconfig_done(&c);
	free(cbuf);
	free(fbuf);
	return 0;
}
