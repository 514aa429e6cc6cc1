/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The kernel's configuration: every fragment in kernel-configs/ goes to the
 * kernel's own merge_config.sh over allnoconfig (build.c runs it), so the
 * guest gets what the fragments name and the dependencies Kconfig adds, and
 * nothing a distribution config would carry besides. Kconfig drops an option
 * whose dependencies are unmet with no more than a warning, so the result is
 * then held against the same fragments as `ccimage kconfig check --strict`
 * would: every option, warnings included, or the build stops naming them.
 */
#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "init/base/cmdfiles.h"
#include "init/base/hex.h"
#include "init/base/sha256.h"
#include "init/base/why.h"
#include "kernel-configs/kernel-build/kbuild.h"
#include "kernel-configs/kconfig.h"

/*
 * What the build wants that is not a property of the guest the fragments
 * describe, so no fragment names it: merge_config.sh takes it last.
 */
const char kbuild_build_fragment[] =
        /* uname -r says this is our kernel, not Debian's of the same version */
        "CONFIG_LOCALVERSION=\"" KBUILD_LOCALVER "\"\n"
        "# CONFIG_LOCALVERSION_AUTO is not set\n"
        /*
         * modules_install signs every module with the build's key
         * (CONFIG_MODULE_SIG_KEY, which build.c adds: kbuild's own new key, or
         * the one given)
         */
        "CONFIG_MODULE_SIG_ALL=y\n"
        "CONFIG_MODULE_SIG_SHA512=y\n"
        /*
         * Lockdown's forced mode is a choice: hardening.conf can only say
         * "not none". Integrity (no unsigned modules, /dev/mem, kexec or
         * hibernation) rather than confidentiality, which also stops root
         * from reading kernel memory through tracing: the GPU tools need that.
         */
        "CONFIG_LOCK_DOWN_KERNEL_FORCE_INTEGRITY=y\n";

int kbuild_fragments_find(struct kbuild_fragments *f, const char *opt_dir, char *why,
                          size_t why_size)
{
	char pattern[PATH_MAX + 8];
	glob_t g = {0};
	int r = 0;

	memset(f, 0, sizeof(*f));
	if (kconfig_fragment_dir(opt_dir, f->dir, sizeof(f->dir)) < 0) {
		snprintf(why, why_size, "no kernel-configs directory (%s)", f->dir);
		return -ENOENT;
	}
	/* merge_config.sh runs in the kernel tree: a relative directory would not resolve there. */
	char *abs = realpath(f->dir, NULL);
	if (!abs || strlen(abs) >= sizeof(f->dir)) {
		r = abs ? -ENAMETOOLONG : -errno;
		snprintf(why, why_size, "%s: %s", f->dir, strerror(-r));
		free(abs);
		return r;
	}
	strcpy(f->dir, abs);
	free(abs);
	snprintf(pattern, sizeof(pattern), "%s/*.conf", f->dir);
	/* glob() sorts, so the merge order, and with it the key, does not depend on readdir. */
	if (glob(pattern, 0, NULL, &g) != 0 || g.gl_pathc == 0) {
		snprintf(why, why_size, "no *.conf fragment in %s", f->dir);
		r = -ENOENT;
	} else if (g.gl_pathc > KBUILD_MAX_FRAGS) {
		snprintf(why, why_size, "%s: more than %d fragments", f->dir, KBUILD_MAX_FRAGS);
		r = -E2BIG;
	}
	for (size_t i = 0; r == 0 && i < g.gl_pathc; i++)
		if (snprintf(f->paths[i], sizeof(f->paths[i]), "%s", g.gl_pathv[i]) >=
		    (int)sizeof(f->paths[i]))
			r = -ENAMETOOLONG;
	if (r == 0)
		f->n = g.gl_pathc;
	globfree(&g);
	return r;
}

/*
 * A fragment's sha256, read under the input rule: a FIFO or a device named
 * *.conf in the directory is refused, never waited on or read without end.
 */
