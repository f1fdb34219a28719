# Version pins at 1001: the first upgradable package held at its installed version (exact),
# and zlib1g (installed from the security archive) pinned to the release's older version,
# which a priority of 1000 or more makes the candidate (a downgrade).
read -r held inst < <(in_root apt list --upgradable 2>/dev/null |
	awk -F'[/ ]' '/upgradable from/ { v = $NF; sub(/]$/, "", v); print $1, v; exit }')
old=$(in_root apt-cache madison zlib1g | awk -F' [|] ' 'index($3, " bookworm/main ") { gsub(/ /, "", $2); print $2; exit }')
write etc/apt/preferences <<PIN
Package: $held
Pin: version $inst
Pin-Priority: 1001

Package: zlib1g
Pin: version $old
Pin-Priority: 1001
PIN
