#!/usr/bin/env bats
# The Arch backend (libalpm) on fixture databases, with the real pacman as the oracle.

load helpers
bats_require_minimum_version 1.5.0

ARCH_FIXTURE=${OMG_SRCDIR:?}/tests/fixtures/make-arch-root.sh

setup() {
	require_feature alpm
	omg_setup
	"$ARCH_FIXTURE" "$ROOT"
	PACMAN=(pacman --config "$ROOT/oracle/pacman.conf" --dbpath "$ROOT/var/lib/pacman")
	command -v pacman >/dev/null || skip "pacman (pacman-package-manager) is not installed"
	# Arch's vercmp(8) when there is one; else tests/tools/vercmp, the same libalpm call
	VERCMP=$(command -v vercmp || echo "$OMG_BUILDDIR/tests/tools/vercmp")
}

teardown() { stop_omgd; }

names() { "$OMG" list "$1" | awk '{print $1}'; }

# refresh_repo REPO: what pacman -Sy does to REPO.db, with every pkgrel in it bumped to 77.
refresh_repo() {
	local work="$BATS_TEST_TMPDIR/refresh-$1" d
	rm -rf "$work"; mkdir -p "$work"
	tar -xzf "$ROOT/var/lib/pacman/sync/$1.db" -C "$work"
	for d in "$work"/*/; do
		sed -i '/^%VERSION%$/{n;s/-[0-9]*$/-77/}' "$d/desc"
		mv "$d" "${d%-*/}-77"
	done
	(cd "$work" && tar -czf "$ROOT/var/lib/pacman/sync/$1.db.part" --format=ustar $(ls))
	mv "$ROOT/var/lib/pacman/sync/$1.db.part" "$ROOT/var/lib/pacman/sync/$1.db"
}

# wait_for_status FIELD VALUE: polls omg status until FIELD is VALUE (5 s at most).
wait_for_status() {
	local i
	for i in $(seq 1 250); do
		[ "$("$OMG" --json status | json_field "$1")" = "$2" ] && return 0
		sleep 0.02
	done
	return 1
}

@test "the backend comes from /etc/os-release; --backend overrides it" {
	start_omgd --root "$ROOT" --no-aur
	run "$OMG" --json status
	[[ "$output" == *'"backend":"alpm"'* ]]
	stop_omgd
	"$FIXTURE" "$BATS_TEST_TMPDIR/deb"
	start_omgd --root "$BATS_TEST_TMPDIR/deb"
	[[ "$("$OMG" --json status)" == *'"backend":"dpkg"'* ]]
	stop_omgd
	# no os-release: the databases that exist decide
	rm "$ROOT/etc/os-release"
	start_omgd --root "$ROOT" --no-aur
	[[ "$("$OMG" --json status)" == *'"backend":"alpm"'* ]]
	stop_omgd
	run "$OMGD" --foreground --root "$ROOT" --backend rpm
	[ "$status" -eq 2 ]
	[[ "$output" == *"--backend rpm: dpkg or alpm"* ]]
}

@test "counts and names equal pacman's: -Qq, -Qqe, -Qdtq, -Qu (400 packages, 3 repositories)" {
	start_omgd --root "$ROOT" --no-aur
	local total explicit orphans updates
	total=$("${PACMAN[@]}" -Qq | wc -l); explicit=$("${PACMAN[@]}" -Qqe | wc -l)
	orphans=$("${PACMAN[@]}" -Qdtq | wc -l); updates=$("${PACMAN[@]}" -Qu | wc -l)
	echo "# pacman: $total installed, $explicit explicit, $orphans orphans, $updates updates"
	[ "$total" -gt 300 ] && [ "$orphans" -gt 10 ] && [ "$updates" -gt 50 ]
	run "$OMG" --json status
	[ "$(json_field installed <<<"$output")" = "$total" ]
	[ "$(json_field explicit <<<"$output")" = "$explicit" ]
	[ "$(json_field orphans <<<"$output")" = "$orphans" ]
	[ "$(json_field updates <<<"$output")" = "$updates" ]
	[ "$(json_field security <<<"$output")" = 0 ]
	diff <("${PACMAN[@]}" -Qq) <(names installed)
	diff <("${PACMAN[@]}" -Qqe) <(names explicit)
	diff <("${PACMAN[@]}" -Qdtq) <(names orphans)
	diff <("${PACMAN[@]}" -Qu | awk '{print $1}') <(names upgradable)
	# and the versions: "name old -> new" as pacman prints them
	diff <("${PACMAN[@]}" -Qu | sed 's/ \[ignored\]//') \
		<("$OMG" --json list upgradable | tr '{' '\n' | sed -n 's/.*"name":"\([^"]*\)".*"installed":"\([^"]*\)","candidate":"\([^"]*\)".*/\1 \2 -> \3/p')
}

