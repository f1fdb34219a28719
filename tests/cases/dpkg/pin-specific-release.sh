# A specific pin of two names on one Package: line (curl and its library) to bookworm-backports
# at 500: the same priority as bookworm, so the newer backports version is the candidate.
write etc/apt/preferences <<'PIN'
Package: curl libcurl4
Pin: release n=bookworm-backports
Pin-Priority: 500
PIN
