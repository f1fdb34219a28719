#!/usr/bin/env bats
# omgd's life: one instance per socket, stale sockets, signals, peers of other users,
# load with hostile clients, the status file as the original system's shell snippet reads it.

load helpers

setup() {
	omg_setup
	"$FIXTURE" "$ROOT"
}

teardown() { stop_omgd; }

@test "the socket is 0600 in a 0700 directory; the status file is published" {
	start_omgd --root "$ROOT"
	[ "$(stat -c %a "$XDG_RUNTIME_DIR/omg.sock")" = 600 ]
	[ "$(stat -c %a "$XDG_RUNTIME_DIR")" = 700 ]
	[ "$(stat -L -c %s "$XDG_RUNTIME_DIR/omg.status")" = 32 ]
}

@test "the seed's od snippet reads the live counts" {
	start_omgd --root "$ROOT"
	read -r total explicit orphans updates <<< "$(od -An -j8 -N16 -tu4 "$XDG_RUNTIME_DIR/omg.status")"
	local s; s=$("$OMG" --json status)
	[ "$total" = "$(echo "$s" | json_field installed)" ]
	[ "$explicit" = "$(echo "$s" | json_field explicit)" ]
	[ "$orphans" = "$(echo "$s" | json_field orphans)" ]
	[ "$updates" = "$(echo "$s" | json_field updates)" ]
	[ "$(od -An -j0 -N4 -tx4 "$XDG_RUNTIME_DIR/omg.status" | tr -d ' ')" = 4f4d4753 ]
}

@test "a second daemon on the same socket refuses to start; the first keeps serving" {
	start_omgd --root "$ROOT"
	run "$OMGD" --foreground --root "$ROOT"
	[ "$status" -eq 0 ]
	[[ "$output" == *"already running"* ]]
	"$OMG" ping
}

@test "a stale socket left by a killed daemon is recovered" {
	start_omgd --root "$ROOT"
	kill -9 "$OMGD_PID"
	wait "$OMGD_PID" 2>/dev/null || true
	[ -S "$XDG_RUNTIME_DIR/omg.sock" ]
	run "$OMG" status
	[ "$status" -eq 3 ]
	start_omgd --root "$ROOT"
	"$OMG" ping
}

@test "SIGTERM stops cleanly and removes the socket and the status file" {
	start_omgd --root "$ROOT"
	kill -TERM "$OMGD_PID"
	wait "$OMGD_PID"
	[ ! -e "$XDG_RUNTIME_DIR/omg.sock" ]
	[ ! -e "$XDG_RUNTIME_DIR/omg.status" ]
	OMGD_PID=
}

@test "SIGHUP rebuilds the index (generation goes up)" {
	start_omgd --root "$ROOT"
	local g0; g0=$("$OMG" --json status | json_field generation)
	kill -HUP "$OMGD_PID"
	for i in $(seq 1 40); do
		[ "$("$OMG" --json status | json_field generation)" -gt "$g0" ] && break
		sleep 0.05
	done
	[ "$("$OMG" --json status | json_field generation)" -gt "$g0" ]
}

@test "the background mode returns when the index is ready" {
	"$OMGD" --root "$ROOT"
	run "$OMG" --json status
	[ "$status" -eq 0 ]
	[[ "$output" == *'"ready":true'* ]]
	kill "$(fuser "$XDG_RUNTIME_DIR/omg.sock.lock" 2>/dev/null | tr -d ' ')" 2>/dev/null ||
		pkill -f "omgd --root $ROOT"
}

@test "a bad option value is refused at once with exit 2, before omgd goes to the background" {
	local case opt val want
	while IFS='|' read -r opt val want; do
		for mode in --foreground ""; do
			run timeout 10 "$OMGD" $mode --root "$ROOT" "$opt" "$val"
			[ "$status" -eq 2 ] || { echo "$opt $val $mode: status $status: $output"; false; }
			[ "$output" = "omgd: $want" ] || { echo "$opt $val $mode: $output"; false; }
		done
	done <<-'EOF'
	--plan-ahead|x|--plan-ahead: 0 to 86400 seconds
	--plan-ahead|86401|--plan-ahead: 0 to 86400 seconds
	--verify-every|-1|--verify-every: 0 to 31622400 seconds
	--verify-after|1e3|--verify-after: 0 to 31622400 seconds
	--aur-timeout|abc|--aur-timeout: 0 (the default) to 60000 ms
	--aur-timeout|60001|--aur-timeout: 0 (the default) to 60000 ms
	--store-map-size|4096|--store-map-size: 65536 to 4294967296 bytes
	--audit-max|15K|--audit-max: 16384 bytes (16K) to 2048M
	--audit-max|1T|--audit-max: 16384 bytes (16K) to 2048M
	EOF
	OMG_IDLE_EXIT=soon run timeout 10 "$OMGD" --root "$ROOT"
	[ "$status" -eq 2 ]
	[ "$output" = "omgd: OMG_IDLE_EXIT: 0 to 31622400 seconds" ]
	run timeout 10 "$OMGD" --root "$ROOT" --plan-ahead
	[ "$status" -eq 2 ]
	[ "$output" = "omgd: --plan-ahead needs a value" ]
	# nothing was started: no socket, no daemon
	[ ! -e "$XDG_RUNTIME_DIR/omg.sock" ]
	run "$OMG" ping
	[ "$status" -eq 3 ]
}

