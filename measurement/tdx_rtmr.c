/* SPDX-License-Identifier: Apache-2.0 */
/*
 * TDX register prediction: MRTD from the TDVF metadata, and the RTMR event
 * sequences OVMF and the Linux EFI stub produce for a QEMU direct kernel boot
 * (measurement/README.md, 6). Each RTMR is predicted as its list of named event
 * digests, so a mismatch against a real log can name the event.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "init/base/bytes.h"
#include "init/base/hex.h"
#include "measurement/pe.h"
#include "measurement/tdvf.h"
#include "measurement/tdx.h"
#include "init/base/why.h"

#define TWO_GIB  0x80000000ull
#define FOUR_GIB 0x100000000ull
#define HIGH_RAM 0xb0000000ull

static const char initrd_suffix[] = " initrd=initrd";

/* OVMF's UiApp Boot0000 load option (data only); the same across OvmfPkg builds of this era. */
static const char boot0000_hex[] = "23ada07f5261f12f34a0bd8e46760962d6b4d576a416f1fe"
                                   "a1c64bc656b1d28eacf7047ae6e967c58fd2a98bfa74c298";

/* The UEFI 2.10 GUIDs of the global variables and the image security database. */
#define EFI_GLOBAL_VARIABLE         "8be4df61-93ca-11d2-aa0d-00e098032b8c"
#define EFI_IMAGE_SECURITY_DATABASE "d719b2cb-3d3a-4596-a3bc-dad00e67656f"

int tdx_profile_parse(const char *s, enum tdx_profile *out)
{
	if (strcmp(s, "trustee") == 0 || strcmp(s, "ccel") == 0)
		*out = TDX_PROFILE_TRUSTEE;
	else if (strcmp(s, "dstack") == 0 || strcmp(s, "pre202505") == 0)
		*out = TDX_PROFILE_DSTACK;
	else
		return -EINVAL;
	return 0;
}

int tdx_load_options(const char *cmdline, bool has_initrd, uint8_t **out, size_t *len)
{
	size_t n = strlen(cmdline ? cmdline : ""), total;
	uint8_t *buf;

	/* OVMF widens each byte (%a into UCS-2), so non-ASCII bytes are not UTF-8 decoded. */
	total = n + (has_initrd ? sizeof(initrd_suffix) - 1 : 0);
	buf = calloc(total + 1, 2);
	if (!buf)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		buf[2 * i] = (uint8_t)cmdline[i];
	for (size_t i = n; i < total; i++)
		buf[2 * i] = (uint8_t)initrd_suffix[i - n];
	*out = buf;
	*len = 2 * (total + 1);
	return 0;
}

static int efi_variable_digest(const char *guid, const char *name, uint8_t out[SHA384_LEN])
{
	uint8_t buf[32 + 2 * 16] = {0};
	size_t n = strlen(name);

	if (guid_from_text(guid, buf) < 0)
		return -EINVAL;
	put_le64(buf + 16, n);
	put_le64(buf + 24, 0); /* unset: no data */
	for (size_t i = 0; i < n; i++)
		buf[32 + 2 * i] = (uint8_t)name[i];
	return tdx_sha384(buf, 32 + 2 * n, out);
}

struct range {
	bool accepted;
	uint64_t start, end;
};

static int cmp_range(const void *a, const void *b)
{
	const struct range *x = a, *y = b;
	return x->start < y->start ? -1 : x->start > y->start;
}

/* Marks [start, end) accepted, splitting the unaccepted ranges it covers. */
static void accept_range(struct range *r, size_t *n, uint64_t start, uint64_t end)
{
	struct range out[2 * TDVF_MAX_SECTIONS + 2];
	size_t m = 0;

	if (start >= end)
		return;
	for (size_t i = 0; i < *n; i++) {
		if (r[i].accepted || r[i].end <= start || r[i].start >= end) {
			out[m++] = r[i];
			continue;
		}
		if (r[i].start < start)
			out[m++] = (struct range){false, r[i].start, start};
		if (r[i].end > end)
			out[m++] = (struct range){false, end, r[i].end};
	}
	out[m++] = (struct range){true, start, end};
	qsort(out, m, sizeof(out[0]), cmp_range);
	memcpy(r, out, m * sizeof(out[0]));
	*n = m;
}

