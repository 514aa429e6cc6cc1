/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Getting the pinned .debs: from ${CCINIT_CACHE}/debs when a copy with the
 * lock's sha256 is there, else with `apt-get download NAME=VERSION` through
 * the recipe's private apt. A pinned version the archive no longer has, or a
 * .deb whose sha256 differs from the lock's, stops the build naming it.
 */
#pragma once

#include <stdbool.h>
#include <limits.h>
#include <stddef.h>

#include "rootfs/deb/apt.h"
#include "rootfs/recipe/lock.h"
#include "rootfs/recipe/recipe.h"

struct fetcher {
	const struct recipe *recipe;
	struct apt *apt; /* opened on the first download */
	bool quiet, updated;
	unsigned downloaded, cached;
};

/*
 * Makes every pinned .deb available in the cache, downloading the missing
 * ones in one apt run; paths[i] gets pins[i]'s file. -EBADMSG: a sha256
 * differs from the lock's; -ESTALE: a pinned version is gone (why names it).
 */
int fetch_debs(struct fetcher *f, const struct lock_entry *const *pins, size_t n,
               char (*paths)[PATH_MAX], char *why, size_t why_size);
void fetch_done(struct fetcher *f);
