#!/usr/bin/env bats
# omg's actions on Arch against the real pacman: packages built offline with makepkg
# (make-arch-repo.sh, once per file), a file:// repository made by repo-add, and for each test
# a throwaway root (ROOT/etc/pacman.conf, its databases, omgt-base installed explicitly and
# omgt-orphan as a dependency, both by pacman). The plan omgd makes with libalpm equals what
# pacman --print lists; the change omg runs (pacman --root) leaves pacman -Q as the plan said;
# omgd's counts follow. pacman runs only with --root of that throwaway root.

load helpers
bats_require_minimum_version 1.5.0

ARCH_REPO=${OMG_SRCDIR:?}/tests/fixtures/make-arch-repo.sh

setup_file() {
	local why="" tool
	[ "$(id -u)" = 0 ] || why="not root (pacman installs into the test root as root; makepkg builds as nobody)"
	! built_without alpm || why="built --without-alpm"
	for tool in pacman makepkg repo-add bsdtar setpriv; do
		[ -n "$why" ] || command -v "$tool" > /dev/null || why="$tool is not installed (setup.sh installs it)"
	done
	if [ -z "$why" ] && ! "$ARCH_REPO" "$BATS_FILE_TMPDIR/arch" > "$BATS_FILE_TMPDIR/arch.log" 2>&1; then
		why="make-arch-repo.sh failed: $(tail -3 "$BATS_FILE_TMPDIR/arch.log" | tr '\n' ' ')"
	fi
	echo "$why" > "$BATS_FILE_TMPDIR/skip"
}

setup() {
	require_feature alpm
	omg_setup
	[ -z "$(cat "$BATS_FILE_TMPDIR/skip")" ] || skip "$(cat "$BATS_FILE_TMPDIR/skip")"
	PKGS=$BATS_FILE_TMPDIR/arch/pkgs
	REPO=$BATS_TEST_TMPDIR/repo
	cp -a "$BATS_FILE_TMPDIR/arch/repo" "$REPO"
	mkdir -p "$ROOT/etc" "$ROOT/var/log" "$ROOT/var/lib/pacman/local" "$ROOT/var/lib/pacman/sync" "$ROOT/var/cache/pacman/pkg"
	echo 9 > "$ROOT/var/lib/pacman/local/ALPM_DB_VERSION"
	printf 'NAME="Arch Linux"\nID=arch\n' > "$ROOT/etc/os-release"
	printf '[options]\nArchitecture = auto\nSigLevel = Never\nLocalFileSigLevel = Never\n\n[omgtest]\nServer = file://%s\n' \
		"$REPO" > "$ROOT/etc/pacman.conf"
	# pacman on the test root only: its database, configuration, cache, keyring and hooks
	PACMAN=(pacman --root "$ROOT" --dbpath "$ROOT/var/lib/pacman/" --config "$ROOT/etc/pacman.conf"
		--cachedir "$ROOT/var/cache/pacman/pkg/" --gpgdir "$ROOT/etc/pacman.d/gnupg/"
		--hookdir "$ROOT/etc/pacman.d/hooks/" --logfile "$ROOT/var/log/pacman.log" --color never)
	"${PACMAN[@]}" -Sy > /dev/null
	"${PACMAN[@]}" -S --noconfirm omgt-base > /dev/null
	"${PACMAN[@]}" -S --noconfirm --asdeps omgt-orphan > /dev/null
	start_omgd --root "$ROOT" --no-aur
}

teardown() { stop_omgd; }

