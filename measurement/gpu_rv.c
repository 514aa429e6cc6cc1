/* SPDX-License-Identifier: Apache-2.0 */
/* NVIDIA GPU reference values for trustee's default GPU policy (measurement/README.md, 14). */
#include "measurement/gpu_rv.h"

#include <ctype.h>
#include <errno.h>
#include <string.h>

#include "init/base/why.h"

/* The release that added the default GPU policy (ear_default_policy_gpu.rego). */
#define GPU_POLICY_MAJOR 0
#define GPU_POLICY_MINOR 16

/* firmware-nvidia-gsp must equal the kernel module's version, or the driver refuses it. */
const char *const gpu_driver_packages[] = {"firmware-nvidia-gsp", "libnvidia-ml1", NULL};

/* Numbers joined by single dots: "535.261.03". */
static bool dotted_numbers(const char *s, size_t n)
{
	bool digit = false;

	for (size_t i = 0; i < n; i++) {
		if (isdigit((unsigned char)s[i]))
			digit = true;
		else if (s[i] == '.' && digit)
			digit = false;
		else
			return false;
	}
	return digit && memchr(s, '.', n);
}

int gpu_driver_version_from_deb(const char *deb_version, char *out, size_t out_size, char *why,
                                size_t why_size)
{
	const char *start = strchr(deb_version, ':');
	const char *end;

	start = start ? start + 1 : deb_version;
	end = strrchr(start, '-');
	if (!end)
		end = start + strlen(start);
	if (!dotted_numbers(start, (size_t)(end - start)) || (size_t)(end - start) >= out_size)
		return why_set(
		        why, why_size, -EINVAL,
		        "package version '%s' does not name a driver version like 535.261.03",
		        deb_version);
	memcpy(out, start, (size_t)(end - start));
	out[end - start] = '\0';
	return 0;
}

/* The verifier's VBIOS form into out: two hex digits per byte, lowercase, joined by dots. */
static int vbios_form(const char *v, char out[64], char *why, size_t why_size)
{
	size_t n = strlen(v);

	for (size_t i = 0; i < n; i++) {
		bool sep = i % 3 == 2;
		if (n >= 64 || n % 3 != 2 || n < 5 ||
		    (sep ? v[i] != '.' : !isxdigit((unsigned char)v[i])))
			return why_set(why, why_size, -EINVAL,
			               "VBIOS version '%s': want hex byte pairs joined by dots, "
			               "like 96.00.9f.00.01",
			               v);
		out[i] = (char)tolower((unsigned char)v[i]);
	}
	out[n] = '\0';
	return 0;
}

#define GPU_RV_MAX_VERSIONS 256

int gpu_rv_add(struct rvps_msg *m, const char *trustee_version, const char *const *drivers,
               const char *const *vbios, char *why, size_t why_size)
{
	char form[GPU_RV_MAX_VERSIONS][64];
	const char *forms[GPU_RV_MAX_VERSIONS + 1];
	unsigned major, minor;
	size_t n = 0;
	int r;

	if (rvps_version_parse(trustee_version, &major, &minor) < 0)
		return why_set(why, why_size, -EINVAL, "trustee version '%s' not understood",
		               trustee_version);
	if (major == GPU_POLICY_MAJOR && minor < GPU_POLICY_MINOR)
		return why_set(why, why_size, -EINVAL,
		               "trustee %s has no default GPU policy (it came with v0.16.0)",
		               trustee_version);
	if (!drivers || !drivers[0])
		return why_set(why, why_size, -EINVAL, "no driver version");
	for (const char *const *d = drivers; *d; d++)
		if (!dotted_numbers(*d, strlen(*d)))
			return why_set(
			        why, why_size, -EINVAL,
			        "driver version '%s': want numbers joined by dots, like 535.261.03",
			        *d);
	for (; vbios && vbios[n]; n++) {
		if (n == GPU_RV_MAX_VERSIONS)
			return why_set(why, why_size, -E2BIG, "more than %d VBIOS versions",
			               GPU_RV_MAX_VERSIONS);
		if ((r = vbios_form(vbios[n], form[n], why, why_size)) < 0)
			return r;
		forms[n] = form[n];
	}
	forms[n] = NULL;
	r = rvps_add_strings(m, "allowed_driver_versions", drivers);
	if (r == 0 && n)
		r = rvps_add_strings(m, "allowed_vbios_versions", forms);
	return r < 0 ? why_set(why, why_size, r, "building the RVPS message") : 0;
}
