#!/usr/bin/env bash
# setup.sh — install what is missing, build, then run the demo or the test suite.
#   ./setup.sh demo    start omgd on this machine's package data and show what it knows
#   ./setup.sh test    build, run the whole test suite (plain and ASan+UBSan) and the gate
#                      (checksrc, cppcheck, scan-build, the tarball's contents), print one
#                      line "N passed, N failed"
#   ./setup.sh deps    only install the Debian packages
set -euo pipefail
cd "$(dirname "$0")"
top=$PWD

PACKAGES=(build-essential autoconf automake libtool pkg-config clang
	bash-builtins zsh zsh-dev libcap-dev libdpkg-dev libalpm-dev liblmdb-dev
	libcurl4-openssl-dev libmbedtls-dev libarchive-dev libjansson-dev libcmocka-dev
	bats bash-completion tmux valgrind lmdb-utils lz4 zstd xz-utils gzip apt dpkg python3 util-linux mmdebstrap
	apt-utils gnupg
	gpgv
	pacman-package-manager makepkg libarchive-tools cppcheck clang-tools
	debsums
	systemd
	debhelper dpkg-dev fakeroot lintian)
# promtool (check metrics, check and test rules) and node-exporter's apt collector (apt_info.py): oracles of prometheus.bats
PACKAGES+=(prometheus prometheus-node-exporter-collectors)

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

install_deps() {
	local missing=()
	for p in "${PACKAGES[@]}"; do
		dpkg-query -W -f '${db:Status-Status}' "$p" 2>/dev/null | grep -qx installed || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	echo "setup: installing ${missing[*]}"
	as_root apt-get update -q
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# build DIR [configure args...]: an out-of-tree build.
build() {
	local dir=$1; shift
	[ -x configure ] || autoreconf -fi
	mkdir -p "$dir"
	(cd "$dir" && { [ -f Makefile ] || "$top/configure" -q "$@"; } && make -j"$(nproc)" -s)
}

# count WHAT LOG: the number on LOG's first "# WHAT: N" line (automake's summary, the gate's)
count() { sed -n "s/^# $1: *\([0-9][0-9]*\)\$/\1/p" "$2" | head -1; }

# Sums automake's per-case TAP results over every test-suite.log given.
summary() {
	local pass=0 fail=0 skip=0 p f s x e
	for log in "$@"; do
		[ -f "$log" ] || { fail=$((fail + 1)); continue; }
		# the summary's own lines only (numbers): a failing test's log, quoted below it, may
		# hold lines such as "# FAIL: tests/..." (bats' output of an inner make check)
		p=$(count PASS "$log"); f=$(count FAIL "$log"); s=$(count SKIP "$log")
		x=$(count XPASS "$log"); e=$(count ERROR "$log")
		pass=$((pass + ${p:-0})); fail=$((fail + ${f:-0} + ${x:-0} + ${e:-0})); skip=$((skip + ${s:-0}))
	done
	echo "$pass passed, $fail failed, $skip skipped"
	[ "$fail" -eq 0 ]
}

# The gate, run on the plain build: the C style (make checksrc), cppcheck (make cppcheck),
# scan-build over a build of its own (any report fails), and the tarball against git's files
# (make dist-files). Each step is one case in _build/gate.log, counted in the last line.
gate_step() {
	case $1 in
	checksrc|cppcheck|dist-files) (cd _build && make -s "$1") ;;
	scan-build)
		rm -rf _build-scan && mkdir _build-scan &&
		(cd _build-scan && scan-build -o "$PWD/report" "$top/configure" -q --enable-werror >/dev/null &&
			scan-build --status-bugs -o "$PWD/report" make -j"$(nproc)" -s) ;;
	esac
}
gate() {
	local log=_build/gate.log pass=0 fail=0 step
	: >"$log"
	for step in checksrc cppcheck scan-build dist-files; do
		if gate_step "$step" >"$log.$step" 2>&1; then
			pass=$((pass + 1)); echo "PASS: $step" >>"$log"
		else
			fail=$((fail + 1)); echo "FAIL: $step" >>"$log"
			sed 's/^/  /' "$log.$step" | tail -30 >>"$log"
		fi
	done
	printf '# PASS: %d\n# FAIL: %d\n' "$pass" "$fail" >>"$log"
	[ "$fail" -eq 0 ]
}

case "${1:-}" in
deps)
	install_deps ;;
demo)
	install_deps
	build _build --enable-werror
	exec "$top/tests/demo.sh" "$top/_build" "${2:-}" ;;
test)
	install_deps
	status=0
	build _build --enable-werror
	(cd _build && make -s check -j"$(nproc)") || status=1
	gate || status=1
	san="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined -g -O1"
	build _build-asan --enable-werror CFLAGS="$san" LDFLAGS="-fsanitize=address,undefined" || status=1
	# The sanitized shell modules cannot load into an unsanitized bash or zsh: there the
	# module suites skip, and valgrind checks the modules in the plain build instead.
	# The real Debian roots (realroots.bats, actroot.bats) are used in the plain build only.
	(cd _build-asan && OMG_SKIP_FUZZ=1 OMG_SKIP_MODULES=1 OMG_SKIP_REALROOTS=1 ASAN_OPTIONS=detect_leaks=1 \
		make -s check -j"$(nproc)") || status=1
	for d in _build _build-asan; do
		grep -h '^\(FAIL\|ERROR\|not ok\)' "$d"/test-suite.log "$d"/tests/*/*.log 2>/dev/null | head -40 || true
	done
	grep -A30 '^FAIL' _build/gate.log | grep -v '^\(PASS\|#\)' | head -60 || true
	summary _build/test-suite.log _build-asan/test-suite.log _build/gate.log || status=1
	exit $status ;;
*)
	echo "usage: $0 demo|test|deps" >&2; exit 2 ;;
esac