@test "peers of another uid are refused by omgd, and a foreign omgd by the client" {
	[ "$(id -u)" = 0 ] || skip "needs root to act as another user"
	command -v setpriv >/dev/null || skip "setpriv missing"
	# inside make distcheck run by install.bats the build is in bats' private (0700) directory
	setpriv --reuid=65534 --regid=65534 --clear-groups test -x "$OMG" -a -x "$OMGD" ||
		skip "uid 65534 cannot reach this build's programs (a build in a private directory)"
	local dir; dir=$(mktemp -d /tmp/omg-shared-XXXXXX)
	chmod 777 "$dir"
	OMG_SOCKET=$dir/omg.sock start_omgd --root "$ROOT" --socket "$dir/omg.sock"
	chmod 666 "$dir/omg.sock"
	run setpriv --reuid=65534 --regid=65534 --clear-groups env OMG_SOCKET="$dir/omg.sock" "$OMG" ping
	[ "$status" -eq 3 ]
	stop_omgd
	# the other way round: omgd run by nobody, asked by root
	local nrun=$dir/nobody-run
	mkdir -p -m 700 "$nrun" && chown 65534:65534 "$nrun"
	# --no-store: nobody cannot use this test's store; its log is kept to say why it failed
	setpriv --reuid=65534 --regid=65534 --clear-groups env XDG_RUNTIME_DIR="$nrun" \
		"$OMGD" --foreground --no-store --socket "$dir/omg2.sock" 2>>"$BATS_TEST_TMPDIR/omgd.log" &
	local npid=$!
	# The socket file exists from bind(), before listen(), and a loaded machine may take
	# longer than the 5 s this waited: poll for the answer itself, 30 s at most.
	for i in $(seq 1 600); do
		run env OMG_SOCKET="$dir/omg2.sock" "$OMG" ping
		[[ "$output" == *"served by uid"* ]] && break
		kill -0 $npid 2>/dev/null || break
		sleep 0.05
	done
	kill $npid
	rm -rf "$dir"
	echo "$output"; cat "$BATS_TEST_TMPDIR/omgd.log"
	[ "$status" -eq 3 ]
	[[ "$output" == *"served by uid 65534"* ]]
}

@test "1000 concurrent clients with hostile ones: every good client answered, memory bounded" {
	start_omgd --root "$ROOT"
	run "$OMG_BUILDDIR/tests/load/omg_load" "$XDG_RUNTIME_DIR/omg.sock" "$OMGD_PID" 1000
	echo "$output"
	[ "$status" -eq 0 ]
	# and it still answers afterwards
	"$OMG" ping
	run "$OMG" --json metrics
	[[ "$output" == *'"connections_total":'* ]]
}

@test "malformed frames get an ERROR answer or a clean close, never a crash" {
	start_omgd --root "$ROOT"
	python3 - "$XDG_RUNTIME_DIR/omg.sock" <<'PY'
import socket, struct, sys
path = sys.argv[1]
def ask(raw):
    s = socket.socket(socket.AF_UNIX); s.settimeout(2); s.connect(path); s.sendall(raw)
    data = b""
    try:
        while len(data) < 12 or len(data) < 12 + struct.unpack("<I", data[:4])[0]:
            chunk = s.recv(65536)
            if not chunk: break
            data += chunk
    except socket.timeout:
        pass
    s.close()
    return data
def frame(t, payload=b"", v=1, flags=0, i=9):
    return struct.pack("<IBBHI", len(payload), v, t, flags, i) + payload
def err(data):
    assert len(data) >= 12 and data[5] == 0x7F, data
    return struct.unpack("<I", data[12:16])[0]
assert err(ask(frame(0x42))) == 3                      # unknown type
assert err(ask(frame(0x02, v=9))) == 2                 # version
assert err(ask(frame(0x02, flags=1))) == 1             # reserved flags
assert err(ask(frame(0x04, b"\x01\x00"))) == 4         # truncated SEARCH
assert err(ask(frame(0x03, b"\x00"))) == 4             # STATUS with a payload
assert err(ask(frame(0x05, struct.pack("<I", 3) + b"zzz\x00"))) == 5   # INFO unknown
big = struct.pack("<IBBHI", 1 << 20, 1, 4, 0, 1)
assert err(ask(big)) == 6                              # over the request limit
nested = struct.pack("<I", 1) + bytes([0x08]) + struct.pack("<I", 4) + struct.pack("<I", 0)
d = ask(frame(0x08, nested))                           # BATCH in a BATCH: item error
assert d[5] == 0x88 and d[16] == 0x7F, d
batch = struct.pack("<I", 2) + bytes([0x02]) + struct.pack("<I", 0) + bytes([0x03]) + struct.pack("<I", 0)
d = ask(frame(0x08, batch))
assert d[5] == 0x88 and struct.unpack("<I", d[12:16])[0] == 2 and d[16] == 0x82, d
PY
	"$OMG" ping
}
