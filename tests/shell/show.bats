#!/usr/bin/env bats
# omg show and omg policy: byte for byte what apt show and apt-cache policy print, on the
# fixture root (apt reads it through APT_CONFIG) and on this machine's own package data.

bats_require_minimum_version 1.5.0
load helpers

setup() {
	omg_setup
	export NATIVE=$(dpkg --print-architecture)
}

teardown() { stop_omgd; }

@test "fixture root: policy equals apt-cache policy for every package, pins of the archives included" {
	"$FIXTURE" "$ROOT"
	start_omgd --root "$ROOT"
	local names; names=$(fixture_real_names "$ROOT")
	[ "$(echo "$names" | wc -l)" -gt 20 ]
	for n in $names; do
		diff <("$OMG" policy "$n") <(env $(apt_env "$ROOT") apt-cache policy "$n") || { echo "differs: $n"; false; }
	done
	# a foreign instance by name:arch, and several packages at once
	diff <("$OMG" policy libmulti:i386 bash) <(env $(apt_env "$ROOT") apt-cache policy libmulti:i386 bash)
	# names that only a relation names (no version, no provider): apt knows them, with
	# "Candidate: (none)" and "not a real package"
	printf 'Package: only-named\nArchitecture: amd64\nVersion: 1\nSuggests: ghost-doc, ghost-extra (>= 2)\nDescription: d\n\n' \
		>> "$ROOT/var/lib/apt/lists/fixture.invalid_debian_dists_bookworm_main_binary-amd64_Packages"
	for n in 1 2 3 4 5 6 7 8 9 10; do "$OMG" policy only-named >/dev/null 2>&1 && break; sleep 0.2; done
	diff <("$OMG" policy ghost-doc ghost-extra) <(env $(apt_env "$ROOT") apt-cache policy ghost-doc ghost-extra)
	diff <("$OMG" show ghost-doc) <(env $(apt_env "$ROOT") apt show ghost-doc 2>/dev/null)
	run "$OMG" policy no-such-name
	[ "$status" -eq 1 ]
}

@test "fixture root: show and show -a equal apt show's" {
	"$FIXTURE" "$ROOT"
	start_omgd --root "$ROOT"
	local names; names=$(fixture_real_names "$ROOT")
	diff <("$OMG" show $names 2>/dev/null) <(env $(apt_env "$ROOT") apt show $names 2>/dev/null)
	diff <("$OMG" show -a $names 2>/dev/null) <(env $(apt_env "$ROOT") apt show -a $names 2>/dev/null)
	# without -a, the count of versions left out goes to standard error
	run --separate-stderr "$OMG" show downgrade-pkg
	[ "$status" -eq 0 ]
	[[ "$output" == "Package: downgrade-pkg"* ]]
}

@test "show and policy: an unknown name exits 1 and says so, the known ones are still printed" {
	"$FIXTURE" "$ROOT"
	start_omgd --root "$ROOT"
	run --separate-stderr "$OMG" policy no-such-pkg bash
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"no-such-pkg"*"not found"* ]]
	[[ "$output" == "bash:"* ]]
	run --separate-stderr "$OMG" show no-such-pkg
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	run "$OMG" show --json no-such-pkg
	[ "$status" -eq 1 ]
	[[ "$output" == *'"error"'* ]]
	run "$OMG" show
	[ "$status" -eq 2 ]
	run "$OMG" policy -- -x   # after "--" a name, never an option: looked up, and unknown
	[ "$status" -eq 1 ]
	[[ "$output" == *"'-x' not found"* ]]
}

@test "policy --json and show --json: the same facts as the text" {
	"$FIXTURE" "$ROOT"
	start_omgd --root "$ROOT"
	run "$OMG" --json policy bash
	[ "$status" -eq 0 ]
	python3 -c '
import json, sys
d = json.loads(sys.argv[1])["packages"][0]
assert d["package"] == "bash", d
inst = [v for v in d["versions"] if v["installed"]]
assert len(inst) == 1 and inst[0]["version"] == d["installed"], d
assert any(s["source"].endswith("/var/lib/dpkg/status") for s in inst[0]["sources"]), d
' "$output"
	run "$OMG" --json show -a epoch-pkg
	[ "$status" -eq 0 ]
	python3 -c '
import json, sys
d = json.loads(sys.argv[1])
assert d["records"] and all(r["fields"]["Package"] == "epoch-pkg" for r in d["records"]), d
assert d["records"][0]["fields"]["Version"].startswith("1:"), d
' "$output"
}

