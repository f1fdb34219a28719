# Opt-in package-name completion for apt, apt-get, apt-cache and dpkg (pacman on Arch), from
# omgd: eval "$(omg hook bash apt)". The argument kinds follow apt's own completion (apt 2.6):
# available names after install, show, source, ...; installed names after remove and purge.
# These machines set Dir::Cache::pkgcache "", so apt's own `apt-cache --no-generate pkgnames`
# finds nothing; omg answers from its index in microseconds, without a fork.
# Needs omg.bash (for _omg_packages and _omg_words).

_omg_apt() {
	local cur=${COMP_WORDS[COMP_CWORD]} tool=${COMP_WORDS[0]##*/} cmd= i w
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		case $w in
		-o | -c | -t | -a | --option | --config-file | --target-release | --host-architecture) ((i++)) ;;
		-*) ;;
		*) cmd=$w; break ;;
		esac
	done
	if [[ -z $cmd ]]; then
		[[ $cur == -* ]] && { COMPREPLY=(); return 0; }
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
	case $cmd in
	remove | purge | autoremove | autopurge)
		_omg_packages "$cur" -i ;;
	install | reinstall | show | list | download | changelog | depends | rdepends | source | build-dep | \
		showsrc | policy | showpkg | madison | pkgnames)
		if [[ $cur == .* || $cur == /* || $cur == \~* ]]; then
			compopt -o default 2>/dev/null; COMPREPLY=()   # a local .deb or .dsc: files
		else
			_omg_packages "$cur"
		fi ;;
	*) COMPREPLY=() ;;
	esac
	return 0
}

# dpkg: installed names after the actions that take them; files after -i and friends.
_omg_dpkg() {
	local cur=${COMP_WORDS[COMP_CWORD]} i
	for ((i = COMP_CWORD - 1; i > 0; i--)); do
		case ${COMP_WORDS[i]} in
		-s | -L | -r | -P | -V | --status | --listfiles | --remove | --purge | --verify | -l | --list)
			_omg_packages "$cur" -i; return 0 ;;
		-p | --print-avail)
			_omg_packages "$cur"; return 0 ;;
		-*) break ;;
		esac
	done
	compopt -o default 2>/dev/null
	COMPREPLY=()
	return 0
}

# pacman: sync names after -S, installed names after -R and -Q.
_omg_pacman() {
	local cur=${COMP_WORDS[COMP_CWORD]} i
	[[ $cur == -* ]] && { COMPREPLY=(); return 0; }
	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		-S*) _omg_packages "$cur"; return 0 ;;
		-R* | -Q*) _omg_packages "$cur" -i; return 0 ;;
		esac
	done
	COMPREPLY=()
	return 0
}

complete -F _omg_apt apt apt-get apt-cache
complete -F _omg_dpkg dpkg
if command -v pacman >/dev/null 2>&1; then complete -F _omg_pacman pacman; fi
