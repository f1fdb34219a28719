#!/usr/bin/env bash
# shell-soak.sh BUILDDIR [PROMPTS]: real interactive bash and zsh (prompts expanded from
# PS1/PROMPT with $OMG_UPDATES) read PROMPTS command lines while a chaos loop truncates,
# rewrites, removes and replaces the status file, stops, continues, kills and restarts
# omgd, and the lines themselves run omg in subshells and background jobs. Fails on a
# crash, on any answer that names the wrong package, or when the shell's RSS grows by more
# than 2 MB after warm-up. Prints one line per shell. Default 10,000 prompts.
set -uo pipefail
build=$(cd "${1:?usage: shell-soak.sh BUILDDIR [PROMPTS]}" && pwd)
n=${2:-10000}
src=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap '[ -z "$chaos" ] || kill $chaos 2>/dev/null; pkill -f "omgd --root $work/root" 2>/dev/null; rm -rf "$work"' EXIT
export XDG_RUNTIME_DIR=$work/run XDG_CACHE_HOME=$work/cache OMG_AUTOSTART=0
mkdir -m 700 "$XDG_RUNTIME_DIR"
"$src/tests/fixtures/make-debian-root.sh" "$work/root" >/dev/null 2>&1
omgd=$build/omgd/omgd
"$omgd" --root "$work/root" || exit 1
f=$XDG_RUNTIME_DIR/omg.status

chaos() {
	local i=0 pid
	while :; do
		i=$((i + 1))
		pid=$(pgrep -f "omgd --root $work/root" | head -1)
		case $((i % 12)) in
		0) { : > "$f"; } 2>/dev/null ;;
		1) truncate -s0 "$f" 2>/dev/null ;;
		2) printf 'XXXXXXXX' 1<> "$f" 2>/dev/null ;;
		3) rm -f "$f"; printf 'SGMO\001\0\0\0garbage' > "$f" ;;
		4) rm -f "$f"; mkfifo "$f" ;;
		5) rm -f "$f"; truncate -s 1T "$f" ;;
		6) [ -n "$pid" ] && kill -STOP "$pid"; sleep 0.3; [ -n "$pid" ] && kill -CONT "$pid" ;;
		7) [ -n "$pid" ] && kill -9 "$pid"; sleep 0.05
		   for _ in 1 2 3 4 5; do "$omgd" --root "$work/root" 2>/dev/null && break; sleep 0.1; done ;;
		8) rm -f "$f" ;;
		9) [ -n "$pid" ] && kill "$pid"; sleep 0.05
		   for _ in 1 2 3 4 5; do "$omgd" --root "$work/root" 2>/dev/null && break; sleep 0.1; done ;;
		*) : ;;
		esac
		sleep 0.2
	done
}
chaos=
[ "${SOAK_CHAOS:-1}" = 0 ] || { chaos & chaos=$!; }

names=(alt-one alt-two alt-user bash bp-pkg coreutils downgrade-pkg editor-data editor-doc editor-main)
lines() { # the command lines a shell reads: prompts, subshells, jobs, checks
	local i k
	for ((i = 1; i <= n; i++)); do
		k=${names[i % 10]}
		case $((i % 10)) in
		0) echo "( omg info $k 2>&1 | head -1 | sed 's/^/A $k /' ) &" ;;
		1) echo "x=\$(omg info $k 2>&1 | head -1); echo \"A $k \$x\"" ;;
		2) echo "omg info $k 2>&1 | head -1 | sed 's/^/A $k /'" ;;
		3) echo 'wait' ;;
		9) [ $((i % 1000)) = 999 ] && echo 'echo "RSS $(awk "/VmRSS/{print \$2}" /proc/$$/status)"' || echo 'sleep 0.01' ;;
		*) echo 'sleep 0.01' ;;   # pace the prompts so the chaos loop gets at them
		esac
	done
	echo 'wait; echo END'
}

check() { # SHELL OUTPUT
	local shell=$1 out=$2 wrong first last
	wrong=$(awk '$1 == "A" && $3 == "Package:" && $4 != $2' "$out" | wc -l)
	first=$(awk '$1 == "RSS" {print $2}' "$out" | sed -n 2p)
	last=$(awk '$1 == "RSS" {print $2}' "$out" | tail -1)
	answered=$(awk '$1 == "A" && $3 == "Package:"' "$out" | wc -l)
	if ! grep -qx END "$out"; then echo "$shell: FAILED: did not reach the end (crash?)"; tail -5 "$out"; return 1; fi
	if [ "$wrong" != 0 ]; then echo "$shell: FAILED: $wrong wrong answers"; awk '$1 == "A" && $3 == "Package:" && $4 != $2' "$out" | head; return 1; fi
	if [ -n "$first" ] && [ $((last - first)) -gt 2048 ]; then echo "$shell: FAILED: RSS $first -> $last kB"; return 1; fi
	echo "$shell: $n prompts, $answered answers all right, 0 wrong, RSS $first -> $last kB"
}

status=0
printf 'enable -f "%s/builtins/.libs/omg.so" omg\nPS1='"'"'[${OMG_UPDATES}u ${OMG_TOTAL}t] '"'"'\n' "$build" > "$work/bashrc"
lines | env -i PATH="$PATH" HOME="$work" TERM=dumb XDG_RUNTIME_DIR="$XDG_RUNTIME_DIR" OMG_AUTOSTART=0 \
	bash --rcfile "$work/bashrc" -i > "$work/bash.out" 2> "$work/bash.err"
check bash "$work/bash.out" || status=1
printf 'module_path=("%s/zshmod/.libs" $module_path); zmodload omg\nsetopt PROMPT_SUBST\nPROMPT="[\\${OMG_UPDATES}u \\${OMG_TOTAL}t] "\n' "$build" > "$work/.zshrc"
lines | env -i PATH="$PATH" HOME="$work" ZDOTDIR="$work" TERM=dumb XDG_RUNTIME_DIR="$XDG_RUNTIME_DIR" OMG_AUTOSTART=0 \
	zsh -i > "$work/zsh.out" 2> "$work/zsh.err"
check zsh "$work/zsh.out" || status=1
# the prompts really expanded the variables (some with values, some empty under the chaos)
for s in bash zsh; do
	echo "$s prompts: $(grep -o '\[[0-9]*u [0-9]*t\]' "$work/$s.err" | sort | uniq -c | sort -rn | head -3 | xargs)"
done
exit $status
