#!/usr/bin/env bats
# The omg executable: every command, --json, exit codes, bad input, a missing daemon.

load helpers

setup() {
	omg_setup
	"$FIXTURE" "$ROOT"
	start_omgd --root "$ROOT"
}

teardown() { stop_omgd; }

@test "status prints the counts in aligned lines" {
	run "$OMG" status
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" =~ ^installed\ +28$ ]]
	[[ "$output" == *"updates     6 (3 security)"* ]]
}

@test "search ranks exact, prefix, word start, then substring; marks installed" {
	run "$OMG" search fire
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == firefox-esr* ]]            # prefix, alphabetical
	[[ "${lines[0]}" == *"[installed]"* ]]
	[[ "${lines[1]}" == firewalld* ]]
	[[ "${lines[2]}" == python3-fire* ]]            # word start
	[[ "${lines[3]}" == libfirestore* ]]            # substring
	run --separate-stderr "$OMG" search -n 1 fire
	[ "${#lines[@]}" -eq 1 ]                       # rows only on standard output
	[ "$stderr" = "(3 more; -n N shows N, -n 0 all)" ]
}

@test "GNU option forms, --version, and every command's --help" {
	diff <("$OMG" search --limit=2 fire 2>&1) <("$OMG" search -n 2 fire 2>&1)
	diff <("$OMG" search -n2 fire 2>&1) <("$OMG" search -n 2 fire 2>&1)
	diff <("$OMG" search -di fire 2>&1) <("$OMG" search -d -i fire 2>&1)
	diff <("$OMG" search -dn1 fire 2>&1) <("$OMG" search -d -n 1 fire 2>&1)
	run "$OMG" search --json=1 fire
	[ "$status" -eq 2 ]
	[[ "$output" == *"--json takes no value"* ]]
	run "$OMG" search --limit=x fire
	[ "$status" -eq 2 ]
	run "$OMG" --version
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^omg\ [0-9]+\.[0-9]+\.[0-9]+\ \(protocol\ 1\)$ ]]
	local c
	for c in status search info show policy depends rdepends why size files changelog list complete ping metrics daemon not-found audit history hook doctor; do
		run "$OMG" "$c" --help
		[ "$status" -eq 0 ] || { echo "$c --help: $status"; false; }
		[[ "${lines[0]}" == "usage: omg $c"* ]] || { echo "$c --help: ${lines[0]}"; false; }
		[[ "$output" == *"--help"* ]]
		diff <("$OMG" help "$c") <(echo "$output")
	done
}

@test "search: a pipe gets every row (up to omgd's 5000) and nothing but rows; a terminal 50 and a count; -n 0 all" {
	local i
	for i in $(seq 1 120); do printf 'Package: bulkpkg-%d\nVersion: 1.0\nArchitecture: amd64\nDescription: bulk\n\n' "$i"; done \
		> "$ROOT/var/lib/apt/lists/fixture.invalid_bulk_dists_x_main_binary-amd64_Packages"
	for i in $(seq 1 50); do [ "$("$OMG" search bulkpkg 2>/dev/null | wc -l)" -eq 120 ] && break; sleep 0.05; done
	run --separate-stderr "$OMG" search bulkpkg
	[ "${#lines[@]}" -eq 120 ]
	[ -z "$stderr" ]
	# on a terminal: 50 rows, and the count of the rest on standard error
	run script -qec "'$OMG' search bulkpkg 2>'$BATS_TEST_TMPDIR/err'" /dev/null
	[ "$(printf '%s\n' "$output" | grep -c bulkpkg-)" -eq 50 ]
	[ "$(cat "$BATS_TEST_TMPDIR/err")" = "(70 more; -n N shows N, -n 0 all)" ]
	run script -qec "'$OMG' search -n 0 bulkpkg 2>/dev/null" /dev/null
	[ "$(printf '%s\n' "$output" | grep -c bulkpkg-)" -eq 120 ]
}

@test "search is case-insensitive and searches descriptions unless --names-only" {
	run "$OMG" search FIREWALLD
	[ "$status" -eq 0 ]
	[[ "$output" == firewalld* ]]
	run "$OMG" search --names-only "version 1.0"
	[ "$status" -eq 1 ]
	run "$OMG" search "version 1.0"   # the long description, as apt-cache search
	[ "$status" -eq 0 ]
	run "$OMG" search -d "fixture package"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -gt 10 ]
}

