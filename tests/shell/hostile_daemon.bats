#!/usr/bin/env bats
# omgd under hostile conditions (issue 16): FIFOs for package data, no descriptors left, its
# socket or runtime directory removed, inherited descriptors, a restart right after kill -9.

load helpers

setup() {
	omg_setup
	"$FIXTURE" "$ROOT"
	LOG=$BATS_TEST_TMPDIR/omgd.log
}

teardown() {
	[ -z "${FIFO_PID:-}" ] || kill "$FIFO_PID" 2>/dev/null || true
	# a wedged daemon (the bugs these tests are for) must not wedge the suite too
	if [ -n "${OMGD_PID:-}" ] && kill -TERM "$OMGD_PID" 2>/dev/null && ! wait_for 2 gone "$OMGD_PID"; then
		kill -9 "$OMGD_PID" 2>/dev/null || true
	fi
	stop_omgd
}

# wait_for SECONDS CMD...: until CMD succeeds, polling every 20 ms; fails after SECONDS.
wait_for() {
	local end=$(($(date +%s%N) / 1000000 + $1 * 1000)); shift
	until "$@"; do
		[ $(($(date +%s%N) / 1000000)) -lt "$end" ] || return 1
		sleep 0.02
	done
}
# gone PID: exited (a zombie left to a subreaper that does not reap counts as gone)
gone() { ! kill -0 "$1" 2>/dev/null || [ "$(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null)" = Z ]; }
logged() { grep -qF -- "$1" "$LOG"; }
# the fairness tests use this system's own package data: the fixture is too small to make a
# search heavy
need_system_lists() {
	[ -s /var/lib/dpkg/status ] && [ -n "$(ls /var/lib/apt/lists/*Packages* 2>/dev/null)" ] ||
		skip "needs a Debian system with package lists"
}

# stop_within_1s PID: SIGTERM, then the process must be gone within a second.
stop_within_1s() {
	local t0; t0=$(date +%s%N)
	kill -TERM "$1"
	wait_for 1 gone "$1"
	echo "stopped in $((($(date +%s%N) - t0) / 1000000)) ms"
}

@test "dpkg's status as a FIFO: the build fails and says so at once; SIGTERM ends omgd within 1 s" {
	rm "$ROOT/var/lib/dpkg/status" && mkfifo "$ROOT/var/lib/dpkg/status"
	"$OMGD" --foreground --no-store --root "$ROOT" 2>>"$LOG" &
	OMGD_PID=$!
	wait_for 5 logged "$ROOT/var/lib/dpkg/status is not a regular file"
	run "$OMG" --json status
	[[ "$output" != *'"refreshing":true'* ]]
	stop_within_1s "$OMGD_PID"
	OMGD_PID=
}

@test "the build thread stuck (frozen with ptrace, as in a hung file system): SIGTERM still ends omgd within 1 s" {
	[ "$(id -u)" = 0 ] || [ "$(cat /proc/sys/kernel/yama/ptrace_scope 2>/dev/null || echo 0)" = 0 ] ||
		skip "ptrace of a sibling process not allowed here"
	start_omgd --no-store
	"$OMG_SRCDIR/tests/tools/freeze-threads" "$OMGD_PID" > "$BATS_TEST_TMPDIR/freeze" 3>&- &
	FIFO_PID=$!
	wait_for 5 grep -q frozen "$BATS_TEST_TMPDIR/freeze"
	[ "$(cat "$BATS_TEST_TMPDIR/freeze")" != "frozen 0" ]
	kill -HUP "$OMGD_PID" # a rebuild the frozen thread never takes
	"$OMG" ping >/dev/null # the event loop still serves
	stop_within_1s "$OMGD_PID"
	OMGD_PID=
	logged "the index build is stuck: exiting without it"
	[ ! -e "$XDG_RUNTIME_DIR/omg.sock" ]
}

@test "a FIFO in apt.conf.d is skipped with a log line; omgd serves" {
	mkfifo "$ROOT/etc/apt/apt.conf.d/60fifo"
	start_omgd --no-store --root "$ROOT"
	logged "$ROOT/etc/apt/apt.conf.d/60fifo skipped: not a regular file"
	"$OMG" ping
	stop_within_1s "$OMGD_PID"
	OMGD_PID=
}

@test "out of descriptors (EMFILE): omgd stops accepting, stays idle, logs a few lines, recovers" {
	command -v prlimit >/dev/null || skip "prlimit missing"
	prlimit --nofile=40:40 "$OMGD" --foreground --no-store --root "$ROOT" 2>>"$LOG" &
	OMGD_PID=$!
	wait_ready
	# 100 connections held open: omgd runs out of descriptors accepting them
	python3 - "$XDG_RUNTIME_DIR/omg.sock" "$OMGD_PID" "$BATS_TEST_TMPDIR/held" <<'PY' &
import os, socket, sys, time
socks = []
for _ in range(100):
    s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); socks.append(s)
