#!/bin/bash
# Reference test: `ccimage snp id-block` against an independent reading of the
# SEV-SNP ABI's ID block and ID auth layouts (measurement/README.md, 13), done
# here with python3-cryptography and keys made by the openssl CLI:
#  1. the ID block bytes equal ones packed here from the inputs;
#  2. ID_BLOCK_SIG verifies under the PEM key's public key, whose ABI form is
#     at ID_KEY; the author signature verifies over ID_KEY; the printed digests
#     are SHA-384 of those key structures; base64 lines equal the files;
#  3. --keyless (contrast's form): the signature is r = 2, s = 1 and the ID key
#     is the one recovered here, in plain Python P-384 arithmetic, from that
#     signature and the block (SEC 1, 4.1.6; the smaller (x, y) of the two);
#  4. sev-snp-measure's published vector (tests/test_id_block.py) on its keys;
#  5. a malformed key, a P-256 key and an absent file are refused, naming the file;
#  6. with $SEV_SNP_MEASURE pointing at a sev-snp-measure checkout's
#     sev-snp-measure.py, its snp-create-id-block.py on random digests gives the
#     same ID block, key digests and ID auth bytes outside the (randomised)
#     signatures; without it that case is a skip.
. "$(dirname "$0")/../lib/tap.sh"
FIX=tests/fixtures/sev-snp

need "$CCIMAGE"
if ! python3 -c 'import cryptography' 2>/dev/null; then
	nok "python3-cryptography missing (tests/host-deps.sh installs it)"
	finish
fi
workdir
openssl ecparam -name secp384r1 -genkey -noout -out "$work/id.pem" 2>/dev/null &&
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out "$work/author.pem" 2>/dev/null &&
	openssl ecparam -name prime256v1 -genkey -noout -out "$work/p256.pem" 2>/dev/null ||
	{
		echo "not ok 1 - openssl could not make the test keys"
		exit 1
	}