@test "search -i limits to installed packages; nothing found exits 1" {
	run "$OMG" search -i fire
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 1 ]
	run --separate-stderr "$OMG" search zzzznotapackage
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[ "$stderr" = "omg: no packages found" ]
}

@test "info shows installed, candidate, reason, archive and the record" {
	run "$OMG" info tilde-pkg
	[ "$status" -eq 0 ]
	[[ "$output" == *"Installed: 2.0~rc1-1"* ]]
	[[ "$output" == *"Candidate: 2.0-1+deb12u1"* ]]
	[[ "$output" == *"Install-Reason: manual"* ]]
	[[ "$output" == *"Candidate-From: Debian bookworm-security"* ]]
	[[ "$output" == *"Description: the tilde-pkg fixture package"* ]]
	run "$OMG" info notinstalled-only
	[[ "$output" == *"Installed: (none)"* ]]
	[[ "$output" == *"Filename: pool/notinstalled-only_3.0-1_amd64.deb"* ]]
}

@test "info of an unknown package exits 1 with one line on stderr" {
	run --separate-stderr "$OMG" info no-such-package
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[ "$stderr" = "omg: package 'no-such-package' not found" ]
}

@test "bad input is refused with a usage error, not sent" {
	run "$OMG" info ""
	[ "$status" -eq 2 ]
	run "$OMG" info "$(printf 'a\tb')"
	[ "$status" -eq 2 ]
	run "$OMG" search "$(head -c 300 /dev/zero | tr '\0' a)"
	[ "$status" -eq 2 ]
	run "$OMG" list everything
	[ "$status" -eq 2 ]
	run "$OMG" frobnicate
	[ "$status" -eq 2 ]
	run "$OMG" search
	[ "$status" -eq 2 ]
	run "$OMG" --limit x search a
	[ "$status" -eq 2 ]
}

@test "complete gives sorted unique names by prefix; -i only installed" {
	run "$OMG" complete lib
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'libedit\nlibfirestore\nlibmulti')" ]
	run "$OMG" complete -i lib
	[ "$output" = "$(printf 'libedit\nlibmulti')" ]
	run "$OMG" complete zzz
	[ "$status" -eq 1 ]
	[ -z "$output" ]
}

@test "list kinds print rows; the counts agree with status" {
	for kind in installed explicit orphans upgradable security; do
		run "$OMG" --json list "$kind"
		[ "$status" -eq 0 ]
	done
	[ "$("$OMG" --json list security | json_field matched)" = "$("$OMG" --json status | json_field security)" ]
	[ "$("$OMG" --json list orphans | json_field matched)" = "$("$OMG" --json status | json_field orphans)" ]
}

@test "--json output is valid JSON for every command" {
	for cmd in status "search fire" "info bash" "list upgradable" "complete e" ping metrics "daemon status" \
		"files bash" "not-found gti" "audit log" history; do
		"$OMG" --json $cmd | python3 -m json.tool >/dev/null || { echo "not JSON: $cmd"; false; }
	done
}

