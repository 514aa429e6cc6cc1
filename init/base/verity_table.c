/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "init/base/hex.h"
#include "init/base/verity_table.h"
#include "init/base/why.h"

#define WORDS_MAX 48 /* ten fields, the count, and at most 14 optional words, with room */
#define WORD_MAX  (2 * VERITY_MAX_SALT + 1)

struct words {
	unsigned count, next;
	char word[WORDS_MAX][WORD_MAX];
};

/* Splits s at spaces and tabs, as the kernel's dm_split_args does (it has no quotes here). */
static int split(struct words *w, const char *s, const char *what, char *why, size_t why_size)
{
	w->count = w->next = 0;
	for (;;) {
		s += strspn(s, " \t");
		if (!*s)
			return 0;
		size_t len = strcspn(s, " \t");
		if (w->count == WORDS_MAX)
			return why_set(why, why_size, -EINVAL, "%s: more than %d words", what,
			               WORDS_MAX);
		if (len >= WORD_MAX)
			return why_set(why, why_size, -EINVAL, "%s: a word of %zu characters", what,
			               len);
		memcpy(w->word[w->count], s, len);
		w->word[w->count++][len] = '\0';
		s += len;
	}
}

static const char *shift(struct words *w)
{
	return w->next < w->count ? w->word[w->next++] : NULL;
}

/* Plain decimal only: the kernel's sscanf("%llu") would also take a sign or spaces. */
static int parse_number(const char *s, uint64_t max, uint64_t *ret)
{
	uint64_t v = 0;
	if (!s || !*s)
		return -EINVAL;
	for (; *s; s++) {
		uint64_t digit = (uint64_t)(*s - '0');
		if (*s < '0' || *s > '9' || digit > max || v > (max - digit) / 10)
			return -EINVAL;
		v = v * 10 + digit;
	}
	*ret = v;
	return 0;
}

static int take_number(struct words *w, const char *field, uint64_t max, uint64_t *ret, char *why,
                       size_t why_size)
{
	const char *s = shift(w);
	if (!s)
		return why_set(why, why_size, -EINVAL, "%s missing", field);
	if (parse_number(s, max, ret) < 0)
		return why_set(why, why_size, -EINVAL, "%s '%s' is not a number", field, s);
	return 0;
}

static int take_word(struct words *w, const char *field, char *out, size_t size, char *why,
                     size_t why_size)
{
	const char *s = shift(w);
	if (!s)
		return why_set(why, why_size, -EINVAL, "%s missing", field);
	if (strlen(s) >= size)
		return why_set(why, why_size, -EINVAL, "%s longer than %zu characters", field,
		               size - 1);
	strcpy(out, s);
	return 0;
}

static int set_mode(enum verity_mode *m, enum verity_mode v, const char *name, char *why,
                    size_t why_size)
{
	/* The kernel refuses a second mode too ("Conflicting error handling parameters"). */
	if (*m != VERITY_MODE_EIO)
		return why_set(why, why_size, -EINVAL, "%s: a second failure mode", name);
	*m = v;
	return 0;
}

static int set_flag(bool *flag, const char *name, char *why, size_t why_size)
{
	if (*flag)
		return why_set(why, why_size, -EINVAL, "%s given twice", name);
	*flag = true;
	return 0;
}

/*
 * Linux drivers/md/dm-verity-target.c (verity_parse_opt_args) and
 * dm-verity-fec.c: every optional parameter of the 6.12 kernel, with its
 * argument. init/README.md, 7 says what ccinit does with each.
 */
