#!/usr/bin/env bats
# omg search against apt-cache search, the oracle: the same set of names for the same terms
# (regular expressions, every term on the name, a provided name or the whole description;
# --names-only as apt-cache's -n), on a fixture root with long descriptions, provides, a
# status-only version and UTF-8 text, and on this machine's own lists. No expected name is
# written here: apt says what the answer is.

bats_require_minimum_version 1.5.0

load helpers

setup() {
	omg_setup
	export NATIVE=$(dpkg --print-architecture)
}

teardown() { stop_omgd; }

# apt_names [-n] TERM...: apt-cache search's names (on ROOT when APT_ROOT is set), sorted.
# LC_ALL=C.UTF-8: a UTF-8 session's regular expressions, as omgd's.
apt_names() {
	env $(apt_env "${APT_ROOT:-}") LC_ALL=C.UTF-8 apt-cache search "$@" | sed 's/ - .*//' | LC_ALL=C sort -u
}

# omg_names [-n] TERM...: omg search's names (-n: --names-only), without an architecture,
# sorted; every row (-n 0 on a pipe is omgd's 5000; the queries here find fewer).
omg_names() {
	local names=()
	if [ "$1" = -n ]; then names=(--names-only); shift; fi
	"$OMG" --timeout 5000 --json search --no-aur -n 0 "${names[@]}" -- "$@" | tr '{' '\n' |
		sed -n 's/.*"name":"\([^"]*\)".*/\1/p' | LC_ALL=C sort -u
}

# same_as_apt [-n] TERM...: the two sets are equal (a diff otherwise).
same_as_apt() {
	local a o
	a=$(apt_names "$@") || { echo "apt-cache search $* failed"; return 1; }
	o=$(omg_names "$@") || true
	if [ "$a" != "$o" ]; then
		echo "search $*: apt-cache (<) and omg (>) differ"
		diff <(echo "$a") <(echo "$o") | head -20
		return 1
	fi
	QUERIES=$((QUERIES + 1))
	[ -z "$a" ] || NONEMPTY=$((NONEMPTY + 1))
}

# The fixture root, and a list with what search has to get right: long descriptions, blank
# lines (" ."), Provides with and without versions, upper case, UTF-8, C++; installed
# versions no list has, one with its own description in dpkg's status file, one whose
# description has the MD5 a list's version names (apt shares it: the list's first line only).
search_root() {
	"$FIXTURE" "$ROOT"
	local L=$ROOT/var/lib/apt/lists shared md5
	shared=$'shared description\n This long part is only in the status file.'
	md5=$(printf '%s\n' "$shared" | md5sum | cut -d' ' -f1)
	{
		printf 'Package: sharedpkg\nVersion: 1.0-1\nArchitecture: %s\n' "$NATIVE"
		printf 'Description: shared description\nDescription-md5: %s\n\n' "$md5"
		printf 'Package: textpkg-one\nVersion: 1.0-1\nArchitecture: all\n'
		printf 'Description: Widget toolkit for terminals\n This library draws widgets.\n .\n Supports UTF-8 and colour.\n\n'
		printf 'Package: textpkg-two\nVersion: 2.0-1\nArchitecture: %s\n' "$NATIVE"
		printf 'Description: Another TOOLKIT\n Nothing about w1dgets here; it mentions C++ and g++.\n\n'
		printf 'Package: mail-reader\nVersion: 1.0\nArchitecture: %s\nProvides: mail-user-agent\n' "$NATIVE"
		printf 'Description: reads mail\n\n'
		printf 'Package: browser-x\nVersion: 3\nArchitecture: %s\nProvides: www-browser (= 3), x-www-browser\n' "$NATIVE"
		printf 'Description: draws pages\n It is a naïve café of a browser.\n\n'
		printf 'Package: statuspkg\nVersion: 1.0-1\nArchitecture: %s\n' "$NATIVE"
		printf 'Description: the status fixture\n An old version in a list.\n\n'
	} > "$L/fixture.invalid_new_dists_x_main_binary-${NATIVE}_Packages"
	{
		printf 'Package: statuspkg\nStatus: install ok installed\nPriority: optional\nArchitecture: %s\n' "$NATIVE"
		printf 'Version: 2.0-1\nMaintainer: F <f@fixture.invalid>\n'
		printf 'Description: the status fixture\n A newer installed version, described in the status file.\n\n'
		printf 'Package: sharedpkg\nStatus: install ok installed\nPriority: optional\nArchitecture: %s\n' "$NATIVE"
		printf 'Version: 2.0-1\nMaintainer: F <f@fixture.invalid>\nDescription: %s\n\n' "$shared"
	} >> "$ROOT/var/lib/dpkg/status"
	APT_ROOT=$ROOT
}

