#!/usr/bin/env bats
# omg audit verify, the archive chain of an Arch root: each sync database's signature through
# libalpm's own check with the repository's SigLevel, and every package file in the CacheDir
# against the SHA-256 its sync database gives (archive_alpm.c). pacman is the oracle for each
# case: what pacman -Sy / -Sl refuses, omg reports; what pacman takes, omg finds good or trusted.
# Packages are make-arch-repo.sh's (makepkg), the repository a file:// one made by repo-add, the
# keys made here (gpg, RSA) and put into the root's own keyring by pacman-key --gpgdir; pacman
# runs only on the throwaway root.

load helpers
bats_require_minimum_version 1.5.0

setup_file() {
	local d=$BATS_FILE_TMPDIR why="" tool
	[ "$(id -u)" = 0 ] || why="not root (pacman writes the test root as root; makepkg builds as nobody)"
	! built_without alpm || why="built --without-alpm"
	for tool in pacman pacman-key makepkg repo-add bsdtar setpriv gpg; do
		[ -n "$why" ] || command -v "$tool" > /dev/null || why="$tool is not installed (setup.sh installs it)"
	done
	if [ -z "$why" ] && ! "$OMG_SRCDIR/tests/fixtures/make-arch-repo.sh" "$d/arch" > "$d/arch.log" 2>&1; then
		why="make-arch-repo.sh failed: $(tail -3 "$d/arch.log" | tr '\n' ' ')"
	fi
	if [ -z "$why" ]; then
		# the repository's signing key, and another one pacman's keyring never holds
		export GNUPGHOME=$d/gnupg
		mkdir -m 700 "$GNUPGHOME"
		G=(gpg --batch --quiet --pinentry-mode loopback --passphrase '' --no-tty)
		"${G[@]}" --quick-gen-key 'omg repo <repo@omg.invalid>' rsa2048 sign never
		"${G[@]}" --quick-gen-key 'omg other <other@omg.invalid>' rsa2048 sign never
		"${G[@]}" --armor --export '<repo@omg.invalid>' > "$d/repo.asc"
		gpg --list-keys --with-colons '<repo@omg.invalid>' | awk -F: '/^fpr/ { print $10; exit }' > "$d/repo.fpr"
		gpgconf --kill gpg-agent
	fi
	echo "$why" > "$d/skip"
}

setup() {
	require_feature alpm
	omg_setup
	[ -z "$(cat "$BATS_FILE_TMPDIR/skip")" ] || skip "$(cat "$BATS_FILE_TMPDIR/skip")"
	export GNUPGHOME=$BATS_FILE_TMPDIR/gnupg
	G=(gpg --batch --quiet --pinentry-mode loopback --passphrase '' --no-tty)
	FPR=$(cat "$BATS_FILE_TMPDIR/repo.fpr")
	PKGS=$BATS_FILE_TMPDIR/arch/pkgs
	REPO=$BATS_TEST_TMPDIR/repo
	cp -a "$BATS_FILE_TMPDIR/arch/repo" "$REPO"
	mkdir -p "$ROOT/etc" "$ROOT/var/lib/pacman/local" "$ROOT/var/lib/pacman/sync" "$ROOT/var/cache/pacman/pkg"
	echo 9 > "$ROOT/var/lib/pacman/local/ALPM_DB_VERSION"
	printf 'NAME="Arch Linux"\nID=arch\n' > "$ROOT/etc/os-release"
	KEYRING=$ROOT/etc/pacman.d/gnupg
	CACHE=$ROOT/var/cache/pacman/pkg
	DB=$ROOT/var/lib/pacman/sync/omgtest.db
	PACMAN=(pacman --root "$ROOT" --dbpath "$ROOT/var/lib/pacman/" --config "$ROOT/etc/pacman.conf"
		--cachedir "$CACHE/" --gpgdir "$KEYRING/" --hookdir "$ROOT/etc/pacman.d/hooks/" --color never)
	conf Never
}

teardown() {
	stop_omgd
	[ ! -d "${KEYRING:-/nonexistent}" ] || gpgconf --homedir "$KEYRING" --kill gpg-agent 2> /dev/null || true
	[ -z "${GNUPGHOME:-}" ] || gpgconf --kill gpg-agent 2> /dev/null || true
}

