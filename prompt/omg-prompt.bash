# omg prompt theme for bash: pending updates at the front of PS1, hidden when there are none
# (or when omgd is not running): yellow, or bold red with the security count (⚠) when
# security updates are pending; orphans after them when OMG_PROMPT_ORPHANS=1; and, in red,
# what the last verification found (OMG_MODIFIED: files changed or missing, archive
# problems: `omg audit verify --last` tells), only when it found something; and ⟳ in yellow
# while a reboot is required (OMG_REBOOT: /run/reboot-required is there). Outside a
# UTF-8 locale the signs are ASCII (^ ! ~), so that readline's idea of the prompt's width is
# the terminal's and long lines wrap where they should. No fork per prompt: the segment is computed by PROMPT_COMMAND from $OMG_UPDATES, which the
# omg module reads from omgd's mapped status file.
#   . /usr/local/share/omg/prompt/omg-prompt.bash      (after: eval "$(omg hook bash)")

_omg_prompt() {
	local u=${OMG_UPDATES-} o=${OMG_ORPHANS-} m=${OMG_MODIFIED-} s up='⬆' warn='⚠' orphan='♻' bad='✗' reboot='⟳'
	case ${LC_ALL:-${LC_CTYPE:-${LANG-}}} in
	*[Uu][Tt][Ff]-8* | *[Uu][Tt][Ff]8*) ;;
	*) up='^' warn='!' orphan='~' bad='X' reboot='R' ;; # not UTF-8: one byte is one column
	esac
	OMG_PS1=
	if [[ $u && $u != 0 ]]; then
		s=${OMG_SECURITY-}
		if [[ $s && $s != 0 ]]; then
			OMG_PS1+='\[\e[1;31m\]'"$up$u$warn$s"'\[\e[0m\] '
		else
			OMG_PS1+='\[\e[33m\]'"$up$u"'\[\e[0m\] '
		fi
	fi
	[[ ${OMG_PROMPT_ORPHANS-} == 1 && $o && $o != 0 ]] && OMG_PS1+='\[\e[2m\]'"$orphan$o"'\[\e[0m\] '
	[[ $m && $m != 0 ]] && OMG_PS1+='\[\e[1;31m\]'"$bad$m"'\[\e[0m\] '
	[[ ${OMG_REBOOT-} == 1 ]] && OMG_PS1+='\[\e[1;33m\]'"$reboot"'\[\e[0m\] '
	return 0
}

if [[ $PROMPT_COMMAND != *_omg_prompt* ]]; then
	PROMPT_COMMAND="_omg_prompt${PROMPT_COMMAND:+; $PROMPT_COMMAND}"
	PS1='${OMG_PS1@P}'"$PS1"
fi
