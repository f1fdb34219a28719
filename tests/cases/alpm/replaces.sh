# A sync package that replaces an installed one: pacman -Qu does not list a replacement (only
# -Su offers it); the replaced package keeps its own update when it has one.
sync_add core newname 1.0-1 <<'D'
%REPLACES%
pkg003
pkg001
D
