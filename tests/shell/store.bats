#!/usr/bin/env bats
# The persistent store (LMDB): warm start from the stored index, only changed sources
# re-read, the audit log and omg history, tampering and damage found, formats, map growth,
# an unwritable or full store, and kill -9 in the middle of writes.

load helpers
bats_require_minimum_version 1.5.0

setup() {
	omg_setup
	"$FIXTURE" "$ROOT"
	STORE=$(store_for "$ROOT")
	LOG=$BATS_TEST_TMPDIR/omgd.log
}

teardown() { stop_omgd; }

# The fixture was just written: its files are "racy" (changed less than 1 s before omgd
# reads them), and racy sources are never trusted from the store. Let them settle.
settle() { sleep 1.1; }

restart_omgd() { stop_omgd; start_omgd "$@"; }

# flip_at FILE STRING [DELTA]: flips one bit of FILE at the first STRING (+ DELTA bytes).
flip_at() {
	local off byte
	off=$(grep -boa -- "$2" "$1" | head -1 | cut -d: -f1)
	[ -n "$off" ] || { echo "no '$2' in $1" >&2; return 1; }
	off=$((off + ${3:-0}))
	byte=$(od -An -tu1 -j "$off" -N1 "$1" | tr -d ' ')
	printf "$(printf '\\%03o' $((byte ^ 1)))" | dd of="$1" bs=1 seek="$off" conv=notrunc status=none
}

# set_format ENVDIR N: rewrites the environment's "format" record with mdb_dump/mdb_load.
set_format() {
	local hex; hex=$(printf '%02x000000' "$2")
	mdb_dump -s meta "$1" | awk -v h="$hex" 'prev == " 666f726d6174" { $0 = " " h } { prev = $0; print }' \
		> "$BATS_TEST_TMPDIR/meta.dump"
	mdb_load -s meta -f "$BATS_TEST_TMPDIR/meta.dump" "$1"
}

status_sans_times() { "$OMG" --json status | sed 's/"generation":[0-9]*,"updated_at":[0-9]*,"started_at":[0-9]*,//'; }

wait_for_record() { # wait_for_record PATTERN: the audit log shows it within 2 s
	local i
	for i in $(seq 1 100); do
		"$OMG" audit log | grep -q -- "$1" && return 0
		sleep 0.02
	done
	"$OMG" audit log >&2
	return 1
}

@test "a restart with unchanged sources serves the stored index: same answers, no parsing" {
	settle
	start_omgd --root "$ROOT"
	local st search info
	st=$(status_sans_times); search=$("$OMG" search -d fi); info=$("$OMG" info bash)
	restart_omgd --root "$ROOT"
	grep -q 'index (stored)' "$LOG"
	[ "$(status_sans_times)" = "$st" ]
	[ "$("$OMG" search -d fi)" = "$search" ]
	[ "$("$OMG" info bash)" = "$info" ]
	"$OMG" audit log | tail -1 | grep -q 'start: .*stored index'
	# the command index came back too
	run -127 "$OMG" not-found notinst-cmd
	[[ "$output" == *"notinstalled-only"* ]]
}

@test "a changed list is re-read alone; every other source comes from the store" {
	settle
	start_omgd --root "$ROOT"
	local before; before=$(status_sans_times)
	stop_omgd
	local list=$ROOT/var/lib/apt/lists/fixture.invalid_norelease_dists_bookworm_main_binary-amd64_Packages
	printf '\nPackage: fresh-pkg\nVersion: 3.0-1\nArchitecture: amd64\nDescription: added later\n' >> "$list"
	start_omgd --root "$ROOT"
	grep -q 'stored index is out of date (.*norelease.* changed)' "$LOG"
	"$OMG" audit log | tail -1 | grep -Eq 'start: .*\([1-9][0-9]* sources from the store, 1 read\)'
	run "$OMG" search fresh-pkg
	[[ "$output" == *"fresh-pkg"*"3.0-1"* ]]
	# and nothing else changed (fresh-pkg is not installed)
	[ "$(status_sans_times)" = "$before" ]
}

