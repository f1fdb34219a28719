#!/usr/bin/env bats
# omg history from the system's own logs, and omg owns. The real apt and dpkg of a real bookworm
# root (act_helpers.bash) write their real history.log and dpkg.log there; omgd serves that root
# and reads them: apt's entries come out as apt wrote them, an omg action is one entry (apt's,
# with what omg ran), a dpkg -i without apt is its own entry, rotated .gz files are read, and
# the audit records name no daemon uid. omg owns is compared with dpkg -S on this machine.

load helpers
load act_helpers

setup() {
	omg_setup
	export OMG_READY_TRIES=600
}
teardown() { stop_omgd; act_root_teardown; }

# apt_paragraphs FILE: the paragraphs of an apt history.log, each ending with a blank line
apt_paragraphs() { awk 'BEGIN { RS = ""; ORS = "\n\n" } 1' "$1"; }
# omg_apt_entries: omg history's entries read from apt's log (no Log: line), Omg-Command,
# Requested-By of omg's own and Audit-Record lines taken out: apt's text alone
omg_apt_entries() {
	"$OMG" history | awk 'BEGIN { RS = ""; ORS = "\n\n" } !/\nLog: / { print }' |
		grep -v '^Omg-Command: \|^Audit-Record: ' | awk 'BEGIN { RS = ""; ORS = "\n\n" } 1'
}

@test "apt's entries as apt wrote them; an omg install is one entry with what omg ran; dpkg -i is its own" {
	act_root_setup
	start_omgd --root "$ROOT"
	root_apt install omgtest-noisy > /dev/null
	run "$OMG" install -y omgtest-app
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	in_root dpkg -i /srv/omgtest/pool/omgtest-big_1.0_all.deb > /dev/null
	# omgd sees the change by inotify: its record joins dpkg's entry
	eventually_shows "*Install: omgtest-big:all (1.0)"$'\n'"End-Date: "*$'\n'"Audit-Record: "* "$OMG" history
	# apt's own paragraphs, byte for byte (omg adds lines of its own after End-Date)
	diff <(apt_paragraphs "$ROOT/var/log/apt/history.log" | grep -v '^Requested-By: root (0)$') \
		<(omg_apt_entries | grep -v '^Requested-By: root (0)$')
	# the omg install: once, apt's Commandline, what omg ran and who asked, and no second entry
	run "$OMG" history
	[ "$(grep -c '^Install: omgtest-app:' <<< "$output")" = 1 ] || { echo "$output"; false; }
	[[ "$output" == *"Commandline: apt-get "*"install -- omgtest-app"*"Requested-By: root (0)"*"Install: omgtest-app:"*"End-Date: "*"Omg-Command: chroot $ROOT apt-get"*"(exit 0, audit record "* ]]
	# dpkg -i by hand: an entry of dpkg.log's, and omgd's change record joined to it
	[[ "$output" == *"Install: omgtest-big:all (1.0)"$'\n'"End-Date: "*$'\n'"Audit-Record: "*$'\n'"Log: dpkg.log (dpkg run without apt)"* ]] || { echo "$output"; false; }
	# every change omgd saw is in a log: no entry of omgd's own
	[[ "$output" != *"Log: none"* ]]
	# JSON: the same entries
	run "$OMG" --json history
	[[ "$output" == *'"source":"apt"'*'"omg":{"audit_record":'*'"uid":0,"result":0}'* ]]
	[[ "$output" == *'"source":"dpkg"'*'"action":"install","package":"omgtest-big","arch":"all","from":null,"to":"1.0","automatic":false'* ]]
	# the audit log: omgd's own records name no uid (the daemon is not who changed the system)
	run "$OMG" --json audit log
	[[ "$output" == *'"uid":null,"kind":"change"'* ]]
	[[ "$output" != *'"uid":0,"kind":"change"'* ]]
	[[ "$output" == *'"uid":0,"kind":"action"'* ]]
}

