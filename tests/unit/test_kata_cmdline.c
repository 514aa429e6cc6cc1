/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Kata's command line from a configuration TOML (measurement/kata/): the
 * TOML reader's errors, and each rule of measurement/README.md, 11 on small
 * configurations. The four shipped configurations against golden strings
 * are tests/reference/kata-cmdline.sh.
 */
#include <errno.h>
#include <stdlib.h>

#include "measurement/kata/cmdline.h"
#include "tests/lib/tap.h"

#define RH   "768cd7e848f6cb7eb4f59467b26ee5c5e45ece570cb96a5c952d97dbc89bb150"
#define SALT "63f8dacc786bd19f307be8668c7792a8fe07818df4aae55b63e76c4931d35c76"
#define VERITY                                                                                     \
	"root_hash=" RH ",salt=" SALT ",data_blocks=96512,data_block_size=4096,hash_block_size="   \
	"4096"

#define AMD64                                                                                      \
	"tsc=reliable no_timer_check rcupdate.rcu_expedited=1 i8042.direct=1 i8042.dumbkbd=1 "     \
	"i8042.nopnp=1 i8042.noaux=1 noreplace-smp reboot=k cryptomgr.notests net.ifnames=0 "      \
	"pci=lastbus=0 "
#define SYSTEMD                                                                                    \
	"systemd.unit=kata-containers.target systemd.mask=systemd-networkd.service "               \
	"systemd.mask=systemd-networkd.socket"

/* A confidential image configuration, as Kata's qemu-snp and qemu-tdx ones are. */
#define CONF_HEAD                                                                                  \
	"[hypervisor.qemu]\n"                                                                      \
	"image = \"/k/kata.img\"\n"                                                                \
	"confidential_guest = true\n"                                                              \
	"disable_guest_selinux = true\n"

static char *derive(const char *toml, const struct kata_cmdline_opts *o, int want, char *why,
                    size_t why_size)
{
	struct kata_toml *t = NULL;
	char *line = NULL;
	int r = kata_toml_parse(&t, "k.toml", toml, strlen(toml), why, why_size);
	if (r == 0)
		r = kata_cmdline(t, o, &line, why, why_size);
	kata_toml_free(t);
	if (r != want)
		tap_fail("got %d (%s), want %d", r, why, want);
	return line;
}

static void expect(const char *toml, const struct kata_cmdline_opts *o, const char *want)
{
	char why[512] = "";
	char *line = derive(toml, o, 0, why, sizeof(why));
	ASSERT_STR(line, want);
	free(line);
}

static void expect_error(const char *toml, const struct kata_cmdline_opts *o, int err,
                         const char *says)
{
	char why[512] = "";
	ASSERT_TRUE(derive(toml, o, err, why, sizeof(why)) == NULL);
	ASSERT_CONTAINS(why, says);
}

TEST(malformed_toml_names_file_line_and_column)
{
	struct kata_cmdline_opts o = {0};
	expect_error("[hypervisor.qemu]\nimage = \"/k\"\nkernel_params = \"a\nb\"\n", &o, -EINVAL,
	             "k.toml:3:");
	expect_error("[hypervisor.qemu]\nimage = \"/k\"\n[hypervisor.qemu]\n", &o, -EINVAL,
	             "k.toml:3:");
	/* toml++ 3.3.0 asserts on this one (found by fuzz_kata_toml); an error, not an abort. */
	expect_error("[;a]\n", &o, -EINVAL, "k.toml: malformed TOML");
}

/* toml++ 3.3.0 reaches __builtin_unreachable() on most non-ASCII bytes outside strings. */
TEST(non_ascii_only_in_strings_and_comments)
{
	struct kata_cmdline_opts o = {0};
	expect_error("[hypervisor.qemu]\n\xc3\xa9 = 1\n", &o, -EINVAL,
	             "k.toml:2: a byte outside ASCII outside a string or comment");
	expect_error("\xef\xbb\xbf\n", &o, -EINVAL, "k.toml:1: a byte outside ASCII");
	char why[512] = "";
	char *line = derive(CONF_HEAD
	                    "# caf\xc3\xa9 \"\nkernel_params = \"a=\xc3\xa9\"\n"
	                    "firmware = '\xc3\xa9'\nguest_hook_path = \"\"\"\n\xc3\xa9\"\"\"\n",
	                    &o, 0, why, sizeof(why));
	ASSERT_CONTAINS(line ? line : "", "a=\xc3\xa9");
	free(line);
}

