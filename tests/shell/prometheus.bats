#!/usr/bin/env bats
# Fleets through Prometheus: omg metrics --prometheus and omgd --textfile against promtool
# (Debian's prometheus package) and node-exporter's own apt collector (apt_info.py from
# Debian's prometheus-node-exporter-collectors, run through APT_CONFIG on the same root);
# the alert rules and the Grafana dashboard of docs/.

load helpers

APT_INFO=/usr/share/prometheus-node-exporter-collectors/apt_info.py

setup() {
	omg_setup
	export NATIVE=$(dpkg --print-architecture)
	command -v promtool >/dev/null || skip "promtool missing (Debian's prometheus package; ./setup.sh deps)"
	TEXTFILE=$BATS_TEST_TMPDIR/textfile
	mkdir -p "$TEXTFILE"
}

teardown() { stop_omgd; }

require_apt_info() {
	[ -f "$APT_INFO" ] && /usr/bin/python3 -c 'import apt' 2>/dev/null ||
		skip "node-exporter's apt_info.py missing (prometheus-node-exporter-collectors; ./setup.sh deps)"
}

# The apt collector's package series (not its timestamp, which it reads outside any root, nor
# node_reboot_required, which it reads from / only), sorted: of apt_info.py on ROOT ("" for
# this machine), and of the exposition on stdin.
apt_info_series() {
	env $(apt_env "${1:-}") /usr/bin/python3 "$APT_INFO" |
		grep -E '^apt_(upgrades_pending|upgrades_held|autoremove_pending)[{ ]' | LC_ALL=C sort
}
omg_apt_series() { grep -E '^apt_(upgrades_pending|upgrades_held|autoremove_pending)[{ ]' | LC_ALL=C sort; }

# value NAME: the sum of the samples of family NAME in the exposition on stdin.
value() { awk -v n="$1" '$1 == n || index($1, n "{") == 1 { s += $NF } END { print s + 0 }'; }

# wait_textfile PATTERN: until the textfile has a line matching PATTERN (5 s).
wait_textfile() {
	local i
	for i in $(seq 1 100); do
		grep -qE "$1" "$TEXTFILE/omg.prom" 2>/dev/null && return 0
		sleep 0.05
	done
	echo "no line matching $1 in:" >&2
	cat "$TEXTFILE/omg.prom" >&2
	return 1
}

@test "promtool check metrics passes on omg metrics --prometheus (fixture root; every family has HELP and TYPE)" {
	"$FIXTURE" "$ROOT"
	start_omgd --root "$ROOT"
	"$OMG" status >/dev/null # a request of each kind the averages time
	"$OMG" metrics --prometheus > "$BATS_TEST_TMPDIR/m.prom"
	run promtool check metrics < "$BATS_TEST_TMPDIR/m.prom"
	echo "$output"
	[ "$status" -eq 0 ]
	[ -z "$output" ] # no lint finding either
	# every family once, its HELP and TYPE before its samples; omgd's own and the host's
	grep -q '^# TYPE omgd_requests_total counter$' "$BATS_TEST_TMPDIR/m.prom"
	grep -q '^# TYPE apt_upgrades_pending gauge$' "$BATS_TEST_TMPDIR/m.prom"
	[ -z "$(grep '^# TYPE' "$BATS_TEST_TMPDIR/m.prom" | sort | uniq -d)" ]
	[ "$(grep -c '^# HELP' "$BATS_TEST_TMPDIR/m.prom")" = "$(grep -c '^# TYPE' "$BATS_TEST_TMPDIR/m.prom")" ]
}

@test "this machine: promtool check metrics passes; the apt series equal apt_info.py's" {
	require_apt_info
	start_omgd
	run promtool check metrics < <("$OMG" metrics --prometheus)
	echo "$output"
	[ "$status" -eq 0 ]
	diff <("$OMG" metrics --prometheus | omg_apt_series) <(apt_info_series "")
	[ "$("$OMG" metrics --prometheus | value node_reboot_required)" = "$(/usr/bin/python3 "$APT_INFO" | value node_reboot_required)" ]
}

@test "fixture root: apt_upgrades_pending, apt_upgrades_held and apt_autoremove_pending equal apt_info.py's, series for series" {
	require_apt_info
	"$FIXTURE" "$ROOT"
	start_omgd --root "$ROOT"
	diff <("$OMG" metrics --prometheus | omg_apt_series) <(apt_info_series "$ROOT")
	# the fixture has upgrades from several origins, of two architectures, and a held one
	[ "$("$OMG" metrics --prometheus | grep -c '^apt_upgrades_pending{')" -ge 3 ]
	[ "$("$OMG" metrics --prometheus | value apt_upgrades_held)" -ge 1 ]
}

