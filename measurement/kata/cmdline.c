/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Kata's guest kernel command line, parameter by parameter in the order each
 * runtime appends them (measurement/README.md, 11: the Go runtime in 11.2,
 * runtime-rs in 11.3). Each block below names the Kata function it follows.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "init/base/verity_params.h"
#include "init/base/verity_table.h"
#include "init/base/why.h"
#include "measurement/kata/cmdline.h"

#define HV    "hypervisor.qemu."
#define AGENT "agent.kata."

/* What the derivation reads from the TOML, after each runtime's defaults. */
struct kata_conf {
	const char *image, *initrd, *rootfs_type, *kernel_params, *verity, *block_driver;
	const char *rootfs_driver; /* runtime-rs only */
	bool confidential, disable_nvdimm, iommu, legacy_serial, selinux_off, hv_debug;
	bool agent_debug, agent_trace, debug_console, visible_cdi, mem_agent;
	uint32_t max_vcpus, cdh_timeout, launch_timeout, pipe_size;
	size_t n_extensions;
	const char *file;      /* for errors */
	char verity_from[300]; /* where c->verity came from, for errors */
};

struct line {
	FILE *f;
	char *text;
	size_t size;
	bool started;
};

static void add(struct line *l, const char *key, const char *value)
{
	fprintf(l->f, "%s%s%s%s", l->started ? " " : "", key, value && *value ? "=" : "",
	        value ? value : "");
	l->started = true;
}

static void add_u32(struct line *l, const char *key, uint32_t value)
{
	char buf[16];
	snprintf(buf, sizeof(buf), "%" PRIu32, value);
	add(l, key, buf);
}

int kata_version_parse(const char *v, uint32_t *code)
{
	*code = 0;
	for (int i = 0; i < 3; i++) {
		const char *start = v;
		uint32_t part = 0;
		/* Digits only, checked as the part grows: scanf's %u takes a sign and wraps. */
		for (; *v >= '0' && *v <= '9'; v++) {
			part = part * 10 + (uint32_t)(*v - '0');
			if (part > 255)
				return -EINVAL;
		}
		if (v == start || *v != (i < 2 ? '.' : '\0'))
			return -EINVAL;
		*code = *code << 8 | part;
		v += i < 2;
	}
	return 0;
}
#define VERSION(a, b, c) ((uint32_t)(a) << 16 | (b) << 8 | (c))

static int get_str(const struct kata_toml *t, const char *path, const char *dflt, const char **out,
                   char *why, size_t why_size)
{
	int r = kata_toml_string(t, path, out, why, why_size);
	if (r == -ENOENT || (r == 0 && !**out && dflt))
		*out = dflt;
	return r == -ENOENT ? 0 : r;
}

static int get_bool(const struct kata_toml *t, const char *path, bool dflt, bool *out, char *why,
                    size_t why_size)
{
	int r = kata_toml_bool(t, path, out, why, why_size);
	if (r == -ENOENT)
		*out = dflt;
	return r == -ENOENT ? 0 : r;
}

static int get_u32(const struct kata_toml *t, const char *path, uint32_t dflt, uint32_t *out,
                   char *why, size_t why_size)
{
	int r = kata_toml_u32(t, path, out, why, why_size);
	if (r == -ENOENT)
		*out = dflt;
	return r == -ENOENT ? 0 : r;
}

