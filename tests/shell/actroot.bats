#!/usr/bin/env bats
# The test bed of the tests that act: the real root bookworm-act (make-real-root.sh) with the
# omgtest repository (make-apt-repo.sh) as its only, offline source, a fresh copy for each test
# (act_helpers.bash), and the real apt and dpkg run inside by chroot. These tests prove the bed
# and the oracle: each case of the repository does what it is made for, with real results,
# Status-Fd through a FIFO (as root and through sudo as omguser) gives pmstatus lines, and omgd
# on the root counts what dpkg counts.

load helpers
load act_helpers

setup() {
	omg_setup
	act_root_setup
	export NATIVE=$(dpkg --print-architecture)
	export OMG_READY_TRIES=600
}

teardown() { stop_omgd; act_root_teardown; }

@test "act root: restored from the cache (or built), a fresh copy per test, only the file: source" {
	echo "# restore of $ACT_ROOT_NAME into the file's directory: $(cat "$ACT_BASE.ms") ms; this test's copy ($ACT_ROOT_MODE): $ACT_SETUP_MS ms" >&3
	sed -n 's/^make-real-root.sh: /# /p' "$ACT_BASE.log" >&3
	[ "$(cat "$ROOT/etc/apt/sources.list.d/omgtest.list")" = "deb [signed-by=/usr/share/keyrings/omgtest.gpg] file:/srv/omgtest one main" ]
	[ ! -e "$ROOT/etc/apt/sources.list" ]
	[ "$(ls "$ROOT/etc/apt/sources.list.d")" = omgtest.list ]
	[ -s "$ROOT/usr/share/keyrings/omgtest.gpg" ]
	ls "$ROOT"/var/lib/apt/lists/_srv_omgtest_dists_one_main_binary-*_Packages
	! ls "$ROOT"/var/lib/apt/lists/deb.debian.org_* 2>/dev/null
	[ "$(root_version omgtest-base)" = 1.0 ]
	[ "$(root_version omgtest-conf)" = 1.0 ]
	[ "$(root_version omgtest-essential)" = 1.0 ]
	[ "$(in_root apt-mark showauto)" = omgtest-conf ]
	# update and install work with no network at all (a network namespace of its own), signature checked
	run unshare --net chroot "$ROOT" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C apt-get update
	[ "$status" = 0 ]
	[[ $output == *"file:/srv/omgtest one InRelease"* ]]
	[[ $output != *W:* && $output != *E:* ]]
	run unshare --net chroot "$ROOT" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C apt-get install -y -q omgtest-app
	[ "$status" = 0 ]
	[ "$(root_state omgtest-app)" = installed ]
	# a change in one test's copy is not in the next one's
	in_root dpkg -r omgtest-base >/dev/null
	[ "$(root_state omgtest-base)" = config-files ] || [ "$(root_state omgtest-base)" = not-installed ]
}

@test "act root: the previous test's changes are not in this copy" {
	[ "$(root_version omgtest-base)" = 1.0 ]
	[ "$(root_state omgtest-app)" = not-installed ]
	echo "# this test's copy ($ACT_ROOT_MODE): $ACT_SETUP_MS ms" >&3
}

@test "apt-get -s install omgtest-app plans omgtest-app and its dependency omgtest-lib" {
	run in_root apt-get -s install omgtest-app
	[ "$status" = 0 ]
	grep -q '^Inst omgtest-lib (1\.0 omgtest:one \[all\])' <<< "$output"
	grep -q '^Inst omgtest-app (1\.0 omgtest:one \[all\])' <<< "$output"
	[ "$(grep -c '^Inst ' <<< "$output")" = 2 ]
	# a simulation changes nothing
	[ "$(root_state omgtest-app)" = not-installed ]
}

@test "apt-get install omgtest-noisy: its postinst's lines on stdout and stderr, then installed" {
	root_apt install omgtest-noisy > "$BATS_TEST_TMPDIR/out" 2> "$BATS_TEST_TMPDIR/err"
	grep -q '^omgtest-noisy: postinst stdout line 1 (configure)$' "$BATS_TEST_TMPDIR/out"
	grep -q '^omgtest-noisy: postinst stdout line 3$' "$BATS_TEST_TMPDIR/out"
	grep -q '^omgtest-noisy: postinst stderr line 1$' "$BATS_TEST_TMPDIR/err"
	grep -q '^omgtest-noisy: postinst stderr line 2$' "$BATS_TEST_TMPDIR/err"
	[ "$(root_state omgtest-noisy)" = installed ]
	[ "$(in_root omgtest-noisy)" = noisy ]
}

