/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "init/core/config.h"
#include "init/base/log.h"
#include "tests/lib/tap.h"

#define ROOT_HASH "34d438f29561883ab6af7a59e3305759398581ecdf55976c1aa20456f307d2d9"
#define VERITY                                                                                     \
	"root_hash=" ROOT_HASH ",salt=abab,data_blocks=19,data_block_size=4096,hash_block_size="   \
	"4096"

static int parse(struct ccinit_config *c, const char *cmdline, char *why)
{
	config_init(c);
	return config_parse(c, cmdline, why, 256);
}

TEST(defaults)
{
	struct ccinit_config c;
	char why[256] = "";
	ASSERT_EQ(parse(&c, "console=ttyS0 quiet ro", why), 0);
	ASSERT_STR(c.agent, "/usr/bin/kata-agent");
	ASSERT_EQ(c.supervise, false);
	ASSERT_EQ(c.root_timeout_s, 10);
	ASSERT_EQ(c.on_failure, ON_FAILURE_POWEROFF);
	ASSERT_EQ(c.uvm_persistence, true);
	ASSERT_EQ(c.log_level, LOG_WARNING);
	ASSERT_EQ(c.gpu, GPU_AUTO);
	ASSERT_EQ(c.gpu_count, -1);
	ASSERT_EQ(c.nvswitch_count, -1);
	ASSERT_EQ(c.attester, ATTESTER_AUTO);
	ASSERT_EQ(c.gpu_attest, GPU_ATTEST_LOCAL);
	ASSERT_EQ(parse(&c, "ccinit.gpu.count=8 ccinit.nvswitch.count=0 ccinit.attester=none", why),
	          0);
	ASSERT_EQ(c.gpu_count, 8);
	ASSERT_EQ(c.nvswitch_count, 0);
	ASSERT_EQ(c.attester, ATTESTER_NONE);
}

TEST(typed_knobs)
{
	struct ccinit_config c;
	char why[256] = "";
	ASSERT_EQ(
	        parse(&c,
	              "ccinit.log=debug ccinit.supervise=YES ccinit.agent=/sbin/agent "
	              "ccinit.root=serial:root ccinit.root.verity=" VERITY
	              " ccinit.root.timeout=30 "
	              "ccinit.scratch=tmpfs ccinit.scratch.size=512M ccinit.scratch.integrity=aead "
	              "ccinit.modules.extra=vfio,vfio_pci ccinit.gpu=required "
	              "ccinit.gpu.cc=devtools ccinit.gpu.attest=off "
	              "ccinit.on_failure=reboot nvrc.smi.lgc=1980 nvrc.smi.srs=1 nvrc.dcgm=on "
	              "nvrc.uvm.persistence.mode=false",
	              why),
	        0);
	ASSERT_EQ(c.log_level, LOG_DEBUG);
	ASSERT_TRUE(c.supervise);
	ASSERT_STR(c.agent, "/sbin/agent");
	ASSERT_STR(c.root, "serial:root");
	ASSERT_TRUE(c.root_verity_set);
	ASSERT_EQ(c.root_verity.data_blocks, 19);
	ASSERT_EQ(c.root_verity.salt_size, 2);
	ASSERT_EQ(c.root_timeout_s, 30);
	ASSERT_STR(c.scratch, "tmpfs");
	ASSERT_EQ(c.scratch_size, 512ull << 20);
	ASSERT_EQ(c.scratch_integrity, INTEGRITY_AEAD);
	ASSERT_EQ(c.modules_extra.count, 2);
	ASSERT_STR(c.modules_extra.names[1], "vfio_pci");
	ASSERT_EQ(c.gpu, GPU_REQUIRED);
	ASSERT_EQ(c.gpu_cc, GPU_CC_DEVTOOLS);
	ASSERT_EQ(c.gpu_attest, GPU_ATTEST_OFF);
	ASSERT_EQ(c.on_failure, ON_FAILURE_REBOOT);
	ASSERT_EQ(c.smi_lgc, 1980);
	ASSERT_STR(c.smi_srs, "1");
	ASSERT_TRUE(c.dcgm);
	ASSERT_FALSE(c.uvm_persistence);
}

