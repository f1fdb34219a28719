#!/usr/bin/env bats
# The Debian package (debian/, docs/packaging.md). Built by dpkg-buildpackage -us -uc -b from
# the tree make dist ships (make distdir: a file of debian/ missing from EXTRA_DIST fails the
# build), lintian-clean (what is left is overridden, with the reason, in
# debian/omg.lintian-overrides), then installed by apt-get inside a real bookworm root
# (make-real-root.sh bookworm-deb, cached), where omg status equals dpkg and apt, the modules
# load from the shells' own directories, a new interactive bash with the documented line shows
# the counts in its first prompt with no command typed, and apt-get purge leaves nothing of the
# package. Every command inside the root runs in a PID and mount namespace of its own (its
# /proc, the host's /dev): when it ends, the omgd it started ends too and nothing stays mounted.
#
# Needs root (chroot, namespaces), dpkg-buildpackage, debhelper, lintian and, for a cold root,
# mmdebstrap and Debian's archive. Measured on 2 shared cores: about 3 min warm, of which the
# package build (the whole project compiled once, DEB_BUILD_OPTIONS=nocheck) is 1.5 to 2; a
# cold root adds about 1.5 min (mmdebstrap from Debian's archive, then cached).

load helpers

REAL_ROOT=${OMG_SRCDIR}/tests/fixtures/make-real-root.sh
U=4242   # omguser in the root (make-real-root.sh bookworm-deb)

setup() {
	# the sanitized build's pass: the package is built from the sources, not from this build
	[ -z "${OMG_SKIP_REALROOTS:-}" ] || skip "the Debian package is built and tested in the plain build"
	W=$BATS_FILE_TMPDIR
	export NATIVE=$(dpkg --print-architecture)
	VERSION=$(sed -n 's/^#define PACKAGE_VERSION "\(.*\)"/\1/p' "$OMG_BUILDDIR/config.h")
	DEB=$W/omg_${VERSION}_$NATIVE.deb
	ROOT=$W/root
}

need() {
	local t
	for t in "$@"; do command -v "$t" >/dev/null || skip "$t is not installed (setup.sh installs it)"; done
}

# built: the source package (dpkg-source -b) and the binary packages (dpkg-buildpackage -us
# -uc -b) of the distributed tree, once for this file; W/build.log says what happened.
built() {
	need dpkg-buildpackage dh
	[ -f "$W/built.ok" ] && return 0
	if [ ! -f "$W/built.failed" ]; then
		if (
			set -e
			env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL timeout 300 \
				make -s -C "$OMG_BUILDDIR" distdir distdir="$W/omg-$VERSION"
			cd "$W"
			timeout 120 dpkg-source -b "omg-$VERSION"
			cd "omg-$VERSION"
			DEB_BUILD_OPTIONS="parallel=2 nocheck" timeout 1200 dpkg-buildpackage -us -uc -b
		) > "$W/build.log" 2>&1; then
			touch "$W/built.ok"; return 0
		fi
		touch "$W/built.failed"
	fi
	tail -30 "$W/build.log"
	echo "the package did not build (all of it: $W/build.log)"
	return 1
}

# in_root [--user] CMD...: CMD inside ROOT (as omguser with --user, in the environment a login
# gives: HOME, XDG_RUNTIME_DIR=/run/user/4242 private), in a PID and mount namespace of its own
# (a new /proc, the host's /dev, a tmpfs on /run/user), 120 s at most (IN_ROOT_TIMEOUT).
in_root() {
	local who=0:0 envs=(HOME=/root)
	if [ "$1" = --user ]; then
		shift; who=$U:$U
		envs=(HOME=/home/omguser USER=omguser LOGNAME=omguser SHELL=/bin/bash XDG_RUNTIME_DIR=/run/user/$U)
	fi
	timeout -k 5 "${IN_ROOT_TIMEOUT:-120}" unshare --pid --fork --kill-child --mount --propagation private -- \
		/bin/sh -c '
		R=$1 who=$2 u=$3; shift 3
		mount -t proc proc "$R/proc" && mount --rbind /dev "$R/dev" &&
			mount -t tmpfs -o mode=0755 tmpfs "$R/run/user" &&
			install -d -m 0700 -o "$u" -g "$u" "$R/run/user/$u" || exit 125
		chroot --userspec="$who" --groups="${who%:*}" "$R" "$@"' \
		sh "$ROOT" "$who" "$U" env -i PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin LANG=C.UTF-8 \
		TERM="${TERM_IN_ROOT:-dumb}" "${envs[@]}" "$@"
}

