#!/usr/bin/env bats
# The bash loadable in a real bash: live variables, the in-process builtin, unload/reload,
# a daemon that dies or restarts, damaged status files, no leaks.

load helpers

setup() {
	omg_setup
	require_modules
	"$FIXTURE" "$ROOT"
	start_omgd --root "$ROOT"
}

teardown() { stop_omgd; [ -z "${SEALED_PID:-}" ] || kill "$SEALED_PID" 2>/dev/null || true; }

@test "the variables hold the status file's counts" {
	run in_bash 'echo "$OMG_TOTAL $OMG_EXPLICIT $OMG_ORPHANS $OMG_UPDATES"'
	[ "$status" -eq 0 ]
	[ "$output" = "$(od -An -j8 -N16 -tu4 "$XDG_RUNTIME_DIR/omg.status" | xargs)" ]
	[ "$output" = "28 13 8 6" ]
}

@test "the variables are read-only integers that cannot be unset" {
	run in_bash 'declare -p OMG_UPDATES; x=$((OMG_UPDATES * 2)); echo "x=$x"; unset OMG_UPDATES; echo "still $OMG_UPDATES"'
	[[ "${lines[0]}" == "declare -"*r*" OMG_UPDATES"* ]]
	[[ "$output" == *"x=12"* ]]
	[[ "$output" == *"still 6"* ]]
	run in_bash 'OMG_UPDATES=1; echo reached'
	[ "$status" -ne 0 ]
	[[ "$output" == *"readonly variable"* ]]
}

@test "every command prints exactly what the omg executable prints, with the same exit status" {
	same_as_executable in_bash "status" "search fire" "search -d fixture" "info tilde-pkg" "info nope" \
		"list upgradable" "list orphans" "complete lib" "complete zzz" "--json status" \
		"--json search fire" "--json info bash" "help" "frobnicate" "search" "list x" \
		"audit log --verify" "history" "--json history" "audit log --since nonsense"
}

@test "complete -A fills COMPREPLY from a completion function" {
	run in_bash '_c() { omg complete -A COMPREPLY "$2"; }; _c omg lib; echo "${#COMPREPLY[@]}:${COMPREPLY[*]}"'
	[ "$output" = "3:libedit libfirestore libmulti" ]
	run in_bash 'omg complete -A 1bad lib'
	[ "$status" -eq 2 ]
	# a read-only target is refused, and the module's own variables stay in place
	run --separate-stderr in_bash 'omg complete -A OMG_TOTAL lib; echo "rc=$? total=$OMG_TOTAL"; readonly R=1; omg complete -A R lib; echo "rc=$? R=$R"'
	[ "${lines[-2]}" = "rc=2 total=28" ]
	[ "${lines[-1]}" = "rc=2 R=1" ]
}

@test "a module built for another bash release is refused with one line; the shell goes on" {
	local bad=$OMG_BUILDDIR/tests/.libs/omg_badversion.so
	[ -f "$bad" ] || skip "not built"
	run bash --norc --noprofile -c "enable -f '$bad' omg; echo \"rc=\$? [\${OMG_UPDATES-unset}]\"; type -t omg || echo none"
	[[ "${lines[0]}" == *"omg: built for bash 5.1 (patch 999), this is bash 5.2."*": not loaded; rebuild omg for this bash"* ]]
	[[ "$output" == *"[unset]"* ]]
	[ "${lines[-1]}" = none ]
}

@test "a module built for another patch level of this bash (a Debian bash update) loads and works" {
	local other=$OMG_BUILDDIR/tests/.libs/omg_otherpatch.so
	[ -f "$other" ] || skip "not built"
	run --separate-stderr bash --norc --noprofile -c "enable -f '$other' omg && echo \"[\$OMG_UPDATES]\" && omg status | head -1"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "${lines[0]}" = "[6]" ]
	[[ "${lines[1]}" == "installed"* ]]
}

@test "the hook: a module that refuses this bash says so in one line at shell start; a missing one is silent" {
	local bad=$OMG_BUILDDIR/tests/.libs/omg_badversion.so
	[ -f "$bad" ] || skip "not built"
	run --separate-stderr env OMG_BASH_MODULE="$bad" OMG_COMPLETIONS_DIR="$OMG_SRCDIR/completions" \
		bash --norc --noprofile -c 'eval "$("$0" hook bash)"; echo "[${OMG_UPDATES-unset}]"' "$OMG"
	echo "$stderr"
	[ "$output" = "[unset]" ]
	# our line says why; bash adds its own "load function for omg returns failure"
	[ "${#stderr_lines[@]}" -le 2 ]
	[[ "${stderr_lines[0]}" == *"omg: built for bash 5.1"*"not loaded; rebuild omg for this bash"* ]]
	run --separate-stderr env OMG_BASH_MODULE=/nonexistent/omg.so bash --norc --noprofile -c 'eval "$("$0" hook bash)"; echo ok' "$OMG"
	[ "$output" = ok ]
	[ -z "$stderr" ]
}

