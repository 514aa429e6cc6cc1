// SPDX-License-Identifier: Apache-2.0
/*
 * The attestation step (init/gpu/attest.c) through the system-call seam: a
 * small fake RM behind /dev/nvidiactl answers the GPU listing, the device
 * and subdevice allocations and the two attestation controls with nvtrust's
 * H100 sample (a second GPU may get the SDK's GB100 sample, which answers
 * the same nonce), and getrandom() returns the nonce that sample answered.
 * The fake refuses any control it does not know, so a SET would fail the test.
 */
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <linux/ioctl.h>
#include <stdlib.h>
#include <unistd.h>

#include "init/base/base64.h"
#include "init/base/bytes.h"
#include "init/base/fileio.h"
#include "init/base/hex.h"
#include "init/gpu/attest.h"
#include "init/gpu/nvrm_attest.h"
#include "init/core/sys.h"
#include "measurement/tdx.h"
#include "rootfs/ccimage/command.h"
#include "tests/lib/fake_nvrm.h"
#include "tests/lib/tap.h"

#define NV "tests/fixtures/nvidia-gpu/"
static void setup(void)
{
	if (fake_nvrm_setup(FAKE_NVRM_SAMPLE_REPORT, FAKE_NVRM_SAMPLE_CHAIN,
	                    FAKE_NVRM_SAMPLE_NONCE) < 0)
		tap_fail("cannot serve nvtrust's sample");
	atexit(fake_nvrm_remove_root);
}

/* The second GPU's evidence: NVIDIA's GB100 sample answers the same nonce as the H100 one. */
static void second_gpu(const char *report, const char *chain)
{
	if (fake_nvrm_second_gpu(report, chain) < 0)
		tap_fail("cannot read %s or %s", report, chain);
}

static char *evidence(const char *name, size_t *len)
{
	char *buf = fake_nvrm_evidence(0x41, name, len);

	if (!buf)
		tap_fail("no evidence file %s", name);
	return buf;
}

static bool measured;

static int run(bool devtools, unsigned expected, char *why, size_t size)
{
	return gpu_attest_all("/dev/nvidiactl", "580.159.04", devtools, NULL, expected, &measured,
	                      why, size);
}

/* Field offsets as ctrlcb33.h, cl0080.h and ctrl0000gpu.h lay them out (natural alignment). */
TEST(layouts)
{
	ASSERT_EQ(offsetof(struct nv_cc_certificate_params, cert_chain_size), 4100);
	ASSERT_EQ(offsetof(struct nv_cc_certificate_params, attestation_cert_chain), 4104);
	ASSERT_EQ(offsetof(struct nv_cc_certificate_params, attestation_cert_chain_size), 9224);
	ASSERT_EQ(offsetof(struct nv_cc_report_params, nonce), 4);
	ASSERT_EQ(offsetof(struct nv_cc_report_params, report), 36);
	ASSERT_EQ(offsetof(struct nv_cc_report_params, report_size), 8228);
	ASSERT_EQ(offsetof(struct nv_cc_report_params, cec_report_present), 8232);
	ASSERT_EQ(offsetof(struct nv_cc_report_params, cec_report_size), 12332);
	ASSERT_EQ(offsetof(struct nv0080_alloc, va_space_size), 24);
	ASSERT_EQ(offsetof(struct nv0080_alloc, va_mode), 48);
	ASSERT_EQ(offsetof(struct nv0000_pci_info, slot), 10);
}

/*
 * Every claim ccinit makes that NVIDIA's service also made for this sample
 * has NVIDIA's value, but for the RIM comparison's: there is no table here.
 */