# the list of the root's files (not /proc, /dev, /run, /tmp), for the purge's comparison
root_files() {
	(cd "$ROOT" && find . -xdev \( -path ./proc -o -path ./dev -o -path ./run -o -path ./tmp \) -prune -o -print) |
		sed 's|^\.||' | LC_ALL=C sort
}

# apt_in_root ARGS...: apt-get ARGS inside ROOT (10 min at most); when that fails because the
# root's lists are older than the archive (a .deb they name is gone), apt-get update and again.
apt_in_root() {
	local a=(env DEBIAN_FRONTEND=noninteractive apt-get -y -q -o Dpkg::Use-Pty=0 "$@")
	IN_ROOT_TIMEOUT=600 in_root "${a[@]}" && return 0
	IN_ROOT_TIMEOUT=600 in_root apt-get update -q && IN_ROOT_TIMEOUT=600 in_root "${a[@]}"
}

# rooted: ROOT restored (or built) once for this file; the package's Depends installed by apt
# from Debian's archive (apt-get satisfy of the .deb's own field: the recipe's cache may have
# them), the root's file list kept (W/files.before: the purge must come back to it), then the
# package installed by apt-get install ./omg_*.deb (W/install.log).
rooted() {
	[ -f "$W/root.ok" ] && return 0
	built || return 1
	[ "$(id -u)" = 0 ] || { echo "the root needs root (mmdebstrap, chroot, namespaces)"; return 1; }
	need unshare chroot
	if [ ! -f "$W/root.failed" ]; then
		local rc=0
		timeout 1500 "$REAL_ROOT" bookworm-deb "$ROOT" > "$W/root.log" 2>&1 || rc=$?
		if [ "$rc" = 77 ] && [ "${OMG_NO_NETWORK:-}" = 1 ]; then
			skip "OMG_NO_NETWORK=1 and no cached bookworm-deb root"
		fi
		if [ "$rc" = 0 ]; then
			mkdir -p "$ROOT/run/user"
			cp "$DEB" "$ROOT/tmp/"
			if apt_in_root satisfy "$(dpkg-deb -f "$DEB" Depends)" >> "$W/root.log" 2>&1 &&
				root_files > "$W/files.before" &&
				apt_in_root install "/tmp/${DEB##*/}" > "$W/install.log" 2>&1; then
				rm -f "$ROOT/tmp/${DEB##*/}"
				touch "$W/root.ok"; return 0
			fi
			cat "$W/install.log" >> "$W/root.log" 2>/dev/null
		fi
		touch "$W/root.failed"
	fi
	tail -30 "$W/root.log"
	echo "the bookworm root with the package could not be made (all of it: $W/root.log)"
	return 1
}

@test "dpkg-buildpackage -us -uc -b builds omg from the distributed tree" {
	built
	[ -f "$DEB" ] && [ -f "$W/omg_${VERSION}_$NATIVE.changes" ] && [ -f "$W/omg_$VERSION.dsc" ]
	[ "$(dpkg-deb -f "$DEB" Package)" = omg ]
	[ "$(dpkg-deb -f "$DEB" Version)" = "$VERSION" ]
	# the libraries come from shlibs, not from a list written by hand
	run dpkg-deb -f "$DEB" Depends
	echo "Depends: $output"
	[[ $output == *libc6* && $output == *liblmdb0* && $output == *libarchive13* ]]
	# dh_installsystemduser's postinst enables the user units for every user
	dpkg-deb --ctrl-tarfile "$DEB" | tar -xO ./postinst | grep -q "deb-systemd-helper --user enable 'omgd.socket'"
}

@test "lintian: no tag at all on the source and the binaries, but the overridden ones (each with its reason)" {
	need lintian
	built
	cd "$W"
	# every override has its reason: a comment right above it
	awk '/^#/ { c = 1; next } /^[[:space:]]*$/ { c = 0; next } !c { print FILENAME ": no reason above: " $0; bad = 1 }
		END { exit bad }' "omg-$VERSION"/debian/*lintian-overrides
	run timeout 600 lintian --pedantic --display-info --display-experimental --tag-display-limit 0 \
		"omg_$VERSION.dsc" "omg_${VERSION}_$NATIVE.changes"
	echo "$output"
	[ "$status" -eq 0 ]
	# (as root lintian says so on stderr: not a tag)
	[ -z "$(grep -v '^running with root privileges is not recommended!$' <<<"$output")" ]
}

