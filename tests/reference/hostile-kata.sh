#!/bin/bash
# ccimage's Kata commands under hostile or broken input (issue 24): `kata
# cmdline`, `kata initdata` and `build --kata-config` given documents nested
# deep enough to overflow the TOML parser's stack, NULs raw and escaped in
# the strings that decide dm-verity and the root's type, a verity file whose
# line is not the first, paths that are not regular files (a FIFO with no
# writer is refused at once, never waited on), numbers that wrapped, and
# initdata values that are not strings. Each is refused naming the file and
# line or the option: exit 3 for bad input, 2 for a bad option value.
. "$(dirname "$0")/../lib/tap.sh"
F=$ROOT/tests/fixtures/kata

need "$CCIMAGE"
workdir
cd "$work" || exit 1

# deep PREFIX PART SUFFIX: PART 150000 times between them (about 300 KB, under every cap).
deep() {
	printf '%s' "$1"
	yes -- "$2" | head -n 150000 | tr -d '\n'
	printf '%s\n' "$3"
}

# A configuration the derivation accepts, and Kata's verity line for it.
conf() {
	printf '[hypervisor.qemu]\nimage = "/k.img"\ndefault_maxvcpus = 1\n'
	[ $# -eq 0 ] || printf '%s\n' "$@"
}
conf >good.toml
rh=768cd7e848f6cb7eb4f59467b26ee5c5e45ece570cb96a5c952d97dbc89bb150
salt=63f8dacc786bd19f307be8668c7792a8fe07818df4aae55b63e76c4931d35c76
vline="root_hash=$rh,salt=$salt,data_blocks=96512,data_block_size=4096,hash_block_size=4096"
printf '%s\n' "$vline" >verity
initdata() {
	printf 'version = "0.1.0"\nalgorithm = "sha256"\n[data]\n'
	printf '%s\n' "$@"
}

mkfifo fifo
mkdir dir
truncate -s 5M big
deep 'a' '.a' ' = 1' >key.toml
deep 'x = 1
[a' '.a' ']' >header.toml
deep '[hypervisor]
x = ' '[' '' >arrays.toml

# 1: nesting that overflowed toml++'s stack (SIGSEGV), refused before the parser sees it.
for f in key:1:"a dotted key" header:2:"a dotted header" arrays:2:"arrays in arrays"; do
	IFS=: read -r file line what <<<"$f"
	expect "kata cmdline: $what 150000 deep is refused at its line" 3 \
		"$file.toml:$line: tables, dotted keys and arrays nested more than 32 deep" \
		"$CCIMAGE" kata cmdline --config "$file.toml"
	expect "kata initdata: $what 150000 deep is refused at its line" 3 \
		"$file.toml:$line: tables, dotted keys" "$CCIMAGE" kata initdata "$file.toml"
done
expect "kata cmdline: a deep document on standard input is refused too" 3 \
	"-:1: tables, dotted keys" bash -c "'$CCIMAGE' kata cmdline --config - <key.toml"

# 2: what C would cut at a NUL: dm-verity dropped, the root's type read as ext4, the algorithm.
conf 'kernel_verity_params = "\u0000'"$vline"'"' >nulverity.toml
conf 'rootfs_type = "ext4\u0000x"' >nultype.toml
printf 'version = "0.1.0"\nalgorithm = "sha256\\u0000x"\n[data]\n' >nulalg.toml
expect "kata cmdline: kernel_verity_params holding an escaped NUL is refused, named" 3 \
	"nulverity.toml:4: hypervisor.qemu.kernel_verity_params must be a string without NUL" \
	"$CCIMAGE" kata cmdline --config nulverity.toml
expect "kata cmdline: rootfs_type holding an escaped NUL is refused, named" 3 \
	"nultype.toml:4: hypervisor.qemu.rootfs_type must be a string without NUL" \
	"$CCIMAGE" kata cmdline --config nultype.toml
expect "kata initdata: an algorithm holding an escaped NUL is refused, named" 3 \
	"nulalg.toml:2: algorithm must be a string without NUL" "$CCIMAGE" kata initdata nulalg.toml
{ conf; printf 'kernel_params = "a\0b"\n'; } >rawnul.toml
expect "kata cmdline: a raw NUL byte in the configuration is refused" 3 \
	"rawnul.toml: a NUL byte at offset" "$CCIMAGE" kata cmdline --config rawnul.toml
printf '%s\0\n' "$vline" >verity.nul
expect "kata cmdline: a raw NUL byte in --verity-params is refused" 3 \
	"--verity-params verity.nul: a NUL byte at offset" \
	"$CCIMAGE" kata cmdline --config good.toml --verity-params verity.nul

# 2: Kata's verity line is one line; an empty first line left the command line without dm-verity.
printf '\n%s\n' "$vline" >verity.late
printf '%s\n%s\n' "$vline" "$vline" >verity.two
: >verity.empty
expect "kata cmdline: --verity-params whose first line is empty is refused" 3 \
	"--verity-params verity.late: the first line is empty" \
	"$CCIMAGE" kata cmdline --config good.toml --verity-params verity.late
expect "kata cmdline: an empty --verity-params is refused" 3 \
	"--verity-params verity.empty: the first line is empty" \
	"$CCIMAGE" kata cmdline --config good.toml --verity-params verity.empty
expect "kata cmdline: --verity-params with two lines is refused" 3 \
	"--verity-params verity.two: more than one line" \
	"$CCIMAGE" kata cmdline --config good.toml --verity-params verity.two
printf '%s\r\n\n' "$vline" >verity.crlf
expect "kata cmdline: one line, ended by CRLF and a blank line, gives dm-verity" 0 "" \
	"$CCIMAGE" kata cmdline --config good.toml --verity-params verity.crlf
check "kata cmdline: ... and the line has dm-mod.create" "grep -q 'dm-mod.create=.*$rh' out.log"

# 3, 4: paths that are not a bounded regular file, each named; a FIFO is never waited on.
for p in dir:"a directory, not a regular file" fifo:"a FIFO, not a regular file" \
	big:"5242880 bytes, more than the 4194304 allowed" /dev/zero:"a character device"; do
	path=${p%%:*} says=${p#*:}
	expect "kata cmdline: --config $path is refused with exit 3" 3 "$path: $says" \
		"$CCIMAGE" kata cmdline --config "$path"
	expect "kata cmdline: --verity-params $path is refused with exit 3" 3 \
		"--verity-params $path: ${says/4194304/4096}" \
		"$CCIMAGE" kata cmdline --config good.toml --verity-params "$path"
	expect "kata initdata: $path is refused with exit 3" 3 "$path: ${says/4194304/1048576}" \
		"$CCIMAGE" kata initdata "$path"
done
expect "kata cmdline: a missing --config is exit 3" 3 "nosuch.toml: No such file" \
	"$CCIMAGE" kata cmdline --config nosuch.toml
expect "kata cmdline: an oversized stream on standard input is exit 3" 3 \
	"-: more than the 4194304 bytes allowed" \
	bash -c "yes 'x = 1' | head -c 5M | '$CCIMAGE' kata cmdline --config -"

# 3: numbers are digits, checked as they grow: 4294967300.1.0 was read as 4.1.0.
for v in 4294967300.1.0 4.4294967297.0 +4.1.0 4.1.0x 4.1; do
	expect "kata cmdline: --kata-version $v is a bad option value (exit 2)" 2 \
		"--kata-version '$v': not a release A.B.C" \
		"$CCIMAGE" kata cmdline --config good.toml --kata-version "$v"
done
expect "kata cmdline: a release the derivation does not know is a bad option value" 2 \
	"--kata-version: Kata 3.28.0" "$CCIMAGE" kata cmdline --config good.toml --kata-version 3.28.0
expect "kata cmdline: --kata-version 3.31.0 is read as it is" 0 "" \
	"$CCIMAGE" kata cmdline --config good.toml --kata-version 3.31.0
check "kata cmdline: ... 3.31.0 gives nr_cpus as before 3.32" "grep -q nr_cpus=1 out.log"

# 3: Kata's [data] maps file names to contents: a value of another type is refused, named.
initdata '"policy.rego" = 3' >data-int.toml
initdata 'x = "a"' 'y = ["b"]' >data-array.toml
initdata '"policy.rego" = """' 'package agent_policy' '"""' >data-good.toml
expect "kata initdata: a [data] integer is refused, naming the key" 3 \
	"data-int.toml:4: data.policy.rego must be a string" "$CCIMAGE" kata initdata data-int.toml
expect "kata initdata: a [data] array is refused, naming the key" 3 \
	"data-array.toml:5: data.y must be a string" "$CCIMAGE" kata initdata data-array.toml
expect "kata initdata: Kata's own document is still read" 0 "" \
	"$CCIMAGE" kata initdata data-good.toml

# build --kata-config reads the configuration the same way, before any step runs (a package-less
# recipe builds offline).
if ! command -v mkfs.erofs >/dev/null; then
	skip "build --kata-config under hostile input" "mkfs.erofs not installed"
	finish
fi
echo real >real
printf 'format: 1\nname: t\nfiles:\n  /x: {source: real, mode: 0644}\n' >z.yaml
"$CCIMAGE" lock z.yaml --quiet
for p in key.toml:"key.toml:1: tables, dotted keys" nultype.toml:"nultype.toml:4: hypervisor.qemu.rootfs_type must" \
	dir:"dir: a directory, not a regular file" fifo:"fifo: a FIFO, not a regular file"; do
	expect "build --kata-config ${p%%:*} is refused with exit 3, naming it" 3 \
		"ccimage build: ${p#*:}" "$CCIMAGE" build z.yaml --out oz --kata-config "${p%%:*}"
	check "build --kata-config ${p%%:*}: refused before the first step" '! grep -q "\[1/" err.log'
done

finish
