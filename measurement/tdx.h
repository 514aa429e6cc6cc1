/* SPDX-License-Identifier: Apache-2.0 */
/* TDX launch-measurement prediction (MRTD, RTMR1, RTMR2, event digests). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SHA384_LEN 48
/* Room for the one-line reason (why, init/base/why.h) a parser gives when it rejects its input. */
#define TDX_ERR_MAX 200

/* SHA-384 of one buffer; 0 or -ENOMEM/-EIO from the crypto library. */
int tdx_sha384(const void *data, size_t len, uint8_t out[SHA384_LEN]);
/* RTMR = SHA-384(RTMR || digest): the extension every TDX measurement register uses. */
int tdx_extend(uint8_t mr[SHA384_LEN], const uint8_t digest[SHA384_LEN]);
/* Lowercase hex into out (2 * len + 1 bytes). Returns out. */
char *tdx_hex(const uint8_t *bytes, size_t len, char *out);
/* Parses exactly 2 * len hex digits. Returns 0 or -EINVAL. */
int tdx_unhex(const char *s, uint8_t *out, size_t len);

/*
 * Reads a whole input file of at most TDX_FILE_MAX bytes under the input
 * rule (init/base/cmdfiles.h), why saying what is wrong with it; empty gives
 * a non-NULL buffer. Caller frees.
 */
#define TDX_FILE_MAX (4ull << 30) /* firmware, kernel, initrd, event logs: 4 GiB is past all */
int tdx_read_file(const char *path, uint8_t **data, size_t *len, char *why, size_t why_size);

/*
 * Firmware event orderings seen in the field (measurement/README.md, 6.5). They differ
 * in where OVMF puts the separator that closes the pre-boot phase.
 */
enum tdx_profile {
	TDX_PROFILE_TRUSTEE, /* trustee's CCEL_data_ovmf: separator in RTMR0 after Boot0000 */
	TDX_PROFILE_DSTACK,  /* dstack "Pre202505", tdx-measure: separator in RTMR1 */
};

/* Parses "trustee" (alias "ccel") or "dstack" (alias "pre202505"). -EINVAL otherwise. */
int tdx_profile_parse(const char *s, enum tdx_profile *out);

struct tdvf;

struct tdx_inputs {
	const uint8_t *fw; /* the unified OVMF image (-bios); needed for MRTD and RTMR0 */
	size_t fw_len;
	const struct tdvf *tdvf; /* its parsed metadata */
	bool two_pass;           /* QEMU 8.x page-add order */
	const uint8_t *kernel;   /* bzImage; NULL: no RTMR1/RTMR2 */
	size_t kernel_len;
	const uint8_t *initrd; /* NULL: no initrd */
	size_t initrd_len;
	const char *cmdline; /* -append; NULL as empty */
	uint64_t ram;        /* guest RAM in bytes; 0 when unknown */
	enum tdx_profile profile;
	/* QEMU fw_cfg etc/table-loader, etc/acpi/rsdp, etc/acpi/tables; with ram and fw: RTMR0 */
	const uint8_t *acpi[3];
	size_t acpi_len[3];
};

#define TDX_MAX_EVENTS 16

struct tdx_event {
	const char *name; /* "kernel", "separator", "td_hob", ... (static strings) */
	uint8_t digest[SHA384_LEN];
};

struct tdx_prediction {
	bool has_mrtd, has_rtmr[3], has_kernel, has_params;
	uint8_t mrtd[SHA384_LEN];
	uint8_t rtmr[3][SHA384_LEN];
	struct tdx_event ev[3][TDX_MAX_EVENTS];
	size_t n_ev[3];
	uint8_t kernel[SHA384_LEN]; /* tdvfkernel */
	uint8_t params[SHA384_LEN]; /* tdvfkernelparams */
};

/*
 * Computes what the inputs allow: MRTD from fw, RTMR1/RTMR2 and the event
 * digests from kernel (+ initrd, cmdline, ram), RTMR0 from fw + ram + ACPI.
 * Returns 0 or a negative errno with why set.
 */
int tdx_predict(const struct tdx_inputs *in, struct tdx_prediction *out, char *why,
                size_t why_size);

/* The LoadOptions bytes OVMF hands the kernel: UCS-2 of cmdline [+ " initrd=initrd"] + NUL. */
int tdx_load_options(const char *cmdline, bool has_initrd, uint8_t **out, size_t *len);
/* The TD HOB QEMU builds for the firmware's metadata and RAM size (the RTMR0 "TdxTable" event). */
int tdx_td_hob(const struct tdvf *t, uint64_t ram, uint8_t **out, size_t *len, char *why,
               size_t why_size);

/*
 * RTMR0's events from the parts that vary: the TD HOB (built from t and ram),
 * and the CFV and three ACPI digests. Sets p->ev[0] and p->rtmr[0].
 */
int tdx_rtmr0_events(const struct tdvf *t, uint64_t ram, enum tdx_profile profile,
                     const uint8_t cfv[SHA384_LEN], const uint8_t acpi[3][SHA384_LEN],
                     struct tdx_prediction *p, char *why, size_t why_size);
/* Replays p->ev[mr] into p->rtmr[mr]. */
void tdx_fold(struct tdx_prediction *p, int mr);
/* RTMR1's events for a kernel Authenticode digest; sets p->ev[1] and p->rtmr[1]. */
int tdx_rtmr1_events(struct tdx_prediction *p, enum tdx_profile profile,
                     const uint8_t kernel[SHA384_LEN]);
/* RTMR2's events: the LoadOptions and initrd digests, either may be NULL (no event). */
int tdx_rtmr2_events(struct tdx_prediction *p, const uint8_t *params, const uint8_t *initrd);
