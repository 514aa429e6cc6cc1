/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `ccimage verity format` and `ccimage verity verify`: veritysetup's two
 * userspace verbs on our own tree builder, with the same option names so
 * scripts can swap one for the other, plus the Kata one-line parameters.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/evp.h>

#include "init/base/log.h"
#include "init/base/hex.h"
#include "measurement/verity.h"
#include "init/base/verity_params.h"
#include "rootfs/ccimage/command.h"

#define DERIVED_SALT_DOMAIN "ccimage verity salt v1"

enum {
	OPT_HASH = 0x100,
	OPT_FORMAT,
	OPT_DBS,
	OPT_HBS,
	OPT_SALT,
	OPT_NO_SB,
	OPT_UUID,
	OPT_HASH_OFFSET,
	OPT_DATA_BLOCKS,
	OPT_THREADS,
	OPT_ROOT_HASH_FILE,
	OPT_KATA,
};

static const struct option long_opts[] = {
        {"hash", required_argument, NULL, OPT_HASH},
        {"format", required_argument, NULL, OPT_FORMAT},
        {"data-block-size", required_argument, NULL, OPT_DBS},
        {"hash-block-size", required_argument, NULL, OPT_HBS},
        {"salt", required_argument, NULL, OPT_SALT},
        {"no-superblock", no_argument, NULL, OPT_NO_SB},
        {"uuid", required_argument, NULL, OPT_UUID},
        {"hash-offset", required_argument, NULL, OPT_HASH_OFFSET},
        {"data-blocks", required_argument, NULL, OPT_DATA_BLOCKS},
        {"threads", required_argument, NULL, OPT_THREADS},
        {"root-hash-file", required_argument, NULL, OPT_ROOT_HASH_FILE},
        {"kata", required_argument, NULL, OPT_KATA},
        {"help", no_argument, NULL, 'h'},
        {0},
};

struct cmd_args {
	struct verity_opts o;
	uint8_t salt[VERITY_MAX_SALT_SIZE];
	bool salt_set;
	const char *root_hash_file;
	struct verity_params kata;
	bool kata_set;
};

static void usage(FILE *f, const char *name)
{
	fprintf(f,
	        "usage: ccimage %s [OPTIONS] DATA HASH%s\n"
	        "  --hash=NAME             digest (sha256; sha1, sha512, any OpenSSL digest)\n"
	        "  --format=0|1            1 normal, 0 Chrome OS (default 1)\n"
	        "  --data-block-size=N     512..524288, power of two (4096)\n"
	        "  --hash-block-size=N     512..524288, power of two (4096)\n"
	        "  --salt=HEX|-            salt, '-' for none (default: derived from the data,\n"
	        "                          never random)\n"
	        "  --no-superblock         no superblock (Kata's scheme)\n"
	        "  --uuid=UUID             superblock UUID (default: from the root hash)\n"
	        "  --hash-offset=BYTES     where the hash area starts on HASH (multiple of 512)\n"
	        "  --data-blocks=N         blocks of DATA to cover (default: all whole blocks)\n"
	        "  --threads=N             hashing threads (default: the CPUs we may run on)\n"
	        "  --root-hash-file=FILE   %s\n"
	        "  --kata=LINE             take parameters%s from Kata's one-line form\n",
	        name, strstr(name, "verify") ? " [ROOT_HASH]" : "",
	        strstr(name, "verify") ? "read the root hash from FILE"
	                               : "also write the root hash to FILE",
	        strstr(name, "verify") ? " and root hash" : "");
}

static int parse_u64_arg(const char *s, uint64_t *v)
{
	char *end;

	errno = 0;
	if (!*s || *s == '-')
		return -EINVAL;
	*v = strtoull(s, &end, 0);
	return errno || *end ? -EINVAL : 0;
}

