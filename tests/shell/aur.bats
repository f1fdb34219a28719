#!/usr/bin/env bats
# AUR search and info through omgd (libcurl), against a loopback server with recorded-shape
# answers (tests/fixtures/aur-server.py): URL-encoding, the cache, --no-aur, and every way the
# AUR can fail — slow, dead, HTTP errors, malformed, huge, RPC errors — without losing the
# local results.

load helpers
bats_require_minimum_version 1.5.0

setup() {
	require_feature alpm   # the AUR is asked on Arch only
	require_feature aur
	omg_setup
	command -v python3 >/dev/null || skip "python3 is needed for the loopback AUR"
	"$OMG_SRCDIR/tests/fixtures/make-arch-root.sh" "$ROOT" 120
	AURLOG=$BATS_TEST_TMPDIR/aur.log MODE=$BATS_TEST_TMPDIR/aur.mode
	echo ok > "$MODE"
	python3 "$OMG_SRCDIR/tests/fixtures/aur-server.py" "$BATS_TEST_TMPDIR/aur.port" "$AURLOG" "$MODE" &
	AUR_PID=$!
	local i
	for i in $(seq 1 100); do [ -s "$BATS_TEST_TMPDIR/aur.port" ] && break; sleep 0.05; done
	AUR_URL=http://127.0.0.1:$(cat "$BATS_TEST_TMPDIR/aur.port")
}

teardown() {
	stop_omgd
	[ -n "${AUR_PID:-}" ] && kill "$AUR_PID" 2>/dev/null || true
}

requests() { [ -f "$AURLOG" ] && wc -l < "$AURLOG" || echo 0; }

@test "search adds the AUR's results after the local ones, marked; the query is URL-encoded" {
	start_omgd --root "$ROOT" --aur-url "$AUR_URL"
	run --separate-stderr "$OMG" search -d fire
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[[ "${lines[-1]}" == "fire-aur-tool  1:0.9-3  [aur]  A tool that starts a fire" ]]
	[[ "${lines[0]}" == pkg* ]]
	# locally c++ is a regular expression (as pacman -Ss takes it: names with a c come first);
	# the AUR gets the term as typed
	run "$OMG" search c++
	[[ "${lines[-1]}" =~ ^c\+\+-tool\ +1\.0-1\ +\[aur\]\ +plus\ plus$ ]]
	grep -qx '/rpc/v5/search/c%2B%2B?by=name-desc' "$AURLOG"
	run "$OMG" --json search yay
	[[ "$output" == '{"matched":0,"results":[],"aur":{"status":"ok","problem":null,"cached":false,"results":[{"name":"yay","version":"12.3.5-1",'* ]]
}

@test "info falls back to the AUR for a name no repository has" {
	start_omgd --root "$ROOT" --aur-url "$AUR_URL"
	run "$OMG" info yay
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "Package: yay" ]
	[ "${lines[1]}" = "Repository: aur" ]
	[[ "$output" == *"Depends-On: pacman>6.1 git"* ]]
	[[ "$output" == *"Votes: 2400"* ]]
	grep -qx '/rpc/v5/info?arg\[\]=yay' "$AURLOG"
	run "$OMG" info paru
	[[ "$output" == *"Maintainer: (orphaned)"*"Out-Of-Date: since 2024-03-09"* ]]
	# a repository package is answered locally: the AUR is not asked
	local before; before=$(requests)
	run "$OMG" info pkg001
	[ "$status" -eq 0 ]
	[ "$(requests)" = "$before" ]
	run --separate-stderr "$OMG" info no-such-thing
	[ "$status" -eq 1 ]
	[ "$stderr" = "omg: package 'no-such-thing' not found" ]
}

@test "answers are cached for the TTL; --no-aur (omg or omgd) never asks" {
	start_omgd --root "$ROOT" --aur-url "$AUR_URL"
	"$OMG" search paru >/dev/null
	local n; n=$(requests)
	run "$OMG" --json search paru
	[[ "$output" == *'"cached":true'* ]]
	[ "$(requests)" = "$n" ]
	run "$OMG" search --no-aur paru
	[ "$status" -eq 1 ]
	run "$OMG" info --no-aur yay
	[ "$status" -eq 1 ]
	[ "$(requests)" = "$n" ]
	stop_omgd
	start_omgd --root "$ROOT" --aur-url "$AUR_URL" --no-aur
	run --separate-stderr "$OMG" search -d fire
	[ "$status" -eq 0 ] && [ -z "$stderr" ]
	[[ "$output" != *"[aur]"* ]]
	[ "$(requests)" = "$n" ]
}