static void resource_hob(uint8_t *p, uint32_t type, uint64_t start, uint64_t len)
{
	memset(p, 0, 48);
	p[0] = 3;  /* EFI_HOB_TYPE_RESOURCE_DESCRIPTOR */
	p[2] = 48; /* length */
	p[24] = (uint8_t)type;
	p[28] = 7; /* present | initialized | tested */
	put_le64(p + 32, start);
	put_le64(p + 40, len);
}

int tdx_td_hob(const struct tdvf *t, uint64_t ram, uint8_t **out, size_t *len, char *why,
               size_t why_size)
{
	struct range r[2 * TDVF_MAX_SECTIONS + 2] = {{false, 0, ram}};
	size_t n = 1, pos = 56;
	uint64_t hob_gpa = 0, top = 0;
	uint8_t *hob;

	for (size_t i = 0; i < t->n; i++) {
		const struct tdvf_section *s = &t->sec[i];
		if (s->type != TDVF_TD_HOB && s->type != TDVF_TEMP_MEM)
			continue;
		accept_range(r, &n, s->gpa, s->gpa + s->mem_size);
		if (s->gpa + s->mem_size > top)
			top = s->gpa + s->mem_size;
		if (s->type == TDVF_TD_HOB)
			hob_gpa = s->gpa;
	}
	if (!hob_gpa)
		return why_set(why, why_size, -EBADMSG, "firmware metadata has no TD_HOB section");
	if (ram <= top)
		return why_set(why, why_size, -EINVAL,
		               "RAM size %#llx does not reach past the firmware's accepted memory",
		               (unsigned long long)ram);
	/* One HOB per range, the last (the RAM above the firmware's pages) maybe split in two. */
	hob = calloc(56 + 48 * (n + 1), 1);
	if (!hob)
		return -ENOMEM;
	hob[0] = 1; /* EFI_HOB_TYPE_HANDOFF (PHIT) */
	hob[2] = 56;
	hob[8] = 9; /* version */
	for (size_t i = 0; i + 1 < n; i++, pos += 48)
		resource_hob(hob + pos, r[i].accepted ? 0 : 7, r[i].start, r[i].end - r[i].start);
	if (ram >= HIGH_RAM) {
		/* QEMU maps RAM above 2 GiB at 4 GiB when it is this large. */
		if (r[n - 1].start < TWO_GIB) {
			resource_hob(hob + pos, 7, r[n - 1].start, TWO_GIB - r[n - 1].start);
			pos += 48;
		}
		if (r[n - 1].end > TWO_GIB) {
			resource_hob(hob + pos, 7, FOUR_GIB, r[n - 1].end - TWO_GIB);
			pos += 48;
		}
	} else {
		resource_hob(hob + pos, 7, r[n - 1].start, r[n - 1].end - r[n - 1].start);
		pos += 48;
	}
	put_le64(hob + 48, hob_gpa + pos + 8); /* EfiEndOfHobList */
	*out = hob;
	*len = pos;
	return 0;
}

static int add_event(struct tdx_prediction *p, int mr, const char *name, const uint8_t *digest)
{
	if (p->n_ev[mr] >= TDX_MAX_EVENTS)
		return -E2BIG;
	p->ev[mr][p->n_ev[mr]].name = name;
	memcpy(p->ev[mr][p->n_ev[mr]].digest, digest, SHA384_LEN);
	p->n_ev[mr]++;
	return 0;
}

static int add_hashed(struct tdx_prediction *p, int mr, const char *name, const void *data,
                      size_t len)
{
	uint8_t d[SHA384_LEN];
	int r = tdx_sha384(data, len, d);

	return r < 0 ? r : add_event(p, mr, name, d);
}

static int add_string(struct tdx_prediction *p, int mr, const char *name, const char *s)
{
	return add_hashed(p, mr, name, s, strlen(s));
}

static const uint8_t separator[4];

