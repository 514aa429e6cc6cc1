/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `ccimage snp id-block`: the SEV-SNP ID block and ID auth structure for a
 * launch digest and guest policy (measurement/snp_idblock.h), as files and as
 * the base64 QEMU's sev-snp-guest id-block / id-auth properties take.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "init/base/base64.h"
#include "init/base/cmdfiles.h"
#include "init/base/hex.h"
#include "measurement/rvps.h"
#include "measurement/snp_idblock.h"
#include "init/base/why.h"
#include "rootfs/ccimage/cli.h"
#include "rootfs/ccimage/command.h"

struct idblock_args {
	struct snp_id_params params;
	const char *id_key, *author_key, *block_out, *auth_out;
	bool keyless, have_digest;
};

static const char usage_text[] =
        "usage: ccimage snp id-block --measurement DIGEST (--id-key PEM | --keyless)\n"
        "         [--author-key PEM] [--policy N] [--family-id HEX32] [--image-id HEX32]\n"
        "         [--guest-svn N] [--id-block-out FILE] [--id-auth-out FILE]\n"
        "Signs an SEV-SNP ID block (launch digest, IDs, SVN, guest policy) with an ECDSA\n"
        "P-384 ID key, so the PSP refuses to launch any other digest or policy.\n"
        "DIGEST is the 48-byte launch digest, 96 hex digits or base64 (what `ccimage\n"
        "measure --mode snp` prints). --policy defaults to 0x30000 and must equal the\n"
        "guest policy the VMM launches with; one the SEV-SNP ABI forbids (bit 17 clear,\n"
        "a bit of 63:26 set) is refused. Each key must be a consistent P-384 pair, and\n"
        "each signature is verified before anything is written. --keyless is\n"
        "contrast's form: a fixed signature and the ID key recovered from it, so no\n"
        "private key exists and the output is reproducible; the verifier then checks\n"
        "the report's MEASUREMENT (and may check ID_KEY_DIGEST against the printed one)\n"
        "(measurement/README.md, 13).\n"
        "Prints id-block= and id-auth= (base64: QEMU's sev-snp-guest properties, Kata's\n"
        "snp_id_block and snp_id_auth), the author-key-enabled value (Kata has no knob\n"
        "for it), and the key digests the report carries (hex); the -out files get the\n"
        "raw 96 and 4096 bytes, both or neither, and never replace a key or each other.\n";

/* --measurement: the digest as hex (96 digits) or standard base64 (64 characters). */
static int parse_digest(void *field, const char *s, char *why, size_t why_size)
{
	struct idblock_args *a = field;
	unsigned char buf[49];

	a->have_digest = false;
	if (strlen(s) == 96 && hex_decode(s, 96, a->params.digest, 48) == 48) {
		a->have_digest = true;
	} else if (strlen(s) == 64 && EVP_DecodeBlock(buf, (const unsigned char *)s, 64) == 48) {
		memcpy(a->params.digest, buf, 48);
		a->have_digest = true;
	}
	return a->have_digest ? 0 : why_set(why, why_size, -EINVAL, "want 96 hex digits or base64");
}

/* --family-id, --image-id: 16 bytes as 32 hex digits. */
static int parse_id(void *field, const char *s, char *why, size_t why_size)
{
	if (strlen(s) != 32 || hex_decode(s, 32, field, 16) != 16)
		return why_set(why, why_size, -EINVAL, "want 32 hex digits");
	return 0;
}

/* --policy: a number as C reads it, and a policy the firmware can take. */
static int parse_policy(void *field, const char *s, char *why, size_t why_size)
{
	uint64_t v;
	int r = cli_number(s, 0, 0, UINT64_MAX, &v);

	if (r < 0)
		return why_set(why, why_size, r, "not a number");
	if ((r = snp_policy_check(v, why, why_size)) == 0)
		*(uint64_t *)field = v;
	return r;
}

/* Both -out files or neither, each written beside its path and renamed once both are. */
static int write_outputs(const struct idblock_args *a, const uint8_t *block, const uint8_t *auth,
                         char *why, size_t why_size)
{
	struct output_set set = {0};
	const char *file = NULL;
	int r = 0;

	if (a->block_out && (r = output_set_add(&set, a->block_out, block, SNP_ID_BLOCK_SIZE)) < 0)
		file = a->block_out;
	if (r == 0 && a->auth_out &&
	    (r = output_set_add(&set, a->auth_out, auth, SNP_ID_AUTH_SIZE)) < 0)
		file = a->auth_out;
	if (r == 0 && (r = output_set_commit(&set)) < 0)
		file = a->block_out ? a->block_out : a->auth_out;
	output_set_abandon(&set);
	if (r < 0)
		return why_set(why, why_size, r, "%s: %s", file, strerror(-r));
	return 0;
}

