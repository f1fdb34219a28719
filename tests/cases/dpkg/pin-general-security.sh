# A general pin on the Release's Origin and Label: the security archive at 400, below the
# release's 500, so its versions are candidates only where nothing else has the package.
write etc/apt/preferences.d/security <<'PIN'
Package: *
Pin: release o=Debian,l=Debian-Security
Pin-Priority: 400
PIN