static int parse_option(struct verity_table *t, struct words *w, const char *name,
                        unsigned *fec_seen, char *why, size_t why_size)
{
	static const struct {
		const char *name;
		enum verity_mode mode;
		bool on_error;
	} modes[] = {
	        {"ignore_corruption", VERITY_MODE_LOGGING, false},
	        {"restart_on_corruption", VERITY_MODE_RESTART, false},
	        {"panic_on_corruption", VERITY_MODE_PANIC, false},
	        {"restart_on_error", VERITY_MODE_RESTART, true},
	        {"panic_on_error", VERITY_MODE_PANIC, true},
	};
	/* A switch (flag) or a number; the FEC numbers each mark their bit of fec_seen. */
	const struct {
		const char *name;
		bool *flag;
		uint64_t *number;
		unsigned fec_bit;
	} args[] = {
	        {"ignore_zero_blocks", &t->ignore_zero_blocks, NULL, 0},
	        {"check_at_most_once", &t->check_at_most_once, NULL, 0},
	        {"try_verify_in_tasklet", &t->try_verify_in_tasklet, NULL, 0},
	        {"fec_roots", NULL, &t->fec_roots, 2},
	        {"fec_blocks", NULL, &t->fec_blocks, 4},
	        {"fec_start", NULL, &t->fec_start, 8},
	};

	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		if (strcasecmp(name, modes[i].name) == 0)
			return set_mode(modes[i].on_error ? &t->on_error : &t->on_corruption,
			                modes[i].mode, modes[i].name, why, why_size);
	for (size_t i = 0; i < sizeof(args) / sizeof(args[0]); i++) {
		if (strcasecmp(name, args[i].name) != 0)
			continue;
		if (args[i].flag)
			return set_flag(args[i].flag, args[i].name, why, why_size);
		*fec_seen |= args[i].fec_bit;
		return take_number(w, args[i].name, UINT64_MAX, args[i].number, why, why_size);
	}
	if (strcasecmp(name, "use_fec_from_device") == 0) {
		*fec_seen |= 1;
		return take_word(w, "use_fec_from_device", t->fec_dev, sizeof(t->fec_dev), why,
		                 why_size);
	}
	if (strcasecmp(name, "root_hash_sig_key_desc") == 0)
		return take_word(w, "root_hash_sig_key_desc", t->sig_key_desc,
		                 sizeof(t->sig_key_desc), why, why_size);
	return why_set(why, why_size, -EINVAL, "unknown optional parameter '%s'", name);
}

static int parse_options(struct verity_table *t, struct words *w, char *why, size_t why_size)
{
	uint64_t count;
	if (w->next == w->count)
		return 0;
	int r = take_number(w, "the optional parameter count", WORDS_MAX, &count, why, why_size);
	if (r < 0)
		return r;
	if (count != w->count - w->next)
		return why_set(why, why_size, -EINVAL,
		               "the optional parameter count is %llu, %u words follow",
		               (unsigned long long)count, w->count - w->next);
	unsigned fec_seen = 0;
	while (w->next < w->count) {
		r = parse_option(t, w, shift(w), &fec_seen, why, why_size);
		if (r < 0)
			return r;
	}
	/* The kernel prints the four together; a part of them would be a table it never shows. */
	if (fec_seen && fec_seen != 15)
		return why_set(
		        why, why_size, -EINVAL,
		        "use_fec_from_device, fec_roots, fec_blocks and fec_start go together");
	return 0;
}

/* empty_dash: "-" is an empty value (the salt's spelling of none). */
static int take_hex(struct words *w, const char *field, bool empty_dash, uint8_t *out,
                    size_t out_size, size_t *len, char *why, size_t why_size)
{
	const char *s = shift(w);
	if (!s)
		return why_set(why, why_size, -EINVAL, "%s missing", field);
	if (empty_dash && strcmp(s, "-") == 0) {
		*len = 0;
		return 0;
	}
	int r = hex_decode(s, strlen(s), out, out_size);
	if (r <= 0)
		return why_set(why, why_size, -EINVAL, "%s '%s' is not hex", field, s);
	*len = (size_t)r;
	return 0;
}

static int parse_words(struct verity_table *t, struct words *w, char *why, size_t why_size)
{
	uint64_t n;
	int r;

	memset(t, 0, sizeof(*t));
	if ((r = take_number(w, "version", 1, &n, why, why_size)) < 0)
		return r;
	t->version = (unsigned)n;
	if ((r = take_word(w, "data device", t->data_dev, sizeof(t->data_dev), why, why_size)) <
	            0 ||
	    (r = take_word(w, "hash device", t->hash_dev, sizeof(t->hash_dev), why, why_size)) <
	            0 ||
	    (r = take_number(w, "data block size", UINT32_MAX, &n, why, why_size)) < 0)
		return r;
	t->data_block_size = (uint32_t)n;
	if ((r = take_number(w, "hash block size", UINT32_MAX, &n, why, why_size)) < 0)
		return r;
	t->hash_block_size = (uint32_t)n;
	if ((r = take_number(w, "data blocks", UINT64_MAX, &t->data_blocks, why, why_size)) < 0 ||
	    (r = take_number(w, "hash start", UINT64_MAX, &t->hash_start, why, why_size)) < 0 ||
	    (r = take_word(w, "algorithm", t->algorithm, sizeof(t->algorithm), why, why_size)) <
	            0 ||
	    (r = take_hex(w, "root digest", false, t->root_digest, sizeof(t->root_digest),
	                  &t->root_digest_size, why, why_size)) < 0 ||
	    (r = take_hex(w, "salt", true, t->salt, sizeof(t->salt), &t->salt_size, why,
	                  why_size)) < 0)
		return r;
	return parse_options(t, w, why, why_size);
}