@test "this machine: policy and show equal apt's for every installed package" {
	start_omgd
	local names; names=$(installed_names)
	diff <("$OMG" policy $names) <(apt-cache policy $names)
	diff <("$OMG" show -a $names 2>/dev/null) <(apt show -a $names 2>/dev/null)
}

@test "fixture root: a virtual package: policy and show as apt's; info names its providers" {
	"$FIXTURE" "$ROOT"
	start_omgd --root "$ROOT"
	diff <("$OMG" policy mail-transport-agent) <(env $(apt_env "$ROOT") apt-cache policy mail-transport-agent)
	diff <("$OMG" show mail-transport-agent 2>/dev/null) <(env $(apt_env "$ROOT") apt show mail-transport-agent 2>/dev/null)
	run "$OMG" info mail-transport-agent
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "mail-transport-agent is a virtual package, provided by:" ]
	[[ "${lines[1]}" == "  exim4 4.96-1"* ]]
	run "$OMG" --json info mail-transport-agent
	[[ "$output" == *'"virtual":true'*'"package":"exim4"'* ]]
	run "$OMG" info no-such-thing
	[ "$status" -eq 1 ]
}

@test "this machine: a virtual package's providers are the ones apt offers" {
	start_omgd
	local v n=0
	for v in www-browser mail-transport-agent x-terminal-emulator awk editor pager; do
		apt-get install -s "$v" 2>/dev/null | grep -q "is a virtual package provided by:" || continue
		n=$((n + 1))
		diff <("$OMG" info "$v" | tail -n +2 | awk '{print $1}' | sort) \
			<(apt-get install -s "$v" 2>/dev/null | sed -n '/provided by:/,/You should/p' | sed '1d;$d' | awk '{print $1}' | sort) ||
			{ echo "differs: $v"; false; }
		diff <("$OMG" policy "$v") <(apt-cache policy "$v")
	done
	[ "$n" -gt 0 ] || skip "no virtual package with several providers here"
}

@test "sources: a URI's password is never shown, and an edit of sources.list shows at once, as apt's" {
	"$FIXTURE" "$ROOT"
	sed -i 's|http://fixture.invalid/debian bookworm main|http://user:secret@fixture.invalid/debian bookworm main|' "$ROOT/etc/apt/sources.list"
	start_omgd --root "$ROOT"
	run "$OMG" policy bash
	[[ "$output" != *secret* ]]
	diff <("$OMG" policy bash) <(env $(apt_env "$ROOT") apt-cache policy bash)
	# the same source over https: only sources.list changes, and the description with it
	sed -i 's|http://user:secret@fixture.invalid/debian |https://fixture.invalid/debian |' "$ROOT/etc/apt/sources.list"
	local i
	for i in $(seq 1 100); do
		"$OMG" policy bash | grep -q 'https://fixture.invalid/debian bookworm/main' && break
		sleep 0.05
	done
	diff <("$OMG" policy bash) <(env $(apt_env "$ROOT") apt-cache policy bash)
}

@test "show: field names as apt writes them, and an empty field" {
	"$FIXTURE" "$ROOT"
	# a list stanza with lower-case field names and an empty field
	cat >> "$ROOT/var/lib/apt/lists/fixture.invalid_debian_dists_bookworm_main_binary-amd64_Packages" <<'STANZA'

package: oddcase
version: 1.0-1
architecture: amd64
maintainer: Fixture <f@fixture.invalid>
depends: libedit
Empty:
description: lower-case fields
STANZA
	start_omgd --root "$ROOT"
	diff <("$OMG" show oddcase 2>/dev/null) <(env $(apt_env "$ROOT") apt show oddcase 2>/dev/null)
	diff <("$OMG" depends oddcase) <(env $(apt_env "$ROOT") apt-cache depends oddcase)
}