static void check_claims_as_nvidia_gave_them(void)
{
	static const char *const not_compared[] = {"measres", "secboot", "dbgstat", NULL};
	struct json_object *ours, *nvidia, *theirs;
	char *text, path[256];
	unsigned same = 0;
	size_t len;

	text = evidence("claims.json", &len);
	ours = json_tokener_parse(text);
	free(text);
	ASSERT_EQ(read_full_file(NV "hopperClaimsv3_decoded.json", 1 << 20, &text, &len), 0);
	nvidia = json_tokener_parse(text);
	free(text);
	ASSERT_TRUE(ours && nvidia && json_object_object_get_ex(nvidia, "GPU-0", &theirs));
	json_object_object_foreach(ours, key, value)
	{
		struct json_object *v;
		bool skip = false;

		for (unsigned i = 0; not_compared[i]; i++)
			skip |= strcmp(key, not_compared[i]) == 0;
		if (skip || !json_object_object_get_ex(theirs, key, &v))
			continue;
		if (json_object_is_type(value,
		                        json_type_object)) { /* a cert chain: what we claim */
			json_object_object_foreach(value, k2, v2)
			{
				struct json_object *t2;

				ASSERT_TRUE(json_object_object_get_ex(v, k2, &t2));
				snprintf(path, sizeof(path), "%s", json_object_to_json_string(v2));
				ASSERT_STR(path, json_object_to_json_string(t2));
			}
		} else {
			snprintf(path, sizeof(path), "%s", json_object_to_json_string(value));
			ASSERT_STR(path, json_object_to_json_string(v));
		}
		same++;
	}
	ASSERT_TRUE(same >= 11);
	json_object_put(ours);
	json_object_put(nvidia);
}

/* CoCo's evidence list: the served report and chain, in base64, as the NVIDIA attester sends. */
static void check_evidence_list(void)
{
	char path[256], *text, *b64;
	struct json_object *o, *list, *e, *v;
	size_t len;

	snprintf(path, sizeof(path), "%s/run/ccinit/gpu/evidence.json", fake_rm_root);
	ASSERT_EQ(read_full_file(path, 1 << 20, &text, &len), 0);
	o = json_tokener_parse(text);
	free(text);
	ASSERT_TRUE(o && json_object_object_get_ex(o, "device_evidence_list", &list));
	ASSERT_EQ(json_object_array_length(list), 1);
	e = json_object_array_get_idx(list, 0);
	ASSERT_TRUE(json_object_object_get_ex(e, "arch", &v));
	ASSERT_STR(json_object_get_string(v), "HOPPER");
	ASSERT_TRUE(json_object_object_get_ex(e, "evidence", &v));
	ASSERT_EQ(base64_encode(fake_rm.report, fake_rm.report_size, &b64), 0);
	ASSERT_STR(json_object_get_string(v), b64);
	free(b64);
	ASSERT_TRUE(json_object_object_get_ex(e, "certificate", &v));
	ASSERT_EQ(base64_encode((const uint8_t *)fake_rm.chain, fake_rm.chain_size, &b64), 0);
	ASSERT_STR(json_object_get_string(v), b64);
	free(b64);
	json_object_put(o);
}

TEST(sample_gpu_passes_and_leaves_evidence)
{
	char why[640] = "", *text;
	size_t len;

	setup();
	if (run(false, 1, why, sizeof(why)) != 0)
		tap_fail("%s", why);
	ASSERT_EQ(fake_rm.other, 0); /* GET controls only */
	text = evidence("report.bin", &len);
	ASSERT_EQ(len, fake_rm.report_size);
	ASSERT_MEM(text, fake_rm.report, len);
	free(text);
	text = evidence("nonce.bin", &len);
	ASSERT_EQ(len, 32);
	ASSERT_MEM(text, fake_rm.nonce, 32);
	free(text);
	text = evidence("chain.pem", &len);
	ASSERT_EQ(len, fake_rm.chain_size);
	free(text);
	text = evidence("verdict.json", &len);
	ASSERT_CONTAINS(text, "\"verdict\":\"pass\"");
	ASSERT_CONTAINS(text, "\"gpu\":\"0000:41:00.0\"");
	ASSERT_CONTAINS(text, "\"driver_version\":\"550.90.07\"");
	ASSERT_CONTAINS(text, "\"vbios_version\":\"96.00.9F.00.01\"");
	ASSERT_CONTAINS(text, GPU_ATTEST_NVIDIA_ROOT_SHA256);
	free(text);
	/* NVIDIA's claims for it, as its service gave them for this sample (attestation-sdk's
	 * hopperClaimsv3_decoded.json), less the RIM claims: no golden table here. */
	text = evidence("claims.json", &len);
	ASSERT_CONTAINS(text, "\"ueid\":\"478176379286082186618948445787393647364802107249\"");
	ASSERT_CONTAINS(text, "\"hwmodel\":\"GH100 A01 GSP BROM\"");
	ASSERT_CONTAINS(text,
	                "\"eat_nonce\":"
	                "\"931d8dd0add203ac3d8b4fbde75e115278eefcdceac5b87671a748f32364dfcb\"");
	ASSERT_CONTAINS(text, "\"x-nvidia-gpu-driver-version\":\"550.90.07\"");
	ASSERT_CONTAINS(text, "\"x-nvidia-gpu-attestation-report-cert-chain-fwid-match\":true");
	ASSERT_CONTAINS(text, "\"measres\":\"not-run\"");
	free(text);
	check_claims_as_nvidia_gave_them();
	check_evidence_list();
	ASSERT_FALSE(measured); /* this fake kernel has no TSM measurement register */
	fake_nvrm_remove_root();
}

