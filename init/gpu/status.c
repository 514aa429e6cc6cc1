// SPDX-License-Identifier: Apache-2.0
/*
 * `ccinit gpu-status`: what the GPU step would find, as one JSON document
 * built with json-c, with the CC fields also in the words `nvidia-smi
 * conf-compute -q` prints (tests/gpu/compare.sh holds them side by side).
 * Read only: it issues GET controls, never SET.
 */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "init/gpu/cc.h"
#include "init/gpu/nodes.h"
#include "init/gpu/status.h"
#include "init/gpu/topology.h"
#include "init/gpu/nvrm.h"
#include "init/core/tee.h"
#include "init/base/log.h"
#include "init/core/sys.h"

static void add_str(struct json_object *o, const char *key, const char *value)
{
	json_object_object_add(o, key, json_object_new_string(value));
}

static void add_hex16(struct json_object *o, const char *key, unsigned value)
{
	char text[8];

	snprintf(text, sizeof(text), "0x%04x", value);
	add_str(o, key, text);
}

static struct json_object *error_object(const char *why)
{
	struct json_object *o = json_object_new_object();

	add_str(o, "error", why);
	return o;
}

static struct json_object *pci_list(const struct gpu_pci *l, unsigned n)
{
	struct json_object *a = json_object_new_array();

	for (unsigned i = 0; i < n; i++) {
		struct json_object *o = json_object_new_object();
		add_str(o, "bdf", l[i].bdf);
		add_hex16(o, "device", l[i].device);
		json_object_array_add(a, o);
	}
	return a;
}

static struct json_object *topology_object(const struct gpu_topology *t)
{
	struct json_object *o = json_object_new_object(), *gpus = json_object_new_array();

	add_str(o, "mode", gpu_mode_name(t->mode));
	for (unsigned i = 0; i < t->gpu_count; i++) {
		struct json_object *g = json_object_new_object();
		struct gpu_info info;

		(void)gpu_info_read(t->gpus[i].bdf, &info);
		add_str(g, "bdf", t->gpus[i].bdf);
		add_hex16(g, "device", t->gpus[i].device);
		json_object_object_add(g, "minor", json_object_new_int(info.minor));
		add_str(g, "model", info.model);
		add_str(g, "uuid", info.uuid);
		json_object_array_add(gpus, g);
	}
	json_object_object_add(o, "gpus", gpus);
	json_object_object_add(o, "nvswitches", pci_list(t->nvswitches, t->nvswitch_count));
	json_object_object_add(o, "sw_mng_nics", pci_list(t->swmng, t->swmng_count));
	return o;
}

static struct json_object *tee_object(const struct tee_info *tee, int r)
{
	struct json_object *o = json_object_new_object();
	const struct {
		const char *key;
		bool value;
	} evidence[] = {{"sev_guest", tee->ev.sev_guest},
	                {"tdx_guest", tee->ev.tdx_guest},
	                {"tsm", tee->ev.tsm},
	                {"cpuid_snp", tee->ev.cpuid_snp},
	                {"cpuid_tdx", tee->ev.cpuid_tdx}};

	add_str(o, "cpu", r < 0 ? "ambiguous" : cpu_tee_name(tee->tee));
	for (size_t i = 0; i < sizeof(evidence) / sizeof(evidence[0]); i++)
		json_object_object_add(o, evidence[i].key,
		                       json_object_new_boolean(evidence[i].value));
	return o;
}

static struct json_object *cc_object(const struct nvrm_cc_state *s)
{
	const struct nv_cc_caps_params *c = &s->caps;
	struct json_object *o = json_object_new_object(), *smi = json_object_new_object();
	const struct {
		const char *key;
		uint8_t value;
	} fields[] = {
	        {"cpu_capability", c->cpu_capability}, {"gpus_capability", c->gpus_capability},
	        {"environment", c->environment},       {"cc_feature", c->cc_feature},
	        {"devtools_mode", c->devtools_mode},   {"multi_gpu_mode", c->multi_gpu_mode}};

