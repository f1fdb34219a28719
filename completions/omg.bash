# bash completion for omg. With the omg module loaded, package names come from the
# in-process builtin straight into COMPREPLY (no fork); otherwise from the omg executable.
# Word lists are matched in bash itself: no compgen subshell per Tab.

# _omg_words CUR WORD...: COMPREPLY = the WORDs that start with CUR
_omg_words() {
	local cur=$1 w
	shift
	COMPREPLY=()
	for w in "$@"; do
		[[ $w == "$cur"* ]] && COMPREPLY+=("$w")
	done
	return 0
}

# _omg_packages CUR [-i]: package names starting with CUR (-i: installed only). Returns omg's
# status: 0 names, 1 none, 2 or more omgd could not answer.
_omg_packages() {
	if [[ ${OMG_TOTAL+x} ]]; then # the module is loaded (tested without a fork)
		omg complete $2 -A COMPREPLY -- "$1" 2>/dev/null
	else
		local IFS=$'\n'
		COMPREPLY=($(command omg complete $2 -- "$1" 2>/dev/null))
	fi
}

_omg() {
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} cmd= i
	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		-n | --limit | --timeout | -A | --since | --lock-timeout) ((i++)) ;;
		-*) ;;
		*) cmd=${COMP_WORDS[i]}; break ;;
		esac
	done
	case $prev in
	-n | --limit | --timeout | -A | --lock-timeout) COMPREPLY=(); return 0 ;;
	--since) _omg_words "$cur" today yesterday 1h 1d 7d; return 0 ;;
	esac
	if [[ -z $cmd ]]; then
		if [[ $cur == -* ]]; then
			_omg_words "$cur" --json --timeout --help
		else
			_omg_words "$cur" status search info show policy depends rdepends why size files changelog list complete ping metrics daemon audit history owns not-found hook doctor help \
				install remove purge reinstall upgrade full-upgrade autoremove update hold unhold mark
		fi
		return 0
	fi
	case $cmd in
	info | policy | depends | rdepends) [[ $cur == -* ]] && _omg_words "$cur" --json || _omg_packages "$cur" ;;
	show) [[ $cur == -* ]] && _omg_words "$cur" -a --all-versions --json || _omg_packages "$cur" ;;
	files | changelog | why) [[ $cur == -* ]] && _omg_words "$cur" --json || _omg_packages "$cur" -i ;;
	search) [[ $cur == -* ]] && _omg_words "$cur" -d --descriptions -i --installed -n --limit --names-only --no-aur --json || COMPREPLY=() ;;
	list) [[ $cur == -* ]] && _omg_words "$cur" -n --limit --json || _omg_words "$cur" installed explicit orphans upgradable security ;;
	complete) [[ $cur == -* ]] && _omg_words "$cur" -i --installed -n --limit -A || _omg_packages "$cur" ;;
	daemon) _omg_words "$cur" start stop status ;;
	audit)
		if ((i + 1 == COMP_CWORD)); then
			_omg_words "$cur" log verify
		elif [[ ${COMP_WORDS[i + 1]} == verify ]]; then
			[[ $cur == -* ]] && _omg_words "$cur" --full --last --no-archive --no-files --json || _omg_packages "$cur" -i
		else
			_omg_words "$cur" --since --verify --json
		fi ;;
	history) _omg_words "$cur" --since --json ;;
	owns) [[ $cur == -* ]] && _omg_words "$cur" --json || { compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -f -- "$cur") $(compgen -c -- "$cur")); } ;;
	size) _omg_words "$cur" -n --limit --json ;;
	install | reinstall) [[ $cur == -* ]] && _omg_words "$cur" -s --dry-run -y --yes --lock-timeout --json ||
		_omg_packages "$cur" ;;
	remove | purge) [[ $cur == -* ]] && _omg_words "$cur" -s --dry-run -y --yes --lock-timeout \
		--allow-remove-essential --json || _omg_packages "$cur" -i ;;
	upgrade | full-upgrade | autoremove) _omg_words "$cur" -s --dry-run -y --yes --lock-timeout --json \
		$([[ $cmd == upgrade ]] && echo --full) ;;
	update) _omg_words "$cur" --lock-timeout --json ;;
	hold | unhold) _omg_packages "$cur" -i ;;
	mark) ((i + 1 == COMP_CWORD)) && _omg_words "$cur" auto manual || _omg_packages "$cur" -i ;;
	*) COMPREPLY=() ;;
	esac
	return 0
}
complete -F _omg omg