TEST(another_nonce_fails_naming_gpu_and_check)
{
	char why[640] = "", *text;
	size_t len;

	setup();
	fake_rm.nonce[0] ^= 1; /* this boot's nonce is not the one the report answers */
	ASSERT_EQ(run(false, 1, why, sizeof(why)), -ESTALE);
	ASSERT_CONTAINS(why, "GPU 0000:41:00.0: attestation failed: nonce: ");
	text = evidence("verdict.json", &len);
	ASSERT_CONTAINS(text, "\"verdict\":\"fail\"");
	ASSERT_CONTAINS(text, "nonce: ");
	free(text);
	fake_nvrm_remove_root();
}

TEST(devtools_fails)
{
	char why[640] = "";

	setup();
	ASSERT_EQ(run(true, 1, why, sizeof(why)), -EPERM);
	ASSERT_CONTAINS(why, "GPU 0000:41:00.0: attestation failed: debug: ");
	fake_nvrm_remove_root();
}

TEST(a_gpu_the_rm_does_not_list_fails)
{
	char why[640] = "";

	setup();
	ASSERT_EQ(run(false, 2, why, sizeof(why)), -ENODEV);
	ASSERT_CONTAINS(why, "the driver attached 1 GPUs for attestation, PCI has 2");
	fake_nvrm_remove_root();
}

TEST(certificate_control_refused)
{
	char why[640] = "";

	setup();
	fake_rm.cert_status = NV_ERR_NOT_SUPPORTED;
	ASSERT_EQ(run(false, 1, why, sizeof(why)), -EOPNOTSUPP);
	ASSERT_CONTAINS(why,
	                "GPU 0000:41:00.0: fetching the report and chain: NV_ERR_NOT_SUPPORTED");
	fake_nvrm_remove_root();
}

TEST(chain_from_the_driver_to_another_root_fails)
{
	char why[640] = "";

	setup();
	free(fake_rm.chain);
	if (read_full_file("tests/fixtures/gpu-attest-test/chain.pem", 1 << 16, &fake_rm.chain,
	                   &fake_rm.chain_size) < 0)
		tap_fail("cannot read the test chain");
	ASSERT_EQ(run(false, 1, why, sizeof(why)), -EKEYREJECTED);
	ASSERT_CONTAINS(why, "GPU 0000:41:00.0: attestation failed: certificate chain: ");
	fake_nvrm_remove_root();
}

/* The TSM measurement register file, as a plain file: what was written is the extend. */
static void make_rtmr3(void)
{
	char path[512], *slash;

	snprintf(path, sizeof(path), "%s%s", fake_rm_root, GPU_ATTEST_RTMR3);
	for (slash = strchr(path + strlen(fake_rm_root) + 1, '/'); slash;
	     slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		mkdir(path, 0755);
		*slash = '/';
	}
	ASSERT_EQ(write_string_file(path, "", 0), 0);
}

/*
 * The TCG2 entry the attestation agent writes for an event (init/README.md),
 * laid out here by hand from the format, not with init/base/aael.c: RTMR3 is
 * CC MR 4, EV_EVENT_TAG, one SHA-384 (0x000c) digest of the event, which is
 * the tagged event "AAEL" (id 0x4141454c, little-endian) holding the text.
 */
