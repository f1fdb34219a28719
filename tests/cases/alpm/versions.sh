# Version strings as alpm compares them (vercmp): letters, rc, dots against nothing, a
# pkgrel with a dot, underscores, plus signs, and epochs against none. pacman -Qu decides
# which are updates.
i=0
while read -r lv sv; do
	i=$((i + 1))
	local_add "ver$i" "$lv" 0 </dev/null
	sync_add core "ver$i" "$sv" </dev/null
done <<'V'
1.0rc1-1 1.0-1
1.0-1 1.0rc1-1
1.0-1 1.0a-1
1.0a-1 1.0-1
1.0-1 1.0.a-1
1.0-1 1.0.1-1
1.0-1 1.0-1.1
1.0-1.1 1.0-2
1.0_1-1 1.0.1-1
1.0+b-1 1.0-1
1.0-1 1.0+1-1
0:1.0-1 1.0-2
1:1.0-1 2.0-1
2.0-1 1:0.1-1
1.0.0-1 1.0-1
1.0-1 1.0.0-1
1.10-1 1.9-1
1.01-1 1.1-1
1.1-1 1.01-2
20240101-1 2024.01.02-1
1.0-10 1.0-9
1.0-1 1.0-1
V
