# act_helpers.bash — the test bed of the tests that act (install, remove, upgrade): a fresh
# copy of the real root bookworm-act for each test (make-real-root.sh; its packages come from
# make-apt-repo.sh's repository in /srv/omgtest, a file: source, so everything works offline),
# and the root's own apt and dpkg run in it by chroot as the oracle. Load after helpers:
#
#   load helpers
#   load act_helpers
#   setup()    { omg_setup; act_root_setup; }     # ROOT = a fresh copy, this test's own
#   teardown() { stop_omgd; act_root_teardown; }
#
# act_root_setup skips the test (with the reason) in the sanitized pass (OMG_SKIP_REALROOTS),
# when not root, and when OMG_NO_NETWORK=1 and the root is not cached; a root that cannot be
# built otherwise fails the test with the end of the build's log, as realroots.bats does.
#
# The copy: the root is restored once per .bats file into $BATS_FILE_TMPDIR/act-base (a few
# seconds from the cache tarball), then each test gets an overlay mount of it at ROOT (its
# writes go to $BATS_TEST_TMPDIR/act-upper; the base is never changed), or, where overlayfs
# cannot be mounted (or OMG_ACT_COPY=1), a cp -a copy (about 2 s). ACT_ROOT_MODE tells which.
#
# What the root holds (make-real-root.sh bookworm-act, make-apt-repo.sh):
#   sources     /etc/apt/sources.list.d/omgtest.list: deb [signed-by=/usr/share/keyrings/omgtest.gpg]
#               file:/srv/omgtest one main — the only source; lists present
#   installed   omgtest-base 1.0, omgtest-conf 1.0 (auto: an orphan), omgtest-essential 1.0
#   available   omgtest-app (Depends omgtest-lib), omgtest-lib, omgtest-noisy, omgtest-fails,
#               omgtest-clash, omgtest-files, omgtest-virtual-a/-b, omgtest-big (suite one)
#   suite two   omgtest-base, omgtest-lib, omgtest-conf at 2.0 (repo_enable_two)
#   user        omguser (uid 4242, home /home/omguser), sudo without a password

ACT_ROOT_NAME=bookworm-act
ACT_REAL_ROOT=${OMG_SRCDIR:?}/tests/fixtures/make-real-root.sh
ACT_SOURCE_TWO="deb [signed-by=/usr/share/keyrings/omgtest.gpg] file:/srv/omgtest two main"

# act_root_base: ACT_BASE, the root restored (or built) once for this .bats file. Skips or
# fails the test (see above) when it cannot be had.
act_root_base() {
	ACT_BASE=$BATS_FILE_TMPDIR/act-base
	local rc=0 t0
	[ -z "${OMG_SKIP_REALROOTS:-}" ] || skip "real roots run in the plain build"
	[ "$(id -u)" = 0 ] || skip "the act root needs root (chroot, mount)"
	[ -f "$ACT_BASE.ok" ] && return 0
	[ -f "$ACT_BASE.skip" ] && skip "$(cat "$ACT_BASE.skip")"
	if [ ! -f "$ACT_BASE.failed" ]; then
		t0=$(date +%s%N)
		"$ACT_REAL_ROOT" "$ACT_ROOT_NAME" "$ACT_BASE" > "$ACT_BASE.log" 2>&1 || rc=$?
		echo "$(( ($(date +%s%N) - t0) / 1000000 ))" > "$ACT_BASE.ms"
		if [ "$rc" = 77 ]; then
			echo "OMG_NO_NETWORK=1 and no cached $ACT_ROOT_NAME root" > "$ACT_BASE.skip"
			skip "$(cat "$ACT_BASE.skip")"
		fi
		[ "$rc" = 0 ] && { touch "$ACT_BASE.ok"; return 0; }
		echo "$rc" > "$ACT_BASE.failed"
	fi
	tail -25 "$ACT_BASE.log" 2>/dev/null
	echo "make-real-root.sh $ACT_ROOT_NAME failed (exit $(cat "$ACT_BASE.failed")): the act root could not be had; see above"
	return 1
}

