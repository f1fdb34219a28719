#!/usr/bin/env bats
# configure --without-alpm, --without-aur, --without-zsh: each variant configured and built out
# of tree (in this file's temporary directory), then a smoke check: no trace of the library it
# leaves out, omgd starts on a fixture root and omg status answers, what was built out is said
# clearly (omgd on an Arch root, the AUR on Arch, the zsh module), and the suites of what was
# built out skip saying why. Three builds take minutes on two cores: opt-in, as distcheck.

load helpers

setup_file() {
	[ "${OMG_TEST_VARIANTS:-}" = 1 ] || return 0
	# the three builds at once is not faster on two cores: one after another, each -j2
	local v
	for v in alpm aur zsh; do
		mkdir -p "$BATS_FILE_TMPDIR/$v"
		(cd "$BATS_FILE_TMPDIR/$v" && "${OMG_SRCDIR:?}/configure" -q --enable-werror "--without-$v" && make -j2 -s) \
			> "$BATS_FILE_TMPDIR/$v.log" 2>&1 || { tail -40 "$BATS_FILE_TMPDIR/$v.log" >&3; return 1; }
	done
}

setup() {
	[ "${OMG_TEST_VARIANTS:-}" = 1 ] || skip "three builds of their own (minutes): OMG_TEST_VARIANTS=1 to run them"
	omg_setup
}

teardown() { stop_omgd; }

# variant V: this test's omg and omgd are variant V's
variant() {
	VB=$BATS_FILE_TMPDIR/$1
	OMG=$VB/omg OMGD=$VB/omgd/omgd
}

# linked_to BINARY LIB: the libtool-built BINARY (its real one under .libs) needs LIB
linked_to() {
	local real; real=$(dirname "$1")/.libs/$(basename "$1")
	[ -x "$real" ] || real=$1
	ldd "$real" | grep -q "$2"
}

# the skip lines of SUITE run against variant V's build, with their reason
suite_skips() {
	OMG_BUILDDIR=$VB bats --filter "$2" "$OMG_SRCDIR/tests/shell/$1.bats" 2>/dev/null | grep ' # skip ' || true
}

@test "--without-alpm: no libalpm; the Debian backend works; an Arch root or --backend alpm is refused, saying why" {
	variant alpm
	grep -q '^/\* #undef OMG_WITH_ALPM \*/' "$VB/config.h"
	! linked_to "$OMGD" libalpm
	[ ! -e "$VB/tests/tools/vercmp" ]
	"$FIXTURE" "$ROOT"
	start_omgd --root "$ROOT"
	run "$OMG" status
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" =~ ^installed\ +28$ ]]
	stop_omgd
	run "$OMGD" --foreground --root "$ROOT" --backend alpm
	[ "$status" -eq 2 ]
	[ "$output" = "omgd: --backend alpm: the Arch backend (alpm) is not there: omgd was built --without-alpm" ]
	"$OMG_SRCDIR/tests/fixtures/make-arch-root.sh" "$BATS_TEST_TMPDIR/arch" 120 >/dev/null
	run "$OMGD" --foreground --root "$BATS_TEST_TMPDIR/arch"
	[ "$status" -eq 2 ]
	[ "$output" = "omgd: $BATS_TEST_TMPDIR/arch: the Arch backend (alpm) is not there: omgd was built --without-alpm" ]
	[[ "$(suite_skips arch "")" == *"# skip built --without-alpm"* ]]
}

@test "--without-aur: no libcurl; on Arch, omg search and omg info say the AUR was not asked" {
	variant aur
	grep -q '^/\* #undef OMG_WITH_AUR \*/' "$VB/config.h"
	! linked_to "$OMGD" libcurl
	"$OMG_SRCDIR/tests/fixtures/make-arch-root.sh" "$ROOT" 120 >/dev/null
	start_omgd --root "$ROOT" --aur-url http://127.0.0.1:9/
	run "$OMG" status
	[ "$status" -eq 0 ]
	run --separate-stderr "$OMG" search zzznothing
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"omg: the AUR was not asked: omgd was built --without-aur"* ]]
	run --separate-stderr "$OMG" info zzznothing
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"omg: the AUR was not asked: omgd was built --without-aur"* ]]
	run "$OMG" --json search zzznothing
	[[ "$output" == *'"aur":{"status":"unavailable","problem":"omgd was built --without-aur"'* ]]
	grep -q "no AUR: omgd was built --without-aur" "$BATS_TEST_TMPDIR/omgd.log"
	# the unit test and the suite skip, saying why
	(cd "$VB" && make -s tests/unit/test_aur) >/dev/null 2>&1
	run "$VB/tests/unit/test_aur"
	[ "$status" -eq 0 ]
	[ "$output" = "1..0 # SKIP built --without-aur" ]
	[[ "$(suite_skips aur "")" == *"# skip built --without-aur"* ]]
}

@test "--without-zsh: no zsh module; bash's works; doctor says the zsh module was built out" {
	variant zsh
	grep -q '^/\* #undef OMG_WITH_ZSH \*/' "$VB/config.h"
	[ ! -e "$VB/zshmod/.libs/omg.so" ]
	[ -e "$VB/builtins/.libs/omg.so" ]
	"$FIXTURE" "$ROOT"
	start_omgd --root "$ROOT"
	run "$OMG" status
	[ "$status" -eq 0 ]
	run bash --norc --noprofile -c "enable -f '$VB/builtins/.libs/omg.so' omg && echo \$OMG_TOTAL"
	[ "$output" = 28 ]
	export HOME=$BATS_TEST_TMPDIR/home
	mkdir -p "$HOME"
	echo 'eval "$(omg hook zsh)"' > "$HOME/.zshrc"
	run "$OMG" doctor
	[[ "$output" == *"ok    zsh         hook in ~/.zshrc:1; no module: omg was built --without-zsh"* ]]
	[[ "$(suite_skips zsh_module "")" == *"# skip built --without-zsh"* ]]
}