TEST(wrong_type_names_file_line_and_key)
{
	struct kata_cmdline_opts o = {0};
	expect_error(CONF_HEAD "\n\nkernel_params = 3\n", &o, -EINVAL,
	             "k.toml:7: hypervisor.qemu.kernel_params must be a string");
	expect_error(CONF_HEAD "[agent.kata]\nenable_debug = \"yes\"\n", &o, -EINVAL,
	             "k.toml:6: agent.kata.enable_debug must be true or false");
	expect_error(CONF_HEAD "default_maxvcpus = -1\n", &o, -EINVAL,
	             "k.toml:5: hypervisor.qemu.default_maxvcpus must be an integer");
}

TEST(go_confidential_image)
{
	struct kata_cmdline_opts o = {0};
	expect(CONF_HEAD "kernel_params = \"a=1  b \"\n", &o,
	       AMD64 "root=/dev/vda1 rootflags=data=ordered,errors=remount-ro ro rootfstype=ext4 "
	             "console=hvc0 console=hvc1 quiet systemd.show_status=false panic=1 selinux=0 "
	             "" SYSTEMD " scsi_mod.scan=none a=1 b");
}

TEST(given_kernel_params_replace_the_files_as_a_drop_in_does)
{
	struct kata_cmdline_opts o = {.kernel_params = "ccinit.log=info  x=\"a b\""};
	expect(CONF_HEAD "kernel_params = \"a=1\"\n", &o,
	       AMD64 "root=/dev/vda1 rootflags=data=ordered,errors=remount-ro ro rootfstype=ext4 "
	             "console=hvc0 console=hvc1 quiet systemd.show_status=false panic=1 selinux=0 "
	             "" SYSTEMD " scsi_mod.scan=none ccinit.log=info x=\"a b\"");
}

TEST(go_verity_gives_dm_mod_create)
{
	struct kata_cmdline_opts o = {.verity_params = VERITY};
	expect(CONF_HEAD "rootfs_type = \"erofs\"\nblock_device_driver = \"virtio-blk\"\n", &o,
	       AMD64 "dm-mod.create=\"dm-verity,,,ro,0 772096 verity 1 /dev/vda1 /dev/vda2 4096 "
	             "4096 96512 0 sha256 " RH " " SALT "\" root=/dev/dm-0 rootflags=ro "
	             "rootfstype=erofs console=hvc0 console=hvc1 quiet systemd.show_status=false "
	             "panic=1 selinux=0 " SYSTEMD);
	/* The TOML's own line, when nothing replaces it. */
	o.verity_params = NULL;
	char toml[1024];
	snprintf(toml, sizeof(toml), CONF_HEAD "kernel_verity_params = \"%s\"\n", VERITY);
	char why[256] = "", *line = derive(toml, &o, 0, why, sizeof(why));
	ASSERT_CONTAINS(line, "dm-mod.create=\"dm-verity,,,ro,0 772096 verity 1 /dev/vda1");
	free(line);
}

TEST(go_bad_verity_is_refused)
{
	struct kata_cmdline_opts o = {.verity_params = "root_hash=" RH ",salt=" SALT};
	expect_error(CONF_HEAD, &o, -EINVAL, "the verity parameters given");
	o.verity_params = NULL;
	expect_error(CONF_HEAD "kernel_verity_params = \"root_hash=zz\"\n", &o, -EINVAL,
	             "k.toml:5: hypervisor.qemu.kernel_verity_params");
}

