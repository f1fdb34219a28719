# Package: patterns: a /regex/ and a glob, each pinning backports at 500 for what it matches.
write etc/apt/preferences <<'PIN'
Package: /^python3-(aio|dj)/
Pin: release n=bookworm-backports
Pin-Priority: 500

Package: golang-github-*
Pin: release n=bookworm-backports
Pin-Priority: 500
PIN
