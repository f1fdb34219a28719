# A repository in pacman.conf whose database was never synced (pacman warns and goes on).
rm "$ROOT/var/lib/pacman/sync/extra.db"