@test "versions order as vercmp does: every upgrade omg reports is newer by vercmp, epochs included" {
	start_omgd --root "$ROOT" --no-aur
	local n=0 name old new
	while read -r name old new; do
		[ "$("$VERCMP" "$new" "$old")" -gt 0 ] || { echo "$name: $new is not newer than $old"; return 1; }
		n=$((n + 1))
	done < <("$OMG" --json list upgradable | tr '{' '\n' | sed -n 's/.*"name":"\([^"]*\)".*"installed":"\([^"]*\)","candidate":"\([^"]*\)".*/\1 \2 \3/p')
	[ "$n" -gt 50 ]
	# an epoch makes 1:0.1-1 newer than 1.4-1
	run "$OMG" info pkg004
	[[ "$output" == *"Candidate: 1:0.1-1"* ]]
	[ "$("$VERCMP" 1:0.1-1 1.4-1)" -gt 0 ]
}

@test "info: repository, dependencies, required-by, installed size, reason, IgnorePkg" {
	start_omgd --root "$ROOT" --no-aur
	run "$OMG" info pkg006
	[ "$status" -eq 0 ]
	[[ "$output" == *"Installed: 1.6-1"* ]]
	[[ "$output" == *"Required-By: pkg005 pkg007"* ]]   # pkg005 depends on pkg006, pkg007 on pkg006<99
	"${PACMAN[@]}" -Qi pkg006 | grep -q '^Required By *: pkg005  pkg007$'
	[[ "$output" == *"Installed-Size: 24.00 KiB"* ]]
	[[ "$output" == *"Install-Reason: manual"* ]]
	run "$OMG" info pkg010
	[[ "$output" == *"Depends-On: pkg011 pkg012>=1.0"* ]]
	[[ "$output" == *"Install-Reason: automatic"* ]]
	[[ "$output" == *"Candidate-From: extra"* ]]
	# only in a repository: pacman -Si's fields
	run "$OMG" info pkg008
	[[ "$output" == *"Installed: (none)"* ]]
	[[ "$output" == *"Repository: extra"* ]]
	[[ "$output" == *"Download-Size: "* ]]
	"${PACMAN[@]}" -Si pkg008 | grep -q '^Repository *: extra'
	# IgnorePkg = pkg012 pkg03* (through pacman.conf): held, still an update as pacman -Qu says
	run "$OMG" info pkg031
	[[ "$output" == *"Held: yes"* ]]
	# the first repository in pacman.conf order decides: core has an older pkg023, so the
	# newer ones in extra and testing are not updates (pacman -Qu agrees)
	run "$OMG" info pkg023
	[[ "$output" == *"Installed: 1.23-1"*"Candidate: 1.23-1"* ]]
	[[ "$output" != *"Upgrade:"* ]]
	"${PACMAN[@]}" -Si pkg023 | grep -q '^Version *: 9.23-1'
	! "${PACMAN[@]}" -Qu | grep -q '^pkg023 '
	run "$OMG" info nope
	[ "$status" -eq 1 ]
}