int tdx_rtmr0_events(const struct tdvf *t, uint64_t ram, enum tdx_profile profile,
                     const uint8_t cfv[SHA384_LEN], const uint8_t acpi[3][SHA384_LEN],
                     struct tdx_prediction *p, char *why, size_t why_size)
{
	static const struct {
		const char *name;
		const char *guid;
	} vars[] = {{"SecureBoot", EFI_GLOBAL_VARIABLE},
	            {"PK", EFI_GLOBAL_VARIABLE},
	            {"KEK", EFI_GLOBAL_VARIABLE},
	            {"db", EFI_IMAGE_SECURITY_DATABASE},
	            {"dbx", EFI_IMAGE_SECURITY_DATABASE}};
	static const char *const acpi_names[3] = {"acpi_loader", "acpi_rsdp", "acpi_tables"};
	static const uint8_t boot_order[2];
	uint8_t *hob, d[SHA384_LEN];
	size_t hob_len;
	int r;

	p->n_ev[0] = 0;
	r = tdx_td_hob(t, ram, &hob, &hob_len, why, why_size);
	if (r < 0)
		return r;
	r = add_hashed(p, 0, "td_hob", hob, hob_len);
	free(hob);
	if (r == 0)
		r = add_event(p, 0, "cfv", cfv);
	for (size_t i = 0; r == 0 && i < sizeof(vars) / sizeof(vars[0]); i++) {
		r = efi_variable_digest(vars[i].guid, vars[i].name, d);
		if (r == 0)
			r = add_event(p, 0, vars[i].name, d);
	}
	if (r == 0)
		r = add_hashed(p, 0, "separator", separator, sizeof(separator));
	for (int i = 0; r == 0 && i < 3; i++)
		r = add_event(p, 0, acpi_names[i], acpi[i]);
	if (r == 0)
		r = add_hashed(p, 0, "BootOrder", boot_order, sizeof(boot_order));
	if (r == 0) {
		tdx_unhex(boot0000_hex, d, SHA384_LEN);
		r = add_event(p, 0, "Boot0000", d);
	}
	if (r == 0 && profile == TDX_PROFILE_TRUSTEE)
		r = add_hashed(p, 0, "separator", separator, sizeof(separator));
	if (r == 0)
		tdx_fold(p, 0);
	return r;
}

static int predict_rtmr0(const struct tdx_inputs *in, struct tdx_prediction *p, char *why,
                         size_t why_size)
{
	const struct tdvf_section *cfv = NULL;
	uint8_t cfv_digest[SHA384_LEN], acpi[3][SHA384_LEN];
	int r;

	for (size_t i = 0; i < in->tdvf->n; i++)
		if (in->tdvf->sec[i].type == TDVF_CFV)
			cfv = &in->tdvf->sec[i];
	if (!cfv)
		return why_set(why, why_size, -EBADMSG,
		               "firmware metadata has no CFV (VARS) section to measure");
	/* edk2 TdxHelperMeasureCfvImage: the whole VARS region as the image holds it. */
	r = tdx_sha384(in->fw + cfv->data_offset, cfv->raw_size, cfv_digest);
	for (int i = 0; r == 0 && i < 3; i++)
		r = tdx_sha384(in->acpi[i], in->acpi_len[i], acpi[i]);
	if (r < 0)
		return r;
	return tdx_rtmr0_events(in->tdvf, in->ram, in->profile, cfv_digest, acpi, p, why, why_size);
}

int tdx_rtmr1_events(struct tdx_prediction *p, enum tdx_profile profile,
                     const uint8_t kernel[SHA384_LEN])
{
	int r;

	p->n_ev[1] = 0;
	r = add_event(p, 1, "kernel", kernel);
	if (r == 0)
		r = add_string(p, 1, "calling_efi_application",
		               "Calling EFI Application from Boot Option");
	if (r == 0 && profile == TDX_PROFILE_DSTACK)
		r = add_hashed(p, 1, "separator", separator, sizeof(separator));
	if (r == 0)
		r = add_string(p, 1, "exit_boot_services_invocation",
		               "Exit Boot Services Invocation");
	if (r == 0)
		r = add_string(p, 1, "exit_boot_services_returned",
		               "Exit Boot Services Returned with Success");
	if (r == 0)
		tdx_fold(p, 1);
	return r;
}

