#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# Differential test: random SEV/SEV-ES/SEV-SNP inputs through `ccimage measure`
# and sev-snp-measure, which must print the same line, or both refuse.
#
# sev-snp-measure comes from $SEV_SNP_MEASURE (an executable, or its
# sev-snp-measure.py run with python3) or `sev-snp-measure` on PATH; without
# it every case is a skip. SNP_REF_N cases (default 60), SNP_REF_SEED to replay.
#
# Inputs: the two published firmware suffixes (also padded to several pages)
# and synthetic OVMF layouts with random footer tables, SEV metadata sections,
# reset EIPs and hash-table GPAs; random kernels, initrds, command lines, vCPU
# counts, types/signatures/family-model-stepping, guest features, VMM types,
# output formats and OVMF-hash seeds; snp:svsm with synthetic SVSM binaries and
# OVMF_VARS sizes (and sev-snp-measure's SVSM fixtures when its checkout is at
# hand). Inputs that sev-snp-measure only accepts
# through Python slicing quirks (see measurement/ovmf.c) are not generated.
. "$(dirname "$0")/../lib/tap.sh"
N=${SNP_REF_N:-60}
SEED=${SNP_REF_SEED:-$RANDOM$RANDOM}
FIX=tests/fixtures/sev-snp

. tests/lib/sev-snp-measure.sh
if ! ref_sev_snp_measure; then
	skip_all "ccimage measure vs sev-snp-measure" "sev-snp-measure not installed"
fi
need "$CCIMAGE"
KEEP_WORK=${KEEP_WORK:-${SNP_REF_KEEP:-}} # SNP_REF_KEEP=1 keeps the inputs
workdir

# The generator writes the files of each case into $work/N/ and one line per
# case: the arguments, NUL-separated, base64-encoded (command lines are arbitrary).
# sev-snp-measure's own SVSM fixtures, when $SEV_SNP_MEASURE is its checkout's script
svsm_fix=$(dirname "${ref[-1]}")/tests/fixtures
[ -r "$svsm_fix/svsm.bin" ] || svsm_fix=
python3 - "$work" "$N" "$SEED" "$FIX" "$svsm_fix" >"$work/cases" <<'EOF' || exit 1
import base64, os, random, struct, sys, uuid

work, n, seed, fix, svsm_fix = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
rng = random.Random(seed)

def g(s):
    return uuid.UUID(s).bytes_le

FOOTER = g("96b582de-1fb2-45f7-baea-a366c55a082d")
RESET = g("00f771de-1a7e-4fcb-890e-68c77e2fb44e")
META = g("dc886566-984a-4798-a75e-5585a7bf67cc")
HASHRV = g("7255371f-3a3b-4b04-927b-1da6efa8d454")
SECRET = g("4c2eb361-7d9b-4cc3-8081-127c90d3d294")
SVSM_INFO = g("a789a612-0597-4c4b-a49f-cbb1fe9d1ddd")
VCPU_TYPES = ["EPYC", "EPYC-v1", "EPYC-v2", "EPYC-IBPB", "EPYC-v3", "EPYC-v4", "EPYC-Rome",
              "EPYC-Rome-v1", "EPYC-Rome-v2", "EPYC-Rome-v3", "EPYC-Milan", "EPYC-Milan-v1",
              "EPYC-Milan-v2", "EPYC-Genoa", "EPYC-Genoa-v1", "EPYC-Turin"]

def rbytes(k):
    return bytes(rng.getrandbits(8) for _ in range(k)) if k < 4096 else os.urandom(k)