@test "--json: one document on standard output also for a failure, daemon status, no AUR block on Debian, no float noise" {
	run --separate-stderr "$OMG" --json info nope-pkg
	[ "$status" -eq 1 ]
	[ "$output" = '{"error":"package '"'"'nope-pkg'"'"' not found","exit":1}' ]
	[ "$stderr" = "omg: package 'nope-pkg' not found" ]
	run "$OMG" --json daemon status
	[[ "$output" == '{"event":"running","running":true,"pid":'"$OMGD_PID"',"started_at":'*',"backend":"dpkg","root":"'"$ROOT"'"}' ]]
	run "$OMG" --json search fire
	[[ "$output" != *'"aur"'* ]]
	run "$OMG" --json ping
	# six significant digits at most: "ms":1.72857, never 1.7285710000000001
	[[ "$output" =~ \"ms\":[0-9.e-]+\} ]]
	local ms; ms=$(sed 's/.*"ms":\([0-9.e-]*\)}/\1/' <<< "$output")
	[ "$(tr -d '.-' <<< "${ms%e*}" | sed 's/^0*//' | wc -c)" -le 7 ]
	stop_omgd
	run --separate-stderr "$OMG" --json status
	[ "$status" -eq 3 ]
	[[ "$output" == '{"error":"omgd is not running'*'","exit":3}' ]]
	run "$OMG" --json daemon stop
	[ "$output" = '{"event":"not running","running":false}' ]
}

@test "ping reports the protocol and backend" {
	run "$OMG" ping
	[ "$status" -eq 0 ]
	[[ "$output" == "omgd 0.1.0 answers (protocol 1, backend dpkg): "*" ms" ]]
}

@test "no colour when not a tty; NO_COLOR is honoured" {
	run "$OMG" search fire
	[[ "$output" != *$'\033'* ]]
}

# (How fast the reason comes is measured in bench/shell.sh, not asserted here.)
@test "a missing daemon: exit 3 and exactly one line" {
	stop_omgd
	run --separate-stderr "$OMG" status
	[ "$status" -eq 3 ]
	[ -z "$output" ]
	[ "$(echo "$stderr" | wc -l)" -eq 1 ]
	[[ "$stderr" == "omg: omgd is not running"* ]]
}

@test "a daemon that does not answer: exit 3 after the deadline" {
	stop_omgd
	# a listener that never answers
	python3 -c 'import socket,os,time,sys
s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(5); time.sleep(5)' "$XDG_RUNTIME_DIR/omg.sock" &
	local py=$!
	for i in $(seq 1 100); do [ -S "$XDG_RUNTIME_DIR/omg.sock" ] && break; sleep 0.05; done
	run --separate-stderr "$OMG" --timeout 200 status
	kill $py
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"did not"*"within 200 ms"* ]]
}

@test "help lists every command" {
	run "$OMG" help
	[ "$status" -eq 0 ]
	for c in status search info list complete ping; do [[ "$output" == *"$c"* ]]; done
}

@test "daemon start, status and stop" {
	stop_omgd
	printf '#!/bin/sh\nexec "%s" --root "%s"\n' "$OMGD" "$ROOT" > "$BATS_TEST_TMPDIR/start-omgd"
	chmod +x "$BATS_TEST_TMPDIR/start-omgd"
	export OMG_OMGD=$BATS_TEST_TMPDIR/start-omgd
	run "$OMG" daemon status
	[ "$status" -eq 3 ]
	run "$OMG" daemon start
	[ "$status" -eq 0 ]
	[[ "$output" == "omgd started (pid "*")" ]]
	run "$OMG" daemon start
	[[ "$output" == "omgd is already running"* ]]
	run "$OMG" daemon status
	[[ "$output" == "omgd is running (pid "*", root $ROOT)" ]]
	run "$OMG" daemon stop
	[ "$status" -eq 0 ]
	[[ "$output" == "omgd stopped (pid "*")" ]]
	run "$OMG" ping
	[ "$status" -eq 3 ]
	run "$OMG" daemon restart
	[ "$status" -eq 2 ]
}

# A root whose one package carries terminal controls in its name's neighbours: ESC (an OSC
# title sequence), BEL, DEL and C1 CSI (U+009B in UTF-8), and a byte that is not UTF-8.
evil_root() {
	local r=$BATS_TEST_TMPDIR/evil arch
	arch=$(dpkg --print-architecture)
	mkdir -p "$r/var/lib/dpkg" "$r/var/lib/apt/lists"
	printf 'Package: evilpkg\nStatus: install ok installed\nArchitecture: %s\nVersion: 1.0\nDescription: a \033]0;pwned\007 b \302\2332J c \177 d \233 e\n more \033[31mred\n' \
		"$arch" > "$r/var/lib/dpkg/status"
	stop_omgd
	start_omgd --root "$r"
}

# no_raw PATTERN TEXT: TEXT has no match of the (byte) PATTERN. A function, not "! grep":
# bats does not fail a test on a negated command that is not the last.
no_raw() { ! printf '%s' "$2" | LC_ALL=C grep -q "$1"; }

