#!/usr/bin/env bats
# The actions under hostile conditions (act_helpers.bash's real bookworm root): a run that
# the terminal tries to stop, a caller that ignores SIGCHLD, a reader that goes away in the
# middle of a run, a plan whose .deb changes, an omgd stopped while apt-get -s hangs.

load helpers
load act_helpers

setup() {
	omg_setup
	act_root_setup
	start_omgd --root "$ROOT"
}
teardown() {
	tmux -L "${TMUX_SOCK:-none}" kill-server 2>/dev/null || true
	stop_omgd
	act_root_teardown
}

# slow_dpkg SECONDS: apt sleeps SECONDS before each dpkg run (a DPkg::Pre-Invoke hook, run
# by sh in apt-get's process group), so a test can act while the change is under way
slow_dpkg() {
	echo "DPkg::Pre-Invoke { \"sleep $1\"; };" > "$ROOT/etc/apt/apt.conf.d/99omgtest-slow"
}

# no_half_done: dpkg has nothing half-done and apt's last run ended without an error
no_half_done() {
	[ -z "$(in_root dpkg --audit)" ] || { in_root dpkg --audit; return 1; }
	! tail -3 "$ROOT/var/log/apt/history.log" | grep -q "^Error:" || { tail -5 "$ROOT/var/log/apt/history.log"; return 1; }
}

@test "Ctrl-Z in a nested interactive bash, output to a file: the run goes on and the shell comes back" {
	require_modules
	command -v tmux >/dev/null || skip "tmux missing"
	slow_dpkg 3
	TMUX_SOCK=omg-acth-$$-$BATS_TEST_NUMBER
	tmux -L "$TMUX_SOCK" new-session -d -s t -x 150 -y 40 \
		env -i HOME="$BATS_TEST_TMPDIR" TERM=xterm PATH="$OMG_BUILDDIR:/usr/sbin:/usr/bin:/sbin:/bin" \
		XDG_RUNTIME_DIR="$XDG_RUNTIME_DIR" XDG_CACHE_HOME="$XDG_CACHE_HOME" OMG_AUTOSTART=0 bash --norc --noprofile -i
	# a shell started by a shell (the usual su, sudo -s, a terminal's nested shell): its
	# process group is not orphaned, so the terminal's SIGTSTP stops what runs in it
	type_line "bash --norc --noprofile -i"
	type_line "enable -f '$BASH_MODULE' omg; PS1='in> '"
	wait_screen "in>"
	type_line "omg install -y omgtest-app > '$BATS_TEST_TMPDIR/out' 2>&1; echo status=\$?"
	for i in $(seq 1 100); do pgrep -f "^sleep 3$" > /dev/null && break; sleep 0.05; done
	pgrep -f "^sleep 3$" > /dev/null
	keys C-z
	for i in $(seq 1 600); do screen | grep -qE "(^|Z)status=[0-9]" && break; sleep 0.1; done
	screen | grep -qE "(^|Z)status=0" || { screen; cat "$BATS_TEST_TMPDIR/out"; ps -o pid,stat,cmd -e | grep -E "apt|dpkg|sleep" >&2; false; }
	[ "$(root_state omgtest-app)" = installed ]
	type_line "echo alive-\$((2+2))"
	wait_screen "alive-4"
}

@test "a caller that ignores SIGCHLD: a failed run is still reported as failed, not as done" {
	run python3 -c 'import os, signal, sys
signal.signal(signal.SIGCHLD, signal.SIG_IGN)
os.execv(sys.argv[1], sys.argv[1:])' "$OMG" install -y omgtest-fails
	[ "$status" -eq 6 ] || { echo "$output"; false; }
	[[ "$output" == *"Failed: apt-get exited with status 100"* ]]
	eventually_shows '*result: exit 100*' "$OMG" audit log
}

@test "bash builtin, its reader gone in the middle of the run (| head): apt is not killed half-way" {
	require_modules
	slow_dpkg 2
	# the reader takes the plan's first line, then goes while apt sleeps before dpkg
	run in_bash "omg install -y omgtest-app omgtest-noisy | python3 -c 'import sys, time
sys.stdin.readline(); time.sleep(1)'; echo done"
	echo "$output"
	[[ "$output" == *done* ]]
	for i in $(seq 1 100); do pgrep -f "apt-get -y -o APT::Status-Fd=3" > /dev/null || break; sleep 0.1; done
	no_half_done
	[ "$(root_state omgtest-app)" = installed ] && [ "$(root_state omgtest-noisy)" = installed ]
	eventually_shows '*install -- omgtest-app omgtest-noisy*result: exit 0*' "$OMG" audit log
}

