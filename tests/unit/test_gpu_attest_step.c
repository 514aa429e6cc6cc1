// SPDX-License-Identifier: Apache-2.0
/*
 * The attestation step (init/gpu/attest.c) through the system-call seam: a
 * small fake RM behind /dev/nvidiactl answers the GPU listing, the device
 * and subdevice allocations and the two attestation controls with nvtrust's
 * H100 sample, and getrandom() returns the nonce that sample answered. The
 * fake refuses any control it does not know, so a SET would fail the test.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/ioctl.h>
#include <stdlib.h>
#include <unistd.h>

#include "init/base/fileio.h"
#include "init/base/hex.h"
#include "init/gpu/attest.h"
#include "init/gpu/nvrm_attest.h"
#include "init/core/sys.h"
#include "measurement/tdx.h"
#include "rootfs/ccimage/command.h"
#include "tests/lib/tap.h"

#define NV       "tests/fixtures/nvidia-gpu/"
#define GPU_DIR  "/run/ccinit/gpu/0000:41:00.0"
#define H_DEVICE 0xd0
#define H_SUB    0xd1

static const char sample_nonce[] =
        "931d8dd0add203ac3d8b4fbde75e115278eefcdceac5b87671a748f32364dfcb";

static struct {
	uint8_t report[8192];
	size_t report_size;
	char *chain;
	size_t chain_size;
	uint8_t nonce[32];
	uint32_t cert_status;     /* RM status the certificate control answers */
	unsigned controls, other; /* controls seen; unknown ones among them */
	uint32_t next_handle;
} rm;

static char root[64];
static struct sys_ops ops;

static void remove_root(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	if (root[0] && system(cmd) != 0)
		printf("# could not remove %s\n", root);
}

static int fake_open(const char *path, int flags, mode_t mode)
{
	(void)flags, (void)mode;
	if (strcmp(path, "/dev/nvidiactl") != 0)
		return -ENOENT;
	return open("/dev/null", O_RDWR | O_CLOEXEC);
}

static int fake_getrandom(void *buf, size_t len)
{
	memcpy(buf, rm.nonce, len < sizeof(rm.nonce) ? len : sizeof(rm.nonce));
	return 0;
}

static uint32_t control(uint32_t cmd, uint32_t object, void *p, uint32_t size)
{
	struct nv_cc_certificate_params *cert = p;
	struct nv_cc_report_params *rep = p;

	rm.controls++;
	switch (cmd) {
	case NV0000_CTRL_CMD_GPU_GET_ATTACHED_IDS:
		((struct nv0000_attached_ids *)p)->gpu_ids[0] = 0x4100;
		return size == sizeof(struct nv0000_attached_ids) ? NV_OK
		                                                  : NV_ERR_INVALID_PARAM_STRUCT;
	case NV0000_CTRL_CMD_GPU_GET_ID_INFO_V2:
		return ((struct nv0000_id_info_v2 *)p)->gpu_id == 0x4100 ? NV_OK
		                                                         : NV_ERR_INVALID_ARGUMENT;
	case NV0000_CTRL_CMD_GPU_GET_PCI_INFO:
		((struct nv0000_pci_info *)p)->bus = 0x41;
		return NV_OK;
	case NV_CONF_COMPUTE_CTRL_CMD_GET_GPU_CERTIFICATE:
		if (cert->h_subdevice != H_SUB || size != sizeof(*cert) || object == 0)
			return NV_ERR_INVALID_ARGUMENT;
		memcpy(cert->attestation_cert_chain, rm.chain, rm.chain_size);
		cert->attestation_cert_chain_size = (uint32_t)rm.chain_size;
		return rm.cert_status;
	case NV_CONF_COMPUTE_CTRL_CMD_GET_GPU_ATTESTATION_REPORT:
		if (rep->h_subdevice != H_SUB || size != sizeof(*rep))
			return NV_ERR_INVALID_ARGUMENT;
		/* A real GPU signs the nonce it is sent; the sample answers only its own. */
		memcpy(rep->report, rm.report, rm.report_size);
		rep->report_size = (uint32_t)rm.report_size;
		return NV_OK;
	}
	rm.other++;
	return NV_ERR_NOT_SUPPORTED;
}

