#!/usr/bin/env bash
# demo.sh BUILDDIR [--print] — the README's first command ends here: start omgd on this
# machine's real package data (or reuse a running one), show what it knows, then open an
# interactive bash with omg loaded and a prompt showing the live counts. With --print, or
# when standard input is not a terminal, only the demo is printed.
set -euo pipefail
build=${1:?usage: demo.sh BUILDDIR [--print]}
build=$(cd "$build" && pwd)
omg=$build/omg
omgd=$build/omgd/omgd
module=$build/builtins/.libs/omg.so

if ! "$omg" ping >/dev/null 2>&1; then
	echo "\$ omgd"
	"$omgd"
fi
for cmd in "status" "search -n 8 fire" "info bash" "complete fir" "list security -n 5" "ping"; do
	echo
	echo "\$ omg $cmd"
	# shellcheck disable=SC2086
	"$omg" $cmd || true
done
echo
echo "\$ od -An -j8 -N16 -tu4 omg.status      # the original system's prompt snippet still works"
od -An -j8 -N16 -tu4 "${XDG_RUNTIME_DIR:-/tmp/omg-$(id -u)}/omg.status" 2>/dev/null ||
	od -An -j8 -N16 -tu4 "/run/user/$(id -u)/omg.status" 2>/dev/null || true

if [ "${2:-}" = --print ] || [ ! -t 0 ]; then
	echo
	echo "omgd keeps running (stop it with: kill \$(pgrep -x omgd))."
	exit 0
fi
rc=$(mktemp)
cat > "$rc" <<RC
enable -f '$module' omg || echo "could not load $module"
PS1='\[\e[1m\]omg\[\e[0m\] [\${OMG_TOTAL} pkgs, \${OMG_UPDATES} updates, \${OMG_ORPHANS} orphans] \w \\$ '
echo
echo "This bash has omg loaded: try  omg search fire,  omg info bash,  echo \\\$OMG_UPDATES."
echo "Install or remove a package in another terminal and press Enter: the prompt follows."
echo "exit leaves; omgd keeps running (stop it with: kill \\\$(pgrep -x omgd))."
rm -f '$rc'
RC
exec bash --rcfile "$rc" -i
