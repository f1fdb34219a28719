#!/usr/bin/env bats
# Interactive shells under tmux: a prompt with $OMG_UPDATES shows a new count after omgd
# publishes it, in the same shell.

load helpers

setup() { tmux_setup; }
teardown() { tmux_teardown; }

publish_update() {
	printf 'Package: local-only\nVersion: 0.9-1\nArchitecture: amd64\nDescription: newer\n\n' \
		> "$ROOT/var/lib/apt/lists/fixture.invalid_upd_dists_x_main_binary-amd64_Packages"
	for i in $(seq 1 50); do [ "$(od -An -j20 -N4 -tu4 "$XDG_RUNTIME_DIR/omg.status" | tr -d ' ')" = 7 ] && return; sleep 0.05; done
	return 1
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
