#!/usr/bin/env bats
# omgd --system: one daemon for every user of the machine. Here its /run/omg is a directory
# of this test ($OMG_SYSTEM_DIR for the clients, --runtime-dir and --store for omgd), it runs
# as root on a fixture root, and the other user is nobody (setpriv: a real uid change, so
# SO_PEERCRED, file modes and /proc links are the kernel's, not a pretence). The user reads
# through the omg executable and through real bash and zsh with the built modules.

load helpers

setup() {
	omg_setup
	[ "$(id -u)" = 0 ] || skip "needs root: the system daemon is root's, the reader another uid"
	command -v setpriv >/dev/null || skip "setpriv (util-linux) missing"
	# every directory on the way must be open to nobody: not under BATS_TEST_TMPDIR (0700)
	SYS=$(mktemp -d /tmp/omg-system-test.XXXXXX)
	chmod 755 "$SYS"
	SRUN=$SYS/run                   # the system daemon's /run/omg
	STORE=$SYS/store                # and its /var/lib/omg
	export OMG_SYSTEM_DIR=$SRUN     # for root's clients in this test (wait_ready)
	mkdir -p -m 700 "$SYS/user/run" "$SYS/user/home"
	chown -R 65534:65534 "$SYS/user"
	"$FIXTURE" "$ROOT"
	SLOG=$BATS_TEST_TMPDIR/omgd.log
	USER_PID=
}

teardown() {
	[ -n "${USER_PID:-}" ] && kill "$USER_PID" 2>/dev/null && wait "$USER_PID" 2>/dev/null
	stop_omgd
	[ -n "${SYS:-}" ] && rm -rf "$SYS"
}

# as_user CMD...: CMD as nobody, in a clean environment: its own runtime directory (no omgd
# in it unless a test starts one) and the system daemon's directory of this test
as_user() {
	setpriv --reuid=65534 --regid=65534 --clear-groups env -i PATH=/usr/bin:/bin HOME="$SYS/user/home" TERM=dumb \
		XDG_RUNTIME_DIR="$SYS/user/run" OMG_SYSTEM_DIR="$SRUN" OMG_AUTOSTART="${UAUTO:-0}" OMG_OMGD="$OMGD" "$@"
}

start_system() {
	start_omgd --system --runtime-dir "$SRUN" --store "$STORE" --root "$ROOT" "$@"
}

# poll CMD... until it succeeds, 5 s at most
poll() {
	local i
	for i in $(seq 1 100); do "$@" && return 0; sleep 0.05; done
	return 1
}

@test "--system: /run/omg 0755, the socket 0666 and the status file 0644, root's; the store where said" {
	start_system
	[ "$(stat -c '%a %U' "$SRUN")" = "755 root" ]
	[ "$(stat -c '%a %U %F' "$SRUN/omg.sock")" = "666 root socket" ]
	[ "$(stat -c '%a %U %F' "$SRUN/omg.status")" = "644 root regular file" ]
	# a plain file: od reads the counts as docs/status-file.md says
	[ "$(od -An -j8 -N4 -tu4 "$SRUN/omg.status" | tr -d ' ')" = "$(oracle_total "$ROOT")" ]
	[ -d "$STORE" ]
	grep -q "store $STORE)" "$SLOG"
}

@test "another user reads status, search and info through the omg executable" {
	start_system
	run as_user "$OMG" --json status
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | json_field installed)" = "$(oracle_total "$ROOT")" ]
	[ "$(echo "$output" | json_field root)" = "$ROOT" ]
	run as_user "$OMG" search bash
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "bash "* ]]
	run as_user "$OMG" info bash
	[ "$status" -eq 0 ]
	[[ "$output" == *"Package: bash"* ]]
}

