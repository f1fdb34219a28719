#!/usr/bin/env bash
# compare.sh BUILDDIR — omg against the tools users run today, the same job in one run,
# whole processes, median of N runs (N=${BENCH_RUNS:-15}). Prints a table with ratios.
# apt is measured twice: as found (these machines set Dir::Cache::pkgcache "", so every apt
# run rebuilds its cache) and with a pkgcache, as on a normal desktop (the fair peer).
# Needs omgd running on this machine's data (it starts one if none answers).
set -uo pipefail
build=${1:?usage: compare.sh BUILDDIR}
omg=$build/omg
runs=${BENCH_RUNS:-15}
cache=$(mktemp -d)
trap 'rm -rf "$cache"' EXIT
pk=(-o "Dir::Cache::pkgcache=$cache/pkgcache.bin" -o "Dir::Cache::srcpkgcache=$cache/srcpkgcache.bin")
apt-cache "${pk[@]}" gencaches >/dev/null 2>&1

"$omg" ping >/dev/null 2>&1 || "$build/omgd/omgd" || exit 1

# median_ms CMD...: median wall time of RUNS runs, in ms ($EPOCHREALTIME: no fork to time)
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

row() { # row LABEL OMG_MS PEER_LABEL PEER_MS PEER_PKGCACHE_MS
	printf '| %-22s | %8s ms | %-38s | %8s ms | %8s ms | %7.0fx | %7.0fx |\n' "$1" "$2" "$3" "$4" "$5" \
		"$(echo "$4 / $2" | bc -l)" "$(echo "$5 / $2" | bc -l)"
}

echo "Process floor on this machine: /bin/true $(median_ms /bin/true) ms per run."
echo
echo "| job                    |      omg    | peer                                   | as found    | pkgcache    | ratio   | ratio pk |"
echo "|------------------------|-------------|----------------------------------------|-------------|-------------|---------|----------|"
o=$(median_ms "$omg" status)
row "counts (status)" "$o" "apt list --upgradable" "$(median_ms apt list --upgradable)" "$(median_ms apt "${pk[@]}" list --upgradable)"
row "counts (status)" "$o" "apt-mark showmanual" "$(median_ms apt-mark showmanual)" "$(median_ms apt-mark "${pk[@]}" showmanual)"
row "counts (status)" "$o" "apt-get -s autoremove" "$(median_ms apt-get -s autoremove)" "$(median_ms apt-get "${pk[@]}" -s autoremove)"
o=$(median_ms "$omg" search -d fire)
row "search fire" "$o" "apt-cache search fire" "$(median_ms apt-cache search fire)" "$(median_ms apt-cache "${pk[@]}" search fire)"
o=$(median_ms "$omg" search fire)
row "search names fire" "$o" "apt-cache search --names-only fire" "$(median_ms apt-cache search --names-only fire)" "$(median_ms apt-cache "${pk[@]}" search --names-only fire)"
o=$(median_ms "$omg" info bash)
row "info bash" "$o" "apt-cache show bash" "$(median_ms apt-cache show bash)" "$(median_ms apt-cache "${pk[@]}" show bash)"
d=$(median_ms dpkg -s bash)
row "info bash" "$o" "dpkg -s bash" "$d" "$d"
o=$(median_ms "$omg" files coreutils)
d=$(median_ms dpkg -L coreutils)
row "files coreutils" "$o" "dpkg -L coreutils" "$d" "$d"
d=$(median_ms dpkg -S /usr/bin/git)
o=$(median_ms "$omg" not-found git)
row "which package: git" "$o" "dpkg -S /usr/bin/git" "$d" "$d"
o=$(median_ms "$omg" policy openssl)
row "policy openssl" "$o" "apt-cache policy openssl" "$(median_ms apt-cache policy openssl)" "$(median_ms apt-cache "${pk[@]}" policy openssl)"
o=$(median_ms "$omg" show -a openssl)
row "show -a openssl" "$o" "apt show -a openssl" "$(median_ms apt show -a openssl)" "$(median_ms apt "${pk[@]}" show -a openssl)"
o=$(median_ms "$omg" depends apt-listchanges)
row "depends" "$o" "apt-cache depends apt-listchanges" "$(median_ms apt-cache depends apt-listchanges)" "$(median_ms apt-cache "${pk[@]}" depends apt-listchanges)"
o=$(median_ms "$omg" rdepends libc6)
row "rdepends libc6" "$o" "apt-cache rdepends libc6" "$(median_ms apt-cache rdepends libc6)" "$(median_ms apt-cache "${pk[@]}" rdepends libc6)"
o=$(median_ms "$omg" complete fir)
row "completion fir" "$o" "apt-cache pkgnames fir" "$(median_ms apt-cache pkgnames fir)" "$(median_ms apt-cache "${pk[@]}" pkgnames fir)"
echo
echo "Candidates for 'fir': omg $("$omg" complete fir | wc -l), apt-cache --no-generate pkgnames (bash-completion's call) $(apt-cache --no-generate pkgnames fir 2>/dev/null | wc -l)"
echo
"$omg" --json metrics | tr ',' '\n' | grep -E 'index_(build_us|packages|bytes)' | tr -d '{}"'
pid=$(pgrep -x omgd | head -1)
echo "omgd RSS: $(awk '/VmRSS/{print $2, $3}' /proc/"$pid"/status), peak $(awk '/VmHWM/{print $2, $3}' /proc/"$pid"/status)"
echo
[ -x "$build/bench/omg_bench" ] && "$build/bench/omg_bench" 2000
