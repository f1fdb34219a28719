#!/usr/bin/env bash
# arch.sh BUILDDIR [N] — omg against pacman on generated Arch databases (N packages, default
# 4000, tests/fixtures/make-arch-root.sh), the same job in one run, whole processes, median
# of RUNS (${BENCH_RUNS:-15}). The sync databases are local files: no network on either side.
set -euo pipefail
build=$(cd "${1:?usage: arch.sh BUILDDIR [N]}" && pwd)
n=${2:-4000}
runs=${BENCH_RUNS:-15}
here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap '[ -n "${pid:-}" ] && kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT
"$here/tests/fixtures/make-arch-root.sh" "$work/root" "$n"
export XDG_RUNTIME_DIR=$work/run XDG_CACHE_HOME=$work/cache OMG_AUTOSTART=0
mkdir -p -m 700 "$XDG_RUNTIME_DIR"
"$build/omgd/omgd" --foreground --root "$work/root" --no-aur 2>"$work/omgd.log" &
pid=$!
for _ in $(seq 1 200); do grep -q "index: " "$work/omgd.log" 2>/dev/null && break; sleep 0.05; done
pac=(pacman --config "$work/root/oracle/pacman.conf" --dbpath "$work/root/var/lib/pacman")
omg=$build/omg

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
row() { printf '| %-16s | %8s ms | %-22s | %8s ms | %6.1fx |\n' "$1" "$2" "$3" "$4" "$(echo "$4 / $2" | bc -l)"; }

echo "$n packages ($("${pac[@]}" -Qq | wc -l) installed); omgd: $(grep "index" "$work/omgd.log" | tail -1 | sed "s/.*omgd\[[0-9]*\]: //")"
echo "Process floor: /bin/true $(median_ms /bin/true) ms"
echo
echo "| job              |      omg    | pacman                 |   pacman    | ratio   |"
echo "|------------------|-------------|------------------------|-------------|---------|"
o=$(median_ms "$omg" list upgradable)
row "updates" "$o" "pacman -Qu" "$(median_ms "${pac[@]}" -Qu)"
o=$(median_ms "$omg" status)
row "all four counts" "$o" "pacman -Qu" "$(median_ms "${pac[@]}" -Qu)"
o=$(median_ms "$omg" list orphans)
row "orphans" "$o" "pacman -Qdtq" "$(median_ms "${pac[@]}" -Qdtq)"
o=$(median_ms "$omg" search -d fire)
row "search fire" "$o" "pacman -Ss fire" "$(median_ms "${pac[@]}" -Ss fire)"
o=$(median_ms "$omg" info pkg0008)
row "info (sync)" "$o" "pacman -Si pkg0008" "$(median_ms "${pac[@]}" -Si pkg0008)"
echo
echo "Answers checked equal: -Qu $(diff <("${pac[@]}" -Qu | awk '{print $1}') <("$omg" list upgradable | awk '{print $1}') >/dev/null && echo yes || echo NO), -Qdtq $(diff <("${pac[@]}" -Qdtq) <("$omg" list orphans | awk '{print $1}') >/dev/null && echo yes || echo NO)"

# Index builds, from omgd's own log: the first (a new libalpm handle) and rebuilds after
# SIGHUP (nothing changed under local/: the handle and its local cache are kept). The whole
# build is what pacman redoes at every -Qu; omg does it once per change.
build_ms() { grep "index: " "$work/omgd.log" | sed -n 's/.* in \([0-9.]*\) ms.*/\1/p'; }
for ((i = 0; i < 5; i++)); do
	before=$(grep -c "index: " "$work/omgd.log")
	kill -HUP "$pid"
	for _ in $(seq 1 200); do [ "$(grep -c "index: " "$work/omgd.log")" -gt "$before" ] && break; sleep 0.02; done
done
echo
kept=$(grep -c "index: .*local database kept" "$work/omgd.log" || true)
echo "Index build: first $(build_ms | head -1) ms (new handle); rebuilds after SIGHUP:" \
	"$(build_ms | tail -n +2 | sort -g | awk '{ a[NR] = $1 } END { if (NR) printf "median %.1f ms of %d", a[int((NR + 1) / 2)], NR }')" \
	"($kept with the local database kept)"
