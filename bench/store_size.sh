#!/usr/bin/env bash
# store_size.sh BUILDDIR — what omgd costs on this machine's package data, as a user sees it:
# its RSS (VmRSS, and VmHWM, the peak) once ready after a cold build (empty store) and after a
# warm start (the stored index), and the store on disk (data.mdb's apparent size and du's
# blocks, index and audit log), without and with apt-file's Contents index.
#
# omgd serves a copy of this machine's root (apt's configuration and lists, dpkg's database)
# through --root, so that a Contents index can be added without touching the machine: this
# machine's lists' own Contents files when apt-file fetched them, else the real bookworm
# main/Contents-amd64.gz, downloaded once (BENCH_CONTENTS=FILE: use that file instead).
set -euo pipefail
build=${1:?usage: store_size.sh BUILDDIR}
omgd=$build/omgd/omgd omg=$build/omg
url=${BENCH_CONTENTS_URL:-https://deb.debian.org/debian/dists/bookworm/main/Contents-amd64.gz}
work=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
export XDG_RUNTIME_DIR=$work/run OMG_SOCKET=$work/run/omg.sock OMG_AUTOSTART=0
mkdir -m 700 "$XDG_RUNTIME_DIR"

root=$work/root
mkdir -p "$root/etc" "$root/var/lib/apt" "$root/var/lib/dpkg"
cp -a /etc/apt "$root/etc/"
cp -a /etc/os-release "$root/etc/" 2>/dev/null || true
mkdir -p "$root/var/lib/apt/lists"
find /var/lib/apt/lists -maxdepth 1 -type f ! -name lock -exec cp -a {} "$root/var/lib/apt/lists/" \;
cp -a /var/lib/dpkg/. "$root/var/lib/dpkg/"
[ -f /var/lib/apt/extended_states ] && cp -a /var/lib/apt/extended_states "$root/var/lib/apt/"
# A file changed less than 1 s before omgd reads it is "racy" and never trusted from the store
# (architecture.md, "Warm start"): let the copies settle, as a machine's own files have.
sleep 1.2

# ready_rss: start omgd on the copy with store $1, wait until it is ready and its store writes
# are done (the audit log's head stops moving), print "rss_kib peak_kib", stop it
ready_rss() {
	"$omgd" --foreground --root "$root" --store "$1" --plan-ahead 0 --verify-every 0 \
		--socket "$OMG_SOCKET" --status "$work/run/omg.status" 2>>"$work/omgd.log" &
	pid=$!
	local i
	for i in $(seq 1 1200); do
		"$omg" --json status 2>/dev/null | grep -q '"ready":true' && break
		sleep 0.05
	done
	"$omg" --json status | grep -q '"ready":true' || { echo "omgd not ready" >&2; cat "$work/omgd.log" >&2; exit 1; }
	sleep 3 # the snapshot is stored after the first answer (architecture.md, "Store")
	# whether a Contents index is in use: a command of a package that is not installed
	"$omg" not-found "${BENCH_PROBE_CMD:-gimp}" 2>&1 | sed -n 2p | sed "s/^/  probe: omg not-found ${BENCH_PROBE_CMD:-gimp}: /" >&2 || true
	awk '/^VmRSS:/ { r = $2 } /^VmHWM:/ { h = $2 } END { print r, h }' "/proc/$pid/status"
	kill "$pid"
	wait "$pid" 2>/dev/null || true
	pid=
}

mib() { awk -v k="$1" 'BEGIN { if (k < 1024) printf "%d KiB", k; else printf "%.1f MiB", k / 1024 }'; }
bytes_mib() { awk -v b="$1" 'BEGIN { if (b < 1048576) printf "%d KiB", b / 1024; else printf "%.1f MiB", b / 1048576 }'; }

# measure LABEL: cold and warm RSS, store sizes
measure() {
	local store=$work/store-$1 cold warm
	cold=$(ready_rss "$store")
	sleep 1.2 # no source is racy any more: the warm start may trust the store
	warm=$(ready_rss "$store")
	local pk packages
	packages=$(grep -o "[0-9]* packages, [0-9]* versions" "$work/omgd.log" | tail -1 || true)
	echo "== $1"
	[ -n "$packages" ] && echo "  $packages"
	printf '  omgd RSS, ready after a cold build   %s (peak %s)\n' "$(mib "${cold% *}")" "$(mib "${cold#* }")"
	printf '  omgd RSS, ready after a warm start   %s (peak %s)\n' "$(mib "${warm% *}")" "$(mib "${warm#* }")"
	for pk in index audit; do
		printf '  store %-6s data.mdb %s apparent, %s on disk (du)\n' "$pk" \
			"$(bytes_mib "$(stat -c %s "$store/$pk/data.mdb")")" \
			"$(mib "$(du -k "$store/$pk/data.mdb" | cut -f1)")"
	done
	printf '  store in all (du -sh)              %s\n' "$(du -sh "$store" | cut -f1)"
}

echo "machine: $(nproc) cores, $(. /etc/os-release && echo "$PRETTY_NAME"), omgd $("$omgd" --version | cut -d' ' -f2)"
echo "lists: $(du -sh /var/lib/apt/lists | cut -f1), dpkg database $(du -sh /var/lib/dpkg | cut -f1)," \
	"$(grep -c '^Package: ' /var/lib/dpkg/status) dpkg status entries"
if ls /var/lib/apt/lists/*_Contents-* >/dev/null 2>&1; then
	echo "this machine's lists have Contents files (apt-file): measuring with them, then without"
	measure with-contents
	rm -f "$root"/var/lib/apt/lists/*_Contents-*
	sleep 1.2
	measure without-contents
else
	measure without-contents
	contents=${BENCH_CONTENTS:-$work/Contents-amd64.gz}
	if [ -z "${BENCH_CONTENTS:-}" ]; then
		curl -fsS --max-time 300 -o "$contents" "$url"
	fi
	cp "$contents" "$root/var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_main_Contents-amd64.gz"
	sleep 1.2
	echo "Contents: $url ($(bytes_mib "$(stat -c %s "$contents")") compressed, $(zcat "$contents" | wc -l) lines)"
	measure with-contents
fi
