/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The dm-verity table grammar (init/base/verity_table.c) and rootfs mode's
 * field-by-field comparison of the live table with the measured command line
 * (init/rootfs_check.c). The live tables here are written as the 6.12
 * kernel's verity_status prints them.
 */
#include <errno.h>

#include "init/base/verity_table.h"
#include "init/rootfs_check.h"
#include "tests/lib/tap.h"

#define RH   "34d438f29561883ab6af7a59e3305759398581ecdf55976c1aa20456f307d2d9"
#define SALT "5f1a9bcd00112233445566778899aabbccddeeff00112233445566778899aabb"
/* What the kernel's dm-init built from DM_CREATE, as DM_TABLE_STATUS reads it back. */
#define LIVE      "1 254:1 254:2 4096 4096 19 0 sha256 " RH " " SALT
#define DM_CREATE "dm-verity,,,ro,0 152 verity 1 254:1 254:2 4096 4096 19 0 sha256 " RH " " SALT
#define KATA                                                                                       \
	"root_hash=" RH ",salt=" SALT ",data_blocks=19,data_block_size=4096,hash_block_size=4096"

TEST(kernel_status_line_with_every_option_round_trips)
{
	static const char line[] =
	        "1 254:1 254:2 4096 4096 19 0 sha256 " RH " " SALT " 13 restart_on_corruption "
	        "panic_on_error try_verify_in_tasklet use_fec_from_device 254:3 fec_roots 2 "
	        "fec_blocks 21 fec_start 0 root_hash_sig_key_desc ccinit:root";
	struct verity_table t, u;
	char why[256], out[2048];
	ASSERT_EQ(verity_table_parse(&t, line, why, sizeof(why)), 0);
	ASSERT_EQ(t.on_corruption, VERITY_MODE_RESTART);
	ASSERT_EQ(t.on_error, VERITY_MODE_PANIC);
	ASSERT_TRUE(t.try_verify_in_tasklet);
	ASSERT_STR(t.fec_dev, "254:3");
	ASSERT_EQ(t.fec_blocks, 21);
	ASSERT_STR(t.sig_key_desc, "ccinit:root");
	ASSERT_EQ(t.root_digest_size, 32);
	ASSERT_TRUE(verity_table_format(&t, out, sizeof(out)) > 0);
	ASSERT_STR(out, line); /* the kernel's own order */
	ASSERT_EQ(verity_table_parse(&u, out, why, sizeof(why)), 0);
	ASSERT_MEM(&t, &u, sizeof(t));
	ASSERT_TRUE(verity_table_weakening(&t) == NULL);
}

TEST(option_names_in_any_case_as_the_kernel_reads_them)
{
	struct verity_table t;
	char why[256];
	ASSERT_EQ(verity_table_parse(&t, LIVE " 1 IGNORE_Corruption", why, sizeof(why)), 0);
	ASSERT_STR(verity_table_weakening(&t), "ignore_corruption");
	ASSERT_EQ(verity_table_parse(&t, LIVE " 1 Check_At_Most_Once", why, sizeof(why)), 0);
	ASSERT_STR(verity_table_weakening(&t), "check_at_most_once");
	ASSERT_EQ(verity_table_parse(&t, LIVE " 1 ignore_zero_blocks", why, sizeof(why)), 0);
	ASSERT_STR(verity_table_weakening(&t), "ignore_zero_blocks");
}

