#!/bin/bash
# The newer ccimage commands under hostile input (issue 24), for the rules
# every command shares (init/base/cmdfiles.h): an output never replaces a
# device node, a FIFO, an input or another output; an input that is a FIFO
# with no writer, a device or a directory is refused at once (exit 3,
# naming it), never waited on or read forever; a prediction or a lock check
# that would compare nothing says so instead of passing. Everything happens
# in a scratch directory: the device node is one made there.
. "$(dirname "$0")/../lib/tap.sh"
repo=$PWD
need "$CCIMAGE"
workdir
cd "$work" || exit 1

# still NAME TYPE PATH: PATH is still of TYPE (test(1) letter: p FIFO, c character device, f file).
still() {
	if [ -"$2" "$3" ] && [ ! -L "$3" ]; then ok "$1"; else nok "$1: $3 is now $(stat -c %F "$3" 2>&1)"; fi
}

mkfifo fifo
mkdir dir
ovmf=$repo/tests/fixtures/sev-snp/ovmf_AmdSev_suffix.bin
cp "$ovmf" ovmf.bin
cp ovmf.bin ovmf.orig
snp=(measure --mode snp --vcpu-type EPYC-v4 --vcpus 1)

# Finding 3: an output option given a device node or a FIFO never replaces it.
if [ "$(id -u)" = 0 ] && mknod full c 1 7 2>/dev/null; then
	expect "3: gpu rvps --rvps onto a device node is refused, naming it" 3 \
		"\-\-rvps full: a character device, which an output never replaces" \
		"$CCIMAGE" gpu rvps --driver-version 570.172.08 --rvps full
	still "3: the device node is still a device node" c full
	expect "3: measure --rvps onto a device node is refused" 3 "a character device" \
		"$CCIMAGE" "${snp[@]}" --ovmf ovmf.bin --rvps full
	still "3: ... and is still one" c full
else
	skip "3: device nodes" "mknod needs root"
fi
expect "3: gpu rvps --rvps onto a FIFO is refused" 3 "\-\-rvps fifo: a FIFO, which an output never replaces" \
	"$CCIMAGE" gpu rvps --driver-version 570.172.08 --rvps fifo
still "3: the FIFO is still a FIFO" p fifo
expect "3: measure --mode tdx --rvps onto a FIFO is refused" 3 "\-\-rvps fifo: a FIFO" \
	"$CCIMAGE" measure --mode tdx --ovmf ovmf.bin --rvps fifo
ln -s ovmf.bin link
expect "3: an output that is a symlink is not written through" 3 "\-\-rvps link: a symlink" \
	"$CCIMAGE" gpu rvps --driver-version 570.172.08 --rvps link
expect "3: an output into a missing directory is refused before any work" 3 "its directory nodir" \
	"$CCIMAGE" gpu rvps --driver-version 570.172.08 --rvps nodir/rvps.json
expect "4: measure --rvps naming its own --ovmf is refused" 3 "\-\-rvps ./ovmf.bin: the same file as \-\-ovmf" \
	"$CCIMAGE" "${snp[@]}" --ovmf ovmf.bin --rvps ./ovmf.bin
if cmp -s ovmf.bin ovmf.orig; then ok "4: ... and the firmware is untouched"; else nok "4: the firmware was overwritten"; fi
ln ovmf.bin hardlink
expect "4: ... under another name (a hard link) too" 3 "the same file as \-\-ovmf" \
	"$CCIMAGE" "${snp[@]}" --ovmf ovmf.bin --rvps hardlink
expect "3: the good case still writes its message" 0 "" \
	"$CCIMAGE" gpu rvps --driver-version 570.172.08 --rvps rvps.json
grep -q '"type": *"sample"\|"type":"sample"' rvps.json && ok "3: rvps.json is an RVPS message" ||
	nok "3: rvps.json: $(head -c 200 rvps.json)"

# gpu rtmr3's two outputs, --eventlog and --values, under the same rule.
pair=0000:41:00.0=$(printf 'ab%.0s' $(seq 48))
for opt in --eventlog --values; do
	expect "3: gpu rtmr3 $opt onto a FIFO is refused" 3 "\\$opt fifo: a FIFO, which an output never replaces" \
		"$CCIMAGE" gpu rtmr3 "$opt" fifo "$pair"
	expect "3: gpu rtmr3 $opt onto a directory is refused" 3 "\\$opt dir: a directory" \
		"$CCIMAGE" gpu rtmr3 "$opt" dir "$pair"
done
still "3: the FIFO is still a FIFO after gpu rtmr3" p fifo
expect "3: gpu rtmr3 --values naming its --eventlog is refused" 3 \
	"\-\-values ./log.bin: the same file as \-\-eventlog" \
	"$CCIMAGE" gpu rtmr3 --eventlog log.bin --values ./log.bin "$pair"
[ ! -e log.bin ] && ok "3: ... and neither is written" || nok "3: log.bin was written"

