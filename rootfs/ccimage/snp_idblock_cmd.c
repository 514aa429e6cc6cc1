/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `ccimage snp id-block`: the SEV-SNP ID block and ID auth structure for a
 * launch digest and guest policy (measurement/snp_idblock.h), as files and as
 * the base64 QEMU's sev-snp-guest id-block / id-auth properties take.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "init/base/fileio.h"
#include "init/base/hex.h"
#include "measurement/rvps.h"
#include "measurement/snp_idblock.h"
#include "rootfs/ccimage/cli.h"
#include "rootfs/ccimage/command.h"

struct idblock_args {
	struct snp_id_params params;
	const char *id_key, *author_key, *block_out, *auth_out;
	bool keyless, have_digest;
};

static void usage(FILE *f)
{
	fprintf(f,
	        "usage: ccimage snp id-block --measurement DIGEST (--id-key PEM | --keyless)\n"
	        "         [--author-key PEM] [--policy N] [--family-id HEX32] [--image-id HEX32]\n"
	        "         [--guest-svn N] [--id-block-out FILE] [--id-auth-out FILE]\n"
	        "Signs an SEV-SNP ID block (launch digest, IDs, SVN, guest policy) with an ECDSA\n"
	        "P-384 ID key, so the PSP refuses to launch any other digest or policy.\n"
	        "DIGEST is the 48-byte launch digest, 96 hex digits or base64 (what `ccimage\n"
	        "measure --mode snp` prints). --policy defaults to 0x30000 and must equal the\n"
	        "guest policy the VMM launches with. --keyless is contrast's form: a fixed\n"
	        "signature and the ID key recovered from it, so no private key exists and the\n"
	        "output is reproducible; the verifier then checks the report's MEASUREMENT (and\n"
	        "may check ID_KEY_DIGEST against the printed one) (measurement/README.md, 13).\n"
	        "Prints id-block= and id-auth= (base64: QEMU's sev-snp-guest properties, Kata's\n"
	        "snp_id_block and snp_id_auth), the author-key-enabled value (Kata has no knob\n"
	        "for it), and the key digests the report carries (hex); the -out files get the\n"
	        "raw 96 and 4096 bytes.\n");
}

/* The digest as hex (96 digits) or standard base64 (64 characters, no padding needed). */
static bool parse_digest(const char *s, uint8_t out[48])
{
	unsigned char buf[49];

	if (strlen(s) == 96)
		return hex_decode(s, 96, out, 48) == 48;
	if (strlen(s) != 64 || EVP_DecodeBlock(buf, (const unsigned char *)s, 64) != 48)
		return false;
	memcpy(out, buf, 48);
	return true;
}

static bool parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	char *end;

	errno = 0;
	*out = strtoull(s, &end, 0);
	return *s && *s != '-' && !*end && errno == 0 && *out <= max;
}

static int bad_value(const char *opt, const char *v, const char *want)
{
	fprintf(stderr, "ccimage: snp id-block: %s '%s': %s\n", opt, v, want);
	return EXIT_USAGE;
}

/* One option into a; EXIT_OK or the exit code. */
static int take_option(int c, const char *v, struct idblock_args *a)
{
	uint64_t n;

	switch (c) {
	case 'm':
		a->have_digest = parse_digest(v, a->params.digest);
		return a->have_digest
		               ? EXIT_OK
		               : bad_value("--measurement", v, "want 96 hex digits or base64");
	case 'p':
		if (!parse_u64(v, UINT64_MAX, &a->params.policy))
			return bad_value("--policy", v, "want a 64-bit number");
		return EXIT_OK;
	case 'f':
	case 'i':
		if (strlen(v) != 32 ||
		    hex_decode(v, 32, c == 'f' ? a->params.family_id : a->params.image_id, 16) !=
		            16)
			return bad_value(c == 'f' ? "--family-id" : "--image-id", v,
			                 "want 32 hex digits");
		return EXIT_OK;
	case 's':
		if (!parse_u64(v, UINT32_MAX, &n))
			return bad_value("--guest-svn", v, "want a 32-bit number");
		a->params.guest_svn = (uint32_t)n;
		return EXIT_OK;
	case 'k':
		a->id_key = v;
		return EXIT_OK;
	case 'a':
		a->author_key = v;
		return EXIT_OK;
	case 'B':
		a->block_out = v;
		return EXIT_OK;
	case 'A':
		a->auth_out = v;
		return EXIT_OK;
	default: /* 'K' */
		a->keyless = true;
		return EXIT_OK;
	}
}

static int write_bytes(const char *path, const uint8_t *data, size_t n)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	int r;

	if (fd < 0)
		return -errno;
	r = write_full(fd, data, n);
	if (close(fd) < 0 && r == 0)
		r = -errno;
	return r;
}