# omg_plan OMG-ARGS: omg --json ARGS (a dry run) as "op name version" lines, sorted: the
# version to install, or for a removal the installed one
omg_plan() {
	"$OMG" --json "$@" | python3 -c '
import json, sys
d = json.load(sys.stdin)
for p in d["packages"]:
    print(p["action"], p["package"], p["to"] or p["from"])' | sort
}
# republish PKGFILE...: adds the packages to the repository as an update published later than the
# root's copy. pacman -Sy downloads a database only when the server's file time (whole seconds)
# is newer than the local one's, and setup's -Sy ran in the same second: the local copy is made
# an hour old, as it would be
republish() {
	(cd "$REPO" && repo-add -q omgtest.db.tar.gz "$@") > /dev/null
	touch -d '1 hour ago' "$ROOT/var/lib/pacman/sync/omgtest.db"
}
# adds / removes: the lines of omg_plan that install (any kind) or remove, as "name version"
adds() { omg_plan "$@" | awk '$1 != "remove" && $1 != "purge" { print $2, $3 }'; }
removes() { omg_plan "$@" | awk '$1 == "remove" || $1 == "purge" { print $2, $3 }'; }
# plan_field KEY OMG-ARGS: a top-level field of omg --json ARGS (a dry run)
plan_field() { local k=$1; shift; "$OMG" --json "$@" | python3 -c 'import json, sys; print(json.load(sys.stdin)[sys.argv[1]])' "$k"; }
# pacman_print ARGS: what pacman ARGS --print would do, "name version", sorted (the oracle)
pacman_print() { "${PACMAN[@]}" "$@" --print --print-format '%n %v' | grep -v '^loading packages' | sort; }
# same OMG-ARGS -- PACMAN-ARGS: omg's installs (or, for -R, removals) equal pacman --print's
same() {
	local omg_args=() pac
	while [ "$1" != -- ]; do omg_args+=("$1"); shift; done; shift
	pac=$(pacman_print "$@")
	[ -n "$pac" ] || { echo "pacman plans nothing for $*: not a test"; return 1; }
	if [[ "$1" == -R* ]]; then diff <(removes "${omg_args[@]}") <(echo "$pac"); else diff <(adds "${omg_args[@]}") <(echo "$pac"); fi
}
# counts_follow: omg status equals pacman -Qq, -Qqe, -Qdtq, -Qu (omg returns after omgd read the change)
counts_follow() {
	local st; st=$("$OMG" --json status)
	[ "$(json_field installed <<<"$st")" = "$("${PACMAN[@]}" -Qq | wc -l)" ]
	[ "$(json_field explicit <<<"$st")" = "$("${PACMAN[@]}" -Qqe | wc -l)" ]
	[ "$(json_field orphans <<<"$st")" = "$({ "${PACMAN[@]}" -Qdtq || true; } | wc -l)" ]
	[ "$(json_field updates <<<"$st")" = "$({ "${PACMAN[@]}" -Qu || true; } | wc -l)" ]
}
# wait_updates N: until omgd counts N updates (after a change to the sync databases; 5 s)
wait_updates() {
	local i
	for i in $(seq 1 100); do [ "$(json_field updates < <("$OMG" --json status))" = "$1" ] && return 0; sleep 0.05; done
	return 1
}

@test "the plan equals pacman --print's: -S with a dependency, a provided name, REPO/NAME, a conflict; -R, -Rs; -U" {
	same install -s omgt-app -- -S omgt-app
	same install -s omgt-needsvirt -- -S omgt-needsvirt
	same install -s omgt-virt -- -S omgt-virt
	same install -s omgtest/omgt-app -- -S omgtest/omgt-app
	same install -s omgt-app omgt-clash -- -S omgt-app omgt-clash
	same reinstall -s omgt-base -- -S omgt-base
	same install -s "$PKGS/omgt-local-1.0-1-any.pkg.tar.zst" -- -U "$PKGS/omgt-local-1.0-1-any.pkg.tar.zst"
	same remove -s omgt-base omgt-orphan -- -R omgt-base omgt-orphan
	same purge -s omgt-base -- -R omgt-base   # pacman takes no --print with -Rn: the same packages
	same autoremove -s -- -Rs $("${PACMAN[@]}" -Qdtq)
	# what pacman --print leaves out: the conflicting package removed, the kinds of change
	[ "$(removes install -s omgt-clash)" = "omgt-base 1.0-1" ]
	[ "$(omg_plan reinstall -s omgt-base)" = "reinstall omgt-base 1.0-1" ]
	[ "$(omg_plan purge -s omgt-base)" = "purge omgt-base 1.0-1" ]
	run "$OMG" --json install -s omgt-app
	[[ "$output" == *'"tool":"libalpm"'* && "$output" == *'"package":"omgt-app"'*'"requested":true'* ]]
	[[ "$output" == *'"package":"omgt-lib"'*'"requested":false,"automatic":true'* ]]
}