/* The keys and defaults of Go's katautils/config.go and kata-types' config structs. */
static int read_conf(const struct kata_toml *t, bool rs, struct kata_conf *c, char *why,
                     size_t why_size)
{
	int r = 0;
	r = r ?: get_str(t, HV "image", "", &c->image, why, why_size);
	r = r ?: get_str(t, HV "initrd", "", &c->initrd, why, why_size);
	r = r ?: get_str(t, HV "rootfs_type", rs ? "" : "ext4", &c->rootfs_type, why, why_size);
	r = r ?: get_str(t, HV "kernel_params", "", &c->kernel_params, why, why_size);
	r = r ?: get_str(t, HV "kernel_verity_params", "", &c->verity, why, why_size);
	r = r
	            ?: get_str(t, HV "block_device_driver", "virtio-scsi", &c->block_driver, why,
	                       why_size);
	r = r
	            ?: get_str(t, HV "vm_rootfs_driver", "virtio-blk-pci", &c->rootfs_driver, why,
	                       why_size);
	r = r ?: get_bool(t, HV "confidential_guest", false, &c->confidential, why, why_size);
	r = r ?: get_bool(t, HV "disable_image_nvdimm", false, &c->disable_nvdimm, why, why_size);
	r = r ?: get_bool(t, HV "enable_iommu", false, &c->iommu, why, why_size);
	r = r ?: get_bool(t, HV "use_legacy_serial", false, &c->legacy_serial, why, why_size);
	r = r ?: get_bool(t, HV "disable_guest_selinux", rs, &c->selinux_off, why, why_size);
	r = r ?: get_bool(t, HV "enable_debug", false, &c->hv_debug, why, why_size);
	r = r ?: get_u32(t, HV "default_maxvcpus", 0, &c->max_vcpus, why, why_size);
	r = r ?: get_bool(t, AGENT "enable_debug", false, &c->agent_debug, why, why_size);
	r = r ?: get_bool(t, AGENT "enable_tracing", false, &c->agent_trace, why, why_size);
	r = r
	            ?: get_bool(t, AGENT "debug_console_enabled", false, &c->debug_console, why,
	                        why_size);
	r = r ?: get_bool(t, AGENT "visible_cdi_devices", false, &c->visible_cdi, why, why_size);
	r = r ?: get_bool(t, AGENT "mem_agent.enable", false, &c->mem_agent, why, why_size);
	r = r ?: get_u32(t, AGENT "launch_process_timeout", 0, &c->launch_timeout, why, why_size);
	/* Go reads seconds; runtime-rs milliseconds, 50000 when absent, and passes seconds. */
	r = r
	            ?: get_u32(t, rs ? AGENT "cdh_api_timeout_ms" : AGENT "cdh_api_timeout",
	                       rs ? 50000 : 0, &c->cdh_timeout, why, why_size);
	/* Go's agent section has no container_pipe_size: only an annotation sets it there. */
	if (rs)
		r = r ?: get_u32(t, AGENT "container_pipe_size", 0, &c->pipe_size, why, why_size);
	r = r
	            ?: kata_toml_array_size(t, HV "guest_extension_images", &c->n_extensions, why,
	                                    why_size);
	return r;
}

/* Kata would pass them on; a command line we print as one line has none. */
static bool has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

/* Both runtimes split kernel_params on spaces outside double quotes and trim each field. */
static int add_user_params(struct line *l, const struct kata_toml *t, const char *params, char *why,
                           size_t why_size)
{
	char *copy = strdup(params), *p = copy;
	int r = copy ? 0 : -ENOMEM;
	while (r == 0 && *p) {
		char *start = p, *end, *eq;
		bool quoted = false;
		for (; *p && (quoted || *p != ' '); p++)
			quoted ^= *p == '"';
		end = p;
		if (*p)
			p++;
		while (start < end && isspace((unsigned char)*start))
			start++;
		while (end > start && isspace((unsigned char)end[-1]))
			end--;
		*end = 0;
		if (!*start)
			continue;
		eq = strchr(start, '=');
		if (has_control(start))
			r = why_set(why, why_size, -EINVAL,
			            "%s:%u: %skernel_params: a control character in \"%s\"",
			            kata_toml_name(t), kata_toml_line(t, HV "kernel_params"), HV,
			            start);
		else if (eq == start)
			r = why_set(why, why_size, -EINVAL,
			            "%s:%u: %skernel_params: \"%s\" has no name", kata_toml_name(t),
			            kata_toml_line(t, HV "kernel_params"), HV, start);
		if (eq)
			*eq++ = 0;
		if (r == 0)
			add(l, start, eq);
	}
	free(copy);
	return r;
}

/* Go's ParseKernelVerityParams and kata-types' parse_kernel_verity_params, on our strict grammar.
 */
static int dm_verity_table(const char *line, const char *what, const char *data_dev,
                           const char *hash_dev, char *table, size_t size, char *why,
                           size_t why_size)
{
	struct verity_params p;
	struct dm_create d;
	char inner[256];
	int r = verity_params_parse(&p, line, inner, sizeof(inner));
	if (r < 0)
		return why_set(why, why_size, r, "%s: %s", what, inner);
	/* Kata writes sha256 into the table whatever the line says, and requires a salt. */
	if (strcmp(p.hash_name, "sha256") != 0 || p.salt_size == 0)
		return why_set(why, why_size, -EINVAL, "%s: Kata's table needs sha256 and a salt",
		               what);
	dm_create_from_params(&d, &p, data_dev, hash_dev);
	if (dm_create_format(&d, table, size) < 0)
		return why_set(why, why_size, -ENOSPC, "%s: the table does not fit", what);
	return 0;
}