# conf SIGLEVEL...: the root's pacman.conf, with SIGLEVEL in [options] and the one repository
conf() {
	printf '[options]\nArchitecture = auto\nSigLevel = %s\nLocalFileSigLevel = Never\n\n[omgtest]\nServer = file://%s\n' \
		"$*" "$REPO" > "$ROOT/etc/pacman.conf"
}
# keyring [lsign]: the root's pacman keyring (pacman-key --init) holding the repository's key,
# locally signed (trusted, as pacman-key --populate does for a distribution's keys) with lsign
keyring() {
	pacman-key --gpgdir "$KEYRING" --config "$ROOT/etc/pacman.conf" --init > "$BATS_TEST_TMPDIR/key.log" 2>&1
	pacman-key --gpgdir "$KEYRING" --config "$ROOT/etc/pacman.conf" --add "$BATS_FILE_TMPDIR/repo.asc" >> "$BATS_TEST_TMPDIR/key.log" 2>&1
	[ "${1:-}" != lsign ] || pacman-key --gpgdir "$KEYRING" --config "$ROOT/etc/pacman.conf" --lsign-key "$FPR" >> "$BATS_TEST_TMPDIR/key.log" 2>&1
}
# sign_repo [KEY]: the repository's database signed (detached, as repo-add --sign makes it)
sign_repo() {
	rm -f "$REPO/omgtest.db.tar.gz.sig" "$REPO/omgtest.db.sig"
	"${G[@]}" -u "${1:-$FPR}" --detach-sign -o "$REPO/omgtest.db.tar.gz.sig" "$REPO/omgtest.db.tar.gz"
	ln -s omgtest.db.tar.gz.sig "$REPO/omgtest.db.sig"
}
# verify: omg audit verify --no-files (run), and its JSON document in $J
verify() {
	J=$("$OMG" --json audit verify --no-files || true)
	run "$OMG" audit verify --no-files
}
jq_() { python3 -c 'import json, sys; d = json.load(sys.stdin); print(eval(sys.argv[1]))' "$1" <<< "$J"; }
start() { start_omgd --root "$ROOT" --no-aur --no-store; }

