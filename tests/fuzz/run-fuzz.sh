#!/usr/bin/env bash
# run-fuzz.sh — builds the libFuzzer targets with clang (ASan+UBSan) and runs each briefly
# from a small seed corpus. TAP output, one case per target. FUZZ_SECONDS (default 20) per
# target; skipped when clang or its fuzzer runtime is missing, or in the ASan build (the
# plain build runs them).
set -uo pipefail
src=${OMG_SRCDIR:?} build=${OMG_BUILDDIR:?}
seconds=${FUZZ_SECONDS:-20}
targets=(fuzz_frame fuzz_status_file fuzz_deb822 fuzz_aptprefs fuzz_dpkg_root fuzz_store fuzz_pacmanconf fuzz_aur fuzz_aptsim
	fuzz_pgp_armor fuzz_pgp_packet fuzz_md5sums fuzz_aptlog fuzz_release fuzz_ere)
echo "1..${#targets[@]}"
if [ -n "${OMG_SKIP_FUZZ:-}" ] || ! command -v clang >/dev/null; then
	for i in "${!targets[@]}"; do echo "ok $((i + 1)) ${targets[$i]} # SKIP fuzzing runs in the plain build with clang"; done
	exit 0
fi
work=$build/tests/fuzz/work
mkdir -p "$work"
cflags=(-g -O1 -Wall -Wextra -Werror -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -std=c17
	-D_GNU_SOURCE -I"$build" -I"$src/common" -I"$src/omgd" -I"$src/omgd/dpkg")
