#!/bin/bash
# Reference test: `ccimage gpu rvps` on recipes/nvidia-gpu.yaml (measurement/README.md, 14).
#  1. the message has the RVPS sample shape and the names trustee's default GPU
#     policy queries, each a list of strings;
#  2. the driver version equals the one read here from the lock's NVIDIA packages
#     and from the GSP firmware directory the recipe takes;
#  3. a lock whose NVIDIA packages disagree is refused, naming both.
. "$(dirname "$0")/../lib/tap.sh"
RECIPE=recipes/nvidia-gpu.yaml

need "$CCIMAGE"
workdir

# The lock line is "package NAME VERSION ARCH ..."; the driver is the upstream part.
from_lock=$(awk '$1 == "package" && ($2 == "firmware-nvidia-gsp" || $2 == "libnvidia-ml1") { print $3 }' \
	"$RECIPE.lock" | sed -E 's/^[0-9]+://; s/-[^-]*$//' | sort -u)
from_firmware=$(sed -nE 's|.*/lib/firmware/nvidia/([0-9.]+)/gsp_.*|\1|p' "$RECIPE" | sort -u)
if [ -n "$from_lock" ] && [ "$from_lock" = "$from_firmware" ]; then
	ok "the lock and the recipe's firmware path agree: driver $from_lock"
else
	nok "the lock and the recipe's firmware path agree: '$from_lock' vs '$from_firmware'"
fi

if ! "$CCIMAGE" gpu rvps "$RECIPE" --vbios-version 96.00.9F.00.01 --rvps "$work/gpu.json" 2>"$work/err"; then
	nok "ccimage gpu rvps $RECIPE: $(cat "$work/err")"
else
	msg=$(python3 - "$work/gpu.json" "$from_lock" <<'PY'
import base64, json, sys
m = json.load(open(sys.argv[1]))
errs = []
if sorted(m) != ["payload", "type", "version"] or m["version"] != "0.1.0" or m["type"] != "sample":
    errs.append("message is not {version 0.1.0, type sample, payload}")
p = json.loads(base64.b64decode(m["payload"], validate=True))
for name, v in p.items():
    if not (isinstance(v, list) and v and all(isinstance(x, str) for x in v)):
        errs.append(name + " is not a list of strings")
if p.get("allowed_driver_versions") != [sys.argv[2]]:
    errs.append("allowed_driver_versions %r" % p.get("allowed_driver_versions"))
if p.get("allowed_vbios_versions") != ["96.00.9f.00.01"]:
    errs.append("allowed_vbios_versions %r" % p.get("allowed_vbios_versions"))
if sorted(p) != ["allowed_driver_versions", "allowed_vbios_versions"]:
    errs.append("names %r" % sorted(p))
print("; ".join(errs))
PY
)
	if [ -z "$msg" ]; then
		ok "RVPS sample message with allowed_driver_versions and allowed_vbios_versions"
	else
		nok "RVPS sample message: $msg"
	fi
fi

cp "$RECIPE" "$work/r.yaml"
sed -E 's/^(package libnvidia-ml1) [^ ]+/\1 550.90.07-1/' "$RECIPE.lock" >"$work/r.yaml.lock"
err=$("$CCIMAGE" gpu rvps "$work/r.yaml" 2>&1 >/dev/null)
rc=$?
if [ $rc -eq 3 ] && grep -q firmware-nvidia-gsp <<<"$err" && grep -q 'libnvidia-ml1 pins 550.90.07' <<<"$err"; then
	ok "a lock whose NVIDIA packages disagree is refused"
else
	nok "a lock whose NVIDIA packages disagree is refused (exit $rc: $err)"
fi
finish