def synthetic(page_multiple, svsm=False):
    """A random but well-formed OVMF (or SVSM): footer table, SEV metadata, reset block."""
    entries = []
    if svsm and rng.random() < 0.95:
        entries.append((SVSM_INFO, struct.pack("<I", rng.choice([0x10, 0x1000, rng.randrange(1 << 32)]))))
    if rng.random() < 0.93:
        eip = rng.choice([0x80b004, 0x808004, 0xfffff000 | rng.randrange(0x1000),
                          rng.randrange(1 << 32), 0 if rng.random() < 0.3 else 0x80b004])
        entries.append((RESET, struct.pack("<I", eip)))
        if rng.random() < 0.1:  # a duplicate: the entry nearer the table start wins
            entries.append((RESET, struct.pack("<I", rng.randrange(1 << 32))))
    sections = []
    hash_page = None
    if rng.random() < 0.9:
        for _ in range(rng.randint(0, 8)):
            t = rng.choice([1, 1, 2, 3, 4, 0x10, 0x10] + ([5] if rng.random() < 0.05 else []))
            gpa = rng.randrange(0, 1 << 20) * 4096
            if rng.random() < 0.1:
                gpa = rng.randrange(1 << 32)  # unaligned GPAs go into PAGE_INFO as they are
            if t == 0x10:
                size = 4096 if rng.random() < 0.9 else rng.choice([0, 8192])
                hash_page = gpa
            elif t in (2, 3):
                size = rng.choice([4096, 0, 12345])  # ignored for these types
            else:
                size = rng.randint(0, 12) * 4096
                if rng.random() < 0.03:
                    size += 100  # refused by both
            sections.append((gpa, size, t))
        if hash_page is None and rng.random() < 0.75:
            hash_page = rng.randrange(0, 1 << 20) * 4096
            sections.insert(rng.randrange(len(sections) + 1), (hash_page, 4096, 0x10))
        meta = b"ASEV" + struct.pack("<III", 16 + 12 * len(sections), 1, len(sections))
        meta += b"".join(struct.pack("<III", *s) for s in sections)
    else:
        meta = None
    if rng.random() < 0.85:
        base = hash_page if hash_page is not None and rng.random() < 0.8 else rng.randrange(1 << 20) * 4096
        if rng.random() < 0.15:
            gpa = 0
        else:
            gpa = base + (rng.randrange(0, 3921) if rng.random() < 0.95 else rng.randrange(3921, 4096))
        entries.append((HASHRV, struct.pack("<II", gpa & 0xffffffff, 0x400)))
    if rng.random() < 0.5:
        entries.append((SECRET, struct.pack("<II", 0x80d000, 0x1000)))
    if rng.random() < 0.3:
        entries.append((uuid.UUID(int=rng.getrandbits(128)).bytes_le, rbytes(rng.randint(0, 40))))
    rng.shuffle(entries)
    # The metadata offset entry needs the final layout, so place it last in the list with a
    # placeholder and patch it once the file size is known.
    if meta is not None:
        entries.insert(rng.randrange(len(entries) + 1), (META, b"\0\0\0\0"))
    table = b""
    meta_pos_in_table = None
    for guid, data in entries:
        if guid == META and meta_pos_in_table is None:
            meta_pos_in_table = len(table)
        table += data + struct.pack("<H", len(data) + 18) + guid
    tail = table + struct.pack("<H", len(table) + 18) + FOOTER + rbytes(32)
    pad = rbytes(rng.randint(0, 64)) if meta is not None else b""
    body_len = len(tail) + len(pad) + (len(meta) if meta else 0)
    if page_multiple:
        size = (body_len + 4095) // 4096 * 4096 + 4096 * rng.randint(0, 3)
    else:
        size = body_len + rng.randint(0, 9000)
    head = rbytes(size - body_len)
    fw = bytearray(head + (meta or b"") + pad + tail)
    if meta is not None:
        off_from_end = size - len(head)
        at = size - len(tail) + meta_pos_in_table
        fw[at:at + 4] = struct.pack("<I", off_from_end)
    return bytes(fw)

def firmware(path, page_multiple):
    r = rng.random()
    if r < 0.35:
        data = open(os.path.join(fix, rng.choice(["ovmf_AmdSev_suffix.bin"] * 3 + ["ovmf_OvmfX64_suffix.bin"])), "rb").read()
        if rng.random() < 0.4:
            data = rbytes(4096 * rng.randint(1, 4)) + data  # as if more of OVMF.fd were there
    elif r < 0.97 or not page_multiple:
        data = synthetic(page_multiple)
    else:
        data = rbytes(4096 * rng.randint(1, 3))  # no footer table at all
    open(path, "wb").write(data)

def blob(path):
    k = rng.choice([0, 1, 17, 4096, rng.randint(0, 300000)])
    open(path, "wb").write(rbytes(k))
    return path

def cmdline():
    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789 =,._-/:\"'\\$\t"
    s = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 120)))
    if rng.random() < 0.15:
        s += "é€😀"
    return rng.choice([s, "console=ttyS0 loglevel=7", "", s])

def intform(v):
    return rng.choice([hex(v), str(v), hex(v).upper().replace("X", "x"), "0x%08x" % v])