@test "installing omgtest-fails exits non-zero: its postinst fails, dpkg leaves it half-configured" {
	run root_apt install omgtest-fails
	[ "$status" != 0 ]
	[[ $output == *"omgtest-fails: postinst fails on purpose"* ]]
	[[ $output == *"installed omgtest-fails package post-installation script subprocess returned error exit status 1"* ]]
	[ "$(root_state omgtest-fails)" = half-configured ]
}

@test "installing omgtest-clash removes omgtest-base (Conflicts)" {
	run root_apt install omgtest-clash
	[ "$status" = 0 ]
	[[ $output == *"The following packages will be REMOVED:"*omgtest-base* ]]
	[ "$(root_state omgtest-clash)" = installed ]
	[ "$(root_state omgtest-base)" = not-installed ] || [ "$(root_state omgtest-base)" = config-files ]
	[ ! -e "$ROOT/usr/bin/omgtest-hello" ]
}

@test "installing omgtest-files fails at unpack: it would overwrite omgtest-base's file" {
	run root_apt_status_fd "$BATS_TEST_TMPDIR/status" install omgtest-files
	[ "$status" != 0 ]
	[[ $output == *"trying to overwrite '/usr/share/omgtest/shared.txt', which is also in package omgtest-base 1.0"* ]]
	grep -q "^pmerror:.*omgtest-files_1.0_all.deb:[0-9.]*:trying to overwrite '/usr/share/omgtest/shared.txt'" "$BATS_TEST_TMPDIR/status"
	[ "$(root_state omgtest-files)" = not-installed ]
	[ "$(root_version omgtest-base)" = 1.0 ]
}

@test "removing omgtest-essential with -y is refused (Essential: yes) and it stays" {
	run root_apt remove omgtest-essential
	[ "$status" != 0 ]
	[[ $output == *"essential packages will be removed"* ]]
	[[ $output == *"--allow-remove-essential"* ]]
	[ "$(root_state omgtest-essential)" = installed ]
}

@test "omgtest-virtual is provided by omgtest-virtual-a and -b: apt asks to choose" {
	run in_root apt-get -s install omgtest-virtual
	[ "$status" != 0 ]
	[[ $output == *"omgtest-virtual is a virtual package provided by"* ]]
	[[ $output == *omgtest-virtual-a* && $output == *omgtest-virtual-b* ]]
	run in_root apt-get -s install omgtest-virtual-b
	[ "$status" = 0 ]
	grep -q '^Inst omgtest-virtual-b ' <<< "$output"
}

@test "omgtest-big is a real download: apt plans more than 500 kB" {
	# --print-uris: no action, the URI, name, size and hash of each file to get
	run in_root apt-get -qq --print-uris install omgtest-big
	[ "$status" = 0 ]
	# 'file:/srv/omgtest/pool/omgtest-big_1.0_all.deb' omgtest-big_1.0_all.deb SIZE HASH
	size=$(awk '/omgtest-big_1.0_all.deb/ { print $3 }' <<< "$output")
	[ "$size" -gt 500000 ]
}

@test "with suite two added, apt-get -s upgrade brings omgtest-base and omgtest-conf to 2.0" {
	run in_root apt-get -s upgrade
	[ "$status" = 0 ]
	! grep -q '^Inst ' <<< "$output"
	repo_enable_two
	run in_root apt-get -s upgrade
	[ "$status" = 0 ]
	grep -q '^Inst omgtest-base \[1\.0\] (2\.0 omgtest:two \[all\])' <<< "$output"
	grep -q '^Inst omgtest-conf \[1\.0\] (2\.0 omgtest:two \[all\])' <<< "$output"
	[ "$(grep -c '^Inst ' <<< "$output")" = 2 ]
	in_root apt list --upgradable 2>/dev/null | grep -q '^omgtest-base/two 2\.0 all \[upgradable from: 1\.0\]$'
	repo_disable_two
	run in_root apt-get -s upgrade
	! grep -q '^Inst ' <<< "$output"
}

