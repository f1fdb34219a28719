#!/usr/bin/env bats
# command-not-found: omg not-found and the shells' handlers from omg hook.

load helpers

setup() { tmux_setup; }
teardown() { tmux_teardown; }

@test "a command from an available package: which package, the install command, exit 127" {
	run --separate-stderr "$OMG" not-found notinst-cmd
	[ "$status" -eq 127 ]
	[ -z "$output" ]
	[ "${stderr_lines[0]}" = "notinst-cmd: command not found" ]
	[ "${stderr_lines[1]}" = "It is in the package notinstalled-only (/usr/bin/notinst-cmd). Install it with:" ]
	[[ "${stderr_lines[2]}" == "  "*"apt install notinstalled-only" ]]
}

@test "several packages have it: all are listed" {
	run --separate-stderr "$OMG" not-found twin-cmd
	[ "$status" -eq 127 ]
	[[ "$stderr" == *"alt-one"*"/usr/games/twin-cmd"*"alt-two"* ]]
}

@test "an installed command outside PATH is shown with its path and package" {
	run --separate-stderr "$OMG" not-found local-cmd
	[ "$status" -eq 127 ]
	[[ "$stderr" == *"/usr/sbin/local-cmd  (package local-only)"* ]]
}

@test "unknown everywhere, or no daemon: only the plain line, still 127" {
	run --separate-stderr "$OMG" not-found zzz-nothing
	[ "$status" -eq 127 ]
	[ "$stderr" = "zzz-nothing: command not found" ]
	stop_omgd
	run --separate-stderr "$OMG" not-found notinst-cmd
	[ "$status" -eq 127 ]
	[ "$stderr" = "notinst-cmd: command not found" ]
}

@test "--json lists the providers; the installed ones first" {
	run "$OMG" --json not-found bash
	[ "$output" = '{"command":"bash","providers":[{"package":"bash","path":"/bin/bash","installed":true}],"similar":[]}' ]
	run "$OMG" --json not-found twin-cmd
	[[ "$output" == *'"package":"alt-one"'*'"package":"alt-two"'* ]]
}

@test "a new Contents index shows within 1 s" {
	printf 'usr/bin/brand-new   utils/notinstalled-only\n' | lz4 -q > "$ROOT/var/lib/apt/lists/x_Contents-all.lz4"
	for i in $(seq 1 50); do
		"$OMG" --json not-found brand-new | grep -q notinstalled-only && return 0
		sleep 0.02
	done
	return 1
}

@test "bash: an unknown command typed at the prompt names its package; \$? is 127" {
	start_shell bash --norc --noprofile -i
	type_line "export OMG_BASH_MODULE='$BASH_MODULE' OMG_COMPLETIONS_DIR='$OMG_SRCDIR/completions'; eval \"\$(omg hook bash)\"; PS1='> '"
	type_line "notinst-cmd --flag"
	wait_screen "It is in the package notinstalled-only"
	type_line 'echo "status=$?"'
	wait_screen "status=127"
}

@test "zsh: an unknown command typed at the prompt names its package" {
	start_shell zsh -f -i
	type_line "export OMG_ZSH_MODULE_DIR='$ZSH_MODULE_DIR' OMG_COMPLETIONS_DIR='$OMG_SRCDIR/completions'; eval \"\$(omg hook zsh)\"; PROMPT='> '"
	type_line "twin-cmd"
	wait_screen "It is in these packages:"
	type_line 'print "status=$?"'
	wait_screen "status=127"
}

@test "this machine: installed commands agree with dpkg -S" {
	stop_omgd
	start_omgd
	for c in ls bash apt dpkg; do
		path=$("$OMG" not-found "$c" 2>&1 | sed -n 's/^  \(\/[^ ]*\)  (package \([^)]*\))$/\1 \2/p' | head -1)
		[ -n "$path" ]
		# dpkg -S PATH names the package that owns it
		[ "$(dpkg -S "${path% *}" 2>/dev/null | cut -d: -f1 | head -1)" = "${path#* }" ]
	done
}

