/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `ccimage verity format` and `ccimage verity verify`: veritysetup's two
 * userspace verbs on our own tree builder, with the same option names so
 * scripts can swap one for the other, plus the Kata one-line parameters.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/evp.h>

#include "init/base/hex.h"
#include "init/base/log.h"
#include "measurement/verity.h"
#include "init/base/verity_params.h"
#include "init/base/why.h"
#include "rootfs/ccimage/cli.h"
#include "rootfs/ccimage/command.h"

#define DERIVED_SALT_DOMAIN "ccimage verity salt v1"

struct cmd_args {
	struct verity_opts o;
	unsigned format;
	bool no_superblock;
	uint8_t salt[VERITY_MAX_SALT_SIZE];
	bool salt_set;
	const char *root_hash_file;
	struct verity_params kata;
	bool kata_set;
};

/* --salt=HEX, or '-' for none; an empty string is an empty salt, as for veritysetup. */
static int parse_salt(void *field, const char *value, char *why, size_t why_size)
{
	struct cmd_args *a = field;
	int r = 0;

	if (strcmp(value, "-") != 0)
		r = hex_decode(value, strlen(value), a->salt, sizeof(a->salt));
	if (r < 0)
		return why_set(why, why_size, -EINVAL, "not hex of at most %d bytes",
		               VERITY_MAX_SALT_SIZE);
	a->o.salt_size = (size_t)r;
	a->salt_set = true;
	return 0;
}

static int parse_uuid(void *field, const char *value, char *why, size_t why_size)
{
	struct verity_opts *o = field;

	if (uuid_from_text(value, o->uuid) < 0)
		return why_set(why, why_size, -EINVAL, "not a UUID");
	o->uuid_set = true;
	return 0;
}

static int parse_kata(void *field, const char *value, char *why, size_t why_size)
{
	struct cmd_args *a = field;
	int r = verity_params_parse(&a->kata, value, why, why_size);

	a->kata_set = r == 0;
	return r;
}

static const char usage_head[] = "usage: ccimage verity format [OPTIONS] DATA HASH\n";
static const char usage_head_verify[] =
        "usage: ccimage verity verify [OPTIONS] DATA HASH [ROOT_HASH]\n";

/*
 * The options into a, and whether between min and max words follow them;
 * false with *code (EXIT_OK after --help) when the command ends here.
 */
