# powerlevel10k custom segment: add `omg` to POWERLEVEL9K_RIGHT_PROMPT_ELEMENTS.
# Reads $OMG_UPDATES (omg module; no fork); hidden when 0 or when omgd is not running.
function prompt_omg() {
	local u=${OMG_UPDATES-}
	[[ -n $u && $u != 0 ]] && p10k segment -f yellow -t "⬆$u"
}
# Instant prompt: the value is already in the shell, so the same function is safe to run.
function instant_prompt_omg() { prompt_omg; }
