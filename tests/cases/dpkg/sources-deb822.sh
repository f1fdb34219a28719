# The same sources in deb822 form: several Suites in one stanza, Architectures:, the
# security archive Enabled: no (its lists stay on disk, unread), and a deb-src-only stanza.
rm -f etc/apt/sources.list etc/apt/sources.list.d/*
write etc/apt/sources.list.d/debian.sources <<SRC
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates bookworm-backports
Components: main
Architectures: $NATIVE $FOREIGN
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

# security, switched off
Types: deb
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Enabled: no
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb-src
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
SRC
