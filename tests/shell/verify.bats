#!/usr/bin/env bats
# omg audit verify, the archive chain: what the real apt-get took into a throwaway root (never
# this machine's apt state) checked by omgd against the signed Release: the signature with the
# keyring apt uses (natively for RSA, by gpgv for Ed25519), the dates, every stored list and
# every cached .deb. apt is the oracle for each signature case: what apt refuses, omg reports.

load helpers
load apt_helpers

setup_file() {
	local d=$BATS_FILE_TMPDIR why=
	for tool in apt-get apt-ftparchive gpg gpgv dpkg-deb; do
		command -v "$tool" > /dev/null || why="$tool is not installed (setup.sh installs it)"
	done
	if [ -z "$why" ] && ! "$OMG_SRCDIR/tests/fixtures/make-apt-repo.sh" "$d/repo" > "$d/repo.log" 2>&1; then
		why="make-apt-repo.sh failed: $(tail -3 "$d/repo.log" | tr '\n' ' ')"
	fi
	if [ -z "$why" ]; then
		# two RSA keys of the test's own: TRUSTED (signing subkey) and OTHER (not in any keyring)
		export GNUPGHOME=$d/gnupg
		mkdir -m 700 "$GNUPGHOME"
		G=(gpg --batch --quiet --pinentry-mode loopback --passphrase '' --no-tty)
		"${G[@]}" --quick-gen-key 'omg trusted <trusted@omg.invalid>' rsa2048 cert never
		fpr=$(gpg --list-keys --with-colons '<trusted@omg.invalid>' | awk -F: '/^fpr/ { print $10; exit }')
		"${G[@]}" --quick-add-key "$fpr" rsa2048 sign never
		"${G[@]}" --quick-gen-key 'omg other <other@omg.invalid>' rsa2048 sign never
		"${G[@]}" --export '<trusted@omg.invalid>' > "$d/trusted.gpg"
		echo "$fpr" > "$d/trusted.fpr"
	fi
	echo "$why" > "$d/skip"
}

setup() {
	omg_setup
	[ -z "$(cat "$BATS_FILE_TMPDIR/skip")" ] || skip "$(cat "$BATS_FILE_TMPDIR/skip")"
	export GNUPGHOME=$BATS_FILE_TMPDIR/gnupg
	G=(gpg --batch --quiet --pinentry-mode loopback --passphrase '' --no-tty)
	D=$BATS_TEST_TMPDIR
	REPO=$D/repo
	cp -a "$BATS_FILE_TMPDIR/repo" "$REPO"
	apt_root "$D"
	ROOT=$D/root
	LISTS=$ROOT/var/lib/apt/lists
	echo "deb file:$REPO one main" > "$ROOT/etc/apt/sources.list"
	cp "$REPO/omgtest-keyring.gpg" "$ROOT/etc/apt/trusted.gpg.d/omgtest.gpg"
}

teardown() {
	stop_omgd
	[ -z "${HTTP_PID:-}" ] || kill "$HTTP_PID" 2> /dev/null || true
}

# sign KEY-UID [RELEASE-LINE]: the repository's suite "one" signed anew by KEY-UID (InRelease
# only), with RELEASE-LINE added after its Date when given
sign() {
	local rel=$REPO/dists/one/Release
	[ -z "${2:-}" ] || sed -i "/^Date: /a $2" "$rel"
	rm -f "$REPO/dists/one/InRelease" "$REPO/dists/one/Release.gpg"
	"${G[@]}" -u "$1" --clearsign -o "$REPO/dists/one/InRelease" "$rel"
}

start() { start_omgd --root "$ROOT" --backend dpkg --no-store; }

# verify [ARGS]: omg audit verify --no-files ARGS (run), and the JSON document of the same
# check (run once more) in $J
verify() {
	J=$("$OMG" --json audit verify --no-files "$@" || true)
	run "$OMG" audit verify --no-files "$@"
}
jq_() { python3 -c 'import json, sys; d = json.load(sys.stdin); print(eval(sys.argv[1]))' "$1" <<< "$J"; }

# the number of package lists apt stored for the source
stored_lists() { ls "$LISTS" | grep '_dists_one_' | grep -vc 'Release$\|Release.gpg$'; }

@test "an Ed25519-signed source (make-apt-repo.sh's key): gpgv checks it, as the output says; every stored list hashes to its signed entry" {
	apt_update "$D" || { cat "$D/apt.log"; false; }
	start
	verify
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"file:$REPO one: good signature by "*"(gpgv)"* ]]
	[[ "$output" == *"this build cannot check the key type (Ed25519)"* ]]
	[ "$(jq_ 'd["sources"][0]["checker"]')" = gpgv ]
	[ "$(jq_ 'd["sources"][0]["lists"]')" = "$(stored_lists)" ]
	[ "$(jq_ 'd["sources"][0]["lists_bad"]')" = 0 ]
	[ "$(jq_ 'd["total"]')" = 0 ]
}