@test "another user's bash and zsh: the variables from the 0644 status file, omg info in-process" {
	require_modules
	start_system
	local want; want=$(oracle_total "$ROOT")
	run as_user bash --norc --noprofile -c 'enable -f "$1" omg || exit 99
		echo "$OMG_TOTAL $OMG_SECURITY"; omg info bash | head -1' _ "$BASH_MODULE"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "$want $(oracle_security "$ROOT")" ]
	[ "${lines[1]}" = "Package: bash" ]
	run as_user zsh -f -c 'module_path=("$1" $module_path); zmodload omg || exit 99; echo $OMG_TOTAL' _ "$ZSH_MODULE_DIR"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "$want" ]
}

@test "another user, no daemon at all: empty variables, and one line that says why (exit 3)" {
	require_modules
	run as_user "$OMG" status
	[ "$status" -eq 3 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" == *"omgd is not running"* ]]
	run as_user bash --norc --noprofile -c 'enable -f "$1" omg || exit 99; echo "[$OMG_TOTAL][$OMG_UPDATES][$OMG_SECURITY]"' _ "$BASH_MODULE"
	[ "$status" -eq 0 ]
	[ "$output" = "[][][]" ]
}

# wire TYPE PAYLOAD_PY: one request as nobody, straight on the socket; prints the answer's
# type (hex) and, for an ERROR, its code and message
wire() {
	as_user python3 -c 'import socket, struct, sys
sys.path.insert(0, sys.argv[1])
import omgwire
s = socket.socket(socket.AF_UNIX); s.settimeout(5); s.connect(sys.argv[2])
s.sendall(omgwire.frame(int(sys.argv[3], 16), 9, eval(sys.argv[4])))
t, p = omgwire.recv_frame(s)
if t == 0x7f:
    code, n = struct.unpack("<II", p[:8]); print("%02x %d %s" % (t, code, p[8:8 + n].decode()))
else:
    print("%02x" % t)' "$OMG_SRCDIR/tests/load" "$SRUN/omg.sock" "$@"
}

@test "another user is refused what would act or write: ACTED, VERIFY, AUDIT, a package file's plan, stopping: ERROR 10, said" {
	start_system
	local before; before=$("$OMG" audit log | wc -l)
	# ACTED: u8 action, i32 result, u64 started, u64 ended, string record
	run wire 17 'struct.pack("<BiQQI", 1, 0, 0, 0, 4) + b"fake\0"'
	echo "$output"
	[[ "$output" == "7f 10 the system omgd keeps root's actions only"* ]]
	# nothing reached the audit log (root reads it)
	[ "$("$OMG" audit log | wc -l)" = "$before" ]
	# VERIFY, last result: u32 flags, u32 first, u32 count
	run wire 18 'struct.pack("<III", 2, 0, 0)'
	[[ "$output" == "7f 10 the system omgd verifies for root only"* ]]
	run wire 0b 'struct.pack("<QQII", 0, 0, 0, 0)'
	[[ "$output" == "7f 10 the system omgd's audit log is for root only"* ]]
	run as_user "$OMG" audit log
	echo "$output"
	[ "$status" -ne 0 ]
	[ "$output" = "omg: the system omgd's audit log is for root only (sudo omg audit log)" ]
	run as_user "$OMG" audit verify
	[ "$status" -ne 0 ]
	[[ "$output" == *"the system omgd verifies for root only"* ]]
	touch "$SYS/x.deb"
	run as_user "$OMG" install --dry-run "$SYS/x.deb"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"the system omgd plans a package file for root only"* ]]
	# a dry-run plan of a package is a read (apt-get -s is anyone's): not refused; on this
	# fixture root apt cannot run, which is said as for root
	run as_user "$OMG" install --dry-run bash
	echo "$output"
	[[ "$output" != *"for root only"* ]]
	run "$OMG" install --dry-run bash
	local root_output=$output
	run as_user "$OMG" install --dry-run bash
	[ "$output" = "$root_output" ]
	# stopping is a signal: the kernel refuses it to another uid, and omgd goes on
	run as_user "$OMG" daemon stop
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"Operation not permitted"* ]]
	kill -0 "$OMGD_PID"
	# root is refused nothing
	run "$OMG" audit log
	[ "$status" -eq 0 ]
}

