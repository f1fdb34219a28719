#!/usr/bin/env bats
# Real Debian roots, built from Debian's archive and changed by the real apt inside them
# (tests/fixtures/make-real-root.sh), and omgd --root on them against apt run inside the same
# root by chroot: the five counts, the lists, and the candidate of every package apt knows
# (every name, in both architectures) — apt-cache policy against omg policy. Then each case of
# tests/cases/dpkg/ (a few lines that change a copy of the bookworm-multiarch root) against
# apt the same way. No expected value is written here: apt is the oracle.
#
# The roots come from a cache (OMG_ROOT_CACHE, default /var/cache/omg-test-roots) when the
# recipe has not changed; a cold build needs root, mmdebstrap and http://deb.debian.org, and
# fails loudly without them. OMG_NO_NETWORK=1 (and no cached root) skips these tests.

load helpers

REAL_ROOT=${OMG_SRCDIR}/tests/fixtures/make-real-root.sh
CASES_DIR=${OMG_SRCDIR}/tests/cases/dpkg

setup_file() {
	[ "$(id -u)" = 0 ] || echo "# realroots.bats needs root (chroot)" >&3
}

setup() {
	# the sanitized build's pass: the roots' semantics are the plain build's to check (CI time)
	[ -z "${OMG_SKIP_REALROOTS:-}" ] || skip "real roots run in the plain build"
	omg_setup
	export NATIVE=$(dpkg --print-architecture)
	case $NATIVE in amd64) export FOREIGN=i386 ;; arm64) export FOREIGN=armhf ;; *) export FOREIGN= ;; esac
	export OMG_READY_TRIES=2400   # a real root's index, in the sanitized build too (2 min at most)
}

teardown() { stop_omgd; }

# real_root NAME: ROOT is the real root NAME, made (or restored) once for this file.
real_root() {
	ROOT=$BATS_FILE_TMPDIR/$1
	local rc=0
	[ -f "$ROOT.ok" ] && return 0
	if [ ! -f "$ROOT.failed" ]; then
		[ "$(id -u)" = 0 ] || { echo "the real roots need root (mmdebstrap, chroot)"; touch "$ROOT.failed"; }
	fi
	if [ ! -f "$ROOT.failed" ]; then
		"$REAL_ROOT" "$1" "$ROOT" > "$ROOT.log" 2>&1 || rc=$?
		if [ "$rc" = 77 ] && [ "${OMG_NO_NETWORK:-}" = 1 ]; then
			skip "OMG_NO_NETWORK=1 and no cached $1 root"
		fi
		[ "$rc" = 0 ] && { touch "$ROOT.ok"; return 0; }
		touch "$ROOT.failed"
	fi
	tail -25 "$ROOT.log" 2>/dev/null
	echo "make-real-root.sh $1 failed (exit $rc): the real root could not be built; see above"
	return 1
}

# in_root CMD...: CMD run inside ROOT by chroot, in the C locale, with a clean environment.
in_root() { chroot "$ROOT" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C "$@"; }

# ---- the oracles: apt and dpkg of the root itself --------------------------------------
# Installed packages as apt prints them (name, or name:arch when foreign): dpkg's "installed".
apt_installed() {
	in_root dpkg-query -W -f '${db:Status-Status} ${Package}:${Architecture}\n' |
		awk -v n="$NATIVE" '$1 == "installed" { sub(":(" n "|all)$", "", $2); print $2 }' | LC_ALL=C sort
}
apt_explicit() { in_root apt-mark showmanual | LC_ALL=C sort; }
apt_orphans() { in_root apt-get -s autoremove | awk '/^Remv/ { print $2 }' | LC_ALL=C sort; }
apt_upgradable() { in_root apt list --upgradable 2>/dev/null | apt_upgradable_names; }
apt_security() { in_root apt list --upgradable 2>/dev/null | apt_security_names; }
# omg's, in the same form
omg_names() { omg_list_names "$1" | LC_ALL=C sort; }

# compare_list KIND ORACLE: omg's count and list of KIND against apt's; prints the first 20
# differences ("-" apt only, "+" omg only).
compare_list() {
	local kind=$1 oracle=$2 field=$1 d
	case $kind in installed) field=installed ;; upgradable) field=updates ;; esac
	"$oracle" > "$BATS_TEST_TMPDIR/apt.$kind"
	omg_names "$kind" > "$BATS_TEST_TMPDIR/omg.$kind"
	local want got
	want=$(wc -l < "$BATS_TEST_TMPDIR/apt.$kind")
	got=$("$OMG" --json status | json_field "$field")
	d=$(diff "$BATS_TEST_TMPDIR/apt.$kind" "$BATS_TEST_TMPDIR/omg.$kind" | grep '^[<>]' | sed 's/^</- apt only:/; s/^>/+ omg only:/') || true
	if [ "$want" = "$got" ] && [ -z "$d" ]; then return 0; fi
	echo "$kind: apt $want, omg $got (count in omg --json status); $(echo "$d" | grep -c . || true) names differ"
	echo "$d" | head -20
	return 1
}

