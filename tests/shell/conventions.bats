#!/usr/bin/env bats
# Output conventions of every command: omg help, omg(1) and the README name the same commands;
# each answers --help and --json; on a terminal the layout fits its width (COLUMNS or the
# terminal's own), broken between words; times are local (TZ); and the executable and the
# builtins end the same way when their reader went (SIGPIPE).

load helpers
bats_require_minimum_version 1.5.0

setup() {
	omg_setup
	"$FIXTURE" "$ROOT"
	start_omgd --root "$ROOT"
	PANES=0
}

teardown() {
	local i
	for ((i = 1; i <= PANES; i++)); do tmux -L "omg-conv-$$-$BATS_TEST_NUMBER-$i" kill-server 2>/dev/null || true; done
	stop_omgd
}

# help_commands: the commands omg help lists, one a line
help_commands() { "$OMG" help | awk '/^commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 } /^$/ && on { on = 0 }'; }

# man_commands: the commands omg(1)'s COMMANDS section describes (the first word of each
# item of a .TP heading; "remove, purge, reinstall ..." names three)
man_commands() {
	python3 - "$OMG_SRCDIR/docs/man/omg.1" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
sect = text.split("\n.SH COMMANDS\n", 1)[1].split("\n.SH ", 1)[0].split("\n")
names = set()
for i, line in enumerate(sect):
    if line != ".TP" or i + 1 >= len(sect):
        continue
    head = sect[i + 1]
    head = re.sub(r"^\.(B|BI|BR|IR|RB)\s+", "", head)
    head = re.sub(r"\\f[BIRP]", "", head).replace("\\-", "-").replace('"', "")
    for item in head.split(", "):
        word = item.strip().split(" ")[0]
        if re.fullmatch(r"[a-z][a-z-]*", word):
            names.add(word)
print("\n".join(sorted(names)))
PY
}

@test "omg help, omg(1) and the README name the same commands" {
	local help; help=$(help_commands | sort -u)
	[ "$(wc -l <<< "$help")" -ge 30 ]
	diff <(echo "$help") <(man_commands)
	# the README names each one as `omg CMD` or `CMD` in its lists of commands
	local c missing=
	for c in $help; do
		grep -Eq "\`(omg )?$c([\` ]|\$)" "$OMG_SRCDIR/README.md" || missing="$missing $c"
	done
	[ -z "$missing" ] || { echo "not in README.md:$missing"; false; }
}

@test "every command omg help lists answers COMMAND --help, and --json --help is one document" {
	local c n=0
	for c in $(help_commands); do
		[ "$c" = help ] && continue
		run "$OMG" "$c" --help
		[ "$status" -eq 0 ] || { echo "$c --help: exit $status"; false; }
		[[ "${lines[0]}" == "usage: omg $c"* ]] || { echo "$c --help: ${lines[0]}"; false; }
		"$OMG" --json "$c" --help | python3 -c 'import json, sys
d = json.load(sys.stdin)
assert d["command"] == sys.argv[1] and d["help"], d' "$c"
		n=$((n + 1))
	done
	[ "$n" -ge 30 ]
	"$OMG" --json help | python3 -c 'import json, sys; d = json.load(sys.stdin); assert len(d["commands"]) >= 31, d'
	run "$OMG" --json --version
	[ "$output" = '{"version":"'"$("$OMG" --version | cut -d' ' -f2)"'","protocol":1}' ]
}

# json_args CMD: arguments that make CMD do its work on the fixture root
json_args() {
	case $1 in
	search) echo fire ;; info | show | policy | depends | why | files | changelog | rdepends) echo bash ;;
	list) echo installed ;; complete) echo e ;; daemon) echo status ;; not-found) echo gti ;;
	audit) echo log ;; owns) echo /bin/bash ;; hook) echo bash ;; mark) echo auto bash ;;
	install | remove | purge | reinstall) echo --dry-run bash ;; upgrade | full-upgrade | autoremove) echo --dry-run ;;
	hold | unhold) echo bash ;;
	status | size | ping | metrics | history | update | help | doctor) ;;
	*) return 1 ;;
	esac
}

