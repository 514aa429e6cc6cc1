// SPDX-License-Identifier: Apache-2.0
/*
 * The GPU attestation step (init/gpu/attestation.md): for every GPU the
 * driver attached, a fresh nonce from getrandom(), the chain and report
 * through the RM, gpu_attest_verify(), and the evidence written under
 * /run/ccinit/gpu/<bdf>/ whatever the verdict, so a failed boot can be read
 * from the console log and a passed one by the attestation agent.
 */
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "init/base/fileio.h"
#include "init/base/hex.h"
#include "init/base/log.h"
#include "init/base/why.h"
#include "init/core/boot.h"
#include "init/gpu/attest.h"
#include "init/gpu/claims.h"
#include "init/gpu/daemons.h"
#include "init/gpu/nvrm.h"
#include "init/gpu/nvrm_attest.h"
#include "init/gpu/rim.h"
#include "init/core/sys.h"

#define GPU_ATTEST_PARENT_DIR "/run/ccinit"

/* The leaf identity of each GPU attested so far (gpu_attest_verify fills it). */
struct seen {
	char bdf[16];
	uint8_t serial[32];
	size_t serial_size;
	char subject[256];
};

struct fetched {
	struct seen seen[NV0000_CTRL_GPU_MAX_ATTACHED_GPUS];
	struct nv_cc_certificate_params cert;
	struct nv_cc_report_params rep;
	uint8_t nonce[GPU_REPORT_NONCE_SIZE];
	uint8_t digest[GPU_ATTEST_DIGEST_SIZE]; /* of report and chain: what RTMR3 gets */
	struct json_object *evidence_list;      /* CoCo's device_evidence_list, GPUs that passed */
};

static int write_file(const char *dir, const char *name, const void *data, size_t size)
{
	char path[700];
	int fd, r;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0444);
	if (fd < 0)
		return -errno;
	r = write_full(fd, data, size);
	close(fd);
	return r;
}

/* Writes o (and drops it) as name under dir; a NULL o is a failed allocation. */
static int write_json(const char *dir, const char *name, struct json_object *o)
{
	const char *text;
	int r;

	if (!o)
		return -ENOMEM;
	text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
	                                                 JSON_C_TO_STRING_NOSLASHESCAPE);
	r = write_file(dir, name, text, strlen(text));
	json_object_put(o);
	return r;
}

static struct json_object *rim_json(const struct gpu_golden_rim *rim)
{
	struct json_object *o = rim ? json_object_new_object() : NULL;

	if (!o)
		return NULL;
	json_object_object_add(o, "model", json_object_new_string(rim->model));
	json_object_object_add(o, "version", json_object_new_string(rim->version));
	json_object_object_add(o, "sha256", json_object_new_string(rim->sha256));
	json_object_object_add(o, "certificate_status",
	                       json_object_new_string(rim->expired ? "expired" : "valid"));
	return o;
}

/*
 * NVIDIA's measres claim: "success" when every golden measurement matched,
 * "fail" when one did not or no RIM could be chosen; absent when no
 * comparison was asked for.
 */
static void add_measres(struct json_object *o, const struct gpu_rim_result *res)
{
	struct json_object *list;

	if (!res)
		return;
	json_object_object_add(o, "measres",
	                       json_object_new_string(gpu_rim_matched(res) ? "success" : "fail"));
	json_object_object_add(o, "driver_rim", rim_json(res->driver));
	json_object_object_add(o, "vbios_rim", rim_json(res->vbios));
	json_object_object_add(o, "board", json_object_new_string(res->board));
	json_object_object_add(o, "measurements_compared", json_object_new_int((int)res->compared));
	list = json_object_new_array();
	for (unsigned i = 0; list && i <= GPU_GOLDEN_MAX_INDEX; i++)
		if (res->mismatch[i])
			json_object_array_add(list, json_object_new_int((int)i));
	json_object_object_add(o, "mismatched_indices", list);
}