static const char *ext4_flags(bool dax)
{
	return dax ? "dax,data=ordered,errors=remount-ro ro" : "data=ordered,errors=remount-ro ro";
}

/*
 * root=, rootflags=, rootfstype= (Go's GetKernelRootParams, runtime-rs's
 * new_rootfs_kernel_params): the dm-verity table instead of the partition
 * when there are verity parameters.
 */
static int add_root_params(struct line *l, const struct kata_conf *c, bool pmem, bool dax,
                           char *why, size_t why_size)
{
	char table[2 * VERITY_MAX_DIGEST + 2 * VERITY_MAX_SALT + 160];
	const char *fstype = c->rootfs_type;
	bool ext4 = strcmp(fstype, "ext4") == 0;
	if (!ext4 && strcmp(fstype, "xfs") != 0 && strcmp(fstype, "erofs") != 0)
		return why_set(why, why_size, -EINVAL,
		               "%s: %srootfs_type: \"%s\" is not ext4, xfs or erofs", c->file, HV,
		               fstype);
	if (*c->verity) {
		int r = dm_verity_table(
		        c->verity, c->verity_from, pmem ? "/dev/pmem0p1" : "/dev/vda1",
		        pmem ? "/dev/pmem0p2" : "/dev/vda2", table, sizeof(table), why, why_size);
		if (r < 0)
			return r;
		add(l, "dm-mod.create", table);
		add(l, "root", "/dev/dm-0");
		add(l, "rootflags", ext4 ? ext4_flags(false) : "ro");
	} else {
		add(l, "root", pmem ? "/dev/pmem0p1" : "/dev/vda1");
		add(l, "rootflags", ext4 ? ext4_flags(dax) : dax ? "dax ro" : "ro");
	}
	add(l, "rootfstype", fstype);
	return 0;
}

/* kata.extension.<name>.verity_params, one per guest_extension_images entry, value verbatim. */
static int add_extensions(struct line *l, const struct kata_toml *t, size_t n, char *why,
                          size_t why_size)
{
	for (size_t i = 0; i < n; i++) {
		char path[96], key[160];
		const char *name = "", *params = "";
		int r;
		snprintf(path, sizeof(path), HV "guest_extension_images[%zu].name", i);
		r = get_str(t, path, "", &name, why, why_size);
		if (r < 0)
			return r;
		if (!*name ||
		    strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		                 "0123456789-_") != strlen(name) ||
		    strlen(name) > 64)
			return why_set(why, why_size, -EINVAL,
			               "%s:%u: %s must be 1 to 64 of A-Z a-z 0-9 - _",
			               kata_toml_name(t), kata_toml_line(t, path), path);
		snprintf(path, sizeof(path), HV "guest_extension_images[%zu].verity_params", i);
		r = get_str(t, path, "", &params, why, why_size);
		if (r < 0)
			return r;
		if (has_control(params))
			return why_set(why, why_size, -EINVAL, "%s:%u: %s: a control character",
			               kata_toml_name(t), kata_toml_line(t, path), path);
		snprintf(key, sizeof(key), "kata.extension.%s.verity_params", name);
		add(l, key, params);
	}
	return 0;
}

/* Both runtimes turn debug_console on as the same pair (Kata's console vsock port 1026). */
static void add_debug_console(struct line *l)
{
	add(l, "agent.debug_console", NULL);
	add(l, "agent.debug_console_vport", "1026");
}

/* Go: KataAgentKernelParams (virtcontainers/kata_agent.go), in its order. */
static void add_agent_params_go(struct line *l, const struct kata_conf *c, uint32_t version)
{
	if (c->agent_debug)
		add(l, "agent.log", "debug");
	if (c->agent_trace)
		add(l, "agent.trace", "true");
	if (c->debug_console)
		add_debug_console(l);
	if (c->cdh_timeout)
		add_u32(l, "agent.cdh_api_timeout", c->cdh_timeout);
	if (c->launch_timeout)
		add_u32(l, "agent.launch_process_timeout", c->launch_timeout);
	if (c->visible_cdi && version >= VERSION(3, 32, 0))
		add(l, "agent.visible_cdi_devices", "true");
}

/*
 * runtime-rs: get_agent_kernel_params collects them in a BTreeMap, so they
 * come sorted by key, which is the order written here.
 */