@test "an RSA-signed source (signing subkey): checked natively, the signer is the primary key apt's keyring holds" {
	sign '<trusted@omg.invalid>'
	cp "$BATS_FILE_TMPDIR/trusted.gpg" "$ROOT/etc/apt/trusted.gpg.d/trusted.gpg"
	apt_update "$D" || { cat "$D/apt.log"; false; }
	start
	verify
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(jq_ 'd["sources"][0]["checker"]')" = omg ]
	[ "$(jq_ 'd["sources"][0]["signer"]')" = "$(cat "$BATS_FILE_TMPDIR/trusted.fpr")" ]
	[ "$(jq_ 'd["sources"][0]["verdict"]')" = 0 ]
}

@test "a stored list changed after apt took it, and a list no Release names: both found, exit 5" {
	apt_update "$D"
	list=$(ls "$LISTS"/*_dists_one_main_binary-*_Packages* | head -1)
	cp "$list" "${list/_main_/_contrib_}"
	printf 'Package: evil\nVersion: 1\n\n' >> "$list"
	start
	verify
	echo "$output"
	[ "$status" -eq 5 ]
	[[ "$output" == *"list changed     $list: "*"bytes, signed: "* ]]
	[[ "$output" == *"list not signed  ${list/_main_/_contrib_}: the signed Release names no such index"* ]]
	[ "$(jq_ 'd["total"]')" = 2 ]
	[ "$(jq_ 'd["sources"][0]["lists_bad"]')" = 2 ]
}

@test "a cached .deb: apt fetched it checked (from a loopback mirror); one byte changed afterwards is found" {
	http_serve "$REPO"
	echo "deb http://127.0.0.1:$HTTP_PORT one main" > "$ROOT/etc/apt/sources.list"
	apt_update "$D" || { cat "$D/apt.log"; false; }
	APT_CONFIG=$D/apt.conf apt-get install -y -d omgtest-base > "$D/get.log" 2>&1 || { cat "$D/get.log"; false; }
	deb=$(ls "$ROOT"/var/cache/apt/archives/omgtest-base_*.deb)
	start
	verify
	[ "$status" -eq 0 ]
	[ "$(jq_ 'd["debs"]["checked"]')" = 1 ]
	[ "$(jq_ 'd["debs"]["bad"]')" = 0 ]
	printf 'X' | dd of="$deb" bs=1 seek=200 conv=notrunc 2> /dev/null
	verify
	echo "$output"
	[ "$status" -eq 5 ]
	[[ "$output" == *"cached package changed $deb: sha256 "*", its list: "* ]]
	[ "$(jq_ 'd["debs"]["bad"]')" = 1 ]
}

@test "signed by a key apt does not trust: apt refuses it; the same file in the lists is reported and no list is taken on its word" {
	apt_update "$D"
	sign '<other@omg.invalid>'
	! apt_update "$D"
	grep -q 'NO_PUBKEY\|not signed\|public key is not available' "$D/apt.log"
	cp "$REPO/dists/one/InRelease" "$LISTS/$(ls "$LISTS" | grep '_dists_one_InRelease$')"
	start
	verify
	echo "$output"
	[ "$status" -eq 5 ]
	[[ "$output" == *"source not trusted "*"no signature by a trusted key"* ]]
	[ "$(jq_ 'd["sources"][0]["lists"]')" = 0 ]
	[ "$(jq_ 'd["sources"][0]["lists_unchecked"]')" = "$(stored_lists)" ]
}

@test "a Release past its Valid-Until: apt refuses it as expired; taken anyway (Check-Valid-Until false), omg reports it" {
	cp "$BATS_FILE_TMPDIR/trusted.gpg" "$ROOT/etc/apt/trusted.gpg.d/trusted.gpg"
	sign '<trusted@omg.invalid>' "Valid-Until: $(date -u -d '2 days ago' '+%a, %d %b %Y %H:%M:%S UTC')"
	! apt_update "$D"
	grep -qi 'expired' "$D/apt.log"
	apt_update "$D" -o Acquire::Check-Valid-Until=false || { cat "$D/apt.log"; false; }
	start
	verify
	echo "$output"
	[ "$status" -eq 5 ]
	[[ "$output" == *"EXPIRED"* && "$output" == *"source not trusted "*"expired: Valid-Until "* ]]
	[ "$(jq_ 'd["sources"][0]["dates"]')" = expired ]
}

@test "one byte of the stored InRelease changed: a BAD signature (natively and by gpgv), as apt says of it" {
	local f
	apt_update "$D"
	f=$LISTS/$(ls "$LISTS" | grep '_dists_one_InRelease$')
	sed -i 's/^Suite: one$/Suite: onf/' "$f"
	cp "$f" "$REPO/dists/one/InRelease"
	! apt_accepts "$D"
	apt_update "$D" || true
	cp "$REPO/dists/one/InRelease" "$f"
	start
	verify
	echo "$output"
	[ "$status" -eq 5 ]
	[[ "$output" == *"BAD signature"* ]]
	[ "$(jq_ 'd["sources"][0]["verdict"]')" = 1 ]
}

@test "trusted=yes without any signature: apt takes it and so does omg, but the lists still answer to the Release" {
	local list
	rm -f "$REPO/dists/one/InRelease" "$REPO/dists/one/Release.gpg"
	rm "$ROOT/etc/apt/trusted.gpg.d/omgtest.gpg"
	echo "deb [trusted=yes] file:$REPO one main" > "$ROOT/etc/apt/sources.list"
	APT_CONFIG=$D/apt.conf apt-get update > "$D/apt.log" 2>&1 || { cat "$D/apt.log"; false; }
	start
	verify
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"trusted=yes"* ]]
	[ "$(jq_ 'd["sources"][0]["lists"]')" = "$(stored_lists)" ]
	list=$(ls "$LISTS"/*_dists_one_main_binary-*_Packages* | head -1)
	echo >> "$list"
	verify
	[ "$status" -eq 5 ]
	[[ "$output" == *"list changed"* ]]
}

@test "the last result: --last, omg status, the JSON status and the audit log say it; garbage in the lists breaks nothing" {
	apt_update "$D"
	start_omgd --root "$ROOT" --backend dpkg
	run "$OMG" audit verify --last
	[ "$status" -eq 1 ]
	[[ "$output" == *"no verification has finished yet"* ]]
	head -c 3000 /dev/urandom > "$LISTS/$(ls "$LISTS" | grep '_dists_one_InRelease$')"
	# one part only is not kept as the last result: the prompt's summary stays whole
	run "$OMG" audit verify --no-files
	[ "$status" -eq 5 ]
	run "$OMG" audit verify --last
	[ "$status" -eq 1 ]
	run "$OMG" audit verify
	echo "$output"
	[ "$status" -eq 5 ]
	[[ "$output" == *"malformed signed file"* ]]
	run "$OMG" audit verify --last
	[ "$status" -eq 5 ]
	[[ "$output" == *"malformed signed file"* ]]
	run "$OMG" status
	[[ "$output" == *"verified    0 files changed or missing, 1 archive problem"* ]]
	[ "$("$OMG" --json status | json_field untrusted)" = 1 ]
	eventually_shows '*verify archive files: 1 finding*' "$OMG" audit log
}

@test "usage: --last runs nothing and takes no package, --no-archive with --no-files leaves nothing, option-looking names are refused" {
	start
	run "$OMG" audit verify --last --full
	[ "$status" -eq 2 ]
	run "$OMG" audit verify --no-archive --no-files
	[ "$status" -eq 2 ]
	run "$OMG" audit verify -- --help
	[ "$status" -eq 2 ]
	[[ "$output" == *"'--help' is not a package name"* ]]
}

@test "installed files through omgd: dpkg --verify's findings (make-verify-debs.sh), read once then from the cache; OMG_MODIFIED in bash and zsh" {
	local debs=$BATS_TEST_TMPDIR/debs
	"$OMG_SRCDIR/tests/fixtures/make-verify-debs.sh" "$debs" > /dev/null 2>&1
	mkdir -p "$ROOT/var/lib/dpkg/info" "$ROOT/var/lib/dpkg/updates"
	dpkg --root="$ROOT" --log=/dev/null --force-script-chrootless -i "$debs"/vft-a_1.0_all.deb "$debs"/vft-nosums_1.0_all.deb > /dev/null
	apt_update "$D"
	start_omgd --root "$ROOT" --backend dpkg
	run "$OMG" audit verify
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"Installed files (md5sums): 2 packages, "* ]]
	echo more >> "$ROOT/usr/share/vft/a.txt"
	rm "$ROOT/usr/share/vft/b.txt"
	echo 'setting = 2' > "$ROOT/etc/vft/a.conf"
	# a file changed within a second of being read is read again next time (its ctime could
	# hide a second change): the next reads come later than that
	sleep 1.1
	run "$OMG" --json audit verify --no-archive
	[ "$status" -eq 5 ]
	J=$output
	ours=$(jq_ '"\n".join(sorted(f["kind"].replace(" ", "-") + " " + f["path"] for f in d["findings"]))')
	theirs=$(dpkg --root="$ROOT" --verify 2>/dev/null | "$OMG_SRCDIR/tests/tools/dpkg-verify-classes" | sed "s| $ROOT/| /|")
	echo "ours: $ours"; echo "dpkg: $theirs"
	[ "$ours" = "$theirs" ]
	[ "$(jq_ 'd["installed"]["hashed"]')" -gt 0 ]
	# again, the whole check (the one the prompt's summary follows): no file read, the same findings
	J=$("$OMG" --json audit verify || true)
	[ "$(jq_ 'd["installed"]["hashed"]')" = 0 ]
	[ "$(jq_ 'd["total"]')" = 3 ]
	# the prompt's variable: 3, in both shells, no fork
	require_modules
	[ "$(in_bash 'echo "$OMG_MODIFIED"')" = 3 ]
	[ "$(in_zsh 'echo "$OMG_MODIFIED"')" = 3 ]
}
