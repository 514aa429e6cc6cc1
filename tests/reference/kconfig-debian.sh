#!/bin/bash
# Reference test: `ccimage kconfig check` on the configs of Debian's cloud
# kernels (linux-image-<abi>-cloud-amd64), kernels nobody here built, for both
# suites the recipes support. kernel-configs/README.md says what each has:
# bookworm's 6.1 lacks the TDX guest (INTEL_TDX_GUEST not set) and DM_INIT
# (BLK_DEV_DM=m): 7 errors, exit 1; trixie's 6.12 has every confidential
# option and builds the gcm template and ghash as modules, which gpu.conf
# accepts because ccinit's GPU step loads them before nvidia: 0 errors, 9
# warnings, exit 0 (TSM_MEASUREMENTS, new in 6.16, is not a finding on 6.12:
# its fragment says since: 6.16). In both, dm-verity, dm-crypt,
# dm-integrity, erofs and the AF_ALG pieces are modules, which the base
# fragment accepts. The findings are also recomputed by an independent
# reading of the fragments (awk, below) and must agree exactly; and a config
# patched to want what the fragments want must pass, even with --strict.
#
# Each config comes from $KCONFIG_DEBIAN_CONFIG (bookworm) or
# $KCONFIG_TRIXIE_CONFIG, else from tests/vm/kernel.sh SUITE (the VM
# harness's cache, fetched when missing).
. "$(dirname "$0")/../lib/tap.sh"

need "$CCIMAGE"
workdir

find_config() { # SUITE
	local var dir
	var=KCONFIG_$([ "$1" = bookworm ] && echo DEBIAN || echo TRIXIE)_CONFIG
	if [ -n "${!var:-}" ]; then
		echo "${!var}"
		return
	fi
	dir=$(tests/vm/kernel.sh "$1" 2>"$work/kernel-$1.log" | tail -n1) || return 1
	ls "$dir"/root/boot/config-*-cloud-amd64 2>/dev/null | head -n1
}

line_of() { grep -n -E "^(# )?CONFIG_$2[= ]" "kernel-configs/$1" | head -n1 | cut -d: -f1; }

# What only bookworm's 6.1 lacks: the TDX guest (an error, exit 1).
bookworm_checks() {
	check "$suite: exit status 1 (error-severity options unmet), text and --json alike" \
		"[ $rc -eq 1 ] && [ $rc_text -eq 1 ]"
	tdx_line=$(line_of confidential.conf INTEL_TDX_GUEST)
	check "$suite: the config really lacks the TDX guest" \
		'grep -qx "# CONFIG_INTEL_TDX_GUEST is not set" "$config"'
	check "$suite: INTEL_TDX_GUEST reported as an error, not set, at confidential.conf:$tdx_line" \
		'grep -qxF "$(printf "CONFIG_INTEL_TDX_GUEST\tnot-set\terror\tconfidential.conf\t%s" "$tdx_line")" "$work/findings.tsv"'
	check "$suite: text output names confidential.conf:$tdx_line for INTEL_TDX_GUEST" \
		'grep -qF "confidential.conf:$tdx_line: error: CONFIG_INTEL_TDX_GUEST is not set, wants y: " "$work/out.txt"'
}

# Trixie's 6.12 is a confidential guest kernel; its gcm and ghash are
# modules, which gpu.conf accepts because ccinit's GPU step loads the
# gpu-crypto profile before nvidia (initramfs-modules.sh resolves them on this
# kernel): 0 errors, 9 warnings, exit 0.
trixie_checks() {
	check "$suite: exit status 0, text and --json alike" \
		"[ $rc -eq 0 ] && [ $rc_text -eq 0 ]"
	check "$suite: 0 errors, 9 warnings" 'grep -q ": 0 errors, 9 warnings, " "$work/out.txt"'
	for opt in GCM GHASH; do
		check "$suite: CONFIG_CRYPTO_$opt=m is accepted (the GPU step loads it)" \
			'grep -qx "CONFIG_CRYPTO_$opt=m" "$config" &&
			 ! grep -q "^CONFIG_CRYPTO_$opt	" "$work/findings.tsv"'
	done
	for opt in INTEL_TDX_GUEST=y AMD_MEM_ENCRYPT=y SEV_GUEST=m TDX_GUEST_DRIVER=m TSM_REPORTS=m \
		CRYPTO_ECDSA=y; do
		check "$suite: the config has CONFIG_$opt and it is not a finding" \
			'grep -qx "CONFIG_$opt" "$config" && ! grep -q "^CONFIG_${opt%=*}	" "$work/findings.tsv"'
	done
	# TSM_MEASUREMENTS came in 6.16 (its want says since: 6.16): absent from 6.12, not a
	# finding; the same config claiming to be 6.16 lacks it.
	check "$suite: TSM_MEASUREMENTS is absent from 6.12 and not a finding (since: 6.16)" \
		'! grep -q "CONFIG_TSM_MEASUREMENTS[= ]" "$config" && ! grep -q "^CONFIG_TSM_MEASUREMENTS	" "$work/findings.tsv"'
	sed -E 's|^# Linux/x86 6\.12\.[0-9]+ Kernel Configuration$|# Linux/x86 6.16.0 Kernel Configuration|' \
		"$config" >"$work/as-6.16"
	check "$suite: the same config as 6.16: TSM_MEASUREMENTS is a missing warning" \
		'"$CCIMAGE" kconfig check "$work/as-6.16" | grep -qF "warning: CONFIG_TSM_MEASUREMENTS is absent, wants y"'
}