# bulk_list N: a package list of N more packages (a store much larger than the fixture's).
bulk_list() {
	local i
	for i in $(seq 1 "$1"); do printf 'Package: bulk-%d\nVersion: 1.0\nArchitecture: amd64\nDescription: bulk\n\n' "$i"; done \
		> "$ROOT/var/lib/apt/lists/fixture.invalid_bulk_dists_x_main_binary-amd64_Packages"
}

# edit_status: an upgrade, a downgrade, a removal and an install, written as dpkg does.
edit_status() {
	perl -00 -pe '
		s/^(Package: epoch-pkg\n(?:.+\n)*?Version: )1:1\.0-1$/${1}1:1.1-1/m;
		s/^(Package: downgrade-pkg\n(?:.+\n)*?Version: )2\.0-1$/${1}1.0-1/m;
		$_ = "" if /^Package: alt-two\n/;
	' "$ROOT/var/lib/dpkg/status" > "$ROOT/var/lib/dpkg/status-new"
	printf 'Package: newcomer\nStatus: install ok installed\nVersion: 1.0\nArchitecture: amd64\nDescription: new\n\n' \
		>> "$ROOT/var/lib/dpkg/status-new"
	mv "$ROOT/var/lib/dpkg/status-new" "$ROOT/var/lib/dpkg/status"
}

expected_history='Install: newcomer:amd64 (1.0)
Upgrade: epoch-pkg:amd64 (1:1.0-1, 1:1.1-1)
Downgrade: downgrade-pkg:amd64 (2.0-1, 1.0-1)
Remove: alt-two:amd64 (1.0-1)'

@test "installs, upgrades, downgrades and removals seen by inotify: omg history, like apt's history.log" {
	start_omgd --root "$ROOT"
	run "$OMG" history
	[ "$status" -eq 0 ] && [ -z "$output" ]
	edit_status
	wait_for_record 'change'
	run "$OMG" history
	[ "$status" -eq 0 ]
	[ "${lines[0]:0:12}" = "Start-Date: " ]
	[ "$(printf '%s\n' "${lines[@]:1:4}")" = "$expected_history" ]
	[[ "${lines[5]}" == "Audit-Record: "* ]]
	# JSON: the same changes, parsed
	run "$OMG" --json history
	[[ "$output" == *'"action":"upgrade","package":"epoch-pkg","arch":"amd64","from":"1:1.0-1","to":"1:1.1-1"'* ]]
	[[ "$output" == *'"action":"remove","package":"alt-two","arch":"amd64","from":"1.0-1","to":null'* ]]
	# --since: the future holds nothing, the last hour holds it
	[ -z "$("$OMG" history --since @$(( $(date +%s) + 100 )))" ]
	[ -n "$("$OMG" history --since 1h)" ]
	run "$OMG" history --since tomorrowish
	[ "$status" -eq 2 ]
	# the audit log has the change between two refreshes, and verifies
	run "$OMG" audit log --verify
	[ "$status" -eq 0 ]
	[[ "$output" == *"change"*"upgrade epoch-pkg:amd64 1:1.0-1 1:1.1-1"* ]]
	[[ "${lines[-1]}" == "audit log intact: "*" records verified; head #"*" sha256:"* ]]
}

@test "changes made while omgd was stopped are recorded at its next start" {
	start_omgd --root "$ROOT"
	stop_omgd
	edit_status
	start_omgd --root "$ROOT"
	run "$OMG" history
	[ "$(printf '%s\n' "${lines[@]:1:4}")" = "$expected_history" ]
}

@test "audit log --verify names a record damaged on disk (a flipped bit), exit 5" {
	start_omgd --root "$ROOT"
	kill -HUP "$OMGD_PID"
	wait_for_record 'signal:'
	stop_omgd
	flip_at "$STORE/audit/data.mdb" "signal:" 2
	start_omgd --root "$ROOT"
	run "$OMG" audit log --verify
	[ "$status" -eq 5 ]
	[[ "${lines[-1]}" == "audit log BROKEN: record 2: edited (its content does not match its hash)" ]]
	run "$OMG" --json audit log --verify
	[ "$status" -eq 5 ]
	[[ "$output" == *'"verify":{"ok":false,"records":1,"bad_record":2,'* ]]
}

