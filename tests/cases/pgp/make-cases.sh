#!/usr/bin/env bash
# make-cases.sh — regenerates the OpenPGP verification corpus in this directory with gpg (in a
# temporary GNUPGHOME) and records, for every case, what apt itself does with it (apt-get
# update from a file: source with signed-by= in a throwaway apt root: never this machine's).
#
#   tests/cases/pgp/make-cases.sh          (needs gpg, gpgv, apt-utils, python3; run as root
#                                           or not: apt runs with Debug::NoLocking)
#
# Each case is NAME.asc (a clearsigned InRelease) or NAME.data + NAME.sig (Release and
# Release.gpg), with NAME.expect:
#   # <what the case is>
#   verdict: <omg's expected verdict, pgp_verdict_name()>
#   apt: accepts | refuses        (observed here, when the script ran)
# The keys are keyring.gpg (binary) and keyring.asc (the same keys, armored). The generated
# files are committed: tests read them and never need gpg.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/omg-pgp-cases.XXXXXX)
trap 'rm -rf "$work"' EXIT
export GNUPGHOME=$work/gnupg LC_ALL=C TZ=UTC
mkdir -m 700 "$GNUPGHOME"
G=(gpg --batch --quiet --pinentry-mode loopback --passphrase '' --no-tty)
fpr() { gpg --list-keys --with-colons "$1" | awk -F: '/^fpr/ { print $10; exit }'; }
subfpr() { gpg --list-keys --with-colons "$1" | awk -F: '/^sub/ { s = 1 } s && /^fpr/ { print $10; exit }'; }
past=20200101T000000 past1h=20200101T010000

# ---- keys ------------------------------------------------------------------------------
# test: RSA primary (certify only) with an RSA signing subkey, as Debian's archive keys
"${G[@]}" --quick-gen-key 'omg test <test@omg.invalid>' rsa2048 cert never
"${G[@]}" --quick-add-key "$(fpr '<test@omg.invalid>')" rsa2048 sign never
# other: never in the keyring
"${G[@]}" --quick-gen-key 'omg other <other@omg.invalid>' rsa2048 sign,cert never
# expired: a key that expired a day after its creation in 2020
"${G[@]}" --faked-system-time $past --quick-gen-key 'omg expired <expired@omg.invalid>' rsa2048 sign,cert 1d
# revoked: revoked with the certificate gpg made with it
"${G[@]}" --quick-gen-key 'omg revoked <revoked@omg.invalid>' rsa2048 sign,cert never
# expsub: a primary without expiry whose signing subkey expired in 2020
"${G[@]}" --faked-system-time $past --quick-gen-key 'omg expsub <expsub@omg.invalid>' rsa2048 cert never
"${G[@]}" --faked-system-time $past --quick-add-key "$(fpr '<expsub@omg.invalid>')" rsa2048 sign 1d
# old: made in 2020, no expiry (for signatures that expire, or made before... 2020)
"${G[@]}" --faked-system-time $past --quick-gen-key 'omg old <old@omg.invalid>' rsa2048 sign,cert never
# ed: an Ed25519 key, which mbedTLS 2.28 cannot check
"${G[@]}" --quick-gen-key 'omg ed <ed@omg.invalid>' ed25519 sign,cert never

# ---- the signed text: a Release made by apt-ftparchive ----------------------------------
repo=$work/repo
mkdir -p "$repo/dists/omg/main/binary-amd64"
printf 'Package: omg-case\nVersion: 1.0\nArchitecture: all\nDescription: a case\n' > "$repo/dists/omg/main/binary-amd64/Packages"
apt-ftparchive -o APT::FTPArchive::Release::Origin=omg -o APT::FTPArchive::Release::Suite=omg \
	-o APT::FTPArchive::Release::Codename=omg -o APT::FTPArchive::Release::Architectures=amd64 \
	-o APT::FTPArchive::Release::Components=main release "$repo/dists/omg" > "$work/Release"
# a line that must be dash-escaped, inside a field as a Description could have it
sed 's/^Components: main$/Components: main\n-X-Omg-Dash: a field whose name starts with a dash/' "$work/Release" > "$work/Release.dash"