int verity_table_parse(struct verity_table *t, const char *params, char *why, size_t why_size)
{
	struct words w;
	int r = split(&w, params, "verity table", why, why_size);
	return r < 0 ? r : parse_words(t, &w, why, why_size);
}

const char *verity_table_weakening(const struct verity_table *t)
{
	if (t->on_corruption == VERITY_MODE_LOGGING)
		return "ignore_corruption";
	if (t->ignore_zero_blocks)
		return "ignore_zero_blocks";
	if (t->check_at_most_once)
		return "check_at_most_once";
	return NULL;
}

/* Appends with snprintf's contract: *off keeps growing past size, so one check at the end. */
static void add(char *buf, size_t size, size_t *off, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));
static void add(char *buf, size_t size, size_t *off, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(*off < size ? buf + *off : NULL, *off < size ? size - *off : 0, fmt, ap);
	va_end(ap);
	*off += n > 0 ? (size_t)n : 0;
}

static const char *mode_name(enum verity_mode m, bool on_error)
{
	static const char *const corruption[] = {"", "ignore_corruption", "restart_on_corruption",
	                                         "panic_on_corruption"};
	static const char *const error[] = {"", "", "restart_on_error", "panic_on_error"};
	return on_error ? error[m] : corruption[m];
}

int verity_table_format(const struct verity_table *t, char *buf, size_t size)
{
	char digest[2 * VERITY_MAX_DIGEST + 1], salt[2 * VERITY_MAX_SALT + 1] = "-";
	size_t off = 0;
	unsigned count = 0;

	hex_encode(t->root_digest, t->root_digest_size, digest);
	if (t->salt_size)
		hex_encode(t->salt, t->salt_size, salt);
	add(buf, size, &off, "%u %s %s %u %u %llu %llu %s %s %s", t->version, t->data_dev,
	    t->hash_dev, t->data_block_size, t->hash_block_size, (unsigned long long)t->data_blocks,
	    (unsigned long long)t->hash_start, t->algorithm, digest, salt);
	count = (t->on_corruption != VERITY_MODE_EIO) + (t->on_error != VERITY_MODE_EIO) +
	        t->ignore_zero_blocks + t->check_at_most_once + t->try_verify_in_tasklet +
	        (t->fec_dev[0] ? 8 : 0) + (t->sig_key_desc[0] ? 2 : 0);
	if (count)
		add(buf, size, &off, " %u", count);
	if (t->on_corruption != VERITY_MODE_EIO)
		add(buf, size, &off, " %s", mode_name(t->on_corruption, false));
	if (t->on_error != VERITY_MODE_EIO)
		add(buf, size, &off, " %s", mode_name(t->on_error, true));
	if (t->ignore_zero_blocks)
		add(buf, size, &off, " ignore_zero_blocks");
	if (t->check_at_most_once)
		add(buf, size, &off, " check_at_most_once");
	if (t->try_verify_in_tasklet)
		add(buf, size, &off, " try_verify_in_tasklet");
	if (t->fec_dev[0])
		add(buf, size, &off,
		    " use_fec_from_device %s fec_roots %llu fec_blocks %llu fec_start %llu",
		    t->fec_dev, (unsigned long long)t->fec_roots, (unsigned long long)t->fec_blocks,
		    (unsigned long long)t->fec_start);
	if (t->sig_key_desc[0])
		add(buf, size, &off, " root_hash_sig_key_desc %s", t->sig_key_desc);
	return off >= size ? -ENOSPC : (int)off;
}

/* The next ','-separated field of a device, spaces around it dropped (dm-init's str_field_delimit).
 */
