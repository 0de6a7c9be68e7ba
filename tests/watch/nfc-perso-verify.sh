#!/bin/sh
# Personalization and verification over the contactless path, end to end:
# a blank virtual card in the field of an emulated PN532
# (unioncard-pn532emu on a pseudo-terminal), reached through the real
# libnfc.  nfc-list sees the card first; `unioncard perso --reader nfc:...`
# writes it; `unioncard-verify --reader nfc:...` reads it back and finds
# it valid.  libnfc and a PN53x carry short APDUs only, so the trace must
# show the objects read with short Le and GET RESPONSE, never an extended
# APDU.  `unioncard-verify --watch` over nfc: reads the card once, again
# after it left the field and came back.  A tampered card: invalid.  The
# card out of the field: could not check (exit 2).
set -u

B=${UC_BUILD_DIR:?UC_BUILD_DIR not set}
S=${UC_SOURCE_DIR:?UC_SOURCE_DIR not set}
UC=$B/src/tools/unioncard
VC=$B/src/tools/unioncard-vcard
EMU=$B/src/tools/unioncard-pn532emu
VERIFY=$B/src/tools/unioncard-verify

tmp=$(mktemp -d /tmp/uc-watch-nfc.XXXXXX) || exit 1
emu_pid=
# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
	if [ -n "$emu_pid" ]; then
		kill "$emu_pid" 2>/dev/null
		wait "$emu_pid" 2>/dev/null
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

