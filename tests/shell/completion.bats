#!/usr/bin/env bats
# Tab completion for omg, typed into interactive bash and zsh under tmux.

load helpers
export OMG   # the bash -c and zsh -c scripts below call the built executable

setup() { tmux_setup; }
teardown() { tmux_teardown; }

@test "bash: omg info fire<TAB> completes a package name from the builtin" {
	start_shell bash --norc --noprofile -i
	keys "enable -f '$BASH_MODULE' omg; . '$OMG_SRCDIR/completions/omg.bash'; PS1='> '" Enter
	keys "omg info firef" Tab
	wait_screen "omg info firefox-esr"
	keys C-u "omg li" Tab
	wait_screen "omg list"
	type_text "up"
	keys Tab
	wait_screen "omg list upgradable"
}

@test "bash: without the module the executable feeds completion" {
	start_shell bash --norc --noprofile -i
	keys ". '$OMG_SRCDIR/completions/omg.bash'; PS1='> '" Enter
	keys "omg info norel" Tab
	wait_screen "omg info norelease-pkg"
}

@test "bash: omg search -<TAB><TAB> lists the options" {
	start_shell bash --norc --noprofile -i
	keys "enable -f '$BASH_MODULE' omg; . '$OMG_SRCDIR/completions/omg.bash'; PS1='> '" Enter
	keys "omg search --desc" Tab
	wait_screen "omg search --descriptions"
}

@test "bash: the actions complete: omg rem<TAB>, remove alt-o<TAB> (installed), mark a<TAB>, install --dr<TAB>" {
	start_shell bash --norc --noprofile -i
	keys "enable -f '$BASH_MODULE' omg; . '$OMG_SRCDIR/completions/omg.bash'; PS1='> '" Enter
	keys "omg rem" Tab
	wait_screen "omg remove"
	keys "alt-o" Tab
	wait_screen "omg remove alt-one"
	keys C-u "omg mark a" Tab
	wait_screen "omg mark auto"
	keys C-u "omg install --dr" Tab
	wait_screen "omg install --dry-run"
	keys C-u "omg audit ver" Tab
	wait_screen "omg audit verify"
	type_text "--no-f"; keys Tab
	wait_screen "omg audit verify --no-files"
	keys "alt-o" Tab
	wait_screen "omg audit verify --no-files alt-one"
}

@test "zsh: omg info fire<TAB> completes through compadd from the module" {
	start_shell zsh -f -i
	keys "module_path=('$ZSH_MODULE_DIR' \$module_path); zmodload omg; fpath=('$OMG_SRCDIR/completions' \$fpath); autoload -Uz compinit; compinit -u -D; PROMPT='> '" Enter
	sleep 0.3
	keys "omg info firef" Tab
	wait_screen "omg info firefox-esr"
	keys C-u "omg daemon st" Tab
	wait_screen "start"
	keys C-u "omg upgrade --fu" Tab
	wait_screen "omg upgrade --full"
	keys C-u "omg purge alt-o" Tab
	wait_screen "omg purge alt-one"
	keys C-u "omg audit verify --la" Tab
	wait_screen "omg audit verify --last"
}

@test "eval \"\$(omg hook bash)\" loads the module and the completion; a second eval changes nothing" {
	run env OMG_BASH_MODULE="$BASH_MODULE" OMG_COMPLETIONS_DIR="$OMG_SRCDIR/completions" bash --norc --noprofile -c '
		eval "$("$OMG" hook bash)"; type -t omg; complete -p omg; echo "[$OMG_UPDATES]"
		eval "$("$OMG" hook bash)"; echo again; omg complete -A COMPREPLY lib; echo "${COMPREPLY[*]}"'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = builtin ]
	[ "${lines[1]}" = "complete -F _omg omg" ]
	[ "${lines[2]}" = "[6]" ]
	[ "${lines[4]}" = "libedit libfirestore libmulti" ]
}

@test "eval \"\$(omg hook zsh)\" loads the module and registers _omg with compinit" {
	run env OMG_ZSH_MODULE_DIR="$ZSH_MODULE_DIR" OMG_COMPLETIONS_DIR="$OMG_SRCDIR/completions" zsh -f -c '
		autoload -Uz compinit; compinit -u -D
		eval "$("$OMG" hook zsh)"; whence -w omg; print -r -- "[$OMG_UPDATES] ${_comps[omg]}"'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "omg: builtin" ]
	[ "${lines[1]}" = "[6] _omg" ]
}

@test "omg hook with a missing module or completion prints nothing into the shell" {
	run env OMG_BASH_MODULE=/nonexistent/omg.so OMG_COMPLETIONS_DIR=/nonexistent bash --norc --noprofile -c 'eval "$("$OMG" hook bash)"; echo "rc=$?"'
	[ "$output" = "rc=0" ]
	run "$OMG" hook fish
	[ "$status" -eq 2 ]
}

