#!/bin/bash
# Reference test: `ccimage kata initdata` against python3's hashlib, an
# implementation nobody here wrote: for each algorithm Kata accepts, the
# document's digest, SNP HOST_DATA (the digest cut or zero-padded to 32
# bytes), its base64 (trustee's SNP claim init_data) and TDX MRCONFIGID (to
# 48 bytes), as kata-types initdata.rs adjust_digest and govmm's
# adjustProperLength place it. The document goes through Kata's annotation
# form (gzip, base64) and back, as the runtime decodes it.
. "$(dirname "$0")/../lib/tap.sh"

need "$CCIMAGE"
workdir

for alg in sha256 sha384 sha512; do
	cat >"$work/doc.toml" <<DOC
version = "0.1.0"
algorithm = "$alg"
[data]
"aa.toml" = '''
[token_configs.kbs]
url = 'https://kbs.example:8080'
'''
"policy.rego" = '''
package agent_policy
default CreateContainerRequest := true
'''
DOC
	# The annotation Kata receives, decoded the way the runtime decodes it.
	annotation=$(gzip -9n <"$work/doc.toml" | base64 -w0)
	printf '%s' "$annotation" | base64 -d | gunzip >"$work/decoded.toml"
	want=$(python3 - "$work/decoded.toml" "$alg" <<'PY'
import base64, hashlib, sys
doc = open(sys.argv[1], "rb").read()
d = hashlib.new(sys.argv[2], doc).digest()
fit = lambda n: (d + bytes(n))[:n]
print(f"{sys.argv[2]} {d.hex()}")
print(f"snp_host_data {fit(32).hex()}")
print(f"snp_init_data_claim {base64.b64encode(fit(32)).decode()}")
print(f"tdx_mr_config_id {fit(48).hex()}")
PY
	)
	got=$("$CCIMAGE" kata initdata "$work/decoded.toml" 2>&1)
	if [ "$got" = "$want" ]; then
		ok "$alg initdata: digest, SNP HOST_DATA, TDX MRCONFIGID"
	else
		nok "$alg initdata"
		printf '#   want: %s\n#   got:  %s\n' "$want" "$got"
	fi
done

# Refused with the field named: a version or algorithm Kata does not know.
printf 'version = "0.2.0"\nalgorithm = "sha256"\n[data]\n' >"$work/v.toml"
printf 'version = "0.1.0"\nalgorithm = "sm3"\n[data]\n' >"$work/a.toml"
for f in v:version a:algorithm; do
	out=$("$CCIMAGE" kata initdata "$work/${f%%:*}.toml" 2>&1) && nok "bad ${f#*:} refused" && continue
	case $out in
	*"${f%%:*}.toml:"[12]": ${f#*:}"*) ok "bad ${f#*:} refused, naming file, line and field" ;;
	*) nok "bad ${f#*:} refused, naming file, line and field: $out" ;;
	esac
done

finish