static int fake_ioctl(int fd, unsigned long request, void *arg)
{
	(void)fd;
	switch (_IOC_NR(request)) {
	case NV_ESC_CHECK_VERSION_STR:
		((struct nv_rm_api_version *)arg)->reply = NV_RM_API_VERSION_REPLY_RECOGNIZED;
		return 0;
	case NV_ESC_RM_ALLOC: {
		struct nvos21_alloc *a = arg;
		a->h_new = a->h_class == NV01_DEVICE_0      ? H_DEVICE
		           : a->h_class == NV20_SUBDEVICE_0 ? H_SUB
		                                            : ++rm.next_handle;
		a->params.status = a->h_class == NV20_SUBDEVICE_0 && a->h_parent != H_DEVICE
		                           ? NV_ERR_INVALID_ARGUMENT
		                           : NV_OK;
		return 0;
	}
	case NV_ESC_RM_CONTROL: {
		struct nvos54_control *c = arg;
		c->params.status = control(c->cmd, c->h_object, (void *)(uintptr_t)c->params.ptr,
		                           c->params.size);
		return 0;
	}
	case NV_ESC_RM_FREE:
		return 0;
	}
	return -ENOTTY;
}

static void setup(void)
{
	char *hex, path[128];
	size_t len;
	int n;

	memset(&rm, 0, sizeof(rm));
	if (read_full_file(NV "hopperAttestationReport.txt", 1 << 16, &hex, &len) < 0)
		tap_fail("cannot read the sample report");
	while (len && hex[len - 1] == '\n')
		len--;
	n = hex_decode(hex, len, rm.report, sizeof(rm.report));
	free(hex);
	ASSERT_TRUE(n > 0);
	rm.report_size = (size_t)n;
	if (read_full_file(NV "hopperCertChain.txt", 1 << 16, &rm.chain, &rm.chain_size) < 0)
		tap_fail("cannot read the sample chain");
	ASSERT_EQ(hex_decode(sample_nonce, 64, rm.nonce, sizeof(rm.nonce)), 32);
	rm.next_handle = 0x10;
	snprintf(root, sizeof(root), "/tmp/test-gpu-attest-XXXXXX");
	ASSERT_TRUE(mkdtemp(root) != NULL);
	atexit(remove_root);
	snprintf(path, sizeof(path), "%s/run", root);
	ASSERT_EQ(mkdir(path, 0755), 0);
	ops = sys_real;
	ops.open = fake_open;
	ops.ioctl = fake_ioctl;
	ops.getrandom = fake_getrandom;
	sys = &ops;
	sys_root = root;
}

static char *evidence(const char *name, size_t *len)
{
	char path[256], *buf;

	snprintf(path, sizeof(path), "%s" GPU_DIR "/%s", root, name);
	if (read_full_file(path, 1 << 16, &buf, len) < 0)
		tap_fail("no evidence file %s", path);
	return buf;
}

static bool measured;