fail() {
	echo "FAIL: $*" >&2
	for f in "$tmp"/*.out "$tmp"/*.err; do
		[ -f "$f" ] || continue
		echo "--- $f" >&2
		tail -n 20 "$f" >&2
	done
	exit 1
}

command -v nfc-list >/dev/null 2>&1 || { echo "SKIP: no nfc-list"; exit 77; }
export UNIONCARD_PASSPHRASE="nfc e2e passphrase"
export LIBNFC_AUTO_SCAN=false LIBNFC_INTRUSIVE_SCAN=false

"$UC" keys init --dir "$tmp/keys" --station station-01 >/dev/null ||
	fail "keys init"
"$VC" new "$tmp/card.json" --keys "$tmp/keys" --serial 5543010000AB0C0D \
	>/dev/null || fail "vcard new"
"$EMU" "$tmp/card.json" --pty-link "$tmp/pn532" >"$tmp/emu.out" 2>&1 &
emu_pid=$!
i=0
while [ ! -L "$tmp/pn532" ]; do
	i=$((i + 1))
	[ "$i" -le 100 ] || fail "the emulator did not publish its pty"
	kill -0 "$emu_pid" 2>/dev/null || fail "the emulator exited"
	sleep 0.05
done
pts=$(readlink "$tmp/pn532")
READER="nfc:pn532_uart:$pts"

# 1. An independent libnfc client sees the card: ISO 14443-4 type A, the
#    UID is the first 7 bytes of the card serial, the ATS names the applet.
LIBNFC_DEVICE="pn532_uart:$pts" timeout 30 nfc-list >"$tmp/list.out" 2>&1 ||
	fail "nfc-list exited $?"
grep -q "1 ISO14443A passive target(s) found" "$tmp/list.out" ||
	fail "nfc-list found no card"
grep -Eq "UID \(NFCID1\): 55  43  01  00  00  ab  0c" "$tmp/list.out" ||
	fail "nfc-list: wrong UID"
echo "ok: nfc-list sees the card behind $pts"

# 2. Personalization over nfc:.
timeout 60 "$UC" perso --reader "$READER" \
	--member "$S/docs/examples/member.json" --keys "$tmp/keys" \
	--trace "$tmp/perso.trace" >"$tmp/perso.out" 2>&1 ||
	fail "perso over nfc exited $?"
grep -q "card locked" "$tmp/perso.out" || fail "perso did not lock the card"
[ "$(jq -r .lifecycle "$tmp/card.json")" != blank ] ||
	fail "the state file is still blank"
echo "ok: perso over $READER: $(head -n 1 "$tmp/perso.out")"

# 3. Verification over nfc:, every check ok.
timeout 60 "$VERIFY" --reader "$READER" --trust "$tmp/keys/root.pem" \
	--json --trace "$tmp/verify.trace" >"$tmp/v.out" 2>"$tmp/v.err"
rc=$?
[ "$rc" -eq 0 ] || fail "verify over nfc exited $rc"
[ "$(jq -r .verdict "$tmp/v.out")" = valid ] || fail "verdict"
for c in objects hashes signature chain active_auth expiry; do
	[ "$(jq -r --arg c "$c" '.checks[] | select(.name == $c) | .ok' \
	    "$tmp/v.out")" = true ] || fail "check $c"
done
[ "$(jq -r .card.member_code "$tmp/v.out")" = 52000012345 ] ||
	fail "member code"
[ "$(jq -r .card.serial "$tmp/v.out")" = 5543010000AB0C0D ] || fail "serial"
# Short APDUs only: GET DATA 00FF with Le 00, then GET RESPONSE.
grep -q "^> 00CA00FF00$" "$tmp/verify.trace" ||
	fail "GET DATA was not a short APDU: $(grep '^> 00CA' "$tmp/verify.trace")"
grep -q "^> 00C00000" "$tmp/verify.trace" || fail "no GET RESPONSE"
# Every command is a short APDU: 4 header bytes, then nothing, Le alone,
# or Lc (1..255) + data [+ Le]; never the 00 that opens an extended length.
grep "^> " "$tmp/verify.trace" | awk '
	function hex(h) { return 16 * (index("0123456789ABCDEF",
	    substr(h, 1, 1)) - 1) + index("0123456789ABCDEF", substr(h, 2, 1)) - 1 }
	{ n = length($2) / 2; lc = hex(substr($2, 9, 2))
	  if (n <= 5) next
	  if (lc == 0 || (n != 5 + lc && n != 6 + lc)) { print; bad = 1 } }
	END { exit bad }' >"$tmp/long.out" ||
	fail "extended APDUs sent over nfc: $(cat "$tmp/long.out")"
n=$(grep -c "^> " "$tmp/verify.trace")
echo "ok: verify over $READER: valid, every check ok, $n short APDUs"

# 3b. Watch mode over nfc: the card in the field is read once (not again
#     while it stays), taken out (SIGUSR1 to the emulator) and put back:
#     read again; SIGINT ends the watch with the count.
watch_pid=
"$VERIFY" --watch --reader "$READER" --trust "$tmp/keys/root.pem" \
	>"$tmp/watch.out" 2>"$tmp/watch.err" &
watch_pid=$!
wait_lines() {
	i=0
	while [ "$(wc -l <"$tmp/watch.out")" -lt "$1" ]; do
		i=$((i + 1))
		[ "$i" -lt 200 ] || { kill "$watch_pid"; fail "no line $1"; }
		sleep 0.1
	done
}
wait_lines 1
sleep 1
[ "$(wc -l <"$tmp/watch.out")" -eq 1 ] || { kill "$watch_pid";
	fail "a card left in the field was read twice"; }
kill -USR1 "$emu_pid"
sleep 1
kill -USR1 "$emu_pid"
wait_lines 2
kill -INT "$watch_pid"
wait "$watch_pid"
rc=$?
[ "$rc" -eq 0 ] || fail "watch over nfc exited $rc"
for n in 1 2; do
	sed -n "${n}p" "$tmp/watch.out" | grep -q "^VALID   52000012345  Nguyễn Văn An  Công đoàn cơ sở Trường THPT Quy Nhơn  expires 2031-11-24  chip 5543010000AB0C0D$" ||
		fail "watch line $n: $(sed -n "${n}p" "$tmp/watch.out")"
done
[ "$(sed -n 3p "$tmp/watch.out")" = \
  "stopped (SIGINT): 2 card(s) read: 2 valid, 0 invalid, 0 could not check" ] ||
	fail "watch summary: $(sed -n 3p "$tmp/watch.out")"
echo "ok: watch over nfc: read, taken out, put back, read again; SIGINT"

# 4. A bit flipped in the identity object on the chip: invalid (hashes).
kill "$emu_pid"
wait "$emu_pid" 2>/dev/null
emu_pid=
jq '.objects["E1"] |= (.[0:30] + (if .[30:31] == "4" then "5" else "4" end) + .[31:])' \
	"$tmp/card.json" >"$tmp/tampered.json" || fail "jq"
"$EMU" "$tmp/tampered.json" --pty-link "$tmp/pn532b" >"$tmp/emu.out" 2>&1 &
emu_pid=$!
i=0
while [ ! -L "$tmp/pn532b" ]; do
	i=$((i + 1))
	[ "$i" -le 100 ] || fail "the emulator did not publish its pty"
	sleep 0.05
done
READER="nfc:pn532_uart:$(readlink "$tmp/pn532b")"
timeout 60 "$VERIFY" --reader "$READER" --trust "$tmp/keys/root.pem" \
	>"$tmp/t.out" 2>&1
rc=$?
[ "$rc" -eq 1 ] || fail "tampered card over nfc exited $rc"
grep -q "^INVALID: hashes failed" "$tmp/t.out" || fail "tampered verdict"
echo "ok: a tampered card over nfc: $(grep '^INVALID' "$tmp/t.out")"

# 5. The card out of the field: could not check, exit 2.
kill -USR1 "$emu_pid"
sleep 0.2
timeout 60 "$VERIFY" --reader "$READER" --trust "$tmp/keys/root.pem" \
	>"$tmp/n.out" 2>&1
rc=$?
[ "$rc" -eq 2 ] || fail "no card over nfc exited $rc, want 2"
echo "ok: no card in the field: exit 2"
exit 0
