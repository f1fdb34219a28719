#!/usr/bin/env bash
# act.sh BUILDDIR — package actions, omg against apt and nala, the same work in one run.
#
# 1. Time to a shown plan on this machine (omgd serving /): `omg install --dry-run X` against
#    `apt-get -s install X` and `apt install --dry-run X`, and the same for upgrade. omg's
#    first plan of an index is apt-get -s run by omgd; a repeat on the same index, and the
#    upgrade plan omgd makes ahead, are answered from memory: both are shown.
# 2. A whole install and removal of a small package (omgtest-big, 527 kB, from a loopback HTTP
#    mirror) inside a copy of the test root bookworm-act (tests/fixtures/make-real-root.sh),
#    by omg, apt-get and nala (installed into the copy from Debian's archive).
# Medians of RUNS runs (default 7). Needs root (chroot), deb.debian.org for nala.
set -uo pipefail
build=$(readlink -f "${1:?usage: act.sh BUILDDIR}")
src=$(dirname "$(readlink -f "$0")")/..
omg=$build/omg
runs=${RUNS:-7}
X=${BENCH_PKG:-ripgrep}
work=$(mktemp -d)
cleanup() {
	[ -n "${omgd_pid:-}" ] && kill "$omgd_pid" 2>/dev/null
	[ -n "${http_pid:-}" ] && kill "$http_pid" 2>/dev/null
	mountpoint -q "$work/root/proc" 2>/dev/null && umount -l "$work/root/proc"
	rm -rf "$work"
}
trap cleanup EXIT

# median_ms CMD...: median wall time of RUNS runs, in ms
median_ms() {
	local i t0 t1 times=()
	for ((i = 0; i < runs; i++)); do
		t0=$EPOCHREALTIME; "$@" >/dev/null 2>&1; t1=$EPOCHREALTIME
		times+=("$(echo "($t1 - $t0) * 1000" | bc -l)")
	done
	printf '%s\n' "${times[@]}" | sort -g | awk -v n="$runs" 'NR == int((n + 1) / 2) { printf "%.1f", $1 }'
}
# once_ms CMD...: one run's wall time, in ms
once_ms() {
	local t0=$EPOCHREALTIME; "$@" >/dev/null 2>&1; echo "($EPOCHREALTIME - $t0) * 1000" | bc -l | xargs printf '%.1f'
}
row() { printf '| %-34s | %10s ms | %-34s | %10s ms | %6.1fx |\n' "$1" "$2" "$3" "$4" "$(echo "$4 / $2" | bc -l)"; }

echo "## Time to a shown plan (this machine, $(dpkg-query -W -f '${db:Status-Status}\n' | grep -cx installed) packages installed)"
echo
export XDG_RUNTIME_DIR=$work/run XDG_CACHE_HOME=$work/cache OMG_AUTOSTART=0
mkdir -p -m 700 "$XDG_RUNTIME_DIR"
"$build/omgd/omgd" --foreground --plan-ahead 1 2>"$work/omgd.log" & omgd_pid=$!
for i in $(seq 1 200); do "$omg" --json status 2>/dev/null | grep -q '"ready":true' && break; sleep 0.05; done
echo "| omg                                |             | peer                               |             | ratio  |"
echo "|------------------------------------|-------------|------------------------------------|-------------|--------|"
# the first plan of this index: omgd runs apt-get -s (one run: the next is from memory); the
# upgrade plan made ahead (--plan-ahead 1) is under way: this plan preempts it
first=$(once_ms "$omg" install --dry-run "$X")
again=$(median_ms "$omg" install --dry-run "$X")
peer=$(median_ms env LC_ALL=C apt-get -s install "$X")
aptd=$(median_ms env LC_ALL=C apt install --dry-run "$X")
row "install --dry-run $X (first)" "$first" "apt-get -s install $X" "$peer"
row "install --dry-run $X (again)" "$again" "apt-get -s install $X" "$peer"
row "install --dry-run $X (again)" "$again" "apt install --dry-run $X" "$aptd"
# upgrade: made ahead after the index was built, if there are upgrades
for i in $(seq 1 400); do
	"$omg" --json metrics | grep -q '"plans_pending":0' && "$omg" --json metrics | grep -q '"plans_ahead":[1-9]' && break
	sleep 0.05
done
up=$(median_ms "$omg" upgrade --dry-run)
row "upgrade --dry-run (made ahead)" "$up" "apt-get -s upgrade --with-new-pkgs" "$(median_ms env LC_ALL=C apt-get -s upgrade --with-new-pkgs)"
row "upgrade --dry-run (made ahead)" "$up" "apt upgrade --dry-run" "$(median_ms env LC_ALL=C apt upgrade --dry-run)"
"$omg" --json metrics | tr ',{}' '\n\n\n' | grep -E '"plans_|plan_ns' | tr -d '"' | sed 's/^/    /'
kill "$omgd_pid"; wait "$omgd_pid" 2>/dev/null; omgd_pid=

echo
echo "## A whole install and removal of omgtest-big (527 kB over loopback HTTP), in a bookworm root"
echo
root=$work/root
"$src/tests/fixtures/make-real-root.sh" bookworm-act "$root" >"$work/root.log" 2>&1 || { tail "$work/root.log"; exit 1; }
echo "127.0.1.1 $(hostname)" >> "$root/etc/hosts"
inr() { chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C DEBIAN_FRONTEND=noninteractive HOME=/root "$@"; }
mount -t proc proc "$root/proc"
# nala from Debian's archive, then only the test repository again
echo "deb http://deb.debian.org/debian bookworm main" > "$root/etc/apt/sources.list.d/debian.list"
inr apt-get update -q >/dev/null && inr apt-get install -y -q nala >"$work/nala.log" 2>&1 || { tail "$work/nala.log"; exit 1; }
rm "$root/etc/apt/sources.list.d/debian.list"
python3 -m http.server 0 --bind 127.0.0.1 --directory "$root/srv/omgtest" >"$work/http.log" 2>&1 & http_pid=$!
for i in $(seq 1 100); do port=$(sed -n 's/.*port \([0-9]*\).*/\1/p' "$work/http.log" | head -1); [ -n "$port" ] && break; sleep 0.05; done
echo "deb [signed-by=/usr/share/keyrings/omgtest.gpg] http://127.0.0.1:$port one main" > "$root/etc/apt/sources.list.d/omgtest.list"
rm -rf "$root"/var/lib/apt/lists/*debian* && inr apt-get update -q >/dev/null
"$build/omgd/omgd" --foreground --root "$root" 2>"$work/omgd-root.log" & omgd_pid=$!
for i in $(seq 1 200); do "$omg" --json status 2>/dev/null | grep -q '"ready":true' && break; sleep 0.05; done
# each round fetches again: the archive cache is emptied before each install
cycle_omg() { rm -f "$root"/var/cache/apt/archives/*.deb; "$omg" install -y omgtest-big && "$omg" remove -y omgtest-big; }
cycle_apt() { rm -f "$root"/var/cache/apt/archives/*.deb; inr apt-get install -y omgtest-big && inr apt-get remove -y omgtest-big; }
cycle_nala() { rm -f "$root"/var/cache/apt/archives/*.deb; inr nala install -y omgtest-big && inr nala remove -y omgtest-big; }
o=$(median_ms cycle_omg)
row "omg install -y + remove -y" "$o" "apt-get install -y + remove -y" "$(median_ms cycle_apt)"
row "omg install -y + remove -y" "$o" "nala install -y + remove -y" "$(median_ms cycle_nala)"
