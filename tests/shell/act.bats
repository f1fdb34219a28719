#!/usr/bin/env bats
# omg install, remove, purge, reinstall, upgrade, autoremove against the real apt and dpkg
# inside a real bookworm root (act_helpers.bash): the plan omgd shows equals apt-get -s's,
# the change omg runs leaves dpkg's database as the plan said, omgd's counts follow, and the
# audit log records the action. omgd serves the root (--root) and runs apt inside it by
# chroot, as omg does for the change: the same apt, configuration and dpkg as the root's own.

load helpers
load act_helpers

setup() {
	omg_setup
	act_root_setup
	start_omgd --root "$ROOT"
}
teardown() {
	tmux -L "${TMUX_SOCK:-none}" kill-server 2>/dev/null || true
	stop_omgd
	[ -z "${ROOT:-}" ] || ! mountpoint -q "$ROOT/proc" 2>/dev/null || umount -l "$ROOT/proc"
	act_root_teardown
}

# apt_plan ARGS...: apt-get -s ARGS inside the root as "op name to" lines (the oracle: apt's
# own Inst/Remv/Purg lines, read by awk, not by omgd's reader), sorted.
apt_plan() {
	in_root apt-get -s "$@" 2>/dev/null | awk '
		/^Inst / { name = $2; sub(/:.*/, "", name); if ($3 ~ /^\[/) { cur = $3; gsub(/[][]/, "", cur); to = $4; sub(/^\(/, "", to); op = (cur == to) ? "reinstall" : "upgrade" } else { to = $3; sub(/^\(/, "", to); op = "install" } print op, name, to }
		/^Remv / { name = $2; sub(/:.*/, "", name); print "remove", name, "-" }
		/^Purg / { name = $2; sub(/:.*/, "", name); print "purge", name, "-" }' | sort
}
# omg_plan ARGS...: omg --json ARGS (a --dry-run) as the same lines
omg_plan() {
	"$OMG" --json "$@" | python3 -c '
import json, sys
d = json.load(sys.stdin)
for p in d["packages"]:
    print(p["action"], p["package"], p["to"] or "-")' | sort
}
# same_plan OMG-ARGS -- APT-ARGS: omg's plan equals apt-get -s's
same_plan() {
	local omg_args=() apt_args=()
	while [ "$1" != -- ]; do omg_args+=("$1"); shift; done; shift
	apt_args=("$@")
	diff <(omg_plan "${omg_args[@]}") <(apt_plan "${apt_args[@]}")
	[ -n "$(apt_plan "${apt_args[@]}")" ] || { echo "apt planned nothing: not a test"; return 1; }
}

@test "the plan equals apt-get -s's: install with a dependency, a conflict's removal, purge, reinstall, autoremove" {
	same_plan install -s omgtest-app -- install omgtest-app
	same_plan install -s omgtest-clash -- install omgtest-clash
	same_plan purge -s omgtest-base -- purge omgtest-base
	same_plan remove -s omgtest-base -- remove omgtest-base
	same_plan reinstall -s omgtest-base -- install --reinstall omgtest-base
	same_plan autoremove -s -- autoremove
	same_plan install -s omgtest-virtual-a omgtest-big -- install omgtest-virtual-a omgtest-big
}

@test "the plan equals apt-get -s's for upgrade and full-upgrade once suite two is there" {
	repo_enable_two
	# omgd sees the new lists by inotify: wait for its updates count
	for i in $(seq 1 40); do [ "$(json_field updates < <("$OMG" --json status))" -gt 0 ] && break; sleep 0.05; done
	same_plan upgrade -s -- upgrade --with-new-pkgs
	same_plan upgrade --full -s -- dist-upgrade
	same_plan full-upgrade -s -- dist-upgrade
	same_plan install -s omgtest-lib -- install omgtest-lib
}

@test "the plan says what is not asked for (a removal), its download and disk figures as apt computes them" {
	run "$OMG" install -s omgtest-clash
	[ "$status" -eq 0 ]
	[[ "$output" == *"REMOVING (not asked for):"*"omgtest-base"* ]]
	# apt's own figures: apt-get --print-uris prints the summary and fetches nothing (a file:
	# source is used in place: apt needs to get "0 B/527 kB")
	in_root apt-get --print-uris install omgtest-big > "$BATS_TEST_TMPDIR/apt.out" 2>&1 || true
	want=$(sed -n 's/^Need to get \([^/]*\).* of archives\.$/\1/p' "$BATS_TEST_TMPDIR/apt.out")
	disk=$(sed -n 's/^After this operation, \(.*\) of additional disk space will be used\.$/\1/p' "$BATS_TEST_TMPDIR/apt.out")
	[ -n "$want" ] && [ -n "$disk" ]
	run "$OMG" install -s omgtest-big
	[[ "$output" == *"Download $want; disk space $disk used."* ]] || { echo "apt: $want, $disk"; echo "$output"; false; }
}

# serve_repo: the root's repository over HTTP on a loopback port (python3's http.server) as
# its only source, lists updated; apt then downloads, as from a mirror
serve_repo() {
	python3 -m http.server 0 --bind 127.0.0.1 --directory "$ROOT/srv/omgtest" > "$BATS_TEST_TMPDIR/http.log" 2>&1 &
	HTTP_PID=$!
	for i in $(seq 1 100); do
		port=$(sed -n 's/.*port \([0-9]*\).*/\1/p' "$BATS_TEST_TMPDIR/http.log" | head -1)
		[ -n "$port" ] && break; sleep 0.05
	done
	[ -n "$port" ]
	echo "deb [signed-by=/usr/share/keyrings/omgtest.gpg] http://127.0.0.1:$port one main" > "$ROOT/etc/apt/sources.list.d/omgtest.list"
	in_root apt-get update -q > /dev/null
}

@test "over HTTP: the download equals apt's Need to get, the progress shows it, the .deb is then in apt's cache" {
	serve_repo
	for i in $(seq 1 60); do "$OMG" policy omgtest-big | grep -q "http://127.0.0.1" && break; sleep 0.05; done
	in_root apt-get --print-uris install omgtest-big > "$BATS_TEST_TMPDIR/apt.out" 2>&1 || true
	want=$(sed -n 's/^Need to get \([^ ]* [a-zA-Z]*\) of archives\.$/\1/p' "$BATS_TEST_TMPDIR/apt.out")
	[ -n "$want" ] && [ "$want" != "0 B" ]
	run "$OMG" install -s omgtest-big
	[[ "$output" == *"Download $want;"* ]] || { cat "$BATS_TEST_TMPDIR/apt.out"; echo "$output"; false; }
	run "$OMG" install -y omgtest-big
	kill "$HTTP_PID" 2>/dev/null || true
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	[[ "$output" == *"Downloading  Retrieving file 1 of 1"* && "$output" == *"Downloaded   $want in "* ]]
	[ "$(root_state omgtest-big)" = installed ]
	# apt keeps the .deb: a reinstall's plan has nothing to download, as apt's
	run "$OMG" reinstall -s omgtest-big
	[[ "$output" == *"Download 0 B;"* ]]
}

@test "omg install -y: dpkg installs what the plan said, the counts follow, the audit log has the action" {
	planned=$(omg_plan install -s omgtest-app)
	before=$(root_installed_count)
	run "$OMG" install -y omgtest-app
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	[[ "$output" == *"Done in "*"2 installed."* ]]
	[ "$(root_state omgtest-app)" = installed ] && [ "$(root_state omgtest-lib)" = installed ]
	[ "$(root_version omgtest-app)" = 1.0 ]
	# every planned package is now at the planned version
	while read -r op name to; do [ "$(root_version "$name")" = "$to" ]; done <<< "$planned"
	# omg's counts equal dpkg's at once (omg waits for omgd before it returns)
	[ "$(json_field installed < <("$OMG" --json status))" = "$(root_installed_count)" ]
	[ "$(root_installed_count)" = $((before + 2)) ]
	eventually_shows '*action*install -- omgtest-app*install omgtest-app*result: exit 0*' "$OMG" audit log
	# omg history as apt's history.log: the change, the command that made it, who asked
	eventually_shows "*Commandline: apt-get*install -- omgtest-app*Requested-By: root (0)*Install: *omgtest-app*Omg-Command: chroot $ROOT apt-get*" \
		"$OMG" history
}

@test "a local .deb file: planned and installed as apt install ./file.deb does" {
	mkdir -p "$ROOT/tmp/debs"
	cp "$ROOT"/srv/omgtest/pool/omgtest-noisy_1.0_all.deb "$ROOT/tmp/debs/"
	cd "$ROOT/tmp/debs"
	same_plan install -s ./omgtest-noisy_1.0_all.deb -- install /tmp/debs/omgtest-noisy_1.0_all.deb
	run "$OMG" install -y ./omgtest-noisy_1.0_all.deb
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	[ "$(root_state omgtest-noisy)" = installed ]
	# a file outside the root apt runs in is refused
	cp omgtest-noisy_1.0_all.deb "$BATS_TEST_TMPDIR/"
	run "$OMG" install -s "$BATS_TEST_TMPDIR/omgtest-noisy_1.0_all.deb"
	[ "$status" -ne 0 ]
	[[ "$output" == *"outside the root"* ]]
}

@test "remove, purge and autoremove: dpkg's states are the plan's" {
	run "$OMG" remove -y omgtest-base
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	[ "$(root_state omgtest-base)" = config-files ] || [ "$(root_state omgtest-base)" = not-installed ]
	run "$OMG" purge -y omgtest-base
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	[ "$(root_state omgtest-base)" = not-installed ]
	[ "$(json_field orphans < <("$OMG" --json status))" = 1 ]
	run "$OMG" autoremove -y
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	[ "$(root_state omgtest-conf)" != installed ]
	[ "$(json_field orphans < <("$OMG" --json status))" = 0 ]
}

@test "upgrade: suite two's versions installed, nothing left to upgrade, omgd's updates 0" {
	repo_enable_two
	for i in $(seq 1 40); do [ "$(json_field updates < <("$OMG" --json status))" -gt 0 ] && break; sleep 0.05; done
	run "$OMG" upgrade -y
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	[ "$(root_version omgtest-base)" = 2.0 ]
	[ -z "$(in_root apt list --upgradable 2>/dev/null | grep omgtest || true)" ]
	[ "$(json_field updates < <("$OMG" --json status))" = 0 ]
}

# metric NAME: omgd's counter NAME
metric() { "$OMG" --json metrics | tr ',{}' '\n\n\n' | sed -n "s/^\"$1\":\([0-9]*\)$/\1/p"; }

@test "new upgrades: omgd makes the upgrade plan ahead, and omg upgrade is answered from it" {
	stop_omgd
	start_omgd --root "$ROOT" --plan-ahead 1
	repo_enable_two
	# apt-get update may make omgd rebuild more than once: until the last index's plan is made
	# (nothing refreshing, nothing pending, the same generation twice in a row)
	local last= now
	for i in $(seq 1 200); do
		now="$(metric generation) $(metric plans_pending) $(json_field refreshing < <("$OMG" --json status))"
		[ "$now" = "$last" ] && [ "$(metric plans_ahead)" -ge 1 ] && [ "$now" = "${now%% *} 0 false" ] && break
		last=$now; sleep 0.1
	done
	[ "$(metric plans_ahead)" -ge 1 ]
	[ "$(metric plans_made)" = 0 ]
	same_plan upgrade -s -- upgrade --with-new-pkgs
	[ "$(metric plans_cached)" -ge 1 ]
	[ "$(metric plans_made)" = 0 ]
}

@test "update: the lists refreshed, the new upgrades counted; hold keeps a package back, unhold lets it go" {
	echo "$ACT_SOURCE_TWO" > "$ROOT/etc/apt/sources.list.d/omgtest-two.list"
	run "$OMG" update
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	[[ "$output" == *"Will run: chroot $ROOT apt-get -o APT::Status-Fd=3 update"* ]]
	[[ "$output" == *"omgtest"*"two"* ]]                  # apt's own Get/Hit lines pass through
	want=$(in_root apt list --upgradable 2>/dev/null | grep -c omgtest || true)
	[ "$want" -gt 0 ]
	[[ "$output" == *"$want packages can be upgraded"* ]]
	[ "$(json_field updates < <("$OMG" --json status))" = "$want" ]
	run "$OMG" hold omgtest-base
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	[ "$(in_root apt-mark showhold)" = omgtest-base ]
	run "$OMG" upgrade -s
	[[ "$output" == *"Kept back:"*"omgtest-base"* ]] || [[ "$output" != *"omgtest-base "*"1.0 -> 2.0"* ]]
	[[ "$(omg_plan upgrade -s)" != *"omgtest-base"* ]]
	diff <(omg_plan upgrade -s) <(apt_plan upgrade --with-new-pkgs)
	run "$OMG" unhold omgtest-base
	[ "$status" -eq 0 ]
	[ -z "$(in_root apt-mark showhold)" ]
	[[ "$(omg_plan upgrade -s)" == *"upgrade omgtest-base 2.0"* ]]
	run "$OMG" hold omgtest-nosuch
	[ "$status" -eq 1 ]
}

@test "mark auto and manual: apt-mark's marks, and omgd's orphans follow" {
	[ "$(json_field orphans < <("$OMG" --json status))" = 1 ]
	run "$OMG" mark auto omgtest-base
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	in_root apt-mark showauto | grep -qx omgtest-base
	[ "$(json_field orphans < <("$OMG" --json status))" = 2 ]
	run "$OMG" mark manual omgtest-base omgtest-conf
	[ "$status" -eq 0 ]
	[ "$(json_field orphans < <("$OMG" --json status))" = 0 ]
	run "$OMG" mark sideways omgtest-base
	[ "$status" -eq 2 ]
	run "$OMG" history
	[[ "$output" != *"Commandline: chroot"*"apt-mark"*"Install:"* ]] # a mark changes no package
}

@test "a failing maintainer script: its output shown, exit status 6, the summary says what is left" {
	run "$OMG" install -y omgtest-noisy omgtest-fails
	[ "$status" -eq 6 ]
	[[ "$output" == *"postinst"* ]]                       # the scripts' own lines pass through
	[[ "$output" == *"Failed: apt-get exited with status 100"* ]]
	[[ "$output" == *"omgtest-fails: installed omgtest-fails package post-installation script subprocess returned error exit status 1"* ]]
	[[ "$output" == *"dpkg --configure -a"* ]]
	[ "$(root_state omgtest-noisy)" = installed ]
	[ "$(root_state omgtest-fails)" = half-configured ]
	eventually_shows '*FAILED*omgtest-fails*result: exit 100*' "$OMG" audit log
}

@test "bad input: unknown names get did-you-mean, option-looking and odd names are refused, nothing runs" {
	snap=$(in_root dpkg-query -W)
	run "$OMG" install -y omgtest-ap
	[ "$status" -eq 1 ]
	[[ "$output" == *"omgtest-ap: no such package; did you mean omgtest-app"* ]]
	run "$OMG" install -y -- -o
	[ "$status" -eq 2 ]
	[[ "$output" == *"cannot start with '-'"* ]]
	run "$OMG" install -y 'omgtest-app;touch /tmp/pwned' 'a$(id)' 'x`y`'
	[ "$status" -ne 0 ]
	[[ "$output" == *"not a package name"* ]]
	[ ! -e /tmp/pwned ]
	run "$OMG" install -y omgtest-app=9.9
	[ "$status" -eq 4 ]
	[[ "$output" == *"Version '9.9' for 'omgtest-app' was not found"* ]]
	run "$OMG" upgrade omgtest-app
	[ "$status" -eq 2 ]
	[ "$(in_root dpkg-query -W)" = "$snap" ]
}

@test "an essential package's removal is refused without --allow-remove-essential, as apt" {
	run "$OMG" remove -y omgtest-essential
	[ "$status" -eq 4 ]
	[[ "$output" == *"(essential)"* && "$output" == *"--allow-remove-essential"* ]]
	[ "$(root_state omgtest-essential)" = installed ]
	run "$OMG" remove -y --allow-remove-essential omgtest-essential
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	[ "$(root_state omgtest-essential)" != installed ]
}

@test "no terminal and no -y: refused before anything runs; --dry-run works without asking" {
	run "$OMG" install omgtest-app < /dev/null
	[ "$status" -eq 2 ]
	[[ "$output" == *"add -y"* ]]
	[ "$(root_state omgtest-app)" = not-installed ]
	run "$OMG" install --dry-run omgtest-app < /dev/null
	[ "$status" -eq 0 ]
}

# hold_lock PATH SECONDS: a process holding apt's kind of lock (fcntl) on PATH for SECONDS
hold_lock() {
	python3 -c 'import fcntl, sys, time
f = open(sys.argv[1], "w"); fcntl.lockf(f, fcntl.LOCK_EX); print("locked", flush=True); time.sleep(float(sys.argv[2]))' \
		"$1" "$2" > "$BATS_TEST_TMPDIR/lock.out" &
	LOCK_PID=$!
	for i in $(seq 1 100); do grep -q locked "$BATS_TEST_TMPDIR/lock.out" && return 0; sleep 0.02; done
	return 1
}

@test "a held dpkg lock: omg names its holder, waits, then runs; or gives up at --lock-timeout" {
	hold_lock "$ROOT/var/lib/dpkg/lock-frontend" 30
	run "$OMG" install -y --lock-timeout 1 omgtest-app
	[ "$status" -eq 4 ]
	[[ "$output" == *"held by process $LOCK_PID (python3)"* ]]
	[ "$(root_state omgtest-app)" = not-installed ]
	kill "$LOCK_PID"; wait "$LOCK_PID" 2>/dev/null || true
	hold_lock "$ROOT/var/lib/dpkg/lock-frontend" 1.5
	run "$OMG" install -y --lock-timeout 20 omgtest-app
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	[[ "$output" == *"Waiting for $ROOT/var/lib/dpkg/lock-frontend: held by process $LOCK_PID (python3)"* ]]
	[ "$(root_state omgtest-app)" = installed ]
}

@test "--json: one document with the plan and the result" {
	run "$OMG" --json install -y omgtest-app
	[ "$status" -eq 0 ]
	echo "$output" | tail -1 | python3 -c '
import json, sys
d = json.loads(sys.stdin.read())
assert d["action"] == "install" and d["status"] == "ok", d
assert sorted(p["package"] for p in d["packages"]) == ["omgtest-app", "omgtest-lib"], d
assert [p["automatic"] for p in d["packages"] if p["package"] == "omgtest-lib"] == [True]
assert d["result"]["ok"] and d["result"]["exit_status"] == 0, d'
}

# omg_inside: omg and omgd (and the libraries they need that the root lacks) copied into the
# root, /proc mounted there, so that a user of the root runs them as on their own machine
omg_inside() {
	mkdir -p "$ROOT/opt/omg"
	cp "$OMG" "$OMGD" "$ROOT/opt/omg/"
	for lib in $(ldd "$OMG" "$OMGD" | awk '/=> \//{print $3} /^\t\/lib/{print $1}' | sort -u); do
		[ -e "$ROOT$lib" ] || cp -L --parents "$lib" "$ROOT/"
	done
	mount -t proc proc "$ROOT/proc"
}

@test "as a user with sudo: omgd plans as the user, apt-get runs through sudo with the status FIFO, apt and omg record who asked" {
	omg_inside
	cat > "$ROOT/tmp/as-user.sh" <<'SCRIPT'
export XDG_RUNTIME_DIR=/tmp/omguser-run XDG_CACHE_HOME=/tmp/omguser-cache OMG_AUTOSTART=0
mkdir -p -m 700 "$XDG_RUNTIME_DIR"
/opt/omg/omgd --foreground 2>/tmp/omguser-omgd.log & OMGD=$!
for i in $(seq 1 100); do /opt/omg/omg --json status 2>/dev/null | grep -q '"ready":true' && break; sleep 0.05; done
/opt/omg/omg install -y omgtest-app; echo "status=$?"
# the action's record is written by omgd's build thread after the changes it saw (20 s at most)
for i in $(seq 1 400); do /opt/omg/omg audit log | grep -q action && break; sleep 0.05; done
/opt/omg/omg audit log | grep -A2 action
kill "$OMGD"; wait "$OMGD"
SCRIPT
	run as_user 'sh /tmp/as-user.sh'
	echo "$output"
	[[ "$output" == *"Will run: sudo apt-get"* ]]
	[[ "$output" == *"Setting up   omgtest-app"* ]]     # progress came through the FIFO past sudo
	[[ "$output" == *"status=0"* ]]
	[[ "$output" == *"uid 4242"*"action"* ]]
	[ "$(root_state omgtest-app)" = installed ]
	grep -q "Requested-By: omguser (4242)" "$ROOT/var/log/apt/history.log"
}

# ---- in a real interactive shell (tmux), the builtin ------------------------------------
act_shell() {
	require_modules
	command -v tmux >/dev/null || skip "tmux missing"
	TMUX_SOCK=omg-act-$$-$BATS_TEST_NUMBER
	tmux -L "$TMUX_SOCK" new-session -d -s t -x 150 -y 40 \
		env -i HOME="$BATS_TEST_TMPDIR" TERM=xterm PATH="$OMG_BUILDDIR:/usr/sbin:/usr/bin:/sbin:/bin" \
		XDG_RUNTIME_DIR="$XDG_RUNTIME_DIR" XDG_CACHE_HOME="$XDG_CACHE_HOME" OMG_AUTOSTART=0 "$@"
}

@test "bash builtin: the plan and its question, Ctrl-C cancels, yes installs with progress, the prompt's count follows" {
	act_shell bash --norc --noprofile -i
	type_line "enable -f '$BASH_MODULE' omg; PS1='[t=\${OMG_TOTAL}]> '"
	total=$(json_field installed < <("$OMG" --json status))
	wait_screen "[t=$total]>"
	type_line "omg install omgtest-app"
	wait_screen "Do you want to continue? [Y/n]"
	screen | grep -q "Installing dependencies:"
	keys C-c
	wait_screen "Cancelled."
	type_line "echo alive \$?"
	wait_screen "alive 1"
	[ "$(root_state omgtest-app)" = not-installed ]
	type_line "omg install omgtest-app"
	wait_screen "Do you want to continue? [Y/n]"
	type_line "y"
	for i in $(seq 1 200); do screen | grep -q "Done in" && break; sleep 0.05; done
	screen | grep -q "Setting up   omgtest-app"
	wait_screen "[t=$((total + 2))]>"
	[ "$(root_state omgtest-app)" = installed ]
	# nothing left in the shell's job table, and the shell answers
	type_line "jobs; echo jobs-done"
	wait_screen "jobs-done"
	! screen | grep -q "Running\|Done.*apt"
}

@test "bash builtin: dpkg's conffile question reaches the user through the child's terminal, the answer is kept" {
	repo_enable_two
	echo "# edited by the user" >> "$ROOT/etc/omgtest-conf.conf"
	act_shell bash --norc --noprofile -i
	type_line "enable -f '$BASH_MODULE' omg; PS1='> '"
	type_line "omg install -y omgtest-conf"
	for i in $(seq 1 200); do screen | grep -q "default=N" && break; sleep 0.05; done
	wait_screen "(Y/I/N/O/D/Z) [default=N] ?"
	type_line "N"
	for i in $(seq 1 200); do screen | grep -q "Done in\|Failed" && break; sleep 0.05; done
	wait_screen "Done in"
	[ "$(root_version omgtest-conf)" = 2.0 ]
	grep -q "edited by the user" "$ROOT/etc/omgtest-conf.conf"
	[ -e "$ROOT/etc/omgtest-conf.conf.dpkg-dist" ]
	# the terminal is the shell's again: a typed line echoes and runs
	type_line "echo back-\$((1+1))"
	wait_screen "back-2"
}

@test "zsh module: a held lock's countdown on one line, then the install once it is free" {
	hold_lock "$ROOT/var/lib/dpkg/lock-frontend" 3
	act_shell zsh -f -i
	type_line "module_path=('$ZSH_MODULE_DIR' \$module_path); zmodload omg; PROMPT='%% '"
	type_line "omg install -y omgtest-app; echo status=\$?"
	wait_screen "held by process $LOCK_PID (python3)"
	screen | grep -q "s left (Ctrl-C to give up)"
	for i in $(seq 1 200); do screen | grep -q "status=" && break; sleep 0.05; done
	wait_screen "status=0"
	# the countdown was redrawn in place: one line of it on the screen, not one per second
	[ "$(screen | grep -c 'held by process')" -le 1 ]
	[ "$(root_state omgtest-app)" = installed ]
}

@test "zsh module: a failing install reports exit 6 in the same shell, which goes on" {
	act_shell zsh -f -i
	type_line "module_path=('$ZSH_MODULE_DIR' \$module_path); zmodload omg; PROMPT='%% '"
	type_line "omg install -y omgtest-fails; echo status=\$?"
	for i in $(seq 1 200); do screen | grep -q "status=" && break; sleep 0.05; done
	wait_screen "status=6"
	screen | grep -q "Failed: apt-get exited with status 100"
	type_line "echo alive"
	wait_screen "alive"
}

@test "valgrind: the builtins' plans, runs, failures and marks are clean in bash and zsh" {
	require_modules
	command -v valgrind >/dev/null || skip "valgrind missing"
	local script='omg install -s omgtest-app >/dev/null; omg install -s omgtest-ap 2>/dev/null
		omg install -y omgtest-app >/dev/null; omg install -y omgtest-fails >/dev/null 2>&1
		omg mark auto omgtest-base >/dev/null; omg remove -y -- -x 2>/dev/null; omg --json upgrade -s >/dev/null
		echo "[$OMG_TOTAL]"'
	run valgrind --quiet --error-exitcode=42 --leak-check=full --errors-for-leak-kinds=definite \
		--show-leak-kinds=definite bash --norc --noprofile -c "enable -f '$BASH_MODULE' omg; $script; enable -d omg"
	echo "$output" | tail -20
	[ "$status" -eq 0 ]
	[ "$(root_state omgtest-app)" = installed ]
	run valgrind --quiet --error-exitcode=42 --leak-check=full --errors-for-leak-kinds=definite \
		--show-leak-kinds=definite zsh -f -c "module_path=('$ZSH_MODULE_DIR' \$module_path); zmodload omg
		omg remove -y omgtest-app >/dev/null; $script; zmodload -u omg; print ok"
	echo "$output" | tail -20
	[ "$status" -eq 0 ]
	[ "${lines[-1]}" = ok ]
}