static int write_verdict(const char *dir, const struct nvrm_gpu *g, const struct gpu_report *rep,
                         const struct fetched *f, const struct gpu_rim_result *res, int result,
                         const char *why)
{
	struct json_object *o = json_object_new_object();
	char hex[2 * GPU_ATTEST_DIGEST_SIZE + 1];

	if (!o)
		return -ENOMEM;
	hex_encode(f->nonce, GPU_REPORT_NONCE_SIZE, hex);
	json_object_object_add(o, "gpu", json_object_new_string(g->bdf));
	json_object_object_add(o, "verdict", json_object_new_string(result == 0 ? "pass" : "fail"));
	json_object_object_add(o, "reason", result == 0 ? NULL : json_object_new_string(why));
	json_object_object_add(o, "nonce", json_object_new_string(hex));
	json_object_object_add(o, "root_sha256",
	                       json_object_new_string(GPU_ATTEST_NVIDIA_ROOT_SHA256));
	hex_encode(f->digest, GPU_ATTEST_DIGEST_SIZE, hex);
	json_object_object_add(o, "evidence_sha384", json_object_new_string(hex));
	if (result == 0) {
		json_object_object_add(o, "driver_version",
		                       json_object_new_string(rep->driver_version));
		json_object_object_add(o, "vbios_version",
		                       json_object_new_string(rep->vbios_version));
		json_object_object_add(o, "measurement_blocks",
		                       json_object_new_int((int)rep->block_count));
	}
	add_measres(o, res);
	return write_json(dir, "verdict.json", o);
}

/* Evidence of one GPU: what the GPU sent, what we asked, what we concluded. */
static int write_evidence(const struct nvrm_gpu *g, const struct fetched *f,
                          const struct gpu_report *rep, bool verified,
                          const struct gpu_rim_result *res, int result, const char *why)
{
	char dir[600], base[512];
	int r;

	/* /run/ccinit exists only where a verified root was built: make it otherwise. */
	if (sys_path(base, sizeof(base), GPU_ATTEST_PARENT_DIR) < 0)
		return -ENAMETOOLONG;
	if (mkdir(base, 0755) < 0 && errno != EEXIST)
		return -errno;
	if (sys_path(base, sizeof(base), GPU_ATTEST_EVIDENCE_DIR) < 0)
		return -ENAMETOOLONG;
	if (mkdir(base, 0755) < 0 && errno != EEXIST)
		return -errno;
	snprintf(dir, sizeof(dir), "%s/%s", base, g->bdf);
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return -errno;
	r = write_file(dir, "report.bin", f->rep.report, f->rep.report_size);
	if (r == 0)
		r = write_file(dir, "chain.pem", f->cert.attestation_cert_chain,
		               f->cert.attestation_cert_chain_size);
	if (r == 0)
		r = write_file(dir, "nonce.bin", f->nonce, sizeof(f->nonce));
	if (r == 0)
		r = write_verdict(dir, g, rep, f, res, result, why);
	if (r == 0 && verified)
		r = write_json(dir, "claims.json", gpu_claims_new(rep, res, f->nonce));
	return r;
}

/*
 * Each GPU's leaf is a different device: a host that replays one GPU's
 * evidence (its chain, and a report answering our nonce) for a second device
 * would pass every per-GPU check. NVIDIA's ueid claim is the leaf's serial;
 * the subject carries the device's serialNumber too, so either alike refuses.
 */
static int check_distinct(struct fetched *f, unsigned index, const struct nvrm_gpu *g,
                          const struct gpu_report *rep, char *why, size_t why_size)
{
	struct seen *me = &f->seen[index];
	char hex[2 * sizeof(me->serial) + 1];

	for (unsigned i = 0; i < index; i++) {
		const struct seen *o = &f->seen[i];
		bool serial = o->serial_size == rep->leaf_serial_size &&
		              memcmp(o->serial, rep->leaf_serial, o->serial_size) == 0;

		if (!serial && (!o->subject[0] || strcmp(o->subject, rep->leaf_subject) != 0))
			continue;
		hex_encode(rep->leaf_serial, rep->leaf_serial_size, hex);
		return why_set(why, why_size, -EKEYREJECTED,
		               "device identity: the same leaf (serial %s, \"%s\") as GPU %s: one "
		               "device's evidence presented for two",
		               hex, rep->leaf_subject, o->bdf);
	}
	snprintf(me->bdf, sizeof(me->bdf), "%s", g->bdf);
	memcpy(me->serial, rep->leaf_serial, rep->leaf_serial_size);
	me->serial_size = rep->leaf_serial_size;
	snprintf(me->subject, sizeof(me->subject), "%s", rep->leaf_subject);
	return 0;
}

