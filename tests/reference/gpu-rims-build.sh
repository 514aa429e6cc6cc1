#!/bin/bash
# Reference test: NVIDIA's RIMs in `ccimage build` (rootfs/RECIPES.md, `gpu`).
# A small offline recipe (no Debian packages: a kernel tree made here, the
# RIMs re-signed under tests/fixtures/gpu-rim-test's root) names the driver
# and VBIOS test RIMs in gpu.rims, with gpu.rim-root that root:
#  - `ccimage lock` pins each RIM's sha256; the image's root (fsck.erofs
#    --extract) holds /usr/share/ccinit/gpu-golden, 0444 root, byte-equal to
#    hopper535.golden, what `ccimage gpu rims` writes for the same RIMs;
#  - rvps-gpu.json and reference-values.json carry the versions and sha256s,
#    build.json the RIMs' sha256s, the SBOM the table;
#  - two builds give the same bytes, and a directory of the RIMs the same;
#  - a RIM whose bytes are not the lock's is refused as a stale lock; a
#    tampered RIM (one hex digit, re-locked) fails verification naming the
#    file; a wrong gpu.rim-root fails; a bad gpu.rims value names the
#    recipe's line and key; none of these leaves an output directory;
#  - `ccimage lock --check` reports a RIM whose bytes changed;
#  - NVIDIA's own (expired) VBIOS RIM on the built-in root fails without
#    gpu.rims-accept-expired and builds, marked expired, with it.
TAP_PREFIX="gpu rims build: "
. "$(dirname "$0")/../lib/tap.sh"

need "$CCIMAGE"
command -v fsck.erofs >/dev/null || skip_all "fsck.erofs" "erofs-utils not installed"
workdir
TR=$ROOT/tests/fixtures/gpu-rim-test
D=NV_GPU_DRIVER_GH100_535.86.09.xml
V=NV_GPU_VBIOS_1010_0200_882_96005E0001.xml
cd "$work" || exit 1
mkdir -p kroot/lib/modules/6.1.0-t/kernel kroot/boot rims
echo kernel >kroot/boot/vmlinuz-6.1.0-t
printf '#!/bin/sh\n' >init
cp "$TR/$D" "$TR/$V" "$TR/root.pem" rims/

# recipe FILE RIMS-YAML [ROOT-LINE]: the recipe, its gpu block as given.
recipe() {
	cat >"$1" <<YAML
format: 1
name: rimtest
source-date-epoch: 1700000000
files:
  /etc/hello: {text: "hi\n", mode: 0644}
kernel:
  root: kroot
initramfs:
  init: init
gpu:
  rims: $2
  ${3:-rim-root: rims/root.pem}
YAML
}
recipe r.yaml "[rims/$D, rims/$V]"
check "ccimage lock pins both RIMs by name and sha256" \
	'"$CCIMAGE" lock r.yaml --quiet 2>lock.err &&
	 grep -qx "rim $D $(sha256sum rims/$D | cut -d" " -f1)" r.yaml.lock &&
	 grep -qx "rim $V $(sha256sum rims/$V | cut -d" " -f1)" r.yaml.lock' ||
	sed 's/^/#   /' lock.err
for i in 1 2; do
	"$CCIMAGE" build r.yaml --out out$i 2>build$i.err
	check "build $i" '[ $? -eq 0 ]' || sed 's/^/#   /' build$i.err | head -5
done
[ -f out1/rimtest.erofs ] || finish
fsck.erofs --extract=x out1/rimtest.erofs >/dev/null 2>&1
check "the root holds /usr/share/ccinit/gpu-golden, byte-equal to hopper535.golden" \
	'cmp -s x/usr/share/ccinit/gpu-golden "$TR/hopper535.golden"'