@test "Required-By and Optional-For equal pacman -Qi's for every installed package (and so the orphans)" {
	start_omgd --root "$ROOT" --no-aur
	local name
	"${PACMAN[@]}" -Qi | awk -F' *: ' '
		/^Name /         { name = $2 }
		/^Required By /  { gsub(/  +/, " ", $2); req = $2 }
		/^Optional For / { gsub(/  +/, " ", $2); print name "|" req "|" $2 }' > "$BATS_TEST_TMPDIR/pacman"
	[ "$(wc -l < "$BATS_TEST_TMPDIR/pacman")" -gt 300 ]
	for name in $(cut -d'|' -f1 "$BATS_TEST_TMPDIR/pacman"); do
		"$OMG" info "$name" | awk -v n="$name" -F': ' '
			/^Required-By: /  { req = $2 }
			/^Optional-For: / { print n "|" req "|" $2 }'
	done > "$BATS_TEST_TMPDIR/omg"
	diff "$BATS_TEST_TMPDIR/pacman" "$BATS_TEST_TMPDIR/omg"
}

@test "search and suggest over local and sync packages, with the same output shape as on Debian" {
	start_omgd --root "$ROOT" --no-aur
	run "$OMG" search -d fire
	[ "$status" -eq 0 ]
	# pacman -Ss searches the repositories, -Qs the local database: omg searches both
	diff <(sort -u <("${PACMAN[@]}" -Ssq fire) <("${PACMAN[@]}" -Qsq fire)) <(printf '%s\n' "${lines[@]}" | awk '{print $1}' | sort)
	[[ "$output" == *"pkg009"*"fixture package 9 with a fire"* ]]
	# the same rules as pacman -Ss: every term a regular expression, on the name, the
	# description or a provided name
	local q
	for q in 'fire' '^pkg01' 'pkg0.5$' 'fixture package 9' 'virt-1' 'FIXTURE fire' 'pkg(01|02)' 'package 1[0-9]{2}'; do
		# shellcheck disable=SC2086
		diff <(sort -u <("${PACMAN[@]}" -Ssq $q) <("${PACMAN[@]}" -Qsq $q)) \
			<("$OMG" search --no-aur -n 0 $q | awk '{print $1}' | sort) || { echo "search $q"; false; }
		[ -n "$("${PACMAN[@]}" -Ssq $q)" ] || { echo "search $q: pacman finds nothing"; false; }
	done
	run "$OMG" search pkg00
	[[ "${lines[0]}" == "pkg001 "*"[upgradable from: 1.1-1]"* ]]
	[ "$("$OMG" complete pkg01 | wc -l)" -eq 10 ]
}

@test "a package installed, and a repository refreshed, show within 1 s (inotify)" {
	start_omgd --root "$ROOT" --no-aur
	local before; before=$("$OMG" --json status | json_field installed)
	# pacman writes the new package's directory in the local database
	mkdir "$ROOT/var/lib/pacman/local/newpkg-1.0-1"
	printf '%%NAME%%\nnewpkg\n\n%%VERSION%%\n1.0-1\n\n%%DESC%%\nnew\n\n%%REASON%%\n0\n\n' \
		> "$ROOT/var/lib/pacman/local/newpkg-1.0-1/desc"
	local i
	for i in $(seq 1 50); do
		[ "$("$OMG" --json status | json_field installed)" = $((before + 1)) ] && break
		sleep 0.02
	done
	[ "$("$OMG" --json status | json_field installed)" = $((before + 1)) ]
	run "$OMG" history
	[[ "$output" == *"Install: newpkg:"*"(1.0-1)"* ]]
	# pacman -Sy replaces a sync database: everything in it is now newer
	local updates; updates=$("$OMG" --json status | json_field updates)
	refresh_repo core
	for i in $(seq 1 50); do
		[ "$("$OMG" --json status | json_field updates)" != "$updates" ] && break
		sleep 0.02
	done
	[ "$("$OMG" --json status | json_field updates)" = "$("${PACMAN[@]}" -Qu | wc -l)" ]
}

