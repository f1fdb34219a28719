#!/usr/bin/env bats
# omg depends, rdepends and why from omgd's relations index: depends byte for byte what
# apt-cache depends prints, rdepends the same entries as apt-cache rdepends, and why a chain
# that apt's own data confirms link by link.

bats_require_minimum_version 1.5.0
load helpers

setup() {
	omg_setup
	export NATIVE=$(dpkg --print-architecture)
}

teardown() { stop_omgd; }

@test "this machine: depends equals apt-cache depends for every installed package" {
	start_omgd
	local names; names=$(installed_names)
	diff <("$OMG" depends $names) <(apt-cache depends $names)
}

@test "this machine: rdepends has apt-cache rdepends' entries for every installed package" {
	start_omgd
	local names; names=$(installed_names)
	# the same lines under each package; apt's order within one list comes from the order its
	# cache generator linked them, which omg follows only approximately (see omg(1))
	diff <("$OMG" rdepends $names | sort) <(apt-cache rdepends $names 2>/dev/null | sort)
	# and per package the same count
	local n
	for n in bash libc6 adduser; do
		[ "$("$OMG" rdepends "$n" | wc -l)" = "$(apt-cache rdepends "$n" | wc -l)" ]
	done
}

@test "fixture root: depends and rdepends equal apt's for every package, virtual and multi-arch ones included" {
	"$FIXTURE" "$ROOT"
	start_omgd --root "$ROOT"
	local names real; names=$(fixture_all_names "$ROOT"); real=$(fixture_real_names "$ROOT")
	[ "$(echo "$real" | wc -l)" -gt 20 ]
	for n in $real; do
		diff <("$OMG" depends "$n") <(env $(apt_env "$ROOT") apt-cache depends "$n") || { echo "depends differs: $n"; false; }
	done
	diff <("$OMG" rdepends $names 2>/dev/null | sort) <(env $(apt_env "$ROOT") apt-cache rdepends $names 2>/dev/null | sort)
	run "$OMG" depends no-such-pkg
	[ "$status" -eq 1 ]
	run "$OMG" --json depends editor-main
	[ "$status" -eq 0 ]
	python3 -c '
import json, sys
d = json.loads(sys.argv[1])
kinds = [(r["kind"], r["package"]) for r in d["depends"]]
assert ("Depends", "libedit") in kinds and ("Recommends", "editor-data") in kinds, kinds
virt = [r for r in d["depends"] if r["package"] == "mail-transport-agent"]
assert virt and virt[0]["virtual"] and "exim4" in virt[0]["providers"], d
' "$output"
}

# check_chain NAME: omg why NAME's chain holds on this machine's data (apt-mark, apt-cache).
# What is checked is the chain, not the time: each call may take 5 s (ASan, a loaded machine).
check_chain() {
	local name=$1 out first=1 pkg kind target prev_target=
	out=$("$OMG" --timeout 5000 why "$name") || return 1
	[[ "$out" != *"installed manually"* ]] || { apt-mark showmanual | grep -qx "${name%:$NATIVE}"; return; }
	if [[ "$out" == *"would remove it"* ]]; then
		apt-get -s autoremove 2>/dev/null | awk '/^Remv/{print $2}' | grep -qx "$name"
		return
	fi
	[[ "$out" != *"apt keeps it"* ]] || return 0
	while read -r pkg mode kind target _; do
		[ "$first" = 1 ] && { apt-mark showmanual | grep -qx "$pkg" || { echo "$name: $pkg is not manual"; return 1; }; }
		first=0
		dpkg-query -W -f '${db:Status-Abbrev}' "$pkg" | grep -q '^ii' || { echo "$name: $pkg not installed"; return 1; }
		[ -z "$prev_target" ] || [ "${prev_target%%:*}" = "$pkg" ] ||
			apt-cache show "$pkg" 2>/dev/null | grep -q "^Provides:.*\b${prev_target%%:*}\b" ||
			{ echo "$name: $prev_target is not $pkg"; return 1; }
		# the relation is in the installed version's record (dpkg's status file)
		dpkg-query -W -f '${Pre-Depends}, ${Depends}, ${Recommends}, ${Suggests},' "$pkg" | tr ',|' '\n\n' |
			awk '{print $1}' | grep -qx "$target" || { echo "$name: $pkg has no $kind $target"; return 1; }
		prev_target=$target
	done <<< "$out"
	[ "${prev_target%%:*}" = "${name%:*}" ] || apt-cache show "$name" 2>/dev/null | grep -q "^Provides:.*\b${prev_target%%:*}\b" ||
		{ echo "$name: the chain ends at $prev_target"; return 1; }
}

