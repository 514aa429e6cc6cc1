/* SPDX-License-Identifier: Apache-2.0 */
/*
 * GPU reference values (measurement/README.md, 14): Debian versions to driver
 * versions, the VBIOS form trustee's verifier reports, and messages in the
 * RVPS sample shape (rvps.h) with the names the default GPU policy queries.
 */
#include "tests/lib/tap.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>
#include <openssl/evp.h>

#include "init/base/fileio.h"
#include "init/base/gpu_golden.h"
#include "measurement/gpu_rv.h"
#include "rootfs/lib/digest.h"
#include "rootfs/recipe/lock.h"
#include "rootfs/pipeline/build_gpu.h"

#define TEST_DRIVER_RIM "NV_GPU_DRIVER_GH100_535.86.09.xml"

/* A NULL-terminated list of versions. */
#define L(...) ((const char *const[]){__VA_ARGS__, NULL})

#define NVIDIA_LOCK "recipes/nvidia-gpu.yaml.lock"

TEST(gpu_driver_version_from_debian_versions)
{
	static const char *const good[][2] = {
	        {"535.261.03-1", "535.261.03"},
	        {"1:535.261.03-1~deb12u1", "535.261.03"},
	        {"550.90.07-1+b1", "550.90.07"},
	        {"570.124.06", "570.124.06"},
	};
	static const char *const bad[] = {"",         "1:",     "535",   "535.261.03a-1",
	                                  "535..1-1", ".535-1", "535.-1"};
	char out[64], why[256];

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		ASSERT_EQ(
		        gpu_driver_version_from_deb(good[i][0], out, sizeof(out), why, sizeof(why)),
		        0);
		ASSERT_STR(out, good[i][1]);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ASSERT_EQ(gpu_driver_version_from_deb(bad[i], out, sizeof(out), why, sizeof(why)),
		          -EINVAL);
		ASSERT_CONTAINS(why, bad[i]);
	}
	ASSERT_EQ(gpu_driver_version_from_deb("535.261.03-1", out, 10, why, sizeof(why)), -EINVAL);
}

/* The payload of an RVPS sample message, after checking the message's shape. Caller frees. */
static char *sample_payload(const char *msg);

static struct lock *read_lock(const char *path)
{
	struct lock *l = NULL;
	char why[512];

	if (lock_read(path, &l, why, sizeof(why)) < 0)
		tap_fail("%s", why);
	return l;
}

TEST(gpu_driver_from_the_recipes_locks)
{
	struct lock *l = read_lock(NVIDIA_LOCK);
	char out[64], why[512];

	ASSERT_EQ(gpu_driver_from_lock(l, NVIDIA_LOCK, out, sizeof(out), why, sizeof(why)), 0);
	ASSERT_STR(out, "550.163.01");
	/* The two driver packages disagreeing is refused, naming the lock and both. */
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->pkgs[i].name, "libnvidia-ml1") == 0)
			snprintf(l->pkgs[i].version, sizeof(l->pkgs[i].version), "550.90.07-1");
	ASSERT_EQ(gpu_driver_from_lock(l, NVIDIA_LOCK, out, sizeof(out), why, sizeof(why)),
	          -EINVAL);
	ASSERT_CONTAINS(why, NVIDIA_LOCK);
	ASSERT_CONTAINS(why, "firmware-nvidia-gsp pins driver 550.163.01");
	ASSERT_CONTAINS(why, "libnvidia-ml1 pins 550.90.07");
	lock_free(l);
	l = read_lock("recipes/test.yaml.lock");
	ASSERT_EQ(gpu_driver_from_lock(l, "test", out, sizeof(out), why, sizeof(why)), 0);
	ASSERT_STR(out, "");
	lock_free(l);
}

