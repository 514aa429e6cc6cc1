#!/bin/bash
# `ccimage snp id-block` under hostile or broken input (issue 24):
#  1. a key whose private half does not match its public half (the ID key or
#     the author key) is refused, exit 3 naming the file, and nothing is
#     written: its signatures would not verify and the PSP would refuse the
#     launch;
#  2. an output that is a key, the other output, a symlink, a directory, a
#     FIFO or in a missing directory is refused (exit 3 naming the option)
#     before anything is written; a key that is a FIFO or a directory is
#     refused at once (exit 3), never waited on;
#  3. a guest policy the SEV-SNP ABI forbids (bit 17 clear, a bit of 63:26
#     set) is refused as a usage error naming --policy and the bit (exit 2);
#     the bits the ABI defines, 25 included, are taken.
. "$(dirname "$0")/../lib/tap.sh"

need "$CCIMAGE"
workdir
cd "$work" || exit 1
ld=$(printf '%096d' 5)
if ! openssl ecparam -name secp384r1 -genkey -noout -out id.pem 2>/dev/null ||
	! openssl ecparam -name secp384r1 -genkey -noout -out other.pem 2>/dev/null; then
	nok "openssl could not make the test keys"
	finish
fi
# id.pem's private scalar with other.pem's public point: SEC 1 DER ends with the
# 97-byte uncompressed point, the same length for every P-384 key.
python3 - <<'EOF' || {
import base64
def der(p):
    return base64.b64decode("".join(l for l in open(p) if not l.startswith("-----")))
a, b = der("id.pem"), der("other.pem")
assert a[-97] == 4 and b[-97] == 4, "not an uncompressed point"
body = base64.encodebytes(a[:-97] + b[-97:]).decode()
open("mismatch.pem", "w").write("-----BEGIN EC PRIVATE KEY-----\n" + body + "-----END EC PRIVATE KEY-----\n")
EOF
	nok "python3 could not splice the mismatched key"
	finish
}

# idblock NAME CODE PATTERN ARGS...: `ccimage snp id-block ARGS` exits CODE and its stderr has PATTERN.
idblock() {
	local name=$1 code=$2 pattern=$3
	shift 3
	expect "$name" "$code" "$pattern" "$CCIMAGE" snp id-block --measurement "$ld" "$@"
}

# Case 1: keys checked as keys; nothing written when one is refused.
idblock "mismatched ID key: exit 3 naming it" 3 "mismatch.pem: .*does not match" \
	--id-key mismatch.pem --id-block-out b1 --id-auth-out a1
idblock "mismatched author key: exit 3 naming it" 3 "mismatch.pem: .*does not match" \
	--id-key id.pem --author-key mismatch.pem --id-block-out b1 --id-auth-out a1
check "mismatched keys: no output written" '[ ! -e b1 ] && [ ! -e a1 ]'
idblock "absent ID key: exit 3 naming it" 3 "absent.pem" --id-key absent.pem

# Case 2: outputs never a key or each other, never odd files; keys never waited on.
sum=$(sha256sum id.pem)
cp id.pem pristine.pem
idblock "--id-block-out is the ID key: exit 3" 3 "--id-block-out id.pem: the same file as --id-key" \
	--id-key id.pem --id-block-out id.pem
mkdir sub
idblock "--id-auth-out is the author key by another name: exit 3" 3 \
	"--id-auth-out sub/../id.pem: the same file as --author-key" \
	--id-key other.pem --author-key id.pem --id-auth-out sub/../id.pem
ln id.pem hard.pem
idblock "--id-auth-out is a hard link of the ID key: exit 3" 3 "the same file as --id-key" \
	--id-key id.pem --id-auth-out hard.pem
check_eq "the keys named as outputs are unchanged" "$(sha256sum id.pem)" "$sum"
cp pristine.pem id.pem # so that a failure above does not hide one below
idblock "--id-auth-out is --id-block-out: exit 3" 3 "--id-auth-out ./out: the same file as --id-block-out" \
	--id-key id.pem --id-block-out out --id-auth-out ./out
check "two outputs one file: nothing written" '[ ! -e out ]'
echo previous >block
idblock "--id-auth-out in a missing directory: exit 3" 3 "--id-auth-out none/auth" \
	--id-key id.pem --id-block-out block --id-auth-out none/auth
check "the refused run left the other output as it was" 'echo previous | cmp -s - block'
ln -s id.pem link
mkfifo fifo
idblock "--id-block-out a symlink: exit 3" 3 "--id-block-out link: a symlink" \
	--id-key id.pem --id-block-out link
idblock "--id-block-out a directory: exit 3" 3 "--id-block-out sub: a directory" \
	--id-key id.pem --id-block-out sub
idblock "--id-auth-out a FIFO: exit 3, not waited on" 3 "--id-auth-out fifo: a FIFO" \
	--id-key id.pem --id-auth-out fifo
idblock "--id-block-out -: exit 2" 2 "take a file" --id-key id.pem --id-block-out -
idblock "--id-key a FIFO: exit 3, not waited on" 3 "fifo: a FIFO" --id-key fifo
idblock "--author-key a directory: exit 3" 3 "sub: a directory" --keyless --author-key sub
if "$CCIMAGE" snp id-block --measurement "$ld" --id-key id.pem --id-block-out block \
	--id-auth-out auth >out.log 2>err.log && [ "$(stat -c %s block auth)" = "$(printf '96\n4096')" ] &&
	[ -z "$(find . -name '.*.??????')" ]; then
	ok "good outputs replace the previous ones, no temporary left"
else
	nok "good outputs replace the previous ones: $(cat err.log)"
fi

# Case 3: the guest policy (SEV-SNP ABI 1.58, Guest Policy Structure).
idblock "--policy with bit 17 clear: exit 2 naming it" 2 "--policy.*bit 17" \
	--keyless --policy 0x10000
idblock "--policy 0: exit 2" 2 "--policy.*bit 17" --keyless --policy 0
idblock "--policy with bit 26 set: exit 2 naming it" 2 "--policy.*bit 26" \
	--keyless --policy 0x4030000
idblock "--policy with bit 63 set: exit 2 naming it" 2 "--policy.*bit 63" \
	--keyless --policy 0x8000000000030000
for p in 0x30000 0x20000 0x3ff0000 0x31f05; do
	if "$CCIMAGE" snp id-block --measurement "$ld" --keyless --policy "$p" >out.log 2>err.log; then
		ok "--policy $p taken"
	else
		nok "--policy $p taken: $(cat err.log)"
	fi
done
finish
