#!/usr/bin/env bats
# make install stays inside --prefix: a build of its own (configure --prefix=P, in this file's
# temporary directory: about a minute), installed once into a DESTDIR (every file listed must
# be under P) and once for real into P, where bash and zsh load the modules through the hook
# with no other setup; make uninstall leaves no file behind.

setup_file() {
	export B=$BATS_FILE_TMPDIR/build P=$BATS_FILE_TMPDIR/prefix D=$BATS_FILE_TMPDIR/dest
	mkdir -p "$B"
	(cd "$B" && "${OMG_SRCDIR:?}/configure" --prefix="$P" && make -j2 && make install DESTDIR="$D" && make install) \
		> "$BATS_FILE_TMPDIR/build.log" 2>&1 || { tail -40 "$BATS_FILE_TMPDIR/build.log" >&3; return 1; }
}

# a user's shell: the installed bin first in PATH, nothing of the build or of the tests
user_env() {
	env -i HOME="$BATS_TEST_TMPDIR" PATH="$P/bin:/usr/bin:/bin" XDG_RUNTIME_DIR="$BATS_TEST_TMPDIR/run" \
		OMG_AUTOSTART=0 TERM=dumb "$@"
}

@test "every file installed is under the prefix, and the expected ones are there" {
	local outside
	outside=$(cd "$D" && find . ! -type d | sed 's|^\.||' | grep -v "^$P/" || true)
	echo "outside the prefix: $outside"
	[ -z "$outside" ]
	local zv; zv=$(sed -n 's/^#define MODULE_DIR ".*\/\(.*\)"/\1/p' /usr/include/zsh/zshpaths.h)
	local f
	for f in bin/omg sbin/omgd lib/bash/omg.so lib/bash/omg "lib/zsh/$zv/omg.so" \
		share/bash-completion/completions/omg share/zsh/site-functions/_omg \
		lib/systemd/user/omgd.socket lib/systemd/user/omgd.service share/man/man8/omgd.8 share/man/man1/omg.1 \
		lib/systemd/system/omgd-system.socket lib/systemd/system/omgd-system.service; do
		echo "$f"
		[ -e "$D$P/$f" ]
		[ -e "$P/$f" ]
	done
	# no libtool archives for the shells to trip on
	[ -z "$(find "$P" -name '*.la')" ]
}

@test "bash: eval \"\$(omg hook bash)\" loads the installed builtin and completion" {
	run user_env bash --norc --noprofile -c 'eval "$(omg hook bash)"; type -t omg; complete -p omg; type -P omg'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = builtin ]
	[[ "${lines[1]}" == "complete "*" omg" ]]
	[ "${lines[2]}" = "$P/bin/omg" ]
}

@test "zsh: eval \"\$(omg hook zsh)\" loads the installed module and completion" {
	run user_env zsh -f -c 'autoload -Uz compinit; compinit -u -D; eval "$(omg hook zsh)"; whence -w omg; print -r -- ${_comps[omg]}'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "omg: builtin" ]
	[ "${lines[1]}" = _omg ]
}

@test "the installed omgd.service runs the installed omgd; the socket unit is the user's, 0600" {
	grep -qx "ExecStart=$P/sbin/omgd --foreground" "$P/lib/systemd/user/omgd.service"
	grep -qx 'ListenStream=%t/omg.sock' "$P/lib/systemd/user/omgd.socket"
	grep -qx 'SocketMode=0600' "$P/lib/systemd/user/omgd.socket"
	if command -v systemd-analyze >/dev/null; then
		# systemd's own reading of the units (offline: no manager needed); it says what it
		# ignores (an unknown key or value) without failing: nothing may be said
		run systemd-analyze verify --man=no "$P/lib/systemd/user/omgd.socket" "$P/lib/systemd/user/omgd.service"
		echo "$output"
		[ "$status" -eq 0 ]
		[ -z "$output" ]
	fi
}

@test "the installed omgd-system.service runs the installed omgd --system; its socket is /run/omg/omg.sock, 0666" {
	local u=$P/lib/systemd/system
	grep -qx "ExecStart=$P/sbin/omgd --system --foreground" "$u/omgd-system.service"
	grep -qx 'ListenStream=/run/omg/omg.sock' "$u/omgd-system.socket"
	grep -qx 'SocketMode=0666' "$u/omgd-system.socket"
	grep -qx 'DirectoryMode=0755' "$u/omgd-system.socket"
	grep -qx 'ProtectSystem=strict' "$u/omgd-system.service"
	if command -v systemd-analyze >/dev/null; then
		run systemd-analyze verify --man=no "$u/omgd-system.socket" "$u/omgd-system.service"
		echo "$output"
		[ "$status" -eq 0 ]
		[ -z "$output" ]
	fi
}

@test "make uninstall leaves no file in the prefix" {
	(cd "$B" && make uninstall) > "$BATS_TEST_TMPDIR/uninstall.log" 2>&1 || { cat "$BATS_TEST_TMPDIR/uninstall.log"; false; }
	local left; left=$(find "$P" ! -type d)
	echo "left: $left"
	[ -z "$left" ]
}

@test "make distcheck: the tarball builds in a read-only tree, installs and uninstalls in its prefix, cleans up" {
	# Inside distcheck (OMG_IN_DISTCHECK reaches every process below) the inner make check runs
	# the unit tests and the suites that test that build (tests/tools/run-bats): not every suite
	# again, not this one, not the fuzz targets (run-fuzz.sh: OMG_SKIP_FUZZ).
	[ -z "${OMG_IN_DISTCHECK:-}" ] || skip "inside make distcheck: not again"
	[ -z "${OMG_SKIP_REALROOTS:-}" ] || skip "distcheck runs in the plain build"
	(cd "$B" && OMG_IN_DISTCHECK=1 OMG_SKIP_FUZZ=1 make -j2 distcheck) > "$BATS_TEST_TMPDIR/distcheck.log" 2>&1 ||
		{ grep -E -A12 "^(FAIL|ERROR):|^not ok" "$BATS_TEST_TMPDIR/distcheck.log" | head -60; tail -20 "$BATS_TEST_TMPDIR/distcheck.log"; false; }
	grep -q "archives ready for distribution" "$BATS_TEST_TMPDIR/distcheck.log"
	# the inner check ran the unit tests and the two suites, and passed
	grep -E "^# (PASS|SKIP|FAIL):" "$BATS_TEST_TMPDIR/distcheck.log" | head -3
	grep -q "^# FAIL:  0" "$BATS_TEST_TMPDIR/distcheck.log"
	[ "$(sed -n 's/^# PASS: *//p' "$BATS_TEST_TMPDIR/distcheck.log" | head -1)" -gt 50 ]
}
