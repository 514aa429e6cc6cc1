#!/bin/bash
# ccimage under hostile or broken input (issue 15): recipe sources that are
# not regular files, builds that fail or are killed between steps, deeply
# nested recipes, oversized inputs, device nodes in an image root, numbers on
# the command line outside the range recipes allow, and the
# messages and exit codes of what is refused (3 for bad input, 4 only for
# the system). Each check names the case it guards. Package-less recipes
# build without the network; mkfs.erofs is the one outside tool.
. "$(dirname "$0")/../lib/tap.sh"
repo=$PWD

if ! command -v mkfs.erofs >/dev/null; then
	skip_all "ccimage under hostile input" "mkfs.erofs not installed (apt-get install erofs-utils)"
fi
need "$CCIMAGE"
workdir
cd "$work" || exit 1

# recipe FILE SOURCE [EXTRA]: a package-less recipe with one local file, and its lock.
recipe() {
	printf 'format: 1\nname: t\nfiles:\n  /x: {source: %s, mode: 0644%s}\n' "$2" "${3:-}" >"$1"
	"$CCIMAGE" lock "$1" --quiet
}

# Case 1: a files: source must be a regular file (a symlink only with follow: true), bounded.
mkfifo fifo
mkdir dir
ln -s loop loop
echo real >real
ln -s real link
truncate -s 2G big
for src in /dev/zero fifo dir loop link big; do
	recipe z.yaml "$src"
	expect "case 1: source $src refused with exit 3, naming recipe, line and field" 3 \
		"z.yaml:4: /x: source .*$src: " "$CCIMAGE" build z.yaml --out oz --quiet
done
printf 'format: 1\nname: t\ninitramfs:\n  files:\n    /x: {source: fifo, mode: 0644}\n' >i.yaml
"$CCIMAGE" lock i.yaml --quiet
expect "case 1: an initramfs source that is a FIFO is refused, not waited on" 3 \
	"i.yaml:5: initramfs /x: source ./fifo: a FIFO, not a regular file" "$CCIMAGE" build i.yaml --out oi --quiet
recipe z.yaml loop ", follow: true"
expect "case 1/7: a symlink loop is bad input (exit 3)" 3 "source ./loop: a symlink loop" \
	"$CCIMAGE" build z.yaml --out oz --quiet
recipe z.yaml link ", follow: true"
"$CCIMAGE" build z.yaml --out oz --quiet 2>err.log
if [ -f oz/build.json ]; then ok "case 1: follow: true copies a symlink's target"; else
	nok "case 1: follow: true: $(cat err.log)"
fi

# Case 2: a failed build leaves the previous output untouched, and nothing partial.
erofs_sha() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["outputs"]["t.erofs"]["sha256"])' "$1/build.json"; }
good_output() { # DIR: build.json names the erofs beside it
	[ -f "$1/build.json" ] && [ "$(erofs_sha "$1")" = "$(sha256sum <"$1/t.erofs" | cut -d' ' -f1)" ]
}
recipe good.yaml real
"$CCIMAGE" build good.yaml --out out2 --quiet 2>err.log
before=$(cd out2 && sha256sum -- * 2>/dev/null)
printf 'format: 1\nname: t\nfiles:\n  /x: {text: "changed", mode: 0644}\nmeasurement:\n  tee: [tdx]\n  firmware: /nonexistent\n' >fail.yaml
"$CCIMAGE" lock fail.yaml --quiet
expect "case 2: a build failing at its last step says why" 3 "measurement: a launch measurement needs the recipe's kernel" \
	"$CCIMAGE" build fail.yaml --out out2 --quiet
if [ "$(cd out2 && sha256sum -- * 2>/dev/null)" = "$before" ] && good_output out2 && [ ! -e out2/measurement-tdx.json ]; then
	ok "case 2: the failed build left the previous output as it was (no 0-byte measurement-tdx.json)"
else
	nok "case 2: the failed build changed the previous output: $(ls out2 | tr '\n' ' ')"
