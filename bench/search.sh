#!/usr/bin/env bash
# search.sh BUILDDIR — omg search against apt-cache search on this machine, in one run:
# omgd's own time per query (bench/search_bench: db_search on this machine's index, no socket),
# then whole processes, median of N runs (N=${BENCH_RUNS:-5}), with apt as found (no pkgcache
# on these machines) and with a pkgcache, and whether the two sets of names are equal.
# Needs omgd running on this machine's data (it starts one if none answers).
set -uo pipefail
build=${1:?usage: search.sh BUILDDIR}
omg=$build/omg
runs=${BENCH_RUNS:-5}
cache=$(mktemp -d)
trap 'rm -rf "$cache"' EXIT
pk=(-o "Dir::Cache::pkgcache=$cache/pkgcache.bin" -o "Dir::Cache::srcpkgcache=$cache/srcpkgcache.bin")
apt-cache "${pk[@]}" gencaches >/dev/null 2>&1

"$omg" ping >/dev/null 2>&1 || "$build/omgd/omgd" || exit 1

echo "omgd's time (db_search, limit 50, names and descriptions unless said):"
"$build/bench/search_bench" / 200 || exit 1
echo

median_ms() {
	local i t0 t1 times=()
	for ((i = 0; i < runs; i++)); do
		t0=$EPOCHREALTIME
		"$@" >/dev/null 2>&1
		t1=$EPOCHREALTIME
		times+=("$(echo "($t1 - $t0) * 1000" | bc -l)")
	done
	printf '%s\n' "${times[@]}" | sort -g | awk -v n="$runs" 'NR == int((n + 1) / 2) { printf "%.2f", $1 }'
}

# same NAMES_ONLY TERM...: "yes" when omg's names are apt-cache's
same() {
	local n=$1 o=() a=(); shift
	[ "$n" = 1 ] && o=(--names-only) a=(-n)
	if diff -q <(apt-cache "${pk[@]}" search "${a[@]}" "$@" | sed 's/ - .*//' | LC_ALL=C sort -u) \
		<("$omg" --json search --no-aur -n 0 "${o[@]}" -- "$@" | tr '{' '\n' |
			sed -n 's/.*"name":"\([^"]*\)".*/\1/p' | LC_ALL=C sort -u) >/dev/null; then echo yes; else echo NO; fi
}

row() { # row NAMES_ONLY TERM...
	local n=$1 o=() a=() om af ap; shift
	[ "$n" = 1 ] && o=(--names-only) a=(-n)
	om=$(median_ms "$omg" search --no-aur -n 0 "${o[@]}" -- "$@")
	af=$(median_ms apt-cache search "${a[@]}" "$@")
	ap=$(median_ms apt-cache "${pk[@]}" search "${a[@]}" "$@")
	printf '| %-26s | %7s ms | %8s ms | %8s ms | %6.0fx | %6.0fx | %-5s |\n' "${a[*]}${a[*]:+ }$*" "$om" "$af" "$ap" \
		"$(echo "$af / $om" | bc -l)" "$(echo "$ap / $om" | bc -l)" "$(same "$n" "$@")"
}

echo "Whole processes, median of $runs: omg search -n 0 (every row) against apt-cache search."
echo
echo "| apt-cache search ...       |    omg     | as found    | pkgcache    | ratio   | ratio pk | same  |"
echo "|----------------------------|------------|-------------|-------------|---------|----------|-------|"
row 0 fire
row 1 fire
row 0 python3 yaml
row 0 '^lib.*ssl'
row 0 text editor
row 0 'http.?server'
echo
pid=${OMGD_PID:-$(pgrep -x omgd | head -1)}
echo "omgd RSS: $(awk '/VmRSS/{print $2, $3}' /proc/"$pid"/status), peak $(awk '/VmHWM/{print $2, $3}' /proc/"$pid"/status)"
