#!/usr/bin/env bats
# omg doctor: one line a check (ok, warn, FAIL), what it found and how to fix it; its exit
# status (0 all ok, 1 warnings, 3 omgd unavailable, 4 a failure, 5 untrusted sources). A real
# omgd on a fixture root, a sandboxed HOME, the real bash and zsh loading the built modules.

load helpers

setup() {
	omg_setup
	"$FIXTURE" "$ROOT"
	export HOME=$BATS_TEST_TMPDIR/home SHELL=/bin/bash
	unset XDG_CONFIG_HOME XDG_DATA_HOME
	mkdir -p "$HOME"
	echo 'eval "$(omg hook bash)"' > "$HOME/.bashrc"
	# where the hook finds the built modules and completions (as an install would put them)
	export OMG_BASH_MODULE=$BASH_MODULE OMG_ZSH_MODULE_DIR=$ZSH_MODULE_DIR OMG_COMPLETIONS_DIR=$OMG_SRCDIR/completions
}

teardown() { stop_omgd; }

# check_line NAME: the line of check NAME in $output
check_line() { printf '%s\n' "$output" | grep -E "^(ok|warn|FAIL) +$1 "; }

require_bash_completion() {
	[ -f /usr/share/bash-completion/bash_completion ] || skip "bash-completion is not installed on this machine"
}

@test "a healthy setup: every check ok, exit 0" {
	require_bash_completion
	start_omgd --root "$ROOT"
	run "$OMG" doctor
	echo "$output"
	[ "$status" -eq 0 ]
	! printf '%s\n' "$output" | grep -Ev '^ok  ' | grep -v '^[0-9]* ok, 0 warn, 0 FAIL (exit status 0)$'
	local c
	for c in runtime socket daemon status index store bash zsh completion lists apt-file keyrings systemd; do
		check_line "$c" >/dev/null || { echo "no line for $c"; false; }
	done
	[[ "$(check_line daemon)" == *"omgd $("$OMG" --version | cut -d' ' -f2), pid $OMGD_PID, $OMGD,"* ]]
	[[ "$(check_line daemon)" == *"root $ROOT"* ]]
	[[ "$(check_line bash)" == *"hook in ~/.bashrc:1, module $BASH_MODULE"* ]]
	[[ "$(check_line store)" == *"~/"* || "$(check_line store)" == *"$XDG_CACHE_HOME/omg/roots/"*"on disk"* ]]
	[[ "$(check_line status)" == *"current (28 installed, 6 updates)"* ]]
	[[ "$(check_line apt-file)" == *"1 Contents file: command-not-found also names packages not installed"* ]]
}

@test "no omgd: the daemon check fails with the fix, exit 3, at once" {
	local t0=$SECONDS
	run timeout 5 "$OMG" doctor
	echo "$output"
	[ "$status" -eq 3 ]
	[ $((SECONDS - t0)) -lt 3 ]
	[[ "$(check_line daemon)" == "FAIL  daemon "*"omgd unavailable: "*"  — omg daemon start"* ]]
	[[ "$(check_line socket)" == "FAIL  socket "*"no socket at $XDG_RUNTIME_DIR/omg.sock"* ]]
	# what needs omgd is not guessed; what does not is still checked
	! check_line index
	check_line bash
	check_line systemd
	[[ "${lines[-1]}" == *"FAIL (exit status 3)" ]]
}

@test "a stale socket (omgd killed): nobody listens, said" {
	start_omgd --root "$ROOT"
	kill -9 "$OMGD_PID"
	wait "$OMGD_PID" 2>/dev/null || true
	OMGD_PID=
	run timeout 5 "$OMG" doctor
	[ "$status" -eq 3 ]
	[[ "$(check_line socket)" == *"nobody listens"* ]]
}