@test "--json: every command omg help lists prints one JSON document, also when it fails" {
	local c args
	for c in $(help_commands); do
		args=$(json_args "$c") || { echo "no arguments known for $c: add it to json_args"; false; }
		# shellcheck disable=SC2086
		"$OMG" --json "$c" $args 2>/dev/null | python3 -c 'import json, sys; json.load(sys.stdin)' ||
			{ echo "not one JSON document: omg --json $c $args"; false; }
	done
	# numbers as written, without float noise (six significant digits at most)
	local doc
	for c in ping metrics status "daemon status" "audit log" size; do
		# shellcheck disable=SC2086
		doc=$("$OMG" --json $c)
		! grep -Eo '[0-9]*\.[0-9]{7,}' <<< "$doc" || { echo "float noise in $c: $doc"; false; }
	done
	# a missing package: one document with the error, the reason on stderr too
	run --separate-stderr "$OMG" --json show nope-pkg
	[ "$status" -eq 1 ]
	python3 -c 'import json, sys; json.loads(sys.argv[1])' "$output"
}

# pane_lines: the pane's lines as the program wrote them (a wrapped line joined: -J)
pane_lines() { tmux -L "$TMUX_SOCK" capture-pane -p -J -t t | sed -e 's/ *$//' | grep -v '^$'; }
# run_in_pane WIDTH CMD: CMD in a fresh pane of WIDTH columns, on a tmux server of its own (a
# killed server's socket may still answer for a moment); waits for its end mark
run_in_pane() {
	[ -z "${TMUX_SOCK:-}" ] || tmux -L "$TMUX_SOCK" kill-server 2>/dev/null || true
	PANES=$((PANES + 1))
	TMUX_SOCK=omg-conv-$$-$BATS_TEST_NUMBER-$PANES
	tmux -L "$TMUX_SOCK" new-session -d -s t -x "$1" -y 100 \
		env -i HOME="$BATS_TEST_TMPDIR" TERM=xterm PATH="$OMG_BUILDDIR:$PATH" XDG_RUNTIME_DIR="$XDG_RUNTIME_DIR" \
		OMG_AUTOSTART=0 NO_COLOR=1 TZ=UTC bash --norc --noprofile -c "$2; echo END-OF-RUN; sleep 60"
	local i
	for i in $(seq 1 100); do pane_lines | grep -q '^END-OF-RUN$' && return 0; sleep 0.05; done
	pane_lines
	return 1
}

# write_history: an apt history.log in the fixture root with a long Install list
write_history() {
	mkdir -p "$ROOT/var/log/apt"
	local list="" i
	for i in $(seq 1 12); do list="$list${list:+, }libexample-component-$i:amd64 (1.2.$i-1, automatic)"; done
	printf '\nStart-Date: 2026-11-02  10:00:00\nCommandline: apt-get install example\nRequested-By: user (1000)\nInstall: %s\nEnd-Date: 2026-11-02  10:00:09\n' \
		"$list" > "$ROOT/var/log/apt/history.log"
}

@test "a 60-column terminal: search, list, audit log and history fit it, broken between words, never mid-word" {
	require_modules
	command -v tmux >/dev/null || skip "tmux missing"
	write_history
	local long=$BATS_TEST_TMPDIR/long
	run_in_pane 60 "omg search fire; omg list upgradable; omg audit log; omg history"
	pane_lines > "$long"
	# nothing passes the edge (a line the terminal wrapped would be joined longer than 60)
	awk 'length($0) > 60 { print "too long: " $0; bad = 1 } END { exit bad }' "$long"
	# search: the description on a line of its own, whole or cut after a word ("...")
	grep -qx 'firefox-esr   115.0-1  \[installed\]' "$long"
	grep -qx '  the firefox-esr fixture package' "$long"
	# list: a marker too wide for the row goes below it
	grep -qx 'tilde-pkg  2.0-1+deb12u1' "$long"
	grep -qx '  \[upgradable from: 2.0~rc1-1, security\]' "$long"
	# history: the Install list goes on under its first entry, broken between entries
	grep -q '^Install: libexample-component-1:amd64 (1.2.1-1, automatic),$' "$long"
	grep -q '^  libexample-component-12:amd64 (1.2.12-1, automatic)$' "$long"
	[ "$(grep -o 'libexample-component-[0-9]*:amd64 (1\.2\.[0-9]*-1, automatic)' "$long" | wc -l)" -eq 12 ]
	# the audit log: a record's text goes on in lines of its own, its words whole
	diff <("$OMG" audit log | grep -o '[^ ]*' | grep -v '^#') \
		<(sed -n '/^#[0-9]/,/^Start-Date/p' "$long" | grep -v '^Start-Date' | grep -o '[^ ]*' | grep -v '^#')
	# through a pipe the same commands give whole lines: apt's one-line Install list
	[ "$("$OMG" history | grep -c '^Install: ')" -eq 1 ]
	[ "$("$OMG" history | grep '^Install: ' | grep -o 'libexample-component' | wc -l)" -eq 12 ]
	# COLUMNS says the width when set: 44 columns in a pane of 120
	run_in_pane 120 "COLUMNS=44 omg search fire"
	pane_lines | awk 'length($0) > 44 { print "too long: " $0; bad = 1 } END { exit bad }'
	pane_lines | grep -qx '  the firefox-esr fixture package'
}