open(sys.argv[3], "w").close()
time.sleep(3)
PY
	FIFO_PID=$!
	wait_for 5 test -e "$BATS_TEST_TMPDIR/held"
	wait_for 5 logged "accept: Too many open files"
	# CPU used by omgd over 2 s while the backlog stays full
	local t0 t1; t0=$(awk '{print $14 + $15}' "/proc/$OMGD_PID/stat")
	sleep 2
	t1=$(awk '{print $14 + $15}' "/proc/$OMGD_PID/stat")
	echo "cpu ticks in 2 s: $((t1 - t0)); log lines: $(wc -l < "$LOG")"
	[ $((t1 - t0)) -lt 40 ]            # under 20 % of a core (100 ticks a second)
	[ "$(wc -l < "$LOG")" -lt 20 ]
	wait "$FIFO_PID"; FIFO_PID=
	# the held clients are gone: descriptors are free again
	wait_for 5 "$OMG" ping
}

@test "the socket removed: omgd exits, and a new one starts" {
	start_omgd --no-store --root "$ROOT"
	rm "$XDG_RUNTIME_DIR/omg.sock"
	wait_for 3 gone "$OMGD_PID"
	logged "omg.sock: it was removed or replaced: exiting"
	start_omgd --no-store --root "$ROOT"
	"$OMG" ping
}

@test "the runtime directory removed and made again (logout, login): the old omgd exits" {
	start_omgd --no-store --root "$ROOT"
	local old=$OMGD_PID
	rm -rf "$XDG_RUNTIME_DIR" && mkdir -m 700 "$XDG_RUNTIME_DIR"
	wait_for 3 gone "$old"
	logged "its directory was removed or replaced: exiting"
	start_omgd --no-store --root "$ROOT"
	"$OMG" ping
}

@test "inherited descriptors are closed: a pipe on fd 3 does not keep the caller waiting" {
	# the daemon in the background, with the caller's pipe on fd 3: cat must see its end
	run timeout 10 bash -c '"$1" --no-store --root "$2" 3>&1 | cat' _ "$OMGD" "$ROOT"
	[ "$status" -eq 0 ]
	OMGD_PID=$(pgrep -f "omgd --no-store --root $ROOT" | head -1)
	[ -n "$OMGD_PID" ]
	# what omgd holds: only its own descriptors, none of them the pipe
	! ls -l "/proc/$OMGD_PID/fd" | grep -q 'pipe:'
	stop_within_1s "$OMGD_PID"
	OMGD_PID=
}

@test "autostart: 'exec 3>&1; omg status | cat' ends (the autostarted omgd does not hold fd 3)" {
	# fd 3 is the pipe cat reads: cat ends only when every copy of it is closed
	run timeout 10 env OMG_AUTOSTART=1 OMG_OMGD="$OMGD" \
		bash -c '{ exec 3>&1; "$1" status >/dev/null 2>&1; } | cat' _ "$OMG"
	OMGD_PID=$(wait_for 10 grep -q 'omgd\[' "$XDG_RUNTIME_DIR/omgd.log" &&
		   grep -o 'omgd\[[0-9]*\]' "$XDG_RUNTIME_DIR/omgd.log" | head -1 | tr -dc 0-9)
	[ -n "$OMGD_PID" ]
	[ "$status" -eq 0 ]
	! ls -l "/proc/$OMGD_PID/fd" | grep -q 'pipe:'
	stop_within_1s "$OMGD_PID"
	OMGD_PID=
}

@test "a restart right after kill -9 takes the lock (10 rounds)" {
	start_omgd --no-store --root "$ROOT"
	for i in $(seq 1 10); do
		kill -9 "$OMGD_PID"
		"$OMGD" --foreground --no-store --root "$ROOT" 2>>"$LOG" &
		local new=$!
		wait "$OMGD_PID" 2>/dev/null || true
		OMGD_PID=$new
		wait_ready
	done
	! logged "already running"
}

@test "the lock held by something that does not answer: exit status 1, said" {
	flock "$XDG_RUNTIME_DIR/omg.sock.lock" sleep 30 &
	FIFO_PID=$!
	wait_for 2 test -e "$XDG_RUNTIME_DIR/omg.sock.lock"
	sleep 0.1 # flock(1) creates the file, then takes the lock
	run "$OMGD" --foreground --no-store --root "$ROOT"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"is held by a process that does not answer"* ]]
}

@test "40 pipelined batches of 100 large searches on one connection: other clients wait < 0.5 s" {
	need_system_lists
	start_omgd --no-store
	run timeout 120 python3 "$OMG_SRCDIR/tests/load/fairness.py" "$XDG_RUNTIME_DIR/omg.sock" 40
	echo "$output"
	[ "$status" -eq 0 ]
	local worst; worst=$(sed -n 's/.*worst \([0-9]*\)\..*/\1/p' <<< "$output")
	[ "$worst" -lt 500 ]
}