@test "plain 'enable omg' finds the module installed as 'omg' on BASH_LOADABLES_PATH" {
	mkdir -p "$BATS_TEST_TMPDIR/loadables"
	cp "$BASH_MODULE" "$BATS_TEST_TMPDIR/loadables/omg"
	run env BASH_LOADABLES_PATH="$BATS_TEST_TMPDIR/loadables" bash --norc --noprofile -c 'enable omg && echo "$OMG_UPDATES"'
	[ "$status" -eq 0 ]
	[ "$output" = 6 ]
}

@test "unload removes everything: expanding the variables afterwards is safe" {
	run in_bash 'enable -d omg; echo "[$OMG_UPDATES][${OMG_TOTAL-unset}]"; type omg 2>&1 | head -1'
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "[][unset]" ]]
	[[ "${lines[1]}" == *"not found"* ]]
}

@test "load, unload and reload cycles keep working" {
	run in_bash 'for i in 1 2 3 4 5 6 7 8 9 10; do enable -d omg; enable -f "'"$BASH_MODULE"'" omg || exit 1; done; echo "$OMG_UPDATES"; omg ping >/dev/null && echo pong'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 6 ]
	[ "${lines[1]}" = pong ]
}

@test "a published change shows in a running shell without a new shell" {
	run in_bash '
		echo "before $OMG_TOTAL"
		{ cat "'"$ROOT"'/var/lib/dpkg/status"; printf "Package: fresh\nStatus: install ok installed\nVersion: 1\nArchitecture: amd64\n\n"; } > "'"$ROOT"'/var/lib/dpkg/status-new"
		mv "'"$ROOT"'/var/lib/dpkg/status-new" "'"$ROOT"'/var/lib/dpkg/status"
		for i in $(seq 1 100); do [ "$OMG_TOTAL" = 29 ] && break; sleep 0.02; done
		echo "after $OMG_TOTAL"'
	[ "${lines[0]}" = "before 28" ]
	[ "${lines[1]}" = "after 29" ]
}

@test "the daemon stopped in the middle of a session: empty values and a one-line reason" {
	run in_bash '
		echo "up [$OMG_UPDATES]"
		kill '"$OMGD_PID"'; while kill -0 '"$OMGD_PID"' 2>/dev/null; do sleep 0.02; done
		echo "down [$OMG_UPDATES]"
		omg status | head -1; echo "rc=${PIPESTATUS[0]}"'
	[ "${lines[0]}" = "up [6]" ]
	[ "${lines[1]}" = "down []" ]
	[[ "${lines[2]}" == "omg: omgd is not running"* ]]
	[ "${lines[3]}" = "rc=3" ]
	OMGD_PID=
}

@test "a daemon killed with -9 and restarted: the shell follows the new daemon" {
	run in_bash '
		echo "a [$OMG_UPDATES]"
		kill -9 '"$OMGD_PID"'
		# until the old daemon is gone (a zombie has let go of its lock); omgd also waits
		# up to 1 s for the lock, so this only keeps the test honest under load
		for i in $(seq 1 200); do
			s=$(cut -d" " -f3 /proc/'"$OMGD_PID"'/stat 2>/dev/null) || break
			[ "$s" = Z ] && break
			sleep 0.01
		done
		"'"$OMGD"'" --root "'"$ROOT"'" || exit 1
		echo "b [$OMG_UPDATES]"; omg ping >/dev/null && echo pong'
	pkill -f "omgd --root $ROOT" || true
	[ "${lines[0]}" = "a [6]" ]
	[ "${lines[1]}" = "b [6]" ]
	[ "${lines[2]}" = "pong" ]
	OMGD_PID=
}

