#!/usr/bin/env bats
# omgd as a service: socket activation by systemd (systemd-socket-activate plays systemd's
# part: PID 1 here is not systemd), readiness by sd_notify, OMG_IDLE_EXIT, and the first
# command of a user whose omgd is not running.

load helpers

setup() {
	omg_setup
	LOG=$BATS_TEST_TMPDIR/omgd.log
	SOCK=$XDG_RUNTIME_DIR/omg.sock
}

teardown() { stop_omgd; }

wait_for() {
	local end=$(($(date +%s%N) / 1000000 + $1 * 1000)); shift
	until "$@"; do
		[ $(($(date +%s%N) / 1000000)) -lt "$end" ] || return 1
		sleep 0.02
	done
}
gone() { ! kill -0 "$1" 2>/dev/null || [ "$(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null)" = Z ]; }
exe_of() { readlink "/proc/$1/exe"; }
is_omgd() { [ "$(exe_of "$1")" = "$(readlink -f "$OMGD")" ] || [ "$(exe_of "$1")" = "$(readlink -f "$(dirname "$OMGD")/.libs/omgd")" ]; }

# activate ARGS...: systemd-socket-activate listens on $SOCK and runs omgd ARGS at the first
# connection, in its own process (LISTEN_PID is that pid), with only the variables named.
activate() {
	command -v systemd-socket-activate >/dev/null || skip "systemd-socket-activate (package systemd) not installed"
	systemd-socket-activate -l "$SOCK" -E XDG_RUNTIME_DIR -E XDG_CACHE_HOME -E PATH -E HOME "$@" 2>>"$LOG" &
	OMGD_PID=$!
	wait_for 5 test -S "$SOCK"
}

@test "socket activation: the first connection starts omgd, which answers; SIGTERM ends it with 0, the socket stays systemd's" {
	"$FIXTURE" "$ROOT"
	activate "$OMGD" --root "$ROOT" --no-store --plan-ahead 0 --verify-every 0
	# nothing has connected: no omgd yet, only the listener
	sleep 0.2
	! is_omgd "$OMGD_PID"
	wait_ready
	is_omgd "$OMGD_PID"
	grep -q "listening on $SOCK (from systemd)" "$LOG"
	run "$OMG" --json status
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | json_field installed)" = "$(oracle_total "$ROOT")" ]
	# the pid systemd started is omgd itself, in the foreground without being asked: the
	# status comes from it
	kill -TERM "$OMGD_PID"
	local rc=0
	wait "$OMGD_PID" || rc=$?
	OMGD_PID=
	[ "$rc" -eq 0 ]
	grep -q stopping "$LOG"
	# the socket is systemd's: left in place for the next start
	[ -S "$SOCK" ]
}

@test "socket activation: a datagram socket is refused with exit status 1, said" {
	"$FIXTURE" "$ROOT"
	activate --datagram "$OMGD" --root "$ROOT" --no-store
	python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM).sendto(b"x", sys.argv[1])' "$SOCK"
	local rc=0
	wait "$OMGD_PID" || rc=$?
	OMGD_PID=
	[ "$rc" -eq 1 ]
	grep -q "not a Unix stream socket" "$LOG"
}

@test "sd_notify: READY=1 reaches \$NOTIFY_SOCKET once the first index is built" {
	"$FIXTURE" "$ROOT"
	local n=$BATS_TEST_TMPDIR/notify
	# the manager's side: a datagram socket; what omgd sends is written, and whether omgd
	# answered ready at that moment
	python3 - "$n" "$OMG" > "$BATS_TEST_TMPDIR/got" <<'PY' &
import socket, subprocess, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(30)
msg = s.recv(256).decode()
st = subprocess.run([sys.argv[2], "--json", "status"], capture_output=True, text=True).stdout
print(msg, '"ready":true' in st)
PY
	local py=$!
	wait_for 5 test -S "$n"
	NOTIFY_SOCKET=$n "$OMGD" --foreground --root "$ROOT" --no-store --plan-ahead 0 --verify-every 0 2>>"$LOG" &
	OMGD_PID=$!
	wait "$py"
	[ "$(cat "$BATS_TEST_TMPDIR/got")" = "READY=1 True" ]
}

