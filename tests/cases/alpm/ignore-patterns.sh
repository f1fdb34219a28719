# IgnorePkg patterns as pacman matches them (fnmatch): a bracket class, '?', and a negation
# ('!NAME' takes a name back out of an earlier pattern).
sed -i 's/^IgnorePkg = .*/IgnorePkg = pkg00[1-4] pkg01? !pkg013 !pkg002/' "$ROOT/etc/pacman.conf"