static int attest_one(struct nvrm *rm, const struct nvrm_gpu *g, unsigned index, bool devtools,
                      const struct gpu_golden *golden, struct fetched *f, bool *measured, char *why,
                      size_t why_size)
{
	struct gpu_attest_input in = {.devtools = devtools};
	struct gpu_rim_result res;
	struct gpu_report rep;
	bool verified, compared = false;
	char st[32], check[768] = "";
	int r, w;

	r = sys->getrandom(f->nonce, sizeof(f->nonce));
	if (r < 0)
		return why_set(why, why_size, r, "GPU %s: nonce: getrandom", g->bdf);
	r = nvrm_attest_fetch(rm, g, f->nonce, &f->cert, &f->rep);
	if (r < 0)
		return why_set(why, why_size, r, "GPU %s: fetching the report and chain: %s",
		               g->bdf, nvrm_status_name(rm->status, st, sizeof(st)));
	in.report = f->rep.report;
	in.report_size = f->rep.report_size;
	in.chain_pem = (const char *)f->cert.attestation_cert_chain;
	in.chain_size = f->cert.attestation_cert_chain_size;
	in.nonce = f->nonce;
	in.root_der = gpu_attest_nvidia_root;
	in.root_size = gpu_attest_nvidia_root_size;
	gpu_attest_evidence_digest(in.report, in.report_size, in.chain_pem, in.chain_size,
	                           f->digest);
	r = gpu_attest_verify(&in, &rep, check, sizeof(check));
	verified = r == 0;
	if (r == 0)
		r = check_distinct(f, index, g, &rep, check, sizeof(check));
	if (r == 0 && golden) {
		r = gpu_rim_compare(golden, &rep, &res, check, sizeof(check));
		compared = true;
	}
	w = write_evidence(g, f, &rep, verified, compared ? &res : NULL, r, check);
	if (r < 0)
		return why_set(why, why_size, r, "GPU %s: attestation failed: %s", g->bdf, check);
	if (w < 0)
		return why_set(why, why_size, w, "GPU %s: writing the evidence under %s", g->bdf,
		               GPU_ATTEST_EVIDENCE_DIR);
	if (json_object_array_add(f->evidence_list,
	                          gpu_evidence_entry_new(&rep, in.report, in.report_size,
	                                                 in.chain_pem, in.chain_size, f->nonce)) <
	    0)
		return why_set(why, why_size, -ENOMEM, "GPU %s: its evidence list entry", g->bdf);
	r = gpu_attest_extend_rtmr3(g->bdf, f->digest, why, why_size);
	if (r == 1)
		*measured = false;
	return r < 0 ? r : 0;
}

/* Every GPU's evidence as CoCo's NVIDIA attester sends it: evidence.json beside their folders. */
static int write_evidence_list(struct fetched *f)
{
	struct json_object *o = json_object_new_object();
	char dir[512];

	if (sys_path(dir, sizeof(dir), GPU_ATTEST_EVIDENCE_DIR) < 0) {
		json_object_put(o);
		return -ENAMETOOLONG;
	}
	if (o)
		json_object_object_add(o, "device_evidence_list",
		                       json_object_get(f->evidence_list));
	return write_json(dir, "evidence.json", o);
}

