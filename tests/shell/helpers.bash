# helpers.bash — shared by the bats suites: a private runtime directory, a fixture root,
# an omgd on it, and apt/dpkg as oracles on the same files.

OMG=${OMG_BUILDDIR:?}/omg
OMGD=${OMG_BUILDDIR}/omgd/omgd
FIXTURE=${OMG_SRCDIR:?}/tests/fixtures/make-debian-root.sh

omg_setup() {
	export XDG_RUNTIME_DIR=$BATS_TEST_TMPDIR/run
	mkdir -p -m 700 "$XDG_RUNTIME_DIR"
	export XDG_CACHE_HOME=$BATS_TEST_TMPDIR/cache   # the store (index + audit log) of this test's omgd
	unset OMG_SOCKET OMG_TIMEOUT_MS NO_COLOR
	# no system daemon (omgd --system) unless a test starts one there: the machine's own
	# /run/omg must not answer for a test's missing omgd
	export OMG_SYSTEM_DIR=$BATS_TEST_TMPDIR/system
	export OMG_AUTOSTART=0   # tests start their own omgd; autostart has its own test
	ROOT=$BATS_TEST_TMPDIR/root
}

# store_for ROOT: the store directory omgd takes by default for package root ROOT (store.h):
# $XDG_CACHE_HOME/omg, and for a root other than / roots/FNV-1a-64 of its real path
store_for() {
	python3 -c 'import os, sys
real = os.path.realpath(sys.argv[1])
h = 0xcbf29ce484222325
for b in real.encode():
    h = ((h ^ b) * 0x100000001b3) & (2**64 - 1)
print(sys.argv[2] + "/omg" + ("" if real == "/" else "/roots/%016x" % h))' "$1" "$XDG_CACHE_HOME"
}

# start_omgd [ARGS...]: foreground daemon in the background; waits until its index is built.
# No upgrade plan is made ahead (--plan-ahead 0) unless ARGS ask for it: its apt-get -s would
# compete for the CPU with what a test measures against apt (it comes 30 s after a start).
start_omgd() {
	"$OMGD" --foreground --plan-ahead 0 --verify-every 0 "$@" 2>>"$BATS_TEST_TMPDIR/omgd.log" &
	OMGD_PID=$!
	wait_ready
}

# wait_ready: until omgd answers ready (10 s; OMG_READY_TRIES times 50 ms).
wait_ready() {
	local i
	for i in $(seq 1 "${OMG_READY_TRIES:-200}"); do
		if "$OMG" --json status 2>/dev/null | grep -q '"ready":true'; then return 0; fi
		sleep 0.05
	done
	echo "omgd did not become ready" >&2
	cat "$BATS_TEST_TMPDIR/omgd.log" >&2
	return 1
}

stop_omgd() {
	if [ -n "${OMGD_PID:-}" ] && kill -0 "$OMGD_PID" 2>/dev/null; then
		kill "$OMGD_PID"
		wait "$OMGD_PID" 2>/dev/null || true
	fi
	OMGD_PID=
	# In the ASan+UBSan build, a report from omgd (a leak at exit too) fails the test.
	if grep -q 'Sanitizer\|runtime error:' "$BATS_TEST_TMPDIR/omgd.log" 2>/dev/null; then
		grep -A30 'Sanitizer\|runtime error:' "$BATS_TEST_TMPDIR/omgd.log" | head -60 >&2
		return 1
	fi
}

# json_field KEY: a top-level number or string from the JSON on stdin.
json_field() {
	sed -n "s/.*\"$1\":\\(\"[^\"]*\"\\|[0-9a-z]*\\).*/\\1/p" | tr -d '"'
}

# Names from omg --json list KIND, as apt prints them (name, or name:arch when foreign).
omg_list_names() {
	"$OMG" --json list "$1" | tr '{' '\n' | sed -n 's/.*"name":"\([^"]*\)","arch":"\([^"]*\)".*/\1 \2/p' |
		while read -r n a; do
			if [ "$a" = "$(dpkg --print-architecture)" ]; then echo "$n"; else echo "$n:$a"; fi
		done | sort
}

