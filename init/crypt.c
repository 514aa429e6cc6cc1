/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <libcryptsetup.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "init/crypt.h"
#include "init/devices.h"
#include "init/base/why.h"
#include "init/base/log.h"
#include "init/core/sys.h"

/* aes-xts with two 256-bit keys; hmac-sha256 integrity adds a 256-bit MAC key. */
#define XTS_KEY_BYTES  64
#define HMAC_KEY_BYTES 32
#define GCM_KEY_BYTES  32
#define SECTOR_SIZE    4096

static void crypt_log_route(int level, const char *msg, void *usrptr)
{
	(void)usrptr;
	char line[512];
	snprintf(line, sizeof(line), "%s", msg);
	size_t len = strlen(line);
	if (len && line[len - 1] == '\n')
		line[len - 1] = '\0';
	/* The failing step reports the error once; the library's view is detail. */
	log_msg(level == CRYPT_LOG_DEBUG ? LOG_DEBUG : LOG_INFO, "libcryptsetup: %s", line);
}

void crypt_logging_setup(void)
{
	crypt_set_log_callback(NULL, crypt_log_route, NULL);
	if (log_get_max_level() >= LOG_DEBUG)
		crypt_set_debug_level(CRYPT_DEBUG_ALL);
}

int dm_node_by_name(const char *name, char *dev, size_t size)
{
	char node[64];
	int r = block_device_find("dm/name", name, node, sizeof(node));
	if (r < 0)
		return r;
	return snprintf(dev, size, "/dev/%s", node) < (int)size ? 0 : -ENAMETOOLONG;
}

/* A name already mapped means someone else made it: refuse rather than trust it. */
static int refuse_existing(const char *name, char *why, size_t why_size)
{
	char dev[64];
	if (dm_node_by_name(name, dev, sizeof(dev)) == 0)
		return why_set(why, why_size, -EEXIST, "device-mapper name %s already in use (%s)",
		               name, dev);
	return 0;
}

int crypt_verity_open(const char *name, const char *data, const char *hash,
                      const struct verity_params *p, char *dev, size_t dev_size, char *why,
                      size_t why_size)
{
	struct crypt_device *cd = NULL;
	int r = refuse_existing(name, why, why_size);
	if (r < 0)
		return r;
	r = crypt_init_data_device(&cd, hash, data);
	if (r < 0)
		return why_set(why, why_size, r, "opening %s and %s", data, hash);
	crypt_set_log_callback(cd, crypt_log_route, NULL);

	struct crypt_params_verity params = {
	        .hash_name = p->hash_name,
	        .data_device = data,
	        .hash_device = hash,
	        .salt = (const char *)p->salt,
	        .salt_size = (uint32_t)p->salt_size,
	        .hash_type = 1, /* the normal format, as Kata's veritysetup writes it */
	        .data_block_size = p->data_block_size,
	        .hash_block_size = p->hash_block_size,
	        .data_size = p->data_blocks,
	        .hash_area_offset = 0,
	        .flags = CRYPT_VERITY_NO_HEADER,
	};
	r = crypt_format(cd, CRYPT_VERITY, NULL, NULL, NULL, NULL, 0, &params);
	if (r < 0) {
		why_set(why, why_size, r, "verity parameters for %s", data);
		goto out;
	}
	r = crypt_activate_by_volume_key(cd, name, (const char *)p->root_hash, p->root_hash_size,
	                                 CRYPT_ACTIVATE_READONLY);
	if (r < 0) {
		why_set(why, why_size, r, "activating dm-verity over %s (hash %s)", data, hash);
		goto out;
	}
	r = dm_node_by_name(name, dev, dev_size);
	if (r < 0)
		why_set(why, why_size, r, "dm-verity device %s has no node", name);
out:
	crypt_free(cd);
	return r;
}

/*
 * The key: one page, locked so it never reaches swap, excluded from core
 * dumps, wiped and unmapped before this function returns on any path.
 */
struct secret {
	void *page;
	size_t size;
};

static int secret_new(struct secret *s, size_t len)
{
	s->size = 4096;
	s->page = mmap(NULL, s->size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (s->page == MAP_FAILED)
		return -errno;
	if (mlock(s->page, s->size) < 0) {
		int r = -errno;
		munmap(s->page, s->size);
		return r;
	}
	(void)madvise(s->page, s->size, MADV_DONTDUMP);
	return sys->getrandom(s->page, len);
}

static void secret_free(struct secret *s)
{
	if (!s->page || s->page == MAP_FAILED)
		return;
	explicit_bzero(s->page, s->size);
	munlock(s->page, s->size);
	munmap(s->page, s->size);
	s->page = NULL;
}

int crypt_scratch_open(const char *name, const char *device, enum scratch_integrity integrity,
                       char *dev, size_t dev_size, char *why, size_t why_size)
{
	struct crypt_device *cd = NULL;
	struct secret key = {0};
	size_t key_size = integrity == INTEGRITY_HMAC_SHA256 ? XTS_KEY_BYTES + HMAC_KEY_BYTES
	                  : integrity == INTEGRITY_AEAD      ? GCM_KEY_BYTES
	                                                     : XTS_KEY_BYTES;
	int r = refuse_existing(name, why, why_size);
	if (r < 0)
		return r;
	r = secret_new(&key, key_size);
	if (r < 0) {
		why_set(why, why_size, r, "scratch key");
		goto out;
	}
	r = crypt_init(&cd, device);
	if (r < 0) {
		why_set(why, why_size, r, "opening %s", device);
		goto out;
	}
	crypt_set_log_callback(cd, crypt_log_route, NULL);

	if (integrity == INTEGRITY_NONE) {
		struct crypt_params_plain plain = {.sector_size = SECTOR_SIZE};
		r = crypt_format(cd, CRYPT_PLAIN, "aes", "xts-plain64", NULL, key.page, key_size,
		                 &plain);
	} else {
		/*
		 * LUKS2 over dm-integrity, as confidential-data-hub formats it: the
		 * header only describes the mapping; no keyslot is ever written, so
		 * the key exists nowhere but in this page.
		 */
		struct crypt_params_luks2 luks2 = {
		        .sector_size = SECTOR_SIZE,
		        .integrity = integrity == INTEGRITY_HMAC_SHA256 ? "hmac(sha256)" : "aead",
		};
		r = crypt_format(cd, CRYPT_LUKS2, "aes",
		                 integrity == INTEGRITY_HMAC_SHA256 ? "xts-random" : "gcm-random",
		                 NULL, key.page, key_size, &luks2);
	}
	if (r < 0) {
		why_set(why, why_size, r, "formatting scratch device %s", device);
		goto out;
	}
	/* No journal: the layer is made new every boot, and CDH does the same. */
	r = crypt_activate_by_volume_key(cd, name, key.page, key_size,
	                                 integrity == INTEGRITY_NONE ? 0
	                                                             : CRYPT_ACTIVATE_NO_JOURNAL);
	if (r < 0) {
		why_set(why, why_size, r, "activating dm-crypt over %s", device);
		goto out;
	}
	r = dm_node_by_name(name, dev, dev_size);
	if (r < 0)
		why_set(why, why_size, r, "dm-crypt device %s has no node", name);
out:
	secret_free(&key);
	crypt_free(cd);
	return r;
}