@test "fixture root: the sums equal omg status (updates, security, orphans, installed, explicit)" {
	"$FIXTURE" "$ROOT"
	start_omgd --root "$ROOT"
	local s m
	s=$("$OMG" --json status)
	m=$("$OMG" metrics --prometheus)
	[ "$(value apt_upgrades_pending <<< "$m")" = "$(json_field updates <<< "$s")" ]
	[ "$(value apt_upgrades_pending <<< "$m")" = "$(oracle_upgradable "$ROOT" | wc -l)" ]
	[ "$(value omg_security_updates_pending <<< "$m")" = "$(json_field security <<< "$s")" ]
	[ "$(value apt_autoremove_pending <<< "$m")" = "$(oracle_orphans "$ROOT" | wc -l)" ]
	[ "$(value omg_installed_packages <<< "$m")" = "$(oracle_total "$ROOT")" ]
	[ "$(value omg_explicit_packages <<< "$m")" = "$(json_field explicit <<< "$s")" ]
	[ "$(value omg_index_updated_timestamp_seconds <<< "$m")" = "$(json_field updated_at <<< "$s")" ]
	# the lists' refresh time: apt_info.py's rule (lists/partial when no periodic stamp), in ROOT
	[ "$(value omg_lists_refreshed_timestamp_seconds <<< "$m")" = "$(stat -c %Y "$ROOT/var/lib/apt/lists/partial")" ]
}

@test "an Architecture: all upgrade from a list without a Release file: the arch and origin labels are apt_info.py's" {
	require_apt_info
	"$FIXTURE" "$ROOT"
	# editor-data (installed, Architecture: all) gets a newer version from the "upd" source
	printf 'Package: editor-data\nVersion: 1.1-1\nArchitecture: all\nDescription: d\n\n' \
		> "$ROOT/var/lib/apt/lists/fixture.invalid_upd_dists_x_main_binary-amd64_Packages"
	start_omgd --root "$ROOT"
	"$OMG" metrics --prometheus | grep -q '^apt_upgrades_pending{origin=":/",arch="all"} 1$'
	diff <("$OMG" metrics --prometheus | omg_apt_series) <(apt_info_series "$ROOT")
}

@test "label values are escaped: an Origin with a quote and a backslash still passes promtool" {
	"$FIXTURE" "$ROOT"
	local rel=$ROOT/var/lib/apt/lists/fixture.invalid_debian_dists_bookworm-updates_Release
	sed -i 's/^Origin: .*/Origin: De"b\\ian/' "$rel"
	start_omgd --root "$ROOT"
	run promtool check metrics < <("$OMG" metrics --prometheus)
	echo "$output"
	[ "$status" -eq 0 ]
	"$OMG" metrics --prometheus | grep -qF 'apt_upgrades_pending{origin="De\"b\\ian:bookworm-updates/bookworm-updates",arch="amd64"} 2'
}

@test "omgd --textfile: DIR/omg.prom, 0644, host metrics only, no timestamps, promtool clean; rewritten when the counts change" {
	"$FIXTURE" "$ROOT"
	start_omgd --root "$ROOT" --textfile "$TEXTFILE"
	local f=$TEXTFILE/omg.prom before
	[ -f "$f" ]
	[ "$(stat -c %a "$f")" = 644 ]
	[ "$(ls -A "$TEXTFILE")" = omg.prom ] # no temporary file left
	run promtool check metrics < "$f"
	echo "$output"
	[ "$status" -eq 0 ]
	! grep -q '^omgd_' "$f" # omgd's counters would be stale between publishes
	# the textfile collector refuses timestamps: every sample is "series value"
	[ -z "$(grep -v '^#' "$f" | awk '{ sub(/\{.*\}/, "L") } NF != 2')" ]
	# the same host series as omg metrics --prometheus
	diff <(grep -v '^#' "$f") <("$OMG" metrics --prometheus | grep -E '^(apt|node|omg)_')
	before=$(value apt_upgrades_pending < "$f")
	[ "$before" = "$("$OMG" --json status | json_field updates)" ]
	# a new list makes one more upgrade: omgd rebuilds and rewrites the file
	printf 'Package: editor-data\nVersion: 1.1-1\nArchitecture: all\nDescription: d\n\n' \
		> "$ROOT/var/lib/apt/lists/fixture.invalid_upd_dists_x_main_binary-amd64_Packages"
	wait_textfile '^apt_upgrades_pending\{origin=":/",arch="all"\} 1$'
	[ "$(value apt_upgrades_pending < "$f")" = $((before + 1)) ]
	[ "$(value apt_upgrades_pending < "$f")" = "$("$OMG" --json status | json_field updates)" ]
	[ "$(ls -A "$TEXTFILE")" = omg.prom ]
	if [ -f "$APT_INFO" ]; then diff <(omg_apt_series < "$f") <(apt_info_series "$ROOT"); fi
}