# Names of this machine's installed packages as apt prints them (name, or name:arch if foreign).
installed_names() {
	local native; native=$(dpkg --print-architecture)
	dpkg-query -W -f '${db:Status-Abbrev} ${Package}:${Architecture}\n' | awk '$1 == "ii" {print $2}' |
		sed "s/:$native\$//; s/:all\$//"
}

# Every package name apt knows on fixture root ROOT (apt-cache pkgnames), and of them the
# real packages (apt-cache show has a record).
fixture_all_names() { env $(apt_env "$1") apt-cache pkgnames | sort; }
fixture_real_names() {
	local n
	fixture_all_names "$1" | while read -r n; do
		env $(apt_env "$1") apt-cache show "$n" >/dev/null 2>&1 && echo "$n"
	done
}

# Oracles. With ROOT set they read the fixture root through APT_CONFIG.
apt_env() { if [ -n "${1:-}" ]; then echo "APT_CONFIG=$1/apt.conf.oracle"; else echo "APT_CONFIG=/dev/null/none"; fi; }
oracle_total() {
	dpkg-query ${1:+--admindir=$1/var/lib/dpkg} -W -f '${db:Status-Status}\n' | grep -cx installed || true
}
oracle_explicit() { env $(apt_env "${1:-}") apt-mark showmanual | sort; }
oracle_orphans() { env $(apt_env "${1:-}") apt-get -s autoremove 2>/dev/null | awk '/^Remv/{print $2}' | sort; }
oracle_upgradable() {
	env $(apt_env "${1:-}") apt list --upgradable 2>/dev/null | awk -F/ '/upgradable from/{
		split($2, f, " "); print ($1 (f[3] == ENVIRON["NATIVE"] || f[3] == "all" ? "" : ":" f[3]))}' | sort
}
# Security: upgradable packages whose candidate comes from the security archive (the
# fixture's and Debian's security suites are the ones named *-security, labelled
# Debian-Security). Not apt-get -s dist-upgrade: it holds back held and M-A pairs.
oracle_security() {
	env $(apt_env "${1:-}") apt list --upgradable 2>/dev/null | awk -F/ '/upgradable from/{
		split($2, f, " "); if (f[1] ~ /-security(,|$)/) n++ } END { print n + 0 }'
}

# Filters of `apt list --upgradable` on stdin: the names as apt prints them (name, or name:arch
# when foreign to NATIVE), sorted; and of them those whose candidate is in a *-security suite.
apt_upgradable_names() {
	awk -F/ '/upgradable from/{ split($2, f, " ")
		print ($1 (f[3] == ENVIRON["NATIVE"] || f[3] == "all" ? "" : ":" f[3])) }' | LC_ALL=C sort
}
apt_security_names() {
	awk -F/ '/upgradable from/{ split($2, f, " "); if (f[1] ~ /-security(,|$)/)
		print ($1 (f[3] == ENVIRON["NATIVE"] || f[3] == "all" ? "" : ":" f[3])) }' | LC_ALL=C sort
}

# policy_candidates: apt-cache policy's (or omg policy's) output on stdin, one line a package:
# "NAME[:ARCH] CANDIDATE PRIORITY" (the candidate's priority, - when it has none), sorted.
policy_candidates() {
	awk 'function flush() { if (h != "") print h, c, (p == "" ? "-" : p); h = c = p = "" }
		/^[^ ].*:$/ { flush(); h = substr($0, 1, length($0) - 1); next }
		$1 == "Candidate:" { c = $2; next }
		/^ (\*\*\*|   ) [^ ]+ -?[0-9]+$/ { if ($(NF - 1) == c && p == "") p = $NF }
		END { flush() }' | LC_ALL=C sort -u
}

# The built modules, as the shells load them.
BASH_MODULE=${OMG_BUILDDIR}/builtins/.libs/omg.so
ZSH_MODULE_DIR=${OMG_BUILDDIR}/zshmod/.libs

# in_bash SCRIPT: a fresh non-interactive bash with the module loaded.
in_bash() { bash --norc --noprofile -c "enable -f '$BASH_MODULE' omg || exit 99; $1"; }
# in_zsh SCRIPT: likewise for zsh.
in_zsh() { zsh -f -c "module_path=('$ZSH_MODULE_DIR' \$module_path); zmodload omg || exit 99; $1"; }