@test "SigLevel Never: not checked, as pacman; a cached package hashes to its sync database's entry, one byte changed is found" {
	"${PACMAN[@]}" -Sy > /dev/null
	"${PACMAN[@]}" -Sw --noconfirm omgt-base > /dev/null
	pkg=$CACHE/omgt-base-1.0-1-any.pkg.tar.zst
	[ -f "$pkg" ]
	cp "$PKGS/omgt-local-1.0-1-any.pkg.tar.zst" "$CACHE/"   # in no sync database
	start
	verify
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(jq_ 'd["sources"][0]["source"]')" = "omgtest (file://$REPO)" ]
	[ "$(jq_ 'd["sources"][0]["release"]')" = "$DB" ]
	[ "$(jq_ 'd["sources"][0]["verdict"]')" = 10 ]
	[[ "$(jq_ 'd["sources"][0]["detail"]')" == "not checked, as pacman"* ]]
	[ "$(jq_ 'd["debs"]')" = "{'checked': 1, 'bad': 0, 'unknown': 1}" ]
	[ "$(jq_ 'd["total"]')" = 0 ]
	printf 'X' | dd of="$pkg" bs=1 seek=200 conv=notrunc 2> /dev/null
	want=$(sha256sum "$pkg" | cut -d' ' -f1)
	verify
	echo "$output"
	[ "$status" -eq 5 ]
	[[ "$output" == *"cached package changed $pkg: sha256 $want, its sync database: "* ]]
	[ "$(jq_ 'd["debs"]["bad"]')" = 1 ]
	# the oracle: pacman refuses the file as corrupted (and, --noconfirm, deletes it)
	run "${PACMAN[@]}" -Sw --noconfirm omgt-base
	echo "$output"
	[[ "$output" == *"omgt-base-1.0-1-any.pkg.tar.zst is corrupted"* ]]
}

@test "unsigned database: Optional takes it (trusted, 'unsigned, allowed'), Required refuses it as pacman does" {
	conf Optional TrustAll
	"${PACMAN[@]}" -Sy > /dev/null
	"${PACMAN[@]}" -Sl omgtest > /dev/null
	start
	verify
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(jq_ 'd["sources"][0]["verdict"]')" = 10 ]
	[ "$(jq_ 'd["sources"][0]["detail"]')" = "unsigned, allowed by SigLevel Optional" ]
	conf Required DatabaseRequired
	run ! "${PACMAN[@]}" -Sl omgtest
	echo "$output"
	[[ "$output" == *"missing required signature"* ]]
	verify
	echo "$output"
	[ "$status" -eq 5 ]
	[ "$(jq_ 'd["sources"][0]["verdict"]')" = 8 ]
	[[ "$output" == *"omgtest.db.sig: pacman refuses it (SigLevel Required)"* ]]
}

@test "a signed database: good by the key pacman-key trusts; unknown trust and a key not in the keyring refused, as by pacman -Sy" {
	sign_repo
	conf Required DatabaseRequired
	keyring
	# imported but not trusted: pacman refuses, omg says no trusted key
	run ! "${PACMAN[@]}" -Sy
	echo "$output"
	[[ "$output" == *"unknown trust"* ]]
	start
	verify
	echo "$output"
	[ "$status" -eq 5 ]
	[ "$(jq_ 'd["sources"][0]["verdict"]')" = 2 ]
	[[ "$(jq_ 'd["sources"][0]["detail"]')" == *"unknown trust (pacman-key --lsign-key)"* ]]
	# trusted: pacman -Sy takes it, omg says good, by the key, through libalpm
	pacman-key --gpgdir "$KEYRING" --config "$ROOT/etc/pacman.conf" --lsign-key "$FPR" > /dev/null 2>&1
	touch -d '1 hour ago' "$DB"
	"${PACMAN[@]}" -Sy > /dev/null
	"${PACMAN[@]}" -Sl omgtest > /dev/null
	verify
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(jq_ 'd["sources"][0]["verdict"]')" = 0 ]
	[ "$(jq_ 'd["sources"][0]["checker"]')" = libalpm ]
	[ "$(jq_ 'd["sources"][0]["signer"]')" = "$FPR" ]
	[[ "$output" == *"omgtest (file://$REPO): good signature by $FPR (libalpm)"* ]]
	# signed by a key the keyring does not hold: pacman refuses (no key is fetched), omg too
	sign_repo '<other@omg.invalid>'
	touch -d '1 hour ago' "$DB"
	run ! "${PACMAN[@]}" -Sy
	echo "$output"
	[[ "$output" == *"is unknown"* ]]
	verify
	echo "$output"
	[ "$status" -eq 5 ]
	[ "$(jq_ 'd["sources"][0]["verdict"]')" = 2 ]
	[[ "$(jq_ 'd["sources"][0]["detail"]')" == *"is not in the keyring"* ]]
}

@test "a signed database changed after signing: pacman -Sy refuses it, omg says BAD signature; its packages are not taken on its word" {
	sign_repo
	conf Required DatabaseRequired
	keyring lsign
	"${PACMAN[@]}" -Sy > /dev/null
	cp "$PKGS/omgt-base-1.0-1-any.pkg.tar.zst" "$CACHE/"
	start
	# Required asks for package signatures too: the cached package has none, and pacman would
	# not install it (the oracle); omg says so
	run ! "${PACMAN[@]}" -S --noconfirm omgt-base
	[[ "$output" == *"missing required signature"* || "$output" == *"failed retrieving file 'omgt-base-1.0-1-any.pkg.tar.zst.sig'"* ]] ||
		{ echo "$output"; false; }
	verify
	echo "$output"
	[ "$status" -eq 5 ]
	[[ "$output" == *"cached package changed $CACHE/omgt-base-1.0-1-any.pkg.tar.zst: its signature: "* ]]
	# with package signatures not asked for, the package hashes to its entry and passes
	conf PackageNever DatabaseRequired
	verify
	[ "$status" -eq 0 ]
	[ "$(jq_ 'd["sources"][0]["verdict"]')" = 0 ]
	[ "$(jq_ 'd["debs"]')" = "{'checked': 1, 'bad': 0, 'unknown': 0}" ]
	# the repository's database changes (a package added), its old signature stays
	cp "$PKGS/omgt-local-1.0-1-any.pkg.tar.zst" "$REPO/"
	(cd "$REPO" && repo-add -q omgtest.db.tar.gz omgt-local-1.0-1-any.pkg.tar.zst) > /dev/null
	ln -sf omgtest.db.tar.gz.sig "$REPO/omgtest.db.sig"
	touch -d '1 hour ago' "$DB"
	run ! "${PACMAN[@]}" -Sy
	echo "$output"
	[[ "$output" == *"invalid or corrupted database (PGP signature)"* ]]
	# what pacman left in its sync directory is what omg reads: pacman will not use it either
	run ! "${PACMAN[@]}" -Sl omgtest
	verify
	echo "$output"
	[ "$status" -eq 5 ]
	[ "$(jq_ 'd["sources"][0]["verdict"]')" = 1 ]
	[[ "$output" == *"source not trusted $DB "*": BAD signature: the signature by"*"does not verify"* ]]
	[ "$(jq_ 'd["debs"]')" = "{'checked': 0, 'bad': 0, 'unknown': 1}" ]
}