# typed_apt_completions: Tab after apt install, apt remove and dpkg -L in the running shell
typed_apt_completions() {
	type_text "apt install firef"; keys Tab
	wait_screen "apt install firefox-esr"
	keys C-u; type_text "apt remove loc"; keys Tab
	wait_screen "apt remove local-only"
	keys C-u; type_text "dpkg -L ba"; keys Tab
	wait_screen "dpkg -L bash"
}

# apt_candidates WORDS...: what the opt-in apt completion offers for the last word (from the
# omgd this test started)
apt_candidates() {
	bash --norc --noprofile -c 'enable -f "$0" omg; . "$1/omg.bash"; . "$1/omg-apt.bash"; shift
		COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 )); complete -p "$1" >/dev/null || exit 1
		$(complete -p "$1" | sed "s/.*-F \([^ ]*\).*/\1/"); printf "%s\n" "${COMPREPLY[@]}"' \
		"$BASH_MODULE" "$OMG_SRCDIR/completions" "$@" | sed '/^$/d' | sort
}

# apt's own candidates, with a pkgcache generated so that apt-cache pkgnames answers
apt_pkgnames() {
	local cache=$BATS_TEST_TMPDIR/pkgcache
	mkdir -p "$cache"
	env ${1:+APT_CONFIG=$1/apt.conf.oracle} apt-cache -o Dir::Cache::pkgcache="$cache/p.bin" \
		-o Dir::Cache::srcpkgcache="$cache/s.bin" pkgnames "$2" 2>/dev/null | sort
}

@test "apt completion (opt-in): available names equal apt-cache pkgnames on the fixture root" {
	for prefix in "" lib fi r; do
		diff <(apt_candidates apt install "$prefix") <(apt_pkgnames "$ROOT" "$prefix")
		diff <(apt_candidates apt-get source "$prefix") <(apt_pkgnames "$ROOT" "$prefix")
	done
	[ "$(apt_candidates apt install "" | wc -l)" -gt 30 ]
}

@test "apt completion (opt-in): remove offers installed names, as dpkg lists them" {
	local want
	want=$(dpkg-query --admindir="$ROOT/var/lib/dpkg" -W -f '${db:Status-Status} ${Package}\n' |
		awk '$1 != "not-installed" && $1 != "config-files" { print $2 }' | sort -u)
	diff <(apt_candidates apt remove "") <(echo "$want")
	diff <(apt_candidates apt-get purge "") <(echo "$want")
	diff <(apt_candidates dpkg -L "") <(echo "$want")
	[ -z "$(apt_candidates apt remove noti)" ]
	[ "$(apt_candidates apt i)" = "$(printf 'install')" ]
}

@test "apt completion (opt-in): this machine's names equal apt-cache pkgnames" {
	stop_omgd
	start_omgd
	for prefix in fir ba x; do
		diff <(apt_candidates apt install "$prefix") <(apt_pkgnames "" "$prefix")
	done
}

@test "apt completion (opt-in) typed: apt install firef<TAB>, apt remove loc<TAB>, dpkg -L ba<TAB>" {
	start_shell bash --norc --noprofile -i
	type_line "export OMG_BASH_MODULE='$BASH_MODULE' OMG_COMPLETIONS_DIR='$OMG_SRCDIR/completions'; eval \"\$(omg hook bash apt)\"; PS1='> '"
	typed_apt_completions
}

@test "zsh apt completion (opt-in) typed: apt install firef<TAB>, apt remove loc<TAB>, dpkg -L ba<TAB>" {
	start_shell zsh -f -i
	type_line "export OMG_ZSH_MODULE_DIR='$ZSH_MODULE_DIR' OMG_COMPLETIONS_DIR='$OMG_SRCDIR/completions'; autoload -Uz compinit; compinit -u -D; eval \"\$(omg hook zsh apt)\"; PROMPT='> '"
	sleep 0.3
	typed_apt_completions
}

# ---- the apt completion only adds to what the shell had (issue 14) ---------------------
BASH_COMPLETION=/usr/share/bash-completion/bash_completion
need_bash_completion() { [ -r "$BASH_COMPLETION" ] || skip "bash-completion is not installed (setup.sh installs it)"; }

# bc_candidates HOOK WORDS...: candidates for the last word in a bash with bash-completion,
# through the function bash would call: bash-completion's own (HOOK=0, loaded as it loads
# it) or the one omg's hook registered (HOOK=1)
bc_candidates() {
	bash --norc --noprofile -c '. "$2"; if [ "$3" = 1 ]; then enable -f "$0" omg; . "$1/omg.bash"; . "$1/omg-apt.bash"
		else __load_completion "$4"; fi; shift 3
		COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 )); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
		complete -p "$1" >/dev/null || exit 1
		$(complete -p "$1" | sed "s/.*-F \([^ ]*\).*/\1/") "$1" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
		printf "%s\n" "${COMPREPLY[@]}"' "$BASH_MODULE" "$OMG_SRCDIR/completions" "$BASH_COMPLETION" "$@" |
		sed '/^$/d' | sort
}

