#!/usr/bin/env bash
# run-fuzz.sh — builds the libFuzzer targets with clang (ASan+UBSan) and runs each briefly
# from a small seed corpus. TAP output, one case per target. FUZZ_SECONDS (default 20) per
# target; skipped when clang or its fuzzer runtime is missing, or in the ASan build (the
# plain build runs them).
set -uo pipefail
src=${OMG_SRCDIR:?} build=${OMG_BUILDDIR:?}
seconds=${FUZZ_SECONDS:-20}
targets=(fuzz_frame fuzz_status_file fuzz_deb822 fuzz_aptprefs fuzz_dpkg_root fuzz_store fuzz_pacmanconf fuzz_aur fuzz_aptsim fuzz_ere)
echo "1..${#targets[@]}"
if [ -n "${OMG_SKIP_FUZZ:-}" ] || ! command -v clang >/dev/null; then
	for i in "${!targets[@]}"; do echo "ok $((i + 1)) ${targets[$i]} # SKIP fuzzing runs in the plain build with clang"; done
	exit 0
fi
work=$build/tests/fuzz/work
mkdir -p "$work"
cflags=(-g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -std=c17
	-D_GNU_SOURCE -I"$build" -I"$src/common" -I"$src/omgd" -I"$src/omgd/dpkg")