# ---- at least what Debian's command-not-found does (issue 14) -------------------------

@test "a typo of an installed command: the similar commands, installed first" {
	run --separate-stderr "$OMG" not-found bsah
	[ "$status" -eq 127 ]
	echo "$stderr"
	[ "${stderr_lines[0]}" = "bsah: command not found" ]
	[ "${stderr_lines[1]}" = "Similar commands:" ]
	[[ "${stderr_lines[2]}" == "  bash "*"/bin/bash (installed, package bash)" ]]
	# every one of the four kinds of typo, as Debian's tool counts them
	for typo in abash bsh bssh bahs; do
		run --separate-stderr "$OMG" not-found "$typo"
		[[ "$stderr" == *"/bin/bash (installed, package bash)"* ]] || { echo "no hint for $typo: $stderr"; false; }
	done
	# two edits away is not a typo
	run --separate-stderr "$OMG" not-found bsha1x
	[[ "$stderr" != *"Similar commands"* ]]
}

@test "a typo of a command of a package that is not installed: its package and the install command" {
	run --separate-stderr "$OMG" not-found notinst-cdm
	echo "$stderr"
	[[ "${stderr_lines[2]}" == "  notinst-cmd "*"from package notinstalled-only" ]]
	if [ "$(id -u)" = 0 ]; then
		[ "${stderr_lines[3]}" = "Try: apt install notinstalled-only" ]
	fi
	run "$OMG" --json not-found notinst-cdm
	[[ "$output" == *'"similar":[{"package":"notinstalled-only","path":"/usr/bin/notinst-cmd","installed":false,"command":"notinst-cmd"}]'* ]]
}

@test "a user who cannot sudo is told to ask the administrator (as Debian's tool decides: groups sudo, admin)" {
	[ "$(id -u)" = 0 ] || skip "needs root to act as another user"
	command -v setpriv >/dev/null || skip "setpriv missing"
	local dir; dir=$(mktemp -d /tmp/omg-nf-XXXXXX)
	chmod 755 "$dir"; mkdir -m 700 "$dir/run"; chown 65534:65534 "$dir/run"
	cp -a "$ROOT" "$dir/root" && chmod -R a+rX "$dir/root" # the test's own directory is root's only
	setpriv --reuid=65534 --regid=65534 --clear-groups env XDG_RUNTIME_DIR="$dir/run" \
		"$OMGD" --foreground --no-store --root "$dir/root" 2>>"$BATS_TEST_TMPDIR/omgd.log" 3>&- &
	local npid=$! i
	for i in $(seq 1 600); do
		setpriv --reuid=65534 --regid=65534 --clear-groups env XDG_RUNTIME_DIR="$dir/run" "$OMG" --json status 2>/dev/null |
			grep -q '"ready":true' && break
		sleep 0.05
	done
	run setpriv --reuid=65534 --regid=65534 --clear-groups env XDG_RUNTIME_DIR="$dir/run" "$OMG" not-found notinst-cmd
	local plain=$output
	# the same user in the sudo group may sudo
	run setpriv --reuid=65534 --regid=65534 --groups="$(getent group sudo | cut -d: -f3)" env XDG_RUNTIME_DIR="$dir/run" \
		"$OMG" not-found notinst-cmd
	kill $npid 2>/dev/null || true
	wait $npid 2>/dev/null || true
	rm -rf "$dir"
	echo "$plain"; echo "---"; echo "$output"; cat "$BATS_TEST_TMPDIR/omgd.log"
	[[ "$plain" == *$'\n  apt install notinstalled-only\nPlease ask your administrator.'* ]]
	[[ "$output" == *"  sudo apt install notinstalled-only"* ]]
	[[ "$output" != *administrator* ]]
}

