# Sourced by the suites and benchmarks that compare with sev-snp-measure.
# ref_sev_snp_measure: sets the array ref to the command that runs it:
# $SEV_SNP_MEASURE (a checkout's sev-snp-measure.py, or a program), else
# sev-snp-measure on PATH; an empty ref, and status 1, when neither answers --version.
ref_sev_snp_measure() {
	ref=()
	if [ -n "${SEV_SNP_MEASURE:-}" ]; then
		case $SEV_SNP_MEASURE in
		*.py) ref=(python3 "$SEV_SNP_MEASURE") ;;
		*) ref=("$SEV_SNP_MEASURE") ;;
		esac
	elif command -v sev-snp-measure >/dev/null 2>&1; then
		ref=(sev-snp-measure)
	fi
	if [ ${#ref[@]} -eq 0 ] || ! "${ref[@]}" --version >/dev/null 2>&1; then
		ref=()
		return 1
	fi
}