# publish_sealed BYTES...: the printf BYTES published at the status path as omgd does it
# (a sealed memory file behind a link), kept alive by a helper whose pid is SEALED_PID.
publish_sealed() {
	[ -z "${SEALED_PID:-}" ] || kill "$SEALED_PID" 2>/dev/null || true
	SEALED_PID=$(printf "$@" | "$OMG_SRCDIR/tests/tools/sealed-status" "$XDG_RUNTIME_DIR/omg.status")
}
ts_bytes() { python3 -c 'import struct,sys,time; sys.stdout.buffer.write(struct.pack("<Q", int(time.time()) + int(sys.argv[1])))' "$1"; }

@test "a damaged, foreign, plain or stale status file gives empty values" {
	stop_omgd
	local f=$XDG_RUNTIME_DIR/omg.status now old
	now=$(ts_bytes 0 | od -An -tx1 | tr -d ' \n' | sed 's/../\\x&/g')
	old=$(ts_bytes -31 | od -An -tx1 | tr -d ' \n' | sed 's/../\\x&/g')
	publish_sealed "SGMO\001\0\0\0\034\0\0\0\015\0\0\0\010\0\0\0\006\0\0\0$now"
	[ "$(in_bash 'echo "[$OMG_UPDATES]"')" = "[6]" ]
	publish_sealed "XXXX\001\0\0\0\034\0\0\0\015\0\0\0\010\0\0\0\006\0\0\0$now"
	[ "$(in_bash 'echo "[$OMG_UPDATES]"')" = "[]" ]
	publish_sealed "SGMO\001\0\0\0\034\0\0\0\015\0\0\0\010\0\0\0\006\0\0\0$old"
	[ "$(in_bash 'echo "[$OMG_UPDATES]"')" = "[]" ]
	publish_sealed "SGMO\001\0\0\0\034\0\0\0\015\0\0\0\010\0\0\0\006\0\0\0"
	[ "$(in_bash 'echo "[$OMG_UPDATES]"')" = "[]" ]
	kill "$SEALED_PID"; SEALED_PID=
	# the right bytes in a plain file: refused (it could be truncated under a mapping)
	rm -f "$f"
	{ printf 'SGMO\001\0\0\0\034\0\0\0\015\0\0\0\010\0\0\0\006\0\0\0'; ts_bytes 0; } > "$f"
	[ "$(in_bash 'echo "[$OMG_UPDATES]"')" = "[]" ]
	head -c 20 /dev/urandom > "$f"
	[ "$(in_bash 'echo "[$OMG_UPDATES]"')" = "[]" ]
	rm -f "$f"; ln -s /proc/self/fd/0 "$f"
	[ "$(in_bash 'echo "[$OMG_UPDATES]"' < /dev/null)" = "[]" ]
}

# Issue 16.1: whatever is done to the status file while a shell has it mapped, the shell
# and omgd live, and the values come back once omgd has repaired it (at its heartbeat).
@test "truncating, rewriting or replacing the status file never kills the shell or omgd" {
	local f=$XDG_RUNTIME_DIR/omg.status
	run in_bash '
		f='"$f"'
		echo "a [$OMG_UPDATES]"
		{ : > "$f"; } 2>/dev/null; echo "b [$OMG_UPDATES]"
		truncate -s0 "$f" 2>/dev/null; echo "c [$OMG_UPDATES]"
		printf "XXXX" 1<> "$f"; echo "d [$OMG_UPDATES]"
		sleep 1.1; echo "e [$OMG_UPDATES]"
		rm -f "$f"; mkfifo "$f"; sleep 1.1; echo "f [$OMG_UPDATES]"
		rm -f "$f"; truncate -s 1T "$f"; sleep 1.1; echo "g [$OMG_UPDATES]"
		rm -f "$f"; ln -s /dev/zero "$f"; sleep 1.1; echo "h [$OMG_UPDATES]"
		rm -f "$f"; printf x > "$f"; sleep 1.1; echo "i [$OMG_UPDATES]"
		for i in $(seq 1 30); do [ -n "$OMG_UPDATES" ] && break; sleep 0.1; done
		echo "j [$OMG_UPDATES]"'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "a [6]" ]
	[ "${lines[1]}" = "b [6]" ]   # the seal refuses the truncation
	[ "${lines[2]}" = "c [6]" ]
	# then refused ([]) until omgd puts the file back within a second ([6]): never garbage
	for i in 3 4 5 6 7 8; do [[ "${lines[$i]}" =~ ^[d-i]\ \[(6)?\]$ ]]; done
	[ "${lines[9]}" = "j [6]" ]   # repaired by omgd within 3 s
	kill -0 "$OMGD_PID"
	"$OMG" ping >/dev/null
}