# local_deb VERSION [DEPENDS]: omgtest-local VERSION built into ROOT/tmp/omgtest-local.deb,
# a path that means the same file outside the root and inside it (apt-get runs inside by
# chroot, omg and omgd take the path outside): ROOT's own path, inside, leads to /
local_deb() {
	mkdir -p "$ROOT/tmp/local/DEBIAN" "$ROOT$(dirname "$ROOT")"
	[ -e "$ROOT$ROOT" ] || ln -s / "$ROOT$ROOT"
	printf 'Package: omgtest-local\nVersion: %s\nArchitecture: all\nMaintainer: t <t@example.org>\nDescription: local\n%s' \
		"$1" "${2:+Depends: $2
}" > "$ROOT/tmp/local/DEBIAN/control"
	in_root dpkg-deb -b /tmp/local /tmp/omgtest-local.deb > /dev/null
}

@test "a local .deb: the plan is the file's as it is now (a plan for the same path is not reused)" {
	local_deb 1.0
	run "$OMG" --json install -s "$ROOT/tmp/omgtest-local.deb"
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	[[ "$output" == *'"package":"omgtest-local"'*'"to":"1.0"'* ]] || { echo "$output"; false; }
	[[ "$output" != *omgtest-app* ]]
	# the same path, another package in it: 2.0, which needs omgtest-app
	local_deb 2.0 omgtest-app
	in_root apt-get -s install /tmp/omgtest-local.deb | grep -q "^Inst omgtest-app"
	run "$OMG" --json install -s "$ROOT/tmp/omgtest-local.deb"
	[[ "$output" == *'"to":"2.0"'* && "$output" == *omgtest-app* ]] || { echo "$output"; false; }
}

@test "what was asked for is shown as asked for: a local .deb, NAME:ARCH of an arch-all package" {
	local_deb 1.0 omgtest-app
	run "$OMG" install -s "$ROOT/tmp/omgtest-local.deb"
	[[ "$output" == "Installing:"*"omgtest-local 1.0"*"Installing dependencies:"*"omgtest-app"* ]] || { echo "$output"; false; }
	run "$OMG" --json install -s "$ROOT/tmp/omgtest-local.deb"
	[[ "$output" == *'"package":"omgtest-local"'*'"requested":true,"automatic":false'* ]] || { echo "$output"; false; }
	run "$OMG" install -s omgtest-lib:amd64
	[[ "$output" == "Installing:"*"omgtest-lib 1.0"* ]] || { echo "$output"; false; }
}

@test "omgd stopped while apt-get -s hangs: it ends within seconds, and apt-get -s with it" {
	# the root's apt-get never answers: omgd's planner waits for it (60 s deadline)
	mv "$ROOT/usr/bin/apt-get" "$ROOT/usr/bin/apt-get.real"
	printf '#!/bin/sh\nexec sleep 987\n' > "$ROOT/usr/bin/apt-get"
	chmod 755 "$ROOT/usr/bin/apt-get"
	"$OMG" install -s omgtest-app > "$BATS_TEST_TMPDIR/plan.out" 2>&1 &
	for i in $(seq 1 100); do pgrep -f "^sleep 987$" > /dev/null && break; sleep 0.05; done
	pgrep -f "^sleep 987$" > /dev/null
	kill "$OMGD_PID"
	for i in $(seq 1 60); do kill -0 "$OMGD_PID" 2>/dev/null || break; sleep 0.05; done
	! kill -0 "$OMGD_PID" 2>/dev/null || { echo "omgd still runs 3 s after SIGTERM"; false; }
	wait "$OMGD_PID" || true
	OMGD_PID=
	for i in $(seq 1 20); do pgrep -f "^sleep 987$" > /dev/null || break; sleep 0.05; done
	! pgrep -f "^sleep 987$" || { echo "apt-get -s outlived omgd"; kill $(pgrep -f "^sleep 987$"); false; }
	wait
}

@test "a plan that changes a held package: refused before apt-get runs (apt-get -y would refuse it)" {
	repo_enable_two
	in_root apt-mark hold omgtest-base > /dev/null
	for i in $(seq 1 60); do "$OMG" install -s omgtest-base | grep -q "(held)" && break; sleep 0.05; done
	run "$OMG" install -y omgtest-base
	echo "$output"
	[ "$status" -eq 4 ]
	[[ "$output" == *"omgtest-base 1.0 -> 2.0"*"(held)"* ]]
	[[ "$output" == *"held"*"omg unhold"* ]]
	[[ "$output" != *"Will run:"* && "$output" != *"Failed: apt-get"* ]]
	[ "$(root_version omgtest-base)" = 1.0 ]
}

