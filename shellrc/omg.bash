# omg in an interactive bash, all of it: the module, the completion and command-not-found
# (omg hook bash), omgd started when nothing answers yet (so that the first prompt already
# has the counts), and the prompt theme (prompt/omg-prompt.bash). Nothing of this runs until
# a user asks for it with one line:
#     . /usr/share/omg/omg.bash          in ~/.bashrc (this user), or in /etc/bash.bashrc
#                                        (every user of the machine: the administrator's choice)
# (under another prefix: PREFIX/share/omg/omg.bash). A non-interactive bash, or a system where
# omg is gone, gets nothing and no error, so the line may stay after the package is removed.
[[ $- == *i* ]] || return 0
command -v omg >/dev/null 2>&1 || return 0
eval "$(omg hook bash)"
# The module is loaded but nothing answers (the first shell since boot, and no systemd user
# socket): omg ping starts omgd and waits for its first index, 5 s at most (omg's autostart,
# off with OMG_AUTOSTART=0); with the user socket it connects and systemd starts omgd.
if [[ ${OMG_TOTAL+x} && -z $OMG_TOTAL ]]; then omg ping >/dev/null 2>&1; fi
. "${BASH_SOURCE[0]%/*}/prompt/omg-prompt.bash"