# Issue 15: the command waits for the omgd it starts and answers (it said "starting it in
# the background" and exited 3 before).
@test "with no daemon, the builtin starts one, waits for it and answers (OMG_AUTOSTART)" {
	stop_omgd
	printf '#!/bin/sh\nexec "%s" --root "%s"\n' "$OMGD" "$ROOT" > "$BATS_TEST_TMPDIR/start-omgd"
	chmod +x "$BATS_TEST_TMPDIR/start-omgd"
	run env OMG_AUTOSTART=1 OMG_OMGD="$BATS_TEST_TMPDIR/start-omgd" bash --norc --noprofile -c '
		enable -f "'"$BASH_MODULE"'" omg
		omg status | head -1; echo "rc=${PIPESTATUS[0]}"
		for i in $(seq 1 100); do [ -n "$OMG_UPDATES" ] && break; sleep 0.05; done
		echo "updates [$OMG_UPDATES]"
		jobs -l | wc -l'
	pkill -f "omgd --root $ROOT" || true
	[ "${lines[0]}" = "installed   $(oracle_total "$ROOT")" ]
	[ "${lines[1]}" = "rc=0" ]
	[ "${lines[2]}" = "updates [6]" ]
	[ "${lines[3]}" = 0 ]     # nothing left in the shell's job table
}

@test "no leak: 100,000 expansions and 100,000 builtin calls keep the shell's memory flat" {
	run in_bash '
		rss() { awk "/VmRSS/{print \$2}" /proc/$$/status; }
		for i in $(seq 1 2000); do x=$OMG_UPDATES; omg status >/dev/null; done
		r0=$(rss)
		for ((i = 0; i < 100000; i++)); do x=$OMG_UPDATES; done
		for ((i = 0; i < 100000; i++)); do omg status >/dev/null; done
		for ((i = 0; i < 5000; i++)); do omg complete -A arr lib; omg info nope 2>/dev/null; done
		r1=$(rss)
		echo "$r0 $r1 $(( r1 - r0 ))"'
	echo "# RSS before/after/growth kB: $output"
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | awk '{print $3}')" -lt 512 ]
}

@test "valgrind: the module's expansions and commands are clean" {
	command -v valgrind >/dev/null || skip "valgrind missing"
	run valgrind --quiet --error-exitcode=42 --leak-check=full --errors-for-leak-kinds=definite \
		--show-leak-kinds=definite bash --norc --noprofile -c '
		enable -f "'"$BASH_MODULE"'" omg
		for i in 1 2 3 4 5 6 7 8 9 10; do x=$OMG_UPDATES$OMG_TOTAL; omg status >/dev/null; omg search fire >/dev/null; omg complete -A a lib; done
		omg info nope 2>/dev/null; enable -d omg; echo "[$OMG_UPDATES]"'
	echo "$output" | tail -20
	[ "$status" -eq 0 ]
}

@test "a kept connection follows a changed OMG_SOCKET in the same shell" {
	local other=$BATS_TEST_TMPDIR/other
	mkdir -p -m 700 "$other"
	"$OMGD" --foreground --root "$ROOT" --socket "$other/omg.sock" --status "$other/omg.status" 2>/dev/null &
	local pid=$!
	for i in $(seq 1 100); do [ -S "$other/omg.sock" ] && break; sleep 0.05; done
	run in_bash '
		omg ping >/dev/null && echo first
		export OMG_SOCKET="'"$other"'/omg.sock"; omg ping >/dev/null && echo second
		kill '"$pid"'; while kill -0 '"$pid"' 2>/dev/null; do sleep 0.02; done
		omg ping; echo "rc=$?"
		unset OMG_SOCKET; omg ping >/dev/null && echo back'
	kill "$pid" 2>/dev/null || true
	[ "${lines[0]}" = first ]
	[ "${lines[1]}" = second ]
	[[ "${lines[2]}" == "omg: omgd is not running"*"$other/omg.sock"* ]]
	[ "${lines[3]}" = "rc=3" ]
	[ "${lines[4]}" = back ]
}