@test "this machine: why gives, for 150 automatically installed packages, a chain apt's data confirms" {
	start_omgd
	local n
	for n in $(apt-mark showauto | shuf -n 150 --random-source=<(yes)); do
		check_chain "$n" || { "$OMG" why "$n"; false; }
	done
	# a manual one, and one that is not installed
	n=$(apt-mark showmanual | head -1)
	run "$OMG" why "$n"
	[[ "$output" == *"installed manually"* ]]
	run "$OMG" why no-such-pkg
	[ "$status" -eq 1 ]
}

@test "fixture root: why follows Depends and Recommends from a manual package, and names an orphan" {
	"$FIXTURE" "$ROOT"
	start_omgd --root "$ROOT"
	run "$OMG" why orphan-bottom
	[ "$status" -eq 0 ]
	[[ "$output" == *"would remove it"* ]]
	diff <(env $(apt_env "$ROOT") apt-get -s autoremove 2>/dev/null | awk '/^Remv/{print $2}' | sort) \
		<(omg_list_names orphans)
	run "$OMG" --json why libedit
	[ "$status" -eq 0 ]
	python3 -c '
import json, sys
d = json.loads(sys.argv[1])
chain = d["chain"]
assert chain and chain[0]["manual"] and chain[-1]["target"].split(":")[0] == "libedit", d
' "$output"
}

# dpkg_sizes [ADMINDIR]: packages with an installed version (omg list installed's: installed,
# unpacked, half-installed, half-configured, awaiting triggers) as dpkg has them, largest first
dpkg_sizes() {
	dpkg-query ${1:+--admindir="$1"} -W -f '${db:Status-Abbrev}\t${Installed-Size}\t${Package}:${Architecture}\t${Version}\n' |
		awk -F'\t' 'substr($1, 2, 1) ~ /[iUHFWt]/ {print $2 "\t" $3 "\t" $4}' | sed "s/:$NATIVE\t/\t/; s/:all\t/\t/" |
		LC_ALL=C sort -t$'\t' -k1,1nr -k2,2
}

@test "size: every installed package by Installed-Size as dpkg has it, the total, -n and --json" {
	"$FIXTURE" "$ROOT"
	start_omgd --root "$ROOT"
	diff <("$OMG" --json size | python3 -c '
import json, sys
d = json.load(sys.stdin)
for p in d["packages"]:
    print("%d\t%s\t%s" % (p["installed_size_kib"], p["package"], p["version"]))') <(dpkg_sizes "$ROOT/var/lib/dpkg")
	run "$OMG" --json size
	[ "$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["total_kib"])' "$output")" = \
	  "$(dpkg_sizes "$ROOT/var/lib/dpkg" | awk '{s += $1} END {print s}')" ]
	run --separate-stderr "$OMG" size -n 2
	[ "${#lines[@]}" -eq 2 ]
	[[ "$stderr" == *"more;"*"installed packages take"* ]]
	run "$OMG" size extra-arg
	[ "$status" -eq 2 ]
}

@test "this machine: size equals dpkg's Installed-Size order" {
	start_omgd
	diff <("$OMG" --json size | python3 -c '
import json, sys
for p in json.load(sys.stdin)["packages"]:
    print("%d\t%s\t%s" % (p["installed_size_kib"], p["package"], p["version"]))') <(dpkg_sizes)
}