@test "fixture root: the same names as apt-cache search, for every kind of term" {
	search_root
	start_omgd --root "$ROOT"
	QUERIES=0 NONEMPTY=0
	# words; several terms (all must match: name or description each)
	same_as_apt fire
	same_as_apt fixture package
	same_as_apt fixture editor
	same_as_apt toolkit terminals
	same_as_apt TOOLKIT
	same_as_apt nothing-like-this
	# the long description (as the candidate's record has it: a list's, or dpkg's status file)
	same_as_apt 'version 1.0'
	same_as_apt 'installed copy'
	same_as_apt 'newer installed'
	same_as_apt 'only in the status'
	same_as_apt 'shared description'
	same_as_apt colour
	same_as_apt 'draws widgets'
	# regular expressions: anchors are the whole description's, '.' is a character (UTF-8)
	same_as_apt '^the'
	same_as_apt 'package$'
	same_as_apt '\.$'
	same_as_apt 'es.*\.$'
	same_as_apt 'widgets\. *\. Supports'
	same_as_apt 'na.ve caf.'
	same_as_apt 'utf-?8'
	same_as_apt 'c\+\+'
	same_as_apt 'w[0-9]dgets'
	same_as_apt 'editor|exim'
	same_as_apt '(fire|exim)4?$'
	same_as_apt '^lib' '^lib.*multi'
	same_as_apt 'ed.t'
	same_as_apt e
	# provided names count for their providers, names only too (apt-cache -n)
	same_as_apt mail-transport
	same_as_apt -n mail-transport
	same_as_apt -n mail exim
	same_as_apt www-browser
	same_as_apt -n 'browser'
	same_as_apt -n 'user-agent'
	same_as_apt -n fire
	same_as_apt -n '^lib'
	same_as_apt -n fixture
	echo "# $QUERIES queries, $NONEMPTY with names" >&3
	[ "$QUERIES" -eq 36 ] && [ "$NONEMPTY" -ge 29 ]
}

# translated ROOT: a list with short descriptions and their MD5s, as Debian's, and its
# Translation-en (gzip) with the long ones; one entry's MD5 is no version's.
translated() {
	local L=$ROOT/var/lib/apt/lists one two md5one md5two
	one=$'the zoo fixture\n It speaks of zebras and lions.\n .\n Translated.'
	two=$'the farm fixture\n It speaks of cows.'
	md5one=$(printf '%s\n' "$one" | md5sum | cut -d' ' -f1)
	md5two=$(printf '%s\n' "$two" | md5sum | cut -d' ' -f1)
	{
		printf 'Package: zoo\nVersion: 1.0\nArchitecture: %s\nDescription: the zoo fixture\nDescription-md5: %s\n\n' "$NATIVE" "$md5one"
		printf 'Package: farm\nVersion: 1.0\nArchitecture: %s\nDescription: the farm fixture\nDescription-md5: %s\n\n' "$NATIVE" "$md5two"
	} > "$L/fixture.invalid_bulk_dists_x_main_binary-${NATIVE}_Packages"
	{
		printf 'Package: zoo\nDescription-md5: %s\nDescription-en: %s\n\n' "$md5one" "$one"
		printf 'Package: farm\nDescription-md5: 0123456789abcdef0123456789abcdef\nDescription-en: the farm fixture\n Giraffes.\n\n'
	} | gzip -9n > "$L/fixture.invalid_bulk_dists_x_main_i18n_Translation-en.gz"
}

@test "fixture root: long descriptions from Translation-en, as apt takes them (Acquire::Languages)" {
	search_root
	translated
	echo 'Acquire::Languages { "en"; };' > "$ROOT/etc/apt/apt.conf.d/60languages"
	sleep 1.1 # files changed in the last second are never trusted from the store (snapshot.h)
	start_omgd --root "$ROOT"
	QUERIES=0 NONEMPTY=0
	same_as_apt zebras
	same_as_apt 'lions.*translated'
	same_as_apt 'fixture$'
	same_as_apt giraffes
	same_as_apt cows
	same_as_apt -n zebras
	# a rebuild takes the translation's records from the store: the same answers
	kill -HUP "$OMGD_PID"
	local i
	for i in $(seq 1 100); do [ "$(grep -c 'index:' "$BATS_TEST_TMPDIR/omgd.log")" -ge 2 ] && break; sleep 0.05; done
	for i in $(seq 1 100); do "$OMG" audit log | grep -q '[1-9][0-9]* sources from the store' && break; sleep 0.05; done
	"$OMG" audit log | grep -q '[1-9][0-9]* sources from the store'
	[ "$(omg_names zebras)" = zoo ]
	stop_omgd
	# "none": no translation (this machine's setting)
	echo 'Acquire::Languages { "none"; };' > "$ROOT/etc/apt/apt.conf.d/60languages"
	start_omgd --root "$ROOT" --no-store
	same_as_apt zebras
	same_as_apt 'fixture$'
	[ -z "$(omg_names zebras)" ]
	[ "$QUERIES" -eq 8 ]
	[ "$NONEMPTY" -eq 4 ]
}