# An independent reading of the fragment format (kernel-configs/README.md):
# prints "fragment:line:CONFIG_X" for each option the config does not satisfy.
independent() {
	awk -v cfg="$1" '
	BEGIN {
		kv = 0
		while ((getline l < cfg) > 0) {
			if (!kv && l ~ /^# Linux\/[^ ]+ [0-9]+\.[0-9]+/) {
				split(l, w, " "); split(w[3], hv, "."); kv = hv[1] * 256 + hv[2]
			}
			if (l ~ /^CONFIG_[A-Za-z0-9_]+=/) {
				k = l; sub(/=.*/, "", k); v = l; sub(/^[^=]*=/, "", v); val[k] = v
			} else if (l ~ /^# CONFIG_[A-Za-z0-9_]+ is not set$/) {
				k = l; sub(/^# /, "", k); sub(/ is not set$/, "", k); val[k] = "n"
			}
		}
	}
	FNR == 1 { frag = FILENAME; sub(/.*\//, "", frag) }
	/^# why:/ { acc = ""; since = 0; until = 0 }
	/^# since:/ { split($3, sv, "."); since = sv[1] * 256 + sv[2] }
	/^# until:/ { split($3, uv, "."); until = uv[1] * 256 + uv[2] }
	/^# accept:/ { acc = $0; sub(/^# accept: */, "", acc); gsub(/ /, "", acc) }
	/^CONFIG_[A-Za-z0-9_]+=/ || /^# CONFIG_[A-Za-z0-9_]+ is not set$/ {
		if ($0 ~ /^#/) { name = $2; own = "n" } else { name = $0; sub(/=.*/, "", name); own = $0; sub(/^[^=]*=/, "", own) }
		if (own == "n" && acc == "") acc = "n"
		if (acc == "") acc = own
		have = (name in val) ? val[name] : "n"
		good = 0
		na = split(acc, a, "|")
		for (i = 1; i <= na; i++) if (a[i] == have) good = 1
		# A kernel older than the option has no line for it: not a finding.
		if (!(name in val) && since && kv && kv < since) good = 1
		# Nor a kernel that has dropped it.
		if (!(name in val) && until && kv && kv >= until) good = 1
		if (!good) print frag ":" FNR ":" name
		acc = ""; since = 0; until = 0
	}' kernel-configs/*.conf | sort
}

check_suite() { # SUITE CONFIG
	suite=$1 config=$2
	echo "# $suite config: $config"
	"$CCIMAGE" kconfig check --json "$config" >"$work/out.json" 2>"$work/err"
	rc=$?
	"$CCIMAGE" kconfig check "$config" >"$work/out.txt" 2>&1
	rc_text=$?
	# option<TAB>state<TAB>severity<TAB>fragment basename<TAB>line, one per finding
	python3 -c '
import json, os, sys
d = json.load(open(sys.argv[1]))
for f in d["findings"]:
    print("\t".join([f["option"], f["state"], f["severity"], os.path.basename(f["fragment"]), str(f["line"])]))
' "$work/out.json" >"$work/findings.tsv" 2>"$work/json-err"
	check "$suite: --json output is valid JSON" '[ $? -eq 0 ] && [ -s "$work/findings.tsv" ]'
	sed 's/^/# /' "$work/out.txt" | head -40

	"${suite}_checks"

	dm_line=$(line_of dm-init.conf DM_INIT)
	check "$suite: the config has BLK_DEV_DM=m and no DM_INIT line" \
		'grep -qx "CONFIG_BLK_DEV_DM=m" "$config" && ! grep -q "CONFIG_DM_INIT[= ]" "$config"'
	check "$suite: DM_INIT reported missing at dm-init.conf:$dm_line" \
		'grep -qxF "$(printf "CONFIG_DM_INIT\tmissing\twarning\tdm-init.conf\t%s" "$dm_line")" "$work/findings.tsv" &&
		 grep -qF "dm-init.conf:$dm_line: warning: CONFIG_DM_INIT is absent, wants y: " "$work/out.txt"'

	# The base fragment's options that accept m and that Debian builds as modules.
	modular=$(awk -v cfg="$config" '
		BEGIN { while ((getline l < cfg) > 0) if (l ~ /^CONFIG_[A-Za-z0-9_]+=m$/) { sub(/=m$/, "", l); m[l] = 1 } }
		/^# why:/ { acc = "" }
		/^# accept:/ { acc = $0 }
		/^CONFIG_/ { name = $0; sub(/=.*/, "", name); if (acc ~ /m/ && (name in m)) print name; acc = "" }
	' kernel-configs/base.conf)
	count=$(echo "$modular" | grep -c . || true)
	check "$suite: base.conf has at least 10 options Debian builds as =m ($count)" '[ "$count" -ge 10 ]'
	for want in DM_VERITY DM_CRYPT DM_INTEGRITY EROFS_FS CRYPTO_USER_API_HASH CRYPTO_USER_API_SKCIPHER; do
		check "$suite: Debian's =m option CONFIG_$want is among them" \
			'echo "$modular" | grep -qx "CONFIG_$want"'
	done
	for opt in $modular; do
		check "$suite: $opt=m satisfies base.conf" \
			'! grep -q "^$opt	.*	base.conf	" "$work/findings.tsv"'
	done

	independent "$config" >"$work/expected"
	awk -F'\t' '{ print $4 ":" $5 ":" $1 }' "$work/findings.tsv" | sort >"$work/got"
	check "$suite: findings equal an independent awk reading of the fragments ($(wc -l <"$work/expected") findings)" \
		'[ -s "$work/expected" ] && cmp -s "$work/expected" "$work/got"'
	if [ $failed -gt 0 ]; then diff "$work/expected" "$work/got" | sed 's/^/# /' | head -20; fi

	# Patch the config: every option a finding names gets a value all fragments
	# accept (y before m before not set); now it must pass, even with --strict.
	awk -F'\t' '{ print $1 }' "$work/findings.tsv" | sort -u >"$work/names"
	{
		grep -v -E "^(# )?($(paste -sd'|' "$work/names"))[= ]" "$config"
		awk -v names="$work/names" '
		BEGIN { while ((getline l < names) > 0) want[l] = 1 }
		/^# why:/ { acc = "" }
		/^# accept:/ { acc = $0; sub(/^# accept: */, "", acc); gsub(/ /, "", acc) }
		/^CONFIG_[A-Za-z0-9_]+=/ || /^# CONFIG_[A-Za-z0-9_]+ is not set$/ {
			if ($0 ~ /^#/) { name = $2; own = "n" } else { name = $0; sub(/=.*/, "", name); own = $0; sub(/^[^=]*=/, "", own) }
			if (acc == "") acc = own
			if (name in want) {
				split(acc, a, "|"); delete here
				for (i in a) here[a[i]] = 1
				if (!(name in seen)) {
					seen[name] = 1
					for (v in here) ok[name, v] = 1
				} else {
					# keep only the values every fragment accepts
					split("y m n", all, " ")
					for (i in all) if (!(all[i] in here)) delete ok[name, all[i]]
				}
				vals[name] = own
			}
			acc = ""
		}
		END {
			for (name in seen) {
				if ((name, "y") in ok) print name "=y"
				else if ((name, "m") in ok) print name "=m"
				else if ((name, "n") in ok) print "# " name " is not set"
				else print name "=" vals[name]
			}
		}' kernel-configs/*.conf
	} >"$work/fixed"
	"$CCIMAGE" kconfig check --strict "$work/fixed" >"$work/fixed.txt" 2>&1
	rc=$?
	check "$suite: the config patched to what the fragments want passes --strict" \
		'[ $rc -eq 0 ] && grep -q ": 0 errors, 0 warnings, " "$work/fixed.txt"'
	if [ $rc -ne 0 ]; then sed 's/^/# /' "$work/fixed.txt" | head -20; fi
}

for suite in bookworm trixie; do
	config=$(find_config "$suite")
	if [ -z "$config" ] || [ ! -f "$config" ]; then
		ok "$suite: Debian cloud kernel config # SKIP not cached and kernel.sh failed (no network?)"
		continue
	fi
	check_suite "$suite" "$config"
done

finish