@test "the batch's refused item is an ERROR item (code 10) beside an answered STATUS" {
	start_system
	run as_user python3 -c 'import socket, struct, sys
sys.path.insert(0, sys.argv[1])
import omgwire
s = socket.socket(socket.AF_UNIX); s.settimeout(5); s.connect(sys.argv[2])
items = struct.pack("<BI", 3, 0) + struct.pack("<BI", 0x0b, 24) + struct.pack("<QQII", 0, 0, 0, 0)
s.sendall(omgwire.frame(8, 3, struct.pack("<I", 2) + items))
t, p = omgwire.recv_frame(s)
n = struct.unpack("<I", p[:4])[0]; off = 4; out = []
for i in range(n):
    it, ln = struct.unpack("<BI", p[off:off + 5]); body = p[off + 5:off + 5 + ln]; off += 5 + ln
    out.append("%02x" % it + (" %d" % struct.unpack("<I", body[:4]) if it == 0x7f else ""))
print(" ".join(out))' "$OMG_SRCDIR/tests/load" "$SRUN/omg.sock"
	echo "$output"
	[ "$output" = "83 7f 10" ]
}

@test "the user's own omgd wins while it runs; gone (even killed, its socket left), the system's answers" {
	start_system
	local mine=$SYS/mine
	"$FIXTURE" "$mine"
	chmod -R o+rX "$mine"
	# in a subshell that is omgd itself (exec), so that USER_PID is omgd's pid
	(exec setpriv --reuid=65534 --regid=65534 --clear-groups env -i XDG_RUNTIME_DIR="$SYS/user/run" \
		"$OMGD" --foreground --no-store --plan-ahead 0 --verify-every 0 --root "$mine") 2>>"$SLOG" &
	USER_PID=$!
	poll eval 'as_user "$OMG" --json status 2>/dev/null | grep -q "\"ready\":true.*\"root\":\"$mine\""'
	run as_user "$OMG" --json status
	[ "$(echo "$output" | json_field root)" = "$mine" ]
	# its status file is the one the shell reads (its own sealed file, not the system's)
	require_modules
	run as_user bash --norc --noprofile -c 'enable -f "$1" omg; echo $OMG_TOTAL' _ "$BASH_MODULE"
	[ "$output" = "$(oracle_total "$mine")" ]
	# killed with -9: its socket stays behind, nobody listens there; the system's answers
	kill -9 "$USER_PID"
	wait "$USER_PID" 2>/dev/null || true
	USER_PID=
	[ -S "$SYS/user/run/omg.sock" ]
	run as_user "$OMG" --json status
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | json_field root)" = "$ROOT" ]
	# and the shell's variables: its status link names a gone /proc entry, the system's file counts
	[ -L "$SYS/user/run/omg.status" ]
	run as_user bash --norc --noprofile -c 'enable -f "$1" omg; echo $OMG_TOTAL' _ "$BASH_MODULE"
	[ "$output" = "$(oracle_total "$ROOT")" ]
}

@test "a running bash follows the user's own omgd once it starts: the counts and OMG_SECURITY both from it" {
	require_modules
	[ -s /var/lib/dpkg/status ] || skip "needs a Debian system (the user's omgd serves this machine's data)"
	start_system
	# the system daemon serves the fixture root, the user's own omgd this machine: the
	# counts differ, and so does the security count asked of omgd
	run as_user bash --norc --noprofile -c 'enable -f "$1" omg || exit 99
		echo "$OMG_TOTAL $OMG_SECURITY"
		"$2" --foreground --no-store --plan-ahead 0 --verify-every 0 2>/dev/null &
		pid=$!; trap "kill $pid" EXIT
		for i in $(seq 1 400); do [ "$OMG_TOTAL" = "$3" ] && break; sleep 0.05; done
		echo "$OMG_TOTAL $OMG_SECURITY"' _ "$BASH_MODULE" "$OMGD" "$(oracle_total)"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "$(oracle_total "$ROOT") $(oracle_security "$ROOT")" ]
	[ "${lines[1]}" = "$(oracle_total) $(oracle_security)" ]
}

