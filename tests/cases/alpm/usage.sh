# Usage = Search Install (no Upgrade): pacman takes no update from such a repository; and a
# repository with Usage = All after it.
conf pacman.conf <<'C'
[options]
Architecture = x86_64
IgnorePkg = pkg012 pkg03*

[core]
Usage = Search Install
Include = /etc/pacman.d/mirrorlist

[extra]
Usage = All
Include = /etc/pacman.d/mirrorlist

[testing]
Usage = Sync Search
Server = http://fixture.invalid/testing
C