@test "one batch of 100 searches (each several ms) is answered a slice at a time: a PING waits < 150 ms" {
	need_system_lists
	start_omgd --no-store
	# "a" matches nearly every package: each search scans the whole index, the batch fits a frame
	run timeout 120 python3 "$OMG_SRCDIR/tests/load/fairness.py" "$XDG_RUNTIME_DIR/omg.sock" 3 a 20
	echo "$output"
	[ "$status" -eq 0 ]
	local worst; worst=$(sed -n 's/.*worst \([0-9]*\)\..*/\1/p' <<< "$output")
	[ "$worst" -lt 150 ]
	# the whole batch took far longer than that: the test measured something
	local avg; avg=$("$OMG" metrics | awk '$1 == "batch_ns_avg" { print int($2 / 1000000) }')
	echo "batch: $avg ms"
	[ "$avg" -ge 150 ]
}

@test "a batch of 100 searches does not hold up another client's SEARCH either (not only PING)" {
	need_system_lists
	start_omgd --no-store
	run timeout 120 python3 "$OMG_SRCDIR/tests/load/fairness.py" "$XDG_RUNTIME_DIR/omg.sock" 2 a 20 search
	echo "$output"
	[ "$status" -eq 0 ]
	local worst p95
	worst=$(sed -n 's/.*worst \([0-9]*\)\..*/\1/p' <<< "$output")
	p95=$(sed -n 's/.*p95 \([0-9]*\)\..*/\1/p' <<< "$output")
	# A search of this machine's index takes a few ms, a batch hundreds: a search that waited
	# for batches would take that long nearly every time (832 ms before the fix). One slow
	# round trip under a loaded 2-core machine is the scheduler's (299 ms once in 30 runs with
	# a benchmark beside the suites), so the bound is on the 95th percentile.
	[ "$p95" -lt 150 ]
	[ "$worst" -lt 1000 ]
}

@test "a batch ends while the index is rebuilt every 0.2 s (it starts again once, then finishes)" {
	need_system_lists
	start_omgd --no-store
	( for i in $(seq 1 100); do kill -HUP "$OMGD_PID" 2>/dev/null || exit 0; sleep 0.2; done ) 3>&- &
	FIFO_PID=$!
	# one batch alone: about 0.5 s here; before, it ended only when the rebuilds stopped (20 s)
	run timeout 60 python3 "$OMG_SRCDIR/tests/load/fairness.py" "$XDG_RUNTIME_DIR/omg.sock" 1 a 20
	echo "$output"
	[ "$status" -eq 0 ]
	local took; took=$(sed -n 's/.*batches \([0-9]*\) ms.*/\1/p' <<< "$output")
	kill "$FIFO_PID" 2>/dev/null || true
	[ "$took" -lt 10000 ]
}

@test "500 connections that ask and never read: PING answers < 0.5 s, a reader's search is served, memory bounded" {
	need_system_lists
	ulimit -n 4096 2>/dev/null || skip "cannot open 500 connections here"
	start_omgd --no-store
	run timeout 120 python3 "$OMG_SRCDIR/tests/load/flood.py" "$XDG_RUNTIME_DIR/omg.sock" 500 "$OMGD_PID" "$LOG"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == "connections 500 "* ]]
	local ping rss
	ping=$(sed -n 's/.*worst ping \([0-9]*\)\..*/\1/p' <<< "$output")
	rss=$(sed -n 's/.*peak rss \([0-9]*\) MiB.*/\1/p' <<< "$output")
	[ "$ping" -lt 500 ]
	# 500 answers of ~1 MB each would be 500 MB: the unsent answers are capped at 64 MiB
	# (ASan's quarantine keeps up to 256 MiB of freed memory on top)
	if grep -qa __asan_init "$OMGD"; then [ "$rss" -lt 700 ]; else [ "$rss" -lt 300 ]; fi
	logged "did not read their answers dropped"
}

@test "a FIFO as preferences, in preferences.d or sources.list.d is skipped, not waited on (the build hung); apt skips them too" {
	mkfifo "$ROOT/etc/apt/preferences" "$ROOT/etc/apt/preferences.d/x.pref" "$ROOT/etc/apt/sources.list.d/x.list"
	start_omgd --no-store --root "$ROOT"
	[ "$("$OMG" --json status | json_field installed)" = "$(oracle_total "$ROOT")" ]
	stop_within_1s "$OMGD_PID"
	OMGD_PID=
}

@test "a 100,000-character package pattern in a pin (omg info's pin text overflowed its buffer: SIGSEGV)" {
	{ printf 'Package: /^bp-pkg$|'; head -c 100000 /dev/zero | tr '\0' x; printf '/\nPin: version 2.0*\nPin-Priority: 900\n'; } \
		> "$ROOT/etc/apt/preferences"
	start_omgd --no-store --root "$ROOT"
	run "$OMG" info bp-pkg
	[ "$status" -eq 0 ]
	[[ "$output" == *"Candidate-Pin: 900 (Package: /^bp-pkg"* ]]
	diff <("$OMG" policy bp-pkg) <(env $(apt_env "$ROOT") apt-cache policy bp-pkg)
	"$OMG" ping
}