@test "a description longer than the terminal is cut after its last whole word, with ..." {
	require_modules
	command -v tmux >/dev/null || skip "tmux missing"
	printf 'Package: wordy\nVersion: 1.0\nArchitecture: amd64\nDescription: alpha bravo charlie delta echo foxtrot golf hotel india juliett kilo\n\n' \
		> "$ROOT/var/lib/apt/lists/fixture.invalid_bulk_dists_x_main_binary-amd64_Packages"
	eventually_shows '*wordy*' "$OMG" search -n 0 wordy
	run_in_pane 40 "omg search wordy"
	pane_lines | grep -qx 'wordy  1.0'
	pane_lines | grep -qx '  alpha bravo charlie delta echo...'
}

@test "times are local, in the user's TZ, in audit log and history alike" {
	write_history
	local t; t=$("$OMG" --json audit log | python3 -c 'import json, sys; print(json.load(sys.stdin)["records"][0]["time"])')
	[ "$(TZ=UTC "$OMG" audit log | head -1 | awk '{ print $2, $3 }')" = "$(TZ=UTC date -d "@$t" '+%Y-%m-%d %H:%M:%S')" ]
	[ "$(TZ=Asia/Tokyo "$OMG" audit log | head -1 | awk '{ print $2, $3 }')" = "$(TZ=Asia/Tokyo date -d "@$t" '+%Y-%m-%d %H:%M:%S')" ]
	# apt wrote its log in the machine's local time (omgd's: UTC here); a reader in Tokyo sees it 9 h on
	local h; h=$("$OMG" --json history | python3 -c 'import json, sys; print(json.load(sys.stdin)[0]["start"])')
	[ "$(TZ=Asia/Tokyo "$OMG" history | grep '^Start-Date: ')" = "Start-Date: $(TZ=Asia/Tokyo date -d "@$h" '+%Y-%m-%d  %H:%M:%S')" ]
	[ "$(TZ=UTC "$OMG" history | grep '^Start-Date: ')" = "Start-Date: $(TZ=UTC date -d "@$h" '+%Y-%m-%d  %H:%M:%S')" ]
}

@test "a reader that went (SIGPIPE): the executable and the bash and zsh builtins end alike, 141" {
	require_modules
	local exe bash_st zsh_st
	exe=$(bash --norc --noprofile -c '{ sleep 0.2; "$1" search -n 0 e; } | true; echo "${PIPESTATUS[0]}"' _ "$OMG")
	bash_st=$(bash --norc --noprofile -c "enable -f '$BASH_MODULE' omg || exit 99"'; { sleep 0.2; omg search -n 0 e; } | true; echo "${PIPESTATUS[0]}"')
	zsh_st=$(zsh -f -c "module_path=('$ZSH_MODULE_DIR' \$module_path); zmodload omg || exit 99; "'{ sleep 0.2; omg search -n 0 e; } | true; echo "${pipestatus[1]}"')
	echo "exe $exe bash $bash_st zsh $zsh_st"
	[ "$exe" = 141 ]
	[ "$bash_st" = 141 ]
	[ "$zsh_st" = 141 ]
}

@test "GNU option forms: --opt=value, -nN, bundled short options, in each command that has several" {
	diff <("$OMG" search --limit=2 fire 2>&1) <("$OMG" search -n 2 fire 2>&1)
	diff <("$OMG" search -din2 e 2>&1) <("$OMG" search -d -i -n 2 e 2>&1)
	diff <("$OMG" complete -in3 e) <("$OMG" complete -i -n 3 e)
	diff <("$OMG" complete --limit=3 --installed e) <("$OMG" complete -i -n 3 e)
	[ "$("$OMG" complete -in3 e | wc -l)" -eq 3 ]
	diff <("$OMG" size -n3 2>&1) <("$OMG" size --limit=3 2>&1)
	# -sy: a dry run, bundled with -y (no apt-get in the fixture root: the same refusal)
	diff <("$OMG" install -sy bash 2>&1; echo "exit $?") <("$OMG" install --dry-run --yes bash 2>&1; echo "exit $?")
	# -n 0: no limit
	local all; all=$("$OMG" complete -n 0 '' | wc -l)
	[ "$all" -gt 30 ]
	[ "$all" -eq "$("$OMG" complete -n 5000 '' | wc -l)" ]
	[ "$("$OMG" complete -n 30 '' | wc -l)" -eq 30 ]
}