static int print_b64(const char *label, const uint8_t *data, size_t n)
{
	char *b64;
	int r = base64_encode(data, n, &b64);

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
	int r;

	snp_id_block_encode(&a->params, block);
	r = snp_id_auth_make(block, id, author, auth, why, sizeof(why));
	if (r == 0)
		r = write_outputs(a, block, auth, why, sizeof(why));
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
		fprintf(stderr, "ccimage: snp id-block: %s\n", why_or_errno(why, r));
		return cli_exit_code(r);
	}
	return fflush(stdout) == 0 ? EXIT_OK : EXIT_SYSTEM;
}

/*
 * Every file the command names, before one is read or written: an output is
 * never a key, the other output, or anything but a new or regular file.
 */
static int check_files(const struct idblock_args *a)
{
	const struct cli_file files[] = {
	        {"--id-key", a->id_key},
	        {"--author-key", a->author_key},
	        {"--id-block-out", a->block_out, .output = true},
	        {"--id-auth-out", a->auth_out, .output = true},
	};

	return cli_check_files("snp id-block", files, sizeof(files) / sizeof(files[0]));
}

static int run_with_keys(const struct idblock_args *a)
{
	struct snp_id_key *id = NULL, *author = NULL;
	char why[512];
	int r = 0, rc = check_files(a);

	if (rc != EXIT_OK)
		goto out;
	if (!a->keyless)
		r = snp_id_key_load(a->id_key, &id, why, sizeof(why));
	if (r == 0 && a->author_key)
		r = snp_id_key_load(a->author_key, &author, why, sizeof(why));
	if (r < 0) {
		fprintf(stderr, "ccimage: snp id-block: %s\n", why);
		rc = cli_exit_code(r);
	} else {
		rc = emit(a, id, author);
	}
out:
	snp_id_key_free(id);
	snp_id_key_free(author);
	return rc;
}

static int run(int argc, char **argv)
{
	struct idblock_args a = {.params.policy = SNP_ID_DEFAULT_POLICY};
	const struct cli_opt opts[] = {
	        CLI_CALL("measurement", 0, &a, parse_digest, "DIGEST", NULL),
	        CLI_CALL("policy", 0, &a.params.policy, parse_policy, "N", NULL),
	        CLI_CALL("family-id", 0, a.params.family_id, parse_id, "HEX32", NULL),
	        CLI_CALL("image-id", 0, a.params.image_id, parse_id, "HEX32", NULL),
	        CLI_NUMBER_C("guest-svn", 0, &a.params.guest_svn, 0, UINT32_MAX, "N", NULL),
	        CLI_STRING("id-key", 0, &a.id_key, "PEM", NULL),
	        CLI_FLAG("keyless", 0, &a.keyless, NULL),
	        CLI_STRING("author-key", 0, &a.author_key, "PEM", NULL),
	        CLI_STRING("id-block-out", 0, &a.block_out, "FILE", NULL),
	        CLI_STRING("id-auth-out", 0, &a.auth_out, "FILE", NULL),
	        {0},
	};
	struct cli cli = {argc, argv, usage_text, opts};

	if (!cli_parse(&cli, 0, 0))
		return cli.exit_code;
	if (!a.have_digest || !a.id_key == !a.keyless) {
		fprintf(stderr, "ccimage: snp id-block: need --measurement, and one of --id-key "
		                "and --keyless\n");
		return cli_usage_error(&cli);
	}
	/* Standard output carries the printed values; the raw bytes need a file. */
	if ((a.block_out && strcmp(a.block_out, "-") == 0) ||
	    (a.auth_out && strcmp(a.auth_out, "-") == 0)) {
		fprintf(stderr, "ccimage: snp id-block: --id-block-out and --id-auth-out take a "
		                "file, not -\n");
		return EXIT_USAGE;
	}
	return run_with_keys(&a);
}

CCIMAGE_COMMAND(snp_id_block, "snp id-block", "sign an SEV-SNP ID block and ID auth structure",
                run);