static int device_field(const char **s, const char *field, char *out, size_t size, char *why,
                        size_t why_size)
{
	const char *end = strchr(*s, ',');
	if (!end)
		return why_set(why, why_size, -EINVAL, "no %s field (name,uuid,minor,flags,table)",
		               field);
	const char *a = *s, *b = end;
	while (a < b && (*a == ' ' || *a == '\t'))
		a++;
	while (b > a && (b[-1] == ' ' || b[-1] == '\t'))
		b--;
	if ((size_t)(b - a) >= size)
		return why_set(why, why_size, -EINVAL, "%s longer than %zu characters", field,
		               size - 1);
	memcpy(out, a, (size_t)(b - a));
	out[b - a] = '\0';
	*s = end + 1;
	return 0;
}

static int parse_device_fields(struct dm_create *d, const char **s, char *why, size_t why_size)
{
	int r;
	if ((r = device_field(s, "name", d->name, sizeof(d->name), why, why_size)) < 0 ||
	    (r = device_field(s, "uuid", d->uuid, sizeof(d->uuid), why, why_size)) < 0 ||
	    (r = device_field(s, "minor", d->minor, sizeof(d->minor), why, why_size)) < 0 ||
	    (r = device_field(s, "flags", d->flags, sizeof(d->flags), why, why_size)) < 0)
		return r;
	if (!d->name[0])
		return why_set(why, why_size, -EINVAL, "the device has no name");
	uint64_t minor;
	if (d->minor[0] && parse_number(d->minor, UINT32_MAX, &minor) < 0)
		return why_set(why, why_size, -EINVAL, "minor '%s' is not a number", d->minor);
	if (strcmp(d->flags, "ro") != 0)
		return why_set(why, why_size, -EINVAL, "flags '%s' is not ro", d->flags);
	return 0;
}

int dm_create_parse(struct dm_create *d, const char *value, char *why, size_t why_size)
{
	struct words w;
	int r;

	memset(d, 0, sizeof(*d));
	if (strchr(value, ';'))
		return why_set(why, why_size, -EINVAL, "more than one device (';')");
	if ((r = parse_device_fields(d, &value, why, why_size)) < 0)
		return r;
	if (strchr(value, ','))
		return why_set(why, why_size, -EINVAL, "more than one table (',')");
	if ((r = split(&w, value, "the table", why, why_size)) < 0 ||
	    (r = take_number(&w, "start", UINT64_MAX, &d->start, why, why_size)) < 0 ||
	    (r = take_number(&w, "length", UINT64_MAX, &d->sectors, why, why_size)) < 0)
		return r;
	const char *target = shift(&w);
	if (!target)
		return why_set(why, why_size, -EINVAL, "no target type");
	if (strcmp(target, "verity") != 0)
		return why_set(why, why_size, -EMEDIUMTYPE, "the target is %s, not verity", target);
	return parse_words(&d->verity, &w, why, why_size);
}

int dm_create_format(const struct dm_create *d, char *buf, size_t size)
{
	char table[WORDS_MAX * 24 + 2 * VERITY_MAX_SALT + 2 * VERITY_MAX_DIGEST];
	int r = verity_table_format(&d->verity, table, sizeof(table));
	if (r < 0)
		return r;
	int n = snprintf(buf, size, "\"%s,%s,%s,%s,%llu %llu verity %s\"", d->name, d->uuid,
	                 d->minor, d->flags, (unsigned long long)d->start,
	                 (unsigned long long)d->sectors, table);
	return n < 0 || (size_t)n >= size ? -ENOSPC : n;
}

void dm_create_from_params(struct dm_create *d, const struct verity_params *p, const char *data_dev,
                           const char *hash_dev)
{
	memset(d, 0, sizeof(*d));
	strcpy(d->name, "dm-verity");
	strcpy(d->flags, "ro");
	d->sectors = p->data_blocks * (p->data_block_size / 512);
	struct verity_table *t = &d->verity;
	t->version = 1;
	snprintf(t->data_dev, sizeof(t->data_dev), "%s", data_dev);
	snprintf(t->hash_dev, sizeof(t->hash_dev), "%s", hash_dev);
	t->data_block_size = p->data_block_size;
	t->hash_block_size = p->hash_block_size;
	t->data_blocks = p->data_blocks;
	snprintf(t->algorithm, sizeof(t->algorithm), "%s", p->hash_name);
	memcpy(t->root_digest, p->root_hash, p->root_hash_size);
	t->root_digest_size = p->root_hash_size;
	memcpy(t->salt, p->salt, p->salt_size);
	t->salt_size = p->salt_size;
}