# all_names: every name to ask about: apt-cache pkgnames, every name in every list file (those
# apt does not read too), every name dpkg knows; and NAME:FOREIGN for each name that a
# FOREIGN list or dpkg has in that architecture.
all_names() {
	{
		in_root apt-cache pkgnames
		cat "$ROOT"/var/lib/apt/lists/*_Packages 2>/dev/null | awk '/^Package:/ { print $2 }'
		in_root dpkg-query -W -f '${Package}\n'
		if [ -n "$FOREIGN" ]; then
			cat "$ROOT"/var/lib/apt/lists/*_binary-"$FOREIGN"_Packages 2>/dev/null |
				awk -v a="$FOREIGN" '/^Package:/ { p = $2 } /^Architecture:/ && $2 == a { print p ":" a }'
			in_root dpkg-query -W -f '${Package}:${Architecture}\n' | grep ":$FOREIGN\$" || true
		fi
	} | LC_ALL=C sort -u
}

# compare_candidates: apt-cache policy of every name (all_names) inside the root against omg
# policy of the same names; only the Candidate: line of each package is compared. Prints the
# number of differences and the first 20 as "NAME: apt CANDIDATE (priority) omg ...".
compare_candidates() {
	local t=$BATS_TEST_TMPDIR n
	all_names > "$t/names"
	# apt is asked only the names its cache has (apt-cache dump: name, or name:arch when
	# foreign): an unknown name with '.', '+' or ':' in it sends apt-cache through every
	# package as a pattern (minutes for the 32,000 foreign names of a root without the
	# foreign architecture), and prints nothing of its own for it anyway
	in_root apt-cache dump 2>/dev/null | LC_ALL=C grep -a '^Package: ' | cut -c10- | LC_ALL=C sort -u > "$t/apt.known"
	LC_ALL=C comm -12 "$t/names" "$t/apt.known" > "$t/apt.asked"
	# few calls: each one loads the cache and the pins again
	xargs -r -s 1000000 -a "$t/apt.asked" chroot "$ROOT" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C \
		apt-cache policy 2> "$t/apt.policy.err" | policy_candidates > "$t/apt.cand.all"
	# omg policy exits 1 for a name it does not know (the others are still printed)
	xargs -r -a "$t/names" "$OMG" policy 2> "$t/omg.policy.err" | policy_candidates > "$t/omg.cand.all" || true
	grep -v "^omg: package '.*' not found\$" "$t/omg.policy.err" | head -5 >&2 || true
	[ -s "$t/apt.cand.all" ] || { echo "apt-cache policy printed nothing"; head "$t/apt.policy.err"; return 1; }
	[ -s "$t/omg.cand.all" ] || { echo "omg policy printed nothing"; head "$t/omg.policy.err"; return 1; }
	# only the packages asked for (apt-cache expands an unknown name as a pattern)
	LC_ALL=C join "$t/names" "$t/apt.cand.all" > "$t/apt.cand"
	LC_ALL=C join "$t/names" "$t/omg.cand.all" > "$t/omg.cand"
	# A name apt knows with no version at all (an instance it makes for a foreign
	# architecture, or a name only a relation names) has "Candidate: (none)" there and is
	# unknown to omg: no candidate either way. They are counted, not failed (architecture.md).
	LC_ALL=C join -a1 -a2 -e '(none-shown)' -o 0,1.2,1.3,2.2,2.3 "$t/apt.cand" "$t/omg.cand" |
		awk '$2 != $4' > "$t/cand.all.diff"
	awk '($2 == "(none)" && $4 == "(none-shown)") || ($2 == "(none-shown)" && $4 == "(none)")' \
		"$t/cand.all.diff" > "$t/cand.none"
	awk '!(($2 == "(none)" && $4 == "(none-shown)") || ($2 == "(none-shown)" && $4 == "(none)"))' \
		"$t/cand.all.diff" > "$t/cand.diff"
	[ -s "$t/cand.none" ] && echo "# $(wc -l < "$t/cand.none") names without a version known to one side only (no candidate on either)" >&3
	n=$(wc -l < "$t/cand.diff")
	[ "$n" = 0 ] && return 0
	echo "candidates: $n of $(wc -l < "$t/apt.cand") packages differ ($(wc -l < "$t/names") names asked)"
	awk '{ k = $2 == "(none-shown)" ? "only omg prints the package" : \
		$4 == "(none-shown)" ? "only apt prints the package" : "both print it, with another candidate" } { c[k]++ }
		END { for (k in c) printf "  %s: %d\n", k, c[k] }' "$t/cand.diff" | sort
	# With BASELINE (the differences of the root the case started from), the case's own first.
	if [ -n "${BASELINE:-}" ]; then
		LC_ALL=C comm -13 "$BASELINE" "$t/cand.diff" > "$t/cand.own"
		echo "  of them the same as without the case: $((n - $(wc -l < "$t/cand.own")))"
	else
		cp "$t/cand.diff" "$t/cand.own"
	fi
	# the first 20: the case's own, those both show first (the pins' and the sources' work)
	{
		awk '$2 != "(none-shown)" && $4 != "(none-shown)"' "$t/cand.own"
		awk '$2 == "(none-shown)" || $4 == "(none-shown)"' "$t/cand.own"
		LC_ALL=C comm -13 "$t/cand.own" "$t/cand.diff"
	} | head -20 | awk '{ printf "  %s: apt %s (%s) omg %s (%s)\n", $1, $2, $3, $4, $5 }'
	return 1
}

# compare_counts [names]: the five counts of omg --json status against apt's, in one table;
# with "names", the names of each kind too (omg list against apt's list), the first five that
# differ under the table.
compare_counts() {
	local t=$BATS_TEST_TMPDIR s bad=0 k kind want got d
	s=$("$OMG" --json status)
	in_root apt list --upgradable 2>/dev/null > "$t/apt.list-upgradable"
	apt_installed > "$t/apt.installed"
	apt_explicit > "$t/apt.explicit"
	apt_orphans > "$t/apt.orphans"
	apt_upgradable_names < "$t/apt.list-upgradable" > "$t/apt.updates"
	apt_security_names < "$t/apt.list-upgradable" > "$t/apt.security"
	: > "$t/names.diff"
	for k in installed explicit orphans updates security; do
		want=$(wc -l < "$t/apt.$k")
		got=$(json_field "$k" <<< "$s")
		d=
		if [ "${1:-}" = names ]; then
			kind=$k; [ "$k" = updates ] && kind=upgradable
			omg_names "$kind" > "$t/omg.$k"
			diff "$t/apt.$k" "$t/omg.$k" | sed -n "s/^< /  $k: apt only: /p; s/^> /  $k: omg only: /p" > "$t/names.$k.diff" || true
			head -5 "$t/names.$k.diff" >> "$t/names.diff"
			[ -s "$t/names.$k.diff" ] && { d="   $(wc -l < "$t/names.$k.diff") names differ"; bad=1; }
		fi
		[ "$want" = "$got" ] || { bad=1; d="   <- differs$d"; }
		printf '  %-9s apt %6s  omg %6s%s\n' "$k" "$want" "$got" "$d"
	done > "$t/counts"
	[ "$bad" = 0 ] && return 0
	echo "counts${1:+ and $1}:"; cat "$t/counts" "$t/names.diff"
	return 1
}

# ---- bookworm-multiarch ------------------------------------------------------------------
@test "bookworm-multiarch: the root builds from Debian's archive (or comes from the cache)" {
	real_root bookworm-multiarch
	[ -s "$ROOT/var/lib/dpkg/status" ]
	ls "$ROOT"/var/lib/apt/lists/*_Packages >/dev/null
	sed -n 's/^make-real-root.sh: /# /p' "$ROOT.log" >&3
}

@test "bookworm-multiarch: the five counts equal apt's inside the root" {
	real_root bookworm-multiarch
	start_omgd --root "$ROOT"
	compare_counts
}

@test "bookworm-multiarch: installed packages equal dpkg's (count and names)" {
	real_root bookworm-multiarch
	start_omgd --root "$ROOT"
	compare_list installed apt_installed
}

@test "bookworm-multiarch: explicit packages equal apt-mark showmanual" {
	real_root bookworm-multiarch
	start_omgd --root "$ROOT"
	compare_list explicit apt_explicit
}

@test "bookworm-multiarch: orphans equal apt-get -s autoremove" {
	real_root bookworm-multiarch
	start_omgd --root "$ROOT"
	compare_list orphans apt_orphans
}

@test "bookworm-multiarch: upgradable packages equal apt list --upgradable" {
	real_root bookworm-multiarch
	start_omgd --root "$ROOT"
	compare_list upgradable apt_upgradable
}

@test "bookworm-multiarch: security updates equal apt's upgradable from a -security suite" {
	real_root bookworm-multiarch
	start_omgd --root "$ROOT"
	compare_list security apt_security
}

@test "bookworm-multiarch: the candidate of every package (both architectures) equals apt-cache policy's" {
	real_root bookworm-multiarch
	start_omgd --root "$ROOT"
	compare_candidates
}

# ---- trixie-deb822 -----------------------------------------------------------------------
@test "trixie-deb822: the root builds from Debian's archive (or comes from the cache)" {
	real_root trixie-deb822
	[ -s "$ROOT/var/lib/dpkg/status" ]
	[ ! -e "$ROOT/etc/apt/sources.list" ]
	ls "$ROOT"/etc/apt/sources.list.d/*.sources >/dev/null
	sed -n 's/^make-real-root.sh: /# /p' "$ROOT.log" >&3
}

@test "trixie-deb822: the five counts equal apt's inside the root" {
	real_root trixie-deb822
	start_omgd --root "$ROOT"
	compare_counts
}

@test "trixie-deb822: installed, explicit, orphans, upgradable and security lists equal apt's" {
	real_root trixie-deb822
	start_omgd --root "$ROOT"
	local bad=0
	compare_list installed apt_installed || bad=1
	compare_list explicit apt_explicit || bad=1
	compare_list orphans apt_orphans || bad=1
	compare_list upgradable apt_upgradable || bad=1
	compare_list security apt_security || bad=1
	[ "$bad" = 0 ]
}

@test "trixie-deb822: the candidate of every package equals apt-cache policy's" {
	real_root trixie-deb822
	start_omgd --root "$ROOT"
	compare_candidates
}

# ---- the cases: tests/cases/dpkg/*.sh, each on a fresh copy of bookworm-multiarch --------
# Each case starts from a copy of bookworm-multiarch without its preferences and without the
# lists of the sources it no longer names (the plain copy, itself compared first), so that
# what differs is the case's rule; the differences the plain copy has too are told apart.
# A case is a bash script run with set -euo pipefail in the copy's top directory, with ROOT
# (the copy), NATIVE, FOREIGN and these functions: in_root CMD... (chroot) and write FILE
# (stdin into ROOT/FILE as a new file). It changes files under etc/ and var/ only: the rest
# of the copy is hard links to the shared root. apt inside the copy is the oracle.

write() { mkdir -p "$(dirname "$ROOT/$1")"; rm -f "$ROOT/$1"; cat > "$ROOT/$1"; }

# copy_root SRC DEST: etc/ and var/ copied, everything else hard-linked (cases never write there)
copy_root() {
	local e
	mkdir -p "$2"
	for e in "$1"/* "$1"/.[!.]*; do
		[ -e "$e" ] || [ -L "$e" ] || continue
		case ${e##*/} in
		etc | var) cp -a "$e" "$2/" ;;
		*) cp -al "$e" "$2/" ;;
		esac
	done
}

