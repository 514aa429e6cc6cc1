#!/bin/bash
# Reference test: what `ccimage build` writes for Kata, read by code nobody
# here wrote. recipes/test.yaml is built (from the committed lock, with the
# .debs in $CCINIT_CACHE) with an install prefix that needs TOML escaping;
# python3's tomllib reads kata-test.toml and json/hashlib check
# reference-values.json against the files the build wrote beside it:
# - the drop-in has exactly Kata's [hypervisor.qemu] keys; kernel_params is
#   cmdline.txt, kernel_verity_params is verity_params.txt, the paths are
#   under the prefix, image is cleared for the initrd, the firmware is the
#   recipe's;
# - every value of reference-values.json equals build.json's root hash or
#   the measurement-<tee>.json the build wrote, is in its RVPS message, and
#   each input file's sha256 is the file's;
# - each further TEE has its own drop-in (kata-test-snp.toml) naming its
#   firmware, the AMD SEV OVMF of `ccimage firmware build`;
# - with `firmware:` (one file for every TEE: here the synthetic AMD SEV one
#   of the SNP tests), one SNP entry per vCPU count with the value of that
#   count's report and RVPS message;
# - with --kata-config, the line measured is Kata's (ccimage kata cmdline on
#   the configuration with the drop-in merged) and RTMR2 is measure's for it.
TAP_PREFIX="kata drop-in: "
. "$(dirname "$0")/../lib/tap.sh"

need "$CCIMAGE" build/ccinit build/test-agent build/deps/sbin/mke2fs
if ! python3 -c 'import tomllib' 2>/dev/null; then
	nok "python3 with tomllib (3.11 or later) not installed"
	finish
fi
workdir
# A quote, a backslash and a line that would be a table if the string were not escaped.
prefix=$'/srv/ka"ta\\guests\n[agent.kata]'
if ! "$CCIMAGE" build recipes/test.yaml --out "$work/out" --kata-prefix "$prefix" -q \
	--set "ccinit=$ROOT/build/ccinit" --set "agent=$ROOT/build/test-agent" \
	--set "mke2fs=$ROOT/build/deps/sbin/mke2fs" 2>"$work/err"; then
	nok "ccimage build recipes/test.yaml"
	sed 's/^/#   /' "$work/err"
	finish
fi
ok "ccimage build recipes/test.yaml"

# One "ok NAME" or "not ok NAME" line per check, from python.
python3 - "$work/out" "$prefix" >"$work/py.out" 2>&1 <<'PY'
import base64, hashlib, json, os, sys, tomllib

out, prefix = sys.argv[1], sys.argv[2]
def read(name):
    with open(os.path.join(out, name)) as f:
        return f.read()
def check(name, cond):
    print(("ok " if cond else "not ok ") + name)
def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()

build = json.loads(read("build.json"))
with open(os.path.join(out, "kata-test.toml"), "rb") as f:
    drop = tomllib.load(f)
q = drop.get("hypervisor", {}).get("qemu", {})
check("only [hypervisor.qemu]", list(drop) == ["hypervisor"] and list(drop["hypervisor"]) == ["qemu"])
check("its keys are Kata's", sorted(q) == ["firmware", "image", "initrd", "kernel",
                                           "kernel_params", "kernel_verity_params"])
check("kernel_params is cmdline.txt", q.get("kernel_params") == read("cmdline.txt").rstrip("\n"))
check("kernel_verity_params is verity_params.txt",
      q.get("kernel_verity_params") == read("verity_params.txt").rstrip("\n"))
check("kernel and initrd under the prefix, escaped and read back",
      q.get("kernel") == prefix + "/vmlinuz" and q.get("initrd") == prefix + "/initramfs.cpio")
check("image cleared (Kata refuses image and initrd together)", q.get("image") == "")
fws = build["measurement"]["firmware"]
check("firmware is the one measured for the first TEE (tdx)", q.get("firmware") == fws["tdx"]["path"]
      and sha256(q["firmware"]) == fws["tdx"]["sha256"])
with open(os.path.join(out, "kata-test-snp.toml"), "rb") as f:
    snp_q = tomllib.load(f)["hypervisor"]["qemu"]
