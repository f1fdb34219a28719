#!/usr/bin/env bats
# The client's side of the socket: a full accept queue is waited for within the deadline
# and said as such (issue 16.15).

load helpers

setup() {
	omg_setup
	"$FIXTURE" "$ROOT"
	start_omgd --root "$ROOT"
}

teardown() {
	[ -z "${FILLER_PID:-}" ] || kill "$FILLER_PID" 2>/dev/null || true
	kill -CONT "$OMGD_PID" 2>/dev/null || true
	stop_omgd
}

@test "a full accept queue: the client waits within its deadline and says the queue is full" {
	kill -STOP "$OMGD_PID"
	# connections nobody accepts, until the kernel refuses more (EAGAIN)
	python3 -c '
import socket, sys, time
held = []
while True:
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.setblocking(False)
    try:
        s.connect(sys.argv[1])
    except BlockingIOError:
        break
    held.append(s)
print(len(held), flush=True)
time.sleep(60)' "$XDG_RUNTIME_DIR/omg.sock" > "$BATS_TEST_TMPDIR/held" 3>&- &
	FILLER_PID=$!
	for i in $(seq 1 100); do [ -s "$BATS_TEST_TMPDIR/held" ] && break; sleep 0.05; done
	[ "$(cat "$BATS_TEST_TMPDIR/held")" -gt 0 ]
	local t0=$EPOCHREALTIME
	run "$OMG" --timeout 300 status
	local ms=$(( (${EPOCHREALTIME/./} - ${t0/./}) / 1000 ))
	echo "$output ($ms ms)"
	[ "$status" -eq 3 ]
	[[ "$output" == *"did not accept the connection within 300 ms (its queue is full)"* ]]
	[[ "$output" != *"uid 4294967295"* ]]
	[ "$ms" -ge 250 ]
	# the queue drains once omgd runs again, and the same command answers
	kill "$FILLER_PID"; FILLER_PID=
	kill -CONT "$OMGD_PID"
	run "$OMG" --timeout 2000 status
	[ "$status" -eq 0 ]
}

# Issue 16.18: autostart starts the omgd of the build that asks, never the one installed on
# the machine (a test run once left the installed omgd running after the suite).
@test "autostart from the build tree starts the build's omgd, and the test ends it" {
	stop_omgd
	# the command waits for the omgd it starts and answers (issue 15; it said "starting it
	# in the background" and exited 3 before), unless the index takes longer than 5 s
	run env -u OMG_OMGD OMG_AUTOSTART=1 "$OMG" status
	[ "$status" -eq 0 ] || [[ "$status" -eq 3 && "$output" == *"starting it in the background"* ]]
	local pid= i
	# the daemon on this test's socket says its pid (it indexes this machine: allow 30 s)
	for i in $(seq 1 300); do
		pid=$("$OMG" daemon status 2>/dev/null | sed -n 's/^omgd is running (pid \([0-9]*\),.*/\1/p')
		[ -n "$pid" ] && break
		sleep 0.1
	done
	[ -n "$pid" ]
	local exe; exe=$(readlink "/proc/$pid/exe")
	kill "$pid"
	# It is not this shell's child: wait until it has gone, or its last store writes race
	# bats' removal of the test directory ("Directory not empty": 1 run in 15 under load).
	for i in $(seq 1 200); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	! kill -0 "$pid" 2>/dev/null
	echo "started: $exe"
	[ "$exe" = "$(readlink -f "$OMGD")" ] || [ "$exe" = "$(readlink -f "$(dirname "$OMGD")/.libs/omgd")" ]
}