@test "apt-get install ./omg.deb inside bookworm: the files where the shells and systemd look" {
	rooted
	# its Depends were there (apt-get satisfy): the .deb alone is installed
	grep -q '^0 upgraded, 1 newly installed, 0 to remove' "$W/install.log"
	[ "$(in_root dpkg-query -W -f '${db:Status-Status} ${Version}' omg)" = "installed $VERSION" ]
	local zdir f
	zdir=$(in_root zsh -fc 'print -r -- $module_path[1]')
	echo "zsh's module_path: $zdir"
	for f in /usr/bin/omg /usr/sbin/omgd /usr/lib/bash/omg /usr/lib/bash/omg.so "$zdir/omg.so" \
		/usr/share/bash-completion/completions/omg /usr/share/zsh/vendor-completions/_omg \
		/usr/share/omg/omg.bash /usr/share/omg/omg.zsh /usr/share/omg/prompt/omg-prompt.bash \
		/usr/lib/systemd/user/omgd.socket /usr/lib/systemd/user/omgd.service \
		/usr/lib/systemd/system/omgd-system.socket /usr/lib/systemd/system/omgd-system.service \
		/usr/share/man/man1/omg.1.gz /usr/share/man/man8/omgd.8.gz; do
		echo "$f"
		[ -f "$ROOT$f" ]
		# and dpkg knows it is the package's
		in_root dpkg -L omg | grep -qx "$f"
	done
	grep -qx 'ExecStart=/usr/sbin/omgd --foreground' "$ROOT/usr/lib/systemd/user/omgd.service"
	# enabled for every user (systemctl --global enable: deb-systemd-helper --user enable)
	# (deb-systemd-helper links to /lib/systemd/user/: the same file on merged /usr)
	local link; link=$(readlink "$ROOT/etc/systemd/user/sockets.target.wants/omgd.socket")
	echo "sockets.target.wants/omgd.socket -> $link"
	[ "$ROOT$link" -ef "$ROOT/usr/lib/systemd/user/omgd.socket" ]
	# omgd --system's units are shipped, not enabled: the administrator's choice
	[ ! -e "$ROOT/etc/systemd/system/sockets.target.wants/omgd-system.socket" ]
	[ ! -e "$ROOT/etc/systemd/system/multi-user.target.wants/omgd-system.service" ]
}

@test "in the root, omg status (omgd started by the first command) equals dpkg and apt" {
	rooted
	local s k want got bad=0 t=$BATS_TEST_TMPDIR
	# one namespace: omg starts omgd (autostart, no systemd in a chroot) and asks it
	s=$(in_root --user omg --json status)
	echo "$s"
	in_root dpkg-query -W -f '${db:Status-Status} ${Package}:${Architecture}\n' |
		awk -v n="$NATIVE" '$1 == "installed" { sub(":(" n "|all)$", "", $2); print $2 }' | LC_ALL=C sort > "$t/installed"
	in_root apt-mark showmanual | LC_ALL=C sort > "$t/explicit"
	in_root apt-get -s autoremove | awk '/^Remv/ { print $2 }' | LC_ALL=C sort > "$t/orphans"
	in_root apt list --upgradable 2>/dev/null > "$t/upgradable"
	apt_upgradable_names < "$t/upgradable" > "$t/updates"
	apt_security_names < "$t/upgradable" > "$t/security"
	for k in installed explicit orphans updates security; do
		want=$(wc -l < "$t/$k"); got=$(json_field "$k" <<< "$s")
		printf '%-9s apt/dpkg %5s  omg %5s\n' "$k" "$want" "$got"
		[ "$want" = "$got" ] || bad=1
	done
	[ "$(wc -l < "$t/installed")" -gt 100 ]
	[ "$bad" = 0 ]
}

@test "bash: enable omg from bash's own directory; bash -i with the documented line loads it all" {
	rooted
	run in_root --user bash --norc --noprofile -c 'enable omg && type -t omg'
	echo "$output"
	[ "$status" -eq 0 ] && [ "$output" = builtin ]
	# the user's ~/.bashrc: Debian's skeleton and the one line of docs/packaging.md
	grep -qx '. /usr/share/omg/omg.bash' "$ROOT/home/omguser/.bashrc" ||
		echo '. /usr/share/omg/omg.bash' >> "$ROOT/home/omguser/.bashrc"
	want=$(in_root dpkg-query -W -f '${db:Status-Status}\n' | grep -cx installed)
	run in_root --user bash -ic 'type -t omg; complete -p omg; declare -F command_not_found_handle; echo "total=$OMG_TOTAL"'
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *$'\nbuiltin\n'* || ${lines[0]} == builtin ]]
	[[ $output == *"complete "*" omg"* ]]
	[[ $output == *command_not_found_handle* ]]
	# the line started omgd (nothing answered before: a new namespace) and waited for it
	[[ $output == *"total=$want"* ]]
}

