/* SPDX-License-Identifier: Apache-2.0 */
/* Launch measurement reports (launch_report.h). */
#include "rootfs/pipeline/launch_report.h"

#include <errno.h>
#include <stdio.h>

#include <openssl/evp.h>

#include "rootfs/lib/jsondoc.h"

static json_object *input_file(const struct launch_file *f)
{
	return f->path ? jsondoc_file(f->path, f->size, f->sha256) : NULL;
}

/* What a SEV value was computed from: the files by their sha256, then the guest's settings. */
static json_object *sev_inputs(const struct launch_in *in, const struct launch_result *res)
{
	enum sev_mode mode = in->mode->sev;
	json_object *o = json_object_new_object(), *append = NULL;
	char hex[32];

	json_object_object_add(o, "ovmf", input_file(&res->firmware));
	if (res->svsm.path) {
		json_object_object_add(o, "svsm", input_file(&res->svsm));
		json_object_object_add(o, "vars_size", json_object_new_int64(in->sev.vars_size));
	}
	json_object_object_add(o, "kernel", input_file(&res->kernel));
	json_object_object_add(o, "initrd", input_file(&res->initrd));
	if (res->have_hashes) {
		append = json_object_new_object();
		json_object_object_add(append, "value",
		                       jsondoc_text(in->cmdline ? in->cmdline : ""));
		json_object_object_add(append, "sha256_with_nul",
		                       jsondoc_hex(res->hashes.cmdline, 32));
	}
	json_object_object_add(o, "append", append);
	if (mode == SEV_MODE_SNP_OVMF_HASH) {
		json_object_object_add(o, "vcpus", NULL);
		return o;
	}
	json_object_object_add(o, "vcpus",
	                       json_object_new_int64(mode == SEV_MODE_SEV ? 0 : in->vcpus));
	json_object_object_add(o, "vcpu_type",
	                       jsondoc_text(mode != SEV_MODE_SEV ? in->vcpu_type : NULL));
	snprintf(hex, sizeof(hex), "0x%llx", (unsigned long long)res->vcpu_sig);
	json_object_object_add(o, "vcpu_sig", json_object_new_string(hex));
	snprintf(hex, sizeof(hex), "0x%llx",
	         (unsigned long long)(mode == SEV_MODE_SNP ? res->guest_features : 0));
	json_object_object_add(o, "guest_features", json_object_new_string(hex));
	json_object_object_add(o, "vmm_type", json_object_new_string(snp_vmm_type_name(res->vmm)));
	json_object_object_add(
	        o, "snp_ovmf_hash",
	        jsondoc_text(in->sev.ovmf_hash && *in->sev.ovmf_hash ? in->sev.ovmf_hash : NULL));
	return o;
}

static json_object *sev_report(const struct launch_in *in, const struct launch_result *res)
{
	char b64[4 * ((SEV_DIGEST_MAX + 2) / 3) + 1];
	json_object *doc = json_object_new_object();

	EVP_EncodeBlock((unsigned char *)b64, res->digest, (int)res->digest_len);
	json_object_object_add(doc, "mode", json_object_new_string(in->mode->name));
	json_object_object_add(doc, "measurement", jsondoc_hex(res->digest, res->digest_len));
	json_object_object_add(doc, "measurement_base64", json_object_new_string(b64));
	json_object_object_add(doc, "inputs", sev_inputs(in, res));
	return doc;
}

/* The registers the inputs allowed, in the order `ccimage measure --mode tdx` prints them. */
static json_object *tdx_report(const struct tdx_prediction *p)
{
	const struct {
		bool has;
		const char *name;
		const uint8_t *digest;
	} fields[] = {
	        {p->has_mrtd, "mr_td", p->mrtd},
	        {p->has_rtmr[0], "rtmr_0", p->rtmr[0]},
	        {p->has_rtmr[1], "rtmr_1", p->rtmr[1]},
	        {p->has_rtmr[2], "rtmr_2", p->rtmr[2]},
	        {p->has_kernel, "tdvfkernel", p->kernel},
	        {p->has_params, "tdvfkernelparams", p->params},
	};
	json_object *doc = json_object_new_object();

	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (fields[i].has)
			json_object_object_add(doc, fields[i].name,
			                       jsondoc_hex(fields[i].digest, SHA384_LEN));
	return doc;
}

json_object *launch_report_json(const struct launch_in *in, const struct launch_result *res)
{
	if (in->mode->tee == TEE_TDX)
		return res->tdx ? tdx_report(res->tdx) : NULL;
	return sev_report(in, res);
}

int launch_report_flags(const struct tee_mode *mode)
{
	return mode->tee == TEE_TDX ? JSONDOC_LINE : JSONDOC_PRETTY;
}

int launch_report_print(FILE *f, const struct launch_in *in, const struct launch_result *res)
{
	json_object *doc = launch_report_json(in, res);

	return doc ? jsondoc_print(f, doc, launch_report_flags(in->mode)) : -EIO;
}