"$CCIMAGE" gpu rims --root "$TR/root.pem" "$TR/$D" "$TR/$V" >cmd.golden 2>/dev/null
check "ccimage gpu rims writes the same table" 'cmp -s x/usr/share/ccinit/gpu-golden cmd.golden'
check_eq "the table is 0444 and owned by root in the image" \
	"$(dump.erofs --path=/usr/share/ccinit/gpu-golden out1/rimtest.erofs 2>/dev/null |
		grep -o 'Uid: [0-9]* *Gid: [0-9]* *Access: [0-7]*' | tr -s ' ')" "Uid: 0 Gid: 0 Access: 0444"
for f in rimtest.erofs rimtest.verity rimtest.img initramfs.cpio rimtest.spdx.json build.json \
	reference-values.json rvps-gpu.json; do
	check "$f: the same bytes from two builds" 'cmp -s out1/$f out2/$f'
done
check_eq "rvps-gpu.json: the driver RIM's version (no driver pinned) and the VBIOS RIM's" \
	"$(python3 -c '
import base64, json, sys
p = json.loads(base64.b64decode(json.load(open(sys.argv[1]))["payload"]))
print(p["allowed_driver_versions"], p["allowed_vbios_versions"])' out1/rvps-gpu.json)" \
	"['535.86.09'] ['96.00.5e.00.01']"
check_eq "reference-values.json: a gpu-rims entry with each RIM" \
	"$(python3 -c '
import hashlib, json, sys
e = [e for e in json.load(open(sys.argv[1]))["entries"] if e["kind"] == "gpu-rims"]
assert len(e) == 1, e
for r in e[0]["values"]["rims"]:
    print(r["kind"], r["model"], r["version"], r["certificate"],
          r["sha256"] == hashlib.sha256(open("rims/" + sys.argv[2 + (r["kind"] == "vbios")], "rb").read()).hexdigest())
print(e[0]["values"]["golden_sha256"] == hashlib.sha256(open(sys.argv[4], "rb").read()).hexdigest())
' out1/reference-values.json "$D" "$V" "$TR/hopper535.golden")" \
	"driver GH100 535.86.09 valid True
vbios 1010_0200_882 96.00.5E.00.01 valid True
True"
check "build.json: each RIM's sha256" \
	'grep -q "$(sha256sum rims/$V | cut -d" " -f1)" out1/build.json'
check "the SBOM lists the table" 'grep -q "usr/share/ccinit/gpu-golden" out1/rimtest.spdx.json'
check "the build notes that the lock pins no driver" 'grep -q "pins no NVIDIA driver package" build1.err'

# A directory of the RIMs: taken in name order, the same image.
recipe d.yaml "[rims]"
"$CCIMAGE" lock d.yaml --quiet 2>/dev/null
"$CCIMAGE" build d.yaml --out outd -q 2>buildd.err
check "gpu.rims naming the directory gives the same erofs" 'cmp -s out1/rimtest.erofs outd/rimtest.erofs' ||
	sed 's/^/#   /' buildd.err | head -3

# Refusals: each exits 3 naming what, and leaves no output directory.
mkdir bad
python3 - "rims/$D" "bad/$D" <<'PY'
import sys
s = open(sys.argv[1]).read()
i = s.index('Hash0="') + 7
s = s[:i] + ("1" if s[i] != "1" else "2") + s[i + 1:]
open(sys.argv[2], "w").write(s)
PY
cp rims/$V bad/
recipe t.yaml "[bad/$D, bad/$V]"
cp r.yaml.lock t.yaml.lock
expect "a RIM whose sha256 is not the lock's is refused: the lock is stale" 3 \
	"bad/$D has sha256 .* but t.yaml.lock pins .*the lock is stale" "$CCIMAGE" build t.yaml --out outt -q
check "... and leaves no output" '[ ! -e outt ] && [ ! -e outt.tmp ]'
"$CCIMAGE" lock t.yaml --quiet 2>/dev/null
expect "a tampered RIM, re-locked, fails verification naming the file" 3 \
	"t.yaml: gpu.rims: .*bad/$D" "$CCIMAGE" build t.yaml --out outt -q
