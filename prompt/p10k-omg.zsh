# powerlevel10k custom segment: add `omg` to POWERLEVEL9K_RIGHT_PROMPT_ELEMENTS.
# Reads $OMG_UPDATES and $OMG_SECURITY (omg module; no fork); hidden when 0 or when omgd is
# not running; red with the security count when security updates are pending.
function prompt_omg() {
	local u=${OMG_UPDATES-} s=${OMG_SECURITY-} up='⬆' warn='⚠'
	[[ -n $u && $u != 0 ]] || return 0
	case ${LC_ALL:-${LC_CTYPE:-${LANG-}}} in
	*[Uu][Tt][Ff]-8*|*[Uu][Tt][Ff]8*) ;;
	*) up='^' warn='!' ;; # not UTF-8: one byte is one column
	esac
	if [[ -n $s && $s != 0 ]]; then
		p10k segment -f red -t "$up$u$warn$s"
	else
		p10k segment -f yellow -t "$up$u"
	fi
}
# Instant prompt: the value is already in the shell, so the same function is safe to run.
function instant_prompt_omg() { prompt_omg; }