static int run(bool devtools, unsigned expected, char *why, size_t size)
{
	return gpu_attest_all("/dev/nvidiactl", "580.159.04", devtools, expected, &measured, why,
	                      size);
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

TEST(sample_gpu_passes_and_leaves_evidence)
{
	char why[640] = "", *text;
	size_t len;

	setup();
	if (run(false, 1, why, sizeof(why)) != 0)
		tap_fail("%s", why);
	ASSERT_EQ(rm.other, 0); /* GET controls only */
	text = evidence("report.bin", &len);
	ASSERT_EQ(len, rm.report_size);
	ASSERT_MEM(text, rm.report, len);
	free(text);
	text = evidence("nonce.bin", &len);
	ASSERT_EQ(len, 32);
	ASSERT_MEM(text, rm.nonce, 32);
	free(text);
	text = evidence("chain.pem", &len);
	ASSERT_EQ(len, rm.chain_size);
	free(text);
	text = evidence("verdict.json", &len);
	ASSERT_CONTAINS(text, "\"verdict\":\"pass\"");
	ASSERT_CONTAINS(text, "\"gpu\":\"0000:41:00.0\"");
	ASSERT_CONTAINS(text, "\"driver_version\":\"550.90.07\"");
	ASSERT_CONTAINS(text, "\"vbios_version\":\"96.00.9F.00.01\"");
	ASSERT_CONTAINS(text, GPU_ATTEST_NVIDIA_ROOT_SHA256);
	free(text);
	ASSERT_FALSE(measured); /* this fake kernel has no TSM measurement register */
	remove_root();
}

TEST(another_nonce_fails_naming_gpu_and_check)
{
	char why[640] = "", *text;
	size_t len;

	setup();
	rm.nonce[0] ^= 1; /* this boot's nonce is not the one the report answers */
	ASSERT_EQ(run(false, 1, why, sizeof(why)), -ESTALE);
	ASSERT_CONTAINS(why, "GPU 0000:41:00.0: attestation failed: nonce: ");
	text = evidence("verdict.json", &len);
	ASSERT_CONTAINS(text, "\"verdict\":\"fail\"");
	ASSERT_CONTAINS(text, "nonce: ");
	free(text);
	remove_root();
}

TEST(devtools_fails)
{
	char why[640] = "";

	setup();
	ASSERT_EQ(run(true, 1, why, sizeof(why)), -EPERM);
	ASSERT_CONTAINS(why, "GPU 0000:41:00.0: attestation failed: debug: ");
	remove_root();
}

TEST(a_gpu_the_rm_does_not_list_fails)
{
	char why[640] = "";

	setup();
	ASSERT_EQ(run(false, 2, why, sizeof(why)), -ENODEV);
	ASSERT_CONTAINS(why, "the driver attached 1 GPUs for attestation, PCI has 2");
	remove_root();
}

TEST(certificate_control_refused)
{
	char why[640] = "";

	setup();
	rm.cert_status = NV_ERR_NOT_SUPPORTED;
	ASSERT_EQ(run(false, 1, why, sizeof(why)), -EOPNOTSUPP);
	ASSERT_CONTAINS(why,
	                "GPU 0000:41:00.0: fetching the report and chain: NV_ERR_NOT_SUPPORTED");
	remove_root();
}

TEST(chain_from_the_driver_to_another_root_fails)
{
	char why[640] = "";

	setup();
	free(rm.chain);
	if (read_full_file("tests/fixtures/gpu-attest-test/chain.pem", 1 << 16, &rm.chain,
	                   &rm.chain_size) < 0)
		tap_fail("cannot read the test chain");
	ASSERT_EQ(run(false, 1, why, sizeof(why)), -EKEYREJECTED);
	ASSERT_CONTAINS(why, "GPU 0000:41:00.0: attestation failed: certificate chain: ");
	remove_root();
}

/* The TSM measurement register file, as a plain file: what was written is the extend. */
static void make_rtmr3(void)
{
	char path[512], *slash;

	snprintf(path, sizeof(path), "%s%s", root, GPU_ATTEST_RTMR3);
	for (slash = strchr(path + strlen(root) + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		mkdir(path, 0755);
		*slash = '/';
	}
	ASSERT_EQ(write_string_file(path, "", 0), 0);
}

TEST(evidence_digest_extends_rtmr3_as_ccimage_predicts)
{
	uint8_t both[16384], want[SHA384_LEN], rtmr[SHA384_LEN] = {0};
	char why[640] = "", path[512], hex[2 * SHA384_LEN + 1], *text, *argv[3];
	size_t len;

	setup();
	make_rtmr3();
	if (run(false, 1, why, sizeof(why)) != 0)
		tap_fail("%s", why);
	ASSERT_TRUE(measured);
	/* D = SHA-384(report || chain), computed here with OpenSSL, not mbedTLS. */
	memcpy(both, rm.report, rm.report_size);
	memcpy(both + rm.report_size, rm.chain, rm.chain_size);
	ASSERT_EQ(tdx_sha384(both, rm.report_size + rm.chain_size, want), 0);
	snprintf(path, sizeof(path), "%s%s", root, GPU_ATTEST_RTMR3);
	if (read_full_file(path, 4096, &text, &len) < 0)
		tap_fail("cannot read %s", path);
	ASSERT_EQ(len, SHA384_LEN);
	ASSERT_MEM(text, want, SHA384_LEN);
	free(text);
	tdx_hex(want, SHA384_LEN, hex);
	snprintf(path, sizeof(path), "%s" GPU_ATTEST_EVIDENCE_DIR "/rtmr3.log", root);
	if (read_full_file(path, 4096, &text, &len) < 0)
		tap_fail("no event log");
	ASSERT_CONTAINS(text, "0000:41:00.0 ");
	ASSERT_CONTAINS(text, hex);
	free(text);
	text = evidence("verdict.json", &len);
	ASSERT_CONTAINS(text, hex);
	free(text);
	/* ccimage's prediction from the log's digest: SHA-384(0^48 || D). */
	ASSERT_EQ(tdx_extend(rtmr, want), 0);
	snprintf(path, sizeof(path), "%s/prediction", root);
	ASSERT_TRUE(freopen(path, "w", stdout) != NULL);
	argv[0] = "gpu rtmr3", argv[1] = hex, argv[2] = NULL;
	ASSERT_EQ(gpu_rtmr3_main(2, argv), 0);
	fflush(stdout);
	if (read_full_file(path, 4096, &text, &len) < 0)
		tap_fail("no prediction");
	tdx_hex(rtmr, SHA384_LEN, hex);
	ASSERT_CONTAINS(text, hex);
	free(text);
	remove_root();
}

TEST(ccimage_gpu_rtmr3_refuses_a_bad_digest)
{
	char *argv[] = {"gpu rtmr3", "abcd", NULL};

	ASSERT_EQ(gpu_rtmr3_main(2, argv), EXIT_DATA);
}
