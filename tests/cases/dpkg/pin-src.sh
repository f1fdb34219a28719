# Package: src:NAME pins every binary package built from source NAME (systemd: libsystemd0
# and libudev1 are installed) to backports.
write etc/apt/preferences <<'PIN'
Package: src:systemd
Pin: release n=bookworm-backports
Pin-Priority: 500
PIN
