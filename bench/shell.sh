#!/usr/bin/env bash
# shell.sh BUILDDIR — what omg costs inside the shells, per loop iteration, in one run:
# $OMG_UPDATES against $HOME and $EPOCHSECONDS; the omg builtin against the omg executable
# and the original system's prompt hook (od on the status file in a command substitution).
# Needs omgd running (starts one if none answers).
set -uo pipefail
build=$(cd "${1:?usage: shell.sh BUILDDIR}" && pwd)
"$build/omg" ping >/dev/null 2>&1 || "$build/omgd/omgd" || exit 1
status=$(dirname "$("$build/omg" --json status >/dev/null; ls "${XDG_RUNTIME_DIR:-/run/user/$(id -u)}/omg.status")")/omg.status

bash --norc --noprofile -c '
enable -f "'"$build"'/builtins/.libs/omg.so" omg || exit 1
t() { # t LABEL N CODE: microseconds per iteration
	local label=$1 n=$2 code=$3 t0 t1
	eval "f() { local i x; for ((i = 0; i < $n; i++)); do $code; done; }"
	t0=$EPOCHREALTIME; f; t1=$EPOCHREALTIME
	printf "bash  %-34s %9.2f us\n" "$label" "$(echo "($t1 - $t0) * 1000000 / $n" | bc -l)"
}
t "empty loop" 200000 ":"
t "x=\$HOME" 200000 "x=\$HOME"
t "x=\$EPOCHSECONDS" 200000 "x=\$EPOCHSECONDS"
t "x=\$OMG_UPDATES" 200000 "x=\$OMG_UPDATES"
t "omg status (builtin)" 5000 "omg status >/dev/null"
t "omg status (executable)" 300 "'"$build"'/omg status >/dev/null"
t "x=\$(od -An -j8 -N16 -tu4 status)" 300 "x=\$(od -An -j8 -N16 -tu4 '"$status"')"
'
zsh -f -c '
module_path=("'"$build"'/zshmod/.libs" $module_path)
zmodload omg zsh/datetime || exit 1
t() {
	local label=$1 n=$2 code=$3 t0 t1
	eval "f() { local i x; for ((i = 0; i < $n; i++)); do $code; done; }"
	t0=$EPOCHREALTIME; f; t1=$EPOCHREALTIME
	printf "zsh   %-34s %9.2f us\n" "$label" $(( (t1 - t0) * 1e6 / n ))
}
t "empty loop" 200000 ":"
t "x=\$HOME" 200000 "x=\$HOME"
t "x=\$EPOCHSECONDS" 200000 "x=\$EPOCHSECONDS"
t "x=\$OMG_UPDATES" 200000 "x=\$OMG_UPDATES"
t "omg status (builtin)" 5000 "omg status >/dev/null"
'

# Start-up cost of the one-line setup (issue 4: under 10 ms): a bash that evals the hook
# against one that does not, median of 21 runs each.
median_start() {
	local i t0 t1 times=()
	for ((i = 0; i < 21; i++)); do
		t0=$EPOCHREALTIME; "$@"; t1=$EPOCHREALTIME
		times+=("$(echo "($t1 - $t0) * 1000" | bc -l)")
	done
	printf '%s\n' "${times[@]}" | sort -g | sed -n 11p
}
export OMG_BASH_MODULE=$build/builtins/.libs/omg.so OMG_COMPLETIONS_DIR=$(dirname "$0")/../completions
plain=$(median_start bash --norc --noprofile -c ':')
hooked=$(median_start bash --norc --noprofile -c 'eval "$('"$build"'/omg hook bash)"')
printf 'bash  start-up, plain                    %9.2f ms\n' "$plain"
printf 'bash  start-up with eval "$(omg hook bash)" %6.2f ms (+%.2f ms)\n' "$hooked" "$(echo "$hooked - $plain" | bc -l)"

# Completion of "apt install fir<TAB>" (issue 4): omg's opt-in completion in-process against
# apt's own completion path (apt-cache pkgnames in a command substitution), as found (no
# pkgcache: 0 candidates on these machines) and with a generated pkgcache.
cache=$(mktemp -d)
apt-cache -o Dir::Cache::pkgcache="$cache/p.bin" -o Dir::Cache::srcpkgcache="$cache/s.bin" gencaches >/dev/null 2>&1
bash --norc --noprofile -c '
enable -f "'"$build"'/builtins/.libs/omg.so" omg || exit 1
. "'"$(dirname "$0")"'/../completions/omg.bash"; . "'"$(dirname "$0")"'/../completions/omg-apt.bash"
t() {
	local label=$1 n=$2 code=$3 t0 t1
	eval "f() { local i; for ((i = 0; i < $n; i++)); do $code; done; }"
	t0=$EPOCHREALTIME; f; t1=$EPOCHREALTIME
	printf "bash  %-44s %9.1f us%s\n" "$label" "$(echo "($t1 - $t0) * 1000000 / $n" | bc -l)" \
		"$([[ $label == Tab* ]] && echo "  (${#COMPREPLY[@]} candidates)")"
}
t "Tab: omg (apt install fir)" 2000 "COMP_WORDS=(apt install fir); COMP_CWORD=2; _omg_apt"
t "Tab: apt-cache --no-generate pkgnames fir" 30 "COMPREPLY=(\$(apt-cache --no-generate pkgnames fir 2>/dev/null))"
t "Tab: apt-cache pkgnames fir (pkgcache)" 30 "COMPREPLY=(\$(apt-cache -o Dir::Cache::pkgcache='"$cache"'/p.bin -o Dir::Cache::srcpkgcache='"$cache"'/s.bin pkgnames fir 2>/dev/null))"
t "Tab: apt-cache pkgnames fir (no cache, generated)" 10 "COMPREPLY=(\$(apt-cache pkgnames fir 2>/dev/null))"
t "not-found: omg not-found (builtin)" 2000 "omg not-found zzz-nothing 2>/dev/null"
t "not-found: omg not-found (executable)" 100 "'"$build"'/omg not-found zzz-nothing 2>/dev/null"
t "no daemon: omg status, one-line reason (exec)" 100 "OMG_SOCKET=/nonexistent/omg.sock OMG_AUTOSTART=0 '"$build"'/omg status 2>/dev/null"
'
rm -rf "$cache"

# The builtin's answer when no daemon listens (its socket is resolved at its first use, so a
# shell of its own with OMG_SOCKET set from the start).
OMG_SOCKET=/nonexistent/omg.sock OMG_AUTOSTART=0 bash --norc --noprofile -c '
enable -f "'"$build"'/builtins/.libs/omg.so" omg || exit 1
t0=$EPOCHREALTIME; for ((i = 0; i < 2000; i++)); do omg status 2>/dev/null; done; t1=$EPOCHREALTIME
printf "bash  %-44s %9.1f us\n" "no daemon: omg status, one-line reason (builtin)" "$(echo "($t1 - $t0) * 1000000 / 2000" | bc -l)"'