@test "a hook missing from the rc files: warn with the line to add, exit 1" {
	require_bash_completion
	echo 'PS1="\w \$ "' > "$HOME/.bashrc"
	echo 'autoload -Uz compinit && compinit' > "$HOME/.zshrc"
	start_omgd --root "$ROOT"
	run "$OMG" doctor
	echo "$output"
	[ "$status" -eq 1 ]
	[ "$(check_line bash)" = "warn  bash        ~/.bashrc has no omg hook: no module, completion or command-not-found  — echo 'eval \"\$(omg hook bash)\"' >> ~/.bashrc" ]
	[[ "$(check_line zsh)" == "warn  zsh "*"~/.zshrc has no omg hook"*"omg hook zsh"*"(after compinit)" ]]
	# a commented-out hook is no hook; enable -f and zmodload count as loading the module
	printf '# eval "$(omg hook bash)"\n' > "$HOME/.bashrc"
	printf 'zmodload omg\n' > "$HOME/.zshrc"
	run "$OMG" doctor
	[[ "$(check_line bash)" == "warn "* ]]
	[[ "$(check_line zsh)" == "ok    zsh         hook in ~/.zshrc:1, module $ZSH_MODULE_DIR/omg.so" ]]
	# the hook there, the module not where it looks
	echo 'eval "$(omg hook bash apt)"' > "$HOME/.bashrc"
	OMG_BASH_MODULE=$BATS_TEST_TMPDIR/nowhere/omg.so run "$OMG" doctor
	[[ "$(check_line bash)" == "warn  bash "*"no module at $BATS_TEST_TMPDIR/nowhere/omg.so"*"  — make install, or set OMG_BASH_MODULE"* ]]
	[[ "$(check_line completion)" == *"apt: package names from omg, the rest from bash-completion's"* ]]
	# a FIFO as ~/.bashrc is not opened to block on
	rm "$HOME/.bashrc"
	mkfifo "$HOME/.bashrc"
	run timeout 5 "$OMG" doctor
	[ "$status" -ne 124 ]
	[[ "$(check_line bash)" == "warn  bash "*"no ~/.bashrc"* ]]
}

@test "a corrupt status file is said, with what to do" {
	head -c 32 /dev/urandom > "$XDG_RUNTIME_DIR/omg.status"
	run timeout 5 "$OMG" doctor
	echo "$output"
	[ "$status" -eq 3 ]
	[[ "$(check_line status)" == "FAIL  status "*"$XDG_RUNTIME_DIR/omg.status: not omgd's sealed status file"*"  — remove it; omgd publishes a new one at its start" ]]
}

@test "lists not refreshed for 30 days: warn, omg update" {
	touch -d '30 days ago' "$ROOT/var/lib/apt/lists/partial"
	start_omgd --root "$ROOT"
	run "$OMG" doctor
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$(check_line lists)" == "warn  lists "*"refreshed 30 days ago"*"  — omg update" ]]
	touch -d '36 hours ago' "$ROOT/var/lib/apt/lists/partial"
	run "$OMG" doctor
	[[ "$(check_line lists)" == "ok    lists "*"refreshed 36 h ago" ]]
}