@test "a new interactive bash with the documented line: the first prompt shows the count, no command typed" {
	rooted
	need tmux
	local want sock=omg-debpkg-$$ i
	want=$(in_root dpkg-query -W -f '${db:Status-Status}\n' | grep -cx installed)
	grep -qx '. /usr/share/omg/omg.bash' "$ROOT/home/omguser/.bashrc" ||
		echo '. /usr/share/omg/omg.bash' >> "$ROOT/home/omguser/.bashrc"
	# the theme shows pending updates only (none, maybe, in a fresh root): this prompt shows the total too
	cp "$ROOT/home/omguser/.bashrc" "$BATS_TEST_TMPDIR/bashrc"
	echo 'PS1="[total=${OMG_TOTAL}] $PS1"' >> "$ROOT/home/omguser/.bashrc"
	{ declare -f in_root; echo "ROOT='$ROOT' U=$U TERM_IN_ROOT=xterm in_root --user bash -i"; } > "$BATS_TEST_TMPDIR/shell"
	tmux -L "$sock" new-session -d -s t -x 120 -y 20 bash "$BATS_TEST_TMPDIR/shell"
	for i in $(seq 1 200); do   # 20 s at most
		tmux -L "$sock" capture-pane -p -t t | grep -qF "[total=$want]" && break
		sleep 0.1
	done
	tmux -L "$sock" capture-pane -p -t t
	tmux -L "$sock" capture-pane -p -t t | grep -qF "[total=$want] omguser@"
	tmux -L "$sock" kill-server || true
	cp "$BATS_TEST_TMPDIR/bashrc" "$ROOT/home/omguser/.bashrc"
}

@test "zsh: zmodload omg from zsh's own module_path; zsh -i with the documented line" {
	rooted
	run in_root --user zsh -fc 'zmodload omg && whence -w omg'
	echo "$output"
	[ "$status" -eq 0 ] && [ "$output" = "omg: builtin" ]
	printf '%s\n' 'autoload -Uz compinit; compinit -u' 'source /usr/share/omg/omg.zsh' > "$ROOT/home/omguser/.zshrc"
	chown $U:$U "$ROOT/home/omguser/.zshrc"
	want=$(in_root dpkg-query -W -f '${db:Status-Status}\n' | grep -cx installed)
	run in_root --user zsh -ic 'whence -w omg; print -r -- ${_comps[omg]}; print -r -- "total=$OMG_TOTAL"'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "omg: builtin" ]
	[ "${lines[1]}" = _omg ]
	[ "${lines[2]}" = "total=$want" ]
}

@test "apt-get purge leaves nothing of the package (omgd's store is the user's: ~/.cache/omg)" {
	rooted
	in_root dpkg -L omg > "$BATS_TEST_TMPDIR/files"
	apt_in_root purge omg
	[ -z "$(in_root dpkg-query -W -f '${db:Status-Abbrev}' omg 2>/dev/null)" ]
	# not one of the package's files (directories that other packages have may stay)
	local f left=
	while read -r f; do
		[ -e "$ROOT$f" ] && [ ! -d "$ROOT$f" ] && left+=" $f"
	done < "$BATS_TEST_TMPDIR/files"
	echo "files of the package left: $left"
	[ -z "$left" ]
	# and nothing new in the root since omg's Depends were installed (the postinst's links in
	# /etc/systemd/user and deb-systemd-helper's state are gone too) but apt's and dpkg's
	# records, and the user's own files: the store omgd kept in ~/.cache/omg (index, audit
	# log: omgd(8) FILES) and the dotfiles of these tests
	root_files > "$BATS_TEST_TMPDIR/files.after"
	LC_ALL=C comm -13 "$W/files.before" "$BATS_TEST_TMPDIR/files.after" |
		grep -Ev '^/var/(log/(apt|dpkg\.log|alternatives\.log)|lib/(dpkg|apt)/|cache/(apt|debconf|ldconfig)/)' |
		grep -Ev '^/home/omguser/(\.cache(/omg(/.*)?)?|\.zshrc|\.zcompdump.*|\.bash_history)$' > "$BATS_TEST_TMPDIR/new" || true
	echo "new files: $(cat "$BATS_TEST_TMPDIR/new")"
	[ ! -s "$BATS_TEST_TMPDIR/new" ]
	[ ! -e "$ROOT/etc/systemd/user/sockets.target.wants/omgd.socket" ]
}