static size_t agent_entry(const char *bdf, const char *dhex, uint8_t *out, uint8_t e[SHA384_LEN],
                          char *text, size_t text_size)
{
	static const uint8_t head[] = {4, 0, 0, 0, 6, 0, 0, 0, 1, 0, 0, 0, 0x0c, 0};
	uint8_t event[512];
	size_t len;

	len = (size_t)snprintf(text, text_size, "github.com/ccinit gpu-evidence %s %s", bdf, dhex);
	memcpy(event, "LEAA", 4);
	put_le32(event + 4, (uint32_t)len);
	memcpy(event + 8, text, len);
	ASSERT_EQ(tdx_sha384(event, len + 8, e), 0);
	memcpy(out, head, sizeof(head));
	memcpy(out + sizeof(head), e, SHA384_LEN);
	put_le32(out + sizeof(head) + SHA384_LEN, (uint32_t)len + 8);
	memcpy(out + sizeof(head) + SHA384_LEN + 4, event, len + 8);
	return sizeof(head) + SHA384_LEN + 4 + len + 8;
}

/* Runs cmd through the shell, its whole stdout into out (NUL-terminated). */
static void capture(const char *cmd, char *out, size_t size)
{
	FILE *f = popen(cmd, "r");
	size_t n;

	ASSERT_TRUE(f != NULL);
	n = fread(out, 1, size - 1, f);
	out[n] = '\0';
	ASSERT_EQ(pclose(f), 0);
}

/* What ccimage predicts for these pairs, its stdout into out; its log at <root>/predicted.log. */
static void predict(char *const *pairs, int n, char *out, size_t size)
{
	char path[512], log[512], *argv[8] = {"gpu rtmr3", "--eventlog", log}, *text;
	size_t len;
	int saved;

	for (int i = 0; i < n; i++)
		argv[3 + i] = pairs[i];
	snprintf(log, sizeof(log), "%s/predicted.log", fake_rm_root);
	snprintf(path, sizeof(path), "%s/prediction", fake_rm_root);
	fflush(stdout);
	saved = dup(STDOUT_FILENO); /* TAP's own lines go on to the real stdout */
	ASSERT_TRUE(saved >= 0);
	ASSERT_TRUE(freopen(path, "w", stdout) != NULL);
	optind = 1; /* getopt again, in this process */
	ASSERT_EQ(gpu_rtmr3_main(3 + n, argv), 0);
	fflush(stdout);
	ASSERT_EQ(dup2(saved, STDOUT_FILENO), STDOUT_FILENO);
	close(saved);
	if (read_full_file(path, 4096, &text, &len) < 0)
		tap_fail("no prediction");
	snprintf(out, size, "%s", text);
	free(text);
}

