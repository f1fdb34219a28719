# Include with a glob (pacman expands it, files in order), and options spread over two
# IgnorePkg lines that add up.
conf pacman.conf <<'C'
[options]
Architecture = x86_64
IgnorePkg = pkg012
IgnorePkg = pkg03*

[core]
Include = /etc/pacman.d/mirrorlist

Include = /etc/pacman.d/repos.d/*.conf
C
conf pacman.d/repos.d/10-extra.conf <<'C'
[extra]
Include = /etc/pacman.d/mirrorlist
C
conf pacman.d/repos.d/20-testing.conf <<'C'
[testing]
Server = http://fixture.invalid/testing
C