@test "the download and disk figures are libalpm's, as pacman sums them" {
	# pacman -Sp with %s: each package's download size in bytes (libalpm's alpm_pkg_download_size)
	want=$("${PACMAN[@]}" -S omgt-app --print --print-format '%s' | awk '{ s += $1 } END { print s }')
	[ "$want" -gt 0 ]
	[ "$(plan_field download_bytes install -s omgt-app)" = "$want" ]
	# once pacman has them in its cache, nothing is to be downloaded (as pacman says)
	"${PACMAN[@]}" -Sw --noconfirm omgt-app omgt-lib > /dev/null
	[ "$(plan_field download_bytes install -s omgt-lib)" = 0 ]
}

@test "refusals in pacman's words: a missing dependency, a broken dependency on removal, a name in no repository" {
	run -4 "$OMG" install -s omgt-broken
	want=$("${PACMAN[@]}" -S omgt-broken --print 2>&1 | sed -n 's/^:: //p')
	[ -n "$want" ]
	[[ "$output" == *"$want"* ]] || { echo "pacman: $want"; echo "$output"; false; }
	"${PACMAN[@]}" -S --noconfirm omgt-app > /dev/null
	wait_updates 0
	for i in $(seq 1 100); do "$OMG" list installed | grep -q omgt-app && break; sleep 0.05; done
	run -4 "$OMG" remove -s omgt-lib
	want=$("${PACMAN[@]}" -R omgt-lib --print 2>&1 | sed -n 's/^:: //p')
	[ -n "$want" ]
	[[ "$output" == *"$want"* ]] || { echo "pacman: $want"; echo "$output"; false; }
	# unknown to the index: did you mean, and nothing runs
	run -1 "$OMG" install -y omgt-bas
	[[ "$output" == *"did you mean omgt-base"* ]]
	# installed from a file, in no repository (what an AUR package is to pacman)
	"${PACMAN[@]}" -U --noconfirm "$PKGS/omgt-local-1.0-1-any.pkg.tar.zst" > /dev/null
	for i in $(seq 1 100); do "$OMG" list installed | grep -q omgt-local && break; sleep 0.05; done
	run -4 "$OMG" reinstall -y omgt-local
	[[ "$output" == *"omgt-local is in the AUR or another foreign source: omg does not build AUR packages (yet)"* ]]
	"${PACMAN[@]}" -Q omgt-local
}

@test "omg install -y: pacman installs what the plan said, pacman -Q equals it, the counts follow, the audit log has it" {
	planned=$(adds install -s omgt-app omgt-needsvirt)
	[ "$(wc -l <<<"$planned")" = 3 ]
	run "$OMG" install -y omgt-app omgt-needsvirt
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	[[ "$output" == *"Will run: pacman --root $ROOT "*" -S -- omgt-app omgt-needsvirt"* ]]
	[[ "$output" == *"Installing   omgt-lib"* && "$output" == *"Done in "*"3 installed."* ]]
	# every planned package is installed at the planned version
	diff <(echo "$planned") <("${PACMAN[@]}" -Q $(awk '{print $1}' <<<"$planned") | sort)
	# dependencies as dependencies, the named ones explicit (as pacman -S marks them)
	[ "$("${PACMAN[@]}" -Qqd omgt-lib)" = omgt-lib ] && [ "$("${PACMAN[@]}" -Qqe omgt-app)" = omgt-app ]
	counts_follow
	eventually_shows '*action*install omgt-app*result: exit 0*' "$OMG" audit log
}

@test "a conflict: the plan removes it, pacman removes it (--ask 4), pacman -Q equals the plan" {
	run "$OMG" install -s omgt-clash
	[[ "$output" == *"REMOVING (not asked for):"*"omgt-base"* ]]
	run "$OMG" install -y omgt-clash
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	[[ "$output" == *"-S --ask 4 -- omgt-clash"* && "$output" == *"1 installed, 1 removed."* ]]
	"${PACMAN[@]}" -Q omgt-clash
	run ! "${PACMAN[@]}" -Q omgt-base
	counts_follow
}

