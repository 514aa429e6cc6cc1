/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The ELF closure: every ELF file in the staged root is followed through its
 * interpreter (PT_INTERP) and DT_NEEDED entries, resolved as the image's own
 * loader would (DT_RPATH when there is no DT_RUNPATH, DT_RUNPATH, the image's
 * /etc/ld.so.conf with its includes, then the default directories), and what
 * is missing is taken from the recipe's packages (symlink chains included),
 * each addition recorded with the binary that needed it. A library no
 * package provides is an error naming the binary.
 */
#pragma once

#include <stddef.h>

#include "rootfs/deb/extract.h"
#include "rootfs/recipe/origin.h"

struct closure_pkg {
	const char *name;
	const char *deb;
	const struct deb_index *idx;
};

/* The directories searched after RUNPATH and ld.so.conf, in the loader's order. */
extern const char *const elfclosure_default_dirs[];

/*
 * Completes stage_dir. origins gets every path added ("needed by ...").
 * added (may be NULL) counts the files added. Returns 0, -ENOENT when a
 * library cannot be found (why names it and the binary), or another errno.
 */
int elf_closure(const char *stage_dir, const struct closure_pkg *pkgs, size_t npkgs,
                struct origins *origins, unsigned *added, char *why, size_t why_size);

/* What one ELF file asks for. Strings are owned by the struct. */
struct elf_deps {
	char *interp;
	char **needed;
	size_t nneeded;
	char *rpath, *runpath;
	int is_elf; /* 0: not an ELF file, or not one we follow (wrong class/machine) */
};

/* Reads a file's dynamic dependencies with libelf (bounds-checked). */
int elf_deps_read(const char *path, struct elf_deps *d);
void elf_deps_free(struct elf_deps *d);