TEST(go_debug_and_agent_params)
{
	struct kata_cmdline_opts o = {.debug = true};
	expect(CONF_HEAD
	       "[agent.kata]\nenable_tracing = true\ndebug_console_enabled = true\n"
	       "cdh_api_timeout = 7\nlaunch_process_timeout = 6\nvisible_cdi_devices = true\n",
	       &o,
	       AMD64
	       "root=/dev/vda1 rootflags=data=ordered,errors=remount-ro ro rootfstype=ext4 "
	       "console=hvc0 console=hvc1 debug systemd.show_status=true systemd.log_level=debug "
	       "panic=1 selinux=0 " SYSTEMD " scsi_mod.scan=none agent.log=debug agent.trace=true "
	       "agent.debug_console agent.debug_console_vport=1026 agent.cdh_api_timeout=7 "
	       "agent.launch_process_timeout=6 agent.visible_cdi_devices=true");
}

TEST(go_initrd_has_no_root_and_no_systemd)
{
	struct kata_cmdline_opts o = {.boot = KATA_BOOT_INITRD};
	expect(CONF_HEAD, &o,
	       AMD64 "console=hvc0 console=hvc1 quiet panic=1 selinux=0 scsi_mod.scan=none");
	o.boot = KATA_BOOT_FROM_CONFIG;
	expect("[hypervisor.qemu]\ninitrd = \"/k/i\"\nconfidential_guest = true\n"
	       "use_legacy_serial = true\nenable_iommu = true\n",
	       &o,
	       AMD64 "intel_iommu=on iommu=pt console=ttyS0 quiet panic=1 selinux=1 "
	             "scsi_mod.scan=none");
}

TEST(go_nr_cpus_by_release_and_confidentiality)
{
	struct kata_cmdline_opts o = {.version = "3.31.0", .max_vcpus = 1};
	char why[512] = "", *line = derive(CONF_HEAD, &o, 0, why, sizeof(why));
	ASSERT_CONTAINS(line, " panic=1 nr_cpus=1 selinux=0 ");
	free(line);
	o.max_vcpus = 0;
	expect_error(CONF_HEAD, &o, -EINVAL, "give the max vCPU count");
	/* Non-confidential: nr_cpus in every release, and the image on nvdimm with DAX. */
	o.version = NULL;
	expect("[hypervisor.qemu]\nimage = \"/k\"\ndefault_maxvcpus = 8\n", &o,
	       AMD64 "root=/dev/pmem0p1 rootflags=dax,data=ordered,errors=remount-ro ro "
	             "rootfstype=ext4 console=hvc0 console=hvc1 quiet systemd.show_status=false "
	             "panic=1 nr_cpus=8 selinux=1 " SYSTEMD " scsi_mod.scan=none");
}

TEST(release_numbers_are_digits_checked_as_they_grow)
{
	uint32_t code = 0;
	ASSERT_EQ(kata_version_parse("4.1.0", &code), 0);
	ASSERT_EQ(code, 0x040100);
	ASSERT_EQ(kata_version_parse("3.29.255", &code), 0);
	ASSERT_EQ(code, 0x031dff);
	ASSERT_EQ(kata_version_parse("4294967300.1.0", &code), -EINVAL);
	ASSERT_EQ(kata_version_parse("4.1.256", &code), -EINVAL);
	ASSERT_EQ(kata_version_parse("4.1.0.0", &code), -EINVAL);
	ASSERT_EQ(kata_version_parse("-4.1.0", &code), -EINVAL);
	ASSERT_EQ(kata_version_parse("", &code), -EINVAL);
}

TEST(releases_outside_the_checked_range_are_refused)
{
	/* scanf's %u read 4294967300 as 4 and took signs and spaces: 4.1.0 for all of these. */
	static const char *const bad[] = {"3.28.0",         "4.1.1",          "4.2.0",  "4.1",
	                                  "v4.1.0",         "4.1.0-rc1",      "+4.1.0", " 4.1.0",
	                                  "4294967300.1.0", "4.4294967297.0", "4.1.-0", "4..1.0"};
	struct kata_cmdline_opts o = {0};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		o.version = bad[i];
		expect_error(CONF_HEAD, &o, -ENOTSUP, "is known for 3.29.0 to 4.1.0");
	}
	o.runtime = KATA_RUNTIME_RS;
	o.version = "4.0.0";
	expect_error(CONF_HEAD, &o, -ENOTSUP, "is known for 4.1.0 to 4.1.0");
}

