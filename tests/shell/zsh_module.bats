#!/usr/bin/env bats
# The zsh module in a real zsh: parameters, the builtin, zmodload -u, autoload, no symbol leaks.

load helpers

setup() {
	omg_setup
	require_modules
	"$FIXTURE" "$ROOT"
	start_omgd --root "$ROOT"
}

teardown() { stop_omgd; }

@test "the parameters hold the status file's counts and are read-only" {
	run in_zsh 'print "$OMG_TOTAL $OMG_EXPLICIT $OMG_ORPHANS $OMG_UPDATES"; (( y = OMG_UPDATES * 2 )); print y=$y'
	[ "${lines[0]}" = "28 13 8 6" ]
	[ "${lines[1]}" = "y=12" ]
	run in_zsh 'OMG_UPDATES=1; print reached'
	[ "$status" -ne 0 ]
	[[ "$output" == *"read-only"* ]]
}

@test "every command prints exactly what the omg executable prints, with the same exit status" {
	same_as_executable in_zsh "status" "search fire" "info tilde-pkg" "info nope" "list upgradable" \
		"complete lib" "--json status" "help" "frobnicate" "audit log --verify" "history"
}

@test "complete -A fills a named array for compadd; read-only or bad names are refused" {
	run in_zsh 'omg complete -A reply lib; print -r -- "${#reply}:${reply[*]}"'
	[ "$output" = "3:libedit libfirestore libmulti" ]
	run --separate-stderr in_zsh 'omg complete -A OMG_TOTAL lib; print "rc=$? $OMG_TOTAL"; omg complete -A 1bad lib; print "rc=$?"'
	[ "${lines[0]}" = "rc=2 28" ]
	[ "${lines[1]}" = "rc=2" ]
}

@test "zmodload -u removes the builtin and the parameters; reload works" {
	run in_zsh 'zmodload -u omg || exit 1; print -r -- "[$OMG_UPDATES] $(whence -w omg)"; zmodload omg; print $OMG_UPDATES'
	[ "${lines[0]}" = "[] omg: none" ]
	[ "${lines[1]}" = 6 ]
}

@test "zmodload -ap autoloads the module on first use of a parameter" {
	run zsh -f -c "module_path=('$ZSH_MODULE_DIR' \$module_path); zmodload -ap omg OMG_UPDATES; zmodload | grep -cx omg; print \$OMG_UPDATES; zmodload | grep -x omg"
	[ "${lines[0]}" = 0 ]
	[ "${lines[1]}" = 6 ]
	[ "${lines[2]}" = omg ]
}

@test "a stopped daemon: empty parameters and a one-line reason" {
	run in_zsh 'print "[$OMG_UPDATES]"; kill '"$OMGD_PID"'; while kill -0 '"$OMGD_PID"' 2>/dev/null; do sleep 0.02; done; print "[$OMG_UPDATES]"; omg status; print rc=$?'
	[ "${lines[0]}" = "[6]" ]
	[ "${lines[1]}" = "[]" ]
	[[ "${lines[2]}" == "omg: omgd is not running"* ]]
	[ "${lines[3]}" = "rc=3" ]
	OMGD_PID=
}

@test "only the six module hooks are exported into zsh's global namespace" {
	run nm -D --defined-only "$ZSH_MODULE_DIR/omg.so"
	local syms; syms=$(echo "$output" | awk '$2 ~ /[TDB]/ {print $3}' | grep -v '^_' | sort | xargs)
	[ "$syms" = "boot_ cleanup_ enables_ features_ finish_ setup_" ]
}

@test "valgrind: the module's parameters, builtin and unload are clean in zsh" {
	command -v valgrind >/dev/null || skip "valgrind missing"
	run valgrind --quiet --error-exitcode=42 --leak-check=full --errors-for-leak-kinds=definite \
		--show-leak-kinds=definite zsh -f -c "module_path=('$ZSH_MODULE_DIR' \$module_path); zmodload omg
		for i in {1..10}; do x=\$OMG_UPDATES\$OMG_TOTAL; omg status >/dev/null; omg complete -A r lib
			omg not-found zzz 2>/dev/null; omg info nope 2>/dev/null; done
		zmodload -u omg; print ok"
	echo "$output" | tail -20
	[ "$status" -eq 0 ]
	[ "${lines[-1]}" = ok ]
}

# Issue 16.1 in zsh: nothing done to the status file kills the shell.
@test "truncating, rewriting or replacing the status file never kills zsh" {
	local f=$XDG_RUNTIME_DIR/omg.status
	run in_zsh '
		f='"$f"'
		echo "a [$OMG_UPDATES]"
		{ : > $f } 2>/dev/null; truncate -s0 $f 2>/dev/null; echo "b [$OMG_UPDATES]"
		printf XXXX 1<> $f; echo "c [$OMG_UPDATES]"
		rm -f $f; mkfifo $f; sleep 1.1; echo "d [$OMG_UPDATES]"
		rm -f $f; truncate -s 1T $f; sleep 1.1; echo "e [$OMG_UPDATES]"
		for i in {1..30}; do [[ -n $OMG_UPDATES ]] && break; sleep 0.1; done
		echo "f [$OMG_UPDATES]"'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "a [6]" ]
	[ "${lines[1]}" = "b [6]" ]
	for i in 2 3 4; do [[ "${lines[$i]}" =~ ^[c-e]\ \[(6)?\]$ ]]; done
	[ "${lines[5]}" = "f [6]" ]
	kill -0 "$OMGD_PID"
}

# Issue 16.2/16.5: a trap that runs omg while omg waits gets its own answer; a trap that
# unloads the module while omg waits is refused, and the shell goes on.
@test "a trap running omg or zmodload -u while omg waits: right answers, no crash" {
	local d=$BATS_TEST_TMPDIR
	run in_zsh '
		TRAPUSR1() { omg info alt-two > '"$d"'/trap; echo "trap rc=$?" }
		TRAPUSR2() { zmodload -u omg 2>/dev/null; echo "unload rc=$?" }
		kill -STOP '"$OMGD_PID"'
		( sleep 0.3; kill -USR1 $$; sleep 0.3; kill -USR2 $$; sleep 0.3; kill -CONT '"$OMGD_PID"' ) &
		omg --timeout 4000 info alt-one > '"$d"'/outer; echo "outer rc=$?"
		wait
		omg info tilde-pkg | head -1'
	kill -CONT "$OMGD_PID" || true
	echo "$output"
	[ "$status" -eq 0 ]
	# the traps ran inside the waiting builtin (their stdout is its redirection)
	cat "$d/outer"
	# (USR2 comes while USR1's omg waits, so its line is in USR1's redirection)
	[ "$(grep -c '^Package: ' "$d/trap")" = 1 ]
	grep -qx "Package: alt-two" "$d/trap"
	[ "$(grep -c '^Package: ' "$d/outer")" = 1 ]
	grep -qx "Package: alt-one" "$d/outer"
	cat "$d/outer" "$d/trap" | grep -qx "unload rc=1"
	[ "${lines[-1]}" = "Package: tilde-pkg" ]
}

@test "omg complete -A refuses zsh's special parameters" {
	run in_zsh 'omg complete -A SECONDS alt >/dev/null 2>&1; echo "rc=$?"; [[ $SECONDS == <-> ]] && echo num'
	[ "${lines[0]}" != "rc=0" ]
	[ "${lines[1]}" = "num" ]
}