static void add_agent_params_rs(struct line *l, const struct kata_conf *c)
{
	if (c->cdh_timeout)
		add_u32(l, "agent.cdh_api_timeout", c->cdh_timeout / 1000);
	if (c->pipe_size)
		add_u32(l, "agent.container_pipe_size", c->pipe_size);
	if (c->debug_console)
		add_debug_console(l);
	if (c->launch_timeout)
		add_u32(l, "agent.launch_process_timeout", c->launch_timeout);
	if (c->agent_debug)
		add(l, "agent.log", "debug");
	if (c->agent_trace)
		add(l, "agent.trace", "true");
	if (c->visible_cdi)
		add(l, "agent.visible_cdi_devices", "true");
}

static const char *const amd64_params[][2] = {
        {"tsc", "reliable"},         {"no_timer_check", NULL}, {"rcupdate.rcu_expedited", "1"},
        {"i8042.direct", "1"},       {"i8042.dumbkbd", "1"},   {"i8042.nopnp", "1"},
        {"i8042.noaux", "1"},        {"noreplace-smp", NULL},  {"reboot", "k"},
        {"cryptomgr.notests", NULL}, {"net.ifnames", "0"},     {"pci", "lastbus=0"},
};

/*
 * The Go runtime: qemu.kernelParameters() over the arch's list as
 * newQemuArch, handleImagePath and appendConsole leave it, then the
 * hypervisor config's KernelParams as katautils.SetKernelParams built them.
 */
static int build_go(struct line *l, const struct kata_toml *t, const struct kata_conf *c,
                    bool image, uint32_t version, char *why, size_t why_size)
{
	bool nvdimm = !c->disable_nvdimm && !c->confidential;
	int r;
	for (size_t i = 0; i < sizeof(amd64_params) / sizeof(amd64_params[0]); i++)
		add(l, amd64_params[i][0], amd64_params[i][1]);
	if (c->iommu) {
		add(l, "intel_iommu", "on");
		add(l, "iommu", "pt");
	}
	if (image) {
		r = add_root_params(l, c, nvdimm, nvdimm, why, why_size);
		if (r < 0)
			return r;
	}
	add(l, "console", c->legacy_serial ? "ttyS0" : "hvc0");
	if (!c->legacy_serial)
		add(l, "console", "hvc1");
	add(l, c->hv_debug ? "debug" : "quiet", NULL);
	if (image)
		add(l, "systemd.show_status", c->hv_debug ? "true" : "false");
	if (image && c->hv_debug)
		add(l, "systemd.log_level", "debug");
	add(l, "panic", "1");
	/* From 3.32.0 on, confidential guests get no nr_cpus (commit e475d870). */
	if (!c->confidential || version < VERSION(3, 32, 0))
		add_u32(l, "nr_cpus", c->max_vcpus);
	add(l, "selinux", c->selinux_off ? "0" : "1");
	if (image) {
		add(l, "systemd.unit", "kata-containers.target");
		add(l, "systemd.mask", "systemd-networkd.service");
		add(l, "systemd.mask", "systemd-networkd.socket");
	}
	if (strcmp(c->block_driver, "virtio-scsi") == 0)
		add(l, "scsi_mod.scan", "none");
	add_agent_params_go(l, c, version);
	r = add_user_params(l, t, c->kernel_params, why, why_size);
	if (r == 0 && version >= VERSION(4, 0, 0))
		r = add_extensions(l, t, c->n_extensions, why, why_size);
	return r;
}

/*
 * runtime-rs: Kernel::new in hypervisor/src/qemu/cmdline_generator.rs, then
 * what QemuCmdLine::new (add_iommu) and start_vm (add_console) append.
 */
static int build_rs(struct line *l, const struct kata_toml *t, const struct kata_conf *c,
                    bool image, char *why, size_t why_size)
{
	bool pmem = strcmp(c->rootfs_driver, "virtio-pmem") == 0;
	int r;
	if (!pmem && strcmp(c->rootfs_driver, "virtio-blk-pci") != 0 &&
	    strcmp(c->rootfs_driver, "virtio-blk-ccw") != 0 &&
	    strcmp(c->rootfs_driver, "virtio-blk-mmio") != 0)
		return why_set(why, why_size, -EINVAL,
		               "%s:%u: %svm_rootfs_driver: \"%s\" is unknown", kata_toml_name(t),
		               kata_toml_line(t, HV "vm_rootfs_driver"), HV, c->rootfs_driver);
	add(l, "reboot", "k");
	add(l, "panic", "1");
	add(l, "systemd.unit", "kata-containers.target");
	add(l, "systemd.mask", "systemd-networkd.service");
	add(l, "systemd.mask", "systemd-networkd.socket");
	if (c->hv_debug)
		add(l, "agent.log_vport", "1025");
	if (image) {
		/* DAX is on for x86 pmem; rootfs_type has no default here. */
		r = add_root_params(l, c, pmem, pmem, why, why_size);
		if (r < 0)
			return r;
	}
	add_agent_params_rs(l, c);
	r = add_user_params(l, t, c->kernel_params, why, why_size);
	if (r < 0)
		return r;
	add(l, "selinux", c->selinux_off ? "0" : "1");
	r = add_extensions(l, t, c->n_extensions, why, why_size);
	if (r < 0)
		return r;
	if (c->iommu) {
		add(l, "intel_iommu", "on");
		add(l, "iommu", "pt");
	}
	add(l, "console", "hvc0");
	return 0;
}