check("kata-test-snp.toml names the SNP firmware, built by ccimage firmware build",
      snp_q.get("firmware") == fws["snp"]["path"] and sha256(snp_q["firmware"]) == fws["snp"]["sha256"]
      and fws["snp"]["path"] != fws["tdx"]["path"] and "edk2" in fws["snp"]["built"]
      and {k: v for k, v in snp_q.items() if k != "firmware"}
      == {k: v for k, v in q.items() if k != "firmware"})

rv = json.loads(read("reference-values.json"))
check("reference values name the image", rv.get("image") == "test")
kinds = [e["kind"] for e in rv["entries"]]
check("one entry per computation: verity, tdx, snp per vCPU count",
      kinds == ["verity", "tdx", "snp", "snp", "snp"])
for e in rv["entries"]:
    if e["kind"] == "verity":
        check("root_hash is build.json's", e["values"] == {"root_hash": build["root_hash"]})
        check("verity inputs: the erofs image and the parameter line",
              e["from"]["files"] == {"test.erofs": sha256(os.path.join(out, "test.erofs"))}
              and e["from"]["verity_params"] == build["verity_params"])
        continue
    if e["kind"] == "snp":  # tests/reference/snp-built-image.sh recomputes these
        check("snp entry names its firmware", e["from"]["firmware"] == fws["snp"]["path"])
        continue
    report = json.loads(read("measurement-tdx.json"))
    check("tdx values are measurement-tdx.json's", e["values"] == report and len(report) >= 3)
    rvps = json.loads(base64.b64decode(json.loads(read(e["rvps"]))["payload"]))
    flat = [x for v in rvps.values() for x in (v if isinstance(v, list) else [v])]
    check("each tdx value is in the payload of " + e["rvps"],
          all(v in flat for v in report.values()))
    files = e["from"]["files"]
    check("tdx input files with their sha256",
          sorted(files) == ["OVMF.fd", "initramfs.cpio", "vmlinuz"]
          and files["vmlinuz"] == sha256(os.path.join(out, "vmlinuz"))
          and files["initramfs.cpio"] == sha256(os.path.join(out, "initramfs.cpio"))
          and files["OVMF.fd"] == fws["tdx"]["sha256"])
    check("tdx inputs: the command line measured and the memory",
          e["from"]["cmdline"] == build["cmdline"]
          and e["from"]["memory_mib"] == build["measurement"]["memory_mib"])
PY
while read -r line; do
	case $line in
	"ok "*) ok "${line#ok }" ;;
	"not ok "*) nok "${line#not ok }" ;;
	*)
		nok "python: $line"
		;;
	esac
done <"$work/py.out"

# With --kata-config the measured line is what `ccimage kata cmdline` (golden-tested in
# kata-cmdline.sh) derives from that configuration with the drop-in merged in by hand:
# kernel_params replaced by the image's, booted from the initrd; and RTMR2 is
# `ccimage measure`'s for that line.
conf=tests/fixtures/kata/configuration-qemu-tdx.toml
if "$CCIMAGE" build recipes/test.yaml --out "$work/kc" -q --kata-config "$conf" \
	--set "ccinit=$ROOT/build/ccinit" --set "agent=$ROOT/build/test-agent" \
	--set "mke2fs=$ROOT/build/deps/sbin/mke2fs" 2>"$work/err"; then
	ok "ccimage build --kata-config $conf"
else
	nok "ccimage build --kata-config $conf"
	sed 's/^/#   /' "$work/err"
	finish
fi
python3 - "$conf" "$work/kc/cmdline.txt" >"$work/merged.toml" <<'PY'
import json, sys
params = open(sys.argv[2]).read().rstrip("\n")
for line in open(sys.argv[1]):
    if line.startswith("kernel_params = "):
        line = "kernel_params = " + json.dumps(params) + "\n"
    print(line, end="")
PY
"$CCIMAGE" kata cmdline --config "$work/merged.toml" --initrd >"$work/want-line"
if cmp -s "$work/want-line" "$work/kc/kata-cmdline.txt" && grep -q '^tsc=reliable .* ccinit.log=info$' "$work/want-line"; then
	ok "kata-cmdline.txt is Kata's line around the image's parameters"
