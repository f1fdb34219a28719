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
	[ "$output" = '{"command":"bash","providers":[{"package":"bash","path":"/bin/bash","installed":true}]}' ]
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
