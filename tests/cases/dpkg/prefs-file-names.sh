# Which files of preferences.d apt reads: each file pins a different package to backports,
# so a candidate shows whether its file was read. apt takes names without an extension or
# with .pref, made of letters, digits, '_', '-' and '.', and ignores the rest.
files=(plain dashed-name under_score 10numbered UPPER two.pref a.b.pref trailing.prefs x.bak
	y.disabled z.conf z.pref.disabled 'sp ace' backup~ .hidden .hidden.pref x.dpkg-old)
pkgs=(debootstrap dehydrated acr hprof-conv libbtrfs0 libbtrfsutil1 logsave libcom-err2 libss2
	fuseext2 libcext0 libtalloc2 libmilter1.0.1 dh-elpa-helper libdrm-common libhwloc-common
	igtf-policy-unaccredited)
for i in "${!files[@]}"; do
	printf 'Package: %s\nPin: release n=bookworm-backports\nPin-Priority: 500\n' "${pkgs[$i]}" |
		write "etc/apt/preferences.d/${files[$i]}"
done