# apt 2.6 names the native architecture in pmstatus messages, for Architecture: all packages too
# ("Installed omgtest-app (amd64)"); dlstatus lines may repeat.
@test "Status-Fd through a FIFO: pmstatus lines for omgtest-app and omgtest-lib" {
	root_apt_status_fd "$BATS_TEST_TMPDIR/status" install omgtest-app > "$BATS_TEST_TMPDIR/out"
	cat "$BATS_TEST_TMPDIR/status" | head -40
	grep -q '^pmstatus:omgtest-app:[0-9.]*:Installed omgtest-app ([a-z0-9]*)$' "$BATS_TEST_TMPDIR/status"
	grep -q '^pmstatus:omgtest-lib:[0-9.]*:Installed omgtest-lib ([a-z0-9]*)$' "$BATS_TEST_TMPDIR/status"
	grep -q '^pmstatus:omgtest-app:[0-9.]*:Unpacking omgtest-app ([a-z0-9]*)$' "$BATS_TEST_TMPDIR/status"
	! grep -v '^\(pmstatus\|dlstatus\):' "$BATS_TEST_TMPDIR/status"
	[ "$(root_state omgtest-app)" = installed ]
	[ "$(in_root omgtest-app)" = "omgtest-lib 1.0" ]
}

@test "Status-Fd as omguser through sudo (FIFO made by the caller): pmstatus lines, Requested-By in history.log" {
	mkfifo "$ROOT/tmp/user.fifo"   # by the caller (sudo closes the caller's fds >= 3)
	cat "$ROOT/tmp/user.fifo" > "$BATS_TEST_TMPDIR/status" &
	reader=$!
	run as_user "sudo -n sh -c 'exec 3>/tmp/user.fifo; exec apt-get -y -q -o APT::Status-Fd=3 -o Dpkg::Use-Pty=0 install omgtest-noisy'"
	wait "$reader"
	[ "$status" = 0 ]
	grep -q '^pmstatus:omgtest-noisy:[0-9.]*:Installed omgtest-noisy ([a-z0-9]*)$' "$BATS_TEST_TMPDIR/status"
	grep -q '^Requested-By: omguser (4242)$' "$ROOT/var/log/apt/history.log"
}

@test "omgtest-conf 2.0 over an edited conffile, stdin closed: pmconffile, then pmerror, the old file kept" {
	echo "setting = mine" >> "$ROOT/etc/omgtest-conf.conf"
	repo_enable_two
	run root_apt_status_fd "$BATS_TEST_TMPDIR/status" install omgtest-conf < /dev/null
	[ "$status" != 0 ]
	grep -q "^pmconffile:/etc/omgtest-conf.conf:[0-9.]*:'/etc/omgtest-conf.conf' '/etc/omgtest-conf.conf.dpkg-new' 1 1 *$" "$BATS_TEST_TMPDIR/status"
	grep -q '^pmerror:omgtest-conf:' "$BATS_TEST_TMPDIR/status"
	grep -q '^setting = mine$' "$ROOT/etc/omgtest-conf.conf"
	# the same with dpkg told to keep the old file: 2.0 installed, the edit kept
	root_apt -o Dpkg::Options::=--force-confold install omgtest-conf
	[ "$(root_version omgtest-conf)" = 2.0 ]
	grep -q '^setting = mine$' "$ROOT/etc/omgtest-conf.conf"
}

@test "omgd on the act root: installed, explicit, orphans and updates equal dpkg's and apt's inside" {
	start_omgd --root "$ROOT"
	s=$("$OMG" --json status)
	[ "$(json_field installed <<< "$s")" = "$(root_installed_count)" ]
	[ "$(json_field explicit <<< "$s")" = "$(in_root apt-mark showmanual | wc -l)" ]
	[ "$(json_field orphans <<< "$s")" = "$(in_root apt-get -s autoremove | grep -c '^Remv ')" ]
	[ "$(json_field orphans <<< "$s")" = 1 ]
	[ "$(json_field updates <<< "$s")" = 0 ]
}

@test "omgd on the act root with suite two: the updates equal apt list --upgradable" {
	repo_enable_two
	start_omgd --root "$ROOT"
	diff <(omg_list_names upgradable) <(in_root apt list --upgradable 2>/dev/null | apt_upgradable_names)
	[ "$("$OMG" --json status | json_field updates)" = 2 ]
}

@test "the repository's signature is checked: a Release changed after signing is refused, the old lists kept" {
	cp "$ROOT/var/lib/apt/lists/_srv_omgtest_dists_one_InRelease" "$BATS_TEST_TMPDIR/InRelease.before"
	sed -i 's/^Description: omg test repository, suite one$/Description: changed after signing/' "$ROOT/srv/omgtest/dists/one/InRelease"
	run in_root apt-get update
	# apt 2.6: a warning, not an error, and exit 0 while the previous lists are there
	[[ $output == *"BADSIG"* ]]
	[[ $output == *"The repository is not updated and the previous index files will be used"* ]]
	cmp "$ROOT/var/lib/apt/lists/_srv_omgtest_dists_one_InRelease" "$BATS_TEST_TMPDIR/InRelease.before"
}
