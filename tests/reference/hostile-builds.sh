#!/bin/bash
# The host builds under hostile or broken input (issue 24): `ccimage modules
# build`, `kernel build` and `firmware build` refuse, before any fetch or
# build, an output that is not theirs to replace (a directory of the user's
# files, a tree inside the kernel root it copies), inputs that would hang
# them (devices, FIFOs), a signing key that is not a key and its certificate,
# and option values that are wrong; exit 3 naming the option, 4 only for what
# input cannot cause. Everything happens in a scratch directory, with the
# cache there and the archives a file: URL that does not exist (apt fails at
# once: what passes every check ends there, exit 4), or, for the network
# failure, a port nothing answers on. No test needs the network.
. "$(dirname "$0")/../lib/tap.sh"

need "$CCIMAGE"
workdir
cd "$work" || exit 1
export CCINIT_CACHE=$work/cache
nowhere=(--mirror file:///nonexistent --security-mirror file:///nonexistent)
unreachable=(--mirror http://127.0.0.1:9/debian --security-mirror http://127.0.0.1:9/debian-security)

modules=("$CCIMAGE" modules build --quiet "${nowhere[@]}")
# The fragments of a scratch --dir (a later --dir wins), so no test reads kernel-configs/.
kernel=("$CCIMAGE" kernel build --quiet "${nowhere[@]}" --dir "$work/frags")
firmware=("$CCIMAGE" firmware build --quiet "${nowhere[@]}")

# A kernel root as an extracted kernel package has it, and a directory of the user's.
mkdir -p kroot/lib/modules/6.1.0-t/kernel kroot/boot mine
echo kernel >kroot/boot/vmlinuz-6.1.0-t
echo "the user's own notes" >mine/notes.txt
echo file >afile
mkfifo fifo
mkdir frags && echo CONFIG_X=y >frags/a.conf

# Finding 1: --kernel-tree never removes what is not a previous tree of ours.
expect "--kernel-tree onto a directory of the user's files: exit 3, refused" 3 \
	"--kernel-tree mine: exists, is not empty and is not a previous --kernel-tree" \
	"${modules[@]}" --kernel-root kroot --kernel-tree mine
check "--kernel-tree: the user's files are still there" '[ -f mine/notes.txt ]'
expect "--kernel-tree inside --kernel-root: exit 3, refused" 3 "is in .*kroot: the tree is written beside" \
	"${modules[@]}" --kernel-root kroot --kernel-tree kroot/lib/out
expect "--kernel-tree equal to --kernel-root: exit 3" 3 "--kernel-tree kroot/: .* is in " \
	"${modules[@]}" --kernel-root kroot --kernel-tree kroot/
mkdir -p outer/kr/lib/modules/6.1.0-t
expect "--kernel-tree holding --kernel-root: exit 3" 3 "--kernel-tree outer: .* holds " \
	"${modules[@]}" --kernel-root outer/kr --kernel-tree outer
check "--kernel-tree in the root: the root got no copy of itself" \
	'[ "$(ls kroot/lib)" = modules ] && [ ! -e kroot/lib/out ] && [ ! -e kroot/lib/out.tmp ]'
expect "--kernel-tree naming a file: exit 3" 3 "--kernel-tree afile: exists and is not a directory" \
	"${modules[@]}" --kernel-root kroot --kernel-tree afile
# A previous tree (it has the marker) passes every check: the next step is the fetch.
mkdir prev && touch prev/.ccimage-kernel-tree prev/old
expect "--kernel-tree over a previous tree passes the checks (then apt fails, exit 4)" 4 \
	"apt-get update of the archives failed" "${modules[@]}" --kernel-root kroot --kernel-tree prev

# Finding 2: inputs that would hang the build are refused, never read or waited on.
expect "--signing-key /dev/zero: exit 3, not hashed for ever" 3 \
	"--signing-key /dev/zero: a character device, not a regular file" "${kernel[@]}" --signing-key /dev/zero
expect "--signing-key a FIFO: exit 3, not waited on" 3 "--signing-key fifo: a FIFO, not a regular file" \
	"${kernel[@]}" --signing-key fifo
mkdir frags2 && echo CONFIG_X=y >frags2/a.conf && mkfifo frags2/b.conf
expect "a kconfig fragment that is a FIFO: exit 3, not waited on" 3 \
	"b.conf: a FIFO, not a regular file" "${kernel[@]}" --dir frags2
expect "--keyring a FIFO: exit 3, not waited on" 3 "--keyring fifo: a FIFO, not a regular file" \
	"${modules[@]}" --kver 6.1.0-t --keyring fifo
expect "--keyring /dev/zero: exit 3" 3 "--keyring /dev/zero: a character device" \
	"${modules[@]}" --kver 6.1.0-t --keyring /dev/zero

# Finding 3: keys and outputs checked before a build of minutes.
if command -v openssl >/dev/null; then
	for i in 1 2; do
		openssl req -new -x509 -newkey rsa:2048 -nodes -subj /CN=t$i -days 1 \
			-keyout k$i.pem -out c$i.pem 2>/dev/null
	done
	cat k1.pem c1.pem >good.pem
	cat k1.pem c2.pem >mixed.pem
	expect "--signing-key with no certificate: exit 3" 3 "--signing-key k1.pem: no PEM certificate" \
		"${kernel[@]}" --signing-key k1.pem
	expect "--signing-key with no private key: exit 3" 3 "--signing-key c1.pem: no unencrypted PEM private key" \
		"${kernel[@]}" --signing-key c1.pem
	expect "--signing-key whose certificate is another key's: exit 3" 3 \
		"--signing-key mixed.pem: the certificate's public key is not the private key's" \
		"${kernel[@]}" --signing-key mixed.pem
	expect "--signing-key, a key and its certificate, passes (then apt fails, exit 4)" 4 \
		"apt-get update of the archives failed" "${kernel[@]}" --signing-key good.pem
else
	skip "--signing-key as a PEM pair" "openssl not installed"
fi
expect "--signing-key of a missing file: exit 3 naming it" 3 "--signing-key none.pem: No such file" \
	"${kernel[@]}" --signing-key none.pem
expect "--keep-key into a missing directory: exit 3" 3 "--keep-key nodir/k.pem: its directory nodir" \
	"${kernel[@]}" --keep-key nodir/k.pem
: >exists.pem
expect "--keep-key onto an existing file: exit 3, never overwritten" 3 "--keep-key exists.pem: exists" \
	"${kernel[@]}" --keep-key exists.pem
expect "--keep-key onto a device: exit 3" 3 "--keep-key /dev/null: a character device" \
	"${kernel[@]}" --keep-key /dev/null
expect "--dir naming a file: exit 3" 3 "--dir afile: not a directory" "${kernel[@]}" --dir afile
expect "--install onto a file: exit 3 before the build" 3 "--install afile: not a directory" \
	"${modules[@]}" --kver 6.1.0-t --install afile
expect "--install into a missing directory: exit 3" 3 "--install nodir: No such file" \
	"${modules[@]}" --kver 6.1.0-t --install nodir

# Finding 4: exit codes and words. --cache and --source-version are input (3), the network is 4.
for cmd in modules kernel firmware; do
	case $cmd in
	modules) args=("${modules[@]}" --kver 6.1.0-t) ;;
	kernel) args=("${kernel[@]}") ;;
	firmware) args=("${firmware[@]}") ;;
	esac
	expect "$cmd build --cache naming a file: exit 3 naming --cache" 3 \
		"--cache afile: not a directory" "${args[@]}" --cache afile
	expect "$cmd build --cache under a file: exit 3 naming --cache" 3 \
		"--cache afile/sub: a component of the path is not a directory" "${args[@]}" --cache afile/sub
	expect "$cmd build --source-version that is no version: exit 3" 3 \
		"--source-version x;y: not a Debian version" "${args[@]}" --source-version "x;y"
	expect "$cmd build with the archives unreachable: exit 4, a network failure, not 'no such package'" 4 \
		"a network failure, the archives could not be reached" "${args[@]}" "${unreachable[@]}"
done
expect "modules build --headers-version that is no version: exit 3" 3 \
	"--headers-version ../x: not a Debian version" "${modules[@]}" --kver 6.1.0-t --headers-version ../x
expect "kernel build --nvidia-version that is no version: exit 3" 3 \
	"--nvidia-version latest: not a Debian version" "${kernel[@]}" --nvidia-version latest
check "no test wrote outside the scratch directory's cache" '[ ! -e kroot/lib/modules/6.1.0-t/updates ]'
finish