fi
expect "case 2: the same failure into a new directory" 3 "measurement" "$CCIMAGE" build fail.yaml --out out3 --quiet
if [ ! -e out3 ] && ! ls -a | grep -q partial; then ok "case 2: nothing left of a failed build"; else
	nok "case 2: a failed build left $(ls -a | grep -E 'out3|partial' | tr '\n' ' ')"
fi

# Killed between steps: mkfs.erofs writes the erofs, then kills the build (kill -9) before
# the verity tree, the disk and build.json exist.
mkdir fakebin
cat >fakebin/mkfs.erofs <<EOF
#!/bin/sh
$(command -v mkfs.erofs) "\$@" && kill -9 \$PPID
EOF
chmod +x fakebin/mkfs.erofs
recipe killed.yaml link ", follow: true"
# (The braces take the shell's own "Killed" notice too.)
rc=$({ PATH=$work/fakebin:$PATH "$CCIMAGE" build killed.yaml --out out2 --quiet; echo $?; } 2>/dev/null)
{ PATH=$work/fakebin:$PATH "$CCIMAGE" build killed.yaml --out out4 --quiet; } 2>/dev/null
if [ $rc -eq 137 ] && [ "$(cd out2 && sha256sum -- * 2>/dev/null)" = "$before" ] && good_output out2 && [ ! -e out4 ]; then
	ok "case 2: a build killed after mkfs.erofs left the previous output whole, and none where there was none"
else
	nok "case 2: killed build (exit $rc): out2 $(ls out2 | tr '\n' ' '); out4 $(ls out4 2>&1 | tr '\n' ' ')"
fi
# What a kill leaves is the hidden directory it was writing, which no reader takes for an output.
ls -d .out2.partial-* .out4.partial-* >/dev/null 2>&1 && rm -rf .out2.partial-* .out4.partial-*
"$CCIMAGE" build killed.yaml --out out2 --quiet 2>err.log
if good_output out2 && [ "$(cd out2 && sha256sum -- * 2>/dev/null)" != "$before" ]; then
	ok "case 2: a rebuild into the same directory replaces it whole"
else
	nok "case 2: rebuild: $(cat err.log)"
fi
mkdir -p mine && touch mine/notes
expect "case 2: an output directory that is not a previous output is not replaced" 3 "refusing to replace it" \
	"$CCIMAGE" build good.yaml --out mine --quiet
[ -f mine/notes ] || nok "case 2: the refused directory lost its file"

# ccimage image and mkosi tree: a failure leaves no partial output.
mkdir -p root/etc root/dev
echo hi >root/etc/hostname
mkfifo root/etc/fifo
expect "case 6: image --root refuses a FIFO outside /dev, naming it" 3 "root: /etc/fifo: a device node, FIFO or socket" \
	"$CCIMAGE" image --root root --out img
if [ ! -e img ] && ! ls -a | grep -q partial; then ok "case 2: a failed ccimage image leaves no output"; else
	nok "case 2: ccimage image left $(ls -a | grep -E 'img|partial' | tr '\n' ' ')"
fi
rm root/etc/fifo
if [ "$(id -u)" = 0 ]; then
	mknod root/etc/null c 1 3
	mknod root/dev/null c 1 3
	expect "case 6: image --root refuses /etc/null c 1 3" 3 "root: /etc/null: a device node" \
		"$CCIMAGE" image --root root --out img
	rm root/etc/null
	expect "case 6: a device node under /dev is kept" 0 "" "$CCIMAGE" image --root root --out img
	rm root/dev/null
else
	skip "case 6: device nodes" "mknod needs root"
fi
printf '#!/bin/sh\necho "<E> erofs: something about /etc/hostname" >&2\nexit 1\n' >fakebin/failing-mkfs
chmod +x fakebin/failing-mkfs
rm -rf img
expect "case 7: a failing mkfs.erofs is reported with what it said" 3 "it said: <E> erofs: something about /etc/hostname" \
	"$CCIMAGE" image --root root --out img --mkfs-erofs "$work/fakebin/failing-mkfs"
