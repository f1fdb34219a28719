#!/usr/bin/env bats
# Installed-file verification (omgd/verify/files.h) through its driver tests/tools/verify_files,
# against the real tools on the same files:
#   Debian: tiny .debs (make-verify-debs.sh) installed by the real `dpkg --root` into a throwaway
#   root, then edited, deleted, made unreadable, replaced by a symlink, a conffile changed, a
#   directory removed; the findings must be `dpkg --root R --verify`'s (the same paths in the
#   same classes, tests/tools/dpkg-verify-classes) and the changed ones `debsums -a -c`'s.
#   Arch: packages built with makepkg (make-arch-repo.sh), installed by pacman into a throwaway
#   root; the altered files must be `pacman -Qkkq`'s.
# The cache: a second run reads no file; a touched file is the only one read again; an upgrade
# drops its package's entries. The host's own database is compared with dpkg --verify only
# when OMG_VERIFY_HOST=1 (read-only, ~10-70 s).

bats_require_minimum_version 1.5.0

VF=${OMG_BUILDDIR:?}/tests/tools/verify_files
CLASSES=${OMG_SRCDIR:?}/tests/tools/dpkg-verify-classes

setup_file() {
	local why=""
	[ "$(id -u)" = 0 ] || why="not root (dpkg --root installs the fixture; the unreadable case reads as nobody)"
	for t in dpkg dpkg-deb dpkg-divert setpriv; do
		[ -n "$why" ] || command -v "$t" > /dev/null || why="$t is not installed"
	done
	[ -n "$why" ] || [ -x "$VF" ] || why="$VF is not built (make tests/tools/verify_files)"
	if [ -z "$why" ] && ! "$OMG_SRCDIR/tests/fixtures/make-verify-debs.sh" "$BATS_FILE_TMPDIR/debs" > "$BATS_FILE_TMPDIR/debs.log" 2>&1; then
		why="make-verify-debs.sh failed: $(tail -3 "$BATS_FILE_TMPDIR/debs.log" | tr '\n' ' ')"
	fi
	echo "$why" > "$BATS_FILE_TMPDIR/skip"
}

setup() {
	[ -z "$(cat "$BATS_FILE_TMPDIR/skip")" ] || skip "$(cat "$BATS_FILE_TMPDIR/skip")"
	# a root nobody can walk into (the unreadable case), outside bats' private directories
	R=$(mktemp -d /tmp/omg-vft.XXXXXX)
	chmod 755 "$R"
	mkdir -p "$R/var/lib/dpkg/info" "$R/var/lib/dpkg/updates" "$R/var/lib/dpkg/triggers"
	: > "$R/var/lib/dpkg/status"
	D=$BATS_FILE_TMPDIR/debs
	dpkg --root="$R" --log=/dev/null --force-script-chrootless -i "$D"/vft-a_1.0_all.deb "$D"/vft-nosums_1.0_all.deb \
		"$D"/vft-ma_1.0_*.deb > /dev/null
	V=$R/usr/share/vft
	CACHE=$BATS_TEST_TMPDIR/cache
}

teardown() { [ -z "${R:-}" ] || rm -rf "$R"; }

# damage: the edits every comparison below makes
damage() {
	echo more >> "$V/a.txt"                        # changed
	rm "$V/b.txt"                                  # missing
	echo 'setting = 2' > "$R/etc/vft/a.conf"       # changed-config
	rm "$V/e.txt" && ln -s a.txt "$V/e.txt"        # replaced (a symlink where a file was)
	rmdir "$V/empty"                               # missing (a directory)
	echo 'edited' > "$R/usr/lib/vft-ma/g.txt"      # changed, in a Multi-Arch: same package
}