common=("$src"/common/error.c "$src"/common/proto.c "$src"/common/proto_plan.c)
declare -A sources=(
	[fuzz_frame]="$src/tests/fuzz/fuzz_frame.c $src/omgd/dispatch.c $src/omgd/db.c $src/omgd/db_rel.c $src/omgd/search.c $src/omgd/textidx.c $src/omgd/ere.c $src/omgd/snapshot.c $src/omgd/deb822.c $src/omgd/audit.c $src/omgd/store.c $(echo "$src"/omgd/aur/*.c) $(echo "$src"/omgd/plan/*.c) $src/omgd/child.c $src/omgd/version.c $src/omgd/pacmanconf.c ${common[*]} -llmdb -lmbedcrypto -lcurl -ljansson -ldpkg -lalpm -lpthread"
	[fuzz_store]="$src/tests/fuzz/fuzz_store.c $src/omgd/snapshot.c $src/omgd/db.c $src/omgd/db_rel.c $src/omgd/search.c $src/omgd/textidx.c $src/omgd/ere.c $src/omgd/deb822.c $src/omgd/audit.c $src/omgd/store.c ${common[*]} -llmdb -lmbedcrypto"
	[fuzz_pacmanconf]="$src/tests/fuzz/fuzz_pacmanconf.c $src/omgd/pacmanconf.c ${common[*]}"
	[fuzz_aptsim]="$src/tests/fuzz/fuzz_aptsim.c $src/omgd/plan/aptsim.c $src/omgd/version.c ${common[*]} -ldpkg"
	[fuzz_ere]="$src/tests/fuzz/fuzz_ere.c $src/omgd/ere.c ${common[*]}"
	[fuzz_aur]="$src/tests/fuzz/fuzz_aur.c $src/omgd/aur/json.c ${common[*]} -ljansson"
	[fuzz_status_file]="$src/tests/fuzz/fuzz_status_file.c $src/common/status_file.c $src/common/paths.c ${common[*]}"
	[fuzz_dpkg_root]="$src/tests/fuzz/fuzz_dpkg_root.c $(echo "$src"/omgd/dpkg/*.c) $src/omgd/pkgfiles.c $src/omgd/deb822.c $src/omgd/aptconf.c $src/omgd/aptsources.c $src/omgd/aptdir.c $src/omgd/aptprefs.c $src/omgd/listfile.c $src/omgd/db.c $src/omgd/db_rel.c $src/omgd/search.c $src/omgd/textidx.c $src/omgd/ere.c $src/omgd/version.c $src/omgd/srccache.c $src/omgd/store.c $src/omgd/snapshot.c $src/omgd/backend_detect.c $src/omgd/backend_alpm.c $src/omgd/pacmanconf.c $src/omgd/revdeps.c ${common[*]} -ldpkg -larchive -llmdb -lmbedcrypto -lalpm"
	[fuzz_aptprefs]="$src/tests/fuzz/fuzz_aptprefs.c $src/omgd/aptprefs.c $src/omgd/aptsources.c $src/omgd/aptdir.c $src/omgd/deb822.c ${common[*]}"
	[fuzz_deb822]="$src/tests/fuzz/fuzz_deb822.c $src/omgd/deb822.c $src/omgd/aptconf.c $src/omgd/aptsources.c $src/omgd/aptdir.c ${common[*]}"
)
seed_corpus() {
	local dir=$work/corpus-$1
	mkdir -p "$dir"
	case $1 in
	fuzz_frame)
		printf '\x00\x00\x00\x00\x01\x02\x00\x00\x07\x00\x00\x00' > "$dir/ping"
		printf '\x11\x00\x00\x00\x01\x04\x00\x00\x02\x00\x00\x00\x04\x00\x00\x00fire\x00\x05\x00\x00\x00\x01\x00\x00\x00' > "$dir/search"
		printf '\x09\x00\x00\x00\x01\x05\x00\x00\x04\x00\x00\x00\x04\x00\x00\x00bash\x00' > "$dir/info"
		printf '\x05\x00\x00\x00\x01\x07\x00\x00\x05\x00\x00\x00\x03\x00\x00\x00\x00' > "$dir/list"
		printf '\x0e\x00\x00\x00\x01\x08\x00\x00\x06\x00\x00\x00\x02\x00\x00\x00\x02\x00\x00\x00\x00\x03\x00\x00\x00\x00' > "$dir/batch"
		printf '\x0d\x00\x00\x00\x01\x06\x00\x00\x06\x00\x00\x00\x01\x00\x00\x00f\x00\x05\x00\x00\x00\x00\x00\x00\x00' > "$dir/suggest" ;;
	fuzz_store)
		OMG_FUZZ_SEED="$dir/snapshot" "$work/fuzz_store" >/dev/null 2>&1
		printf '\x01\x02\x00\x00\xe8\x03\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x03\x00\x00\x00abc%064d' 0 > "$dir/record" ;;
	fuzz_aptsim)
		cp "$src"/tests/cases/aptsim/*.out "$dir/" ;;
	fuzz_pacmanconf)
		cp "$src/tests/fixtures/pacman.conf.sample" "$dir/sample" ;;
	fuzz_aur)
		printf '{"version":5,"type":"search","resultcount":1,"results":[{"Name":"yay","Version":"12.3.5-1","Description":"AUR helper","NumVotes":3}]}' > "$dir/search"
		printf '{"version":5,"type":"multiinfo","resultcount":1,"results":[{"Name":"yay","Version":"1-1","Depends":["git"],"OutOfDate":1710000000,"Popularity":0.5}]}' > "$dir/info"
		printf '{"version":5,"type":"error","resultcount":0,"results":[],"error":"Too many package results."}' > "$dir/error" ;;
	fuzz_deb822)
		printf 'Package: bash\nVersion: 5.2-1\nDescription: shell\n more\n .\n end\n\nPackage: zsh\nStatus: install ok installed\n' > "$dir/status"
		printf 'APT { NeverAutoRemove { "^linux-.*"; }; };\n#clear APT;\nDir "/";\n/* c */ // c\n' > "$dir/conf" ;;
	fuzz_aptprefs)
		printf 'Package: *\nPin: release a=bookworm-backports, o=Debian\nPin-Priority: 600\n\n# c\nPackage: src:bash lib* /^x/ foo:i386\nPin: version 1.0*\nPin-Priority: 1001\n\nPackage: *\nPin: origin "deb.debian.org"\nPin-Priority: never\n' > "$dir/prefs"
		printf 'deb [arch=amd64,i386 arch-=i386 trusted=yes] http://user:pw@h:80/d bookworm main\n' > "$dir/list"
		printf 'Types: deb\nURIs: file:/srv/r\nSuites: ./\nArchitectures: i386\nEnabled: no\n' > "$dir/sources" ;;
	fuzz_status_file)
		# a valid file at its own time, and the same file 31 s later (stale)
		printf '\x00\xe1\xf5\x05\x00\x00\x00\x00SGMO\x01\x00\x00\x00\x69\x03\x00\x00\x97\x00\x00\x00\x03\x00\x00\x00\x74\x00\x00\x00\x00\xe1\xf5\x05\x00\x00\x00\x00' > "$dir/valid"
		printf '\x1f\xe1\xf5\x05\x00\x00\x00\x00SGMO\x01\x00\x00\x00\x69\x03\x00\x00\x97\x00\x00\x00\x03\x00\x00\x00\x74\x00\x00\x00\x00\xe1\xf5\x05\x00\x00\x00\x00' > "$dir/stale" ;;
	fuzz_dpkg_root)
		cp "$src/tests/fuzz/seed-dpkg-root" "$dir/root" ;;
	fuzz_ere)
		printf '\x0b^lib.*ssl+libfoo-ssl1.1 - SSL library' > "$dir/regex"
		printf '\x0bc\\+\\+ (x|y)Gnu C++ compiler (x)' > "$dir/escapes"
		printf '\x07fire?Firewalld' > "$dir/plain" ;;
	esac
	echo "$dir"
}
i=0
for t in "${targets[@]}"; do
	i=$((i + 1))
	# shellcheck disable=SC2086
	if ! clang "${cflags[@]}" ${sources[$t]} -o "$work/$t" 2>"$work/$t.build.log"; then
		if grep -q 'libclang_rt.fuzzer\|fuzzer' "$work/$t.build.log"; then
			echo "ok $i $t # SKIP no libFuzzer runtime"; continue
		fi
		echo "not ok $i $t: build failed"; sed 's/^/# /' "$work/$t.build.log" | head -20; continue
	fi
	corpus=$(seed_corpus "$t")
	if "$work/$t" -max_total_time="$seconds" -max_len=4096 -timeout=5 -rss_limit_mb=1024 \
		-artifact_prefix="$work/$t-" "$corpus" >"$work/$t.log" 2>&1; then
		echo "ok $i $t # $(grep -o 'stat::number_of_executed_units: [0-9]*' "$work/$t.log" || tail -1 "$work/$t.log")"
	else
		echo "not ok $i $t: a crash or leak was found"; grep -E 'ERROR|SUMMARY|artifact' "$work/$t.log" | sed 's/^/# /' | head -20
	fi
done
