/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What is inside an image, for people and scanners: an SPDX 2.3 JSON
 * document (every package with its version, .deb sha256 and the licences its
 * copyright file declares; every file with its sha1 and sha256) and a dpkg
 * status stub in the image itself, so scanners that read
 * /var/lib/dpkg/status see the packages a chiselled image holds.
 */
#pragma once

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rootfs/deb/extract.h"
#include "rootfs/recipe/origin.h"
#include "rootfs/recipe/recipe.h"

struct sbom_pkg {
	const char *name, *version, *arch, *sha256, *url;
	const struct deb_index *idx;
};

/*
 * Writes var/lib/dpkg/status and var/lib/dpkg/info/PKG.list into the stage
 * for every package that has a file in it (origins), and records them.
 */
int sbom_dpkg_status(const char *stage, const struct sbom_pkg *pkgs, size_t n, struct origins *o,
                     char *why, size_t why_size);

/* A staged root's regular files with their digests, sorted by image path. */
struct sbom_file {
	char *path; /* in the image: "/usr/bin/x" */
	char sha1[41], sha256[65];
};
struct sbom_files {
	struct sbom_file *v;
	size_t n;
};

/*
 * Lists and hashes every regular file of the stage: the long part of an SBOM
 * (every byte of the root, twice), so `ccimage build` runs it on a thread
 * beside mkfs.erofs. stop (may be NULL) set ends it early with -ECANCELED.
 * Returns 0 or a negative errno with why naming the file.
 */
int sbom_files_hash(const char *stage, struct sbom_files *f, const atomic_bool *stop, char *why,
                    size_t why_size);
void sbom_files_free(struct sbom_files *f);

/*
 * The SPDX document for the staged root whose files are files.
 * namespace_id makes the document namespace unique per image (the verity
 * root hash).
 */
int sbom_write(const char *path, const struct recipe *r, const struct sbom_files *files,
               const struct sbom_pkg *pkgs, size_t n, struct origins *o, uint64_t epoch,
               const char *namespace_id, char *why, size_t why_size);

/*
 * The SPDX licence expression a Debian copyright file (DEP-5) declares, or
 * "NOASSERTION". Writes into buf.
 */
void sbom_licence(const char *copyright, char *buf, size_t size);