# ours [ARGS...]: our findings as "CLASS PATH" lines, sorted; the totals stay in last.err
ours() {
	"$VF" --root "$R" "$@" > "$BATS_TEST_TMPDIR/ours.out" 2> "$BATS_TEST_TMPDIR/last.err" || true
	"$CLASSES" --verify-files < "$BATS_TEST_TMPDIR/ours.out"
}
# total KEY: that total of the last run (and cached_files, cached_packages: the cache's entries)
total() { grep -E '^(packages|cached_files)=' "$BATS_TEST_TMPDIR/last.err" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
dpkg_classes() { "$@" dpkg --root="$R" --verify 2>/dev/null | "$CLASSES"; }

@test "an untouched root: nothing found, as dpkg --verify and debsums; every digest known was checked" {
	[ -z "$(ours)" ]
	[ -z "$(dpkg_classes)" ]
	[ "$(total packages)" = 3 ]
	# vft-a: 6 md5sums + its conffile; vft-ma: 1; vft-nosums: the md5sums dpkg made at unpack
	[ "$(total hashed)" = 9 ]
	if command -v debsums > /dev/null; then debsums --root="$R" -a -s; fi
}

@test "edited, deleted, replaced, a changed conffile, a removed directory: dpkg --verify's findings, class for class" {
	damage
	run -0 ours
	local o=$output
	[ "$(dpkg_classes)" = "$o" ]
	grep -qx 'changed /usr/share/vft/a.txt' <<<"$o"
	grep -qx 'missing /usr/share/vft/b.txt' <<<"$o"
	grep -qx 'changed-config /etc/vft/a.conf' <<<"$o"
	grep -qx 'replaced /usr/share/vft/e.txt' <<<"$o"
	grep -qx 'missing /usr/share/vft/empty' <<<"$o"
	grep -qx 'changed /usr/lib/vft-ma/g.txt' <<<"$o"
	[ "$(wc -l <<<"$o")" = 6 ]
	grep -q '^changed vft-ma:.* /usr/lib/vft-ma/g.txt$' "$BATS_TEST_TMPDIR/ours.out"
	# exit status: 1 (dpkg --verify says 0, debsums 2)
	run -1 "$VF" --root "$R"
}

@test "the changed files are debsums -a -c's (which prints the changed, replaced and config ones)" {
	command -v debsums > /dev/null || skip "debsums is not installed (setup.sh installs it)"
	damage
	ours > /dev/null
	run -2 --separate-stderr debsums --root="$R" -a -c
	diff <(sed "s|^$R||" <<<"$output" | sort) \
		<(awk '$1 == "changed" || $1 == "changed-config" || $1 == "replaced" { print $3 }' "$BATS_TEST_TMPDIR/ours.out" | sort)
}

@test "a file its reader may not read is unreadable, as dpkg --verify run by the same user (nobody) says" {
	damage
	chmod 000 "$V/c.txt"
	local nobody=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
	"${nobody[@]}" "$VF" --root "$R" > "$BATS_TEST_TMPDIR/n.out" 2>/dev/null || true
	o=$("$CLASSES" --verify-files < "$BATS_TEST_TMPDIR/n.out")
	grep -qx 'unreadable /usr/share/vft/c.txt' <<<"$o"
	[ "$(HOME=/nonexistent dpkg_classes "${nobody[@]}")" = "$o" ]
	# root reads it: not a finding then
	! ours | grep -q c.txt
}

@test "a diverted file is checked where it was diverted to: dpkg --verify sees it exists, we also check its content" {
	dpkg-divert --root="$R" --local --rename --divert /usr/share/vft/d.txt.orig --add /usr/share/vft/d.txt > /dev/null
	[ -z "$(ours)" ]
	[ -z "$(dpkg_classes)" ]
	echo changed >> "$V/d.txt.orig"
	[ "$(ours)" = "changed /usr/share/vft/d.txt.orig" ]
	[ -z "$(dpkg_classes)" ]   # dpkg knows digests by the original name only
	rm "$V/d.txt.orig"
	[ "$(ours)" = "missing /usr/share/vft/d.txt.orig" ]
	[ "$(dpkg_classes)" = "missing /usr/share/vft/d.txt.orig" ]
}

@test "no md5sums: counted, and the package's files still must exist" {
	rm "$R/var/lib/dpkg/info/vft-nosums.md5sums"
	rm "$R/usr/share/vft-nosums/f.txt"
	[ "$(ours)" = "missing /usr/share/vft-nosums/f.txt" ]
	[ "$(total no_checksums)" = 1 ]
	[ "$(dpkg_classes)" = "missing /usr/share/vft-nosums/f.txt" ]
}

@test "the cache: a second run reads no file and finds the same; a touched file alone is read again" {
	damage
	sleep 1.1  # the files dpkg and damage just wrote are past the racy second
	first=$(ours --cache "$CACHE")
	[ "$(total hashed)" -gt 0 ]
	second=$(ours --cache "$CACHE")
	[ "$second" = "$first" ]
	[ "$(total hashed)" = 0 ]
	[ "$(total cache_hits)" = 7 ]   # 9 digests: b.txt is missing, e.txt a symlink
	touch "$V/d.txt"
	third=$(ours --cache "$CACHE")
	[ "$third" = "$first" ]
	[ "$(total hashed)" = 1 ]
	# the content behind an unchanged size and restored mtime: ctime still moved
	printf 'vft file X\n' > "$V/d.txt"
	touch -d @1700000000 "$V/d.txt"
	[ "$(ours --cache "$CACHE" | grep d.txt)" = "changed /usr/share/vft/d.txt" ]
	[ "$(total hashed)" = 1 ]
}

@test "the cache: an upgrade drops its package's entries, --full rereads everything" {
	sleep 1.1
	ours --cache "$CACHE" > /dev/null
	dpkg --root="$R" --log=/dev/null --force-script-chrootless -i "$D"/vft-a_2.0_all.deb > /dev/null
	sleep 1.1
	[ -z "$(ours --cache "$CACHE")" ]
	[ "$(total hashed)" = 7 ]       # vft-a 2.0: 6 files and its conffile
	[ "$(total cache_hits)" = 2 ]   # vft-ma and vft-nosums
	[ -z "$(ours --cache "$CACHE" --full)" ]
	[ "$(total hashed)" = 9 ]
	[ -z "$(dpkg_classes)" ]
	# a new version with the very same files (the status edited): its entries are dropped all the same
	awk '/^Package: /{p=$2} p == "vft-ma" && /^Version: /{$0 = "Version: 1.0+same"} {print}' "$R/var/lib/dpkg/status" > "$R/st"
	mv "$R/st" "$R/var/lib/dpkg/status"
	ours --cache "$CACHE" > /dev/null
	[ "$(total hashed)" = 1 ]
	# a package removed: its entries go at the next run over every package, not at a named one
	[ "$(total cached_packages)" = 3 ]
	dpkg --root="$R" --log=/dev/null --force-script-chrootless --purge vft-nosums > /dev/null
	ours --cache "$CACHE" vft-a > /dev/null
	[ "$(total cached_packages)" = 3 ]
	ours --cache "$CACHE" > /dev/null
	[ "$(total cached_packages)" = 2 ]
	cat "$BATS_TEST_TMPDIR/last.err"
	[ "$(total cached_files)" = 8 ]   # vft-a 2.0: 6 files and its conffile; vft-ma: 1
}

@test "names: one package, NAME:ARCH, a name not installed (exit 2, as dpkg --verify's 1)" {
	damage
	[ "$(ours vft-a | wc -l)" = 5 ]
	[ "$(total packages)" = 1 ]
	arch=$(dpkg --print-architecture)
	[ "$(ours "vft-ma:$arch")" = "changed /usr/lib/vft-ma/g.txt" ]
	run -2 "$VF" --root "$R" vft-none
	[[ "$output" == *"'vft-none' is not installed"* ]]
	run -1 dpkg --root="$R" --verify vft-none
}

@test "a passed deadline stops the run: incomplete, exit 2" {
	run -2 "$VF" --root "$R" --deadline-ms 0
	[[ "$output" == *"complete=0"* ]]
	[[ "$output" == *"deadline passed"* ]]
}

@test "this machine, read-only: the same findings as dpkg --verify (OMG_VERIFY_HOST=1)" {
	[ -n "${OMG_VERIFY_HOST:-}" ] || skip "slow (dpkg --verify of the whole system): OMG_VERIFY_HOST=1 runs it"
	R=/
	"$VF" > "$BATS_TEST_TMPDIR/host.out" 2>/dev/null || true
	"$CLASSES" --verify-files < "$BATS_TEST_TMPDIR/host.out" > "$BATS_TEST_TMPDIR/host.ours"
	dpkg --verify 2>/dev/null | "$CLASSES" > "$BATS_TEST_TMPDIR/host.dpkg"
	diff "$BATS_TEST_TMPDIR/host.dpkg" "$BATS_TEST_TMPDIR/host.ours"
	R=
}

# ---- Arch -----------------------------------------------------------------------------------

arch_setup() {
	local tool
	# (this file does not load helpers.bash: its require_feature, inline)
	grep -q '^#define OMG_WITH_ALPM 1' "$OMG_BUILDDIR/config.h" || skip "built --without-alpm"
	for tool in pacman makepkg repo-add bsdtar; do
		command -v "$tool" > /dev/null || skip "$tool is not installed (setup.sh installs it)"
	done
	if [ ! -d "$BATS_FILE_TMPDIR/arch/pkgs" ]; then
		"$OMG_SRCDIR/tests/fixtures/make-arch-repo.sh" "$BATS_FILE_TMPDIR/arch" > "$BATS_FILE_TMPDIR/arch.log" 2>&1 ||
			skip "make-arch-repo.sh failed"
	fi
	A=$(mktemp -d /tmp/omg-vfa.XXXXXX)
	mkdir -p "$A/etc" "$A/var/lib/pacman/local" "$A/var/lib/pacman/sync" "$A/var/cache/pacman/pkg"
	echo 9 > "$A/var/lib/pacman/local/ALPM_DB_VERSION"
	printf '[options]\nArchitecture = auto\nSigLevel = Never\nLocalFileSigLevel = Never\n' > "$A/etc/pacman.conf"
	PACMAN=(pacman --root "$A" --dbpath "$A/var/lib/pacman/" --config "$A/etc/pacman.conf"
		--cachedir "$A/var/cache/pacman/pkg/" --gpgdir "$A/etc/pacman.d/gnupg/"
		--hookdir "$A/etc/pacman.d/hooks/" --color never)
	local P=$BATS_FILE_TMPDIR/arch/pkgs
	"${PACMAN[@]}" -U --noconfirm "$P"/omgt-base-1.0-1-any.pkg.tar.zst "$P"/omgt-conf-1.0-1-any.pkg.tar.zst \
		"$P"/omgt-lib-1.0-1-any.pkg.tar.zst "$P"/omgt-app-1.0-1-any.pkg.tar.zst > /dev/null 2>&1
}

# pacman_altered: pacman -Qkkq's "pkg path" lines (the root cut off), sorted
pacman_altered() { "${PACMAN[@]}" -Qkkq 2>/dev/null | sed "s| $A/| /|" | sort; }
# ours_arch: our findings as "CLASS PKG PATH", sorted; the totals stay in last.err
ours_arch() {
	"$VF" --alpm --root "$A" "$@" > "$BATS_TEST_TMPDIR/a.out" 2> "$BATS_TEST_TMPDIR/last.err" || true
	sort "$BATS_TEST_TMPDIR/a.out"
}

@test "Arch: an untouched root, nothing found, as pacman -Qkk; the mtree's SHA-256 checked" {
	arch_setup
	[ -z "$(ours_arch)" ]
	[ -z "$(pacman_altered)" ]
	[ "$(total packages)" = 4 ]
	[ "$(total hashed)" = 4 ]
	rm -rf "$A"
}

@test "Arch: deleted, retyped, chmod'ed, touched, a backup file edited: pacman -Qkkq's altered files" {
	arch_setup
	local S=$A/usr/share/omgt
	rm "$S/omgt-lib"                              # missing
	chmod 600 "$S/omgt-app"                        # altered (mode)
	rm "$S/omgt-base" && mkdir "$S/omgt-base"      # replaced (a directory where a file was)
	echo 'setting = 2' > "$A/etc/omgt.conf"        # backup file: changed-config, not counted
	o=$(ours_arch)
	grep -qx 'missing omgt-lib /usr/share/omgt/omgt-lib' <<<"$o"
	grep -qx 'altered omgt-app /usr/share/omgt/omgt-app' <<<"$o"
	grep -qx 'replaced omgt-base /usr/share/omgt/omgt-base' <<<"$o"
	grep -qx 'changed-config omgt-conf /etc/omgt.conf' <<<"$o"
	[ "$(grep -v '^changed-config ' <<<"$o" | cut -d' ' -f2- | sort)" = "$(pacman_altered)" ]
	run -1 "${PACMAN[@]}" -Qkk
	[[ "$output" == *"backup file: omgt-conf: $A/etc/omgt.conf (Modification time mismatch)"* ]]
	rm -rf "$A"
}

@test "Arch: content changed behind its size and mtime: the digest, as pacman -Qkk's checksums; the cache" {
	arch_setup
	local f=$A/usr/share/omgt/omgt-app
	sleep 1.1
	ours_arch --cache "$CACHE" > /dev/null
	[ "$(total hashed)" = 4 ]
	ours_arch --cache "$CACHE" > /dev/null
	[ "$(total hashed)" = 0 ]
	[ "$(total cache_hits)" = 4 ]
	m=$(stat -c %Y "$f")
	printf 'omgt-app 9.9\n' > "$f"          # the same 13 bytes as 'omgt-app 1.0'
	touch -d "@$m" "$f"
	[ "$(pacman_altered)" = "omgt-app /usr/share/omgt/omgt-app" ]
	run -1 "${PACMAN[@]}" -Qkk omgt-app
	[[ "$output" == *"(SHA256 checksum mismatch)"* ]]
	[ "$(ours_arch --cache "$CACHE")" = "changed omgt-app /usr/share/omgt/omgt-app" ]
	[ "$(total hashed)" = 1 ]
	rm -rf "$A"
}