@test "--timeout applies to one command only, also on the kept connection" {
	local sock=$BATS_TEST_TMPDIR/mute.sock
	python3 -c 'import socket,sys,time
s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(5); time.sleep(8)' "$sock" &
	local py=$!
	for i in $(seq 1 100); do [ -S "$sock" ] && break; sleep 0.05; done
	run --separate-stderr env OMG_SOCKET="$sock" bash --norc --noprofile -c '
		enable -f "'"$BASH_MODULE"'" omg
		omg --timeout 150 status; omg status'
	kill $py 2>/dev/null || true
	[[ "${stderr_lines[0]}" == *"within 150 ms" ]]
	[[ "${stderr_lines[1]}" == *"within 500 ms" ]]
}

# Issue 16.2: a subshell, a background job or $(...) never uses the connection the shell
# keeps; each prints its own answer.
@test "ten background subshells at once each print their own answer (20 rounds)" {
	run in_bash '
		omg status >/dev/null   # the shell now keeps a connection the jobs inherit
		names=(alt-one alt-two alt-user bash bp-pkg coreutils downgrade-pkg editor-data editor-doc editor-main)
		wrong=0
		for round in $(seq 1 20); do
			d=$(mktemp -d)
			for n in "${names[@]}"; do ( omg info "$n" > "$d/$n" 2>&1 ) & done
			wait
			for n in "${names[@]}"; do head -1 "$d/$n" | grep -qx "Package: $n" || wrong=$((wrong + 1)); done
			x=$(omg info tilde-pkg | head -1); [ "$x" = "Package: tilde-pkg" ] || wrong=$((wrong + 1))
			rm -rf "$d"
		done
		echo "wrong=$wrong"'
	[ "$output" = "wrong=0" ]
}

@test "after a request timed out (omgd stopped, then continued), the next command prints its own answer" {
	run in_bash '
		omg status >/dev/null   # the shell keeps a connection
		kill -STOP '"$OMGD_PID"'
		x=$(omg --timeout 200 info tilde-pkg 2>&1); echo "rc=$? $x"   # in a subshell
		kill -CONT '"$OMGD_PID"'
		sleep 0.3   # the late answers arrive
		omg status | head -1
		omg info alt-one | head -1'
	kill -CONT "$OMGD_PID"
	echo "$output"
	[[ "${lines[0]}" == "rc=3 "*"did not answer within 200 ms" ]]
	[ "${lines[1]}" = "$("$OMG" status | head -1)" ]   # its own answer, not the late INFO
	[ "${lines[2]}" = "Package: alt-one" ]
}

# Issue 16.3: the kept connection is at fd 10 or above, close-on-exec, and a descriptor the
# user opened is never written or closed by omg.
@test "the user's descriptors 3 and 10 are never written or closed by omg" {
	run in_bash '
		for fd in 3 4 5 6 7 8 9; do eval "exec $fd>&-"; done   # (bats holds 3)
		omg status >/dev/null          # the first free descriptor is 3
		exec 3>"'"$BATS_TEST_TMPDIR"'/three"
		omg status >/dev/null; echo "rc=$?"
		echo mine >&3 && echo "fd3 open"
		omg status >/dev/null
		exec 10>"'"$BATS_TEST_TMPDIR"'/ten"   # over the number omg may hold
		omg status >/dev/null; echo "rc=$?"
		echo ten >&10 && echo "fd10 open"
		ls -l /proc/$$/fd | grep -c socket
		cat /proc/$$/fdinfo/$(ls -l /proc/$$/fd | awk "/socket/{print \$9; exit}") | awk "/flags/{print \$2}"'
	echo "$output"
	[ "${lines[0]}" = "rc=0" ]
	[ "${lines[1]}" = "fd3 open" ]
	[ "${lines[2]}" = "rc=0" ]
	[ "${lines[3]}" = "fd10 open" ]
	[ "$(cat "$BATS_TEST_TMPDIR/three")" = "mine" ]
	[ "$(cat "$BATS_TEST_TMPDIR/ten")" = "ten" ]
	# O_CLOEXEC (02000000) in the kept socket's flags
	(( (8#${lines[5]} & 8#2000000) != 0 ))
}

@test "omg complete -A refuses bash's special variables (RANDOM, SECONDS, FUNCNAME)" {
	run in_bash '
		for v in RANDOM SECONDS FUNCNAME; do omg complete -A $v alt >/dev/null 2>&1; echo "$v rc=$?"; done
		declare -p RANDOM | cut -c1-11
		x=$RANDOM; y=$RANDOM; [ "$x" != "$y" ] && echo "random still random"'
	echo "$output"
	[ "${lines[0]}" != "RANDOM rc=0" ]
	[ "${lines[3]}" = "declare -i " ]
	[ "${lines[4]}" = "random still random" ]
}
