#!/usr/bin/env bats
# Interactive shells under tmux: a prompt with $OMG_UPDATES shows a new count after omgd
# publishes it, in the same shell.

load helpers

setup() { tmux_setup; }
teardown() { tmux_teardown; }

# wait_updates N: until the status file says N updates (2.5 s at most)
wait_updates() {
	for i in $(seq 1 50); do [ "$(od -An -j20 -N4 -tu4 "$XDG_RUNTIME_DIR/omg.status" | tr -d ' ')" = "$1" ] && return; sleep 0.05; done
	return 1
}

publish_update() {
	printf 'Package: local-only\nVersion: 0.9-1\nArchitecture: amd64\nDescription: newer\n\n' \
		> "$ROOT/var/lib/apt/lists/fixture.invalid_upd_dists_x_main_binary-amd64_Packages"
	wait_updates 7
}

@test "bash: PS1 with \$OMG_UPDATES follows a new publish" {
	start_shell bash --norc --noprofile -i
	type_line "enable -f '$BASH_MODULE' omg; PS1='[u=\${OMG_UPDATES}]> '"
	wait_screen '[u=6]>'
	publish_update
	type_line ""
	wait_screen '[u=7]>'
}

@test "zsh: PROMPT with \$OMG_UPDATES follows a new publish" {
	start_shell zsh -f -i
	type_line "module_path=('$ZSH_MODULE_DIR' \$module_path); zmodload omg; setopt PROMPT_SUBST; PROMPT='[u=\${OMG_UPDATES}]> '"
	wait_screen '[u=6]>'
	publish_update
	type_line ""
	wait_screen '[u=7]>'
}

@test "bash: the prompt is empty, not 0 or garbage, when omgd stops; Ctrl-C is harmless" {
	start_shell bash --norc --noprofile -i
	type_line "enable -f '$BASH_MODULE' omg; PS1='[u=\${OMG_UPDATES}]> '"
	wait_screen '[u=6]>'
	stop_omgd
	type_line ""
	wait_screen '[u=]>'
	type_line "omg status"
	wait_screen "omg: omgd is not running"
	tmux -L "$TMUX_SOCK" send-keys -t t C-c
	type_line "echo alive"
	wait_screen "alive"
}

