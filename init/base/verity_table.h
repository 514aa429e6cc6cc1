/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The kernel's dm-verity table line and dm-init's dm-mod.create= value
 * (init/README.md, 7): one grammar for the three places that meet it. ccimage
 * and the Kata model write dm-mod.create= with dm_create_format; ccinit reads
 * the measured value with dm_create_parse and the live table the kernel built
 * with verity_table_parse, and compares the two field by field.
 *
 * Strict where the kernel is lenient: numbers are plain decimal (the kernel's
 * sscanf would take "+8"), a device is one word, and dm-init's escapes and
 * more than one device or target are refused, since ccinit boots from exactly
 * one verity device and must not guess which of several the kernel used.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "init/base/verity_params.h"

#define VERITY_DEV_MAX  64  /* "/dev/vda1", "254:1", "PARTUUID=..." */
#define VERITY_ALG_MAX  64  /* a crypto API name: "sha256", "sha256-generic" */
#define VERITY_DESC_MAX 128 /* root_hash_sig_key_desc's keyring description */

/* What a corrupted block (on_corruption) or an I/O error (on_error) leads to. */
enum verity_mode {
	VERITY_MODE_EIO,     /* the default: the read fails */
	VERITY_MODE_LOGGING, /* ignore_corruption: logged, the data is returned anyway */
	VERITY_MODE_RESTART, /* restart_on_corruption, restart_on_error */
	VERITY_MODE_PANIC,   /* panic_on_corruption, panic_on_error */
};

struct verity_table {
	unsigned version; /* 0: Chrome OS's salt placement, 1: the current format */
	char data_dev[VERITY_DEV_MAX], hash_dev[VERITY_DEV_MAX];
	uint32_t data_block_size, hash_block_size;
	uint64_t data_blocks, hash_start;
	char algorithm[VERITY_ALG_MAX];
	uint8_t root_digest[VERITY_MAX_DIGEST];
	size_t root_digest_size;
	uint8_t salt[VERITY_MAX_SALT];
	size_t salt_size;

	/* The optional parameters, as the kernel keeps them (order does not matter). */
	enum verity_mode on_corruption, on_error;
	bool ignore_zero_blocks, check_at_most_once, try_verify_in_tasklet;
	char fec_dev[VERITY_DEV_MAX]; /* empty: no forward error correction */
	uint64_t fec_roots, fec_blocks, fec_start;
	char sig_key_desc[VERITY_DESC_MAX]; /* empty: no root hash signature */
};

/* One dm-init device with one verity target: "name,uuid,minor,flags,start len verity ...". */
struct dm_create {
	char name[128], uuid[130], minor[16], flags[8];
	uint64_t start, sectors;
	struct verity_table verity;
};

/*
 * Parses a verity table's parameters (what follows "verity"): the ten fields,
 * then the optional count and parameters. Every option the kernel knows is
 * read (names in any case, as the kernel compares them), an unknown one, a
 * count that disagrees with the words, or a mode given twice is -EINVAL with
 * the field named in why.
 */
int verity_table_parse(struct verity_table *t, const char *params, char *why, size_t why_size);

/* The parameters in the kernel's own order (as DM_TABLE_STATUS prints them). */
int verity_table_format(const struct verity_table *t, char *buf, size_t size);

/*
 * The first optional parameter that weakens verification (ignore_corruption,
 * ignore_zero_blocks, check_at_most_once), or NULL when there is none.
 */
const char *verity_table_weakening(const struct verity_table *t);

/* Parses a dm-mod.create= value (without the key, quotes already dropped). */
int dm_create_parse(struct dm_create *d, const char *value, char *why, size_t why_size);

/* The value for dm-mod.create=, in double quotes, as Kata's runtime writes it. */
int dm_create_format(const struct dm_create *d, char *buf, size_t size);

/*
 * The device Kata and ccimage describe: "dm-verity", read-only, one target
 * over all data blocks, version 1, no hash offset, no optional parameters.
 */
void dm_create_from_params(struct dm_create *d, const struct verity_params *p, const char *data_dev,
                           const char *hash_dev);