@test "what apt refuses is a usage error; nothing found is said on stderr, exit 1" {
	search_root
	start_omgd --root "$ROOT"
	run ! env $(apt_env "$ROOT") apt-cache search '*fire'
	run --separate-stderr "$OMG" search '*fire'
	[ "$status" -eq 2 ]
	[ "$stderr" = "omg: search term '*fire': Invalid preceding regular expression" ]
	run --separate-stderr "$OMG" search fire '(unclosed'
	[ "$status" -eq 2 ]
	# what would cost omgd exponential time: refused by omgd (an error, not a usage error)
	run --separate-stderr "$OMG" search 'x++++++'
	[ "$status" -eq 4 ]
	[[ "$stderr" == *"more than 4 repetition operators in a row"* ]]
	run --separate-stderr "$OMG" search nothing-like-this
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[ "$stderr" = "omg: no packages found" ]
	run --separate-stderr "$OMG" --json search nothing-like-this
	[ "$status" -eq 1 ]
	[[ "$output" == *'"results":[]'* ]]
}

@test "ranking: exact name, prefix, word start, inside, then provides or description; the worst term ranks" {
	search_root
	start_omgd --root "$ROOT"
	run "$OMG" search --no-aur fire
	[[ "${lines[0]}" == firefox-esr* ]] && [[ "${lines[1]}" == firewalld* ]]
	[[ "${lines[2]}" == python3-fire* ]] && [[ "${lines[3]}" == libfirestore* ]]
	[ "${#lines[@]}" -eq 4 ]
	# browser-x: 'browser' in its name; then the one whose provided name has it... is itself
	run "$OMG" search --no-aur toolkit
	[[ "${lines[0]}" == textpkg-one* ]] && [[ "${lines[1]}" == textpkg-two* ]]
	# two terms: a name that has both before a name that has one and a description the other
	run "$OMG" search --no-aur textpkg one
	[[ "${lines[0]}" == textpkg-one* ]]
	# --names-only and -d (the default)
	diff <("$OMG" search --no-aur -d fixture) <("$OMG" search --no-aur fixture)
	run "$OMG" search --no-aur --names-only colour
	[ "$status" -eq 1 ]
}

@test "a warm start serves the stored search index: the same answers" {
	search_root
	sleep 1.1 # files changed in the last second are never trusted from the store (snapshot.h)
	start_omgd --root "$ROOT"
	local before; before=$("$OMG" search --no-aur -n 0 fixture editor; "$OMG" search --no-aur -n 0 -- '^t')
	stop_omgd
	start_omgd --root "$ROOT"
	grep -q 'index (stored)' "$BATS_TEST_TMPDIR/omgd.log"
	diff <(echo "$before") <("$OMG" search --no-aur -n 0 fixture editor; "$OMG" search --no-aur -n 0 -- '^t')
}

@test "this machine: the same names as apt-cache search" {
	[ -s /var/lib/dpkg/status ] && [ -n "$(ls /var/lib/apt/lists/*_Packages* 2>/dev/null)" ] ||
		skip "this machine has no package lists"
	start_omgd
	QUERIES=0 NONEMPTY=0
	same_as_apt fire
	same_as_apt python3 yaml
	same_as_apt '^lib.*ssl'
	same_as_apt -n '^lib.*ssl'
	same_as_apt -n ssl
	same_as_apt -n www-browser
	same_as_apt browser
	same_as_apt 'e-?mail' client
	same_as_apt text editor
	same_as_apt kern module
	same_as_apt 'http.?server'
	same_as_apt '^python3-.*yaml$'
	same_as_apt 'utf-?8'
	same_as_apt '[0-9]{4}'
	same_as_apt 'gnu c\+\+ compiler'
	same_as_apt -n mail exim
	same_as_apt zz
	same_as_apt nothing-like-this-anywhere
	echo "# $QUERIES queries, $NONEMPTY with names" >&3
	[ "$QUERIES" -eq 18 ]
}