@test "rotated logs (.N.gz) are read; --since keeps the newer; a purge and a removal by dpkg; the live log is read on as it grows" {
	act_root_setup
	start_omgd --root "$ROOT"
	root_apt install omgtest-noisy > /dev/null
	# logrotate's way: the old log compressed under .1.gz, a new one begun
	gzip -c "$ROOT/var/log/apt/history.log" > "$ROOT/var/log/apt/history.log.1.gz"
	: > "$ROOT/var/log/apt/history.log"
	gzip -c "$ROOT/var/log/dpkg.log" > "$ROOT/var/log/dpkg.log.1.gz"
	: > "$ROOT/var/log/dpkg.log"
	run "$OMG" history
	[[ "$output" == *"Install: omgtest-noisy:"*" (1.0)"* ]] || { echo "$output"; false; }
	sleep 1.1 # a second apart: --since below falls between the two
	local mid; mid=$(date +%s)
	sleep 1.1
	root_apt install omgtest-big > /dev/null
	in_root dpkg -P omgtest-big > /dev/null
	in_root dpkg -r omgtest-noisy > /dev/null
	run "$OMG" history
	[[ "$output" == *"Install: omgtest-noisy:"*"Install: omgtest-big:"*"Purge: omgtest-big:all (1.0)"*"Remove: omgtest-noisy:all (1.0)"* ]] || { echo "$output"; false; }
	run "$OMG" history --since "@$mid"
	[[ "$output" != *"Install: omgtest-noisy"* ]]
	[[ "$output" == *"Install: omgtest-big:"* ]]
	# as apt's history.log says them, the two files together
	diff <({ zcat "$ROOT/var/log/apt/history.log.1.gz"; cat "$ROOT/var/log/apt/history.log"; } | awk 'BEGIN { RS = ""; ORS = "\n\n" } 1') \
		<(omg_apt_entries)
}

@test "a daemon on a test root reads that root's logs only" {
	act_root_setup
	start_omgd --root "$ROOT"
	root_apt install omgtest-noisy > /dev/null
	run "$OMG" history
	[[ "$output" == *"omgtest-noisy"* ]]
	# every command line shown is one of the root's history.log: none of this machine's own
	local line
	while IFS= read -r line; do
		grep -qxF -- "$line" "$ROOT/var/log/apt/history.log" || { echo "not the root's: $line"; false; }
	done < <(grep '^Commandline: ' <<< "$output")
}

# owns_oracle PATH: dpkg -S's owners of PATH on this machine, "pkg path" lines, sorted
owns_oracle() {
	dpkg -S "$1" 2>/dev/null | grep -v '^diversion by ' | awk -F ': ' '{ n = split($1, p, ", "); for (i = 1; i <= n; i++) print p[i], $2 }' | sort
}
owns_omg() {
	"$OMG" owns "$1" 2>/dev/null | grep -v '^diversion by ' | awk -F ': ' '{ n = split($1, p, ", "); for (i = 1; i <= n; i++) print p[i], $2 }' | sort
}

@test "omg owns equals dpkg -S on this machine: files, directories, links, diversions; a command through PATH" {
	[ -x /usr/bin/dpkg ] && [ -s /var/lib/dpkg/status ] || skip "not a Debian system"
	start_omgd
	local p
	for p in /bin/ls /usr/bin /etc/passwd /bin/sh /usr/bin/pg_config /usr/share/doc/dpkg/copyright /etc/apt/sources.list.d \
		/lib/x86_64-linux-gnu/libc.so.6 /usr/bin/python3 /sbin/ldconfig /usr/bin/perf.wrapper; do
		[ -e "$p" ] || [ -L "$p" ] || continue
		diff <(owns_oracle "$p") <(owns_omg "$p") || { echo "differs for $p"; false; }
		# diversions as dpkg -S says them
		diff <(dpkg -S "$p" 2>/dev/null | grep '^diversion by ') <("$OMG" owns "$p" 2>/dev/null | grep '^diversion by ')
	done
	# merged /usr: bookworm's dpkg lists /bin/ls; omg answers for /usr/bin/ls and for the command
	if [ -L /bin ] && [ -z "$(owns_oracle /usr/bin/ls)" ]; then
		[ "$("$OMG" owns /usr/bin/ls)" = "$(dpkg -S /bin/ls)" ]
		[ "$("$OMG" owns /usr/lib/x86_64-linux-gnu/libc.so.6)" = "$(dpkg -S /lib/x86_64-linux-gnu/libc.so.6)" ]
	fi
	[ "$("$OMG" owns ls)" = "$(dpkg -S "$(type -P ls)" 2>/dev/null || dpkg -S /bin/ls)" ]
	# relative paths from the current directory, . and .. taken out
	[ "$(cd /usr/share && "$OMG" owns ./doc/../doc/dpkg/copyright)" = "$(dpkg -S /usr/share/doc/dpkg/copyright)" ]
	# nothing owns it: exit 1, dpkg's words on stderr; a command not in PATH: exit 1
	run "$OMG" owns /nonexistent/omg-test
	[ "$status" -eq 1 ]
	[[ "$output" == *"no package owns /nonexistent/omg-test"* ]]
	run "$OMG" owns omg-no-such-command-here
	[ "$status" -eq 1 ]
	[[ "$output" == *"not found in PATH"* ]]
	run "$OMG" --json owns /bin/ls
	[[ "$output" == *'"query":"/bin/ls","owners":[{"package":"coreutils","path":"/bin/ls","kind":"file"}]'* ]]
	run "$OMG" owns
	[ "$status" -eq 2 ]
	run "$OMG" owns --help
	[[ "$output" == *"dpkg -S"* ]]
}