static int fragment_hex(const char *path, char hex[65], char *why, size_t why_size)
{
	char *data = NULL, what[256] = "";
	size_t len = 0;
	uint8_t md[32];
	struct sha256 s;
	int r = read_input_file(path, KCONFIG_MAX_FILE, &data, &len, what, sizeof(what));

	if (r < 0)
		return why_set(why, why_size, r, "fragment %s: %s", path, why_or_errno(what, r));
	sha256_init(&s);
	sha256_update(&s, data, len);
	sha256_final(&s, md);
	hex_encode(md, sizeof(md), hex);
	free(data);
	return 0;
}

int kbuild_fragments_key(const struct kbuild_fragments *f, char *out, size_t size, char *why,
                         size_t why_size)
{
	size_t used = 0;
	char hex[65];
	int r;

	out[0] = '\0';
	for (size_t i = 0; i < f->n; i++) {
		const char *name = strrchr(f->paths[i], '/');
		if ((r = fragment_hex(f->paths[i], hex, why, why_size)) < 0)
			return r;
		used += (size_t)snprintf(out + used, size - used, "fragment %s sha256:%s\n",
		                         name ? name + 1 : f->paths[i], hex);
		if (used >= size)
			return -ENAMETOOLONG;
	}
	return 0;
}

static int load(const char *path, bool fragment, struct kconfig *cfg, struct kconfig_fragment *frag,
                char *why, size_t why_size)
{
	struct kconfig_diag diag = {0};
	size_t len = 0;
	char *data = NULL;
	char what[256] = "";
	int r = read_input_file(path, KCONFIG_MAX_FILE, &data, &len, what, sizeof(what));

	if (r < 0)
		return why_set(why, why_size, r, "reading %s: %s", path, why_or_errno(what, r));
	r = fragment ? kconfig_fragment_parse(data, len, frag, &diag)
	             : kconfig_parse(data, len, cfg, &diag);
	free(data);
	if (r < 0)
		snprintf(why, why_size, "%s:%u: %s", path, diag.line, diag.msg);
	return r;
}

/* Appends "FILE:LINE CONFIG_X wants W, has A" for an unmet want; the first few only. */
static void note_unmet(char *why, size_t why_size, size_t *used, unsigned unmet, const char *path,
                       const struct kconfig_want *w, const struct kconfig_option *actual)
{
	char want[64];
	const char *name = strrchr(path, '/');

	if (unmet > 4 || *used >= why_size)
		return;
	*used += (size_t)snprintf(why + *used, why_size - *used,
	                          "%s%s:%u CONFIG_%s wants %s, has %s", unmet > 1 ? "; " : "",
	                          name ? name + 1 : path, w->line, w->name,
	                          kconfig_want_text(w, want, sizeof(want)),
	                          actual ? kconfig_actual_text(actual) : "absent");
}

int kbuild_config_check(const struct kbuild_fragments *f, const char *config, char *why,
                        size_t why_size)
{
	struct kconfig cfg = {0};
	unsigned unmet = 0, total = 0;
	char list[1024] = "";
	size_t used = 0;
	int r = load(config, false, &cfg, NULL, why, why_size);

	for (size_t i = 0; r == 0 && i < f->n; i++) {
		struct kconfig_fragment frag = {0};
		if ((r = load(f->paths[i], true, NULL, &frag, why, why_size)) < 0)
			break;
		for (size_t j = 0; j < frag.n; j++) {
			const struct kconfig_option *actual = NULL;
			total++;
			if (!kconfig_satisfied(kconfig_match(&cfg, &frag.wants[j], &actual)))
				note_unmet(list, sizeof(list), &used, ++unmet, f->paths[i],
				           &frag.wants[j], actual);
		}
		kconfig_fragment_done(&frag);
	}
	kconfig_done(&cfg);
	if (r == 0 && unmet) {
		snprintf(why, why_size, "%s: %u of the fragments' %u options unmet: %s%s", config,
		         unmet, total, list, unmet > 4 ? "; ..." : "");
		r = -EPROTO;
	}
	return r;
}