@test "omgd --textfile: a directory that cannot be written is refused at start" {
	run "$OMGD" --foreground --root / --textfile "$BATS_TEST_TMPDIR/none"
	[ "$status" -eq 1 ]
	[[ "$output" == *"--textfile"* ]]
	run "$OMGD" --foreground --textfile
	[ "$status" -eq 2 ]
}

@test "reboot-required appears and disappears: node_reboot_required, the textfile, omg status, OMG_REBOOT" {
	"$FIXTURE" "$ROOT"
	start_omgd --root "$ROOT" --textfile "$TEXTFILE"
	[ "$("$OMG" metrics --prometheus | value node_reboot_required)" = 0 ]
	[ "$("$OMG" --json status | json_field reboot_required)" = false ]
	! "$OMG" status | grep -q '^reboot'
	mkdir -p "$ROOT/run"
	printf 'linux-image-6.1.0-1-amd64\nlibc6\nlinux-image-6.1.0-1-amd64\n' > "$ROOT/run/reboot-required.pkgs"
	echo '*** System restart required ***' > "$ROOT/run/reboot-required"
	wait_textfile '^node_reboot_required 1$'
	grep -q '^omg_reboot_required_packages 2$' "$TEXTFILE/omg.prom"
	[ "$("$OMG" metrics --prometheus | value node_reboot_required)" = 1 ]
	[ "$("$OMG" --json status | json_field reboot_required)" = true ]
	"$OMG" --json status | grep -qF '"reboot_packages":["linux-image-6.1.0-1-amd64","libc6"]'
	"$OMG" status | grep -qx 'reboot      required (by linux-image-6.1.0-1-amd64 libc6)'
	if [ -z "${OMG_SKIP_MODULES:-}" ] && [ -f "$BASH_MODULE" ]; then
		[ "$(in_bash 'echo "$OMG_REBOOT"')" = 1 ]
		[ "$(in_zsh 'echo "$OMG_REBOOT"')" = 1 ]
	fi
	rm "$ROOT/run/reboot-required" "$ROOT/run/reboot-required.pkgs"
	wait_textfile '^node_reboot_required 0$'
	[ "$("$OMG" --json status | json_field reboot_required)" = false ]
	"$OMG" --json status | grep -qF '"reboot_packages":[]'
	if [ -z "${OMG_SKIP_MODULES:-}" ] && [ -f "$BASH_MODULE" ]; then
		[ "$(in_bash 'echo "$OMG_REBOOT"')" = 0 ]
	fi
}

@test "a live shell sees OMG_REBOOT change without a command (one cached STATUS per published file)" {
	require_modules
	"$FIXTURE" "$ROOT"
	start_omgd --root "$ROOT"
	mkdir -p "$ROOT/run"
	run in_bash 'echo "$OMG_REBOOT"; touch "'"$ROOT"'/run/reboot-required"
		for i in $(seq 1 60); do [ "$OMG_REBOOT" = 1 ] && break; sleep 0.05; done; echo "$OMG_REBOOT"
		rm "'"$ROOT"'/run/reboot-required"
		for i in $(seq 1 60); do [ "$OMG_REBOOT" = 0 ] && break; sleep 0.05; done; echo "$OMG_REBOOT"'
	[ "$output" = "$(printf '0\n1\n0')" ]
}

@test "docs/prometheus-alerts.yml: promtool check rules, and its rules fire as promtool test rules expects" {
	run promtool check rules "$OMG_SRCDIR/docs/prometheus-alerts.yml"
	echo "$output"
	[ "$status" -eq 0 ]
	sed "s|RULES|$OMG_SRCDIR/docs/prometheus-alerts.yml|" "$OMG_SRCDIR/tests/shell/prometheus-alerts.test.yml" \
		> "$BATS_TEST_TMPDIR/alerts.test.yml"
	run promtool test rules "$BATS_TEST_TMPDIR/alerts.test.yml"
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "docs: every metric the alert rules and the Grafana dashboard query is one omg exports" {
	"$FIXTURE" "$ROOT"
	start_omgd --root "$ROOT"
	local used missing=
	python3 -m json.tool "$OMG_SRCDIR/docs/grafana-omg.json" > /dev/null
	used=$(cat <(grep -E '^ *expr:' "$OMG_SRCDIR/docs/prometheus-alerts.yml") <(python3 -c 'import json, sys
def walk(x):
    if isinstance(x, dict):
        for k, v in x.items():
            if k in ("expr", "query"): print(v)
            else: walk(v)
    elif isinstance(x, list):
        for v in x: walk(v)
walk(json.load(open(sys.argv[1])))' "$OMG_SRCDIR/docs/grafana-omg.json") |
		grep -oE '\b(apt|node|omg)_[a-z_]+' | sort -u)
	[ -n "$used" ]
	for m in $used; do
		"$OMG" metrics --prometheus | grep -q "^# TYPE $m " || missing+=" $m"
	done
	[ -z "$missing" ] || { echo "not exported:$missing"; false; }
}
