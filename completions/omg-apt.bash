# Opt-in package names for apt, apt-get, apt-cache and dpkg (pacman on Arch) from omgd:
# eval "$(omg hook bash apt)". It only adds: where a package name goes, omg supplies it (from
# its index, without a fork; these machines set Dir::Cache::pkgcache "", so apt's own
# `apt-cache --no-generate pkgnames` finds nothing); everything else — options, subcommands,
# -t releases, file arguments — comes from the completion the command had before: one set
# before the hook, else bash-completion's (loaded lazily, as bash-completion does), else
# bash's default (file names). When omgd cannot answer, package names come from there too.
# The argument kinds follow apt's own completion (apt 2.6): available names after install,
# show, source, ...; installed names after remove and purge. Needs omg.bash (_omg_packages).

declare -gA _omg_orig_spec 2>/dev/null # command -> its completion before omg's ("" none)

# _omg_save_spec CMD: remembers CMD's completion unless it is omg's own. Forks only when there
# is one to remember (rare at shell start: bash-completion registers apt and dpkg lazily).
_omg_save_spec() {
	local spec
	complete -p "$1" &>/dev/null || return 0
	spec=$(complete -p "$1" 2>/dev/null)
	[[ $spec == *" -F _omg_"* ]] || _omg_orig_spec[$1]=$spec
}

# _omg_orig_load CMD: makes sure _omg_orig_spec[CMD] is known: if nothing was set before the
# hook, bash-completion's file for CMD is loaded now (it registers its own function, which is
# remembered; ours is put back).
_omg_orig_load() {
	local cmd=$1
	[[ ${_omg_orig_spec[$cmd]+x} ]] && return 0
	_omg_orig_spec[$cmd]=
	if declare -F __load_completion >/dev/null; then
		__load_completion "$cmd" >/dev/null 2>&1
	elif declare -F _completion_loader >/dev/null; then
		_completion_loader "$cmd" >/dev/null 2>&1
	fi
	_omg_save_spec "$cmd"
	case $cmd in
	apt | apt-get | apt-cache) complete -F _omg_apt "$cmd" ;;
	*) complete -F "_omg_$cmd" "$cmd" ;;
	esac
	return 0
}

# _omg_orig CMD WORD PREV: COMPREPLY from CMD's completion before omg's, or bash's default.
_omg_orig() {
	local cmd=$1 spec words_ i func= opts=()
	_omg_orig_load "$cmd"
	spec=${_omg_orig_spec[$cmd]}
	COMPREPLY=()
	if [[ -z $spec ]]; then
		compopt -o bashdefault -o default 2>/dev/null # what bash does with no completion
		return 0
	fi
	read -ra words_ <<< "$spec"
	for ((i = 1; i < ${#words_[@]} - 1; i++)); do
		case ${words_[i]} in
		-F) func=${words_[++i]} ;;
		-o) opts+=(-o "${words_[++i]}") ;;
		esac
	done
	((${#opts[@]})) && compopt "${opts[@]}" 2>/dev/null
	if [[ $func ]]; then
		"$func" "$@"
	else # -W, -A and the like: what compgen makes of the same spec
		spec=${spec% *} # without the command's name
		mapfile -t COMPREPLY < <(eval "compgen ${spec#complete } -- \"\$2\"" 2>/dev/null)
	fi
	return 0
}

# _omg_names CMD WORD PREV [-i]: omg's package names, or the original's when omgd cannot answer
_omg_names() {
	_omg_packages "$2" $4
	(($? < 2)) || _omg_orig "$1" "$2" "$3"
	return 0
}

_omg_apt() {
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} tool=${COMP_WORDS[0]##*/} cmd= i w
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		case $w in
		-o | -c | -t | -a | --option | --config-file | --target-release | --host-architecture) ((i++)) ;;
		-*) ;;
		*) cmd=$w; break ;;
		esac
	done
	_omg_orig_load "$tool"
	if [[ -z $cmd && $cur != -* && -z ${_omg_orig_spec[$tool]} ]]; then
		# no completion of its own (no bash-completion): omg adds the subcommands
		case $tool in
		apt) _omg_words "$cur" list search show showsrc install reinstall remove purge autoremove autopurge \
			update upgrade full-upgrade edit-sources help source build-dep clean autoclean download \
			changelog depends rdepends policy satisfy ;;
		apt-get) _omg_words "$cur" update upgrade dist-upgrade dselect-upgrade install reinstall remove \
			purge source build-dep satisfy check download clean autoclean autoremove autopurge changelog ;;
		*) _omg_words "$cur" gencaches showpkg showsrc stats dump dumpavail unmet search show depends \
			rdepends pkgnames policy madison ;;
		esac
		return 0
	fi
	case $prev in # an option's argument: not a package name
	-o | -c | -t | -a | --option | --config-file | --target-release | --host-architecture) cmd= ;;
	esac
	[[ $cur == -* || $cur == .* || $cur == /* || $cur == \~* ]] && cmd= # options, local files
	case $cmd in
	remove | purge | autoremove | autopurge)
		_omg_names "$tool" "$cur" "$prev" -i ;;
	install | reinstall | show | list | download | changelog | depends | rdepends | source | build-dep | \
		showsrc | policy | showpkg | madison | pkgnames)
		_omg_names "$tool" "$cur" "$prev" ;;
	*) _omg_orig "$tool" "$cur" "$prev" ;;
	esac
	return 0
}

# dpkg: installed names after the actions that take them, the rest from dpkg's own completion.
_omg_dpkg() {
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} i
	if [[ $cur != -* ]]; then
		for ((i = COMP_CWORD - 1; i > 0; i--)); do
			case ${COMP_WORDS[i]} in
			-s | -L | -r | -P | -V | --status | --listfiles | --remove | --purge | --verify | -l | --list)
				_omg_names dpkg "$cur" "$prev" -i; return 0 ;;
			-p | --print-avail)
				_omg_names dpkg "$cur" "$prev"; return 0 ;;
			-*) break ;;
			esac
		done
	fi
	_omg_orig dpkg "$cur" "$prev"
	return 0
}

# pacman: sync names after -S, installed names after -R and -Q, the rest from pacman's own.
_omg_pacman() {
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} i
	if [[ $cur != -* ]]; then
		for ((i = 1; i < COMP_CWORD; i++)); do
			case ${COMP_WORDS[i]} in
			-S*) _omg_names pacman "$cur" "$prev"; return 0 ;;
			-R* | -Q*) _omg_names pacman "$cur" "$prev" -i; return 0 ;;
			esac
		done
	fi
	_omg_orig pacman "$cur" "$prev"
	return 0
}

for _omg_c in apt apt-get apt-cache dpkg pacman; do _omg_save_spec "$_omg_c"; done
unset _omg_c
complete -F _omg_apt apt apt-get apt-cache
complete -F _omg_dpkg dpkg
if command -v pacman >/dev/null 2>&1; then complete -F _omg_pacman pacman; fi