	add_str(o, "mode", gpu_cc_mode_name(gpu_cc_mode_of(c)));
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		json_object_object_add(o, fields[i].key, json_object_new_int(fields[i].value));
	add_str(smi, "CC State", gpu_cc_smi_state(c));
	add_str(smi, "Multi-GPU Mode", gpu_cc_smi_multi_gpu(c->multi_gpu_mode));
	add_str(smi, "CPU CC Capabilities", gpu_cc_smi_cpu(c->cpu_capability));
	add_str(smi, "GPU CC Capabilities", gpu_cc_smi_gpus(c->gpus_capability));
	add_str(smi, "CC GPUs Ready State", s->ready ? "Ready" : "Not Ready");
	json_object_object_add(o, "smi", smi);
	return o;
}

/* The running driver's version: the module's, else the procfs banner's. */
static int driver_version(char *buf, size_t size)
{
	char text[512];
	const char *p;

	if (sys_read_file(NVRM_MODULE_VERSION, buf, size) >= 0 && buf[0])
		return 0;
	if (sys_read_file("/proc/driver/nvidia/version", text, sizeof(text)) < 0)
		return -ENOENT;
	/* "NVRM version: NVIDIA UNIX ... Kernel Module for x86_64  580.159.04  Release ..." */
	for (p = text; *p && *p != '\n'; p++)
		if (p[0] == ' ' && p[1] >= '0' && p[1] <= '9' && strchr(p + 1, '.')) {
			size_t n = strcspn(p + 1, " \n");
			if (n < size && memchr(p + 1, '.', n)) {
				memcpy(buf, p + 1, n);
				buf[n] = '\0';
				return 0;
			}
		}
	return -ENOENT;
}

/* The CC state through the driver; why says what stood in the way. */
static int cc_read(const char *version, int rv, struct nvrm_cc_state *cc, char *why, size_t size)
{
	char path[512];
	struct stat st;

	if (rv < 0) {
		snprintf(why, size, "no NVIDIA driver loaded");
		return rv;
	}
	if (sys_path(path, sizeof(path), NVRM_CTL_PATH) < 0 || stat(path, &st) < 0) {
		snprintf(why, size, "%s is missing", NVRM_CTL_PATH);
		return -ENOENT;
	}
	return gpu_cc_query(NVRM_CTL_PATH, version, cc, why, size);
}

int gpu_status_main(int argc, char **argv)
{
	struct gpu_topology topo;
	struct tee_info tee;
	struct nvrm_cc_state cc = {0};
	struct json_object *doc, *driver;
	char version[64] = "", twhy[256] = "", cwhy[384] = "";
	int rt, rtee, rv, rc;

	if (argc > 1) {
		fprintf(stderr, "usage: %s (prints the GPU topology, TEE and CC state as JSON)\n",
		        argv[0]);
		return strcmp(argv[1], "--help") == 0 ? 0 : 2;
	}
	log_to_stderr();
	rt = gpu_topology_scan(&topo, twhy, sizeof(twhy));
	rtee = tee_detect(&tee, true);
	rv = driver_version(version, sizeof(version));
	rc = cc_read(version, rv, &cc, cwhy, sizeof(cwhy));

	doc = json_object_new_object();
	json_object_object_add(doc, "topology",
	                       rt < 0 ? error_object(twhy) : topology_object(&topo));
	json_object_object_add(doc, "tee", tee_object(&tee, rtee));
	driver = json_object_new_object();
	add_str(driver, "version", version);
	json_object_object_add(doc, "driver", driver);
	json_object_object_add(doc, "cc", rc < 0 ? error_object(cwhy) : cc_object(&cc));
	json_object_object_add(doc, "ready", rc < 0 ? NULL : json_object_new_boolean(cc.ready));
	printf("%s\n", json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PRETTY |
	                                                           JSON_C_TO_STRING_SPACED |
	                                                           JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(doc);
	return rt < 0 || rc < 0 ? 1 : 0;
}