# act_root_setup: ROOT, a fresh copy of the act root for this test (overlay or cp -a, see
# above); ACT_ROOT_MODE is overlay or copy, ACT_SETUP_MS what the copy took.
act_root_setup() {
	act_root_base || return 1
	ROOT=$BATS_TEST_TMPDIR/root
	local t0 up=$BATS_TEST_TMPDIR/act-upper wk=$BATS_TEST_TMPDIR/act-work
	t0=$(date +%s%N)
	ACT_ROOT_MODE=copy
	if [ "${OMG_ACT_COPY:-}" != 1 ] && [ ! -f "$BATS_FILE_TMPDIR/act-no-overlay" ]; then
		mkdir -p "$ROOT" "$up" "$wk"
		if mount -t overlay overlay -o "lowerdir=$ACT_BASE,upperdir=$up,workdir=$wk" "$ROOT" 2> "$BATS_TEST_TMPDIR/act-mount.err"; then
			ACT_ROOT_MODE=overlay
		else
			echo "# overlayfs: $(cat "$BATS_TEST_TMPDIR/act-mount.err"); copying the root for each test instead" >&3
			touch "$BATS_FILE_TMPDIR/act-no-overlay"
			rm -rf "$ROOT" "$up" "$wk"
		fi
	fi
	[ "$ACT_ROOT_MODE" = overlay ] || cp -a "$ACT_BASE" "$ROOT"
	# sudo inside resolves the host's name (the chroot keeps it): no "unable to resolve host"
	grep -qw "$(hostname)" "$ROOT/etc/hosts" 2>/dev/null || echo "127.0.1.1 $(hostname)" >> "$ROOT/etc/hosts"
	ACT_SETUP_MS=$(( ($(date +%s%N) - t0) / 1000000 ))
	export ROOT ACT_ROOT_MODE
}

# act_root_teardown: the overlay of this test unmounted (call stop_omgd before: nothing may
# keep files of ROOT open). Safe to call when act_root_setup skipped or failed.
act_root_teardown() {
	[ -n "${ROOT:-}" ] && mountpoint -q "$ROOT" 2>/dev/null || return 0
	umount "$ROOT" 2>/dev/null || umount -l "$ROOT"
}

# in_root CMD...: CMD inside ROOT by chroot, as root, with a clean environment in the C locale
# (noninteractive debconf). Its status is CMD's.
in_root() {
	chroot "$ROOT" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C HOME=/root \
		DEBIAN_FRONTEND=noninteractive "$@"
}

# as_user CMD...: CMD inside ROOT as omguser (a login shell's environment, sudo allowed).
# CMD is one string, run by sh -c (e.g. as_user 'sudo -n apt-get -s install omgtest-app').
as_user() {
	chroot "$ROOT" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C \
		su -s /bin/sh omguser -c "$*"
}

# root_apt ARGS...: apt-get inside ROOT, answering yes, without a pty, no colour (Dpkg::Use-Pty=0:
# the maintainer scripts' output comes on apt-get's own stdout and stderr).
root_apt() { in_root apt-get -y -q -o Dpkg::Use-Pty=0 -o APT::Color=0 "$@"; }

# root_apt_status_fd FILE ARGS...: root_apt ARGS with APT::Status-Fd=3 written into a FIFO
# (ROOT/tmp/omgtest-status.fifo, read into FILE), the way a caller outside the root (or sudo,
# which closes fds >= 3) must do it. stdout and stderr are apt-get's; the status is its.
root_apt_status_fd() {
	local out=$1 fifo=/tmp/omgtest-status.fifo rc=0 reader; shift
	rm -f "$ROOT$fifo"; mkfifo "$ROOT$fifo"
	cat "$ROOT$fifo" > "$out" &
	reader=$!
	in_root sh -c 'exec 3>"$0"; exec apt-get -y -q -o APT::Status-Fd=3 -o Dpkg::Use-Pty=0 -o APT::Color=0 "$@"' \
		"$fifo" "$@" || rc=$?
	wait "$reader" || true
	rm -f "$ROOT$fifo"
	return $rc
}

# repo_enable_two: the second suite of the repository (omgtest-base, -lib, -conf at 2.0) added
# as a source (/etc/apt/sources.list.d/omgtest-two.list) and apt-get update run inside;
# upgrades are then available. repo_disable_two takes it away again (and updates).
repo_enable_two() {
	echo "$ACT_SOURCE_TWO" > "$ROOT/etc/apt/sources.list.d/omgtest-two.list"
	in_root apt-get update -q >/dev/null
}
repo_disable_two() {
	rm -f "$ROOT/etc/apt/sources.list.d/omgtest-two.list"
	in_root apt-get update -q >/dev/null
}

# root_state PKG: dpkg's state of PKG inside ROOT (installed, half-configured, unpacked,
# config-files, not-installed, ...); root_version PKG: its installed version, or nothing.
root_state() {
	local s
	s=$(in_root dpkg-query -W -f '${db:Status-Status}' "$1" 2>/dev/null) || true
	echo "${s:-not-installed}"
}
root_version() {
	[ "$(root_state "$1")" = not-installed ] || in_root dpkg-query -W -f '${Version}' "$1" 2>/dev/null
}
# root_installed_count: the packages dpkg has in state "installed" inside ROOT (omg's
# "installed" count, as realroots.bats and counts.bats count it).
root_installed_count() {
	in_root dpkg-query -W -f '${db:Status-Status}\n' | grep -cx installed || true
}