/* One value option into a: 0, or -EINVAL with the error said (--kata) or to be said. */
static int parse_value(int c, struct cmd_args *a)
{
	uint64_t v = 0;
	int r = 0;

	switch (c) {
	case OPT_HASH:
		a->o.hash_name = optarg;
		break;
	case OPT_FORMAT:
		r = parse_u64_arg(optarg, &v);
		if (r == 0 && v > 1)
			r = -EINVAL;
		a->o.format = (int)v;
		break;
	case OPT_DBS:
	case OPT_HBS:
		r = parse_u64_arg(optarg, &v);
		if (r == 0 && v > VERITY_MAX_BLOCK_SIZE)
			r = -EINVAL;
		*(c == OPT_DBS ? &a->o.data_block_size : &a->o.hash_block_size) = (uint32_t)v;
		break;
	case OPT_SALT:
		if (strcmp(optarg, "-") == 0) {
			a->o.salt_size = 0;
		} else {
			r = hex_decode(optarg, strlen(optarg), a->salt, sizeof(a->salt));
			/* An empty string is an empty salt, as for veritysetup. */
			a->o.salt_size = r > 0 ? (size_t)r : 0;
			r = r >= 0 ? 0 : -EINVAL;
		}
		a->salt_set = true;
		break;
	case OPT_NO_SB:
		a->o.superblock = false;
		break;
	case OPT_UUID:
		r = uuid_from_text(optarg, a->o.uuid);
		a->o.uuid_set = true;
		break;
	case OPT_HASH_OFFSET:
		r = parse_u64_arg(optarg, &a->o.hash_offset);
		break;
	case OPT_DATA_BLOCKS:
		r = parse_u64_arg(optarg, &a->o.data_blocks);
		break;
	case OPT_THREADS:
		r = parse_u64_arg(optarg, &v);
		if (r == 0 && (v == 0 || v > 1024))
			r = -EINVAL;
		a->o.threads = (unsigned)v;
		break;
	case OPT_ROOT_HASH_FILE:
		a->root_hash_file = optarg;
		break;
	case OPT_KATA: {
		char why[128];

		r = verity_params_parse(&a->kata, optarg, why, sizeof(why));
		if (r < 0) {
			log_error("--kata: %s", why);
			return -EINVAL;
		}
		a->kata_set = true;
		break;
	}
	}
	return r;
}

static int parse_args(int argc, char **argv, const char *name, struct cmd_args *a)
{
	int c;

	memset(a, 0, sizeof(*a));
	verity_opts_init(&a->o);
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", long_opts, NULL)) != -1) {
		if (c == 'h' || c < OPT_HASH) {
			usage(c == 'h' ? stdout : stderr, name);
			return c == 'h' ? 1 : -EINVAL;
		}
		int r = parse_value(c, a);
		if (r < 0 && c != OPT_KATA)
			log_error("bad value for --%s: '%s'", long_opts[c - OPT_HASH].name, optarg);
		if (r < 0)
			return -EINVAL;
	}
	if (a->kata_set) {
		/* Kata's scheme: no superblock, tree at the start of the hash device. */
		a->o.hash_name = a->kata.hash_name;
		a->o.data_block_size = a->kata.data_block_size;
		a->o.hash_block_size = a->kata.hash_block_size;
		a->o.data_blocks = a->kata.data_blocks;
		a->o.superblock = false;
		memcpy(a->salt, a->kata.salt, a->kata.salt_size);
		a->o.salt_size = a->kata.salt_size;
		a->salt_set = true;
	}
	a->o.salt = a->salt;
	return 0;
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
	const char *name = "verity format";
	struct cmd_args a;
	struct verity_result res;
	int r = parse_args(argc, argv, name, &a);

	if (r)
		return r > 0 ? EXIT_OK : EXIT_USAGE;
	if (argc - optind != 2) {
		usage(stderr, name);
		return EXIT_USAGE;
	}
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
	const char *name = "verity verify";
	int want = 3, r = parse_args(argc, argv, name, &a);

	if (r)
		return r > 0 ? EXIT_OK : EXIT_USAGE;
	if (a.kata_set || a.root_hash_file)
		want = 2;
	if (argc - optind != want) {
		usage(stderr, name);
		return EXIT_USAGE;
	}
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