@test "-U of a package file: installed as the plan said" {
	run "$OMG" install -y "$PKGS/omgt-local-1.0-1-any.pkg.tar.zst"
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	[[ "$output" == *" -U -- $PKGS/omgt-local-1.0-1-any.pkg.tar.zst"* ]]
	[ "$("${PACMAN[@]}" -Q omgt-local)" = "omgt-local 1.0-1" ]
	counts_follow
}

@test "remove, purge and autoremove: pacman -Q afterwards is the plan's" {
	"${PACMAN[@]}" -S --noconfirm omgt-app > /dev/null
	"${PACMAN[@]}" -D --asdeps omgt-app > /dev/null  # omgt-app and its omgt-lib become orphans
	wait_updates 0
	for i in $(seq 1 100); do [ "$(json_field orphans < <("$OMG" --json status))" = 2 ] && break; sleep 0.05; done
	[ "$(removes remove -s omgt-base)" = "omgt-base 1.0-1" ]
	run "$OMG" remove -y omgt-base
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	run ! "${PACMAN[@]}" -Q omgt-base
	counts_follow
	# -Rs of the orphans: omgt-app, then omgt-lib that only it needed, and omgt-orphan
	planned=$(removes autoremove -s)
	[ "$planned" = "$(printf 'omgt-app 1.0-1\nomgt-lib 1.0-1\nomgt-orphan 1.0-1')" ]
	run "$OMG" autoremove -y
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	[[ "$output" == *" -Rs -- "* && "$output" == *"3 removed."* ]]
	[ -z "$("${PACMAN[@]}" -Qq)" ]
	counts_follow
	[ "$(json_field orphans < <("$OMG" --json status))" = 0 ]
}

@test "remove keeps a changed backup file as .pacsave (pacman -R), purge does not (pacman -Rn)" {
	"${PACMAN[@]}" -S --noconfirm omgt-conf > /dev/null
	echo "setting = 2" > "$ROOT/etc/omgt.conf"
	for i in $(seq 1 100); do "$OMG" list installed | grep -q omgt-conf && break; sleep 0.05; done
	run "$OMG" remove -y omgt-conf
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	[ "$(cat "$ROOT/etc/omgt.conf.pacsave")" = "setting = 2" ]
	rm "$ROOT/etc/omgt.conf.pacsave"
	"${PACMAN[@]}" -S --noconfirm omgt-conf > /dev/null
	echo "setting = 3" > "$ROOT/etc/omgt.conf"
	for i in $(seq 1 100); do "$OMG" list installed | grep -q omgt-conf && break; sleep 0.05; done
	[ "$(omg_plan purge -s omgt-conf)" = "purge omgt-conf 1.0-1" ]
	run "$OMG" purge -y omgt-conf
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	[[ "$output" == *" -Rn -- omgt-conf"* ]]
	run ! "${PACMAN[@]}" -Q omgt-conf
	[ ! -e "$ROOT/etc/omgt.conf" ] && [ ! -e "$ROOT/etc/omgt.conf.pacsave" ]
	counts_follow
}

@test "omg update runs pacman -Sy: the new versions count; the upgrade plan equals pacman -Sup's and pacman -Su installs it" {
	cp "$PKGS"/omgt-base-2.0-1-any.pkg.tar.zst "$PKGS"/omgt-lib-2.0-1-any.pkg.tar.zst "$REPO/"
	republish omgt-base-2.0-1-any.pkg.tar.zst omgt-lib-2.0-1-any.pkg.tar.zst
	run "$OMG" update
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	[[ "$output" == *" -Sy"* && "$output" == *"1 package can be upgraded"* ]] || { echo "$output"; false; }
	counts_follow
	same upgrade -s -- -Su
	[ "$(omg_plan upgrade -s)" = "upgrade omgt-base 2.0-1" ]
	same upgrade --full -s -- -Su
	run "$OMG" upgrade -y
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	[[ "$output" == *" --color never -Su"$'\n'* && "$output" == *"Upgrading    omgt-base"* && "$output" == *"1 upgraded."* ]]
	[ "$("${PACMAN[@]}" -Q omgt-base)" = "omgt-base 2.0-1" ]
	counts_follow
	[ "$(json_field updates < <("$OMG" --json status))" = 0 ]
}

