#!/bin/bash
# Reference test: reference-values.json's gpu-aael entry (measurement/README.md,
# 15.4) from real builds, read with python3's json and hashlib. A recipe is
# made here from recipes/test.yaml with NVIDIA's libnvidia-ml1 added (its lock
# line from recipes/nvidia-gpu.yaml.lock: the image pins a driver, so it
# attests GPUs), a command line pinning two GPUs and asking for the
# GPUs-ready state, measured for TDX only:
#  1. on Debian 13's cloud kernel (6.12: no CONFIG_TSM_MEASUREMENTS) ccinit
#     logs no event: count 0, and the entry says why and names the kernel
#     configuration by its sha256;
#  2. on that kernel tree with CONFIG_TSM_MEASUREMENTS=y added to its
#     configuration: count 2, and the values are exactly what
#     `ccimage gpu rtmr3 --values` gives for two GPUs (one code path);
#  3. the same without the ready request: count 0 again;
# and each time rvps-gpu.json's payload registers the same values.
# The kernel comes from tests/vm/kernel.sh trixie, the .debs from the cache.
TAP_PREFIX="gpu-aael build: "
. "$(dirname "$0")/../lib/tap.sh"

need "$CCIMAGE" build/ccinit build/test-agent build/deps/sbin/mke2fs
workdir
if ! kdir=$(tests/vm/kernel.sh trixie 2>"$work/kernel.log" | tail -n1) || [ ! -d "$kdir/root" ]; then
	nok "trixie's kernel (tests/vm/kernel.sh trixie)"
	sed 's/^/#   /' "$work/kernel.log"
	finish
fi
kver=$(cat "$kdir/kver")
cp -a "$kdir/root" "$work/kroot" && chmod -R u+w "$work/kroot"
echo CONFIG_TSM_MEASUREMENTS=y >>"$work/kroot/boot/config-$kver"

# NAME KERNEL(package|root): the recipe and its lock, from test.yaml's.
make_recipe() {
	python3 - "$ROOT" "$work" "$1" "$2" <<'PY'
import re, sys
root, work, name, kernel = sys.argv[1:]
s = open(root + "/recipes/test.yaml").read().replace("name: test\n", f"name: {name}\n")
for var in ("ccinit", "agent", "mke2fs"):
    s = re.sub(rf"(\n  {var}: )\.\./", rf"\g<1>{root}/", s)
# libnvidia-ml1 is in non-free: the recipe's archives must name it, or a cold cache has none.
s = s.replace("  components: [main]\n", "  components: [main, non-free]\n")
s = s.replace("  libc6: {}\n", "  libc6: {}\n  libnvidia-ml1:\n    slices:\n"
              "      lib: [/usr/lib/x86_64-linux-gnu/nvidia/current/libnvidia-ml.so.1]\n")
s = s.replace('cmdline: "{root} ccinit.log=info"', 'cmdline: "{root} ccinit.log=info ${gpu}"')
s = s.replace("variables:\n", "variables:\n  gpu: ccinit.gpu.count=2 nvrc.smi.srs=1\n")
s = re.sub(r"measurement:\n(  .*\n)+", "measurement:\n  tee: [tdx]\n"
           "  tdx-firmware: /usr/share/ovmf/OVMF.fd\n  memory-mib: 2048\n", s)
lock = open(root + "/recipes/test.yaml.lock").read().replace("recipe test", f"recipe {name}")
if kernel == "root":
    s = s.replace("  package: linux-image-cloud-amd64\n", f"  root: {work}/kroot\n")
    lock = "".join(l for l in lock.splitlines(True)
                   if not l.startswith("kernel ") and " linux-image-" not in l)
lock += [l for l in open(root + "/recipes/nvidia-gpu.yaml.lock")
         if l.startswith("package libnvidia-ml1 ")][0]
open(f"{work}/{name}.yaml", "w").write(s)
open(f"{work}/{name}.yaml.lock", "w").write(lock)
PY
}
# OUT: the gpu-aael entry's values, then from.tsm_measurements, from.count,
# whether from.files holds the kernel configuration's sha256, and whether
# rvps-gpu.json's payload holds the same values.
entry() {
	python3 - "$work/$1/reference-values.json" "$2" <<'PY'
import base64, hashlib, json, sys
e = [e for e in json.load(open(sys.argv[1]))["entries"] if e["kind"] == "gpu-aael"]
assert len(e) == 1, e
f = e[0]["from"]
name = "config-" + sys.argv[2].rsplit("config-", 1)[1]
files_ok = f["files"] == {name: hashlib.sha256(open(sys.argv[2], "rb").read()).hexdigest()}
out = sys.argv[1].rsplit("/", 1)[0]
msg = json.load(open(out + "/rvps-gpu.json"))
payload = json.loads(base64.b64decode(msg["payload"], validate=True))
in_rvps = all(payload.get(k) == v for k, v in e[0]["values"].items())
print(json.dumps(e[0]["values"], sort_keys=True))
print(f["tsm_measurements"], "|", f.get("count", ""), "|", files_ok, "|", in_rvps)
PY
}
build() { # RECIPE OUT [--set ...]
	"$CCIMAGE" build "$work/$1.yaml" --out "$work/$2" -q "${@:3}" 2>"$work/$2.err" ||
		{ sed 's/^/#   /' "$work/$2.err" | head -5; return 1; }
}
values() { # COUNT: the values as JSON, keys sorted
	echo "{\"ccinit_aael_domain\": \"github.com/ccinit\", \"ccinit_gpu_aael_count\": $1, \"ccinit_gpu_aael_operation\": \"gpu-evidence\"}"
}

make_recipe gpudeb package
make_recipe gpuroot root
if build gpudeb deb; then
	entry deb "$kdir/root/boot/config-$kver" >"$work/deb.entry" 2>&1
	check_eq "Debian's kernel: no events (count 0)" "$(head -1 "$work/deb.entry")" "$(values 0)"
	check "Debian's kernel: the entry says why (no TSM_MEASUREMENTS) and names its config" \
		'grep -qx "no | .*CONFIG_TSM_MEASUREMENTS.* | True | True" <(sed -n 2p "$work/deb.entry")' ||
		sed 's/^/#   /' "$work/deb.entry"
else
	nok "ccimage build on Debian's kernel package"
fi
if build gpuroot root; then
	entry root "$work/kroot/boot/config-$kver" >"$work/root.entry" 2>&1
	check_eq "a kernel with TSM_MEASUREMENTS: two events" "$(head -1 "$work/root.entry")" "$(values 2)"
	check_eq "... with nothing to explain, registered in rvps-gpu.json" \
		"$(sed -n 2p "$work/root.entry")" "yes |  | True | True"
	d=$(printf '%096d' 0)
	"$CCIMAGE" gpu rtmr3 --values "$work/v.json" 0000:41:00.0="$d" 0000:42:00.0="$d" >/dev/null
	check_eq "the same values as ccimage gpu rtmr3 --values for two GPUs" \
		"$(python3 -c 'import json, sys; print(json.dumps(json.load(open(sys.argv[1])), sort_keys=True))' "$work/v.json")" \
		"$(head -1 "$work/root.entry")"
else
	nok "ccimage build on a kernel tree"
fi
if build gpuroot noready --set gpu=ccinit.gpu.count=2; then
	entry noready "$work/kroot/boot/config-$kver" >"$work/noready.entry" 2>&1
	check_eq "no GPUs-ready request: no events" "$(head -1 "$work/noready.entry")" "$(values 0)"
else
	nok "ccimage build without the ready request"
fi
finish
