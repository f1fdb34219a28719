#!/usr/bin/env bash
# pgp.sh BUILDDIR — verifying this machine's InRelease files (/var/lib/apt/lists) with the
# keyring apt uses: omgd/verify/ (tests/tools/pgp_verify) against gpgv, in one run.
#   1. as apt does it: one process per file, keyring read each time (ROUNDS rounds);
#   2. in one process: keyring loaded and every file verified, per round (pgp_verify --repeat).
# ROUNDS is ${BENCH_RUNS:-20}. The keyring: the Signed-By of /etc/apt/sources.list.d/*.sources,
# else /usr/share/keyrings/debian-archive-keyring.gpg.
set -euo pipefail
build=${1:?usage: pgp.sh BUILDDIR}
rounds=${BENCH_RUNS:-20}
pgpv=$build/tests/tools/pgp_verify
shopt -s nullglob
files=(/var/lib/apt/lists/*InRelease)
[ ${#files[@]} -gt 0 ] || { echo "no InRelease files in /var/lib/apt/lists"; exit 1; }
kr=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '/^Signed-By:/ { print $2; exit }')
kr=${kr:-/usr/share/keyrings/debian-archive-keyring.gpg}
bytes=$(cat "${files[@]}" | wc -c)

now() { date +%s%N; }
per_file() { # per_file CMD...: ROUNDS × every file, one process each; ms per round
	local t0 t1 f
	t0=$(now)
	for _ in $(seq "$rounds"); do
		for f in "${files[@]}"; do "$@" "$f" >/dev/null 2>&1 || true; done
	done
	t1=$(now)
	echo "scale=2; ($t1 - $t0) / 1000000 / $rounds" | bc
}
"$pgpv" --keyring "$kr" --quiet "${files[@]}"
ours=$(per_file "$pgpv" --keyring "$kr" --quiet)
theirs=$(per_file gpgv --keyring "$kr")
inproc=$("$pgpv" --keyring "$kr" --repeat "$rounds" "${files[@]}" 2>&1 | awk '{ print $(NF - 3) }')
printf 'InRelease verification: %d files, %d KiB, keyring %s, %d rounds\n' "${#files[@]}" $((bytes / 1024)) "$kr" "$rounds"
printf '  gpgv, a process per file             %8.2f ms per round\n' "$theirs"
printf '  omg verify, a process per file       %8.2f ms per round  (%.1fx)\n' "$ours" "$(echo "$theirs / $ours" | bc -l)"
printf '  omg verify, in one process           %8.2f ms per round  (%.1fx)\n' "$inproc" "$(echo "$theirs / $inproc" | bc -l)"