for i in range(n):
    d = os.path.join(work, str(i))
    os.mkdir(d)
    mode = rng.choices(["snp", "seves", "sev", "snp:ovmf-hash", "snp-seed", "snp:svsm"],
                       [50, 13, 10, 6, 11, 10])[0]
    args = []
    fw = os.path.join(d, "ovmf.fd")
    firmware(fw, mode in ("snp", "snp:ovmf-hash", "snp:svsm") or rng.random() < 0.5)
    if mode == "snp:svsm":
        sv = os.path.join(d, "svsm.bin")
        if svsm_fix and rng.random() < 0.3:
            fw = os.path.join(svsm_fix, "svsm_ovmf.fd")
            sv = os.path.join(svsm_fix, "svsm.bin")
        else:
            open(sv, "wb").write(synthetic(True, svsm=True))
        args.append("--svsm=" + sv)
        if rng.random() < 0.8:
            args.append("--vars-size=%d" % rng.choice([540672, 131072, 4096 * rng.randint(1, 200), 0]))
        else:
            args.append("--vars-file=" + blob(os.path.join(d, "vars.fd")))
    seed_mode = mode == "snp-seed"
    if seed_mode:
        mode = "snp"
        args.append("--snp-ovmf-hash=" + rbytes(48).hex())
    args += ["--mode=" + mode, "--ovmf=" + fw]
    vmm = rng.choices(["QEMU", "ec2", "gce"], [70, 15, 15] if mode != "snp:svsm" else [90, 5, 5])[0]
    if vmm != "QEMU" or rng.random() < 0.2:
        args.append("--vmm-type=" + vmm)
    if mode != "sev" or rng.random() < 0.2:
        # 1..: ccimage holds --vcpus to the recipes' 1..512 (test_cli.c), where
        # sev-snp-measure measures no VMSA for 0.
        args.append("--vcpus=%d" % rng.choice([1, 1, 2, 4, rng.randint(1, 64)]))
    how = rng.random()
    if vmm != "QEMU" and how < 0.4:
        pass
    elif how < 0.55:
        args.append("--vcpu-type=" + rng.choice(VCPU_TYPES))
    elif how < 0.8:
        args.append("--vcpu-sig=" + intform(rng.choice([0x800f12, 0xa00f11, rng.getrandbits(32)])))
    else:
        args += ["--vcpu-family=%d" % rng.choice([23, 25, 26, 14, rng.randint(0, 300)]),
                 "--vcpu-model=%d" % rng.randint(0, 255), "--vcpu-stepping=%d" % rng.randint(0, 20)]
    if rng.random() < 0.6:
        args.append("--guest-features=" + intform(rng.choice([0x1, 0x21, 0x1, rng.getrandbits(16)])))
    if rng.random() < 0.7:
        args.append("--kernel=" + (blob(os.path.join(d, "kernel")) if rng.random() < 0.8 else "/dev/null"))
        if rng.random() < 0.7:
            args.append("--initrd=" + (blob(os.path.join(d, "initrd")) if rng.random() < 0.8 else "/dev/null"))
        if rng.random() < 0.8:
            args.append("--append=" + cmdline())
    if rng.random() < 0.3:
        args.append("--output-format=" + rng.choice(["hex", "base64"]))
    if rng.random() < 0.1:
        args.append("-v")
    rng.shuffle(args)
    print(base64.b64encode("\0".join(args).encode()).decode())
EOF

echo "1..$N"
echo "# seed $SEED (SNP_REF_SEED=$SEED replays this run)"
i=0 agree_value=0 agree_refusal=0
while read -r line; do
	i=$((i + 1))
	mapfile -d '' -t args < <(printf '%s' "$line" | base64 -d)
	mode=
	for a in "${args[@]}"; do
		case $a in --mode=*) mode=${a#--mode=} ;; esac
	done
	want=$("${ref[@]}" "${args[@]}" 2>"$work/ref.err")
	want_rc=$?
	got=$("$CCIMAGE" measure "${args[@]}" 2>"$work/got.err")
	got_rc=$?
	if [ $want_rc -eq 0 ] && [ $got_rc -eq 0 ] && [ "$want" = "$got" ] && [ -n "$got" ]; then
		agree_value=$((agree_value + 1))
		ok "$mode: same value ($(printf '%s' "$got" | tail -c 16))"
	elif [ $want_rc -ne 0 ] && [ $got_rc -ne 0 ] && [ -z "$got" ]; then
		agree_refusal=$((agree_refusal + 1))
		ok "$mode: both refuse: $(head -n 1 "$work/got.err")"
	else
		nok "$mode: differ"
		printf '#   args:'
		printf ' %q' "${args[@]}"
		echo
		echo "#   sev-snp-measure (rc $want_rc): $want $(tail -n 1 "$work/ref.err")"
		echo "#   ccimage measure (rc $got_rc): $got $(tail -n 1 "$work/got.err")"
	fi
done <"$work/cases"
echo "# $agree_value same values, $agree_refusal refused by both, $failed differ, of $i"
[ "$failed" -eq 0 ] && [ "$n" -eq "$N" ]
