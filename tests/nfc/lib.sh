# shellcheck shell=sh
# Shared by the nfc shell tests: a scratch directory $dir, fail() that
# shows every $dir/*.out, and a PN532 emulator on a pseudo-terminal
# ($pid, $pts) stopped on exit.
dir=$(mktemp -d)
pid=

cleanup() {
	if [ -n "$pid" ]; then
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	fi
	rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 2' INT TERM

fail() {
	echo "FAIL: $*" >&2
	for f in "$dir"/*.out; do
		echo "--- $f" >&2
		cat "$f" >&2
	done
	exit 1
}

# emulator_start OUT CMD [ARG...]: run CMD ARG... --pty-link $dir/pn532 in
# the background (output in $dir/OUT.out), wait for it to publish its
# pseudo-terminal there, and set $pid and $pts.
emulator_start() {
	out=$1
	shift
	"$@" --pty-link "$dir/pn532" >"$dir/$out.out" 2>&1 &
	pid=$!
	i=0
	while [ ! -L "$dir/pn532" ]; do
		i=$((i + 1))
		[ $i -le 100 ] || fail "emulator did not publish its pty"
		kill -0 "$pid" 2>/dev/null || fail "emulator exited"
		sleep 0.05
	done
	# shellcheck disable=SC2034 # $pts is for the scripts that source this
	pts=$(readlink "$dir/pn532")
}
