#!/usr/bin/env bash
# fuzz-smoke.sh [FUZZTIME [PACKAGES...]]: run every fuzz target in PACKAGES
# (default ./...) for FUZZTIME (default 50000x: a count of inputs, see the Makefile) each. Targets are discovered with `go test -list '^Fuzz'`, so
# a new Fuzz function is picked up without editing this file. New crashers
# land in the package's testdata/fuzz/ and must be committed.
set -euo pipefail
cd "$(dirname "$0")/.."

fuzztime="${1:-50000x}"
shift || true
pkgs=("$@")
[ ${#pkgs[@]} -gt 0 ] || pkgs=(./...)
go="${GO:-go}"

# `go test -list` prints the matching names of a package, then a line
# "ok  <package> <time>" (or "?  <package> [no test files]").
list="$("$go" test -list '^Fuzz' "${pkgs[@]}")"
targets=()
names=()
while IFS= read -r line; do
	case "$line" in
	Fuzz*) names+=("$line") ;;
	ok*)
		pkg="$(awk '{print $2}' <<<"$line")"
		for name in ${names[@]+"${names[@]}"}; do
			targets+=("$pkg $name")
		done
		names=()
		;;
	esac
done <<<"$list"

if [ ${#targets[@]} -eq 0 ]; then
	echo "fuzz-smoke: no fuzz targets"
	exit 0
fi

for t in "${targets[@]}"; do
	read -r pkg name <<<"$t"
	echo "fuzz-smoke: $pkg $name for $fuzztime"
	"$go" test -run '^$' -fuzz "^${name}\$" -fuzztime "$fuzztime" "$pkg"
done
echo "fuzz-smoke: ${#targets[@]} target(s) passed"