# check_root LABEL: omg on ROOT against apt in it (counts and candidates); prints the
# differences under LABEL; status 1 when there are any.
check_root() {
	local out rc=0
	start_omgd --root "$ROOT"
	out=$( { r=0; compare_counts names || r=1; compare_candidates || r=1; exit $r; } 2>&1) || rc=1
	stop_omgd
	[ "$rc" = 0 ] || { echo "$1:"; echo "$out" | sed 's/^/  /'; }
	return $rc
}

@test "cases: each tests/cases/dpkg/*.sh on a copy of bookworm-multiarch: omg's counts and candidates equal apt's" {
	real_root bookworm-multiarch
	local shared=$ROOT plain=$BATS_TEST_TMPDIR/plain t=$BATS_TEST_TMPDIR c name failed=() out
	export -f in_root write
	ROOT=$plain
	copy_root "$shared" "$plain"
	rm -f "$plain/etc/apt/preferences" "$plain"/etc/apt/preferences.d/*
	rm -f "$plain"/var/lib/apt/lists/old-mirror.invalid_* "$plain"/var/lib/apt/lists/*_dists_bookworm_contrib_*
	: > "$t/cand.diff"
	check_root "the plain copy (no case)" || failed+=("(plain)")
	cp "$t/cand.diff" "$t/baseline.diff"
	for c in "$CASES_DIR"/*.sh; do
		name=$(basename "$c" .sh)
		ROOT=$t/case-$name
		copy_root "$plain" "$ROOT"
		if ! out=$(cd "$ROOT" && ROOT=$ROOT bash -euo pipefail "$c" 2>&1); then
			echo "case $name: the case itself failed:"; echo "$out" | tail -5
			failed+=("$name"); rm -rf "$ROOT"; continue
		fi
		BASELINE=$t/baseline.diff check_root "case $name" || failed+=("$name")
		rm -rf "$ROOT"
	done
	echo "${#failed[@]} of $(($(ls "$CASES_DIR"/*.sh | wc -l) + 1)) differ from apt (the plain copy and the cases): ${failed[*]:-none}"
	[ ${#failed[@]} = 0 ]
}
