# The repositories' order decides which one's version is the candidate: [testing] (which
# has every 23rd package newer) first, then the others.
conf pacman.conf <<'C'
[options]
Architecture = x86_64
IgnorePkg = pkg012 pkg03*

[testing]
Server = http://fixture.invalid/testing

[extra]
Include = /etc/pacman.d/mirrorlist

[core]
Include = /etc/pacman.d/mirrorlist
C
