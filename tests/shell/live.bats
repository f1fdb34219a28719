#!/usr/bin/env bats
# Changes to the package data show in answers and in the status file within 1 s, with no
# polling; the status file never goes stale while omgd lives.

load helpers

setup() {
	omg_setup
	"$FIXTURE" "$ROOT"
	start_omgd --root "$ROOT"
}

teardown() { stop_omgd; }

# wait_for CMD EXPECTED: polls (the test, not omgd) for up to 1 s; prints the elapsed ms.
wait_for() {
	local t0 now
	t0=$(date +%s%N)
	while true; do
		[ "$(eval "$1")" = "$2" ] && { echo "$(( ($(date +%s%N) - t0) / 1000000 ))"; return 0; }
		now=$(date +%s%N)
		[ $(( (now - t0) / 1000000 )) -gt 1000 ] && return 1
		sleep 0.02
	done
}

st_total() { od -An -j8 -N4 -tu4 "$XDG_RUNTIME_DIR/omg.status" | tr -d ' '; }

@test "a package installed by dpkg shows within 1 s (status file and answers)" {
	local before; before=$(st_total)
	# dpkg writes status-new and renames it into place
	{ cat "$ROOT/var/lib/dpkg/status"
	  printf 'Package: newcomer\nStatus: install ok installed\nVersion: 1.0\nArchitecture: amd64\nDescription: new\n\n'
	} > "$ROOT/var/lib/dpkg/status-new"
	mv "$ROOT/var/lib/dpkg/status-new" "$ROOT/var/lib/dpkg/status"
	ms=$(wait_for st_total $((before + 1)))
	echo "# visible after $ms ms"
	run "$OMG" info newcomer
	[ "$status" -eq 0 ]
	[[ "$output" == *"Installed: 1.0"* ]]
}

@test "apt update (a new list) shows within 1 s" {
	local before; before=$("$OMG" --json status | json_field updates)
	printf 'Package: local-only\nVersion: 0.2-1\nArchitecture: amd64\nDescription: newer\n\n' \
		> "$ROOT/var/lib/apt/lists/partial/new_Packages"
	mv "$ROOT/var/lib/apt/lists/partial/new_Packages" "$ROOT/var/lib/apt/lists/fixture.invalid_new_dists_x_main_binary-amd64_Packages"
	ms=$(wait_for "$OMG --json status | json_field updates" $((before + 1)))
	echo "# visible after $ms ms"
}

@test "apt-mark auto (extended_states) shows within 1 s" {
	local before; before=$("$OMG" --json status | json_field explicit)
	printf 'Package: local-only\nArchitecture: amd64\nAuto-Installed: 1\n\n' >> "$ROOT/var/lib/apt/extended_states"
	ms=$(wait_for "$OMG --json status | json_field explicit" $((before - 1)))
	echo "# visible after $ms ms"
}

@test "a damaged list file keeps the rest of the index and is counted" {
	local d=$ROOT/var/lib/apt/lists/fixture.invalid_dmg_dists
	printf 'Package: broken\nVersion 1.0\n\n' > "${d}_x_main_binary-amd64_Packages"
	printf 'garbage' | lz4 -q > "${d}_y_main_binary-amd64_Packages.lz4"
	head -c 100 "$ROOT/var/lib/apt/lists/fixture.invalid_debian-security_dists_bookworm-security_main_binary-amd64_Packages.xz" \
		> "${d}_z_main_binary-amd64_Packages.xz"
	sleep 0.5
	run "$OMG" --json metrics
	[[ "$output" == *'"damaged_lists":1'* ]]
	[[ "$output" == *'"malformed_paragraphs":'[1-9]* ]]
	[[ "$output" == *'"rebuild_failures":0'* ]]
	[ "$("$OMG" --json status | json_field installed)" = 28 ]
	# the log names the damaged list, so the user knows which download to redo (issue 16.18)
	grep -q "1 damaged list (.*_Packages[.a-z0-9]*)" "$BATS_TEST_TMPDIR/omgd.log"
}

@test "the status file stays fresh across heartbeats (readers never see it stale)" {
	local ts now i
	for i in 1 2 3 4 5 6 7 8; do
		ts=$(od -An -j24 -N8 -tu8 "$XDG_RUNTIME_DIR/omg.status" | tr -d ' ')
		now=$(date +%s)
		[ $((now - ts)) -le 30 ]
		[ $((now - ts)) -ge -5 ]
		sleep 4.5
	done
	# 36 s later the timestamp moved on: heartbeats happened
	[ "$(od -An -j24 -N8 -tu8 "$XDG_RUNTIME_DIR/omg.status" | tr -d ' ')" -ge $((now - 10)) ]
}

@test "a pin in preferences.d and an edit of apt.conf show within 1 s" {
	local before pkg inst
	before=$("$OMG" --json status | json_field updates)
	read -r pkg inst < <("$OMG" --json list upgradable | tr '{' '\n' |
		sed -n 's/.*"name":"\([^"]*\)".*"installed":"\([^"]*\)".*/\1 \2/p' | head -1)
	[ -n "$pkg" ]
	printf 'Package: %s\nPin: version %s\nPin-Priority: 1001\n' "$pkg" "$inst" > "$ROOT/etc/apt/preferences.d/hold"
	ms=$(wait_for "$OMG --json status | json_field updates" $((before - 1)))
	echo "# pin visible after $ms ms"
	before=$("$OMG" --json status | json_field orphans)
	printf 'APT::NeverAutoRemove:: ".";\n' > "$ROOT/etc/apt/apt.conf"
	local want; want=$(oracle_orphans "$ROOT" | wc -l)   # apt's, on the edited files
	[ "$want" -lt "$before" ]
	ms=$(wait_for "$OMG --json status | json_field orphans" "$want")
	echo "# apt.conf visible after $ms ms"
}
