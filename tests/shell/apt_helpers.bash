# apt_helpers.bash — a throwaway apt root driven by the real apt-get (never this machine's apt
# state): for the suites that compare omg with apt on signed repositories.

# apt_root DIR: a throwaway apt root DIR/root and its APT_CONFIG file (DIR/apt.conf)
apt_root() {
	local r=$1/root
	mkdir -p "$r/etc/apt/apt.conf.d" "$r/etc/apt/preferences.d" "$r/etc/apt/trusted.gpg.d" \
		"$r/var/lib/apt/lists/partial" "$r/var/cache/apt/archives/partial" "$r/var/lib/dpkg"
	: > "$r/var/lib/dpkg/status"
	cat > "$1/apt.conf" <<-EOF2
	Dir "$r/";
	Dir::State::status "$r/var/lib/dpkg/status";
	Debug::NoLocking "true";
	APT::Sandbox::User "$(id -un)";
	Acquire::Languages "none";
	EOF2
}

# apt_update DIR [APT-OPTIONS...]: apt-get update in DIR's root, its output in DIR/apt.log;
# succeeds when apt took every Release (no W: or E: line)
apt_update() {
	local d=$1
	shift
	APT_CONFIG=$d/apt.conf apt-get "$@" update > "$d/apt.log" 2>&1 || return 1
	! grep -q '^[WE]: ' "$d/apt.log"
}

# apt_accepts DIR: apt-get update in DIR's root, from empty lists, took its Release (0) or refused it (1)
apt_accepts() {
	local r=$1/root
	rm -rf "$r/var/lib/apt/lists"
	mkdir -p "$r/var/lib/apt/lists/partial"
	apt_update "$1" && ls "$r/var/lib/apt/lists/" | grep -q 'Release$'
}

# http_serve DIR: DIR over HTTP on a loopback port (python3's http.server), as a mirror:
# sets HTTP_PORT and HTTP_PID (kill it in teardown)
http_serve() {
	local i log=$BATS_TEST_TMPDIR/http.log
	python3 -u -m http.server 0 --bind 127.0.0.1 --directory "$1" > "$log" 2>&1 &
	HTTP_PID=$!
	HTTP_PORT=
	for i in $(seq 1 100); do
		HTTP_PORT=$(sed -n 's/.*port \([0-9]*\).*/\1/p' "$log" | head -1)
		[ -n "$HTTP_PORT" ] && return 0
		sleep 0.05
	done
	return 1
}