static bool parse_args(int argc, char **argv, bool verify, struct cmd_args *a, int *code)
{
	struct verity_opts *o = &a->o;
	const struct cli_opt opts[] = {
	        CLI_STRING("hash", 0, &o->hash_name, "NAME",
	                   "digest (sha256; sha1, sha512, any OpenSSL digest)"),
	        CLI_NUMBER_C("format", 0, &a->format, 0, 1, "0|1",
	                     "1 normal, 0 Chrome OS (default 1)"),
	        CLI_NUMBER_C("data-block-size", 0, &o->data_block_size, 0, VERITY_MAX_BLOCK_SIZE,
	                     "N", "512..524288, power of two (4096)"),
	        CLI_NUMBER_C("hash-block-size", 0, &o->hash_block_size, 0, VERITY_MAX_BLOCK_SIZE,
	                     "N", "512..524288, power of two (4096)"),
	        CLI_CALL("salt", 0, a, parse_salt, "HEX|-",
	                 "salt, '-' for none (default: derived from the data, never random)"),
	        CLI_FLAG("no-superblock", 0, &a->no_superblock, "no superblock (Kata's scheme)"),
	        CLI_CALL("uuid", 0, o, parse_uuid, "UUID",
	                 "superblock UUID (default: from the root hash)"),
	        CLI_NUMBER_C("hash-offset", 0, &o->hash_offset, 0, UINT64_MAX, "BYTES",
	                     "where the hash area starts on HASH (multiple of 512)"),
	        CLI_NUMBER_C("data-blocks", 0, &o->data_blocks, 0, UINT64_MAX, "N",
	                     "blocks of DATA to cover (default: all whole blocks)"),
	        CLI_NUMBER_C("threads", 0, &o->threads, 1, 1024, "N",
	                     "hashing threads (default: the CPUs we may run on)"),
	        CLI_STRING("root-hash-file", 0, &a->root_hash_file, "FILE",
	                   verify ? "read the root hash from FILE"
	                          : "also write the root hash to FILE"),
	        CLI_CALL("kata", 0, a, parse_kata, "LINE",
	                 verify ? "take parameters and root hash from Kata's one-line form"
	                        : "take parameters from Kata's one-line form"),
	        {0},
	};
	struct cli cli = {argc, argv, verify ? usage_head_verify : usage_head, opts};

	memset(a, 0, sizeof(*a));
	verity_opts_init(o);
	a->format = (unsigned)o->format;
	if (!cli_parse(&cli, 2, verify ? 3 : 2)) {
		*code = cli.exit_code;
		return false;
	}
	o->format = (int)a->format;
	o->superblock = !a->no_superblock;
	if (a->kata_set) {
		/* Kata's scheme: no superblock, tree at the start of the hash device. */
		o->hash_name = a->kata.hash_name;
		o->data_block_size = a->kata.data_block_size;
		o->hash_block_size = a->kata.hash_block_size;
		o->data_blocks = a->kata.data_blocks;
		o->superblock = false;
		memcpy(a->salt, a->kata.salt, a->kata.salt_size);
		o->salt_size = a->kata.salt_size;
		a->salt_set = true;
	}
	o->salt = a->salt;
	/* ROOT_HASH comes as a word unless --kata or --root-hash-file gives it. */
	if (verify && argc - optind != (a->kata_set || a->root_hash_file ? 2 : 3)) {
		*code = cli_usage_error(&cli);
		return false;
	}
	return true;
}

/* SHA-256 over a domain string and the bytes to be covered: a salt nobody picked at random. */
static int derive_salt(const char *path, const struct verity_opts *o, uint8_t out[32])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	FILE *f = fopen(path, "rbe");
	uint64_t left = o->data_blocks ? o->data_blocks * o->data_block_size : UINT64_MAX;
	static uint8_t buf[1 << 20];
	size_t n;
	int r = -EIO;

	if (!ctx || !f)
		goto out;
	if (!o->data_blocks) {
		struct stat st;

		if (fstat(fileno(f), &st) < 0)
			goto out;
		left = (uint64_t)st.st_size / o->data_block_size * o->data_block_size;
	}
	if (!EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) ||
	    !EVP_DigestUpdate(ctx, DERIVED_SALT_DOMAIN, sizeof(DERIVED_SALT_DOMAIN)))
		goto out;
	while (left && (n = fread(buf, 1, left < sizeof(buf) ? (size_t)left : sizeof(buf), f))) {
		if (!EVP_DigestUpdate(ctx, buf, n))
			goto out;
		left -= n;
	}
	if (!ferror(f) && EVP_DigestFinal_ex(ctx, out, NULL))
		r = 0;
out:
	if (f)
		fclose(f);
	EVP_MD_CTX_free(ctx);
	return r;
}

static const char *explain(int r)
{
	if (r == -ENOSPC)
		return "the data device holds fewer whole blocks than asked for (or none)";
	if (r == -EINVAL)
		return "invalid parameters (block sizes are powers of two from 512 to 524288, the "
		       "hash offset a multiple of 512, the tree may not overlap the data, a "
		       "superblock must be valid)";
	return strerror(-r);
}

