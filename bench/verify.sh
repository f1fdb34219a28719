#!/usr/bin/env bash
# verify.sh BUILDDIR — `omg audit verify` of this machine through omgd (read-only), in one run
# with its peers:
#   1. the whole check (archive chain and installed files) with an empty cache, then warm
#      (nothing changed), against dpkg --verify and debsums -s (installed files only);
#   2. the archive chain alone, warm, against gpgv over the same InRelease files plus
#      sha256sum of the stored lists (decompressed) and of apt's cached .debs;
#   3. what the check costs the other clients: omg_bench's STATUS and SEARCH latency while
#      omgd is idle, and while a full check (--full) runs.
# VERIFY_BENCH_NO_DEBSUMS=1 leaves debsums out (it takes minutes). The page cache is whatever
# the earlier steps left: say so when quoting.
set -euo pipefail
build=${1:?usage: verify.sh BUILDDIR}
work=$(mktemp -d)
omg=$build/omg
export XDG_RUNTIME_DIR=$work/run OMG_AUTOSTART=0
mkdir -m 700 "$XDG_RUNTIME_DIR"
"$build/omgd/omgd" --foreground --store "$work/store" --verify-every 0 --plan-ahead 0 2> "$work/omgd.log" &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 100); do "$omg" status > /dev/null 2>&1 && break; sleep 0.1; done
secs() { local t0 t1; t0=$(date +%s%N); "$@" > /dev/null 2>&1 || true; t1=$(date +%s%N); echo "scale=2; ($t1 - $t0) / 1000000000" | bc; }
ratio() { echo "scale=1; $1 / $2" | bc -l; }

cold=$(secs "$omg" audit verify --full)
sleep 1.1 # a file read within a second of its last change is read again next time
warm=$(secs "$omg" audit verify)
"$omg" --json audit verify --last > "$work/last.json" || true
files_warm=$(secs "$omg" audit verify --no-archive)
dpkg=$(secs dpkg --verify)
debsums=
[ -n "${VERIFY_BENCH_NO_DEBSUMS:-}" ] || ! command -v debsums > /dev/null || debsums=$(secs debsums -s)
read -r pkgs nfiles findings < <(python3 -c 'import json, sys; d = json.load(open(sys.argv[1]))
print(d["installed"]["packages"], d["installed"]["files"], d["total"])' "$work/last.json")

# the archive chain: gpgv + sha256sum over the same files (what one would script)
archive=$(secs "$omg" audit verify --no-files)
shopt -s nullglob
kr=()
for f in /etc/apt/trusted.gpg.d/*.gpg /usr/share/keyrings/debian-archive-keyring.gpg; do kr+=(--keyring "$f"); done
peer() {
	for f in /var/lib/apt/lists/*InRelease; do gpgv "${kr[@]}" "$f" > /dev/null 2>&1 || true; done
	for f in /var/lib/apt/lists/*_Packages*; do lz4cat -f "$f" 2> /dev/null | sha256sum > /dev/null; done
	[ -z "$(ls /var/cache/apt/archives/*.deb 2> /dev/null)" ] || sha256sum /var/cache/apt/archives/*.deb > /dev/null
}
archive_peer=$(secs peer)
ndebs=$(ls /var/cache/apt/archives/*.deb 2> /dev/null | wc -l)

# the cost to other clients
idle=$("$build/bench/omg_bench" 2000 | grep -E '^(STATUS|SEARCH fire \(names\))')
"$omg" audit verify --full > /dev/null 2>&1 &
vpid=$!
sleep 0.5
busy=$("$build/bench/omg_bench" 2000 | grep -E '^(STATUS|SEARCH fire \(names\))')
kill -0 $vpid 2> /dev/null && still="the check was still running at the end" || still="the check ended before the end: figures are a mix"
wait $vpid || true

printf 'omg audit verify, this machine: %s packages, %s files, %s findings; %s cached .debs\n' "$pkgs" "$nfiles" "$findings" "$ndebs"
printf '  whole check, empty cache (--full)   %7.2f s\n' "$cold"
printf '  whole check, warm, nothing changed  %7.2f s\n' "$warm"
printf '  installed files only, warm          %7.2f s   (%sx dpkg --verify%s)\n' "$files_warm" "$(ratio "$dpkg" "$files_warm")" \
	"${debsums:+, $(ratio "$debsums" "$files_warm")x debsums -s}"
printf '  dpkg --verify                       %7.2f s\n' "$dpkg"
[ -z "$debsums" ] || printf '  debsums -s                          %7.2f s\n' "$debsums"
printf '  archive chain only, warm            %7.2f s   (%sx gpgv + lz4cat|sha256sum + sha256sum of the .debs: %s s)\n' \
	"$archive" "$(ratio "$archive_peer" "$archive")" "$archive_peer"
printf 'latency of other clients (omg_bench, 2000 calls), idle:\n%s\nduring a full check (%s):\n%s\n' "$idle" "$still" "$busy"