TEST(two_gpus_logged_as_the_agent_logs_and_replay_to_rtmr3)
{
	uint8_t both[16384], d[2][SHA384_LEN], want[2 * 512], e[2][SHA384_LEN];
	uint8_t rtmr[SHA384_LEN] = {0};
	char why[640] = "", path[512], dhex[2][2 * SHA384_LEN + 1], text[2][256], *got, cmd[600];
	char pairs[2][160], *pv[2] = {pairs[0], pairs[1]}, replayed[1024], predicted[1024];
	char expected[1024];
	size_t len, n;

	setup();
	fake_rm.gpus = 2;
	/* Two different GPUs: the same evidence twice is refused (the next test). */
	second_gpu(NV "blackwellAttestationReport.txt", NV "blackwellCertChain.txt");
	make_rtmr3();
	if (run(false, 2, why, sizeof(why)) != 0)
		tap_fail("%s", why);
	ASSERT_TRUE(measured);
	/* D = SHA-384(report || chain), computed here with OpenSSL, not mbedTLS. */
	memcpy(both, fake_rm.report, fake_rm.report_size);
	memcpy(both + fake_rm.report_size, fake_rm.chain, fake_rm.chain_size);
	ASSERT_EQ(tdx_sha384(both, fake_rm.report_size + fake_rm.chain_size, d[0]), 0);
	memcpy(both, fake_rm.report2, fake_rm.report2_size);
	memcpy(both + fake_rm.report2_size, fake_rm.chain2, fake_rm.chain2_size);
	ASSERT_EQ(tdx_sha384(both, fake_rm.report2_size + fake_rm.chain2_size, d[1]), 0);
	tdx_hex(d[0], SHA384_LEN, dhex[0]);
	tdx_hex(d[1], SHA384_LEN, dhex[1]);
	n = agent_entry("0000:41:00.0", dhex[0], want, e[0], text[0], sizeof(text[0]));
	n += agent_entry("0000:42:00.0", dhex[1], want + n, e[1], text[1], sizeof(text[1]));
	snprintf(path, sizeof(path), "%s/run/attestation-agent/eventlog", fake_rm_root);
	if (read_full_file(path, 4096, &got, &len) < 0)
		tap_fail("no attestation agent log");
	ASSERT_EQ(len, n);
	ASSERT_MEM(got, want, n);
	free(got);
	/* The register saw each event's SHA-384, in order. */
	snprintf(path, sizeof(path), "%s%s", fake_rm_root, GPU_ATTEST_RTMR3);
	if (read_full_file(path, 4096, &got, &len) < 0)
		tap_fail("cannot read %s", path);
	ASSERT_EQ(len, 2 * SHA384_LEN);
	ASSERT_MEM(got, e, 2 * SHA384_LEN);
	free(got);
	ASSERT_EQ(tdx_extend(rtmr, e[0]), 0);
	ASSERT_EQ(tdx_extend(rtmr, e[1]), 0);
	/* An independent reader replays the log to that register. */
	snprintf(cmd, sizeof(cmd),
	         "python3 tests/lib/aael_replay.py '%s/run/attestation-agent/eventlog'",
	         fake_rm_root);
	capture(cmd, replayed, sizeof(replayed));
	tdx_hex(rtmr, SHA384_LEN, dhex[0]);
	snprintf(expected, sizeof(expected), "%s\n%s\n%s\n", dhex[0], text[0], text[1]);
	ASSERT_STR(replayed, expected);
	/* ccimage predicts the same from the PCI addresses and evidence digests. */
	tdx_hex(d[0], SHA384_LEN, dhex[0]);
	snprintf(pairs[0], sizeof(pairs[0]), "0000:41:00.0=%s", dhex[0]);
	snprintf(pairs[1], sizeof(pairs[1]), "0000:42:00.0=%s", dhex[1]);
	predict(pv, 2, predicted, sizeof(predicted));
	ASSERT_STR(predicted, replayed);
	snprintf(path, sizeof(path), "%s/predicted.log", fake_rm_root);
	if (read_full_file(path, 4096, &got, &len) < 0)
		tap_fail("no predicted log");
	ASSERT_EQ(len, n);
	ASSERT_MEM(got, want, n); /* ccimage's log is ccinit's, byte for byte */
	free(got);
	free(fake_rm.chain2);
	fake_nvrm_remove_root();
}

TEST(two_gpus_with_the_same_leaf_fail_naming_both)
{
	char why[640] = "", path[512];
	struct stat st;

	/* One GPU's evidence presented for two: each passes alone, the second is refused. */
	setup();
	fake_rm.gpus = 2;
	make_rtmr3();
	ASSERT_EQ(run(false, 2, why, sizeof(why)), -EKEYREJECTED);
	ASSERT_CONTAINS(why, "GPU 0000:42:00.0: attestation failed: device identity: the same leaf "
	                     "(serial 53c22ba15e5d68088282da074ed9fb37aa585771");
	ASSERT_CONTAINS(why, "as GPU 0000:41:00.0");
	/* The refused GPU's evidence says so; nothing of it was measured. */
	snprintf(path, sizeof(path), "%s/run/ccinit/gpu/0000:42:00.0/verdict.json", fake_rm_root);
	ASSERT_EQ(stat(path, &st), 0);
	snprintf(path, sizeof(path), "%s%s", fake_rm_root, GPU_ATTEST_RTMR3);
	ASSERT_EQ(stat(path, &st), 0);
	ASSERT_EQ(st.st_size, SHA384_LEN);
	fake_nvrm_remove_root();
}

TEST(ccimage_gpu_rtmr3_refuses_a_bad_digest)
{
	char *argv[] = {"gpu rtmr3", "abcd", NULL};

	ASSERT_EQ(gpu_rtmr3_main(2, argv), EXIT_DATA);
}