# Finding 6: inputs that would hang or never end are refused at once, naming the file.
mkfifo in.fifo
for input in in.fifo /dev/zero dir; do
	expect "6: measure --ovmf $input is refused at once (exit 3)" 3 "Error: $input: " \
		"$CCIMAGE" "${snp[@]}" --ovmf "$input"
	expect "6: measure --kernel $input is refused at once" 3 "Error: $input: " \
		"$CCIMAGE" "${snp[@]}" --ovmf ovmf.bin --kernel "$input" --append x
	expect "6: measure --mode tdx --ovmf $input is refused at once" 3 "$input: " \
		"$CCIMAGE" measure --mode tdx --ovmf "$input"
	expect "6: eventlog replay $input is refused at once" 3 "$input: " \
		"$CCIMAGE" eventlog replay "$input"
	expect "6: kconfig check $input is refused at once" 3 "$input: " \
		"$CCIMAGE" kconfig check --dir "$repo/kernel-configs" "$input"
done
expect "6: the FIFO's refusal says what it is" 3 "in.fifo: a FIFO, not a regular file" \
	"$CCIMAGE" eventlog replay in.fifo
expect "6: eventlog diff with a FIFO as its prediction" 3 "in.fifo: a FIFO, not a regular file" \
	"$CCIMAGE" eventlog diff "$repo/tests/fixtures/ccel/CCEL_data_ovmf" in.fifo
expect "6: a shell's stream is still read (kconfig check <(...))" 1 "" \
	"$CCIMAGE" kconfig check --dir "$repo/kernel-configs" <(echo "CONFIG_X=y")
printf 'format: 1\nname: t\nfiles:\n  /x: {text: "x", mode: 0644}\n' >t.yaml
expect "6: a recipe that is a FIFO is refused" 3 "in.fifo: not a readable recipe (a FIFO, not a regular file)" \
	"$CCIMAGE" lock in.fifo
expect "6: build --lock FIFO is refused, not waited on" 3 "in.fifo: a FIFO, not a regular file" \
	"$CCIMAGE" build t.yaml --lock in.fifo --out o
cp t.yaml g.yaml
mkfifo g.yaml.lock
expect "6: gpu rvps RECIPE whose lock is a FIFO" 3 "g.yaml.lock: a FIFO, not a regular file" \
	"$CCIMAGE" gpu rvps g.yaml

# Finding 5: what compares nothing does not pass.
echo '{"note": "no registers"}' >none.json
expect "5: eventlog diff with a prediction that names no register fails (exit 3)" 3 "names no register" \
	"$CCIMAGE" eventlog diff "$repo/tests/fixtures/ccel/CCEL_data_ovmf" none.json
"$CCIMAGE" lock t.yaml --quiet
expect "5: lock --check of a package-less recipe reads its lock" 0 "" "$CCIMAGE" lock t.yaml --check
grep -q "t.yaml.lock: current (0 pins)" out.log && ok "5: ... and says it is current from the lock" ||
	nok "5: lock --check said: $(cat out.log)"
sed -i 's/^recipe t$/recipe other/' t.yaml.lock
expect "5: lock --check of a package-less recipe finds a lock of another recipe stale" 1 "" \
	"$CCIMAGE" lock t.yaml --check
expect "5: lock --check of a package-less recipe without its lock fails (exit 3)" 3 "no.lock: No such file" \
	"$CCIMAGE" lock t.yaml --check --lock no.lock
expect "4: lock --output naming the recipe is refused" 3 "\-\-output t.yaml: the same file as RECIPE" \
	"$CCIMAGE" lock t.yaml --output t.yaml
grep -q "^format: 1" t.yaml && ok "4: ... and the recipe is untouched" || nok "4: the recipe was overwritten"
expect "3: lock --output onto a FIFO is refused" 3 "\-\-output fifo: a FIFO" \
	"$CCIMAGE" lock t.yaml --output fifo

# ccimage initramfs: its list is an input, its archive an output under the same rules.
echo "dir /etc 0755" >list.txt
expect "6: initramfs --list FIFO is refused at once" 3 "in.fifo: a FIFO, not a regular file" \
	"$CCIMAGE" initramfs --list in.fifo --output i.cpio
expect "3: initramfs --output onto a FIFO is refused" 3 "\-\-output fifo: a FIFO" \
	"$CCIMAGE" initramfs --list list.txt --output fifo
expect "4: initramfs --output naming its list is refused" 3 "\-\-output list.txt: the same file as \-\-list" \
	"$CCIMAGE" initramfs --list list.txt --output list.txt
expect "3: initramfs writes its archive when all is well" 0 "" \
	"$CCIMAGE" initramfs --list list.txt --output i.cpio
if [ -s i.cpio ] && [ -z "$(ls -A | grep '^\.i\.cpio')" ]; then ok "3: ... whole, with no temporary left"; else
	nok "3: initramfs left $(ls -A | tr '\n' ' ')"
fi

finish