else
	nok "kata-cmdline.txt is Kata's line around the image's parameters"
fi
"$CCIMAGE" measure --mode tdx --ovmf /usr/share/ovmf/OVMF.fd --kernel "$work/kc/vmlinuz" \
	--initrd "$work/kc/initramfs.cpio" --append "$(cat "$work/want-line")" --memory 2048M \
	--json >"$work/want-tdx.json"
if python3 - "$work/want-tdx.json" "$work/kc" <<'PY'; then
import json, os, sys
want = json.load(open(sys.argv[1]))
out = sys.argv[2]
rv = json.load(open(os.path.join(out, "reference-values.json")))
tdx = [e for e in rv["entries"] if e["kind"] == "tdx"][0]
line = open(os.path.join(out, "kata-cmdline.txt")).read().rstrip("\n")
sys.exit(0 if tdx["values"]["rtmr_2"] == want["rtmr_2"] and tdx["from"]["cmdline"] == line
         and json.load(open(os.path.join(out, "build.json")))["cmdline"] != line else 1)
PY
	ok "RTMR2 and the recorded line are those of Kata's line"
else
	nok "RTMR2 and the recorded line are those of Kata's line"
fi

# SNP, on the synthetic AMD SEV firmware the SNP tests use: one entry per vCPU count, the
# value the build's report and RVPS message hold for that count.
mkdir -p "$work/snp"
sed -e 's/^  tee: \[tdx, snp\]/  tee: [snp]/' -e '/^  snp-firmware: /d' \
	-e "s|^  tdx-firmware: .*|  firmware: $ROOT/tests/fixtures/sev-snp/ovmf_AmdSev_suffix.bin|" \
	recipes/test.yaml >"$work/snp/test.yaml"
if "$CCIMAGE" build "$work/snp/test.yaml" --lock recipes/test.yaml.lock --out "$work/snp/out" -q \
	--set "ccinit=$ROOT/build/ccinit" --set "agent=$ROOT/build/test-agent" \
	--set "mke2fs=$ROOT/build/deps/sbin/mke2fs" 2>"$work/err" &&
	python3 - "$work/snp/out" <<'PY'; then
import base64, json, os, sys
out = sys.argv[1]
rv = json.load(open(os.path.join(out, "reference-values.json")))
snp = [e for e in rv["entries"] if e["kind"] == "snp"]
assert [e["from"]["vcpus"] for e in snp] == [1, 2, 4], snp
for e in snp:
    n = e["from"]["vcpus"]
    report = json.load(open(os.path.join(out, "measurement-snp-%dvcpu.json" % n)))
    rvps = json.load(open(os.path.join(out, e["rvps"])))
    payload = json.loads(base64.b64decode(rvps["payload"]))
    assert e["values"] == {"snp_launch_measurement": report["measurement"]}, e
    assert payload["snp_launch_measurement"] == [report["measurement"]], payload
    assert e["from"]["vcpu_type"] == "EPYC-v4"
assert snp[0]["values"] != snp[1]["values"]
PY
	ok "snp: one value per vCPU count, equal to the build's reports and RVPS messages"
else
	nok "snp: one value per vCPU count, equal to the build's reports and RVPS messages"
	sed 's/^/#   /' "$work/err"
fi

# Without --kata-prefix the paths are Kata's own directory.
if "$CCIMAGE" build recipes/test.yaml --out "$work/out" -q \
	--set "ccinit=$ROOT/build/ccinit" --set "agent=$ROOT/build/test-agent" \
	--set "mke2fs=$ROOT/build/deps/sbin/mke2fs" 2>"$work/err" &&
	grep -qx 'kernel = "/opt/kata/share/kata-containers/vmlinuz"' "$work/out/kata-test.toml"; then
	ok "default prefix /opt/kata/share/kata-containers"
else
	nok "default prefix /opt/kata/share/kata-containers"
	sed 's/^/#   /' "$work/err"
fi
finish