check "... and leaves no output" '[ ! -e outt ] && [ ! -e outt.tmp ]'
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-384 -nodes -keyout other.key \
	-out other.pem -subj /CN=other -days 1 2>/dev/null
recipe w.yaml "[rims/$D, rims/$V]" "rim-root: other.pem"
cp r.yaml.lock w.yaml.lock
expect "a wrong gpu.rim-root fails the build naming the RIM" 3 "w.yaml: gpu.rims: .*rims/$D" \
	"$CCIMAGE" build w.yaml --out outw -q
check "... and leaves no output" '[ ! -e outw ] && [ ! -e outw.tmp ]'
recipe n.yaml "[rims/$D]"
expect "a lock pinning a RIM the recipe no longer names is stale" 3 \
	"pins RIM $V, which the recipe's gpu.rims do not name" \
	"$CCIMAGE" build n.yaml --lock r.yaml.lock --out outn -q
recipe k.yaml "rims/$D"
expect "gpu.rims not a list: the recipe's line and the key" 3 "k.yaml:11:.*gpu.rims: expected a list" \
	"$CCIMAGE" build k.yaml --lock r.yaml.lock --out outk -q
printf 'format 1\nrecipe rimtest\nrim %s %s\nrim %s %s\n' "$D" "$(sha256sum rims/$D | cut -d' ' -f1)" \
	"$D" "$(sha256sum rims/$D | cut -d' ' -f1)" >twice.lock
expect "a lock pinning one RIM twice is refused naming the line" 3 "twice.lock:4: rim $D is pinned twice" \
	"$CCIMAGE" build r.yaml --lock twice.lock --out outx -q

# ccimage lock --check: the RIMs as pinned, then one changed.
expect "lock --check: the lock pins the RIMs as they are" 0 "" "$CCIMAGE" lock --check r.yaml
check "... and says current" 'grep -q "current" out.log'
cp rims/$D keep.xml && cp bad/$D rims/$D
expect "lock --check: a RIM whose bytes changed is a moved pin" 1 "" "$CCIMAGE" lock --check r.yaml
check "... naming it" 'grep -q "stale: .*$D sha256" out.log'
cp keep.xml rims/$D

# NVIDIA's own VBIOS RIM against the built-in root: its signer expired, so only with
# rims-accept-expired, and then marked expired.
NR=$ROOT/tests/fixtures/nvidia-rim
mkdir nv && cp "$NR/1010_0200_882_96005E0001_PROD.swidtag" nv/
recipe e.yaml "[nv]" "rims-accept-expired: false"
"$CCIMAGE" lock e.yaml --quiet 2>/dev/null
expect "NVIDIA's expired RIM without rims-accept-expired fails, naming the file and why" 3 \
	"e.yaml: gpu.rims: .*1010_0200_882_96005E0001_PROD.swidtag.*expired" "$CCIMAGE" build e.yaml --out oute -q
recipe e.yaml "[nv]" "rims-accept-expired: true"
"$CCIMAGE" build e.yaml --out oute -q 2>builde.err
check "with rims-accept-expired it builds on NVIDIA's built-in root" '[ $? -eq 0 ]' || sed 's/^/#   /' builde.err | head -3
check_eq "... and reference-values.json marks the RIM expired" "$(python3 -c '
import json, sys
e = [e for e in json.load(open(sys.argv[1]))["entries"] if e["kind"] == "gpu-rims"][0]
print([(r["kind"], r["version"], r["certificate"]) for r in e["values"]["rims"]], e["from"]["root"])
' oute/reference-values.json 2>&1)" "[('vbios', '96.00.5E.00.01', 'expired')] NVIDIA RIM root (built in)"
check "... and, with no driver RIM and no driver pinned, writes no rvps-gpu.json" '[ ! -e oute/rvps-gpu.json ]'
finish