if [ ! -e img ]; then ok "case 2: nothing left by the failed mkfs.erofs"; else nok "case 2: img left: $(ls img)"; fi
long=$(printf 'n%.0s' $(seq 255))
mkdir root/d && touch "root/d/$long"
expect "case 7: a 255-byte name is named before mkfs.erofs fails on it" 3 "root: /d/n*: a name of 255 bytes" \
	"$CCIMAGE" image --root root --out img
rm -r root/d
mkdir -p tree/etc tree/var
echo x >tree/etc/a
mkfifo tree/var/fifo
expect "case 2: mkosi tree refuses a FIFO" 3 "/var/fifo" "$CCIMAGE" mkosi tree tree --out mk --quiet
rm tree/var/fifo
expect "case 2: and leaves nothing, so the rerun succeeds" 0 "" "$CCIMAGE" mkosi tree tree --out mk --quiet

# Case 3: nesting is bounded, refused at once with its position.
python3 -c 'import sys; sys.stdout.write("format: 1\nname: t\nx: " + "[" * 200000 + "]" * 200000 + "\n")' >deep.yaml
start=$(date +%s)
expect "case 3: 200 KB of nested [ refused with file:line" 3 "deep.yaml:3:[0-9]*: nested too deeply" \
	"$CCIMAGE" lock deep.yaml --quiet
[ $(($(date +%s) - start)) -le 5 ] || nok "case 3: the refusal took $(($(date +%s) - start)) s"

# Case 5 and 7: sizes from stat(), before reading; bad input is exit 3.
truncate -s 4G big.initrd
start=$(date +%s)
expect "case 5: a 4 GiB TDX initrd is refused from its size, unread" 3 "big.initrd: 4294967296 bytes, more than the 4294967295 allowed" \
	"$CCIMAGE" measure --mode tdx --ovmf real --kernel real --initrd big.initrd --append x
[ $(($(date +%s) - start)) -le 5 ] || nok "case 5: the refusal took $(($(date +%s) - start)) s"
{ cat good.yaml; echo "# padding"; } >huge.yaml
truncate -s 17M huge.yaml
expect "case 7: an oversized recipe is bad input (exit 3)" 3 "huge.yaml: not a readable recipe (17825792 bytes, more than the 16777216 allowed)" \
	"$CCIMAGE" build huge.yaml --out o5 --quiet

# Case 7: verity verify tells its refusals apart.
head -c 1048576 /dev/zero >vd
"$CCIMAGE" verity format --no-superblock --salt=00 vd vh >vf.out
root=$(awk '/^Root hash/ {print $3}' vf.out)
expect "case 7: verity verify: a root hash of the wrong length" 3 "the root hash is 33 bytes; a sha256 digest is 32" \
	"$CCIMAGE" verity verify --no-superblock --salt=00 vd vh "${root}00"
expect "case 7: verity verify: an unknown hash" 2 "unknown hash 'nosuch'" \
	"$CCIMAGE" verity verify --no-superblock --salt=00 --hash=nosuch vd vh "$root"
expect "case 7: verity verify: a bad device" 3 "/dev/null (the data device): neither a regular file nor a block device" \
	"$CCIMAGE" verity verify --no-superblock --salt=00 /dev/null vh "$root"
expect "case 7: verity verify still accepts the good tree" 0 "" \
	"$CCIMAGE" verity verify --no-superblock --salt=00 vd vh "$root"

# Case 4: numbers on the command line are held to the range recipes allow.
ovmf=$repo/tests/fixtures/sev-snp/ovmf_AmdSev_suffix.bin
for v in -1 0 513; do
	expect "case 4: measure --vcpus $v is a usage error naming the range" 2 "\-\-vcpus '$v': not 1..512" \
		"$CCIMAGE" measure --mode snp --vcpu-type EPYC-v4 --ovmf "$ovmf" --vcpus "$v"
	[ ! -s out.log ] || nok "case 4: --vcpus $v still printed a digest"
done
expect "case 4: measure --vcpus 512 is measured" 0 "" \
	"$CCIMAGE" measure --mode snp --vcpu-type EPYC-v4 --ovmf "$ovmf" --vcpus 512

finish