@test "terminal controls in package metadata are shown visibly by search, info and complete" {
	# found by the hostile test: escape sequences went raw to the terminal
	evil_root
	for cmd in "search -d evilpkg" "info evilpkg" "complete evil"; do
		run $OMG $cmd
		[ "$status" -eq 0 ]
		no_raw $'[\x01-\x08\x0b-\x1f\x7f]' "$output"
		no_raw $'\xc2[\x80-\x9f]' "$output"
		no_raw $'\x9b' "$output"
	done
	run "$OMG" search -d evilpkg
	[[ "$output" == *'a ^[]0;pwned^G b <U+009B>2J c ^? d \x9b e'* ]]
	run "$OMG" info evilpkg
	[[ "$output" == *'^[[31mred'* ]]
	# JSON: C0 and C1 controls escaped, the document still holds the exact text
	run "$OMG" --json info evilpkg
	no_raw $'[\x01-\x1f\x80-\xff]' "$output"
	[[ "$output" == *'\u001B]0;pwned\u0007 b '* ]]
}

@test "terminal controls in package names are shown visibly by history and audit log" {
	evil_root
	local st=$BATS_TEST_TMPDIR/evil/var/lib/dpkg/status arch i
	arch=$(dpkg --print-architecture)
	{ cat "$st"; printf '\nPackage: x\033]0;pwned\007y\nStatus: install ok installed\nArchitecture: %s\nVersion: 1\033[2J\nDescription: d\n' "$arch"; } > "$st.new"
	mv "$st.new" "$st"
	for i in $(seq 1 100); do "$OMG" history | grep -q 'Install' && break; sleep 0.05; done
	for cmd in history "audit log"; do
		run $OMG $cmd
		[ "$status" -eq 0 ]
		no_raw $'[\x01-\x08\x0b-\x1f\x7f]' "$output"
	done
	run "$OMG" history
	[[ "$output" == *'x^[]0;pwned^Gy:'*'(1^[[2J)'* ]]
}

@test "info right after the status file was rewritten never prints another package's record" {
	# found by the hostile test: the stored offset, read in the new file, held another record
	local r=$BATS_TEST_TMPDIR/rw arch st
	arch=$(dpkg --print-architecture)
	st=$r/var/lib/dpkg/status
	mkdir -p "$r/var/lib/dpkg" "$r/var/lib/apt/lists"
	para() { printf 'Package: %s\nStatus: install ok installed\nArchitecture: %s\nVersion: 1.0\nDescription: the %s package\n\n' "$1" "$arch" "$2"; }
	{ para pkga alpha; para pkgb bravo; } > "$st"
	stop_omgd
	start_omgd --root "$r"
	run "$OMG" info pkga
	[[ "$output" == *"the alpha package"* ]]
	# Rewrite it in place through a descriptor kept open: no close, so omgd's watch has not
	# seen it yet, as at the moment dpkg has just written the new file.
	exec 5<>"$st"
	{ para pkgb bravo; para pkga alpha; } >&5
	run "$OMG" info pkga
	exec 5>&-
	[ "$status" -eq 0 ]
	[[ "$output" != *"bravo"* ]]
	[[ "$output" == *"the alpha package"* ]]   # found again in the new file
}

# Issue 16.18: a record over the frame limit is said as such (there is no limit to lower).
@test "info of a package whose record is over 1 MiB says the record is too large" {
	stop_omgd
	{ printf 'Package: huge\nStatus: install ok installed\nVersion: 1\nArchitecture: amd64\nDescription: big\n'
	  head -c 1200000 /dev/zero | tr '\0' x | fold -w 70 | sed 's/^/ /'; echo; } >> "$ROOT/var/lib/dpkg/status"
	start_omgd --root "$ROOT"
	run "$OMG" info huge
	[ "$status" -eq 4 ]
	[ "$output" = "omg: the package's record is larger than the 1 MiB frame limit" ]
	[[ "$output" != *"lower the limit"* ]]
	run "$OMG" info tilde-pkg
	[ "$status" -eq 0 ]
}