@test "apt's trailing - and + cannot ride on :ARCH, =VERSION or /RELEASE (install removing, remove installing)" {
	for name in omgtest-base=1.0- omgtest-base/one- omgtest-virtual:amd64- omgtest-lib/one+ omgtest-lib=1.0+; do
		run "$OMG" install -s "$name"
		[ "$status" -ne 0 ] || { echo "$name: $output"; false; }
		[[ "$output" != *"Removing:"* ]]
	done
	run "$OMG" remove -s omgtest-app/one+
	[ "$status" -ne 0 ] && [[ "$output" != *"Installing"* ]] || { echo "$output"; false; }
	run "$OMG" install -s omgtest-lib=1.0 omgtest-app/one
	[ "$status" -eq 0 ] || { echo "$output"; false; }
}

@test "on a terminal (apt on a pty of its own): apt's own listing and Get: lines are replaced as on a pipe" {
	require_modules
	command -v tmux >/dev/null || skip "tmux missing"
	TMUX_SOCK=omg-acth-$$-$BATS_TEST_NUMBER
	tmux -L "$TMUX_SOCK" new-session -d -s t -x 150 -y 40 \
		env -i HOME="$BATS_TEST_TMPDIR" TERM=xterm PATH="$OMG_BUILDDIR:/usr/sbin:/usr/bin:/sbin:/bin" \
		XDG_RUNTIME_DIR="$XDG_RUNTIME_DIR" XDG_CACHE_HOME="$XDG_CACHE_HOME" OMG_AUTOSTART=0 bash --norc --noprofile -i
	type_line "enable -f '$BASH_MODULE' omg; PS1='in> '"
	type_line "omg install -y omgtest-app; echo status=\$?"
	for i in $(seq 1 300); do screen | grep -q "^status=[0-9]" && break; sleep 0.1; done
	screen | grep -q "^status=0"
	screen | grep -q "Setting up   omgtest-app"
	! screen | grep -E "The following|^Get:|Reading package lists|Building dependency" || { screen; false; }
}

# hold_lock PATH SECONDS: a process holding apt's kind of lock (fcntl) on PATH for SECONDS
hold_lock() {
	python3 -c 'import fcntl, sys, time
f = open(sys.argv[1], "w"); fcntl.lockf(f, fcntl.LOCK_EX); print("locked", flush=True); time.sleep(float(sys.argv[2]))' \
		"$1" "$2" > "$BATS_TEST_TMPDIR/lock.out" &
	LOCK_PID=$!
	for i in $(seq 1 100); do grep -q locked "$BATS_TEST_TMPDIR/lock.out" && return 0; sleep 0.02; done
	return 1
}

@test "the system changes while omg waits for the locks: the plan shown is not run blindly" {
	hold_lock "$ROOT/var/lib/dpkg/lock-frontend" 4
	"$OMG" install -y --lock-timeout 30 omgtest-lib > "$BATS_TEST_TMPDIR/out" 2>&1 &
	omg_pid=$!
	for i in $(seq 1 100); do grep -q "Waiting for" "$BATS_TEST_TMPDIR/out" && break; sleep 0.05; done
	# meanwhile new lists: apt-get -y would now install 2.0, which nobody was shown
	repo_enable_two
	rc=0; wait "$omg_pid" || rc=$?
	kill "$LOCK_PID" 2>/dev/null || true
	cat "$BATS_TEST_TMPDIR/out"
	grep -q "omgtest-lib 1.0" "$BATS_TEST_TMPDIR/out"   # the plan shown
	[ "$(root_version omgtest-lib)" != 2.0 ]
	[ "$rc" -ne 0 ]
	grep -q "changed since this plan was made" "$BATS_TEST_TMPDIR/out"
}

@test "autoremove: its removals are what was asked for, not 'REMOVING (not asked for)'" {
	run "$OMG" autoremove -s
	[ "$status" -eq 0 ]
	[[ "$output" == "Removing:"*"omgtest-conf"* && "$output" != *"not asked for"* ]] || { echo "$output"; false; }
	run "$OMG" --json autoremove -s
	[[ "$output" == *'"package":"omgtest-conf"'*'"requested":true'* ]] || { echo "$output"; false; }
}