# Checks one run: $1 the case directory (args, out, block, auth), $2 id key or "-", $3 author or "-".
verify() {
	python3 - "$@" <<'EOF'
import base64, hashlib, struct, sys
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, utils

d, id_pem, author_pem = sys.argv[1:4]
args = dict(a.split("=", 1) for a in open(d + "/args").read().split())
out = dict(l.split("=", 1) for l in open(d + "/out").read().split())
block, auth = open(d + "/block", "rb").read(), open(d + "/auth", "rb").read()
errs = []
def want(cond, what):
    if not cond:
        errs.append(what)

ld = bytes.fromhex(args["measurement"])
expect = struct.pack("<48s16s16sIIQ", ld, bytes.fromhex(args["family-id"]),
                     bytes.fromhex(args["image-id"]), 1, int(args["guest-svn"]),
                     int(args["policy"], 0))
want(block == expect, "ID block bytes")
want(len(auth) == 4096, "ID auth is 4096 bytes")
want(out["id-block"] == base64.b64encode(block).decode(), "id-block= is the file in base64")
want(out["id-auth"] == base64.b64encode(auth).decode(), "id-auth= is the file in base64")

def abi_pub(pub):
    n = pub.public_numbers()
    return struct.pack("<I", 2) + n.x.to_bytes(72, "little") + n.y.to_bytes(72, "little") + bytes(880)
def from_abi(b):
    want(b[:4] == struct.pack("<I", 2) and b[4 + 48:76] == bytes(24) and b[76 + 48:148] == bytes(24),
         "public key structure: curve 2, coordinates padded with zeros")
    x, y = int.from_bytes(b[4:76], "little"), int.from_bytes(b[76:148], "little")
    return ec.EllipticCurvePublicNumbers(x, y, ec.SECP384R1()).public_key()
def sig_ok(pub, sig, data):
    want(sig[144:512] == bytes(368), "signature tail is zero")
    r, s = int.from_bytes(sig[0:72], "little"), int.from_bytes(sig[72:144], "little")
    try:
        pub.verify(utils.encode_dss_signature(r, s), data, ec.ECDSA(hashes.SHA384()))
        return True
    except Exception:
        return False
# P-384 (FIPS 186-4 D.1.2.4), affine arithmetic.
P = 2**384 - 2**128 - 2**96 + 2**32 - 1
N = 0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973
B = 0xb3312fa7e23ee7e4988e056be3f82d19181d9c6efe8141120314088f5013875ac656398d8a2ed19d2a85c8edd3ec2aef
G = (0xaa87ca22be8b05378eb1c71ef320ad746e1d3b628ba79b9859f741e082542a385502f25dbf55296c3a545e3872760ab7,
     0x3617de4a96262c6f5d9e98bf9292dc29f8f41dbd289a147ce9da3113b5f0b8c00a60b1ce1d7e819d7a431d7c90ea0e5f)
def add(p, q):
    if p is None: return q
    if q is None: return p
    if p[0] == q[0] and (p[1] + q[1]) % P == 0: return None
    if p == q: l = 3 * (p[0] * p[0] - 1) * pow(2 * p[1], -1, P) % P
    else: l = (q[1] - p[1]) * pow(q[0] - p[0], -1, P) % P
    x = (l * l - p[0] - q[0]) % P
    return (x, (l * (p[0] - x) - p[1]) % P)
def mul(k, p):
    r = None
    while k:
        if k & 1: r = add(r, p)
        p, k = add(p, p), k >> 1
    return r
def recover(block):
    z = int.from_bytes(hashlib.sha384(block).digest(), "big")
    y = pow((8 - 6 + B) % P, (P + 1) // 4, P)  # R = (2, y): y^2 = x^3 - 3x + b
    rinv = pow(2, -1, N)
    cands = sorted(add(mul(-z * rinv % N, G), mul(rinv, R)) for R in ((2, y), (2, P - y)))
    x, yq = cands[0]
    return x.to_bytes(72, "little") + yq.to_bytes(72, "little")
def load(p):
    return serialization.load_pem_private_key(open(p, "rb").read(), None).public_key()

id_key = auth[0x240:0x644]
want(struct.unpack_from("<I", auth, 0)[0] == 1, "ID_KEY_ALGO is 1")
want(auth[8:0x40] == bytes(56) and auth[0x644:0x680] == bytes(60), "reserved fields are zero")
if id_pem != "-":
    want(id_key == abi_pub(load(id_pem)), "ID_KEY is the PEM key's public key")
else:
    want(auth[0x40:0x240] == (2).to_bytes(72, "little") + (1).to_bytes(72, "little") + bytes(368),
         "keyless signature is r = 2, s = 1")
    want(id_key[4:148] == recover(block), "keyless ID key is the one recovered from the block")
want(sig_ok(from_abi(id_key), auth[0x40:0x240], block), "ID_BLOCK_SIG verifies")
want(not sig_ok(from_abi(id_key), auth[0x40:0x240], block[:-1] + b"\x01"), "a changed block fails")
want(out["id-key-digest"] == hashlib.sha384(id_key).hexdigest(), "id-key-digest")
if author_pem != "-":
    author_key = auth[0x880:0xc84]
    want(struct.unpack_from("<I", auth, 4)[0] == 1, "AUTH_KEY_ALGO is 1")
    want(author_key == abi_pub(load(author_pem)), "AUTHOR_KEY is the PEM key's public key")
    want(sig_ok(from_abi(author_key), auth[0x680:0x880], id_key), "ID_KEY_SIG verifies")
    want(out["author-key-digest"] == hashlib.sha384(author_key).hexdigest(), "author-key-digest")
    want(out["author-key-enabled"] == "on", "author-key-enabled=on")
else:
    want(auth[4:8] == bytes(4) and auth[0x680:] == bytes(0x980), "no author: its fields are zero")
    want(out["author-key-enabled"] == "off" and "author-key-digest" not in out, "author-key-enabled=off")
want(auth[0xc84:] == bytes(0x37c), "reserved tail is zero")
if errs:
    print("; ".join(errs))
    sys.exit(1)
EOF
}

# Runs one case: $1 name, $2 id key ("-" for --keyless), $3 author key or "-".
run_case() {
	local d=$work/$n-case key=$2 author=$3 keyopt
	mkdir -p "$d"
	printf 'measurement=%s family-id=%s image-id=%s guest-svn=%s policy=%s\n' \
		"$(openssl rand -hex 48)" "$(openssl rand -hex 16)" "$(openssl rand -hex 16)" \
		$((RANDOM * RANDOM)) "$(printf '0x%x' $((0x30000 | (RANDOM & 0xff))))" >"$d/args"
	keyopt=(--id-key "$key")
	[ "$key" = - ] && keyopt=(--keyless)
	[ "$author" = - ] || keyopt+=(--author-key "$author")
	# shellcheck disable=SC2046 # the args file is words of NAME=VALUE
	if ! "$CCIMAGE" snp id-block $(sed 's/\([a-z-]*\)=/--\1 /g' "$d/args") "${keyopt[@]}" \
		--id-block-out "$d/block" --id-auth-out "$d/auth" >"$d/out" 2>"$d/err"; then
		nok "$1: ccimage failed: $(cat "$d/err")"
		return
	fi
	if msg=$(verify "$d" "$key" "$author"); then
		ok "$1"
	else
		nok "$1: $msg"
	fi
}

for i in 1 2 3; do
	run_case "ID key from PEM, random inputs ($i)" "$work/id.pem" -
done
run_case "ID key and author key (PKCS#8) from PEM" "$work/id.pem" "$work/author.pem"
run_case "keyless" - -
run_case "keyless with an author key" - "$work/author.pem"
a=$("$CCIMAGE" snp id-block --keyless --measurement "$(printf '%096d' 7)")
b=$("$CCIMAGE" snp id-block --keyless --measurement "$(printf '%096d' 7)")
if [ -n "$a" ] && [ "$a" = "$b" ]; then
	ok "keyless: the same output each run"
else
	nok "keyless: the same output each run"
fi

# sev-snp-measure tests/test_id_block.py: its digests are base64 there, hex here.
got=$("$CCIMAGE" snp id-block --id-key "$FIX/id_key_test.pem" --author-key "$FIX/author_key_test.pem" \
	--measurement B28FLQi9p6cAqipgjFyqawDrrSl7bWioWkWx5mmlWLZ+G5HShKMB/mPE+gdQRn7t 2>&1)
want_block="id-block=B28FLQi9p6cAqipgjFyqawDrrSl7bWioWkWx5mmlWLZ+G5HShKMB/mPE+gdQRn7tAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAABAAAAAAAAAAAAAwAAAAAA"
want_id=$(echo hwt+NcU/inLQ0yL3WrKvgmJ5Kq9leWIs5BMcPyHyied8sFYKXjuQs5MuZ07HCcsU | base64 -d | od -An -tx1 | tr -d ' \n')
want_author=$(echo YxEcNLv8Ckk4+aAJvQdJgNgXIyPmFZnJ/TNtqGcySOHcqY0L6PdjdqEGuK/UwKBX | base64 -d | od -An -tx1 | tr -d ' \n')
if grep -qx "$want_block" <<<"$got" && grep -qx "id-key-digest=$want_id" <<<"$got" &&
	grep -qx "author-key-digest=$want_author" <<<"$got"; then
	ok "sev-snp-measure's published ID block and key digests"
else
	nok "sev-snp-measure's published ID block and key digests"
	echo "$got" | sed 's/^/#   /' | cut -c1-200
fi

printf -- '-----BEGIN EC PRIVATE KEY-----\nnot base64\n-----END EC PRIVATE KEY-----\n' >"$work/bad.pem"
for key in "$work/bad.pem" "$work/p256.pem" "$work/absent.pem"; do
	err=$("$CCIMAGE" snp id-block --measurement "$(openssl rand -hex 48)" --id-key "$key" 2>&1 >/dev/null)
	rc=$?
	if [ $rc -ne 0 ] && grep -qF "$key" <<<"$err"; then
		ok "refused, naming the file: $(basename "$key") (exit $rc)"
	else
		nok "refused, naming the file: $(basename "$key") (exit $rc: $err)"
	fi
done
create=${SEV_SNP_MEASURE:+$(dirname "$SEV_SNP_MEASURE")/snp-create-id-block.py}
if [ -z "$create" ] || [ ! -r "$create" ]; then
	n=$((n + 1))
	echo "ok $n - same as sev-snp-measure's snp-create-id-block # SKIP SEV_SNP_MEASURE not a checkout"
else
	same=0
	for _ in 1 2 3 4 5; do
		ld=$(openssl rand -base64 48)
		ref=$(python3 "$create" --measurement "$ld" --idkey "$FIX/id_key_test.pem" \
			--authorkey "$FIX/author_key_test.pem")
		ours=$("$CCIMAGE" snp id-block --measurement "$ld" --id-key "$FIX/id_key_test.pem" \
			--author-key "$FIX/author_key_test.pem")
		python3 - "$ref" "$ours" <<'EOF' && same=$((same + 1))
import base64, sys
ref, ours = sys.argv[1], dict(l.split("=", 1) for l in sys.argv[2].splitlines())
block, auth = (x.split("=", 1)[1] for x in ref.splitlines()[0].split(","))
digests = dict(l.split(": ") for l in ref.splitlines()[1:])
a, b = base64.b64decode(auth), base64.b64decode(ours["id-auth"])
unsigned = lambda x: x[:0x40] + x[0x240:0x680] + x[0x880:]
sys.exit(not (block == ours["id-block"] and unsigned(a) == unsigned(b) and
              base64.b64decode(digests["id_key_hash"]).hex() == ours["id-key-digest"] and
              base64.b64decode(digests["author_key"]).hex() == ours["author-key-digest"]))
EOF
	done
	if [ $same -eq 5 ]; then
		ok "same as sev-snp-measure's snp-create-id-block on 5 random digests"
	else
		nok "same as sev-snp-measure's snp-create-id-block: $same of 5"
	fi
fi
finish
