# omg in an interactive zsh, all of it: the module, the completion and command-not-found
# (omg hook zsh), omgd started when nothing answers yet (so that the first prompt already has
# the counts), and the prompt theme (prompt/omg-prompt.zsh). Nothing of this runs until a
# user asks for it with one line, after compinit:
#     source /usr/share/omg/omg.zsh      in ~/.zshrc (this user), or in /etc/zsh/zshrc
#                                        (every user of the machine: the administrator's choice)
# (under another prefix: PREFIX/share/omg/omg.zsh). A non-interactive zsh, or a system where
# omg is gone, gets nothing and no error.
[[ -o interactive ]] || return 0
(( $+commands[omg] )) || return 0
eval "$(omg hook zsh)"
# as in omg.bash: the first shell with nothing answering starts omgd (5 s at most)
if (( $+OMG_TOTAL )) && [[ -z $OMG_TOTAL ]]; then omg ping >/dev/null 2>&1; fi
source "${${(%):-%x}:A:h}/prompt/omg-prompt.zsh"