# drop_updates: remove every package list, so omgd finds no updates (0)
drop_updates() {
	rm -f "$ROOT"/var/lib/apt/lists/*_Packages*
	wait_updates 0
}

@test "bash theme: the updates segment shows when there are updates, and is gone at 0" {
	start_shell env LANG=C.UTF-8 bash --norc --noprofile -i
	type_line "enable -f '$BASH_MODULE' omg; PS1='> '; . '$OMG_SRCDIR/prompt/omg-prompt.bash'"
	wait_screen "⬆6⚠3 >"
	# bold red while security updates are pending
	tmux -L "$TMUX_SOCK" capture-pane -e -p -t t | grep -q $'\e\[1m\e\[31m⬆6⚠3'
	drop_updates
	type_line ""
	for i in $(seq 1 40); do [ "$(screen | sed '/^$/d' | tail -1)" = ">" ] && return 0; sleep 0.05; done
	screen; return 1
}

@test "zsh theme: RPROMPT shows pending updates, and nothing when omgd stops" {
	start_shell env LANG=C.UTF-8 zsh -f -i
	type_line "module_path=('$ZSH_MODULE_DIR' \$module_path); zmodload omg; PROMPT='> '; source '$OMG_SRCDIR/prompt/omg-prompt.zsh'"
	wait_screen "⬆6⚠3"
	stop_omgd
	type_line ""
	for i in $(seq 1 40); do ! screen | sed '/^$/d' | tail -1 | grep -q '⬆' && return 0; sleep 0.05; done
	screen; return 1
}

@test "p10k segment: prints through p10k segment only when there are updates" {
	run in_zsh "p10k() { print -r -- \"p10k \$*\"; }; source '$OMG_SRCDIR/prompt/p10k-omg.zsh'; LANG=C.UTF-8 prompt_omg; LANG=C prompt_omg"
	[ "${lines[0]}" = "p10k segment -f red -t ⬆6⚠3" ]
	[ "${lines[1]}" = "p10k segment -f red -t ^6!3" ]
	stop_omgd
	run in_zsh "p10k() { print -r -- \"p10k \$*\"; }; source '$OMG_SRCDIR/prompt/p10k-omg.zsh'; prompt_omg; print end"
	[ "$output" = "end" ]
}

@test "starship module: its command prints the updates count from the status file" {
	local cmd
	cmd=$(sed -n 's/^command = "\(.*\)"$/\1/p' "$OMG_SRCDIR/prompt/starship-omg.toml" | sed 's/\\"/"/g')
	run sh -c "$cmd"
	[ "$output" = 6 ]
}

@test "OMG_SECURITY follows a publish that changes only the security count" {
	# the same number of updates, but the security one becomes an ordinary update
	run in_bash '
		echo "before $OMG_UPDATES $OMG_SECURITY"
		sed -i "s/^Label: Debian-Security$/Label: Debian/" "'"$ROOT"'"/var/lib/apt/lists/*bookworm-security_Release
		for i in $(seq 1 100); do [ "$OMG_SECURITY" = 0 ] && break; sleep 0.02; done
		echo "after $OMG_UPDATES $OMG_SECURITY"'
	[ "${lines[0]}" = "before 6 3" ]
	[ "${lines[1]}" = "after 6 0" ]
}

# Issue 16.1 at a real prompt: the status file truncated, rewritten and replaced from
# outside while the prompt shows $OMG_UPDATES; the shell lives and the count comes back.
hostile_prompt() {
	local f=$XDG_RUNTIME_DIR/omg.status
	wait_screen '[u=6]>'
	{ : > "$f"; } 2>/dev/null || true; truncate -s0 "$f" 2>/dev/null || true
	type_line "echo one"; wait_screen "one"
	printf 'XXXX' 1<> "$f"
	type_line "echo two"; wait_screen "two"
	rm -f "$f"; mkfifo "$f"
	type_line "echo three"; wait_screen "three"
	rm -f "$f"; truncate -s 1T "$f"
	type_line "echo four"; wait_screen "four"
	sleep 1.5   # omgd puts its file back within a second
	type_line "clear"
	wait_screen '[u=6]>'
	kill -0 "$OMGD_PID"
}

@test "bash: a hostile status file under a live prompt never kills the shell" {
	start_shell bash --norc --noprofile -i
	type_line "enable -f '$BASH_MODULE' omg; PS1='[u=\${OMG_UPDATES}]> '"
	hostile_prompt
}

@test "zsh: a hostile status file under a live prompt never kills the shell" {
	start_shell zsh -f -i
	type_line "module_path=('$ZSH_MODULE_DIR' \$module_path); zmodload omg; setopt PROMPT_SUBST; PROMPT='[u=\${OMG_UPDATES}]> '"
	hostile_prompt
}

# long_line: 200 characters that show where a wrap fell
long_line() { local i; for i in $(seq 10 29); do printf 'x%sxxxxxxx' "$i"; done; }

@test "bash theme in the POSIX locale: ASCII signs, and a line longer than the terminal wraps at its edge" {
	start_shell bash --norc --noprofile -i
	type_line "enable -f '$BASH_MODULE' omg; PS1='> '; . '$OMG_SRCDIR/prompt/omg-prompt.bash'; clear"
	wait_screen "^6!3 >"
	type_text "$(long_line)"
	wait_screen "x29xxxxxxx"
	local first want
	first=$(screen | grep -n '^^6!3 > ' | cut -d: -f1)
	want="^6!3 > $(long_line)"
	# readline and the terminal agree on the prompt's width: the first row is full (120
	# columns), the rest continues on the next rows, nothing overwritten
	[ "$(screen | sed -n "${first}p" | wc -L)" -eq 120 ]
	[ "$(screen | sed -n "${first},\$p" | tr -d '\n' | sed 's/ *$//')" = "$want" ]
	! screen | LC_ALL=C grep -q '[^ -~]'
}

@test "zsh theme in the POSIX locale: ASCII signs, RPROMPT at the right edge, a long line wraps at the edge" {
	start_shell zsh -f -i
	type_line "module_path=('$ZSH_MODULE_DIR' \$module_path); zmodload omg; PROMPT='> '; source '$OMG_SRCDIR/prompt/omg-prompt.zsh'; clear"
	wait_screen "^6!3"
	# zsh leaves one column after RPROMPT (ZLE_RPROMPT_INDENT=1): it ends at column 119
	[ "$(screen | grep '^> ' | tail -1 | sed 's/ *$//' | wc -L)" -eq 119 ]
	type_text "$(long_line)"
	wait_screen "x29xxxxxxx"
	local first
	first=$(screen | grep -n '^> x10' | cut -d: -f1)
	[ "$(screen | sed -n "${first}p" | wc -L)" -eq 120 ]
	[ "$(screen | sed -n "${first},\$p" | tr -d '\n' | sed 's/ *$//')" = "> $(long_line)" ]
	! screen | LC_ALL=C grep -q '[^ -~]'
}

# ---- omg owns and omg history typed into the shells ---------------------------------------

# screen_joined: the pane with the lines the terminal wrapped joined again, blanks cut
screen_joined() { tmux -L "$TMUX_SOCK" capture-pane -p -J -t t | sed 's/ *$//'; }
# between MARK: the pane's lines after the line that typed "echo MARK-begin" and before MARK-end
between() { screen_joined | awk -v m="$1" '$0 == m "-end" { on = 0 } on { print } $0 == m "-begin" { on = 1 }'; }

owns_in_shell() { # owns_in_shell bash|zsh: omg owns /bin/ls and omg owns ls, typed, equal dpkg -S
	[ -x /usr/bin/dpkg ] && [ -s /var/lib/dpkg/status ] || skip "not a Debian system"
	stop_omgd
	start_omgd # this machine's root: dpkg -S is the oracle
	local want_path want_cmd
	want_path=$(dpkg -S /bin/ls)
	want_cmd=$(dpkg -S "$(type -P ls)" 2>/dev/null || dpkg -S /bin/ls)
	if [ "$1" = bash ]; then
		start_shell bash --norc --noprofile -i
		type_line "enable -f '$BASH_MODULE' omg; PS1='$ '; type -t omg"
		wait_screen "builtin"
	else
		start_shell zsh -f -i
		type_line "module_path=('$ZSH_MODULE_DIR' \$module_path); zmodload omg; PROMPT='$ '; whence -w omg"
		wait_screen "omg: builtin"
	fi
	type_line "clear; echo O-begin; omg owns /bin/ls; echo O-mid; omg owns ls; echo O-end"
	wait_screen "O-end"
	[ "$(between O | sed '/^O-mid$/,$d')" = "$want_path" ]
	[ "$(between O | sed '1,/^O-mid$/d')" = "$want_cmd" ]
}

@test "bash: omg owns /bin/ls and omg owns ls, typed at the prompt, print what dpkg -S prints" { owns_in_shell bash; }
@test "zsh: omg owns /bin/ls and omg owns ls, typed at the prompt, print what dpkg -S prints" { owns_in_shell zsh; }

history_in_shell() { # history_in_shell bash|zsh: omg history in a 60-column pane
	mkdir -p "$ROOT/var/log/apt"
	local list="" i
	for i in $(seq 1 12); do list="$list${list:+, }libexample-part-$i:amd64 (1.2.$i-1)"; done
	printf '\nStart-Date: 2026-11-02  10:00:00\nCommandline: apt-get install example\nRequested-By: user (1000)\nInstall: %s\nEnd-Date: 2026-11-02  10:00:09\n' \
		"$list" > "$ROOT/var/log/apt/history.log"
	TMUX_COLS=60 TMUX_ROWS=40
	if [ "$1" = bash ]; then
		start_shell bash --norc --noprofile -i
		type_line "enable -f '$BASH_MODULE' omg; PS1='$ '"
	else
		start_shell zsh -f -i
		type_line "module_path=('$ZSH_MODULE_DIR' \$module_path); zmodload omg; PROMPT='$ '"
	fi
	type_line "clear; echo H-begin; omg history; echo H-end"
	wait_screen "H-end"
	local shown; shown=$(between H)
	# the entry as apt wrote it, its times in the terminal's zone (UTC here: TZ is not set)
	grep -qx 'Start-Date: 2026-11-02  10:00:00' <<< "$shown"
	grep -qx 'Commandline: apt-get install example' <<< "$shown"
	grep -qx 'End-Date: 2026-11-02  10:00:09' <<< "$shown"
	# fits the 60 columns: the Install list broken between entries, under its first one
	awk 'length($0) > 60 { print "too long: " $0; bad = 1 } END { exit bad }' <<< "$shown"
	grep -qx 'Install: libexample-part-1:amd64 (1.2.1-1),' <<< "$shown"
	grep -qx '         libexample-part-12:amd64 (1.2.12-1)' <<< "$shown"
	# every entry whole, in order, once
	[ "$(grep -o 'libexample-part-[0-9]*:amd64 (1\.2\.[0-9]*-1)' <<< "$shown" | tr '\n' ' ')" = \
		"$(for i in $(seq 1 12); do printf 'libexample-part-%d:amd64 (1.2.%d-1) ' "$i" "$i"; done)" ]
	# the same entries as through a pipe, where the list is apt's one line
	[ "$(tr -d '\n' <<< "$shown" | sed 's/,  */, /g; s/ \{2,\}/ /g')" = \
		"$("$OMG" history | sed '/^$/d' | tr -d '\n' | sed 's/ \{2,\}/ /g')" ]
}

@test "bash: omg history in a 60-column terminal: apt's entry, its list broken between entries to fit" { history_in_shell bash; }
@test "zsh: omg history in a 60-column terminal: apt's entry, its list broken between entries to fit" { history_in_shell zsh; }
