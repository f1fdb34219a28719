#!/usr/bin/env bash
# verify_files.sh BUILDDIR — installed-file verification of this machine (read-only), one run
# each: dpkg --verify, debsums -s, then omg's verifier (tests/tools/verify_files, the library
# omgd runs) with an empty cache, then with the cache it filled, nothing having changed.
# Prints seconds and ratios, and whether our findings are dpkg --verify's. The page cache is
# whatever the first tool left: the later ones read from memory (say so when quoting).
set -euo pipefail
build=${1:?usage: verify_files.sh BUILDDIR}
src=$(cd "$(dirname "$0")/.." && pwd)
vf=$build/tests/tools/verify_files
[ -x "$vf" ] || make -C "$build" tests/tools/verify_files > /dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
secs() { local t0 t1; t0=$(date +%s.%N); "$@" > /dev/null 2>&1 || true; t1=$(date +%s.%N); echo "$t1 - $t0" | bc -l; }

dpkg_s=$(secs sh -c "dpkg --verify > '$work/dpkg.out' 2>/dev/null")
if command -v debsums > /dev/null; then debsums_s=$(secs debsums -s); else debsums_s=; fi
cold_s=$(secs sh -c "'$vf' --cache '$work/cache' > '$work/ours.out' 2> '$work/cold.err'")
sleep 1.1 # files changed within the last second are hashed again (the racy rule): none left
warm_s=$(secs sh -c "'$vf' --cache '$work/cache' > '$work/warm.out' 2> '$work/warm.err'")

"$src/tests/tools/dpkg-verify-classes" < "$work/dpkg.out" > "$work/dpkg.cls"
"$src/tests/tools/dpkg-verify-classes" --verify-files < "$work/ours.out" > "$work/ours.cls"
same=$(cmp -s "$work/dpkg.cls" "$work/ours.cls" && echo "the same $(wc -l < "$work/dpkg.cls") findings" ||
	echo "DIFFERENT findings ($(diff "$work/dpkg.cls" "$work/ours.cls" | grep -c '^[<>]') lines)")
ratio() { echo "scale=1; $1 / $2" | bc -l; }
printf 'installed files, this machine (%s packages, %s paths, %s files hashed cold)\n' \
	"$(grep -o 'packages=[0-9]*' "$work/cold.err" | cut -d= -f2)" "$(grep -o ' files=[0-9]*' "$work/cold.err" | cut -d= -f2)" \
	"$(grep -o 'hashed=[0-9]*' "$work/cold.err" | cut -d= -f2)"
printf '  dpkg --verify                 %7.2f s\n' "$dpkg_s"
[ -z "$debsums_s" ] || printf '  debsums -s                    %7.2f s\n' "$debsums_s"
printf '  omg, empty cache              %7.2f s   (%sx dpkg --verify)\n' "$cold_s" "$(ratio "$dpkg_s" "$cold_s")"
printf '  omg, warm cache, no change    %7.2f s   (%sx faster than dpkg --verify%s; %s)\n' "$warm_s" \
	"$(ratio "$dpkg_s" "$warm_s")" "${debsums_s:+, $(ratio "$debsums_s" "$warm_s")x than debsums -s}" \
	"$(grep -o 'hashed=[0-9]* cache_hits=[0-9]*' "$work/warm.err")"
printf '  findings vs dpkg --verify     %s\n' "$same"