TEST(last_occurrence_wins)
{
	struct ccinit_config c;
	char why[256] = "";
	ASSERT_EQ(parse(&c, "ccinit.agent=/a ccinit.supervise=1 ccinit.agent=/b ccinit.supervise=0",
	                why),
	          0);
	ASSERT_STR(c.agent, "/b");
	ASSERT_FALSE(c.supervise);
}

/* Every malformed value is a failure that names the knob. */
TEST(malformed_values_name_the_knob)
{
	static const char *const bad[][2] = {
	        {"ccinit.log=loud", "ccinit.log"},
	        {"ccinit.supervise=maybe", "ccinit.supervise"},
	        {"ccinit.agent=relative/path", "ccinit.agent"},
	        {"ccinit.agent=/a/../b", "ccinit.agent"},
	        {"ccinit.root=vda", "ccinit.root"},
	        {"ccinit.root=/dev/vda,/dev/vdb,/dev/vdc", "ccinit.root"},
	        {"ccinit.root.timeout=0", "ccinit.root.timeout"},
	        {"ccinit.root.timeout=10s", "ccinit.root.timeout"},
	        {"ccinit.root.timeout=601", "ccinit.root.timeout"},
	        {"ccinit.root.verity=root_hash=00", "ccinit.root.verity"},
	        {"ccinit.scratch=ramdisk", "ccinit.scratch"},
	        {"ccinit.scratch.size=lots", "ccinit.scratch.size"},
	        {"ccinit.scratch.size=0", "ccinit.scratch.size"},
	        {"ccinit.scratch.integrity=crc32", "ccinit.scratch.integrity"},
	        {"ccinit.modules.extra=a,../b", "ccinit.modules.extra"},
	        {"ccinit.modules.extra=", "ccinit.modules.extra"},
	        {"ccinit.gpu=auto", "ccinit.gpu"},
	        {"ccinit.gpu.cc=", "ccinit.gpu.cc"},
	        {"ccinit.gpu.attest=remote", "ccinit.gpu.attest: 'remote' is not one of"},
	        {"ccinit.gpu.count=33", "ccinit.gpu.count: '33' is not a number in 0-32"},
	        {"ccinit.nvswitch.count=-1", "ccinit.nvswitch.count"},
	        {"ccinit.attester=default", "ccinit.attester"},
	        {"ccinit.on_failure=explode", "ccinit.on_failure"},
	        {"nvrc.log=verbose", "nvrc.log"},
	        {"nvrc.smi.lgc=-1", "nvrc.smi.lgc"},
	        {"nvrc.smi.pl=99999999999", "nvrc.smi.pl"},
	        {"nvrc.smi.srs=2", "nvrc.smi.srs"},
	        {"nvrc.dcgm=sure", "nvrc.dcgm"},
	        {"kata.extension.gpu.verity_params=root_hash=zz",
	         "kata.extension.gpu.verity_params"},
	        {"kata.extension.....verity_params=" VERITY, "kata.extension"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct ccinit_config c;
		char why[256] = "";
		if (parse(&c, bad[i][0], why) != -EINVAL)
			tap_fail("'%s' was accepted", bad[i][0]);
		ASSERT_CONTAINS(why, bad[i][1]);
	}
}

TEST(unknown_ccinit_knob_refused_unknown_nvrc_ignored)
{
	struct ccinit_config c;
	char why[256] = "";
	log_to_stderr();
	ASSERT_EQ(parse(&c, "ccinit.rooot=/dev/vda", why), -EINVAL);
	ASSERT_CONTAINS(why, "ccinit.rooot: unknown ccinit knob");
	ASSERT_EQ(parse(&c, "nvrc.mode=gpu nvrc.fm.mode=0", why), 0);
}

TEST(debug_shell_refused_in_production)
{
	struct ccinit_config c;
	char why[256] = "";
#ifdef CCINIT_DEBUG_BUILD
	ASSERT_EQ(parse(&c, "ccinit.debug.shell=1", why), 0);
#else
	ASSERT_EQ(parse(&c, "ccinit.debug.shell=1", why), -EINVAL);
	ASSERT_CONTAINS(why, "production build");
#endif
	ASSERT_EQ(parse(&c, "ccinit.debug.shell=0", why), 0);
}

TEST(quotes_and_init_arguments)
{
	struct ccinit_config c;
	char why[256] = "";
	ASSERT_EQ(parse(&c,
	                "dm-mod.create=\"dm-verity,,,ro,0 8 verity 1 /dev/vda1 /dev/vda2 4096 4096 "
	                "1 0 "
	                "sha256 " ROOT_HASH " -\" ccinit.agent=\"/sbin/agent\" -- ccinit.bogus=1",
	                why),
	          0);
	ASSERT_STR(c.agent, "/sbin/agent");
	ASSERT_CONTAINS(c.dm_create, "verity 1 /dev/vda1");
}

TEST(nvrc_log_meaning)
{
	struct ccinit_config c;
	char why[256] = "";
	ASSERT_EQ(parse(&c, "nvrc.log=trace", why), 0);
	ASSERT_TRUE(c.nvrc_log_present);
	ASSERT_TRUE(c.children_to_kmsg);
	ASSERT_EQ(c.nvrc_log_level, LOG_DEBUG);
	ASSERT_EQ(parse(&c, "nvrc.log=", why), 0);
	ASSERT_TRUE(c.nvrc_log_present);
	ASSERT_EQ(c.nvrc_log_level, -1);
}

TEST(extensions)
{
	struct ccinit_config c;
	char why[256] = "";
	ASSERT_EQ(parse(&c,
	                "kata.extension.gpu.verity_params=" VERITY
	                " kata.extension.devkit.verity_params",
	                why),
	          0);
	ASSERT_EQ(c.extension_count, 2);
	ASSERT_STR(c.extensions[0].name, "gpu");
	ASSERT_TRUE(c.extensions[0].has_params);
	ASSERT_STR(c.extensions[1].name, "devkit");
	ASSERT_FALSE(c.extensions[1].has_params);
}

/* A verifier matching the measured command line would see the first value; ccinit the last. */
TEST(security_knobs_given_twice_are_refused)
{
	static const char *const twice[][2] = {
	        {"ccinit.root=/dev/vda ccinit.root=/dev/vdb", "ccinit.root: given twice"},
	        {"ccinit.root.verity=" VERITY " ccinit.root.verity=" VERITY,
	         "ccinit.root.verity: given twice"},
	        {"ccinit.scratch=tmpfs ccinit.scratch=/dev/vdc", "ccinit.scratch: given twice"},
	        {"ccinit.gpu=required ccinit.gpu=off", "ccinit.gpu: given twice"},
	        {"ccinit.gpu.cc=on ccinit.gpu.cc=off", "ccinit.gpu.cc: given twice"},
	        {"ccinit.gpu.attest=local ccinit.gpu.attest=off", "ccinit.gpu.attest: given twice"},
	        {"ccinit.gpu.count=8 ccinit.gpu.count=7", "ccinit.gpu.count: given twice"},
	        {"ccinit.nvswitch.count=4 ccinit.nvswitch.count=0",
	         "ccinit.nvswitch.count: given twice"},
	        {"ccinit.attester=none ccinit.attester=nvidia", "ccinit.attester: given twice"},
	        {"kata.extension.gpu.verity_params=" VERITY " kata.extension.gpu.verity_params",
	         "kata.extension.gpu.verity_params: given twice"},
	        {"kata.extension.gpu.verity_params kata.extension.gpu.verity_params=" VERITY,
	         "kata.extension.gpu.verity_params: given twice"},
	        /* The kernel's rule: '-' and '_' are one character in a parameter name. */
	        {"kata.extension.gpu.verity_params=" VERITY " kata.extension.gpu.verity-params",
	         "kata.extension.gpu.verity-params: given twice"},
	        {"kata.extension.my-ext.verity_params kata.extension.my_ext.verity_params",
	         "kata.extension.my_ext.verity_params: given twice"},
	        /* dm-init builds the last dm-mod.create=, in either spelling. */
	        {"dm-mod.create=\"a,,,ro,0 8 verity\" dm-mod.create=\"b,,,ro,0 8 verity\"",
	         "dm-mod.create: given twice"},
	        {"dm-mod.create=\"a,,,ro,0 8 verity\" dm_mod.create=\"b,,,ro,0 8 verity\"",
	         "dm_mod.create: given twice"},
	        {"dm_mod.create=x dm-mod.create=y", "dm-mod.create: given twice"},
	};
	for (size_t i = 0; i < sizeof(twice) / sizeof(twice[0]); i++) {
		struct ccinit_config c;
		char why[256] = "";
		if (parse(&c, twice[i][0], why) != -EINVAL)
			tap_fail("'%s' was accepted", twice[i][0]);
		ASSERT_CONTAINS(why, twice[i][1]);
	}
	/* Once each is fine, as are two different extensions and repeated ordinary knobs. */
	struct ccinit_config c;
	char why[256] = "";
	ASSERT_EQ(parse(&c,
	                "ccinit.root=/dev/vda ccinit.root.verity=" VERITY
	                " ccinit.scratch=tmpfs ccinit.gpu=off ccinit.gpu.cc=any "
	                "kata.extension.a.verity_params kata.extension.b.verity_params "
	                "ccinit.log=info ccinit.log=debug ccinit.root.timeout=3 "
	                "ccinit.root.timeout=4",
	                why),
	          0);
	ASSERT_EQ(c.root_timeout_s, 4);
}

/* Every parameter ccinit reads is named as the kernel names it: '-' and '_' alike. */
TEST(parameter_names_follow_the_kernels_rule)
{
	struct ccinit_config c;
	char why[256] = "";
	ASSERT_EQ(parse(&c,
	                "ccinit.on-failure=reboot dm_mod.create=\"dm-verity,,,ro,0 8 verity\" "
	                "kata.extension.my-ext.verity-params",
	                why),
	          0);
	ASSERT_EQ(c.on_failure, ON_FAILURE_REBOOT);
	ASSERT_TRUE(c.dm_create_set);
	ASSERT_STR(c.dm_create, "dm-verity,,,ro,0 8 verity");
	/* The disk is found by the serial the name spells. */
	ASSERT_STR(c.extensions[0].name, "my-ext");
	/* Only '-' and '_' are alike: a '.' is not a '-'. */
	ASSERT_EQ(parse(&c, "ccinit.on-failure.x=1", why), -EINVAL);
	ASSERT_CONTAINS(why, "ccinit.on-failure.x: unknown ccinit knob");
}

/* The disk is found by virtio serial "extension-<name>" (20 bytes): 10 characters at most. */
TEST(extension_names_fit_a_virtio_serial)
{
	struct ccinit_config c;
	char why[256] = "";
	ASSERT_EQ(parse(&c, "kata.extension.abcdefghij.verity_params=" VERITY, why), 0);
	ASSERT_STR(c.extensions[0].name, "abcdefghij");
	ASSERT_EQ(parse(&c, "kata.extension.abcdefghijk.verity_params=" VERITY, why), -EINVAL);
	ASSERT_CONTAINS(why, "longer than 10 characters (a virtio serial holds 20 bytes");
	char long_name[160];
	snprintf(long_name, sizeof(long_name), "kata.extension.%s.verity_params",
	         "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabc");
	ASSERT_EQ(parse(&c, long_name, why), -EINVAL);
	ASSERT_CONTAINS(why, "longer than 10 characters");
}

/* The README's knob table is generated from the knob table: they must be equal. */
TEST(readme_knob_table_is_current)
{
	char table[16384], readme[131072];
	ASSERT_TRUE(config_knob_table_markdown(table, sizeof(table)) > 0);
	int fd = open("README.md", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		tap_fail("README.md not found (run from the repository root)");
	ssize_t n = read(fd, readme, sizeof(readme) - 1);
	close(fd);
	ASSERT_TRUE(n > 0);
	readme[n] = '\0';
	const char *begin = strstr(readme, "<!-- knobs:begin -->\n");
	const char *end = strstr(readme, "<!-- knobs:end -->");
	ASSERT_TRUE(begin && end && end > begin);
	begin += strlen("<!-- knobs:begin -->\n");
	if ((size_t)(end - begin) != strlen(table) || memcmp(begin, table, strlen(table)) != 0) {
		printf("# README's knob table differs from init/core/config.c; it should read:\n%s",
		       table);
		tap_fail("README knob table out of date");
	}
}