@test "one libalpm handle kept: a repository refresh reuses the local database, a local change replaces it" {
	sleep 1.1 # the fixture's desc files must be older than a second to be trusted by their times
	start_omgd --root "$ROOT" --no-aur
	local gen; gen=$("$OMG" --json status | json_field generation)
	refresh_repo extra
	wait_for_status generation $((gen + 1))
	[ "$("$OMG" --json status | json_field updates)" = "$("${PACMAN[@]}" -Qu | wc -l)" ]
	diff <("${PACMAN[@]}" -Qu | awk '{print $1}') <(names upgradable)
	grep "index: .*local database kept" "$BATS_TEST_TMPDIR/omgd.log" || { cat "$BATS_TEST_TMPDIR/omgd.log"; return 1; }
	# a package installed: the handle is replaced, and the new package is seen
	local before; before=$("$OMG" --json status | json_field installed)
	mkdir "$ROOT/var/lib/pacman/local/newpkg-1.0-1"
	printf '%%NAME%%\nnewpkg\n\n%%VERSION%%\n1.0-1\n\n%%DESC%%\nnew\n\n%%REASON%%\n0\n\n' \
		> "$ROOT/var/lib/pacman/local/newpkg-1.0-1/desc"
	wait_for_status installed $((before + 1))
	[ "$("$OMG" --json status | json_field installed)" = "$("${PACMAN[@]}" -Qq | wc -l)" ]
	[ "$(grep 'index: ' "$BATS_TEST_TMPDIR/omgd.log" | tail -1 | grep -c 'local database kept')" = 0 ]
}

@test "pacman -D (a reason edited in place) shows when the transaction's lock goes, and after a restart" {
	settle() { sleep 1.1; }
	settle
	start_omgd --root "$ROOT" --no-aur
	local explicit; explicit=$("$OMG" --json status | json_field explicit)
	# pkg001 is a dependency; pacman -D --asexplicit rewrites its desc under db.lck
	local desc; desc=$(ls -d "$ROOT"/var/lib/pacman/local/pkg001-*)/desc
	: > "$ROOT/var/lib/pacman/db.lck"
	sed -i '/^%REASON%$/{n;s/1/0/}' "$desc"
	rm "$ROOT/var/lib/pacman/db.lck"
	local i
	for i in $(seq 1 50); do
		[ "$("$OMG" --json status | json_field explicit)" = $((explicit + 1)) ] && break
		sleep 0.02
	done
	[ "$("$OMG" --json status | json_field explicit)" = "$("${PACMAN[@]}" -Qqe | wc -l)" ]
	# while omgd is stopped: the next start must not serve the stored index
	stop_omgd
	sed -i '/^%REASON%$/{n;s/0/1/}' "$desc"
	start_omgd --root "$ROOT" --no-aur
	[ "$("$OMG" --json status | json_field explicit)" = "$explicit" ]
	grep -q 'stored index is out of date (.*pkg001.*desc changed)' "$BATS_TEST_TMPDIR/omgd.log"
}

@test "the status file, the shell modules and completion work unchanged on an Arch root" {
	start_omgd --root "$ROOT" --no-aur
	[ "$(od -An -j8 -N4 -tu4 "$XDG_RUNTIME_DIR/omg.status" | tr -d ' ')" = "$("${PACMAN[@]}" -Qq | wc -l)" ]
	require_modules
	run in_bash 'echo "$OMG_TOTAL $OMG_EXPLICIT $OMG_ORPHANS $OMG_UPDATES"; omg complete -A r pkg39; echo "${r[*]}"'
	[ "${lines[0]}" = "$("${PACMAN[@]}" -Qq | wc -l) $("${PACMAN[@]}" -Qqe | wc -l) $("${PACMAN[@]}" -Qdtq | wc -l) $("${PACMAN[@]}" -Qu | wc -l)" ]
	[ "${lines[1]}" = "pkg390 pkg391 pkg392 pkg393 pkg394 pkg395 pkg396 pkg397 pkg398 pkg399" ]
	run in_zsh 'print -r -- "$OMG_UPDATES"'
	[ "$output" = "$("${PACMAN[@]}" -Qu | wc -l)" ]
}

