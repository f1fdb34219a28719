# Negative priorities: a general pin that never takes bookworm-security (-1), and the
# installed version of less itself at -1 (apt then has no candidate for it).
write etc/apt/preferences <<'PIN'
Package: *
Pin: release n=bookworm-security
Pin-Priority: -1

Package: less
Pin: version *
Pin-Priority: -1
PIN