@test "bash with bash-completion: options, subcommands and -t releases are bash-completion's own after the hook" {
	need_bash_completion
	local words
	for words in "apt install --no-" "apt-get -" "apt-get --" "apt-cache -" "dpkg --l" "dpkg -" "apt up" \
		"apt-get dist" "apt-cache po" "apt install -t " "apt list --"; do
		read -ra w <<< "$words"; [[ $words == *" " ]] && w+=("")
		diff <(bc_candidates 0 "${w[@]}") <(bc_candidates 1 "${w[@]}") || { echo "differs: $words"; false; }
	done
	# and they are not empty: the comparison compared something
	[ "$(bc_candidates 1 apt install --no- | wc -l)" -ge 2 ]
	[[ "$(bc_candidates 1 dpkg --l)" == *--listfiles* ]]
	[ "$(bc_candidates 1 apt-get - | wc -l)" -ge 20 ]
	# package names come from omg (apt's own pkgnames finds nothing without a pkgcache)
	diff <(bc_candidates 1 apt install fi) <("$OMG" complete fi | sort)
	diff <(bc_candidates 1 dpkg -L ba) <("$OMG" complete -i ba | sort)
	[ -n "$(bc_candidates 1 apt install fi)" ]
}

@test "bash: a completion set before the hook is kept, and answers package names when omgd cannot" {
	run bash --norc --noprofile -c 'complete -W "alpha firstword" apt; enable -f "$0" omg; . "$1/omg.bash"; . "$1/omg-apt.bash"
		try() { COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 )); COMPREPLY=(); _omg_apt "$1" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"; echo "${COMPREPLY[*]}"; }
		try apt al; try apt install fi; XDG_RUNTIME_DIR=/nonexistent OMG_AUTOSTART=0 try apt install fi' \
		"$BASH_MODULE" "$OMG_SRCDIR/completions"
	echo "$output"
	[ "${lines[0]}" = "alpha" ]                 # not a package position: the user's own
	[[ "${lines[1]}" == *firefox-esr* ]]       # a package position: omg's names
	[ "${lines[2]}" = "firstword" ]            # omgd unreachable: the user's own again
}

# typed_options_and_names: options from the shell's own completion, names from omg
typed_options_and_names() {
	tab_until "apt-get --no-install-r" "apt-get --no-install-recommends"
	tab_until "dpkg --listf" "dpkg --listfiles"
	tab_until "apt install firef" "apt install firefox-esr"
}
# tab_until TYPED SHOWN: a new line, TYPED, Tab, until the screen shows SHOWN
tab_until() { keys C-u; type_text "$1"; keys Tab; wait_screen "$2"; }

@test "bash with bash-completion typed: apt-get --no-install-r<TAB>, dpkg --listf<TAB>, apt install firef<TAB>" {
	need_bash_completion
	start_shell bash --norc --noprofile -i
	type_line ". $BASH_COMPLETION; export OMG_BASH_MODULE='$BASH_MODULE' OMG_COMPLETIONS_DIR='$OMG_SRCDIR/completions'; eval \"\$(omg hook bash apt)\"; PS1='> '"
	typed_options_and_names
}

@test "bash without bash-completion typed: apt install --no-<TAB> completes a file name, as without the hook" {
	mkdir -p "$BATS_TEST_TMPDIR/w" && : > "$BATS_TEST_TMPDIR/w/--no-such-option.txt"
	start_shell bash --norc --noprofile -i
	type_line "cd '$BATS_TEST_TMPDIR/w'; export OMG_BASH_MODULE='$BASH_MODULE' OMG_COMPLETIONS_DIR='$OMG_SRCDIR/completions'; eval \"\$(omg hook bash apt)\"; PS1='> '"
	type_text "apt install --no-"; keys Tab
	wait_screen "apt install --no-such-option.txt"
	keys C-u; type_text "dpkg -i ./--no-s"; keys Tab
	wait_screen "dpkg -i ./--no-such-option.txt"
}

@test "zsh typed: apt-get --no-install-r<TAB> and dpkg --listf<TAB> come from zsh's own completion after the hook" {
	start_shell zsh -f -i
	type_line "export OMG_ZSH_MODULE_DIR='$ZSH_MODULE_DIR' OMG_COMPLETIONS_DIR='$OMG_SRCDIR/completions'; autoload -Uz compinit; compinit -u -D; eval \"\$(omg hook zsh apt)\"; PROMPT='> '"
	sleep 0.3
	typed_options_and_names
}
