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
