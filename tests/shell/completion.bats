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

@test "zsh: omg info fire<TAB> completes through compadd from the module" {
	start_shell zsh -f -i
	keys "module_path=('$ZSH_MODULE_DIR' \$module_path); zmodload omg; fpath=('$OMG_SRCDIR/completions' \$fpath); autoload -Uz compinit; compinit -u -D; PROMPT='> '" Enter
	sleep 0.3
	keys "omg info firef" Tab
	wait_screen "omg info firefox-esr"
	keys C-u "omg daemon st" Tab
	wait_screen "start"
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