# head_seq: the last record's number, as omg audit log prints it
head_seq() { "$OMG" audit log | awk '/^#/ { n = substr($1, 2) } END { print n + 0 }'; }

# refresh_until N: index refreshes by SIGHUP, each waited for (2 s), until record N exists
refresh_until() {
	local last now i
	last=$(head_seq)
	while [ "$last" -lt "$1" ]; do
		kill -HUP "$OMGD_PID"
		for i in $(seq 1 200); do
			now=$(head_seq)
			[ "$now" != "$last" ] && break
			sleep 0.01
		done
		[ "$now" != "$last" ] || { echo "no new record after #$last" >&2; return 1; }
		last=$now
	done
}

@test "a bounded audit log (--audit-max 16K) prunes: a PRUNED record says what went, the rest verifies" {
	# a bound below 16K, or not a size, is refused before anything starts
	local bad
	for bad in 1K 16383 5X M -1; do
		run "$OMGD" --foreground --root "$ROOT" --audit-max "$bad"
		[ "$status" -eq 2 ]
		[ "$output" = "omgd: --audit-max: 16384 bytes (16K) to 2048M" ]
	done
	settle
	start_omgd --root "$ROOT" --audit-max 16K
	refresh_until 400
	run "$OMG" audit log
	[ "$status" -eq 0 ]
	# the anchor: how many, which numbers and times, and the last one's hash
	[[ "$output" =~ pruned\ +pruned\ ([0-9]+)\ records\ \#([0-9]+)\ to\ \#([0-9]+)\ \(@[0-9]+\ to\ @[0-9]+\),\ the\ last\ with\ sha256:[0-9a-f]{64} ]]
	local first; first=$(printf '%s\n' "${lines[@]}" | awk '/^#/ { print substr($1, 2); exit }')
	[ "$first" -gt 1 ]
	# the newest anchor names the records right before the first one kept
	local last_anchor; last_anchor=$(printf '%s\n' "${lines[@]}" | grep ' pruned  *pruned ' | tail -1)
	[[ "$last_anchor" == *" to #$((first - 1)) (@"* ]]
	run "$OMG" audit log --verify
	[ "$status" -eq 0 ]
	[[ "${lines[-1]}" =~ ^audit\ log\ intact:\ ([0-9]+)\ records\ verified\;\ head\ \#([0-9]+)\  ]]
	local kept=${BASH_REMATCH[1]} head=${BASH_REMATCH[2]}
	[ "$head" -ge 400 ]
	[ "$kept" -lt 100 ]
	# the log's pages stay under the bound, the file near it (LMDB's free pages and metas)
	local pages; pages=$(mdb_stat -s log "$STORE/audit" | awk '/Branch pages|Leaf pages|Overflow pages/ { n += $3 } END { print n }')
	[ "$((pages * 4096))" -le 16384 ]
	[ "$(stat -c %s "$STORE/audit/data.mdb")" -le $((128 << 10)) ]
	# JSON: the record's kind is "pruned"
	"$OMG" --json audit log | python3 -c 'import json, sys
d = json.load(sys.stdin)
assert any(r["kind"] == "pruned" and r["uid"] is None for r in d["records"]), d'
}

# without_first_record ENVDIR: the environment rewritten (mdb_dump -a, mdb_load) without the
# log's first record, as an intruder with write access to the files could
without_first_record() {
	mdb_dump -a "$1" | awk '/^database=log$/ { inlog = 1 } inlog && /^HEADER=END$/ { print; skip = 2; next }
		skip > 0 { skip--; next } { print }' > "$BATS_TEST_TMPDIR/log.dump"
	rm -rf "$BATS_TEST_TMPDIR/new" && mkdir -m 700 "$BATS_TEST_TMPDIR/new"
	mdb_load -f "$BATS_TEST_TMPDIR/log.dump" "$BATS_TEST_TMPDIR/new" 2>/dev/null
	mv "$BATS_TEST_TMPDIR/new/data.mdb" "$1/data.mdb"
}

@test "a pruned audit log: its first record removed without an anchor, or its anchor altered, is found" {
	settle
	start_omgd --root "$ROOT" --audit-max 16K
	refresh_until 200
	local first; first=$("$OMG" audit log | awk '/^#/ { print substr($1, 2); exit }')
	stop_omgd
	cp -a "$STORE/audit" "$BATS_TEST_TMPDIR/audit.good"
	without_first_record "$STORE/audit"
	start_omgd --root "$ROOT" --audit-max 16K
	run "$OMG" audit log --verify
	[ "$status" -eq 5 ]
	[[ "${lines[-1]}" == "audit log BROKEN: record $first is missing (deleted): PRUNED record "*" accounts for records up to $((first - 1)) only" ]]
	stop_omgd
	# the anchor altered: one digit of the hash it keeps for the last record removed
	rm -rf "$STORE/audit" && cp -a "$BATS_TEST_TMPDIR/audit.good" "$STORE/audit"
	local mark; mark=$(printf 'the last with sha256:' | od -An -tx1 | tr -d ' \n')
	mdb_dump -a "$STORE/audit" > "$BATS_TEST_TMPDIR/log.dump"
	grep -q "$mark" "$BATS_TEST_TMPDIR/log.dump"
	# the hex of the first hash digit after the mark: 3x (a digit) or 6x (a letter) -> 3x+1 / flip
	python3 - "$BATS_TEST_TMPDIR/log.dump" "$mark" <<'PY'
import sys
path, mark = sys.argv[1], sys.argv[2]
lines = open(path).read().split("\n")
i = max(n for n, l in enumerate(lines) if mark in l)
at = lines[i].index(mark) + len(mark)
d = lines[i][at:at + 2]
lines[i] = lines[i][:at] + ("31" if d != "31" else "32") + lines[i][at + 2:]
open(path, "w").write("\n".join(lines))
PY
	rm -rf "$BATS_TEST_TMPDIR/new" && mkdir -m 700 "$BATS_TEST_TMPDIR/new"
	mdb_load -f "$BATS_TEST_TMPDIR/log.dump" "$BATS_TEST_TMPDIR/new" 2>/dev/null
	mv "$BATS_TEST_TMPDIR/new/data.mdb" "$STORE/audit/data.mdb"
	start_omgd --root "$ROOT" --audit-max 16K
	run "$OMG" audit log --verify
	[ "$status" -eq 5 ]
	[[ "${lines[-1]}" == "audit log BROKEN: record "*": edited (its content does not match its hash)" ]]
}

@test "a damaged stored index (corrupt page) is detected and rebuilt; garbage pages too" {
	settle
	start_omgd --root "$ROOT"
	local st; st=$(status_sans_times)
	stop_omgd
	# a bit flipped inside the stored snapshot: its checksum refuses it
	flip_at "$STORE/index/data.mdb" "OMGSNAP" 300
	start_omgd --root "$ROOT"
	grep -q 'stored index not used: .*checksum mismatch' "$LOG"
	[ "$(status_sans_times)" = "$st" ]
	stop_omgd
	# every page after LMDB's two meta pages overwritten with garbage
	local size; size=$(stat -c %s "$STORE/index/data.mdb")
	head -c $((size - 8192)) /dev/urandom | dd of="$STORE/index/data.mdb" bs=4096 seek=2 conv=notrunc status=none
	start_omgd --root "$ROOT"
	[ "$(status_sans_times)" = "$st" ]
	grep -Eq 'index store damaged|stored index not used' "$LOG"
	# and the next start is warm again
	restart_omgd --root "$ROOT"
	[ "$(grep -c 'index (stored)' "$LOG")" -ge 1 ]
	[ "$(status_sans_times)" = "$st" ]
}

@test "garbage pages in the audit log: omgd refuses the log (keeps it as it is) and serves" {
	start_omgd --root "$ROOT"
	stop_omgd
	local size; size=$(stat -c %s "$STORE/audit/data.mdb")
	head -c $((size - 8192)) /dev/urandom | dd of="$STORE/audit/data.mdb" bs=4096 seek=2 conv=notrunc status=none
	local sum; sum=$(md5sum < "$STORE/audit/data.mdb")
	start_omgd --root "$ROOT"
	grep -q 'audit log refused: move .*/audit aside' "$LOG"
	run "$OMG" --json status
	[[ "$output" == *'"store":"unavailable","store_problem":"audit log: '*'damaged pages'* ]]
	run "$OMG" search fire
	[ "$status" -eq 0 ]
	stop_omgd
	[ "$(md5sum < "$STORE/audit/data.mdb")" = "$sum" ]
}

@test "another store format: the index is rebuilt, the audit log is refused (never misread)" {
	start_omgd --root "$ROOT"
	stop_omgd
	set_format "$STORE/index" 77
	set_format "$STORE/audit" 9
	start_omgd --root "$ROOT"
	grep -q "index store in format 77, this omgd uses $(sed -n 's/^#define SRCCACHE_FORMAT \([0-9]*\)$/\1/p' "$OMG_SRCDIR/omgd/srccache.h"): rebuilding it" "$LOG"
	grep -q 'store unavailable, serving from memory: audit log: .*format 9; this omgd reads format 1: refusing it' "$LOG"
	run "$OMG" --json status
	[[ "$output" == *'"store":"unavailable","store_problem":"audit log: '*'format 9'* ]]
	run "$OMG" audit log
	[ "$status" -eq 0 ]
	[[ "$output" == *"refusing it"* ]]
	run "$OMG" audit log --verify
	[ "$status" -eq 4 ]
	# the refused log is untouched: still format 9
	mdb_dump -s meta "$STORE/audit" | grep -q '^ 09000000$'
	# everything else works
	run "$OMG" search fire
	[ "$status" -eq 0 ]
}

@test "a tiny map fills: omgd grows it, redoes the batch, and the store works" {
	bulk_list 3000
	settle
	start_omgd --root "$ROOT" --store-map-size 65536
	local i
	for i in $(seq 1 50); do grep -q 'index store: map full, grown to' "$LOG" && break; sleep 0.05; done
	grep -q 'index store: map full, grown to' "$LOG"
	if grep -q 'store unavailable' "$LOG"; then false; fi
	restart_omgd --root "$ROOT" --store-map-size 65536
	grep -q 'index (stored)' "$LOG"
	run "$OMG" audit log --verify
	[ "$status" -eq 0 ]
}

@test "an unwritable store: omgd serves from memory, says so once, the shell features work" {
	: > "$BATS_TEST_TMPDIR/a-file"
	start_omgd --root "$ROOT" --store "$BATS_TEST_TMPDIR/a-file/store"
	kill -HUP "$OMGD_PID"; sleep 0.3; kill -HUP "$OMGD_PID"; sleep 0.3
	[ "$(grep -c 'store unavailable' "$LOG")" -eq 1 ]
	run "$OMG" --json status
	[[ "$output" == *'"store":"unavailable","store_problem":"'*'/a-file/store: Not a directory"'* ]]
	run "$OMG" status
	[[ "$output" == *"store       unavailable, serving from memory: "*"Not a directory"* ]]
	run "$OMG" search fire
	[ "$status" -eq 0 ]
	require_modules
	run in_bash 'echo "[$OMG_TOTAL]"; omg info bash | head -1'
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" =~ ^\[[0-9]+\]$ ]]
	[ "${lines[1]}" = "Package: bash" ]
}

@test "a full disk (file size limit) during a run: served from memory, logged once, in status --json" {
	start_omgd --root "$ROOT"
	stop_omgd
	# no file of the store may grow any more
	local limit; limit=$(stat -c %s "$STORE/index/data.mdb" "$STORE/audit/data.mdb" | sort -n | tail -1)
	"$OMGD" --foreground --root "$ROOT" 2>>"$LOG" &
	OMGD_PID=$!
	prlimit --pid "$OMGD_PID" --fsize="$limit"
	wait_ready
	# a much larger index must be written: 3,000 new packages
	bulk_list 3000
	local i
	for i in $(seq 1 100); do grep -q 'store unavailable' "$LOG" && break; sleep 0.05; done
	kill -HUP "$OMGD_PID"; sleep 0.3; kill -HUP "$OMGD_PID"; sleep 0.3
	[ "$(grep -c 'store unavailable' "$LOG")" -eq 1 ]
	grep -q 'store unavailable, serving from memory: .*File too large' "$LOG"
	run "$OMG" --json status
	[[ "$output" == *'"store":"unavailable"'* ]]
	run "$OMG" search bulk-2999
	[ "$status" -eq 0 ]
	[[ "$output" == *"bulk-2999"* ]]
	require_modules
	run in_bash 'echo "[$OMG_TOTAL]"'
	[[ "$output" =~ ^\[[0-9]+\]$ ]]
}

@test "kill -9 in the middle of writes, 100 times: the store opens, the chain verifies, nothing committed is lost" {
	local i seen="" now
	for i in $(seq 1 100); do
		"$OMGD" --foreground --root "$ROOT" 2>>"$LOG" &
		OMGD_PID=$!
		wait_ready
		now=$("$OMG" audit log --verify) || { echo "iteration $i: $now" >&2; return 1; }
		now=${now%$'\n'audit log intact:*}
		# what an earlier iteration saw committed is still there, unchanged, in order
		[[ "$now" == "$seen"* ]] || { echo "iteration $i lost records" >&2; diff <(echo "$seen") <(echo "$now") >&2; return 1; }
		seen=$now
		# writes under way: rebuilds (audit records, index commits) and a change of the installed set
		kill -HUP "$OMGD_PID"
		[ $((i % 3)) -eq 0 ] && touch "$ROOT/var/lib/dpkg/status"
		sleep "0.0$((RANDOM % 10))"
		kill -9 "$OMGD_PID"
		wait "$OMGD_PID" 2>/dev/null || true
	done
	OMGD_PID=
	! grep -q 'store unavailable\|damaged' "$LOG"
	[ "$(echo "$seen" | grep -c '^#')" -ge 100 ]
}

@test "data.mdb truncated while the stored index is served: omgd survives (starts afresh) and answers" {
	# found by the hostile test: omgd died of SIGBUS on the first page past the new end
	settle
	start_omgd --root "$ROOT"
	local st search; st=$(status_sans_times); search=$("$OMG" search -d fi)
	restart_omgd --root "$ROOT"
	grep -q 'index (stored)' "$LOG"
	truncate -s 8192 "$STORE/index/data.mdb"
	"$OMG" search -d fi >/dev/null 2>&1 || true   # touches the cut pages: SIGBUS
	wait_ready
	kill -0 "$OMGD_PID"                           # the same process (execve keeps the pid)
	grep -q 'SIGBUS in the store.s map' "$LOG"
	[ "$(status_sans_times)" = "$st" ]
	[ "$("$OMG" search -d fi)" = "$search" ]
}

@test "a full file system under the store: the log and status say no space left on device" {
	# found by the hostile test: a full disk was reported as an I/O error
	[ "$(id -u)" = 0 ] || skip "mounting a small tmpfs needs root"
	local fs=$BATS_TEST_TMPDIR/smallfs
	mkdir -p "$fs"
	mount -t tmpfs -o size=160k,mode=0700 tmpfs "$fs" || skip "cannot mount a tmpfs here"
	bulk_list 3000
	"$OMGD" --foreground --root "$ROOT" --store "$fs/omg" 2>>"$LOG" &
	OMGD_PID=$!
	wait_ready || { umount "$fs"; false; }
	local i
	for i in $(seq 1 100); do grep -q 'store unavailable' "$LOG" && break; sleep 0.05; done
	run "$OMG" --json status
	stop_omgd
	umount "$fs"
	grep -q 'store unavailable, serving from memory: .*no space left on device' "$LOG"
	if grep -q 'Input/output error' "$LOG"; then false; fi
	[[ "$output" == *'no space left on device'* ]]
}

@test "a file system already full when omgd starts: served from memory, no SIGBUS in LMDB's lock file" {
	# found by CI: on a full tmpfs, mdb_env_open extends lock.mdb and dies of SIGBUS at the
	# first write into its map (the verification cache's thread, once the index had filled it)
	[ "$(id -u)" = 0 ] || skip "mounting a small tmpfs needs root"
	local fs=$BATS_TEST_TMPDIR/fullfs
	mkdir -p "$fs"
	mount -t tmpfs -o size=64k,mode=0700 tmpfs "$fs" || skip "cannot mount a tmpfs here"
	mkdir -p "$fs/omg"
	chmod 700 "$fs/omg"
	dd if=/dev/zero of="$fs/filler" bs=4k 2>/dev/null || true   # until no space is left
	"$OMGD" --foreground --root "$ROOT" --store "$fs/omg" --verify-every 0 2>>"$LOG" &
	OMGD_PID=$!
	wait_ready || { umount "$fs"; false; }
	run "$OMG" --json status
	"$OMG" search -d fi >/dev/null
	kill -0 "$OMGD_PID"
	stop_omgd
	umount "$fs"
	if grep -q 'Bus error\|SIGBUS' "$LOG"; then false; fi
	grep -q 'store unavailable, serving from memory: .*no space left on device' "$LOG"
	[[ "$output" == *'no space left on device'* ]]
}

@test "a store directory writable by others, or owned by another user, is refused (served from memory)" {
	# found by the hostile test: store directories were not checked for ownership
	start_omgd --root "$ROOT"
	stop_omgd
	chmod 0777 "$STORE"
	start_omgd --root "$ROOT"
	grep -q "store unavailable, serving from memory: .*$STORE: writable by everyone" "$LOG"
	run "$OMG" --json status
	[[ "$output" == *'"store":"unavailable"'* ]]
	stop_omgd
	chmod 0700 "$STORE"
	chmod 0770 "$STORE/audit"
	start_omgd --root "$ROOT"
	grep -q "$STORE/audit: writable by its group" "$LOG"
	stop_omgd
	chmod 0700 "$STORE/audit"
	if [ "$(id -u)" = 0 ]; then
		chown nobody "$STORE/index"
		start_omgd --root "$ROOT"
		grep -q "$STORE/index: owned by uid $(id -u nobody)" "$LOG"
		stop_omgd
		chown 0 "$STORE/index"
	fi
	: > "$LOG"
	start_omgd --root "$ROOT"
	if grep -q 'store unavailable' "$LOG"; then false; fi
	run "$OMG" --json status
	[[ "$output" == *'"store":"ok"'* ]]
}

@test "each package root has a store of its own: a daemon on a test root never writes into the system's history" {
	start_omgd --root "$ROOT"
	stop_omgd
	[ -s "$STORE/audit/data.mdb" ]
	[[ "$STORE" == "$XDG_CACHE_HOME/omg/roots/"* ]]
	# the system's own store (root /) was not touched
	[ ! -e "$XDG_CACHE_HOME/omg/audit" ]
	# a second root: a store of its own, and its history has none of the first root's records
	local other=$BATS_TEST_TMPDIR/other
	"$FIXTURE" "$other"
	printf 'Package: only-in-other\nStatus: install ok installed\nVersion: 1\nArchitecture: all\nDescription: x\n\n' \
		>> "$other/var/lib/dpkg/status"
	start_omgd --root "$other"
	[ "$(store_for "$other")" != "$STORE" ]
	[ -d "$(store_for "$other")/audit" ]
	stop_omgd
	start_omgd --root "$ROOT"
	run "$OMG" --json audit log
	[[ "$output" != *only-in-other* ]]
	grep -qF "store $STORE)" "$LOG"
}
