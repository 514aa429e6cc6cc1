/* SPDX-License-Identifier: Apache-2.0 */
/* The TEE table (tee.h). A new TEE is one row here, and a computation in launch.c. */
#include "measurement/tee.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "init/base/why.h"

static const struct tee_info tees[] = {
        {TEE_SNP, "snp", true, true},
        {TEE_TDX, "tdx", true, false},
        {TEE_SEV, "sev", false, false},
        {TEE_SEV_ES, "sev-es", false, true},
};

/* In sev-snp-measure's order, then TDX: the order --help and the errors list them in. */
static const struct tee_mode modes[] = {
        {"sev", TEE_SEV, SEV_MODE_SEV, "SEV"},
        {"seves", TEE_SEV_ES, SEV_MODE_SEVES, "SEV_ES"},
        {"snp", TEE_SNP, SEV_MODE_SNP, "SEV_SNP"},
        {"snp:ovmf-hash", TEE_SNP, SEV_MODE_SNP_OVMF_HASH, "SEV_SNP"},
        {"snp:svsm", TEE_SNP, SEV_MODE_SNP_SVSM, "SEV_SNP_SVSM"},
        {"tdx", TEE_TDX, 0, "TDX"},
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

const struct tee_info *tee_at(size_t i)
{
	return i < COUNT(tees) ? &tees[i] : NULL;
}

const struct tee_mode *tee_mode_at(size_t i)
{
	return i < COUNT(modes) ? &modes[i] : NULL;
}

const struct tee_info *tee_by_name(const char *name)
{
	for (size_t i = 0; name && i < COUNT(tees); i++)
		if (strcmp(tees[i].name, name) == 0)
			return &tees[i];
	return NULL;
}

const struct tee_info *tee_by_id(enum tee_id id)
{
	for (size_t i = 0; i < COUNT(tees); i++)
		if (tees[i].id == id)
			return &tees[i];
	return NULL;
}

const struct tee_mode *tee_mode_by_name(const char *name)
{
	for (size_t i = 0; name && i < COUNT(modes); i++)
		if (strcmp(modes[i].name, name) == 0)
			return &modes[i];
	return NULL;
}

/* Appends word to the ", "-separated list in out, cut at size. */
static void list_add(char *out, size_t size, const char *word)
{
	size_t used = strnlen(out, size);

	if (used < size)
		snprintf(out + used, size - used, "%s%s", used ? ", " : "", word);
}

void tee_list_built(char *out, size_t size)
{
	if (size)
		out[0] = '\0';
	for (size_t i = 0; i < COUNT(tees); i++)
		if (tees[i].built)
			list_add(out, size, tees[i].name);
}

void tee_mode_list(char *out, size_t size)
{
	if (size)
		out[0] = '\0';
	for (size_t i = 0; i < COUNT(modes); i++)
		list_add(out, size, modes[i].name);
}

int tee_check_built(const char *name, char *why, size_t why_size)
{
	const struct tee_info *t = tee_by_name(name);
	char built[64];

	if (t && t->built)
		return 0;
	tee_list_built(built, sizeof(built));
	return why_set(why, why_size, -EINVAL, "tee '%s' is not one ccimage build measures (%s)",
	               name, built);
}

int tee_report_name(const struct tee_info *t, unsigned vcpus, char *out, size_t size)
{
	int n = t->per_vcpu ? snprintf(out, size, "%s-%uvcpu", t->name, vcpus)
	                    : snprintf(out, size, "%s", t->name);
	return n >= 0 && (size_t)n < size ? 0 : -ENAMETOOLONG;
}