@test "files: what dpkg -L lists, for every installed package of the fixture; not installed exits 1" {
	local p
	for p in $(dpkg-query --admindir="$ROOT/var/lib/dpkg" -W -f '${db:Status-Status} ${binary:Package}\n' |
		awk '$1 == "installed" { print $2 }'); do
		[ -e "$ROOT/var/lib/dpkg/info/$p.list" ] || [ -e "$ROOT/var/lib/dpkg/info/${p%%:*}.list" ] || continue
		diff <("$OMG" files "$p") <(dpkg-query --admindir="$ROOT/var/lib/dpkg" -L "$p") || { echo "differs: $p"; false; }
	done
	run "$OMG" files libmulti:i386
	[ "${lines[1]}" = /usr/lib/i386-linux-gnu/libmulti.so.1 ]
	run --separate-stderr "$OMG" files notinstalled-only
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"is not installed"* ]]
	run "$OMG" --json files bash
	[ "$output" = '["/.","/bin","/bin/bash","/usr/bin/rbash"]' ]
}

@test "files: a list larger than one frame (60,000 paths, 3 MB) comes whole, in pages" {
	{ echo /.; for i in $(seq 1 60000); do echo "/usr/share/bigpkg/a-rather-long-directory-name/file-$i"; done; } \
		> "$ROOT/var/lib/dpkg/info/bash.list"
	run "$OMG" files bash
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 60001 ]
	[ "${lines[60000]}" = /usr/share/bigpkg/a-rather-long-directory-name/file-60000 ]
	diff <("$OMG" files bash) "$ROOT/var/lib/dpkg/info/bash.list"
}

@test "files on this machine: equal to dpkg -L (its diversion notes aside) for 100 installed packages" {
	[ -s /var/lib/dpkg/status ] || skip "not a Debian system"
	stop_omgd
	start_omgd
	local p n=0
	for p in $(dpkg-query -W -f '${db:Status-Status} ${binary:Package}\n' | awk '$1 == "installed" { print $2 }' | shuf -n 100 --random-source=/dev/zero); do
		diff <("$OMG" --timeout 5000 files "$p") \
			<(dpkg -L "$p" | grep -v '^diverted by \|^package diverts others to: \|^locally diverted to: ') ||
			{ echo "differs: $p"; false; }
		n=$((n + 1))
	done
	[ "$n" -gt 0 ]
}

@test "changelog: the installed changelog.Debian.gz, decompressed, tabs kept; not installed or none: exit 1" {
	mkdir -p "$ROOT/usr/share/doc/bash"
	printf 'bash (5.2-1) unstable; urgency=medium\n\n  * One.\n\t* a tab\n\n -- A <a@b>  Mon, 01 Jan 2024 00:00:00 +0000\n' |
		gzip -9n > "$ROOT/usr/share/doc/bash/changelog.Debian.gz"
	diff <("$OMG" changelog bash) <(zcat "$ROOT/usr/share/doc/bash/changelog.Debian.gz")
	run --separate-stderr "$OMG" changelog local-only
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"no changelog in"* ]]
	run --separate-stderr "$OMG" changelog notinstalled-only
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"is not installed"* ]]
	# a native package's changelog.gz when there is no changelog.Debian
	mkdir -p "$ROOT/usr/share/doc/local-only"
	printf 'native 1.0\n' | gzip > "$ROOT/usr/share/doc/local-only/changelog.gz"
	[ "$("$OMG" changelog local-only)" = "native 1.0" ]
}

@test "changelog on this machine: equal to zcat of /usr/share/doc/PKG/changelog.Debian.gz for 60 packages" {
	[ -d /usr/share/doc/bash ] || skip "no /usr/share/doc here"
	stop_omgd
	start_omgd
	local p f n=0
	for p in $(dpkg-query -W -f '${db:Status-Status} ${Package}\n' | awk '$1 == "installed" { print $2 }' | sort -u |
		shuf -n 60 --random-source=/dev/zero); do
		f=/usr/share/doc/$p/changelog.Debian.gz
		[ -f "$f" ] || continue
		diff <("$OMG" --timeout 5000 changelog "$p") <(zcat "$f") >/dev/null || { echo "differs: $p"; false; }
		n=$((n + 1))
	done
	[ "$n" -gt 10 ]
}