# built_without FEATURE: configure was given --without-FEATURE (alpm, aur, zsh): the build's
# config.h does not define OMG_WITH_FEATURE. require_feature FEATURE skips the test, saying so.
built_without() { ! grep -q "^#define OMG_WITH_${1^^} 1" "$OMG_BUILDDIR/config.h"; }
require_feature() {
	if built_without "$1"; then skip "built --without-$1"; fi
}

# Sanitized modules cannot load into the unsanitized shells: the ASan build sets
# OMG_SKIP_MODULES, and valgrind covers the modules in the plain build.
require_modules() {
	[ -z "${OMG_SKIP_MODULES:-}" ] || skip "sanitized modules do not load into plain shells (valgrind covers them)"
	require_feature zsh
	[ -f "$BASH_MODULE" ] && [ -f "$ZSH_MODULE_DIR/omg.so" ] || skip "shell modules not built"
}

# same_as_executable RUNNER CMD...: each omg CMD run by RUNNER (in_bash, in_zsh) prints
# exactly what the omg executable prints, with the same exit status.
same_as_executable() {
	local runner=$1 cmd want got want_rc got_rc; shift
	for cmd in "$@"; do
		want_rc=0; want=$("$OMG" $cmd 2>&1) || want_rc=$?
		got_rc=0; got=$("$runner" "omg $cmd" 2>&1) || got_rc=$?
		[ "$want" = "$got" ] || { echo "differs: omg $cmd"; diff <(echo "$want") <(echo "$got"); return 1; }
		[ "$want_rc" = "$got_rc" ] || { echo "exit status differs: omg $cmd: $want_rc vs $got_rc"; return 1; }
	done
}

# ---- interactive shells under tmux (interactive.bats, completion.bats) ----------------
# tmux_setup: a fixture omgd and a private tmux server for this test.
tmux_setup() {
	omg_setup
	require_modules
	command -v tmux >/dev/null || skip "tmux missing"
	"$FIXTURE" "$ROOT"
	start_omgd --root "$ROOT"
	TMUX_SOCK=omg-test-$$-$BATS_TEST_NUMBER
}
tmux_teardown() {
	tmux -L "$TMUX_SOCK" kill-server 2>/dev/null || true
	stop_omgd
}
screen() { tmux -L "$TMUX_SOCK" capture-pane -p -t t; }
# wait_screen TEXT: until the pane shows TEXT (5 s at most)
wait_screen() {
	for i in $(seq 1 100); do screen | grep -qF -- "$1" && return 0; sleep 0.05; done
	echo "screen never showed: $1"; screen; return 1
}
# start_shell CMD...: the shell in a clean environment; the build directory first on PATH;
# a pane of TMUX_COLS x TMUX_ROWS (120 x 20)
# OMG_AUTOSTART=0 as in omg_setup: a command that finds no omgd would start one on this
# machine's root and wait for it (issue 15)
start_shell() {
	tmux -L "$TMUX_SOCK" new-session -d -s t -x "${TMUX_COLS:-120}" -y "${TMUX_ROWS:-20}" \
		env -i HOME="$BATS_TEST_TMPDIR" TERM=xterm PATH="$OMG_BUILDDIR:$PATH" XDG_RUNTIME_DIR="$XDG_RUNTIME_DIR" OMG_AUTOSTART=0 "$@"
}
keys() { tmux -L "$TMUX_SOCK" send-keys -t t "$@"; }
# type_text TEXT: literally (send-keys would read "up" as the Up key)
type_text() { tmux -L "$TMUX_SOCK" send-keys -t t -l -- "$1"; }
type_line() { type_text "$1"; keys Enter; }

# eventually_shows GLOB CMD...: until CMD's output matches GLOB (an unquoted pattern), 5 s at
# most; then prints the output and fails. omgd writes an action's audit record on its build
# thread after the build under way: a command run right after omg returns may come first.
eventually_shows() {
	local glob=$1 out i; shift
	for i in $(seq 1 100); do
		out=$("$@" 2>&1) || true
		# shellcheck disable=SC2053
		[[ $out == $glob ]] && return 0
		sleep 0.05
	done
	echo "$out"
	return 1
}
