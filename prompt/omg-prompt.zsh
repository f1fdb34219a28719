# omg prompt theme for zsh: pending updates in RPROMPT, hidden when there are none (or when
# omgd is not running): yellow, or bold red with the security count (⚠) when security updates
# are pending; orphans too when OMG_PROMPT_ORPHANS=1; and, in red, what the last verification
# found (OMG_MODIFIED), only when it found something; ⟳ while a reboot is required
# (OMG_REBOOT, psvar[9]). No fork per prompt:
# a precmd hook copies $OMG_UPDATES (read by the omg module from omgd's mapped status file)
# into psvar, and %(1V...) shows the segment only when it is set. psvar[4..6] and [8] hold
# the signs: ASCII (^ ! ~ X) outside a UTF-8 locale, so that zsh's idea of the prompt's width is the
# terminal's.
#   source /usr/local/share/omg/prompt/omg-prompt.zsh   (after: eval "$(omg hook zsh)")

_omg_prompt() {
	local u=${OMG_UPDATES-} o=${OMG_ORPHANS-} s=${OMG_SECURITY-} m=${OMG_MODIFIED-}
	psvar[1]=''; psvar[2]=''; psvar[3]=''; psvar[7]=''; psvar[9]=''
	case ${LC_ALL:-${LC_CTYPE:-${LANG-}}} in
	*[Uu][Tt][Ff]-8*|*[Uu][Tt][Ff]8*) psvar[4]='⬆'; psvar[5]='⚠'; psvar[6]='♻'; psvar[8]='✗' ;;
	*) psvar[4]='^'; psvar[5]='!'; psvar[6]='~'; psvar[8]='X' ;;
	esac
	[[ ${OMG_REBOOT-} == 1 ]] && { [[ $psvar[4] == '^' ]] && psvar[9]='R' || psvar[9]='⟳'; }
	[[ -n $m && $m != 0 ]] && psvar[7]=$m
	[[ -n $u && $u != 0 ]] && psvar[1]=$u
	[[ -n $u && $u != 0 && -n $s && $s != 0 ]] && psvar[3]=$s
	[[ ${OMG_PROMPT_ORPHANS-} == 1 && -n $o && $o != 0 ]] && psvar[2]=$o
	return 0
}

autoload -Uz add-zsh-hook
add-zsh-hook precmd _omg_prompt
[[ $RPROMPT == *'%1v'* ]] ||
	RPROMPT='%(3V.%B%F{red}%4v%1v%5v%3v%f%b.%(1V.%F{yellow}%4v%1v%f.))%(2V. %F{245}%6v%2v%f.)%(7V. %B%F{red}%8v%7v%f%b.)%(9V. %B%F{yellow}%9v%f%b.)'"${RPROMPT:+ $RPROMPT}"
