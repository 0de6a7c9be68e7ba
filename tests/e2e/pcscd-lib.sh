# shellcheck shell=sh
# Shared by the end-to-end tests that go through a real pcscd.  Source it
# with UC_BUILD_DIR set, after defining fail() and making the temp dir
# $tmp (or TMP) the test removes at exit.
#
#   pcscd_start       our own pcscd with the vsmartcard-vpcd driver, by
#                     pcscd-launch (socket activation in a private mount
#                     namespace: the host's pcscd is never touched); waits
#                     for the reader, exports PCSCLITE_CSOCK_NAME, sets
#                     VPCD_PORT; exits 77 (skip) where a private pcscd
#                     cannot run
#   card_in STATE [serve options]
#                     `unioncard-vcard serve STATE` in the reader; waits
#                     until pcscd sees the card
#   card_out          the card out again; waits until pcscd notices
#   pcscd_stop_all    stop the card and pcscd (call from the EXIT trap)
#   pcscd_harness     for a script with no harness of its own: on exit
#                     stop everything and remove $tmp; fail() prints its
#                     message and the tails of the pcscd and card logs
#   opensc_read_emv OUT
#                     an independent client, opensc-tool, walks the card's
#                     payment application: SELECT the PPSE, SELECT the
#                     AID, GET PROCESSING OPTIONS, READ RECORD 1 of SFI 1;
#                     its output in OUT
#
# The reader is $PCSC_READER ("Virtual PCD 00 00"); the tools name it
# "pcsc:$PCSC_READER".

PCSC_READER='Virtual PCD 00 00'
_pl_dir=${tmp:-${TMP:?pcscd-lib.sh: no tmp dir}}
_pl_uc=$UC_BUILD_DIR/src/tools/unioncard
_pl_vc=$UC_BUILD_DIR/src/tools/unioncard-vcard
pcscd_pid=
vcard_pid=

# _pl_wait WHAT CMD...: retry CMD for up to 10 s
_pl_wait() {
	_pl_what=$1
	shift
	_pl_i=0
	until "$@"; do
		_pl_i=$((_pl_i + 1))
		[ "$_pl_i" -lt 100 ] || fail "$_pl_what"
		sleep 0.1
	done
}

_pl_reader_is() {
	"$_pl_uc" readers 2>/dev/null | grep -q "^pcsc:$PCSC_READER	$1"
}

_pl_pcscd_up() {
	if ! kill -0 "$pcscd_pid" 2>/dev/null; then
		wait "$pcscd_pid"
		_pl_rc=$?
		pcscd_pid=
		if [ "$_pl_rc" -eq 77 ]; then
			echo "SKIP: cannot run a private pcscd here"
			exit 77
		fi
		fail "pcscd exited with $_pl_rc: $(tail -n 5 "$_pl_dir/pcscd.log")"
	fi
	_pl_reader_is ""
}

pcscd_start() {
	mkdir -p "$_pl_dir/pcscd"
	"$UC_BUILD_DIR/tests/e2e/pcscd-launch" "$_pl_dir/pcscd" \
		>>"$_pl_dir/pcscd.log" 2>&1 &
	pcscd_pid=$!
	export PCSCLITE_CSOCK_NAME="$_pl_dir/pcscd/pcscd.comm"
	_pl_wait "pcscd did not come up" _pl_pcscd_up
	VPCD_PORT=$(cat "$_pl_dir/pcscd/vpcd.port")
}

_pl_card_up() {
	kill -0 "$vcard_pid" 2>/dev/null || fail "unioncard-vcard serve exited"
	_pl_reader_is "card"
}

card_in() {
	_pl_state=$1
	shift
	"$_pl_vc" serve "$_pl_state" --vpcd "127.0.0.1:$VPCD_PORT" "$@" \
		>>"$_pl_dir/vcard.log" 2>&1 &
	vcard_pid=$!
	_pl_wait "the card never showed up" _pl_card_up
}

card_out() {
	if [ -n "$vcard_pid" ]; then
		kill "$vcard_pid" 2>/dev/null || true
		wait "$vcard_pid" 2>/dev/null || true
		vcard_pid=
	fi
	_pl_wait "the card never left the reader" _pl_reader_is "no card"
}

pcscd_stop_all() {
	for _pl_p in "$vcard_pid" "$pcscd_pid"; do
		[ -n "$_pl_p" ] || continue
		kill "$_pl_p" 2>/dev/null || true
		wait "$_pl_p" 2>/dev/null || true
	done
	vcard_pid=
	pcscd_pid=
}

pcscd_harness() {
	trap '_pl_cleanup' EXIT
	trap 'exit 1' INT TERM
	# shellcheck disable=SC2317 # called by the scripts that source this
	fail() {
		echo "FAIL: $*" >&2
		for _pl_log in pcscd vcard; do
			[ -f "$_pl_dir/$_pl_log.log" ] || continue
			echo "--- $_pl_log log (tail)" >&2
			tail -n 20 "$_pl_dir/$_pl_log.log" >&2
		done
		exit 1
	}
}

opensc_read_emv() {
	_pl_n=$(opensc-tool -l 2>/dev/null |
	    awk '/Virtual PCD 00 00/ { print $1; exit }')
	[ -n "$_pl_n" ] || fail "opensc-tool does not list the reader"
	opensc-tool -r "$_pl_n" \
		-s '00 A4 04 00 0E 325041592E5359532E444446303100' \
		-s '00 A4 04 00 07 A0000007271010 00' \
		-s '80 A8 00 00 02 83 00 00' \
		-s '00 B2 01 0C 00' >"$1" 2>&1 ||
		fail "opensc-tool: $(cat "$1")"
}

_pl_cleanup() {
	pcscd_stop_all
	rm -rf "$_pl_dir"
}