int gpu_attest_all(const char *ctl, const char *version, bool devtools,
                   const struct gpu_golden *golden, unsigned expected, bool *measured, char *why,
                   size_t why_size)
{
	struct nvrm_gpu gpus[NV0000_CTRL_GPU_MAX_ATTACHED_GPUS];
	struct fetched *f = calloc(1, sizeof(*f)); /* 31 KiB: not on PID 1's stack */
	unsigned count = 0;
	struct nvrm rm;
	char st[32];
	int r;

	if (!f || !(f->evidence_list = json_object_new_array())) {
		free(f);
		return -ENOMEM;
	}
	r = nvrm_open(&rm, ctl, version);
	if (r == 0)
		r = nvrm_cc_attach(&rm);
	if (r < 0)
		why_set(why, why_size, r, "%s: opening the RM for attestation: %s", ctl,
		        nvrm_status_name(rm.status, st, sizeof(st)));
	if (r == 0) {
		r = nvrm_gpus_list(&rm, gpus, NV0000_CTRL_GPU_MAX_ATTACHED_GPUS, &count);
		if (r < 0)
			why_set(why, why_size, r, "listing the GPUs the driver attached: %s",
			        nvrm_status_name(rm.status, st, sizeof(st)));
	}
	if (r == 0 && count != expected)
		r = why_set(why, why_size, -ENODEV,
		            "the driver attached %u GPUs for attestation, PCI has %u", count,
		            expected);
	*measured = true;
	for (unsigned i = 0; r == 0 && i < count; i++)
		r = attest_one(&rm, &gpus[i], i, devtools, golden, f, measured, why, why_size);
	if (r == 0 && (r = write_evidence_list(f)) < 0)
		why_set(why, why_size, r, "writing %s/evidence.json", GPU_ATTEST_EVIDENCE_DIR);
	nvrm_close(&rm);
	json_object_put(f->evidence_list);
	free(f);
	return r;
}

/* The golden table ccinit.gpu.rim asks for (attestation.md, 6): NULL when none is wanted. */
static int golden_load(enum gpu_rim_policy policy, struct gpu_golden **out, char *why,
                       size_t why_size)
{
	char found[512], path[600], parse_why[256] = "", *text;
	size_t len;
	int r;

	*out = NULL;
	if (policy == GPU_RIM_OFF)
		return 0;
	r = gpu_userspace_find(GPU_GOLDEN_PATH, found, sizeof(found));
	if (r == -ENOENT && policy == GPU_RIM_AUTO)
		return 0;
	if (r < 0)
		return why_set(why, why_size, r,
		               "ccinit.gpu.rim=require, and the image has no golden table (%s)",
		               GPU_GOLDEN_PATH);
	r = sys_path(path, sizeof(path), found);
	if (r == 0)
		r = read_full_file(path, GPU_GOLDEN_MAX_SIZE, &text, &len);
	if (r < 0)
		return why_set(why, why_size, r, "%s: reading the golden table", found);
	r = gpu_golden_parse(text, len, out, parse_why, sizeof(parse_why));
	free(text);
	if (r < 0)
		return why_set(why, why_size, r, "%s: %s", found, why_or_errno(parse_why, r));
	log_info("gpu: golden measurements of %u RIMs from %s", (*out)->count, found);
	return 0;
}

int gpu_attest_step(struct boot *b, const char *ctl, const char *version,
                    const struct nvrm_cc_state *cc, unsigned gpus)
{
	struct gpu_golden *golden = NULL;
	char why[1024] = "";
	bool measured = false;
	int r = golden_load(b->config.gpu_rim, &golden, why, sizeof(why));

	if (r == 0)
		r = gpu_attest_all(ctl, version, cc->caps.devtools_mode != 0, golden, gpus,
		                   &measured, why, sizeof(why));
	gpu_golden_free(golden);
	if (r < 0)
		return boot_error(b, r, "%s", why);
	if (!measured)
		log_notice("gpu: no %s (not a TD, or Linux before 6.16): evidence not measured",
		           GPU_ATTEST_RTMR3);
	log_info("gpu: %u GPUs attested against NVIDIA's root%s; evidence in %s", gpus,
	         golden ? " and NVIDIA's golden measurements" : "", GPU_ATTEST_EVIDENCE_DIR);
	return 0;
}