sign() { # sign OUT USER [gpg options...]
	local out=$1 user=$2
	shift 2
	"${G[@]}" --yes "$@" -u "$user" --clearsign -o "$out" "$work/Release"
}
rm -f "$here"/*.asc "$here"/*.expect "$here"/*.data "$here"/*.sig "$here"/*.gpg
case_file() { # case NAME VERDICT WHAT (the .asc already in place)
	printf '# %s\nverdict: %s\n' "$3" "$2" > "$here/$1.expect"
}

sign "$here/good.asc" "$(subfpr '<test@omg.invalid>')!"
case_file good GOOD "signed by the signing subkey of a key in the keyring"
sign "$here/good-sha512.asc" '<test@omg.invalid>' --digest-algo SHA512
case_file good-sha512 GOOD "SHA-512"
sign "$here/good-sha224.asc" '<test@omg.invalid>' --digest-algo SHA224
case_file good-sha224 GOOD "SHA-224"
"${G[@]}" --yes -u '<test@omg.invalid>' --clearsign -o "$here/good-dash-escaped.asc" "$work/Release.dash"
case_file good-dash-escaped GOOD "lines starting with a dash, dash-escaped by gpg"
"${G[@]}" --yes -u '<test@omg.invalid>' -u '<other@omg.invalid>' --clearsign -o "$here/good-and-unknown.asc" "$work/Release"
case_file good-and-unknown GOOD "one good signature and one by a key not in the keyring (ignored)"
sed 's/^\(Origin: omg\)$/\1  \t/' "$here/good.asc" > "$here/good-trailing-blanks.asc"
case_file good-trailing-blanks GOOD "trailing blanks on a message line (not signed, RFC 4880 7.1)"
sed 's/^\(-----END PGP SIGNATURE-----\)$/\1   /' "$here/good.asc" > "$here/good-blanks-after-end.asc"
case_file good-blanks-after-end GOOD "blanks after END PGP SIGNATURE on its line"
sed 's/$/\r/' "$here/good.asc" > "$here/good-crlf.asc"
case_file good-crlf GOOD "CRLF line ends throughout"

sed 's/^Origin: omg$/Origin: gmo/' "$here/good.asc" > "$here/tampered.asc"
case_file tampered BAD "one field changed after signing"
{ echo 'Suite: evil'; cat "$here/good.asc"; } > "$here/line-before-begin.asc"
case_file line-before-begin FRAMING "a line before BEGIN PGP SIGNED MESSAGE"
{ cat "$here/good.asc"; echo 'Suite: evil'; } > "$here/line-after-end.asc"
case_file line-after-end FRAMING "unsigned text after END PGP SIGNATURE"
{ cat "$here/good.asc"; echo; } > "$here/blank-after-end.asc"
case_file blank-after-end FRAMING "an empty line after END PGP SIGNATURE"
sed 's/^Hash: .*$/&\nSuite: evil/' "$here/good.asc" > "$here/injected-header.asc"
case_file injected-header FRAMING "an armor header that is not Hash: (apt ignores it; omg refuses)"
sed 's/^Hash: .*$/&\n-Suite: evil/' "$here/good.asc" > "$here/injected-dash-header.asc"
case_file injected-dash-header FRAMING "an armor header line starting with a dash"
sed '0,/^-----BEGIN PGP SIGNATURE-----$/s//-----BEGIN PGP SIGNATURE-----\nSuite: evil/' "$here/good.asc" > "$here/sig-armor-header.asc"
case_file sig-armor-header FRAMING "an unknown header in the signature's armor (gpgv ignores it; omg refuses)"
sed 's/^- -X-Omg-Dash/-X-Omg-Dash/' "$here/good-dash-escaped.asc" > "$here/dash-escape-error.asc"
case_file dash-escape-error FRAMING "a message line starting with a dash, not escaped"
awk '/^-----BEGIN PGP SIGNATURE-----$/ { print "Suite: evil"; print "" } { print }' "$here/good.asc" > "$here/unsigned-trailing.asc"
case_file unsigned-trailing BAD "text added at the end of the message (it is hashed: the signature breaks)"
awk 'BEGIN { n = 0 } /^-----BEGIN PGP SIGNATURE-----$/ { s = 1 } s && ++n == 6 { next } { print }' "$here/good.asc" > "$here/truncated.asc"
case_file truncated FRAMING "a base64 line of the signature removed"
awk '/^-----BEGIN PGP SIGNATURE-----$/ { s = 1 } s && /^-----END/ { print; exit } { print }' "$here/good.asc" | head -n -3 > "$here/no-end.asc"
case_file no-end FRAMING "the signature cut short: no END line"
sed 's/^=\(.\)\(...\)$/=\2\1/' "$here/good.asc" > "$here/bad-crc.asc"
case_file bad-crc FRAMING "the armor checksum changed"
sed '/^-----BEGIN PGP SIGNATURE-----$/,$d' "$here/good.asc" > "$here/no-signature.asc"
case_file no-signature FRAMING "the message without a signature"
cp "$work/Release" "$here/not-signed.asc"
case_file not-signed FRAMING "a Release, not clearsigned"

sign "$here/unknown-key.asc" '<other@omg.invalid>'
case_file unknown-key NO_KEY "signed by a key not in the keyring"
sign "$here/expired-key.asc" '<expired@omg.invalid>' --faked-system-time $past1h
case_file expired-key EXPIRED_KEY "signed in 2020 by a key that expired the next day"
sign "$here/revoked-key.asc" '<revoked@omg.invalid>'
case_file revoked-key REVOKED_KEY "signed, then the key was revoked"
sign "$here/expired-subkey.asc" "$(subfpr '<expsub@omg.invalid>')!" --faked-system-time $past1h
case_file expired-subkey EXPIRED_KEY "signed in 2020 by a subkey that expired the next day"
sign "$here/sha1.asc" '<test@omg.invalid>' --digest-algo SHA1
case_file sha1 WEAK "a SHA-1 signature (apt: untrusted digest algorithm)"
sign "$here/expired-sig.asc" '<old@omg.invalid>' --faked-system-time $past1h --default-sig-expire 1d
case_file expired-sig EXPIRED_SIG "a signature that expired a day after 2020-01-01"
sign "$here/future-sig.asc" '<test@omg.invalid>' --faked-system-time 20990101T000000
case_file future-sig INVALID "a signature made in 2099 (apt passes --ignore-time-conflict; omg refuses)"
sign "$here/ed25519.asc" '<ed@omg.invalid>'
case_file ed25519 UNSUPPORTED_ONLY "an Ed25519 signature: not checked by mbedTLS 2.28, never good"

# signature packets combined: two signings of one text, as an archive with several keys
combine() { # combine OUT IN... : IN's message, every IN's signature packets
	python3 - "$@" <<'EOF'
import base64, re, sys
out, ins = sys.argv[1], sys.argv[2:]
def crc24(b):
    c = 0xB704CE
    for x in b:
        c ^= x << 16
        for _ in range(8):
            c <<= 1
            if c & 0x1000000: c ^= 0x1864CFB
    return c & 0xFFFFFF
packets, head = b"", None
for name in ins:
    t = open(name).read()
    m, s = re.split(r"(?m)^-----BEGIN PGP SIGNATURE-----\n", t, 1)
    head = head or m
    lines = s.split("-----END PGP SIGNATURE-----")[0].splitlines()
    body = lines[lines.index("") + 1:]
    packets += base64.b64decode("".join(l for l in body if not l.startswith("=")))
b64 = base64.b64encode(packets).decode()
lines = [b64[i:i + 64] for i in range(0, len(b64), 64)]
crc = base64.b64encode(crc24(packets).to_bytes(3, "big")).decode()
open(out, "w").write(head + "-----BEGIN PGP SIGNATURE-----\n\n" + "\n".join(lines) + "\n=" + crc + "\n-----END PGP SIGNATURE-----\n")
EOF
}
combine "$here/good-and-sha1.asc" "$here/good.asc" "$here/sha1.asc"
case_file good-and-sha1 WEAK "a good signature and a SHA-1 one by the same key (apt drops both)"
combine "$here/good-and-expired.asc" "$here/good.asc" "$here/expired-key.asc"
case_file good-and-expired GOOD "a good signature and one by an expired key (ignored as apt does)"
combine "$here/good-and-ed25519.asc" "$here/good.asc" "$here/ed25519.asc"
case_file good-and-ed25519 GOOD "a good RSA signature and an Ed25519 one, as bookworm's InRelease"
"${G[@]}" --yes -u '<test@omg.invalid>' --clearsign -o "$work/other-text.asc" "$work/Release.dash"
combine "$here/good-and-bad.asc" "$here/good.asc" "$work/other-text.asc"
case_file good-and-bad BAD "a good signature and a bad one (made over another text)"
combine "$here/two-blocks.asc" "$here/good.asc"
sed -n '/^-----BEGIN PGP SIGNATURE-----$/,$p' "$here/good-sha512.asc" >> "$here/two-blocks.asc"
case_file two-blocks GOOD "two signature blocks after the message"

# detached: Release + Release.gpg
cp "$work/Release" "$here/detached-good.data"
"${G[@]}" --yes -u '<test@omg.invalid>' --armor --detach-sign -o "$here/detached-good.sig" "$work/Release"
case_file detached-good GOOD "Release with an armored detached signature"
sed 's/^Origin: omg$/Origin: gmo/' "$work/Release" > "$here/detached-tampered.data"
cp "$here/detached-good.sig" "$here/detached-tampered.sig"
case_file detached-tampered BAD "Release changed after signing"
cp "$work/Release" "$here/detached-binary.data"
"${G[@]}" --yes -u '<test@omg.invalid>' --detach-sign -o "$here/detached-binary.sig" "$work/Release"
case_file detached-binary FRAMING "a binary Release.gpg (apt refuses it)"
cp "$work/Release" "$here/detached-junk.data"
{ echo junk; cat "$here/detached-good.sig"; } > "$here/detached-junk.sig"
case_file detached-junk FRAMING "a line before the signature block in Release.gpg"

# the revocation last, so that the signatures above were made while the key was valid
rev=$GNUPGHOME/openpgp-revocs.d/$(fpr '<revoked@omg.invalid>').rev
sed 's/^:-----/-----/' "$rev" | "${G[@]}" --import
"${G[@]}" --export '<test@omg.invalid>' '<expired@omg.invalid>' '<revoked@omg.invalid>' '<expsub@omg.invalid>' '<old@omg.invalid>' \
	'<ed@omg.invalid>' > "$here/keyring.gpg"
"${G[@]}" --armor --export '<test@omg.invalid>' '<expired@omg.invalid>' '<revoked@omg.invalid>' '<expsub@omg.invalid>' \
	'<old@omg.invalid>' '<ed@omg.invalid>' > "$here/keyring.asc"

# ---- what apt does with each case ---------------------------------------------------------
root=$work/aptroot
mkdir -p "$root/etc/apt/apt.conf.d" "$root/etc/apt/preferences.d" "$root/etc/apt/trusted.gpg.d" \
	"$root/var/cache/apt/archives/partial" "$root/var/lib/dpkg"
: > "$root/var/lib/dpkg/status"
cat > "$work/apt.conf" <<EOF
Dir "$root/";
Dir::State::status "$root/var/lib/dpkg/status";
Debug::NoLocking "true";
APT::Sandbox::User "$(id -un)";
Acquire::Languages "none";
EOF
echo "deb [signed-by=$here/keyring.gpg] file:$repo omg main" > "$root/etc/apt/sources.list"
for e in "$here"/*.expect; do
	name=$(basename "$e" .expect)
	rm -rf "$root/var/lib/apt/lists" "$repo/dists/omg/InRelease" "$repo/dists/omg/Release" "$repo/dists/omg/Release.gpg"
	mkdir -p "$root/var/lib/apt/lists/partial"
	if [ -e "$here/$name.asc" ]; then
		cp "$here/$name.asc" "$repo/dists/omg/InRelease"
	else
		cp "$here/$name.data" "$repo/dists/omg/Release"
		cp "$here/$name.sig" "$repo/dists/omg/Release.gpg"
	fi
	# the case's Packages must match its Release for apt to go on: the same file for all
	if APT_CONFIG=$work/apt.conf apt-get update > "$work/apt.log" 2>&1 && ! grep -q '^[WE]: ' "$work/apt.log" &&
		ls "$root/var/lib/apt/lists/" | grep -q 'Release$'; then
		echo "apt: accepts" >> "$e"
	else
		echo "apt: refuses ($(grep -m1 -o '^[WE]: .*' "$work/apt.log" | sed "s|$work|TMP|g" | cut -c1-160))" >> "$e"
	fi
	echo "$name: $(grep -v '^#' "$e" | tr '\n' ' ')"
done
