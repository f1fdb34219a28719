#!/usr/bin/env bash
# store.sh BUILDDIR — time from starting omgd to its first search answer on this machine's
# package data: cold (no store: every list parsed), first start with an empty store (parsed
# and stored), and warm (the stored index). Also the store's size on disk. Median of RUNS
# (${BENCH_RUNS:-15}) starts each, one run (bench/first_search).
set -euo pipefail
build=${1:?usage: store.sh BUILDDIR}
runs=${BENCH_RUNS:-15}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fs() { "$build/bench/first_search" "$build/omgd/omgd" "$work" "$@"; }

cold=$(fs "$runs" bash --no-store)
first=$(fs 1 bash --store "$work/store")
sleep 1.2 # the sources are not racy any more (snapshot.h); the first start stored them anyway
warm=$(fs "$runs" bash --store "$work/store")
ms() { awk '{print $1}' <<<"$1"; }
printf 'first search after a start   median of %s\n' "$runs"
printf '  cold (--no-store)            %s\n' "$cold"
printf '  first start, empty store     %s\n' "$first"
printf '  warm (stored index)          %s\n' "$warm"
printf '  warm vs cold                 %.1fx faster\n' "$(echo "$(ms "$cold") / $(ms "$warm")" | bc -l)"
printf 'store on disk: index %s, audit log %s (data.mdb, apparent size)\n' \
	"$(du -h --apparent-size "$work/store/index/data.mdb" | cut -f1)" \
	"$(du -h --apparent-size "$work/store/audit/data.mdb" | cut -f1)"