static void print_header(const char *hash_path, const struct verity_opts *o,
                         const struct verity_result *res)
{
	char hex[2 * VERITY_MAX_SALT_SIZE + 1], uuid[37] = "";

	printf("VERITY header information for %s\n", hash_path);
	if (o->superblock)
		uuid_to_text(res->uuid, uuid);
	printf("UUID:            \t%s\n", uuid);
	printf("Hash type:       \t%d\n", o->format);
	printf("Data blocks:     \t%llu\n", (unsigned long long)res->geo.data_blocks);
	printf("Data block size: \t%u\n", res->geo.data_block_size);
	printf("Hash blocks:     \t%llu\n", (unsigned long long)res->geo.hash_blocks);
	printf("Hash block size: \t%u\n", res->geo.hash_block_size);
	printf("Hash algorithm:  \t%s\n", o->hash_name);
	if (o->salt_size)
		hex_encode(o->salt, o->salt_size, hex);
	else
		strcpy(hex, "-");
	printf("Salt:            \t%s\n", hex);
	hex_encode(res->root_hash, res->root_hash_size, hex);
	printf("Root hash:      \t%s\n", hex);
	printf("Hash device size: \t%llu [bytes]\n", (unsigned long long)res->geo.hash_end);
}

/* Kata's line describes only its own scheme: format 1, no superblock, tree at offset 0. */
static void print_kata(const struct verity_opts *o, const struct verity_result *res)
{
	struct verity_params p = {0};
	char line[1024];

	if (o->format != VERITY_FORMAT_NORMAL || o->superblock || o->hash_offset ||
	    res->geo.data_block_size > 4096 || res->geo.hash_block_size > 4096)
		return;
	memcpy(p.root_hash, res->root_hash, res->root_hash_size);
	p.root_hash_size = res->root_hash_size;
	memcpy(p.salt, o->salt, o->salt_size);
	p.salt_size = o->salt_size;
	p.data_blocks = res->geo.data_blocks;
	p.data_block_size = res->geo.data_block_size;
	p.hash_block_size = res->geo.hash_block_size;
	snprintf(p.hash_name, sizeof(p.hash_name), "%s", o->hash_name);
	if (verity_params_format(&p, line, sizeof(line)) > 0)
		printf("Kata parameters: \t%s\n", line);
}

static int write_root_hash_file(const char *path, const struct verity_result *res)
{
	char hex[2 * VERITY_MAX_DIGEST_SIZE + 1];
	FILE *f = fopen(path, "we");
	int r;

	if (!f)
		return -errno;
	hex_encode(res->root_hash, res->root_hash_size, hex);
	r = fputs(hex, f) < 0 ? -EIO : 0;
	if (fclose(f) != 0 && r == 0)
		r = -EIO;
	return r;
}

static int verity_format_main(int argc, char **argv)
{
	struct cmd_args a;
	struct verity_result res;
	int r;

	if (!parse_args(argc, argv, false, &a, &r))
		return r;
	if (verity_digest_size(a.o.hash_name) < 0) {
		log_error("unknown hash '%s'", a.o.hash_name);
		return EXIT_USAGE;
	}
	if (!a.salt_set) {
		r = derive_salt(argv[optind], &a.o, a.salt);
		if (r < 0) {
			log_error("cannot read %s to derive the salt", argv[optind]);
			return EXIT_SYSTEM;
		}
		a.o.salt_size = 32;
	}
	r = verity_format(&a.o, argv[optind], argv[optind + 1], &res);
	if (r < 0) {
		log_error("%s -> %s: %s", argv[optind], argv[optind + 1], explain(r));
		return r == -EINVAL || r == -ENOSPC ? EXIT_DATA : EXIT_SYSTEM;
	}
	print_header(argv[optind + 1], &a.o, &res);
	print_kata(&a.o, &res);
	if (a.root_hash_file && (r = write_root_hash_file(a.root_hash_file, &res)) < 0) {
		log_error("%s: %s", a.root_hash_file, strerror(-r));
		return EXIT_SYSTEM;
	}
	return EXIT_OK;
}

static int read_root_hash(const char *arg, const char *file, uint8_t *out, size_t *len)
{
	char buf[2 * VERITY_MAX_DIGEST_SIZE + 2] = "";
	int r;

	if (file) {
		FILE *f = fopen(file, "re");

		if (!f)
			return -errno;
		if (!fgets(buf, sizeof(buf), f))
			buf[0] = 0;
		fclose(f);
		buf[strcspn(buf, "\r\n")] = 0;
		arg = buf;
	}
	r = hex_decode(arg, strlen(arg), out, VERITY_MAX_DIGEST_SIZE);
	if (r <= 0)
		return -EINVAL;
	*len = (size_t)r;
	return 0;
}