/* The checks that come before building: release, boot kind, what we do not model. */
static int check_inputs(const struct kata_toml *t, const struct kata_cmdline_opts *o,
                        struct kata_conf *c, uint32_t *version, bool *image, char *why,
                        size_t why_size)
{
	const char *v = o->version ? o->version : KATA_CMDLINE_VERSION;
	bool rs = o->runtime == KATA_RUNTIME_RS;
	uint32_t oldest = rs ? VERSION(4, 1, 0) : VERSION(3, 29, 0);
	if (kata_version_parse(v, version) < 0 || *version < oldest || *version > VERSION(4, 1, 0))
		return why_set(why, why_size, -ENOTSUP,
		               "Kata %s: the %s runtime's command line is known for %s to 4.1.0", v,
		               rs ? "rs" : "Go", rs ? "4.1.0" : "3.29.0");
	if (o->boot == KATA_BOOT_FROM_CONFIG && *c->image && *c->initrd)
		return why_set(why, why_size, -EINVAL, "%s: both %simage and %sinitrd are set",
		               kata_toml_name(t), HV, HV);
	if (o->boot == KATA_BOOT_FROM_CONFIG && !*c->image && !*c->initrd)
		return why_set(why, why_size, -EINVAL, "%s: neither %simage nor %sinitrd is set",
		               kata_toml_name(t), HV, HV);
	*image = o->boot == KATA_BOOT_IMAGE || (o->boot == KATA_BOOT_FROM_CONFIG && *c->image);
	if (c->mem_agent)
		return why_set(why, why_size, -EINVAL, "%s:%u: %smem_agent.enable is not modelled",
		               kata_toml_name(t), kata_toml_line(t, AGENT "mem_agent.enable"),
		               AGENT);
	/* Go: nr_cpus is the max vCPU count, the host's CPU count when the TOML says 0. */
	if (!rs && (!c->confidential || *version < VERSION(3, 32, 0)) && !c->max_vcpus)
		return why_set(
		        why, why_size, -EINVAL,
		        "%s: %sdefault_maxvcpus is 0 (the host's CPUs) and Kata %s puts it in "
		        "nr_cpus: give the max vCPU count",
		        kata_toml_name(t), HV, v);
	return 0;
}

int kata_cmdline(const struct kata_toml *t, const struct kata_cmdline_opts *o, char **out,
                 char *why, size_t why_size)
{
	struct kata_conf c = {0};
	struct line l = {0};
	uint32_t version = 0;
	bool image = false;
	int r = read_conf(t, o->runtime == KATA_RUNTIME_RS, &c, why, why_size);
	if (r < 0)
		return r;
	c.file = kata_toml_name(t);
	snprintf(c.verity_from, sizeof(c.verity_from), "%s:%u: %skernel_verity_params", c.file,
	         kata_toml_line(t, HV "kernel_verity_params"), HV);
	if (o->verity_params) {
		c.verity = o->verity_params;
		snprintf(c.verity_from, sizeof(c.verity_from), "the verity parameters given");
	}
	if (o->kernel_params)
		c.kernel_params = o->kernel_params;
	if (o->max_vcpus)
		c.max_vcpus = o->max_vcpus;
	if (o->debug)
		c.hv_debug = c.agent_debug = true;
	r = check_inputs(t, o, &c, &version, &image, why, why_size);
	if (r < 0)
		return r;
	l.f = open_memstream(&l.text, &l.size);
	if (!l.f)
		return why_set(why, why_size, -ENOMEM, "out of memory");
	if (o->runtime == KATA_RUNTIME_RS)
		r = build_rs(&l, t, &c, image, why, why_size);
	else
		r = build_go(&l, t, &c, image, version, why, why_size);
	if (ferror(l.f) && r == 0)
		r = why_set(why, why_size, -ENOMEM, "out of memory");
	fclose(l.f);
	if (r < 0) {
		free(l.text);
		return r;
	}
	*out = l.text;
	return 0;
}
