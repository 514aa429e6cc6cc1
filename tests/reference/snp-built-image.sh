#!/bin/bash
# Reference test: SNP values of a built image, recomputed by code that shares
# nothing with ccimage's C. `ccimage firmware build` gives the AMD SEV OVMF
# (from the cache, or built: measurement/README.md, 3.1); recipes/test.yaml is
# built with it (snp-firmware: build), and tests/lib/snp_digest.py, written
# from the AMD SEV-SNP ABI and OVMF's metadata layout (README sections 3, 4),
# recomputes the launch digest for 1, 2 and 4 vCPUs from the firmware, the
# image's kernel, initramfs and cmdline.txt. It must equal the value in
# measurement-snp-Nvcpu.json, in rvps-snp-Nvcpu.json and in
# reference-values.json. snp_digest.py itself is first held to
# sev-snp-measure's published vectors. Last, a smoke test: the same firmware
# under plain QEMU TCG (no SEV here) with -kernel/-initrd hands over to the
# kernel.
TAP_PREFIX="snp built image: "
. "$(dirname "$0")/../lib/tap.sh"
SNP=tests/lib/snp_digest.py
FIXTURE=tests/fixtures/sev-snp/ovmf_AmdSev_suffix.bin

need "$CCIMAGE" build/ccinit build/test-agent build/deps/sbin/mke2fs
workdir

# The independent digest against sev-snp-measure's tests/test_guest.py vectors (AmdSev
# fixture, kernel = initrd = /dev/null, EPYC-v4): one with a command line, one with 4 vCPUs.
want1=6d287813eb5222d770f75005c664e34c204f385ce832cc2ce7d0d6f354454362f390ef83a92046c042e706363b4b08fa
want4=5061fffb019493a903613d56d54b94912a1a2f9e4502385f5c194616753720a92441310ba6c4933de877c36e23046ad5
if [ "$(python3 $SNP $FIXTURE /dev/null /dev/null "console=ttyS0 loglevel=7" 1)" = "$want1" ] &&
	[ "$(python3 $SNP $FIXTURE /dev/null /dev/null "" 4)" = "$want4" ]; then
	ok "snp_digest.py gives sev-snp-measure's published vectors"
else
	nok "snp_digest.py gives sev-snp-measure's published vectors"
	finish
fi

start=$(date +%s)
if fw=$("$CCIMAGE" firmware build 2>"$work/fw.err") && [ -s "$fw" ]; then
	ok "ccimage firmware build: $(stat -c %s "$fw") bytes, sha256 $(sha256sum <"$fw" | cut -c1-16)..., $(($(date +%s) - start)) s"
else
	nok "ccimage firmware build"
	sed 's/^/#   /' "$work/fw.err"
	finish
fi
if grep -qx "output OVMF.fd sha256:$(sha256sum <"$fw" | cut -d' ' -f1)" "$(dirname "$fw")/key.txt"; then
	ok "the cached OVMF.fd is the one its key.txt recorded"
else
	nok "the cached OVMF.fd is the one its key.txt recorded"
fi
# The metadata SNP direct boot needs: a KERNEL_HASHES section (type 0x10) and a hash table.
if python3 - "$fw" <<'PY'; then
import importlib.util, struct, sys
spec = importlib.util.spec_from_file_location("snp", "tests/lib/snp_digest.py")
snp = importlib.util.module_from_spec(spec)
spec.loader.exec_module(snp)
fw = open(sys.argv[1], "rb").read()
entries = snp.footer_entries(fw)
kinds = [k for _, _, k in snp.sev_sections(fw, entries)]
gpa, size = struct.unpack_from("<II", entries[snp.guid(snp.SEV_HASH_TABLE)])
sys.exit(0 if snp.KERNEL_HASHES in kinds and gpa and size else 1)
PY
	ok "the firmware has an SNP_KERNEL_HASHES section and a SEV hash table"
else
	nok "the firmware has an SNP_KERNEL_HASHES section and a SEV hash table"
fi

out=$work/out
if "$CCIMAGE" build recipes/test.yaml --out "$out" -q --set "ccinit=$ROOT/build/ccinit" \
	--set "agent=$ROOT/build/test-agent" --set "mke2fs=$ROOT/build/deps/sbin/mke2fs" 2>"$work/err"; then
	ok "ccimage build recipes/test.yaml"
else
	nok "ccimage build recipes/test.yaml"
	sed 's/^/#   /' "$work/err"
	finish
fi
cmdline=$(cat "$out/cmdline.txt")
for vcpus in 1 2 4; do
	want=$(python3 $SNP "$fw" "$out/vmlinuz" "$out/initramfs.cpio" "$cmdline" $vcpus)
	if python3 - "$out" "$vcpus" "$want" "$fw" <<'PY'; then
import base64, hashlib, json, os, sys
out, vcpus, want, fw = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
name = "snp-%dvcpu" % vcpus
report = json.load(open(os.path.join(out, "measurement-%s.json" % name)))
rvps = json.load(open(os.path.join(out, "rvps-%s.json" % name)))
payload = json.loads(base64.b64decode(rvps["payload"]))
rv = json.load(open(os.path.join(out, "reference-values.json")))
entry = [e for e in rv["entries"] if e["kind"] == "snp" and e["from"]["vcpus"] == vcpus]
fw_sha = hashlib.sha256(open(fw, "rb").read()).hexdigest()
assert report["measurement"] == want, (report["measurement"], want)
assert payload["snp_launch_measurement"] == [want], payload
assert len(entry) == 1 and entry[0]["values"] == {"snp_launch_measurement": want}, entry
assert entry[0]["from"]["firmware"] == fw and entry[0]["from"]["files"]["OVMF.fd"] == fw_sha
assert "edk2" in entry[0]["from"]["firmware_built"]
PY
		ok "$vcpus vCPU(s): $want equals measurement, RVPS and reference-values of the build"
	else
		nok "$vcpus vCPU(s): the build's values equal the independent digest $want"
	fi
done

# Smoke test under plain QEMU TCG. Without SEV, QEMU writes no SEV hash table,
# so the firmware's blob verifier (OvmfPkg/AmdSev/BlobVerifierLibSevHashes)
# denies the -kernel/-initrd blobs and its boot manager, restricted to the
# firmware's own options, finds nothing to boot: the firmware must run that
# far and must not start the unverified kernel (measurement/README.md, 3.1).
serial=$work/serial.log
qemu-system-x86_64 -machine q35 -cpu max -m 2048 -bios "$fw" -kernel "$out/vmlinuz" \
	-initrd "$out/initramfs.cpio" -append "console=ttyS0 $cmdline" -display none \
	-nodefaults -no-reboot -serial "file:$serial" 2>"$work/qemu.err" &
qemu=$!
for _ in $(seq 1 120); do
	grep -aq "No bootable option" "$serial" 2>/dev/null && break
	kill -0 $qemu 2>/dev/null || break
	sleep 1
done
sleep 2 # a kernel that did start would print its banner at once
kill $qemu 2>/dev/null
wait $qemu 2>/dev/null
if grep -aq "BdsDxe: No bootable option was found" "$serial" && ! grep -aq "Linux version" "$serial"; then
	ok "smoke (QEMU TCG, no SEV): the firmware reaches its boot manager and refuses the unverified kernel"
else
	nok "smoke (QEMU TCG, no SEV): the firmware reaches its boot manager and refuses the unverified kernel"
	tr -cd '[:print:]\n' <"$serial" | tail -5 | sed 's/^/#   /'
	sed 's/^/#   /' "$work/qemu.err"
fi
finish
