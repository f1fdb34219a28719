#!/usr/bin/env bash
# system_memory.sh BUILDDIR [USERS] — the memory one system daemon (omgd --system) saves on a
# machine with USERS (default 20) users, against each user running an omgd of their own.
#
# On this machine's real package data (/): USERS throwaway system users (useradd, removed at
# the end), each with its own omgd (its own runtime directory and store, as a login would
# have), all ready and each asked a few questions; then the same users served by one
# omgd --system. Figures are the daemons' own: RSS and PSS (/proc/PID/smaps_rollup: a page
# shared by N processes counts 1/N in each), summed over the daemons. Both sides run with
# --plan-ahead 0 --verify-every 0 (no apt-get -s and no verification in the background
# while measured). Needs root. Every process and user it makes is removed on exit.
set -euo pipefail
build=$(cd "${1:?usage: system_memory.sh BUILDDIR [USERS]}" && pwd)
users=${2:-20}
omgd=$build/omgd/omgd
omg=$build/omg
[ "$(id -u)" = 0 ] || { echo "system_memory.sh: needs root (useradd, setpriv)" >&2; exit 2; }
work=$(mktemp -d /tmp/omg-sysmem.XXXXXX)
chmod 755 "$work"
pids=()
made=()

cleanup() {
	local p u
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${pids[@]}"; do
		for _ in $(seq 1 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.05; done
		kill -9 "$p" 2>/dev/null || true
	done
	for u in "${made[@]}"; do userdel "$u" 2>/dev/null || true; done
	rm -rf "$work"
}
trap cleanup EXIT

# kib PID FIELD: a smaps_rollup field (Rss, Pss) of PID, in KiB
kib() { awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/smaps_rollup"; }

# as UID CMD...: CMD as that user, with its own runtime directory and cache
as() {
	local u=$1; shift
	setpriv --reuid="$u" --regid="$u" --clear-groups env -i PATH=/usr/bin:/bin HOME="$work/$u" \
		XDG_RUNTIME_DIR="$work/$u/run" XDG_CACHE_HOME="$work/$u/cache" OMG_SYSTEM_DIR="$work/system" \
		OMG_AUTOSTART=0 "$@"
}

# ready UID: until that user's omg says its omgd is ready (120 s: 20 indexes on 2 cores)
ready() {
	for _ in $(seq 1 1200); do
		as "$1" "$omg" --json status 2>/dev/null | grep -q '"ready":true' && return 0
		sleep 0.1
	done
	echo "omgd of uid $1 not ready" >&2
	return 1
}

questions() { as "$1" "$omg" status >/dev/null; as "$1" "$omg" search lib >/dev/null 2>&1; as "$1" "$omg" info bash >/dev/null; }

uids=()
for i in $(seq -w 1 "$users"); do
	name=omgbench$i
	useradd --system --no-create-home --shell /usr/sbin/nologin "$name"
	made+=("$name")
	u=$(id -u "$name")
	uids+=("$u")
	mkdir -p -m 700 "$work/$u/run" "$work/$u/cache"
	chown -R "$u:$u" "$work/$u"
done

# 1. an omgd per user, started one after another (each builds its index from /)
for u in "${uids[@]}"; do
	(exec setpriv --reuid="$u" --regid="$u" --clear-groups env -i PATH=/usr/bin:/bin HOME="$work/$u" \
		XDG_RUNTIME_DIR="$work/$u/run" XDG_CACHE_HOME="$work/$u/cache" \
		"$omgd" --foreground --plan-ahead 0 --verify-every 0) 2>>"$work/user-omgd.log" &
	pids+=($!)
	ready "$u"
done
for u in "${uids[@]}"; do questions "$u"; done
user_rss=0 user_pss=0
for p in "${pids[@]}"; do
	user_rss=$((user_rss + $(kib "$p" Rss)))
	user_pss=$((user_pss + $(kib "$p" Pss)))
done
for p in "${pids[@]}"; do kill "$p"; done
for p in "${pids[@]}"; do
	for _ in $(seq 1 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.05; done
done
pids=()

# 2. one omgd --system for the same users
"$omgd" --system --foreground --runtime-dir "$work/system" --store "$work/system-store" \
	--plan-ahead 0 --verify-every 0 2>>"$work/system-omgd.log" &
sys=$!
pids+=("$sys")
for u in "${uids[@]}"; do ready "$u"; done
for u in "${uids[@]}"; do questions "$u"; done
# every answer above must have come from the system daemon: no omgd of these users runs
for f in $(grep -lsF "XDG_RUNTIME_DIR=$work/" /proc/[0-9]*/environ); do
	p=${f#/proc/}; p=${p%/environ}
	[ "$(cat "/proc/$p/comm" 2>/dev/null)" != omgd ] || { echo "a user omgd ran during part 2" >&2; exit 1; }
done
sys_rss=$(kib "$sys" Rss)
sys_pss=$(kib "$sys" Pss)

printf 'machine: %s, %s CPUs, %s installed packages (%s)\n' "$(uname -r)" "$(nproc)" \
	"$(dpkg-query -W -f '${db:Status-Status}\n' 2>/dev/null | grep -cx installed)" "$(. /etc/os-release && echo "$PRETTY_NAME")"
printf '%-32s %10s %10s\n' "" "RSS MiB" "PSS MiB"
printf '%-32s %10.1f %10.1f\n' "$users user omgd (sum)" "$(echo "$user_rss / 1024" | bc -l)" "$(echo "$user_pss / 1024" | bc -l)"
printf '%-32s %10.1f %10.1f\n' "one omgd --system" "$(echo "$sys_rss / 1024" | bc -l)" "$(echo "$sys_pss / 1024" | bc -l)"
printf '%-32s %10.1f %10.1f\n' "ratio (users / system)" "$(echo "$user_rss / $sys_rss" | bc -l)" "$(echo "$user_pss / $sys_pss" | bc -l)"
printf '%-32s %10.1f %10.1f\n' "saved" "$(echo "($user_rss - $sys_rss) / 1024" | bc -l)" "$(echo "($user_pss - $sys_pss) / 1024" | bc -l)"
