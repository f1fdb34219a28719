# A general pin on the origin (the host of the list's URI): everything from deb.debian.org at
# 100, the installed versions' own priority; backports' NotAutomatic no longer matters. A
# second general pin on the same lists comes after it and loses (the first match wins).
write etc/apt/preferences.d/origin <<'PIN'
Package: *
Pin: origin deb.debian.org
Pin-Priority: 100

Package: *
Pin: release l=Debian-Security
Pin-Priority: 990
PIN
