# IgnoreGroup: two updatable packages in a group pacman.conf ignores (held, still listed by
# pacman -Qu with [ignored]), and a group that no package has.
sync_field core pkg001 %GROUPS% fixgroup
sync_field extra pkg002 %GROUPS% fixgroup other
sed -i 's/^IgnorePkg = .*/&\nIgnoreGroup = fixgroup nogroup/' "$ROOT/etc/pacman.conf"