TEST(build_writes_rvps_gpu_json_for_an_nvidia_lock)
{
	char dir[] = "/tmp/test_gpu_rv.XXXXXX", path[256], *msg, *payload;
	struct build b;
	size_t len;

	ASSERT_TRUE(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/rvps-gpu.json", dir);
	build_init(&b);
	b.out_dir = dir;
	snprintf(b.lock_path, sizeof(b.lock_path), "%s", NVIDIA_LOCK);
	b.lock = read_lock(NVIDIA_LOCK);
	ASSERT_EQ(build_gpu_rvps(&b), 0);
	ASSERT_EQ(read_full_file(path, 4096, &msg, &len), 0);
	payload = sample_payload(msg);
	/* With ccinit's AAEL values (measurement/README.md, 15.4): no ready request, no event. */
	ASSERT_STR(payload, "{\"allowed_driver_versions\":[\"550.163.01\"],"
	                    "\"ccinit_aael_domain\":\"github.com/ccinit\","
	                    "\"ccinit_gpu_aael_operation\":\"gpu-evidence\","
	                    "\"ccinit_gpu_aael_count\":0}");
	free(payload);
	free(msg);
	unlink(path);
	/* Two GPUs pinned and ready asked for, but no kernel configuration to read: no count. */
	snprintf(b.launch_cmdline, sizeof(b.launch_cmdline), "ccinit.gpu.count=2 nvrc.smi.srs=1");
	ASSERT_EQ(build_gpu_rvps(&b), 0);
	ASSERT_EQ(read_full_file(path, 4096, &msg, &len), 0);
	payload = sample_payload(msg);
	ASSERT_TRUE(strstr(payload, "\"ccinit_gpu_aael_operation\":\"gpu-evidence\"}") != NULL);
	free(payload);
	free(msg);
	unlink(path);
	lock_free(b.lock);
	/* A lock without NVIDIA's driver: no file. */
	b.lock = read_lock("recipes/test.yaml.lock");
	ASSERT_EQ(build_gpu_rvps(&b), 0);
	ASSERT_TRUE(access(path, F_OK) < 0 && errno == ENOENT);
	lock_free(b.lock);
	ASSERT_EQ(rmdir(dir), 0);
}

/* The RIM files a build_gpu_rims call found, before the next call. */
static void forget_paths(struct build *b)
{
	for (size_t i = 0; i < b->ngpu_rim_paths; i++)
		free(b->gpu_rim_paths[i]);
	free(b->gpu_rim_paths);
	b->gpu_rim_paths = NULL;
	b->ngpu_rim_paths = 0;
}

/* build_gpu_rims on the test RIMs: the lock's pins and driver hold it, the table lands 0444. */
TEST(build_gpu_rims_holds_the_lock)
{
	static const char text[] = "format: 1\nname: t\ngpu:\n"
	                           "  rims: [tests/fixtures/gpu-rim-test/" TEST_DRIVER_RIM "]\n"
	                           "  rim-root: tests/fixtures/gpu-rim-test/root.pem\n";
	char stage[] = "/tmp/test_gpu_rims.XXXXXX", golden[256], sha[65], why[512], *got, *want;
	size_t got_len, want_len;
	struct stat st;
	struct build b;

	ASSERT_EQ(digest_file_hex("tests/fixtures/gpu-rim-test/" TEST_DRIVER_RIM, sha), 0);
	snprintf(golden, sizeof(golden), "%s" GPU_GOLDEN_PATH, mkdtemp(stage));
	/* NVIDIA's recipe pins driver 550.163.01: the 535.86.09 RIM is refused, nothing written. */
	build_init(&b);
	b.quiet = true;
	snprintf(b.stage, sizeof(b.stage), "%s", stage);
	ASSERT_EQ(recipe_parse("r.yaml", text, strlen(text), NULL, 0, &b.recipe, why, sizeof(why)),
	          0);
	snprintf(b.lock_path, sizeof(b.lock_path), "%s", NVIDIA_LOCK);
	b.lock = read_lock(NVIDIA_LOCK);
	ASSERT_EQ(lock_add_rim(b.lock, TEST_DRIVER_RIM, sha), 0);
	ASSERT_EQ(build_gpu_rims(&b), -EKEYREJECTED);
	ASSERT_CONTAINS(b.why, "r.yaml: gpu.rims: ");
	ASSERT_CONTAINS(b.why, "driver RIM for 535.86.09, not the image's driver 550.163.01");
	ASSERT_TRUE(access(golden, F_OK) < 0);
	/* The lock pinning other bytes: stale, before any verification. */
	forget_paths(&b);
	snprintf(b.lock->rims[0].sha256, sizeof(b.lock->rims[0].sha256), "%064d", 0);
	ASSERT_EQ(build_gpu_rims(&b), -ESTALE);
	ASSERT_CONTAINS(b.why, "the lock is stale");
	lock_free(b.lock);
	/* A lock with no driver: any version, and the table in the root, 0444. */
	b.lock = read_lock("recipes/test.yaml.lock");
	ASSERT_EQ(lock_add_rim(b.lock, TEST_DRIVER_RIM, sha), 0);
	forget_paths(&b);
	ASSERT_EQ(build_gpu_rims(&b), 0);
	ASSERT_EQ(read_full_file(golden, 1 << 20, &got, &got_len), 0);
	ASSERT_EQ(read_full_file("tests/fixtures/gpu-rim-test/NV_GPU_DRIVER_GH100_535.86.09.golden",
	                         1 << 20, &want, &want_len),
	          0);
	ASSERT_TRUE(got_len == want_len && memcmp(got, want, got_len) == 0);
	ASSERT_EQ(stat(golden, &st), 0);
	ASSERT_EQ(st.st_mode & 07777, 0444);
	free(got);
	free(want);
	build_free(&b); /* the stage too */
	ASSERT_TRUE(access(stage, F_OK) < 0);
}

static char *sample_payload(const char *msg)
{
	struct json_object *o = json_tokener_parse(msg), *v;
	unsigned char *payload;
	const char *b64;
	int n;

	ASSERT_TRUE(o && json_object_is_type(o, json_type_object));
	ASSERT_EQ(json_object_object_length(o), 3);
	ASSERT_TRUE(json_object_object_get_ex(o, "version", &v));
	ASSERT_STR(json_object_get_string(v), "0.1.0");
	ASSERT_TRUE(json_object_object_get_ex(o, "type", &v));
	ASSERT_STR(json_object_get_string(v), "sample");
	ASSERT_TRUE(json_object_object_get_ex(o, "payload", &v));
	b64 = json_object_get_string(v);
	payload = calloc(1, strlen(b64) + 1);
	n = EVP_DecodeBlock(payload, (const unsigned char *)b64, (int)strlen(b64));
	ASSERT_TRUE(n > 0);
	while (n > 0 && payload[n - 1] == '\0') /* EVP_DecodeBlock counts the '=' padding */
		n--;
	payload[n] = '\0';
	json_object_put(o);
	return (char *)payload;
}

TEST(gpu_rv_message_shape_and_names)
{
	struct rvps_msg *m;
	char why[256], *msg, *payload;
	struct json_object *p, *v;

	ASSERT_EQ(rvps_new(&m, NULL), 0);
	ASSERT_EQ(gpu_rv_add(m, NULL, L("535.261.03"), L("96.00.9F.00.01"), why, sizeof(why)), 0);
	ASSERT_EQ(rvps_message_json(m, &msg), 0);
	payload = sample_payload(msg);
	ASSERT_STR(payload, "{\"allowed_driver_versions\":[\"535.261.03\"],"
	                    "\"allowed_vbios_versions\":[\"96.00.9f.00.01\"]}");
	/* The policy's `in`: each value a list of strings. */
	p = json_tokener_parse(payload);
	ASSERT_TRUE(json_object_object_get_ex(p, "allowed_driver_versions", &v));
	ASSERT_TRUE(json_object_is_type(v, json_type_array) && json_object_array_length(v) == 1);
	ASSERT_TRUE(json_object_is_type(json_object_array_get_idx(v, 0), json_type_string));
	json_object_put(p);
	free(payload);
	free(msg);
	rvps_free(m);

	/* Without a VBIOS only the driver value; an older release's list-of-strings shape is the
	 * same. */
	ASSERT_EQ(rvps_new(&m, "0.16.0"), 0);
	ASSERT_EQ(gpu_rv_add(m, "0.16.0", L("550.90.07"), NULL, why, sizeof(why)), 0);
	ASSERT_EQ(rvps_message_json(m, &msg), 0);
	payload = sample_payload(msg);
	ASSERT_STR(payload, "{\"allowed_driver_versions\":[\"550.90.07\"]}");
	free(payload);
	free(msg);
	rvps_free(m);
}

TEST(gpu_rv_lists_every_vbios)
{
	struct rvps_msg *m;
	char why[256], *msg, *payload;

	ASSERT_EQ(rvps_new(&m, NULL), 0);
	ASSERT_EQ(gpu_rv_add(m, NULL, L("535.86.09", "550.144.03"),
	                     L("96.00.5E.00.01", "96.00.9F.00.01"), why, sizeof(why)),
	          0);
	ASSERT_EQ(rvps_message_json(m, &msg), 0);
	payload = sample_payload(msg);
	ASSERT_STR(payload, "{\"allowed_driver_versions\":[\"535.86.09\",\"550.144.03\"],"
	                    "\"allowed_vbios_versions\":[\"96.00.5e.00.01\",\"96.00.9f.00.01\"]}");
	free(payload);
	free(msg);
	ASSERT_EQ(
	        gpu_rv_add(m, NULL, L("535.86.09"), L("96.00.5E.00.01", "96.0"), why, sizeof(why)),
	        -EINVAL);
	ASSERT_CONTAINS(why, "'96.0'");
	rvps_free(m);
}

TEST(gpu_rv_refusals)
{
	static const char *const bad_vbios[] = {"96.0.9f", "96.00.9g.00.01", "96", "96.00.",
	                                        "96-00-9f-00-01"};
	struct rvps_msg *m;
	char why[256];

	ASSERT_EQ(rvps_new(&m, NULL), 0);
	ASSERT_EQ(gpu_rv_add(m, "0.15.0", L("535.261.03"), NULL, why, sizeof(why)), -EINVAL);
	ASSERT_CONTAINS(why, "v0.16.0");
	ASSERT_EQ(gpu_rv_add(m, NULL, L("535.261"), L("96.00"), why, sizeof(why)), 0);
	ASSERT_EQ(gpu_rv_add(m, NULL, L("latest"), NULL, why, sizeof(why)), -EINVAL);
	ASSERT_CONTAINS(why, "'latest'");
	for (size_t i = 0; i < sizeof(bad_vbios) / sizeof(bad_vbios[0]); i++) {
		ASSERT_EQ(gpu_rv_add(m, NULL, L("535.261.03"), L(bad_vbios[i]), why, sizeof(why)),
		          -EINVAL);
		ASSERT_CONTAINS(why, bad_vbios[i]);
	}
	rvps_free(m);
}
