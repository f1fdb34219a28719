#!/usr/bin/env bash
# demo.sh BUILDDIR — the README's first command ends here: start omgd on this machine's real
# package data (or reuse a running one) and show what it knows.
set -euo pipefail
build=${1:?usage: demo.sh BUILDDIR}
omg=$build/omg
omgd=$build/omgd/omgd

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
echo "omgd keeps running (stop it with: kill \$(pgrep -x omgd)); the status file is ${XDG_RUNTIME_DIR:-its runtime directory}/omg.status"