int tdx_rtmr2_events(struct tdx_prediction *p, const uint8_t *params, const uint8_t *initrd)
{
	int r = 0;

	p->n_ev[2] = 0;
	if (params)
		r = add_event(p, 2, "kernel_cmdline", params);
	if (r == 0 && initrd)
		r = add_event(p, 2, "initrd", initrd);
	if (r == 0)
		tdx_fold(p, 2);
	return r;
}

static int predict_kernel(const struct tdx_inputs *in, struct tdx_prediction *p,
                          const uint8_t *initrd, char *why, size_t why_size)
{
	uint8_t *k, *opts;
	size_t opts_len;
	int r;

	k = malloc(in->kernel_len);
	if (!k)
		return -ENOMEM;
	memcpy(k, in->kernel, in->kernel_len);
	r = pe_qemu_patch(k, in->kernel_len, in->initrd != NULL, in->initrd_len, in->ram, why,
	                  why_size);
	if (r == 0)
		r = pe_authenticode_sha384(k, in->kernel_len, p->kernel, why, why_size);
	free(k);
	if (r == 0)
		r = tdx_rtmr1_events(p, in->profile, p->kernel);
	if (r < 0)
		return r;
	p->has_kernel = true;

	/* With neither a command line nor an initrd OVMF passes no LoadOptions at all. */
	if ((in->cmdline && *in->cmdline) || in->initrd) {
		r = tdx_load_options(in->cmdline, in->initrd != NULL, &opts, &opts_len);
		if (r < 0)
			return r;
		r = tdx_sha384(opts, opts_len, p->params);
		free(opts);
		if (r < 0)
			return r;
		p->has_params = true;
	}
	return tdx_rtmr2_events(p, p->has_params ? p->params : NULL, initrd);
}

void tdx_fold(struct tdx_prediction *p, int mr)
{
	memset(p->rtmr[mr], 0, SHA384_LEN);
	for (size_t i = 0; i < p->n_ev[mr]; i++)
		tdx_extend(p->rtmr[mr], p->ev[mr][i].digest);
	p->has_rtmr[mr] = true;
}

/* The initrd is the largest input; it is hashed on a second thread while the rest proceeds. */
struct initrd_job {
	const uint8_t *data;
	size_t len;
	uint8_t digest[SHA384_LEN];
	int r;
};

static void *hash_initrd(void *arg)
{
	struct initrd_job *j = arg;

	j->r = tdx_sha384(j->data, j->len, j->digest);
	return NULL;
}

int tdx_predict(const struct tdx_inputs *in, struct tdx_prediction *p, char *why, size_t why_size)
{
	bool acpi = in->acpi[0] && in->acpi[1] && in->acpi[2];
	struct initrd_job job = {in->initrd, in->initrd_len, {0}, 0};
	bool threaded = false;
	pthread_t th;
	int r = 0;

	memset(p, 0, sizeof(*p));
	if (in->kernel && in->initrd && !in->ram)
		return why_set(why, why_size, -EINVAL,
		               "the patched kernel depends on the RAM size: give --memory");
	if (in->kernel && in->initrd) {
		threaded = pthread_create(&th, NULL, hash_initrd, &job) == 0;
		if (!threaded)
			hash_initrd(&job);
	}
	if (in->fw) {
		r = tdvf_mrtd(in->fw, in->fw_len, in->tdvf, in->two_pass, p->mrtd);
		if (r < 0)
			why_set(why, why_size, r, "hashing the firmware failed");
		p->has_mrtd = r == 0;
		if (r == 0 && acpi && in->ram)
			r = predict_rtmr0(in, p, why, why_size);
	}
	if (threaded)
		pthread_join(th, NULL);
	if (r == 0 && job.r < 0) {
		r = why_set(why, why_size, job.r, "hashing the initrd failed");
	}
	if (r == 0 && in->kernel)
		r = predict_kernel(in, p, in->initrd ? job.digest : NULL, why, why_size);
	return r;
}