TEST(rs_order_agent_params_sorted)
{
	struct kata_cmdline_opts o = {.runtime = KATA_RUNTIME_RS, .debug = true};
	expect("[hypervisor.qemu]\nimage = \"/k\"\nrootfs_type = \"ext4\"\nkernel_params = "
	       "\"x=1\"\n"
	       "enable_iommu = true\n"
	       "[[hypervisor.qemu.guest_extension_images]]\nname = \"gpu\"\nverity_params = \"\"\n"
	       "[agent.kata]\nenable_tracing = true\ndebug_console_enabled = true\n"
	       "container_pipe_size = 9\nlaunch_process_timeout = 6\nvisible_cdi_devices = true\n",
	       &o,
	       "reboot=k panic=1 " SYSTEMD " agent.log_vport=1025 root=/dev/vda1 "
	       "rootflags=data=ordered,errors=remount-ro ro rootfstype=ext4 "
	       "agent.cdh_api_timeout=50 "
	       "agent.container_pipe_size=9 agent.debug_console agent.debug_console_vport=1026 "
	       "agent.launch_process_timeout=6 agent.log=debug agent.trace=true "
	       "agent.visible_cdi_devices=true x=1 selinux=0 kata.extension.gpu.verity_params "
	       "intel_iommu=on iommu=pt console=hvc0");
}

TEST(rs_verity_and_missing_rootfs_type)
{
	struct kata_cmdline_opts o = {.runtime = KATA_RUNTIME_RS, .verity_params = VERITY};
	expect("[hypervisor.qemu]\nimage = \"/k\"\nrootfs_type = \"erofs\"\n"
	       "[agent.kata]\ncdh_api_timeout_ms = 0\n",
	       &o,
	       "reboot=k panic=1 " SYSTEMD " dm-mod.create=\"dm-verity,,,ro,0 772096 verity 1 "
	       "/dev/vda1 /dev/vda2 4096 4096 96512 0 sha256 " RH " " SALT "\" root=/dev/dm-0 "
	       "rootflags=ro rootfstype=erofs selinux=0 console=hvc0");
	/* runtime-rs has no rootfs_type default: Kata fails the same way. */
	expect_error("[hypervisor.qemu]\nimage = \"/k\"\n", &o, -EINVAL,
	             "rootfs_type: \"\" is not ext4, xfs or erofs");
}

TEST(kernel_params_quotes_and_nameless_fields)
{
	struct kata_cmdline_opts o = {.boot = KATA_BOOT_INITRD};
	char why[512] = "", *line = derive(CONF_HEAD "kernel_params = \"a=\\\"x y\\\" b= c\"\n", &o,
	                                   0, why, sizeof(why));
	ASSERT_CONTAINS(line, "scsi_mod.scan=none a=\"x y\" b c");
	free(line);
	expect_error(CONF_HEAD "kernel_params = \"a =1\"\n", &o, -EINVAL,
	             "k.toml:5: hypervisor.qemu.kernel_params: \"=1\" has no name");
}

TEST(boot_kind_must_be_clear)
{
	struct kata_cmdline_opts o = {0};
	expect_error("[hypervisor.qemu]\nimage = \"/a\"\ninitrd = \"/b\"\n", &o, -EINVAL,
	             "both hypervisor.qemu.image and hypervisor.qemu.initrd");
	expect_error("[hypervisor.qemu]\nconfidential_guest = true\n", &o, -EINVAL,
	             "neither hypervisor.qemu.image nor");
}

TEST(extension_names_are_checked)
{
	struct kata_cmdline_opts o = {0};
	expect_error(CONF_HEAD "[[hypervisor.qemu.guest_extension_images]]\nname = \"a b\"\n", &o,
	             -EINVAL, "k.toml:6: hypervisor.qemu.guest_extension_images[0].name must be");
	expect_error(CONF_HEAD "[agent.kata.mem_agent]\nenable = true\n", &o, -EINVAL,
	             "mem_agent.enable is not modelled");
}