# the pid of the omgd that serves $SOCK (it says so), or nothing
served_by() { "$OMG" daemon status 2>/dev/null | sed -n 's/^omgd is running (pid \([0-9]*\),.*/\1/p'; }
# stop_started PID: an omgd this shell did not start (autostarted): SIGTERM, gone within 2 s
stop_started() {
	kill -TERM "$1"
	wait_for 2 gone "$1"
}

@test "without systemd: the first command starts omgd, waits for it and answers (this system's counts)" {
	[ -s /var/lib/dpkg/status ] || skip "needs a Debian system"
	run env OMG_AUTOSTART=1 OMG_OMGD="$OMGD" "$OMG" --json status
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | json_field ready)" = true ]
	[ "$(echo "$output" | json_field installed)" = "$(oracle_total)" ]
	local pid; pid=$(served_by)
	[ -n "$pid" ]
	is_omgd "$pid"
	stop_started "$pid"
}

@test "without systemd: the runtime directory does not exist yet: made by omgd, the command answers" {
	[ -s /var/lib/dpkg/status ] || skip "needs a Debian system"
	[ ! -d "/run/user/$(id -u)" ] || skip "/run/user/$(id -u) exists: the runtime directory would be that one"
	unset XDG_RUNTIME_DIR
	export TMPDIR=$BATS_TEST_TMPDIR/tmp
	mkdir "$TMPDIR"
	run env OMG_AUTOSTART=1 OMG_OMGD="$OMGD" "$OMG" status
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"installed   $(oracle_total)"* ]]
	[ "$(stat -c %a "$TMPDIR/omg-$(id -u)")" = 700 ]
	local pid; pid=$(served_by)
	[ -n "$pid" ]
	stop_started "$pid"
}

@test "without systemd: in bash, the builtin's first command starts omgd and answers" {
	require_modules
	[ -s /var/lib/dpkg/status ] || skip "needs a Debian system"
	run env OMG_AUTOSTART=1 OMG_OMGD="$OMGD" bash --norc --noprofile -c \
		'enable -f "$1" omg && type -t omg && omg status | head -1' _ "$BASH_MODULE"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = builtin ]
	[ "${lines[1]}" = "installed   $(oracle_total)" ]
	local pid; pid=$(served_by)
	[ -n "$pid" ]
	stop_started "$pid"
}

@test "without systemd: OMG_AUTOSTART=0 starts nothing (exit 3, said); completion and omg daemon status do not wait" {
	run env OMG_AUTOSTART=0 OMG_OMGD="$OMGD" "$OMG" status
	[ "$status" -eq 3 ]
	[[ "$output" == *"omgd is not running"* ]]
	[ -z "$(served_by)" ]
	run env OMG_AUTOSTART=0 "$OMG" daemon status
	[ "$status" -eq 3 ]
	[ ! -e "$SOCK" ]
}

@test "OMG_IDLE_EXIT=2: omgd exits 2 s after its last client has gone, not while one is connected; exit 0, the socket removed" {
	"$FIXTURE" "$ROOT"
	OMG_IDLE_EXIT=2 "$OMGD" --foreground --root "$ROOT" --no-store --plan-ahead 0 --verify-every 0 2>>"$LOG" &
	OMGD_PID=$!
	wait_ready
	# a client that stays connected for 4 s
	python3 -c 'import socket, sys, time
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); time.sleep(4)' "$SOCK" &
	local held=$!
	sleep 3
	kill -0 "$OMGD_PID"
	wait "$held"
	local t0; t0=$(date +%s%N)
	wait_for 5 gone "$OMGD_PID"
	local ms=$((($(date +%s%N) - t0) / 1000000))
	echo "exited $ms ms after the last client went"
	[ "$ms" -ge 1500 ]
	local rc=0
	wait "$OMGD_PID" || rc=$?
	OMGD_PID=
	[ "$rc" -eq 0 ]
	grep -q "no client for 2 s (OMG_IDLE_EXIT): exiting" "$LOG"
	[ ! -e "$SOCK" ]
}

@test "OMG_IDLE_EXIT: not a number of seconds: omgd refuses to start (exit 2)" {
	run env OMG_IDLE_EXIT=soon "$OMGD" --foreground --no-store
	[ "$status" -eq 2 ]
	[[ "$output" == *"OMG_IDLE_EXIT"* ]]
}
