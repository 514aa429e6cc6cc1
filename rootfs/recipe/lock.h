/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Lock files (rootfs/RECIPES.md "The lock file"): every package a recipe
 * takes, pinned by name, version, architecture and the .deb's sha256. Written
 * sorted with fixed spacing, so the same archive state gives the same bytes.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "rootfs/recipe/recipe.h"

struct lock_entry {
	char name[128], version[128], arch[32], sha256[65], filename[512];
	uint64_t size;
};

/* A local input pinned by its file name and sha256: the recipe's gpu.rims. */
struct lock_rim {
	char name[256], sha256[65];
};

struct lock {
	char recipe[128];
	struct lock_entry *pkgs; /* sorted by name */
	size_t n;
	char kernel_spec[128]; /* what the recipe names (maybe a metapackage) */
	char kernel_pkg[128];  /* the linux-image-<version> package it resolved to */
	/* kernel.build: which pins are its sources ("" when not a built kernel, or no NVIDIA) */
	char build_source[128]; /* linux-source-X.Y */
	char build_nvidia[128]; /* nvidia-open-kernel-source */
	struct lock_rim *rims;  /* "rim NAME SHA256" lines, sorted by name */
	size_t nrims;
};

/* "RECIPE.lock" for a recipe path. */
int lock_default_path(const char *recipe_path, char *buf, size_t size);

int lock_read(const char *path, struct lock **ret, char *why, size_t why_size);
/* The same from an open stream; path names it in errors. */
int lock_parse(FILE *f, const char *path, struct lock **ret, char *why, size_t why_size);
int lock_write(const struct lock *l, const char *path, const char *recipe_name);
struct lock *lock_free(struct lock *l);

/*
 * Building a lock (rootfs/pipeline/lock_resolve.c): lock_append adds a pin
 * (NULL when out of memory), lock_sort orders the pins by name as the file
 * keeps them, lock_put is the bounded copy every field takes.
 */
struct lock_entry *lock_append(struct lock *l, const char *name, const char *version,
                               const char *arch, const char *sha256, uint64_t size,
                               const char *filename);
void lock_sort(struct lock *l);
/* Adds a RIM pin (name: a file name, no '/'); -EEXIST when one of that name is pinned, -EINVAL
 * for a name or sha256 the lock cannot hold. lock_find_rim: the pin of that name, or NULL. */
int lock_add_rim(struct lock *l, const char *name, const char *sha256);
const struct lock_rim *lock_find_rim(const struct lock *l, const char *name);
void lock_put(char *dst, size_t size, const char *src);

/*
 * The lock names exactly the recipe's packages (and its kernel, or the
 * sources of a built kernel). -ESTALE
 * with why naming the package when not.
 */
int lock_check(const struct recipe *r, const struct lock *l, char *why, size_t why_size);

const struct lock_entry *lock_find(const struct lock *l, const char *name);

/*
 * How many of the pins in `pinned` differ from `now` (today's resolution of
 * the same recipe): a package whose version or .deb changed, one that only
 * one side has, the kernel the metapackage leads to. `what` gets the first
 * few as "name old -> new", comma-separated (truncated, never unterminated).
 */
size_t lock_compare(const struct lock *pinned, const struct lock *now, char *what,
                    size_t what_size);
