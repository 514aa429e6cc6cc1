#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Read-only cross-check on a machine with a real NVIDIA GPU and driver:
# `ccinit gpu-status` against nvidia-smi, field by field. Runs only GET
# queries (nvidia-smi -q/-grs/-L and ccinit's RM GET controls); never sets a
# ready state, mode, clock or power limit. Prints TAP and a side-by-side table.
#
#   tests/gpu/compare.sh [path/to/ccinit [path/to/rm-probe]]
#       defaults: build/ccinit, build/gpu-rm-probe (built here from
#       tests/gpu/rm_probe.c when a C compiler is at hand)
TAP_HERE=1 # the paths given are the caller's
. "$(dirname "$0")/../lib/tap.sh"
CCINIT=${1:-build/ccinit}
PROBE=${2:-build/gpu-rm-probe}
# Lower case, letters and digits only: "Not Ready", "not-ready" and "NOT_READY" compare equal.
norm() { printf '%s' "$1" | tr 'A-Z' 'a-z' | tr -cd 'a-z0-9'; }

if ! command -v nvidia-smi >/dev/null 2>&1 || [ ! -e /dev/nvidiactl ]; then
	skip_all "gpu-status vs nvidia-smi" "no NVIDIA driver or nvidia-smi here"
fi

workdir
tmp=$work
nvidia-smi conf-compute -q >"$tmp/q.before" 2>&1
nvidia-smi conf-compute -grs >"$tmp/grs.before" 2>&1
nvidia-smi -L >"$tmp/L" 2>&1
"$CCINIT" gpu-status >"$tmp/status.json" 2>"$tmp/status.err"
rc=$?
nvidia-smi conf-compute -q >"$tmp/q.after" 2>&1
nvidia-smi conf-compute -grs >"$tmp/grs.after" 2>&1

echo "# --- nvidia-smi conf-compute -q"; sed 's/^/# /' "$tmp/q.before"
echo "# --- nvidia-smi conf-compute -grs"; sed 's/^/# /' "$tmp/grs.before"
echo "# --- nvidia-smi -L"; sed 's/^/# /' "$tmp/L"
echo "# --- ccinit gpu-status (exit $rc)"; sed 's/^/# /' "$tmp/status.json" "$tmp/status.err"

if [ "$rc" -eq 0 ]; then ok "ccinit gpu-status exits 0"; else nok "ccinit gpu-status exits 0 (got $rc)"; fi

# A value of ours: "key": "value" as gpu-status prints it (one object per line).
ours() { sed -n "s/.*\"$1\": \"\([^\"]*\)\".*/\1/p" "$tmp/status.json" | head -n 1; }
# A field of nvidia-smi's "Key : value" report.
theirs() { sed -n "s/^[[:space:]]*$1[[:space:]]*:[[:space:]]*\(.*\)$/\1/p" "$tmp/q.before" | head -n 1 | sed 's/[[:space:]]*$//'; }

printf '# %-28s | %-24s | %-24s | %s\n' field nvidia-smi "ccinit gpu-status" match
compare() { # name theirs ours
	if [ -n "$2" ] && [ "$(norm "$2")" = "$(norm "$3")" ]; then m=yes; else m=NO; fi
	printf '# %-28s | %-24s | %-24s | %s\n' "$1" "$2" "$3" "$m"
	if [ "$m" = yes ]; then ok "$1: $3"; else nok "$1: nvidia-smi '$2', ccinit '$3'"; fi
}
for f in "CC State" "Multi-GPU Mode" "CPU CC Capabilities" "GPU CC Capabilities" \
	"CC GPUs Ready State"; do
	compare "$f" "$(theirs "$f")" "$(ours "$f")"
done
# -grs: "Confidential Compute GPUs Ready state: <state>"
grs=$(sed -n 's/.*[Rr]eady [Ss]tate[[:space:]]*:[[:space:]]*\(.*\)$/\1/p' "$tmp/grs.before" | head -n 1)
compare "-grs ready state" "$grs" "$(ours "CC GPUs Ready State")"

# -L: "GPU <i>: <model> (UUID: <uuid>)", in the order of gpu-status's gpus (PCI address order).
smi_count=$(grep -c '^GPU [0-9]*:' "$tmp/L")
our_count=$(grep -c '"uuid"' "$tmp/status.json")
compare "GPU count" "$smi_count" "$our_count"
i=0
grep '^GPU [0-9]*:' "$tmp/L" | while IFS= read -r line; do
	model=$(printf '%s' "$line" | sed 's/^GPU [0-9]*: \(.*\) (UUID: .*$/\1/')
	uuid=$(printf '%s' "$line" | sed 's/.*(UUID: \(.*\))$/\1/')
	i=$((i + 1))
	our_model=$(sed -n 's/.*"model": "\([^"]*\)".*/\1/p' "$tmp/status.json" | sed -n "${i}p")
	our_uuid=$(sed -n 's/.*"uuid": "\([^"]*\)".*/\1/p' "$tmp/status.json" | sed -n "${i}p")
	printf '%s\t%s\t%s\t%s\n' "$model" "$our_model" "$uuid" "$our_uuid"
done >"$tmp/gpus"
i=0
while IFS="$(printf '\t')" read -r model our_model uuid our_uuid; do
	compare "GPU $i model" "$model" "$our_model"
	compare "GPU $i UUID" "$uuid" "$our_uuid"
	i=$((i + 1))
done <"$tmp/gpus"

# The RM ABI's edges on the real driver: handshake refusal and the capabilities size check.
if [ ! -x "$PROBE" ] && command -v cc >/dev/null 2>&1; then
	cc -static -std=gnu11 -D_GNU_SOURCE -I. -o "$tmp/rm-probe" tests/gpu/rm_probe.c init/gpu/nvrm.c \
		init/core/sys.c 2>"$tmp/probe.cc" && PROBE=$tmp/rm-probe
fi
if [ -x "$PROBE" ]; then
	"$PROBE" >"$tmp/probe" 2>&1
	while IFS= read -r line; do
		case "$line" in
		PASS*) ok "rm probe: ${line#PASS }" ;;
		*) nok "rm probe: ${line#FAIL }" ;;
		esac
	done <"$tmp/probe"
	nvidia-smi conf-compute -q >"$tmp/q.after" 2>&1
	nvidia-smi conf-compute -grs >"$tmp/grs.after" 2>&1
else
	skip "rm probe" "no probe binary and no C compiler"
fi

# Read only: nothing nvidia-smi reports changed across our run.
if cmp -s "$tmp/q.before" "$tmp/q.after" && cmp -s "$tmp/grs.before" "$tmp/grs.after"; then
	ok "CC state and ready state unchanged by gpu-status"
else
	nok "CC state or ready state changed across gpu-status"
fi
finish