@test "a provided name is a virtual package: info lists the packages whose versions provide it, as pacman has them" {
	start_omgd --root "$ROOT" --backend alpm
	run "$OMG" info virt-0
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "virt-0 is a virtual package, provided by:" ]
	[ "${#lines[@]}" -gt 1 ]
	local p want
	# the oracle: every package pacman says provides virt-0, in the sync repositories or installed
	want=$( { "${PACMAN[@]}" -Si 2>/dev/null; "${PACMAN[@]}" -Qi 2>/dev/null; } |
		awk '/^Name/{n=$3} /^Provides/ && / virt-0=/{print n}' | sort -u)
	diff <(printf '%s\n' "${lines[@]:1}" | awk '{print $1}' | sort -u) <(echo "$want")
}

@test "plans (libalpm): the upgrade of 400 packages refuses as pacman -Su does, in its words; install plans equal pacman -Sp's" {
	start_omgd --root "$ROOT" --no-aur
	# pacman reads this root's package cache: never the machine's own
	PACMAN+=(--root "$ROOT" --cachedir "$ROOT/var/cache/pacman/pkg/")
	want=$("${PACMAN[@]}" -Su --print 2>&1 | sed -n 's/^:: //p')
	[ -n "$want" ]
	run -4 "$OMG" upgrade -s
	[[ "$output" == *"libalpm cannot do this:"*"$want"* ]] || { echo "pacman: $want"; echo "$output"; false; }
	# packages only in sync (pkg040 with an epoch, from the first repository having it); the
	# fixture's local entries have no files list, so pacman (and libalpm) cannot reinstall them
	for p in pkg040 pkg008 pkg024 "pkg040 pkg008"; do
		[ -n "$("${PACMAN[@]}" -S --print --print-format '%n %v' $p)" ]
		diff <("$OMG" --json install -s $p | python3 -c '
import json, sys
for e in json.load(sys.stdin)["packages"]:
    if e["action"] not in ("remove", "purge"): print(e["package"], e["to"])' | sort) \
			<("${PACMAN[@]}" -S --print --print-format '%n %v' $p | sort)
	done
}

# ---- the cases: tests/cases/alpm/*.sh, each on a fresh copy of the fixture -----------------
# A case is a bash script run with set -euo pipefail in the copy's top directory, with ROOT
# and the functions below (tests/cases/alpm/README). pacman on the copy is the oracle.

# conf FILE: stdin as ROOT/etc/FILE
conf() { mkdir -p "$(dirname "$ROOT/etc/$1")"; rm -f "$ROOT/etc/$1"; cat > "$ROOT/etc/$1"; }

# desc_of NAME VER: the common desc lines, then stdin's
desc_of() {
	printf '%%NAME%%\n%s\n\n%%VERSION%%\n%s\n\n%%DESC%%\ncase package %s\n\n%%ARCH%%\nx86_64\n\n' "$1" "$2" "$1"
	cat
	echo
}

# local_add NAME VER REASON: an installed package (REASON -: no %REASON% line)
local_add() {
	local d=$ROOT/var/lib/pacman/local/$1-$2
	mkdir -p "$d"
	{ [ "$3" = - ] || printf '%%REASON%%\n%s\n\n' "$3"; desc_of "$1" "$2"; } > "$d/desc"
}

# sync_unpack REPO DIR / sync_pack REPO DIR: a sync database as files, and back
sync_unpack() { mkdir -p "$2"; [ ! -e "$ROOT/var/lib/pacman/sync/$1.db" ] || tar -xzf "$ROOT/var/lib/pacman/sync/$1.db" -C "$2"; }
sync_pack() { (cd "$2" && tar -czf "$ROOT/var/lib/pacman/sync/$1.db" --format=ustar --owner=0 --group=0 $(ls)); rm -rf "$2"; }

# sync_add REPO NAME VER: a package in REPO's database
sync_add() {
	local w; w=$(mktemp -d)
	sync_unpack "$1" "$w"
	mkdir -p "$w/$2-$3"
	{ printf '%%FILENAME%%\n%s-%s-x86_64.pkg.tar.zst\n\n%%CSIZE%%\n1000\n\n%%ISIZE%%\n4096\n\n' "$2" "$3"; desc_of "$2" "$3"; } > "$w/$2-$3/desc"
	sync_pack "$1" "$w"
}

# sync_field REPO NAME FIELD VALUE...: FIELD added to NAME's entry in REPO
sync_field() {
	local repo=$1 name=$2 w f d=
	w=$(mktemp -d)
	sync_unpack "$repo" "$w"
	for f in "$w"/*/desc; do
		[ "$(sed -n '/^%NAME%$/{n;p;q}' "$f")" != "$name" ] || d=$f
	done
	[ -n "$d" ] || { echo "sync_field: no $name in $repo" >&2; return 1; }
	shift 2
	{ echo "$1"; shift; printf '%s\n' "$@"; echo; } >> "$d"
	sync_pack "$repo" "$w"
}

# oracle_conf: pacman's copy of ROOT/etc's pacman.conf and pacman.d, Include paths spelt out
oracle_conf() {
	local o=$ROOT/oracle-etc f
	rm -rf "$o"
	mkdir -p "$o"
	(cd "$ROOT/etc" && find pacman.conf pacman.d -type f 2>/dev/null) | while read -r f; do
		mkdir -p "$o/$(dirname "$f")"
		sed "s|^\([[:space:]]*Include[[:space:]]*=[[:space:]]*\)/etc/|\1$o/|" "$ROOT/etc/$f" > "$o/$f"
	done
}

# check_arch_root LABEL: omg's four counts and names on ROOT against pacman's; the differences
# under LABEL, status 1 when there are any
check_arch_root() {
	local pac=(pacman --config "$ROOT/oracle-etc/pacman.conf" --dbpath "$ROOT/var/lib/pacman") out rc=0 kind q f
	oracle_conf
	start_omgd --root "$ROOT" --no-aur
	out=$(
		r=0
		for kind in installed:-Qq:installed explicit:-Qqe:explicit orphans:-Qdtq:orphans upgradable:-Qu:updates; do
			IFS=: read -r kind q f <<<"$kind"
			diff <("${pac[@]}" "$q" 2>/dev/null | awk '{print $1}') <(names "$kind") > "$BATS_TEST_TMPDIR/d" ||
				{ echo "$kind (< pacman $q, > omg):"; head -20 "$BATS_TEST_TMPDIR/d"; r=1; }
			[ "$("$OMG" --json status | json_field "$f")" = "$("${pac[@]}" "$q" 2>/dev/null | wc -l)" ] ||
				{ echo "$f: omg $("$OMG" --json status | json_field "$f"), pacman $("${pac[@]}" "$q" 2>/dev/null | wc -l)"; r=1; }
		done
		exit $r
	) || rc=1
	stop_omgd
	[ "$rc" = 0 ] || { echo "$1:"; echo "$out" | sed 's/^/  /'; }
	return $rc
}

@test "cases: each tests/cases/alpm/*.sh on a copy of the fixture: omg's counts and names equal pacman's" {
	local cases=$OMG_SRCDIR/tests/cases/alpm base=$ROOT t=$BATS_TEST_TMPDIR c name failed=() out
	export -f conf desc_of local_add sync_unpack sync_pack sync_add sync_field
	for c in "$cases"/*.sh; do
		name=$(basename "$c" .sh)
		ROOT=$t/case-$name
		cp -a "$base" "$ROOT"
		if ! out=$(cd "$ROOT" && ROOT=$ROOT bash -euo pipefail "$c" 2>&1); then
			echo "case $name: the case itself failed:"; echo "$out" | tail -5
			failed+=("$name"); continue
		fi
		check_arch_root "case $name" || failed+=("$name")
		rm -rf "$ROOT"
	done
	ROOT=$base
	echo "${#failed[@]} of $(ls "$cases"/*.sh | wc -l) differ from pacman: ${failed[*]:-none}"
	[ ${#failed[@]} = 0 ]
}
