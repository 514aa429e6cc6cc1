/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Loading, in ccinit only: libkmod walks the dependencies (modules/kmod.c), the
 * kernel inserts. Each file goes to finit_module through the seam
 * (init/core/sys.h); a compressed one (Debian 13 ships .ko.xz) with
 * MODULE_INIT_COMPRESSED_FILE, so the kernel decompresses it itself and
 * ccinit links no decompressor (modules/README.md, 4).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <linux/module.h> /* MODULE_INIT_COMPRESSED_FILE */

#include "init/base/log.h"
#include "init/base/why.h"
#include "init/core/sys.h"
#include "init/core/modules_load.h"
#include "modules/kmod_walk.h"

/* The compression a module file starts with, by its magic; NULL: a plain ELF (or unknown). */
static const char *compression_of(int fd)
{
	static const struct {
		const char *name; /* as the kernel writes /sys/module/compression */
		unsigned char magic[6];
		size_t len;
	} kinds[] = {
	        {"xz", {0xfd, '7', 'z', 'X', 'Z', 0x00}, 6},
	        {"zstd", {0x28, 0xb5, 0x2f, 0xfd}, 4},
	        {"gzip", {0x1f, 0x8b}, 2},
	};
	unsigned char head[6] = {0};
	ssize_t n = pread(fd, head, sizeof(head), 0);

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (n >= (ssize_t)kinds[i].len && memcmp(head, kinds[i].magic, kinds[i].len) == 0)
			return kinds[i].name;
	return NULL;
}

/*
 * A kernel with CONFIG_MODULE_DECOMPRESS names the one compression it
 * unpacks in /sys/module/compression; without it finit_module would only
 * say -EINVAL or -ENOEXEC, so say here what is missing.
 */
static int kernel_unpacks(const char *kind, const char *path, char *why, size_t why_size)
{
	char have[16];
	int r = sys_read_file("/sys/module/compression", have, sizeof(have));

	if (r == -ENOENT)
		return why_set(why, why_size, -ENOEXEC,
		               "%s is %s-compressed and this kernel cannot decompress modules (no "
		               "/sys/module/compression: it needs CONFIG_MODULE_DECOMPRESS)",
		               path, kind);
	if (r < 0)
		return why_set(why, why_size, r, "reading /sys/module/compression");
	if (strcmp(have, kind) != 0)
		return why_set(why, why_size, -ENOEXEC,
		               "%s is %s-compressed and this kernel decompresses %s only", path,
		               kind, have);
	return 0;
}

static int insert(const char *path, const char *options, char *why, size_t why_size)
{
	int fd = sys->open(path, O_RDONLY | O_CLOEXEC, 0);
	if (fd < 0)
		return why_set(why, why_size, fd, "opening %s", path);
	const char *kind = compression_of(fd);
	int r = kind ? kernel_unpacks(kind, path, why, why_size) : 0;
	if (r == 0) {
		r = sys->finit_module(fd, options, kind ? MODULE_INIT_COMPRESSED_FILE : 0);
		if (r < 0 && r != -EEXIST) /* -EEXIST: loaded meanwhile, which is what we want */
			why_set(why, why_size, r, "finit_module %s", path);
	}
	close(fd);
	return r == -EEXIST ? 0 : r;
}

/* Live or on its way, or built in: nothing to load. */
static bool in_kernel(struct kmod_module *mod)
{
	char path[128], state[16];

	if (!kmod_module_get_path(mod))
		return true;
	snprintf(path, sizeof(path), "/sys/module/%s/initstate", kmod_module_get_name(mod));
	return sys_read_file(path, state, sizeof(state)) >= 0 &&
	       (strcmp(state, "live") == 0 || strcmp(state, "coming") == 0);
}

struct load {
	const char *name;    /* as the caller asked */
	const char *options; /* the caller's, for the named module only */
	char *why;
	size_t why_size;
};

static int load_visit(struct kmod_module *mod, unsigned roles, void *userdata)
{
	const struct load *l = userdata;
	const char *modname = kmod_module_get_name(mod), *cmdline = kmod_module_get_options(mod);
	const char *extra = roles & WALK_NAMED ? l->options : NULL;
	char options[1024], w[512] = "";

	if (in_kernel(mod))
		return 0;
	/* The command line's <module>.<param>= first, as modprobe does; ours after them. */
	if (snprintf(options, sizeof(options), "%s%s%s", cmdline ? cmdline : "",
	             cmdline && extra ? " " : "", extra ? extra : "") >= (int)sizeof(options))
		return why_set(l->why, l->why_size, -E2BIG, "module %s: options too long", modname);
	int r = insert(kmod_module_get_path(mod), options, w, sizeof(w));
	if (r < 0 && roles & WALK_SOFT) {
		log_info("module %s: softdep of %s not loaded: %s", modname, l->name, w);
		return 0;
	}
	if (r < 0)
		return why_set(l->why, l->why_size, r, "module %s (%s): %s", l->name, modname, w);
	log_debug("module %s loaded", modname);
	return 0;
}

int modules_load(struct modules_ctx *m, const char *name, const char *options, char *why,
                 size_t why_size)
{
	struct load l = {.name = name, .options = options, .why = why, .why_size = why_size};
	char label[48];
	snprintf(label, sizeof(label), "module %s", name);
	int t = m->hook.begin ? m->hook.begin(label, m->hook.userdata) : -1;
	int r = modules_walk(m, name, load_visit, &l, why, why_size);
	if (m->hook.end)
		m->hook.end(t, m->hook.userdata);
	return r;
}

int modules_load_profile(struct modules_ctx *m, const struct module_profile *p, unsigned needs,
                         char *why, size_t why_size)
{
	for (size_t i = 0; i < p->count; i++) {
		const struct module_spec *s = &p->modules[i];
		if (s->need != NEED_ALWAYS && !(s->need & needs))
			continue;
		int r = modules_load(m, s->name, s->options, why, why_size);
		if (r == -ENOENT && s->optional) {
			log_info("module %s: not in the tree, optional", s->name);
			continue;
		}
		if (r < 0)
			return r;
	}
	return 0;
}