/*
 * What verity_verify() would refuse as one "invalid parameters", told apart:
 * a device that is neither a file nor a block device, an unknown hash, a
 * root hash of the wrong length (without a superblock, which names its own
 * hash). Returns an exit code.
 */
static int check_verify_inputs(const struct verity_opts *o, char *const *paths, size_t root_len)
{
	struct stat st;
	int size;

	for (int i = 0; i < 2; i++) {
		if (stat(paths[i], &st) < 0) {
			log_error("%s: %s", paths[i], strerror(errno));
			return errno == ENOENT ? EXIT_DATA : EXIT_SYSTEM;
		}
		if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode)) {
			log_error("%s (the %s device): neither a regular file nor a block device",
			          paths[i], i ? "hash" : "data");
			return EXIT_DATA;
		}
	}
	if (o->superblock)
		return EXIT_OK;
	if ((size = verity_digest_size(o->hash_name)) < 0) {
		log_error("unknown hash '%s'", o->hash_name);
		return EXIT_USAGE;
	}
	if (root_len != (size_t)size) {
		log_error("the root hash is %zu bytes; a %s digest is %d", root_len, o->hash_name,
		          size);
		return EXIT_DATA;
	}
	return EXIT_OK;
}

static int verity_verify_main(int argc, char **argv)
{
	struct cmd_args a;
	struct verity_verify_report rep;
	uint8_t root[VERITY_MAX_DIGEST_SIZE];
	size_t root_len = 0;
	int r;

	if (!parse_args(argc, argv, true, &a, &r))
		return r;
	if (a.kata_set) {
		memcpy(root, a.kata.root_hash, a.kata.root_hash_size);
		root_len = a.kata.root_hash_size;
	} else if (read_root_hash(argv[optind + 2], a.root_hash_file, root, &root_len) < 0) {
		log_error("the root hash is not hex");
		return EXIT_USAGE;
	}
	if ((r = check_verify_inputs(&a.o, argv + optind, root_len)) != EXIT_OK)
		return r;
	r = verity_verify(&a.o, argv[optind], argv[optind + 1], root, root_len, &rep);
	if (r == -ENODATA && a.o.superblock) {
		log_error("no verity superblock on %s (use --no-superblock?)", argv[optind + 1]);
		return EXIT_DATA;
	}
	if (r < 0) {
		log_error("%s", explain(r));
		return r == -EINVAL || r == -ENOSPC ? EXIT_DATA : EXIT_SYSTEM;
	}
	switch (rep.fault) {
	case VERITY_OK:
		printf("Verification of data area succeeded.\n");
		return EXIT_OK;
	case VERITY_BAD_ROOT:
		printf("Root hash mismatch: the top hash block at byte %llu of %s does not hash "
		       "to the root hash.\n",
		       (unsigned long long)rep.position, argv[optind + 1]);
		break;
	case VERITY_BAD_HASH_BLOCK:
		printf("Hash block corrupted: level %u block %llu (byte %llu of %s).\n", rep.level,
		       (unsigned long long)rep.block, (unsigned long long)rep.position,
		       argv[optind + 1]);
		break;
	case VERITY_BAD_DATA_BLOCK:
		printf("Data block corrupted: block %llu (byte %llu of %s).\n",
		       (unsigned long long)rep.block, (unsigned long long)rep.position,
		       argv[optind]);
		break;
	}
	return EXIT_CHECK;
}

CCIMAGE_COMMAND(verity_format, "verity format", "build a dm-verity hash tree (veritysetup format)",
                verity_format_main);
CCIMAGE_COMMAND(verity_verify, "verity verify", "check data and hash tree against a root hash",
                verity_verify_main);