@test "apt-file: no Contents files is said (command-not-found then names installed packages only)" {
	rm "$ROOT"/var/lib/apt/lists/*_Contents-*
	start_omgd --root "$ROOT"
	run "$OMG" doctor
	[[ "$(check_line apt-file)" == "ok    apt-file "*"no Contents files: command-not-found names installed packages only"* ]]
}

@test "systemd: omgd.socket installed but not enabled warns; enabled is ok; masked warns" {
	require_bash_completion
	local units=$HOME/.config/systemd/user
	mkdir -p "$units/sockets.target.wants"
	cp "$OMG_SRCDIR/systemd/omgd.socket" "$units/"
	start_omgd --root "$ROOT"
	run "$OMG" doctor
	[ "$status" -eq 1 ]
	[ "$(check_line systemd)" = "warn  systemd     ~/.config/systemd/user/omgd.socket installed, not enabled: omgd starts only through omg  — systemctl --user enable --now omgd.socket" ]
	ln -s ../omgd.socket "$units/sockets.target.wants/omgd.socket"
	run "$OMG" doctor
	[ "$status" -eq 0 ]
	[ "$(check_line systemd)" = "ok    systemd     ~/.config/systemd/user/omgd.socket enabled" ]
	rm "$units/omgd.socket" "$units/sockets.target.wants/omgd.socket"
	ln -s /dev/null "$units/omgd.socket"
	run "$OMG" doctor
	[[ "$(check_line systemd)" == "warn  systemd "*"masked  — systemctl --user unmask omgd.socket" ]]
}

@test "--json: one document with every check, parsed by python3" {
	start_omgd --root "$ROOT"
	echo 'PS1=x' > "$HOME/.bashrc"
	run "$OMG" --json doctor
	[ "$status" -eq 1 ]
	printf '%s\n' "$output" | python3 -c '
import json, sys
doc = json.load(sys.stdin)
names = [c["check"] for c in doc["checks"]]
assert names == ["runtime", "socket", "daemon", "status", "index", "store", "bash", "zsh", "completion",
                 "lists", "apt-file", "keyrings", "systemd"], names
for c in doc["checks"]:
    assert c["status"] in ("ok", "warn", "fail"), c
    assert (c["fix"] is None) == (c["status"] == "ok"), c
bash = [c for c in doc["checks"] if c["check"] == "bash"][0]
assert bash["status"] == "warn" and "omg hook bash" in bash["fix"], bash
assert doc["exit"] == 1 and doc["warn"] >= 1 and doc["fail"] == 0, doc
assert doc["ok"] + doc["warn"] + doc["fail"] == len(doc["checks"])
'
	# without omgd too: still one document
	stop_omgd
	run "$OMG" --json doctor
	[ "$status" -eq 3 ]
	printf '%s\n' "$output" | python3 -c '
import json, sys
doc = json.load(sys.stdin)
d = [c for c in doc["checks"] if c["check"] == "daemon"][0]
assert d["status"] == "fail" and d["fix"].startswith("omg daemon start"), d
assert doc["exit"] == 3'
}

@test "the bash builtin and the zsh module print what the executable prints, and say they are loaded" {
	require_modules
	start_omgd --root "$ROOT"
	local want got rc_want=0 rc_got=0
	want=$("$OMG" doctor 2>&1) || rc_want=$?
	got=$(in_bash "omg doctor" 2>&1) || rc_got=$?
	[ "$rc_want" = "$rc_got" ]
	# (numbers aside: an uptime or an index's age may pass a second between the two runs)
	diff <(echo "$want" | grep -v '^ok    bash ' | sed -E 's/[0-9]+/N/g') <(echo "$got" | grep -v '^ok    bash ' | sed -E 's/[0-9]+/N/g')
	[[ "$(echo "$got" | grep '^ok    bash ')" == "ok    bash        bash module loaded: built for bash "*", this is bash ${BASH_VERSINFO[0]}.${BASH_VERSINFO[1]}.${BASH_VERSINFO[2]}; hook in ~/.bashrc:1" ]]
	rc_got=0
	got=$(in_zsh "omg doctor" 2>&1) || rc_got=$?
	[ "$rc_want" = "$rc_got" ]
	diff <(echo "$want" | grep -v '^ok    zsh ' | sed -E 's/[0-9]+/N/g') <(echo "$got" | grep -v '^ok    zsh ' | sed -E 's/[0-9]+/N/g')
	[[ "$(echo "$got" | grep '^ok    zsh ')" == "ok    zsh         zsh module loaded: built for zsh "*", this is zsh $(zsh -fc 'print $ZSH_VERSION'); no ~/.zshrc (not set up for zsh)" ]]
	# and without omgd, the same exit status in each
	stop_omgd
	rc_want=0; "$OMG" doctor >/dev/null 2>&1 || rc_want=$?
	rc_got=0; in_bash "omg doctor" >/dev/null 2>&1 || rc_got=$?
	[ "$rc_want" = 3 ] && [ "$rc_got" = 3 ]
	rc_got=0; in_zsh "omg doctor" >/dev/null 2>&1 || rc_got=$?
	[ "$rc_got" = 3 ]
}

@test "doctor --help, omg help and usage" {
	run "$OMG" doctor --help
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "usage: omg doctor" ]
	[[ "$output" == *"Exit status: 0 every check ok, 1 warnings only, 3 omgd unavailable"* ]]
	run "$OMG" help
	[[ "$output" == *"  doctor                 what is wrong with this setup, and how to fix it"* ]]
	run "$OMG" doctor extra
	[ "$status" -eq 2 ]
}

@test "completion: omg doc<TAB> gives doctor in bash; zsh's _omg lists it" {
	run bash --norc --noprofile -c '. "$1/omg.bash"; COMP_WORDS=(omg doc); COMP_CWORD=1; _omg omg doc omg
		printf "%s\n" "${COMPREPLY[@]}"' bash "$OMG_SRCDIR/completions"
	[ "$status" -eq 0 ]
	[ "$output" = "doctor" ]
	# zsh: the description table _omg offers (no terminal needed to read it)
	run zsh -fc 'functions[_arguments]="" ; source "$1/_omg" 2>/dev/null; whence -f _omg' zsh "$OMG_SRCDIR/completions"
	[[ "$output" == *"'doctor:what is wrong with this setup, and how to fix it'"* ]]
}

@test "keyrings: the last verification's untrusted sources fail the check, exit 5; doctor does not verify again" {
	start_omgd --root "$ROOT"
	run "$OMG" doctor
	[[ "$(check_line keyrings)" == "ok    keyrings    not verified yet"* ]]
	local runs; runs=$("$OMG" metrics | awk '$1 == "verify_runs" {print $2}')
	run "$OMG" audit verify   # the fixture's lists are not all signed: untrusted findings
	[ "$status" -eq 5 ]
	local untrusted; untrusted=$("$OMG" --json status | json_field untrusted)
	[ "$untrusted" -gt 0 ]
	run "$OMG" doctor
	echo "$output"
	[ "$status" -eq 5 ]
	[[ "$(check_line keyrings)" == "FAIL  keyrings    the last verification ("*" ago) found $untrusted untrusted sources, lists or packages  — omg audit verify --last"* ]]
	[ "$("$OMG" metrics | awk '$1 == "verify_runs" {print $2}')" = $((runs + 1)) ]
}