@test "IgnorePkg: the upgrade keeps the package back, as pacman -Su does" {
	cp "$PKGS"/omgt-base-2.0-1-any.pkg.tar.zst "$REPO/"
	republish omgt-base-2.0-1-any.pkg.tar.zst
	sed -i 's/^SigLevel = Never$/&\nIgnorePkg = omgt-base/' "$ROOT/etc/pacman.conf"
	"${PACMAN[@]}" -Sy > /dev/null
	wait_updates 1
	[ -z "$(pacman_print -Su)" ]
	run "$OMG" --json upgrade -s
	[[ "$output" == *'"packages":[]'* && "$output" == *'"kept_back":["omgt-base"]'* ]] || { echo "$output"; false; }
}

@test "pacman's lock file: omg waits while db.lck exists and names it, gives up after --lock-timeout, runs once it is gone" {
	touch "$ROOT/var/lib/pacman/db.lck"
	run -4 "$OMG" --lock-timeout 1 remove -y omgt-base
	[[ "$output" == *"Waiting for $ROOT/var/lib/pacman/db.lck: held while the file exists: another pacman is running"* ]]
	[[ "$output" == *"db.lck still exists"*"gave up"* ]]
	"${PACMAN[@]}" -Q omgt-base
	# the plan does not take the lock: it is made while db.lck exists
	[ "$(removes remove -s omgt-base)" = "omgt-base 1.0-1" ]
	(sleep 1; rm -f "$ROOT/var/lib/pacman/db.lck") &
	remover=$!
	run "$OMG" --lock-timeout 60 remove -y omgt-base
	wait "$remover"
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	[[ "$output" == *"Waiting for $ROOT/var/lib/pacman/db.lck"* ]]
	run ! "${PACMAN[@]}" -Q omgt-base
}

@test "mark auto|manual run pacman -D; hold has no pacman equivalent (exit 2)" {
	run "$OMG" mark auto omgt-base
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	[[ "$output" == *" -D --asdeps -- omgt-base"* ]]
	[ "$("${PACMAN[@]}" -Qqd omgt-base)" = omgt-base ]
	counts_follow
	[ "$(json_field orphans < <("$OMG" --json status))" = 2 ]
	run "$OMG" mark manual omgt-orphan
	[ "$status" -eq 0 ]
	[ "$("${PACMAN[@]}" -Qqe omgt-orphan)" = omgt-orphan ]
	counts_follow
	run -2 "$OMG" hold omgt-base
	[[ "$output" == *"pacman has no hold: list the package in IgnorePkg in $ROOT/etc/pacman.conf"* ]]
	run -2 "$OMG" unhold omgt-base
}

@test "omg history on Arch: pacman's own log (its transactions, the command that ran them)" {
	[ -s "$ROOT/var/log/pacman.log" ] || { ls -la "$ROOT/var/log" >&2; false; }
	run "$OMG" history
	[[ "$output" == *"Commandline: pacman "*" -S --noconfirm omgt-base"$'\n'"Install: omgt-base (1.0-1)"*"Log: pacman.log"* ]] || { echo "$output"; false; }
	[[ "$output" == *"Install: omgt-orphan ("* ]]
	# a removal by pacman itself, seen in its log and by omgd: one entry
	"${PACMAN[@]}" -R --noconfirm omgt-orphan > /dev/null
	eventually_shows "*Remove: omgt-orphan (*Audit-Record: *Log: pacman.log*" "$OMG" history
	[ "$("$OMG" history | grep -c '^Remove: omgt-orphan')" = 1 ]
	[[ "$("$OMG" history)" != *"Log: none"* ]]
}
