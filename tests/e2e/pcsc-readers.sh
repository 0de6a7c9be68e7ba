#!/bin/sh
# End-to-end through a real pcscd with the vpcd driver, started privately
# by pcscd-launch (it never touches the host's /run/pcscd): `unioncard
# readers` with no pcscd, with an empty reader, and with the virtual card
# (`unioncard-vcard serve`) in it; `unioncard card info` and opensc-tool
# against that card.  Stops everything it started.
set -u

B=${UC_BUILD_DIR:?UC_BUILD_DIR not set}
UC=$B/src/tools/unioncard
LAUNCH=$B/tests/e2e/pcscd-launch

tmp=$(mktemp -d /tmp/uc-e2e-pcsc.XXXXXX) || exit 1
pcscd_pid=
vcard_pid=
cleanup() {
	if [ -n "$vcard_pid" ]; then
		kill "$vcard_pid" 2>/dev/null
		wait "$vcard_pid" 2>/dev/null
	fi
	if [ -n "$pcscd_pid" ]; then
		kill "$pcscd_pid" 2>/dev/null
		wait "$pcscd_pid" 2>/dev/null
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

fail() {
	echo "FAIL: $*" >&2
	for log in pcscd vcard; do
		if [ -f "$tmp/$log.log" ]; then
			echo "--- $log log (tail)" >&2
			tail -n 20 "$tmp/$log.log" >&2
		fi
	done
	exit 1
}

# The host's pcscd files, to check afterwards that we left them alone.
host_state() {
	if [ -e /run/pcscd ]; then
		ls -la --time-style=+%s /run/pcscd 2>&1
		cat /run/pcscd/pcscd.pid 2>/dev/null
	else
		echo "no /run/pcscd"
	fi
}
before=$(host_state)

# 1. No pcscd behind the socket: exit 2 and say so.
out=$(PCSCLITE_CSOCK_NAME=$tmp/nothing.comm "$UC" readers 2>&1)
rc=$?
[ "$rc" -eq 2 ] || fail "readers without pcscd: exit $rc, want 2 ($out)"
echo "$out" | grep -q "pcscd not running" ||
	fail "readers without pcscd: no 'pcscd not running' in: $out"
echo "ok: without pcscd: $out"

# 2. Our own pcscd with one vpcd reader and no card.
"$LAUNCH" "$tmp" >"$tmp/pcscd.log" 2>&1 &
pcscd_pid=$!
export PCSCLITE_CSOCK_NAME="$tmp/pcscd.comm"
i=0
while :; do
	if ! kill -0 "$pcscd_pid" 2>/dev/null; then
		wait "$pcscd_pid"
		rc=$?
		pcscd_pid=
		if [ "$rc" -eq 77 ]; then
			cat "$tmp/pcscd.log" >&2
			echo "SKIP: cannot isolate a private pcscd here" >&2
			exit 77
		fi
		fail "pcscd exited with $rc"
	fi
	out=$("$UC" readers 2>&1) && echo "$out" | grep -q "Virtual PCD" &&
		break
	i=$((i + 1))
	[ "$i" -lt 100 ] || fail "pcscd did not come up: $out"
	sleep 0.1
done
echo "$out" | grep -q "^pcsc:Virtual PCD 00 00	no card$" ||
	fail "readers: want 'pcsc:Virtual PCD 00 00<TAB>no card', got: $out"
echo "ok: readers: $out"
# Nothing but the list: libnfc's log of every bus without a board
# ("Unable to find USB busses") is kept off stderr.
env -u LIBNFC_LOG_LEVEL "$UC" readers >/dev/null 2>"$tmp/readers.err" ||
	fail "readers failed: $(cat "$tmp/readers.err")"
[ ! -s "$tmp/readers.err" ] ||
	fail "readers wrote to stderr: $(cat "$tmp/readers.err")"
echo "ok: readers: nothing on stderr"

json=$("$UC" readers --json) || fail "readers --json failed"
[ "$(echo "$json" | jq -r '.readers[0].name')" = "pcsc:Virtual PCD 00 00" ] ||
	fail "readers --json: $json"
[ "$(echo "$json" | jq -r '.readers[0].card_present')" = "false" ] ||
	fail "readers --json card_present: $json"
# --json also works as a global option before the subcommand.
"$UC" --json readers | jq -e '.readers | length >= 1' >/dev/null ||
	fail "global --json"
echo "ok: readers --json"

# card info on the empty reader: exit 2, "no card".
out=$("$UC" card info --reader 'Virtual PCD 00 00' 2>&1)
rc=$?
[ "$rc" -eq 2 ] || fail "card info on empty reader: exit $rc ($out)"
echo "$out" | grep -qi "no card" || fail "card info: $out"
# vpcd makes two slots: a prefix of both is ambiguous and said to be.
out=$("$UC" card info --reader 'Virtual PCD' 2>&1)
rc=$?
[ "$rc" -eq 2 ] && echo "$out" | grep -q "matches 2 readers" ||
	fail "ambiguous reader prefix: exit $rc ($out)"
out=$("$UC" card info --reader 'No Such Reader' 2>&1)
rc=$?
[ "$rc" -eq 2 ] && echo "$out" | grep -q "no such reader" ||
	fail "card info on unknown reader: exit $rc ($out)"
echo "ok: card info on empty/unknown reader fails cleanly"

# 3. A virtual card in the vpcd reader: unioncard-vcard serve.
VC=$B/src/tools/unioncard-vcard
port=$(cat "$tmp/vpcd.port")
serial=$("$VC" new "$tmp/card.json" --serial 55430100000000A7) ||
	fail "unioncard-vcard new"
[ "$serial" = "55430100000000A7" ] || fail "new printed '$serial'"
"$VC" serve "$tmp/card.json" --vpcd "127.0.0.1:$port" >"$tmp/vcard.log" 2>&1 &
vcard_pid=$!
i=0
while :; do
	kill -0 "$vcard_pid" 2>/dev/null || fail "unioncard-vcard serve exited"
	out=$("$UC" readers 2>&1) &&
		echo "$out" | grep -q "^pcsc:Virtual PCD 00 00	card, ATR 3B" &&
		break
	i=$((i + 1))
	[ "$i" -lt 100 ] || fail "card never showed up: $out"
	sleep 0.1
done
echo "ok: readers with a card: $(echo "$out" | head -n 1)"

json=$("$UC" card info --reader 'pcsc:Virtual PCD 00 00' --json \
	--trace "$tmp/trace.log") || fail "card info failed"
want=$(jq -r .serial "$tmp/card.json")
[ "$(echo "$json" | jq -r .serial)" = "$want" ] ||
	fail "card info serial: $json, state file says $want"
[ "$(echo "$json" | jq -r .lifecycle)" = "blank" ] ||
	fail "card info lifecycle: $json"
[ "$(echo "$json" | jq -r .spec_version)" = "1" ] ||
	fail "card info spec version: $json"
grep -q "^> 00A404000BF0554E494F4E434152440100$" "$tmp/trace.log" ||
	fail "trace lacks the SELECT: $(cat "$tmp/trace.log")"
grep -q "^< 6F.*9000$" "$tmp/trace.log" ||
	fail "trace lacks the FCI: $(cat "$tmp/trace.log")"
echo "ok: card info reads serial $want through pcscd"

# A prefix that is unique to the slot also finds it (text output).
out=$("$UC" card info --reader 'Virtual PCD 00 00') || fail "card info text"
echo "$out" | grep -q "^serial: *$want$" || fail "card info text: $out"

# An independent PC/SC client sees the same applet.
if command -v opensc-tool >/dev/null 2>&1; then
	n=$(opensc-tool -l 2>/dev/null |
		awk '/Virtual PCD 00 00/ { print $1; exit }')
	[ -n "$n" ] || fail "opensc-tool -l: $(opensc-tool -l 2>&1)"
	out=$(opensc-tool -r "$n" -s '00 A4 04 00 0B F0554E494F4E434152440100' 2>&1) ||
		fail "opensc-tool: $out"
	echo "$out" | grep -q "SW1=0x90, SW2=0x00" ||
		fail "opensc-tool did not see 90 00: $out"
	echo "ok: opensc-tool -r $n sees 90 00"
else
	echo "note: opensc-tool not installed, independent client check skipped"
fi

kill "$vcard_pid"
wait "$vcard_pid" 2>/dev/null
vcard_pid=

# pcscd notices a card has gone on its next poll of the reader.
wait_no_card() {
	i=0
	until "$UC" readers 2>&1 | grep -q "^pcsc:Virtual PCD 00 00	no card$"
	do
		i=$((i + 1))
		[ "$i" -lt 100 ] || fail "the card never left the reader"
		sleep 0.1
	done
}
wait_no_card

# 4. Waiting for a card: card info is started first, the card comes later.
"$UC" card info --reader 'Virtual PCD 00 00' --wait 20 --json \
	>"$tmp/wait.json" 2>"$tmp/wait.err" &
info_pid=$!
sleep 1
kill -0 "$info_pid" 2>/dev/null ||
	fail "card info --wait did not wait: $(cat "$tmp/wait.err")"
"$VC" serve "$tmp/card.json" --vpcd "127.0.0.1:$port" >"$tmp/vcard.log" 2>&1 &
vcard_pid=$!
wait "$info_pid" || fail "card info --wait failed: $(cat "$tmp/wait.err")"
[ "$(jq -r .serial "$tmp/wait.json")" = "$want" ] ||
	fail "card info --wait: $(cat "$tmp/wait.json")"
echo "ok: card info --wait picks up a card inserted later"
kill "$vcard_pid"
wait "$vcard_pid" 2>/dev/null
vcard_pid=

wait_no_card

# 5. The card is pulled during the SELECT: reported as removed.
"$VC" serve "$tmp/card.json" --vpcd "127.0.0.1:$port" --tear-at 1 \
	>"$tmp/vcard.log" 2>&1 &
vcard_pid=$!
out=$("$UC" card info --reader 'Virtual PCD 00 00' --wait 10 2>&1)
rc=$?
[ "$rc" -eq 2 ] && echo "$out" | grep -q "card removed" ||
	fail "torn card: exit $rc, want 2 and 'card removed': $out"
wait "$vcard_pid"
rc=$?
vcard_pid=
[ "$rc" -eq 3 ] || fail "unioncard-vcard serve --tear-at exited $rc, want 3"
echo "ok: a card torn mid-command is reported as removed"

kill "$pcscd_pid"
wait "$pcscd_pid" 2>/dev/null
pcscd_pid=

after=$(host_state)
[ "$before" = "$after" ] ||
	fail "the host's /run/pcscd changed: before: $before; after: $after"
echo "ok: host /run/pcscd untouched"