TEST(malformed_tables_name_the_field)
{
	static const char *const bad[][2] = {
	        {LIVE " 1 ignore_everything", "unknown optional parameter 'ignore_everything'"},
	        {LIVE " 2 restart_on_corruption", "count is 2, 1 words follow"},
	        {LIVE " 2 restart_on_corruption panic_on_corruption", "a second failure mode"},
	        {LIVE " 2 restart_on_error panic_on_error", "a second failure mode"},
	        {LIVE " 2 ignore_zero_blocks ignore_zero_blocks", "ignore_zero_blocks given twice"},
	        {LIVE " 1 use_fec_from_device", "use_fec_from_device missing"},
	        {LIVE " 2 fec_roots two", "fec_roots 'two' is not a number"},
	        {LIVE " 4 use_fec_from_device 254:3 fec_roots 2", "go together"},
	        {"2 254:1 254:2 4096 4096 19 0 sha256 " RH " -", "version '2' is not a number"},
	        {"1 254:1 254:2 4096 4096 +19 0 sha256 " RH " -", "data blocks '+19'"},
	        {"1 254:1 254:2 4096 4096 19 0 sha256 " RH, "salt missing"},
	        {"1 254:1 254:2 4096 4096 19 0 sha256 xyz -", "root digest 'xyz' is not hex"},
	        {"1 254:1 254:2 4096 4096 99999999999999999999 0 sha256 " RH " -",
	         "data blocks '99999999999999999999' is not a number"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct verity_table t;
		char why[256] = "";
		if (verity_table_parse(&t, bad[i][0], why, sizeof(why)) != -EINVAL)
			tap_fail("'%s' was accepted", bad[i][0]);
		ASSERT_CONTAINS(why, bad[i][1]);
	}
}

/* What ccimage and the Kata model wrote with snprintf before this grammar existed. */
TEST(dm_create_writes_what_kata_writes)
{
	struct verity_params p;
	struct dm_create d, e;
	char why[256], out[1024];
	ASSERT_EQ(verity_params_parse(&p, KATA, why, sizeof(why)), 0);
	dm_create_from_params(&d, &p, "/dev/vda1", "/dev/vda2");
	ASSERT_TRUE(dm_create_format(&d, out, sizeof(out)) > 0);
	ASSERT_STR(out, "\"dm-verity,,,ro,0 152 verity 1 /dev/vda1 /dev/vda2 4096 4096 19 0 "
	                "sha256 " RH " " SALT "\"");
	/* The reader takes it back (without the quotes, which the command line drops). */
	out[strlen(out) - 1] = '\0';
	ASSERT_EQ(dm_create_parse(&e, out + 1, why, sizeof(why)), 0);
	ASSERT_MEM(&d, &e, sizeof(d));
	ASSERT_EQ(dm_create_format(&d, out, 40), -ENOSPC);
}

TEST(dm_create_one_read_only_verity_device)
{
	static const char *const bad[][2] = {
	        {DM_CREATE ";other,,,ro,0 8 linear 254:1 0", "more than one device"},
	        {DM_CREATE ",152 8 linear 254:1 0", "more than one table"},
	        {"dm-verity,,,rw,0 152 verity 1 254:1 254:2 4096 4096 19 0 sha256 " RH " -",
	         "flags 'rw' is not ro"},
	        {"dm-verity,,,ro,0 152 linear 254:1 0", "the target is linear, not verity"},
	        {"dm-verity,,,ro,0x0 152 verity 1 254:1 254:2 4096 4096 19 0 sha256 " RH " -",
	         "start '0x0' is not a number"},
	        {",,,ro,0 152 verity 1 254:1 254:2 4096 4096 19 0 sha256 " RH " -",
	         "the device has no name"},
	        {"dm-verity,,x,ro,0 152 verity", "minor 'x' is not a number"},
	        {"dm-verity,,,ro", "no flags field"},
	        {"dm-verity,,,ro,0 152", "no target type"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct dm_create d;
		char why[256] = "";
		if (dm_create_parse(&d, bad[i][0], why, sizeof(why)) >= 0)
			tap_fail("'%s' was accepted", bad[i][0]);
		ASSERT_CONTAINS(why, bad[i][1]);
	}
	/* dm-init drops spaces around each field. */
	struct dm_create d;
	char why[256];
	ASSERT_EQ(dm_create_parse(&d,
	                          " dm-verity , , 7 , ro , 0 152 verity 1 254:1 254:2 4096 "
	                          "4096 19 0 sha256 " RH " -",
	                          why, sizeof(why)),
	          0);
	ASSERT_STR(d.name, "dm-verity");
	ASSERT_STR(d.minor, "7");
	ASSERT_EQ(d.sectors, 152);
}

struct expect {
	struct rootfs_live live;
	struct dm_create dm;
	struct verity_params kata;
};

static void expect(struct expect *e, const char *live, const char *dm, const char *kata)
{
	char why[256];
	snprintf(e->live.name, sizeof(e->live.name), "dm-verity");
	e->live.sectors = 152;
	if (verity_table_parse(&e->live.table, live, why, sizeof(why)) < 0 ||
	    dm_create_parse(&e->dm, dm, why, sizeof(why)) < 0 ||
	    verity_params_parse(&e->kata, kata, why, sizeof(why)) < 0)
		tap_fail("fixture: %s", why);
}

static int compare(const char *live, const char *dm, const char *kata, char *why, size_t size)
{
	struct expect e;
	expect(&e, live, dm, kata);
	return rootfs_compare(&e.live, &e.dm, &e.kata, why, size);
}

TEST(live_table_as_the_line_says)
{
	char why[256] = "";
	ASSERT_EQ(compare(LIVE, DM_CREATE, KATA, why, sizeof(why)), 0);
	/* The failure modes that only choose how a failure ends, when the line names them. */
	ASSERT_EQ(compare(LIVE " 2 panic_on_corruption restart_on_error",
	                  DM_CREATE " 2 restart_on_error panic_on_corruption", KATA, why,
	                  sizeof(why)),
	          0);
}

/* Each case: the live table, dm-mod.create=, ccinit.root.verity, and the words naming the field. */
TEST(every_field_is_compared)
{
	static const char *const cases[][4] = {
	        {LIVE " 1 ignore_corruption", DM_CREATE " 1 ignore_corruption", KATA,
	         "is verified with ignore_corruption, which weakens dm-verity"},
	        {LIVE, DM_CREATE " 1 ignore_zero_blocks", KATA, "with ignore_zero_blocks"},
	        {LIVE " 1 check_at_most_once", DM_CREATE, KATA, "with check_at_most_once"},
	        {LIVE " 1 restart_on_corruption", DM_CREATE, KATA,
	         "/ has on corruption restart, dm-mod.create= says eio (the default)"},
	        {LIVE, DM_CREATE " 1 panic_on_error", KATA,
	         "/ has on error eio (the default), dm-mod.create= says panic"},
	        {LIVE " 1 try_verify_in_tasklet", DM_CREATE, KATA, "try_verify_in_tasklet set"},
	        {LIVE " 2 root_hash_sig_key_desc k", DM_CREATE, KATA, "root_hash_sig_key_desc k"},
	        {"1 254:1 254:2 4096 4096 19 0 sha256 " RH " " SALT
	         " 8 use_fec_from_device 254:3 fec_roots 2 fec_blocks 21 fec_start 0",
	         DM_CREATE, KATA, "/ has use_fec_from_device 254:3, dm-mod.create= says none"},
	        {"1 254:3 254:2 4096 4096 19 0 sha256 " RH " " SALT, DM_CREATE, KATA,
	         "/ has data_dev 254:3, dm-mod.create= says 254:1"},
	        {"1 254:1 254:1 4096 4096 19 0 sha256 " RH " " SALT, DM_CREATE, KATA,
	         "/ has hash_dev 254:1, dm-mod.create= says 254:2"},
	        {"0 254:1 254:2 4096 4096 19 0 sha256 " RH " " SALT, DM_CREATE, KATA,
	         "/ has version 0"},
	        {"1 254:1 254:2 4096 4096 19 1 sha256 " RH " " SALT, DM_CREATE, KATA,
	         "/ has hash_start 1, dm-mod.create= says 0"},
	        {"1 254:1 254:2 4096 4096 18 0 sha256 " RH " " SALT, DM_CREATE, KATA,
	         "/ has data_blocks 18, dm-mod.create= says 19"},
	        {"1 254:1 254:2 4096 4096 19 0 sha256-generic " RH " " SALT,
	         "dm-verity,,,ro,0 152 verity 1 254:1 254:2 4096 4096 19 0 sha256-generic " RH
	         " " SALT,
	         KATA, "/ has algorithm sha256-generic, ccinit.root.verity says sha256"},
	        {"1 254:1 254:2 4096 4096 19 0 sha256-generic " RH " " SALT, DM_CREATE, KATA,
	         "/ has algorithm sha256-generic, dm-mod.create= says sha256"},
	        {"1 254:1 254:2 4096 4096 19 0 sha256 " RH " -", DM_CREATE, KATA,
	         "/ has salt -, dm-mod.create= says " SALT},
	        {LIVE, DM_CREATE,
	         "root_hash=" RH ",salt=00" SALT ",data_blocks=19,data_block_size=4096,"
	         "hash_block_size=4096",
	         "/ has salt " SALT ", ccinit.root.verity says 00" SALT},
	        {LIVE, DM_CREATE,
	         "root_hash=" RH ",salt=" SALT ",data_blocks=20,data_block_size=4096,"
	         "hash_block_size=4096",
	         "/ has data_blocks 19, ccinit.root.verity says 20"},
	        {LIVE, DM_CREATE,
	         "root_hash=" RH ",salt=" SALT ",data_blocks=19,data_block_size=4096,"
	         "hash_block_size=512",
	         "/ has hash_block_size 4096, ccinit.root.verity says 512"},
	        {LIVE, "other,,,ro,0 152 verity 1 254:1 254:2 4096 4096 19 0 sha256 " RH " " SALT,
	         KATA, "/ has device name dm-verity, dm-mod.create= says other"},
	        {LIVE,
	         "dm-verity,,,ro,0 144 verity 1 254:1 254:2 4096 4096 19 0 sha256 " RH " " SALT,
	         KATA, "/ has length in sectors 152, dm-mod.create= says 144"},
	        {LIVE,
	         "dm-verity,,,ro,0 152 verity 1 PARTUUID=1 254:2 4096 4096 19 0 sha256 " RH
	         " " SALT,
	         KATA, "device 'PARTUUID=1' is neither MAJ:MIN nor a /dev path"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char why[256] = "";
		if (compare(cases[i][0], cases[i][1], cases[i][2], why, sizeof(why)) >= 0)
			tap_fail("case %zu (%s) passed", i, cases[i][3]);
		ASSERT_CONTAINS(why, cases[i][3]);
	}
}

TEST(root_hash_from_either_source)
{
	struct expect e;
	char why[256] = "";
	expect(&e, "1 254:1 254:2 4096 4096 19 0 sha256 00" RH " " SALT, DM_CREATE, KATA);
	ASSERT_EQ(rootfs_compare(&e.live, NULL, &e.kata, why, sizeof(why)), -EKEYREJECTED);
	ASSERT_CONTAINS(why, "/ has root hash 00" RH ", ccinit.root.verity says " RH);
	ASSERT_EQ(rootfs_compare(&e.live, &e.dm, NULL, why, sizeof(why)), -EKEYREJECTED);
	ASSERT_CONTAINS(why, "/ has root hash 00" RH ", dm-mod.create= says " RH);
}

TEST(without_dm_create_no_optional_parameter_and_every_block_covered)
{
	struct expect e;
	char why[256] = "";
	expect(&e, LIVE, DM_CREATE, KATA);
	ASSERT_EQ(rootfs_compare(&e.live, NULL, &e.kata, why, sizeof(why)), 0);
	expect(&e, LIVE " 1 panic_on_corruption", DM_CREATE, KATA);
	ASSERT_EQ(rootfs_compare(&e.live, NULL, &e.kata, why, sizeof(why)), -EKEYREJECTED);
	ASSERT_CONTAINS(why, "/ has on corruption panic, dm-mod.create= says eio");
	expect(&e, LIVE, DM_CREATE, KATA);
	e.live.sectors = 160; /* a target longer than its verified blocks */
	ASSERT_EQ(rootfs_compare(&e.live, NULL, &e.kata, why, sizeof(why)), -EKEYREJECTED);
	ASSERT_CONTAINS(why, "is 160 sectors long, its 19 data blocks of 4096 bytes are not");
}

TEST(devices_resolve_to_the_kernels_numbers)
{
	char dev[24], why[256] = "";
	ASSERT_EQ(rootfs_resolve_device("254:01", dev, why, sizeof(why)), 0);
	ASSERT_STR(dev, "254:1");
	ASSERT_EQ(rootfs_resolve_device("/dev/null", dev, why, sizeof(why)), -ENOTBLK);
	ASSERT_CONTAINS(why, "/dev/null is not a block device");
	ASSERT_EQ(rootfs_resolve_device("/dev/ccinit-no-such-disk", dev, why, sizeof(why)),
	          -ENODEV);
	ASSERT_EQ(rootfs_resolve_device("254:", dev, why, sizeof(why)), -EINVAL);
	ASSERT_EQ(rootfs_resolve_device("99999999999:1", dev, why, sizeof(why)), -EINVAL);
}
