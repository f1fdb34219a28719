#!/usr/bin/env bats
# omgd/verify/ (native OpenPGP with mbedTLS) against the real verifiers: gpgv on this
# machine's InRelease files with the keyring apt uses, and apt itself (apt-get update in a
# throwaway apt root, never this machine's apt state) on a repository the test signs and on
# every case of tests/cases/pgp. No expected answer is written here but apt's and gpgv's.

PGPV=${OMG_BUILDDIR:?}/tests/tools/pgp_verify
CASES=${OMG_SRCDIR:?}/tests/cases/pgp

load apt_helpers

# The keyring apt uses for this machine's Debian sources: their Signed-By, else the parts.
host_signed_by() {
	cat /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '/^Signed-By:/ { print $2; exit }'
}

@test "this machine's InRelease files: the good signatures are gpgv's (RSA), the EdDSA ones not checked" {
	shopt -s nullglob
	local files=(/var/lib/apt/lists/*InRelease) sb kr=() f n=0
	[ ${#files[@]} -gt 0 ] || skip "no InRelease in /var/lib/apt/lists"
	sb=$(host_signed_by)
	if [ -n "$sb" ]; then
		kr=(--keyring "$sb")
		run "$PGPV" --apt / --signed-by "$sb" "${files[@]}"
	else
		for f in /etc/apt/trusted.gpg.d/*.gpg /etc/apt/trusted.gpg.d/*.asc; do
			gpg --dearmor < "$f" > "$BATS_TEST_TMPDIR/$(basename "$f").kbx" 2>/dev/null || cp "$f" "$BATS_TEST_TMPDIR/$(basename "$f").kbx"
			kr+=(--keyring "$BATS_TEST_TMPDIR/$(basename "$f").kbx")
		done
		run "$PGPV" --apt / "${files[@]}"
	fi
	echo "$output"
	ours=$output
	for f in "${files[@]}"; do
		gpgv --status-fd 1 "${kr[@]}" "$f" > "$BATS_TEST_TMPDIR/gpgv" 2>/dev/null && gv=GOOD || gv=notgood
		# ours: the file's verdict is GOOD exactly when gpgv's is
		verdict=$(echo "$ours" | awk -v f="$f" '$1 == f { print $2 }')
		[ "$verdict" = GOOD ] && [ $gv = GOOD ] || { [ "$verdict" != GOOD ] && [ $gv != GOOD ]; }
		# each VALIDSIG: RSA (1, 3) must be good here, any other algorithm not checked
		want=$(awk '$2 == "VALIDSIG" { print ($9 == 1 || $9 == 3 ? "good" : "not-checked"), $3 }' "$BATS_TEST_TMPDIR/gpgv" | sort)
		got=$(echo "$ours" | awk -v f="$f" '$1 == f { s = 1; next } /^\// { s = 0 } s && $1 == "sig" && ($2 == "good" || $2 == "not-checked") { print $2, $5 }' | sort)
		echo "$f: gpgv: $want / ours: $got"
		[ -n "$want" ]
		[ "$want" = "$got" ]
		n=$((n + 1))
	done
	[ $n -eq ${#files[@]} ]
}

@test "a repository signed by the test (RSA key, signing subkey): GOOD here, accepted by apt and gpgv" {
	command -v apt-ftparchive || skip "apt-utils is not installed"
	local d=$BATS_TEST_TMPDIR repo=$BATS_TEST_TMPDIR/repo
	export GNUPGHOME=$d/gnupg
	mkdir -m 700 "$GNUPGHOME"
	G=(gpg --batch --quiet --pinentry-mode loopback --passphrase '' --no-tty)
	"${G[@]}" --quick-gen-key 'omg bats <bats@omg.invalid>' rsa3072 cert never
	fpr=$(gpg --list-keys --with-colons '<bats@omg.invalid>' | awk -F: '/^fpr/ { print $10; exit }')
	"${G[@]}" --quick-add-key "$fpr" rsa3072 sign never
	"${G[@]}" --export '<bats@omg.invalid>' > "$d/key.gpg"
	"${G[@]}" --armor --export '<bats@omg.invalid>' > "$d/key.asc"
	mkdir -p "$repo/dists/omg/main/binary-amd64"
	printf 'Package: omg-bats\nVersion: 1.0\nArchitecture: all\nDescription: signed by the test\n' > "$repo/dists/omg/main/binary-amd64/Packages"
	apt-ftparchive -o APT::FTPArchive::Release::Suite=omg -o APT::FTPArchive::Release::Components=main \
		-o APT::FTPArchive::Release::Architectures=amd64 release "$repo/dists/omg" > "$d/Release"
	"${G[@]}" -u '<bats@omg.invalid>' --clearsign -o "$repo/dists/omg/InRelease" "$d/Release"
	"${G[@]}" -u '<bats@omg.invalid>' --armor --detach-sign -o "$d/Release.gpg" "$d/Release"

	run "$PGPV" --keyring "$d/key.gpg" "$repo/dists/omg/InRelease"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == *" GOOD "* ]]
	[[ "${lines[1]}" == "  sig good 1 "* ]]
	run "$PGPV" --keyring "$d/key.asc" --detached "$d/Release.gpg" "$d/Release"
	[ "$status" -eq 0 ]
	gpgv --keyring "$d/key.gpg" "$repo/dists/omg/InRelease"
	apt_root "$d"
	echo "deb [signed-by=$d/key.gpg] file:$repo omg main" > "$d/root/etc/apt/sources.list"
	apt_accepts "$d" || { cat "$d/apt.log"; false; }
	# and the signed-by= of an armored key, as apt takes it
	echo "deb [signed-by=$d/key.asc] file:$repo omg main" > "$d/root/etc/apt/sources.list"
	apt_accepts "$d"
	run "$PGPV" --apt / --signed-by "$d/key.asc" "$repo/dists/omg/InRelease"
	[ "$status" -eq 0 ]
	# the same file changed by one byte: apt refuses, we say BAD
	sed -i 's/^Suite: omg$/Suite: omh/' "$repo/dists/omg/InRelease"
	run "$PGPV" --keyring "$d/key.gpg" "$repo/dists/omg/InRelease"
	[ "$status" -eq 1 ]
	[[ "${lines[0]}" == *" BAD "* ]]
	! apt_accepts "$d"
}

@test "the corpus: apt's answer today is the one recorded, and ours never GOOD where apt refuses" {
	command -v apt-get || skip "no apt"
	local d=$BATS_TEST_TMPDIR repo=$BATS_TEST_TMPDIR/repo e name n=0
	mkdir -p "$repo/dists/omg/main/binary-amd64"
	# the Packages the corpus's Release lists (make-cases.sh)
	printf 'Package: omg-case\nVersion: 1.0\nArchitecture: all\nDescription: a case\n' > "$repo/dists/omg/main/binary-amd64/Packages"
	apt_root "$d"
	echo "deb [signed-by=$CASES/keyring.gpg] file:$repo omg main" > "$d/root/etc/apt/sources.list"
	for e in "$CASES"/*.expect; do
		name=$(basename "$e" .expect)
		rm -f "$repo/dists/omg/InRelease" "$repo/dists/omg/Release" "$repo/dists/omg/Release.gpg"
		if [ -e "$CASES/$name.asc" ]; then
			cp "$CASES/$name.asc" "$repo/dists/omg/InRelease"
			ours=$("$PGPV" --keyring "$CASES/keyring.gpg" --quiet "$CASES/$name.asc" | awk '{ print $2 }')
		else
			cp "$CASES/$name.data" "$repo/dists/omg/Release"
			cp "$CASES/$name.sig" "$repo/dists/omg/Release.gpg"
			ours=$("$PGPV" --keyring "$CASES/keyring.gpg" --quiet --detached "$CASES/$name.sig" "$CASES/$name.data" | awk '{ print $2 }')
		fi
		recorded=$(awk '/^apt:/ { print $2 }' "$e")
		apt_accepts "$d" && apt=accepts || apt=refuses
		echo "$name: apt $apt (recorded $recorded), ours $ours"
		[ "$apt" = "$recorded" ]
		[ "$ours" = "$(awk '/^verdict:/ { print $2 }' "$e")" ]
		[ "$apt" = accepts ] || [ "$ours" != GOOD ]
		n=$((n + 1))
	done
	[ $n -ge 30 ]
}