@test "autostart: a user's command starts no omgd of its own while the system's serves" {
	start_system
	UAUTO=1 run as_user "$OMG" --json status
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | json_field root)" = "$ROOT" ]
	[ ! -e "$SYS/user/run/omg.sock" ]
	# and no omgd of this user's environment runs (other tests of the machine may run as nobody)
	[ -z "$(grep -lsF "XDG_RUNTIME_DIR=$SYS/user/run" /proc/[0-9]*/environ | grep -v "^/proc/$$/")" ]
}

@test "--system as another user: refused unless both directories are given, said" {
	run as_user "$OMGD" --system --foreground
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"--system runs as root"*"give both --runtime-dir and --store"* ]]
	[ ! -e /run/omg ] || [ "$(stat -c %U /run/omg)" = root ]
}

@test "socket activation of the system unit's socket: omgd --system serves every user on it" {
	command -v systemd-socket-activate >/dev/null || skip "systemd-socket-activate (package systemd) not installed"
	mkdir -m 755 "$SRUN"
	# systemd-socket-activate plays omgd-system.socket, but has no SocketMode=0666: set here
	systemd-socket-activate -l "$SRUN/omg.sock" -E PATH "$OMGD" --system --runtime-dir "$SRUN" --store "$STORE" \
		--root "$ROOT" --plan-ahead 0 --verify-every 0 2>>"$SLOG" &
	OMGD_PID=$!
	poll test -S "$SRUN/omg.sock"
	chmod 666 "$SRUN/omg.sock"
	# the first connection starts omgd; ready once its index is built
	poll eval 'as_user "$OMG" --json status 2>/dev/null | grep -q "\"ready\":true"'
	run as_user "$OMG" --json status
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | json_field installed)" = "$(oracle_total "$ROOT")" ]
	grep -q "listening on $SRUN/omg.sock (from systemd)" "$SLOG"
	poll test -e "$SRUN/omg.status"
	[ "$(stat -c %a "$SRUN/omg.status")" = 644 ]
}

@test "the unit's confinement: / read-only and CAP_DAC_READ_SEARCH alone, omgd --system indexes this machine and plans a dry run" {
	[ -s /var/lib/dpkg/status ] || skip "needs a Debian system"
	command -v unshare >/dev/null || skip "unshare (util-linux) missing"
	unshare -m true 2>/dev/null || skip "no mount namespaces here"
	local pkg=hello
	apt-cache show "$pkg" >/dev/null 2>&1 || skip "apt knows no $pkg here"
	# what ProtectSystem=strict leaves writable (RuntimeDirectory, StateDirectory, PrivateTmp)
	# is under /tmp here; everything else read-only, in a mount namespace of this test only
	mkdir -m 755 "$SRUN"
	unshare -m sh -c 'mount --make-rprivate / && mount --bind / / && mount -o remount,bind,ro / &&
		mount --bind /tmp /tmp && mount -o remount,bind,rw /tmp && ! touch /var/lib/dpkg/omg-test 2>/dev/null &&
		exec setpriv --bounding-set=-all,+dac_read_search --inh-caps=-all "$@"' _ \
		"$OMGD" --system --foreground --runtime-dir "$SRUN" --store "$STORE" --plan-ahead 0 --verify-every 0 2>>"$SLOG" &
	OMGD_PID=$!
	OMG_READY_TRIES=600 wait_ready
	run as_user "$OMG" --json status
	[ "$(echo "$output" | json_field installed)" = "$(oracle_total)" ]
	# apt-get -s as omgd runs it: its cache directory read-only, DAC_OVERRIDE gone
	run as_user "$OMG" --timeout 60000 --json install --dry-run "$pkg"
	echo "$output" | head -c 600
	[[ "$output" == *'"status":"ok","problem":""'* ]]
}