@test "without apt-file's Contents: one line says how to get hints for packages not installed" {
	run --separate-stderr "$OMG" not-found zzz-nothing
	[[ "$stderr" != *apt-file* ]]          # Contents present: nothing to add
	rm "$ROOT"/var/lib/apt/lists/*Contents*
	for i in $(seq 1 50); do
		run --separate-stderr "$OMG" not-found zzz-nothing
		[[ "$stderr" == *apt-file* ]] && break
		sleep 0.05
	done
	echo "$stderr"
	[ "${#stderr_lines[@]}" -eq 2 ]
	[[ "${stderr_lines[1]}" == "(Only installed packages' commands are known: '"*"apt install apt-file && "*"apt update' adds the others.)" ]]
}

@test "--shell: the shell's own first line; omgd unavailable: nothing printed, exit 3 for the handler" {
	run --separate-stderr "$OMG" not-found --shell bash zzz-nothing
	[ "${stderr_lines[0]}" = "bash: zzz-nothing: command not found" ]
	run --separate-stderr "$OMG" not-found --shell -bash zzz-nothing
	[ "${stderr_lines[0]}" = "-bash: zzz-nothing: command not found" ]
	run --separate-stderr "$OMG" not-found --shell zsh zzz-nothing
	[ "${stderr_lines[0]}" = "zsh: command not found: zzz-nothing" ]
	stop_omgd
	run --separate-stderr env OMG_AUTOSTART=0 "$OMG" not-found --shell bash notinst-cmd
	[ "$status" -eq 3 ]
	[ -z "$stderr" ]
}

@test "bash typed: a typo gets bash's own line and a hint; with omgd stopped, the handler bash had before answers" {
	start_shell bash --norc --noprofile -i
	type_line "command_not_found_handle() { printf 'previous handler: %s\\n' \"\$1\" >&2; return 127; }"
	type_line "export OMG_BASH_MODULE='$BASH_MODULE' OMG_COMPLETIONS_DIR='$OMG_SRCDIR/completions' OMG_AUTOSTART=0; eval \"\$(omg hook bash)\"; PS1='> '"
	type_line "bsah -c true"
	wait_screen "bash: bsah: command not found"
	wait_screen "/bin/bash (installed, package bash)"
	! screen | grep -q "previous handler"
	stop_omgd
	type_line "clear; notinst-cmd"
	wait_screen "previous handler: notinst-cmd"
	type_line 'echo "status=$?"'
	wait_screen "status=127"
}

@test "zsh typed: a typo gets zsh's own line and a hint; with omgd stopped, the handler zsh had before answers" {
	start_shell zsh -f -i
	type_line "command_not_found_handler() { print -u2 -r -- \"previous handler: \$1\"; return 127 }"
	type_line "export OMG_ZSH_MODULE_DIR='$ZSH_MODULE_DIR' OMG_COMPLETIONS_DIR='$OMG_SRCDIR/completions' OMG_AUTOSTART=0; eval \"\$(omg hook zsh)\"; PROMPT='> '"
	type_line "bsah -c true"
	wait_screen "zsh: command not found: bsah"
	wait_screen "/bin/bash (installed, package bash)"
	! screen | grep -q "previous handler"
	stop_omgd
	type_line "clear; notinst-cmd"
	wait_screen "previous handler: notinst-cmd"
	type_line 'print "status=$?"'
	wait_screen "status=127"
}

@test "a name omg will not send (a control character, over 256 bytes): the handler the shell had answers" {
	require_modules
	run bash --norc --noprofile -c 'command_not_found_handle() { echo "previous: ${#1}" >&2; return 42; }
		export OMG_BASH_MODULE="$0" OMG_COMPLETIONS_DIR="$1"; eval "$("$2" hook bash)"
		"$(printf "a\tb")"; echo "rc=$?"; "$(printf "x%.0s" $(seq 1 300))"; echo "rc=$?"' \
		"$BASH_MODULE" "$OMG_SRCDIR/completions" "$OMG"
	echo "$output"
	[ "${lines[0]}" = "previous: 3" ]
	[ "${lines[1]}" = "rc=42" ]
	[ "${lines[2]}" = "previous: 300" ]
	[ "${lines[3]}" = "rc=42" ]
}