common=("$src"/common/error.c "$src"/common/grow.c "$src"/common/proto_frame.c "$src"/common/proto.c "$src"/common/proto_package.c "$src"/common/proto_audit.c "$src"/common/proto_aur.c "$src"/common/proto_plan.c "$src"/common/proto_history.c)
# the daemon's whole library (all but its main, and its log: the target has a quiet one), for the
# targets that drive dispatch
daemon=$(ls "$src"/omgd/*.c "$src"/omgd/*/*.c | grep -v '/omgd/main\.c$\|/omgd/log\.c$\|/omgd/options\.c$\|/omgd/process\.c$' | tr '\n' ' ')
daemon_common=$(ls "$src"/common/*.c | grep -v '/common/omg_cli\.c$' | tr '\n' ' ')
declare -A sources=(
	[fuzz_frame]="$src/tests/fuzz/fuzz_frame.c $daemon $daemon_common -llmdb -lmbedcrypto -lcurl -ljansson -ldpkg -lalpm -larchive -lpthread"
	[fuzz_store]="$src/tests/fuzz/fuzz_store.c $src/omgd/snapshot.c $src/omgd/db.c $src/omgd/db_rel.c $src/omgd/search.c $src/omgd/textidx.c $src/omgd/ere.c $src/omgd/deb822.c $src/omgd/audit.c $src/omgd/store.c $src/common/paths.c ${common[*]} -llmdb -lmbedcrypto"
	[fuzz_release]="$src/tests/fuzz/fuzz_release.c $src/omgd/verify/release.c $src/omgd/deb822.c ${common[*]}"
	[fuzz_md5sums]="$src/tests/fuzz/fuzz_md5sums.c $src/omgd/verify/files_parse.c ${common[*]}"
	[fuzz_aptlog]="$src/tests/fuzz/fuzz_aptlog.c $src/omgd/pmlog.c ${common[*]}"
	[fuzz_pacmanconf]="$src/tests/fuzz/fuzz_pacmanconf.c $src/omgd/pacmanconf.c ${common[*]}"
	[fuzz_aptsim]="$src/tests/fuzz/fuzz_aptsim.c $src/omgd/plan/aptsim.c $src/omgd/version.c ${common[*]} -ldpkg"
	[fuzz_ere]="$src/tests/fuzz/fuzz_ere.c $src/omgd/ere.c ${common[*]}"
	[fuzz_aur]="$src/tests/fuzz/fuzz_aur.c $src/omgd/aur/json.c ${common[*]} -ljansson"
	[fuzz_status_file]="$src/tests/fuzz/fuzz_status_file.c $src/common/status_file.c $src/common/paths.c ${common[*]}"
	[fuzz_dpkg_root]="$src/tests/fuzz/fuzz_dpkg_root.c $(echo "$src"/omgd/dpkg/*.c) $src/omgd/pkgfiles.c $src/omgd/deb822.c $src/omgd/aptconf.c $src/omgd/aptsources.c $src/omgd/aptdir.c $src/omgd/aptprefs.c $src/omgd/listfile.c $src/omgd/db.c $src/omgd/db_rel.c $src/omgd/search.c $src/omgd/textidx.c $src/omgd/ere.c $src/omgd/version.c $src/omgd/srccache.c $src/omgd/store.c $src/common/paths.c $src/omgd/snapshot.c $src/omgd/backend_detect.c $src/omgd/backend_alpm.c $src/omgd/record.c $src/omgd/pacmanconf.c $src/omgd/revdeps.c ${common[*]} -ldpkg -larchive -llmdb -lmbedcrypto -lalpm"
	[fuzz_aptprefs]="$src/tests/fuzz/fuzz_aptprefs.c $src/omgd/aptprefs.c $src/omgd/ere.c $src/omgd/aptsources.c $src/omgd/aptdir.c $src/omgd/deb822.c ${common[*]}"
	[fuzz_pgp_armor]="$src/tests/fuzz/fuzz_pgp_armor.c $src/omgd/verify/armor.c $src/omgd/verify/packet.c $src/omgd/verify/sigverify.c $src/omgd/verify/keyring.c $src/omgd/verify/clearsign.c $src/omgd/verify/verdict.c ${common[*]} -lmbedcrypto"
	[fuzz_pgp_packet]="$src/tests/fuzz/fuzz_pgp_packet.c $src/omgd/verify/armor.c $src/omgd/verify/packet.c $src/omgd/verify/sigverify.c $src/omgd/verify/keyring.c $src/omgd/verify/clearsign.c $src/omgd/verify/verdict.c ${common[*]} -lmbedcrypto"
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
	fuzz_aptlog)
		cp "$src"/tests/cases/history/* "$dir/" ;;
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
	fuzz_pgp_armor)
		cp "$src"/tests/cases/pgp/*.asc "$dir/"
		for s in "$src"/tests/cases/pgp/detached-*.data; do
			{ cat "$s"; printf '\0'; cat "${s%.data}.sig"; } > "$dir/$(basename "$s" .data)"
		done ;;
	fuzz_pgp_packet)
		cp "$src/tests/cases/pgp/keyring.gpg" "$dir/keyring"
		cp "$src/tests/cases/pgp/detached-binary.sig" "$dir/sig" ;;
	fuzz_release)
		printf 'Origin: Debian\nSuite: stable\nDate: Sat, 10 Jun 2023 08:54:04 UTC\nValid-Until: Sat, 17 Jun 2023 08:54:04 +0000\nSHA256:\n %064d 12 main/binary-amd64/Packages\n %064d 7 main/i18n/Translation-en.xz\n' 0 1 > "$dir/release"
		printf 'Sat, 10 Jun 2023 08:54:04 GMT' > "$dir/date" ;;
	fuzz_md5sums)
		printf 'e712bbfd014de3c02a8402280c1e4187  usr/bin/vft-a\n93de6db37acfc9c3cccf599de2a22ea6  ./usr/share/a b.txt/\n' > "$dir/md5sums"
		printf '/.\n/usr\n/usr/bin\n/usr/bin/vft-a\n' > "$dir/list"
		printf ' /etc/vft/a.conf 0123456789abcdef0123456789abcdef\n /etc/x y newconffile remove-on-upgrade\n /etc/o 0123456789abcdef0123456789abcdef obsolete\n' > "$dir/conffiles"
		printf '/bin/sh\n/bin/sh.distrib\ndash\n/usr/a\n/usr/a.orig\n:\n' > "$dir/diversions" ;;
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
	# shellcheck disable=SC2097,SC2098
	if OMG_FUZZ_KEYRING=$src/tests/cases/pgp/keyring.gpg "$work/$t" -max_total_time="$seconds" -max_len=4096 -timeout=5 -rss_limit_mb=1024 \
		-artifact_prefix="$work/$t-" "$corpus" >"$work/$t.log" 2>&1; then
		echo "ok $i $t # $(grep -o 'stat::number_of_executed_units: [0-9]*' "$work/$t.log" || tail -1 "$work/$t.log")"
	else
		echo "not ok $i $t: a crash or leak was found"; grep -E 'ERROR|SUMMARY|artifact' "$work/$t.log" | sed 's/^/# /' | head -20
	fi
done
