# No repository at all: nothing is an update, every package is foreign.
conf pacman.conf <<'C'
[options]
Architecture = x86_64
C