static int print_b64(const char *label, const uint8_t *data, size_t n)
{
	char *b64;
	int r = rvps_base64(data, n, &b64);

	if (r < 0)
		return r;
	printf("%s=%s\n", label, b64);
	free(b64);
	return 0;
}

static int print_digest(const char *label, const uint8_t pub[SNP_ID_PUBKEY_SIZE])
{
	uint8_t d[48];
	char hex[97];
	int r = snp_id_pubkey_digest(pub, d);

	if (r == 0) {
		hex_encode(d, sizeof(d), hex);
		printf("%s=%s\n", label, hex);
	}
	return r;
}

/* Signs, writes the files and prints; EXIT_OK or the exit code, the failure logged. */
static int emit(const struct idblock_args *a, struct snp_id_key *id, struct snp_id_key *author)
{
	uint8_t block[SNP_ID_BLOCK_SIZE], auth[SNP_ID_AUTH_SIZE];
	char why[512] = "";
	const char *file = NULL;
	int r;

	snp_id_block_encode(&a->params, block);
	r = snp_id_auth_make(block, id, author, auth, why, sizeof(why));
	if (r == 0 && a->block_out && (r = write_bytes(a->block_out, block, sizeof(block))) < 0)
		file = a->block_out;
	if (r == 0 && a->auth_out && (r = write_bytes(a->auth_out, auth, sizeof(auth))) < 0)
		file = a->auth_out;
	if (file)
		snprintf(why, sizeof(why), "%s: %s", file, strerror(-r));
	if (r == 0)
		r = print_b64("id-block", block, sizeof(block));
	if (r == 0)
		r = print_b64("id-auth", auth, sizeof(auth));
	if (r == 0) {
		printf("author-key-enabled=%s\n", author ? "on" : "off");
		r = print_digest("id-key-digest", auth + SNP_ID_AUTH_ID_KEY);
	}
	if (r == 0 && author)
		r = print_digest("author-key-digest", auth + SNP_ID_AUTH_AUTHOR_KEY);
	if (r < 0) {
		fprintf(stderr, "ccimage: snp id-block: %s\n", *why ? why : strerror(-r));
		return EXIT_SYSTEM;
	}
	return fflush(stdout) == 0 ? EXIT_OK : EXIT_SYSTEM;
}

static int run_with_keys(const struct idblock_args *a)
{
	struct snp_id_key *id = NULL, *author = NULL;
	char why[512];
	int r, rc;

	r = a->keyless ? 0 : snp_id_key_load(a->id_key, &id, why, sizeof(why));
	if (r == 0 && a->author_key)
		r = snp_id_key_load(a->author_key, &author, why, sizeof(why));
	if (r < 0) {
		fprintf(stderr, "ccimage: snp id-block: %s\n", why);
		rc = r == -EINVAL ? EXIT_DATA : EXIT_SYSTEM;
	} else {
		rc = emit(a, id, author);
	}
	snp_id_key_free(id);
	snp_id_key_free(author);
	return rc;
}

static int run(int argc, char **argv)
{
	static const struct option options[] = {
	        {"measurement", required_argument, NULL, 'm'},
	        {"policy", required_argument, NULL, 'p'},
	        {"family-id", required_argument, NULL, 'f'},
	        {"image-id", required_argument, NULL, 'i'},
	        {"guest-svn", required_argument, NULL, 's'},
	        {"id-key", required_argument, NULL, 'k'},
	        {"keyless", no_argument, NULL, 'K'},
	        {"author-key", required_argument, NULL, 'a'},
	        {"id-block-out", required_argument, NULL, 'B'},
	        {"id-auth-out", required_argument, NULL, 'A'},
	        {"help", no_argument, NULL, 'h'},
	        {0},
	};
	struct cli cli = {argc, argv, "h", options, usage};
	struct idblock_args a = {.params.policy = SNP_ID_DEFAULT_POLICY};
	int c, rc;

	while (cli_next(&cli, &c))
		if ((rc = take_option(c, optarg, &a)) != EXIT_OK)
			return rc;
	if (cli.stop)
		return cli.exit_code;
	if (!cli_args(&cli, 0, 0))
		return EXIT_USAGE;
	if (!a.have_digest || !a.id_key == !a.keyless) {
		fprintf(stderr, "ccimage: snp id-block: need --measurement, and one of --id-key "
		                "and --keyless\n");
		return cli_usage_error(&cli);
	}
	return run_with_keys(&a);
}

CCIMAGE_COMMAND(snp_id_block, "snp id-block", "sign an SEV-SNP ID block and ID auth structure",
                run);