@test "a plan of long lines (a hostile repository's versions): the audit record is built inside its buffer" {
	command -v valgrind >/dev/null || skip "valgrind missing"
	stop_omgd
	# an omgd stand-in answering a plan of 153 entries whose lines just pass the record's
	# buffer and then OMG_ACTED_MAX (the first one is what apt installs for real)
	python3 - "$XDG_RUNTIME_DIR/omg.sock" "$ROOT" 153 > "$BATS_TEST_TMPDIR/fake.out" 2>&1 <<'PY' &
import os, socket, struct, sys
sock, root, n = sys.argv[1], sys.argv[2].encode(), int(sys.argv[3])
def s_(b): return struct.pack("<I", len(b)) + b + b"\0"
def frame(typ, ident, payload): return struct.pack("<IBBHI", len(payload), 1, typ, 0, ident) + payload
GEN = 7
def plan():
    e = b""
    for i in range(n):
        # the last entry's line jumps past 32 KiB (OMG_ACTED_MAX) while the record's buffer is smaller
        to = b"9" * (3000 if i == n - 1 else 190)
        e += struct.pack("<BI", 1, 0) + s_(b"omgtest-app" if i == 0 else b"p%03d" % i) + s_(b"all") + s_(b"") + s_(b"1." + to) \
             + s_(b"one") + struct.pack("<QQ", 0, 0)
    return struct.pack("<BB", 0, 1) + s_(b"") + s_(root) + s_(b"apt-get") + struct.pack("<QQQQI", 0, 0, 0, GEN, n) + e \
        + struct.pack("<I", 0) + struct.pack("<I", 0) + struct.pack("<I", 0) + struct.pack("<I", 0)
def status():
    return struct.pack("<IIIII", 1, 1, 0, 0, 0) + struct.pack("<QQQI", GEN, 0, 0, 0) + s_(b"dpkg") + s_(root) + s_(b"")
def answer(typ, ident, body):
    if typ == 1:
        return frame(0x81, ident, struct.pack("<IHH", 0x50474D4F, 1, 1) + s_(b"fake") + s_(b"dpkg") + struct.pack("<I", 1 << 20))
    if typ == 3: return frame(0x83, ident, status())
    if typ == 0x16: return frame(0x96, ident, plan())
    if typ == 0x17: return frame(0x97, ident, b"")
    return frame(0x7F, ident, struct.pack("<I", 3) + s_(b"no"))
try: os.unlink(sock)
except FileNotFoundError: pass
srv = socket.socket(socket.AF_UNIX); srv.bind(sock); srv.listen(8)
print("ready", flush=True)
while True:
    c, _ = srv.accept()
    buf = b""
    while True:
        d = c.recv(65536)
        if not d: break
        buf += d
        while len(buf) >= 12:
            ln, ver, typ, fl, ident = struct.unpack("<IBBHI", buf[:12])
            if len(buf) < 12 + ln: break
            body, buf = buf[12:12 + ln], buf[12 + ln:]
            c.sendall(answer(typ, ident, body))
    c.close()
PY
	FAKE_PID=$!
	for i in $(seq 1 100); do grep -q ready "$BATS_TEST_TMPDIR/fake.out" && break; sleep 0.05; done
	run valgrind --quiet --redzone-size=4096 --error-exitcode=42 "$OMG" install -y omgtest-app
	kill "$FAKE_PID"
	echo "$output" | grep -v "^  p[0-9]" | tail -20
	[ "$status" -eq 0 ]
	[ "$(root_state omgtest-app)" = installed ]
}

@test "a plan a client asks for goes before the upgrade plan queued ahead" {
	# the root's apt-get -s takes 2 s and says when it starts, with what
	mv "$ROOT/usr/bin/apt-get" "$ROOT/usr/bin/apt-get.real"
	cat > "$ROOT/usr/bin/apt-get" <<'SH'
#!/bin/sh
case " $* " in *" -s "*) echo "$*" >> /tmp/apt-s.log; sleep 2;; esac
exec /usr/bin/apt-get.real "$@"
SH
	chmod 755 "$ROOT/usr/bin/apt-get"
	"$OMG" install -s omgtest-app > /dev/null &
	first=$!
	for i in $(seq 1 100); do [ -s "$ROOT/tmp/apt-s.log" ] && break; sleep 0.02; done
	# new lists with upgrades while the first plan is made: omgd queues the upgrade plan
	repo_enable_two
	for i in $(seq 1 100); do [ "$("$OMG" --json metrics | tr ',{}' '\n\n\n' | sed -n 's/^"plans_pending":\([0-9]*\)$/\1/p')" -ge 2 ] && break; sleep 0.02; done
	"$OMG" install -s omgtest-base > /dev/null
	wait "$first"
	cat "$ROOT/tmp/apt-s.log"
	[[ "$(sed -n 2p "$ROOT/tmp/apt-s.log")" == *"install -- omgtest-base"* ]]
}
