/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>

#include "init/crypt.h"
#include "init/devices.h"
#include "init/extensions.h"
#include "init/base/log.h"
#include "init/core/sys.h"

#define SERIAL_PREFIX "extension-"
#define MOUNT_DIR     "/run/kata-extensions"

static const struct extension *configured(const struct ccinit_config *c, const char *name)
{
	for (unsigned i = 0; i < c->extension_count; i++)
		if (strcmp(c->extensions[i].name, name) == 0)
			return &c->extensions[i];
	return NULL;
}

struct unnamed {
	struct boot *b;
	char dev[64], serial[64];
};

static int unnamed_extension(const char *dev, const char *serial, void *userdata)
{
	struct unnamed *u = userdata;
	if (strncmp(serial, SERIAL_PREFIX, strlen(SERIAL_PREFIX)) != 0 ||
	    configured(&u->b->config, serial + strlen(SERIAL_PREFIX)))
		return 0;
	snprintf(u->dev, sizeof(u->dev), "%s", dev);
	snprintf(u->serial, sizeof(u->serial), "%s", serial);
	return 1;
}

/* A disk the host attached as an extension but the (measured) command line does not name. */
static int refuse_unnamed_disks(struct boot *b)
{
	struct unnamed u = {.b = b};
	int r = block_devices_each("serial", unnamed_extension, &u);
	if (r < 0)
		return boot_error(b, r, "listing /sys/block");
	if (r == 1)
		return boot_error(b, -EPERM, "disk %s (%s) has no kata.extension.%s.verity_params",
		                  u.dev, u.serial, u.serial + strlen(SERIAL_PREFIX));
	return 0;
}

static int mount_one(struct boot *b, const struct extension *e)
{
	char spec[96], data[128], hash[128], dm_name[96], verity[64], target[160];
	int r;

	if (!e->has_params)
		return boot_error(b, -EPERM,
		                  "kata.extension.%s.verity_params has no parameters: unmeasured "
		                  "extensions are refused",
		                  e->name);
	snprintf(spec, sizeof(spec), "serial:" SERIAL_PREFIX "%s", e->name);
	r = device_wait(spec, 1, b->config.root_timeout_s, data, sizeof(data), b->why,
	                sizeof(b->why));
	if (r >= 0)
		r = device_wait(spec, 2, b->config.root_timeout_s, hash, sizeof(hash), b->why,
		                sizeof(b->why));
	if (r < 0)
		return r;
	snprintf(dm_name, sizeof(dm_name), SERIAL_PREFIX "%s", e->name);
	r = crypt_verity_open(dm_name, data, hash, &e->params, verity, sizeof(verity), b->why,
	                      sizeof(b->why));
	if (r < 0)
		return r;
	snprintf(target, sizeof(target), MOUNT_DIR "/%s", e->name);
	r = sys->mkdir(MOUNT_DIR, 0755);
	if (r >= 0 || r == -EEXIST)
		r = sys->mkdir(target, 0755);
	if (r < 0 && r != -EEXIST)
		return boot_error(b, r, "mkdir %s", target);
	r = sys->mount(verity, target, "erofs", MS_RDONLY | MS_NOSUID | MS_NODEV, NULL);
	if (r < 0)
		return boot_error(b, r, "mounting extension %s (verity over %s)", e->name, data);
	log_info("extension %s: %s at %s", e->name, verity, target);
	if (strcmp(e->name, "gpu") == 0)
		b->gpu_extension = true; /* Kata's GPU extension: the agent wants GPU evidence */
	return 0;
}

int extensions_mount(struct boot *b)
{
	int r = refuse_unnamed_disks(b);
	if (r < 0)
		return r;
	if (b->config.extension_count)
		crypt_logging_setup();
	for (unsigned i = 0; i < b->config.extension_count; i++) {
		int t = trace_begin(&b->trace, "extension");
		r = mount_one(b, &b->config.extensions[i]);
		trace_end(&b->trace, t);
		if (r < 0)
			return r;
	}
	return 0;
}