@test "a slow AUR: local results stay, the answer says the AUR part is missing" {
	start_omgd --root "$ROOT" --aur-url "$AUR_URL" --aur-timeout 400
	echo slow > "$MODE"
	run --separate-stderr "$OMG" search -d fire
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == pkg* ]]
	[ "$stderr" = "omg: AUR results missing: the AUR did not answer within 400 ms" ]
	run "$OMG" --json search -d fire
	[[ "$output" == *'"aur":{"status":"missing","problem":"the AUR did not answer within 400 ms"'* ]]
	# omgd served everything else meanwhile
	run "$OMG" status
	[ "$status" -eq 0 ]
}

@test "a dead AUR, HTTP errors, malformed, huge and error answers: each said, nothing lost" {
	local mode want
	start_omgd --root "$ROOT" --aur-url "$AUR_URL"
	for mode in http500 malformed huge error wrongtype; do
		echo "$mode" > "$MODE"
		case $mode in
		http500) want="the AUR answered HTTP 500" ;;
		malformed) want="malformed answer from the AUR (" ;;
		huge) want="the AUR's answer is over 8 MiB" ;;
		error) want="the AUR says: Query arg too small." ;;
		wrongtype) want="malformed answer from the AUR (no results)" ;;
		esac
		run --separate-stderr "$OMG" search "q$mode"
		[ "$status" -eq 1 ]
		[[ "$stderr" == "omg: AUR results missing: $want"* ]] || { echo "$mode: $stderr"; return 1; }
	done
	# failures are not cached: the AUR is asked again once it works
	echo ok > "$MODE"
	run "$OMG" search yay
	[ "$status" -eq 0 ]
	stop_omgd
	kill "$AUR_PID"; wait "$AUR_PID" 2>/dev/null || true; AUR_PID=
	start_omgd --root "$ROOT" --aur-url "$AUR_URL"
	run --separate-stderr "$OMG" search -d fire
	[ "$status" -eq 0 ]
	[[ "$stderr" == "omg: AUR results missing: the AUR could not be reached: "* ]]
}

@test "on Debian the AUR is never mentioned" {
	"$FIXTURE" "$BATS_TEST_TMPDIR/deb"
	start_omgd --root "$BATS_TEST_TMPDIR/deb" --aur-url "$AUR_URL"
	run --separate-stderr "$OMG" search fire
	[ "$status" -eq 0 ] && [ -z "$stderr" ]
	run --separate-stderr "$OMG" info nope
	[ "$stderr" = "omg: package 'nope' not found" ]
	[ "$(requests)" = 0 ]
}

@test "search -n N limits the AUR's rows too (and counts the rest)" {
	# found by the hostile test: the AUR part ignored -n
	start_omgd --root "$ROOT" --aur-url "$AUR_URL"
	run --separate-stderr "$OMG" search -n 1 helper
	[ "$status" -eq 0 ]
	[ "$(grep -c '\[aur\]' <<< "$output")" = 1 ]
	run --separate-stderr "$OMG" search -n 5 helper
	[ "$(grep -c '\[aur\]' <<< "$output")" = 2 ]   # yay and paru
}

@test "the metrics time AUR answers (aur_search_ns_avg, aur_info_ns_avg were always 0)" {
	start_omgd --root "$ROOT" --aur-url "$AUR_URL"
	run "$OMG" --json metrics
	[[ "$output" != *'"aur_search_ns_avg"'* ]]   # nothing asked yet: no average
	"$OMG" search yay >/dev/null
	"$OMG" info nosuch-in-repos-aur-pkg >/dev/null 2>&1 || true
	run "$OMG" --json metrics
	echo "$output"
	[[ "$output" =~ \"aur_search_ns_avg\":[1-9][0-9]* ]]
}
