# A third architecture added by dpkg (armhf), with a list of it for bookworm main (a few of
# the native list's packages, as armhf), and an arch-qualified pin: zlib1g:FOREIGN only, to
# the release's older version at 1001.
in_root dpkg --add-architecture armhf
awk -v RS= -v ORS='\n\n' '/^Package: (zlib1g|libc6|libgcc-s1|gcc-12-base|bash|less)\n/' \
	"var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_main_binary-${NATIVE}_Packages" |
	sed "s/^Architecture: $NATIVE\$/Architecture: armhf/" \
	> var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_main_binary-armhf_Packages
old=$(in_root apt-cache madison "zlib1g:$FOREIGN" | awk -F' [|] ' 'index($3, " bookworm/main ") { gsub(/ /, "", $2); print $2; exit }')
write etc/apt/preferences.d/foreign <<PIN
Package: zlib1g:$FOREIGN
Pin: version $old
Pin-Priority: 1001
PIN
