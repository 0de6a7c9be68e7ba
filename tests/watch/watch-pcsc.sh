#!/bin/sh
# The field officer's watch mode end to end, through our own pcscd with the
# vpcd driver: `unioncard-verify --watch` is started once and fed cards one
# after another (`unioncard-vcard serve --once` each: the verifier powers
# the card down when done, and that takes it out of the reader):
#
#   1. a genuine card                       VALID   code  name  unit  expires
#                                             DATE  card SERIAL (chip CHIP)
#   2. the same card, a bit flipped in E1   INVALID code name: hashes — ...
#   3. a clone: its readable state on
#      another blank chip with its own key  INVALID ...: active_auth — copy
#   4. a card revoked in the ledger's
#      signed status list                   INVALID ...: status — revoked
#   5. a card pulled at its 2nd APDU        COULD NOT CHECK: ... — try again
#   6. pcscd stopped (the reader is gone) and started again: the watcher
#      says it waits, then reads a further card without a restart: VALID
#   7. card 1 reported lost, a new list exported over the old one: the
#      next card read uses it: INVALID ...: status — revoked
#   8. a list past its validity (--ttl 1):  COULD NOT CHECK code name:
#      status — ... out of date: made ..., expired ...; fetch a new one
#   9. a blank card:                        INVALID chip ...: objects —
#                                             the card is blank ...
#  10. SIGINT: a summary with the counts, exit 0.
# Then --json: one object per card, the shape of the single-card --json,
# and SIGTERM with the summary on stderr; then one card at a time with the
# stale list: COULD NOT CHECK, exit 2, the list's times on stdout.
#
# The cards come from a real ledger story (members, a request, card
# serials, one card revoked, `status-list export` signed with the keys of
# `unioncard keys init`); they are personalized in-process (vcard:) to
# keep the test short: personalization through pcscd has its own test.
set -u

B=${UC_BUILD_DIR:?UC_BUILD_DIR not set}
UC=$B/src/tools/unioncard
VC=$B/src/tools/unioncard-vcard
VERIFY=$B/src/tools/unioncard-verify
LAUNCH=$B/tests/e2e/pcscd-launch

tmp=$(mktemp -d /tmp/uc-watch-pcsc.XXXXXX) || exit 1
pcscd_pid=
vcard_pid=
watch_pid=
# shellcheck disable=SC2317 # stop and cleanup run from the EXIT trap
stop() {
	if [ -n "$1" ]; then
		kill "$1" 2>/dev/null
		wait "$1" 2>/dev/null
	fi
}
# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
	stop "$watch_pid"
	stop "$vcard_pid"
	stop "$pcscd_pid"
	if [ -n "${UC_KEEP_TMP:-}" ]; then
		echo "kept $tmp" >&2
	else
		rm -rf "$tmp"
	fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM

fail() {
	echo "FAIL: $*" >&2
	for log in watch.out watch.err pcscd.log vcard.log; do
		if [ -f "$tmp/$log" ]; then
			echo "--- $log (tail)" >&2
			tail -n 20 "$tmp/$log" >&2
		fi
	done
	exit 1
}

export UNIONCARD_PASSPHRASE="watch e2e passphrase"
export UNIONCARD_LEDGER="$tmp/ledger.db"
export UNIONCARD_PASSWORD="watch e2e password"
PWFILE="$tmp/password"
printf '%s\n' "$UNIONCARD_PASSWORD" >"$PWFILE"
# cheap password hashes: a test hook (-Dtest_hooks=true builds)
if grep -q '^#define UC_TEST_HOOKS 1' "$UC_BUILD_DIR/config.h"; then
	export UNIONCARD_KDF_ITERATIONS=1000
fi
READER='pcsc:Virtual PCD 00 00'
# The verifier counts days in Vietnam (UTC+7).
TODAY=$(date -u -d '+7 hours' +%Y-%m-%d)
UNTIL=$(date -u -d '+7 hours +5 years' +%Y-%m-%d)

# ---- Keys, the ledger, three card serials, one revoked ----------------
uc() { u=$1; shift; "$UC" --as "$u" "$@"; }
"$UC" keys init --dir "$tmp/keys" --station station-01 >/dev/null ||
	fail "keys init"
{
	"$UC" init --province 52 --name "LĐLĐ tỉnh Bình Định" --admin admin &&
	uc admin unit add TP --name "LĐLĐ huyện Tuy Phước" --parent 52 &&
	uc admin unit add TP01 --name "CĐCS Trường THPT Tuy Phước" \
	    --parent TP &&
	uc admin account add clerk --unit TP01 --role clerk --password-file "$PWFILE" &&
	uc admin account add approver --unit TP --role approver --password-file "$PWFILE" &&
	uc admin account add printer --unit 52 --role printer --password-file "$PWFILE"
} >"$tmp/ledger.log" 2>&1 || fail "ledger setup: $(cat "$tmp/ledger.log")"
cat >"$tmp/members.csv" <<'CSV'
full_name,date_of_birth,gender,national_id,position,joined_on,mandatory
Huỳnh Lê Diễm Tuyết,12/03/1985,nữ,052185000123,Phó Chủ tịch công đoàn,2010-05-01,1
Nguyễn Văn Đức,1990-06-05,nam,052090000789,Giáo viên,2015-01-15,0
Trần Thị Ánh Nguyệt,1992-09-21,nữ,052192000456,Kế toán,2018-08-01,0
CSV
{
	uc clerk member import "$tmp/members.csv" --unit TP01 &&
	uc clerk member submit --unit TP01 &&
	uc approver member approve --unit TP01 --all
} >>"$tmp/ledger.log" 2>&1 || fail "members: $(cat "$tmp/ledger.log")"
rid=$(uc clerk request create --unit TP01 --type regular --all-approved) ||
	fail "request create"
{
	uc clerk request submit "$rid" &&
	uc approver request approve "$rid" &&
	uc printer request accept "$rid"
} >>"$tmp/ledger.log" 2>&1 || fail "request: $(cat "$tmp/ledger.log")"
uc printer card list --request "$rid" --json | jq -c '.[]' >"$tmp/cards.jsonl"
[ "$(wc -l <"$tmp/cards.jsonl")" -eq 3 ] ||
	fail "want 3 card serials: $(cat "$tmp/cards.jsonl")"

# One member file and one personalized virtual card per serial
# (the loop's eval sets serial_N and code_N).
serial_1='' serial_2='' serial_3='' code_1='' code_2='' code_3='' chip_1='' chip_2=''
i=0
while read -r line; do
	i=$((i + 1))
	serial=$(printf '%s' "$line" | jq -r .serial)
	code=$(printf '%s' "$line" | jq -r .member_code)
	uc printer member show "$code" --json >"$tmp/m.json" ||
		fail "member show $code"
	jq --arg s "$serial" --arg today "$TODAY" --arg until "$UNTIL" '{
	    member_code, full_name, unit_code: "TP01",
	    unit_name: "CĐCS Trường THPT Tuy Phước", card_type: "regular",
	    issued_on: $today, expires_on: $until, card_serial: $s }' \
	    "$tmp/m.json" >"$tmp/member-$i.json" || fail "member file $i"
	"$VC" new "$tmp/card-$i.json" --keys "$tmp/keys" >/dev/null ||
		fail "vcard new $i"
	"$UC" perso --reader "vcard:$tmp/card-$i.json" \
	    --member "$tmp/member-$i.json" --keys "$tmp/keys" \
	    >"$tmp/perso-$i.out" 2>&1 || fail "perso $i: $(cat "$tmp/perso-$i.out")"
	uc printer card issue "$serial" >/dev/null || fail "card issue $serial"
	# shellcheck disable=SC2034 # chip_$i, through eval (chip_3 unused)
	chip=$(jq -r .serial "$tmp/card-$i.json")
	eval "serial_$i=\$serial code_$i=\$code chip_$i=\$chip"
done <"$tmp/cards.jsonl"
name_1=$(jq -r .full_name "$tmp/member-1.json")
name_2=$(jq -r .full_name "$tmp/member-2.json")
name_3=$(jq -r .full_name "$tmp/member-3.json")
uc admin card revoke "$serial_3" --reason "left the union" >/dev/null ||
	fail "card revoke"
uc printer status-list export --out "$tmp/today.usl" --keys "$tmp/keys" \
	>>"$tmp/ledger.log" 2>&1 || fail "status-list export"
echo "ok: ledger: cards $serial_1 $serial_2 $serial_3 ($serial_3 revoked)"

# Tampered: the lowest bit of the first byte of the name (E1/C1) flipped.
python3 - "$tmp/card-1.json" "$tmp/tampered.json" <<'PY' || fail "tamper"
import json, sys
st = json.load(open(sys.argv[1]))
e1 = bytearray.fromhex(st["objects"]["E1"])
# E1's children: C0 member code, then C1 the full name.
assert e1[0] == 0xC0 and e1[2 + e1[1]] == 0xC1
e1[2 + e1[1] + 2] ^= 0x01
st["objects"]["E1"] = e1.hex().upper()
json.dump(st, open(sys.argv[2], "w"))
PY
# Cloned: card 2's readable state (serial, lifecycle, every object) on
# another chip, which has a key pair of its own: a blank card that made
# its key at its own personalization (for member 1; the copy overwrites
# that data).
"$VC" new "$tmp/blank.json" --keys "$tmp/keys" >/dev/null || fail "blank"
"$UC" perso --reader "vcard:$tmp/blank.json" --member "$tmp/member-1.json" \
    --keys "$tmp/keys" >/dev/null 2>&1 || fail "perso of the clone chip"
jq --slurpfile src "$tmp/card-2.json" '.serial = $src[0].serial
    | .lifecycle = $src[0].lifecycle | .objects = $src[0].objects' \
	"$tmp/blank.json" >"$tmp/clone.json" || fail "clone"
[ "$(jq -r .keys.ec_public "$tmp/clone.json")" != \
  "$(jq -r .keys.ec_public "$tmp/card-2.json")" ] || fail "clone has the key"
[ "$(jq -r .serial "$tmp/clone.json")" = \
  "$(jq -r .serial "$tmp/card-2.json")" ] || fail "clone has another serial"

# ---- Our own pcscd -----------------------------------------------------
start_pcscd() {
	rm -f "$tmp/pcscd.comm"
	"$LAUNCH" "$tmp" >>"$tmp/pcscd.log" 2>&1 &
	pcscd_pid=$!
	i=0
	until "$UC" readers 2>/dev/null | grep -q "Virtual PCD 00 00"; do
		if ! kill -0 "$pcscd_pid" 2>/dev/null; then
			wait "$pcscd_pid"
			rc=$?
			pcscd_pid=
			[ "$rc" -eq 77 ] &&
				{ echo "SKIP: no private pcscd here"; exit 77; }
			fail "pcscd exited with $rc"
		fi
		i=$((i + 1))
		[ "$i" -lt 100 ] || fail "pcscd did not come up"
		sleep 0.1
	done
	port=$(cat "$tmp/vpcd.port")
}
export PCSCLITE_CSOCK_NAME="$tmp/pcscd.comm"
start_pcscd

# wait_for FILE N: until FILE has N lines (20 s at most).
wait_for() {
	i=0
	while [ "$(wc -l <"$1")" -lt "$2" ]; do
		i=$((i + 1))
		[ "$i" -lt 200 ] || fail "no line $2 in $1"
		kill -0 "$watch_pid" 2>/dev/null || fail "the watcher exited"
		sleep 0.1
	done
}

# present STATE N [serve options]: serve the card once, wait for line N of
# the watcher's output, then for the card to leave the reader.
present() {
	st=$1 n=$2
	shift 2
	"$VC" serve "$st" --vpcd "127.0.0.1:$port" --once "$@" \
		>"$tmp/vcard.log" 2>&1 &
	vcard_pid=$!
	wait_for "$tmp/watch.out" "$n"
	i=0
	while kill -0 "$vcard_pid" 2>/dev/null; do
		i=$((i + 1))
		[ "$i" -lt 100 ] || fail "the card was not let go after line $n"
		sleep 0.1
	done
	wait "$vcard_pid" 2>/dev/null
	vcard_pid=
}

# line N: the watcher's N-th line.
line() { sed -n "$1p" "$tmp/watch.out"; }

# ---- 1-9: text mode ---------------------------------------------------
: >"$tmp/watch.out"
"$VERIFY" --watch --reader "$READER" --trust "$tmp/keys/root.pem" \
	--status-list "$tmp/today.usl" >"$tmp/watch.out" 2>"$tmp/watch.err" &
watch_pid=$!

present "$tmp/card-1.json" 1
l=$(line 1)
[ "$l" = "VALID   $code_1  $name_1  CĐCS Trường THPT Tuy Phước  expires $UNTIL  card $serial_1 (chip $chip_1)" ] ||
	fail "genuine card: '$l'"
echo "ok: 1 genuine: $l"

present "$tmp/tampered.json" 2
l=$(line 2)
case $l in
"INVALID $code_1 "*": hashes — its data was altered after signing") ;;
*) fail "tampered card: '$l'" ;;
esac
echo "ok: 2 tampered: $l"

present "$tmp/clone.json" 3
l=$(line 3)
[ "$l" = "INVALID $code_2 $name_2: active_auth — this card is a copy" ] ||
	fail "cloned card: '$l'"
echo "ok: 3 cloned: $l"

present "$tmp/card-3.json" 4
l=$(line 4)
[ "$l" = "INVALID $code_3 $name_3: status — the card is revoked, lost, stolen or replaced" ] ||
	fail "revoked card: '$l'"
echo "ok: 4 revoked: $l"

# Pulled at its 2nd APDU (the GET DATA): serve exits 3 by itself.
"$VC" serve "$tmp/card-2.json" --vpcd "127.0.0.1:$port" --tear-at 2 \
	>"$tmp/vcard.log" 2>&1 &
vcard_pid=$!
wait_for "$tmp/watch.out" 5
wait "$vcard_pid"
rc=$?
vcard_pid=
[ "$rc" -eq 3 ] || fail "serve --tear-at exited $rc, want 3"
l=$(line 5)
case $l in
"COULD NOT CHECK: the card was taken away before it was read"*" — try again") ;;
*) fail "pulled card: '$l'" ;;
esac
echo "ok: 5 pulled early: $l"

# The reader goes away: pcscd stops.  The watcher keeps going and says it
# waits; pcscd comes back (new vpcd port, same reader name); a further
# card is read without restarting anything.
stop "$pcscd_pid"
pcscd_pid=
i=0
until grep -q "not running.*waiting for it\|unplugged.*waiting for it" \
    "$tmp/watch.err"; do
	i=$((i + 1))
	[ "$i" -lt 100 ] || fail "the watcher did not notice pcscd stopped"
	kill -0 "$watch_pid" 2>/dev/null || fail "the watcher exited"
	sleep 0.1
done
echo "ok: 6 pcscd stopped: $(grep "waiting for it" "$tmp/watch.err" | tail -n 1)"
sleep 1
kill -0 "$watch_pid" 2>/dev/null || fail "the watcher exited without pcscd"
start_pcscd
present "$tmp/card-2.json" 6
l=$(line 6)
[ "$l" = "VALID   $code_2  $name_2  CĐCS Trường THPT Tuy Phước  expires $UNTIL  card $serial_2 (chip $chip_2)" ] ||
	fail "card after the reader came back: '$l'"
echo "ok: 6 reader back, a further card: $l"

# A new list copied over the old one counts from the next card: card 1
# reported lost since.
uc clerk card lost "$serial_1" --reason "Mất ví" >>"$tmp/ledger.log" 2>&1 ||
	fail "card lost"
uc printer status-list export --out "$tmp/today.usl" --keys "$tmp/keys" \
	>>"$tmp/ledger.log" 2>&1 || fail "status-list export"
present "$tmp/card-1.json" 7
l=$(line 7)
[ "$l" = "INVALID $code_1 $name_1: status — the card is revoked, lost, stolen or replaced" ] ||
	fail "card lost after the watch started: '$l'"
echo "ok: 7 a new status list, without a restart: $l"

# A list past its validity vouches for nobody: the card is read and
# judged on everything else, and the status check could not decide.
uc printer status-list export --out "$tmp/today.usl" --keys "$tmp/keys" \
	--ttl 1 >>"$tmp/ledger.log" 2>&1 || fail "status-list export --ttl 1"
cp "$tmp/today.usl" "$tmp/stale.usl"
sleep 2
present "$tmp/card-2.json" 8
l=$(line 8)
case $l in
"COULD NOT CHECK $code_2 $name_2: status — the status list cannot be used: out of date: made "*" UTC, expired "*" UTC; fetch a new one") ;;
*) fail "stale status list: '$l'" ;;
esac
echo "ok: 8 a stale status list: $l"

# A blank card says it is blank, not that it is a copy.
"$VC" new "$tmp/blank2.json" --keys "$tmp/keys" >/dev/null || fail "blank2"
blank_chip=$(jq -r .serial "$tmp/blank2.json")
present "$tmp/blank2.json" 9
l=$(line 9)
[ "$l" = "INVALID chip $blank_chip: objects — the card is blank: it was never personalized" ] ||
	fail "blank card: '$l'"
echo "ok: 9 a blank card: $l"

kill -INT "$watch_pid"
wait "$watch_pid"
rc=$?
watch_pid=
[ "$rc" -eq 0 ] || fail "watcher exit $rc after SIGINT, want 0"
l=$(line 10)
[ "$l" = "stopped (SIGINT): 9 card(s) read: 2 valid, 5 invalid, 2 could not check" ] ||
	fail "summary: '$l'"
[ "$(wc -l <"$tmp/watch.out")" -eq 10 ] || fail "more output than 10 lines"
echo "ok: 10 SIGINT: $l"

# A fresh list again for the --json run.
uc printer status-list export --out "$tmp/today.usl" --keys "$tmp/keys" \
	>>"$tmp/ledger.log" 2>&1 || fail "status-list export"

# ---- --json: one object per card, SIGTERM -------------------------------
: >"$tmp/watch.out"
"$VERIFY" --watch --json --reader "$READER" --trust "$tmp/keys/root.pem" \
	--status-list "$tmp/today.usl" >"$tmp/watch.out" 2>"$tmp/watch.err" &
watch_pid=$!
present "$tmp/card-1.json" 1
present "$tmp/clone.json" 2
present "$tmp/card-2.json" 3
kill -TERM "$watch_pid"
wait "$watch_pid"
rc=$?
watch_pid=
[ "$rc" -eq 0 ] || fail "watcher exit $rc after SIGTERM, want 0"
[ "$(wc -l <"$tmp/watch.out")" -eq 3 ] || fail "want 3 JSON lines"
line 1 | jq -e --arg c "$code_1" --arg s "$serial_1" '.verdict == "invalid"
    and .failed_check == "status" and .card.card_serial == $s
    and .reason == "the card is revoked, lost, stolen or replaced"
    and .card.member_code == $c and (.checks | length) == 7
    and ([.checks[] | select(.ok | not) | .name] == ["status"])
    and (.checks[] | select(.name == "status") | .detail | contains($s))' \
	>/dev/null || fail "JSON lost card: $(line 1)"
line 2 | jq -e --arg c "$code_2" '.verdict == "invalid"
    and .failed_check == "active_auth" and .card.member_code == $c
    and (.checks[] | select(.name == "active_auth") | .ok) == false' \
	>/dev/null || fail "JSON cloned card: $(line 2)"
line 3 | jq -e --arg c "$code_2" --arg s "$serial_2" '.verdict == "valid"
    and .card.member_code == $c and .card.full_name != null
    and ([.checks[] | select(.ok | not)] | length) == 0
    and (.checks[] | select(.name == "status") | .detail | contains($s))' \
	>/dev/null || fail "JSON valid card: $(line 3)"
grep -q "stopped (SIGTERM): 3 card(s) read: 1 valid, 2 invalid, 0 could not check" \
	"$tmp/watch.err" || fail "JSON summary on stderr"
echo "ok: --json: one object per card, summary on stderr after SIGTERM"

# ---- One card at a time, with the stale list: could not check, exit 2,
# the reason and the list's times on stdout (never exit 1, never silent).
one() {
	"$VC" serve "$1" --vpcd "127.0.0.1:$port" --once >"$tmp/vcard.log" 2>&1 &
	vcard_pid=$!
	shift
	"$VERIFY" --reader "$READER" --trust "$tmp/keys/root.pem" --wait 20 \
		--status-list "$tmp/stale.usl" "$@" >"$tmp/one.out" 2>"$tmp/one.err"
	one_rc=$?
	# --once: the card leaves when the verifier lets it go.
	i=0
	while kill -0 "$vcard_pid" 2>/dev/null; do
		i=$((i + 1))
		[ "$i" -lt 100 ] || fail "the card was not let go"
		sleep 0.1
	done
	wait "$vcard_pid" 2>/dev/null
	vcard_pid=
	i=0
	until "$UC" readers 2>/dev/null | grep -q "Virtual PCD 00 00.*no card"; do
		i=$((i + 1))
		[ "$i" -lt 100 ] || fail "the reader still shows a card"
		sleep 0.1
	done
}
one "$tmp/card-2.json"
[ "$one_rc" -eq 2 ] || fail "one card, stale list: exit $one_rc: $(cat "$tmp/one.out")"
l=$(grep '^COULD NOT CHECK' "$tmp/one.out")
case $l in
"COULD NOT CHECK: status — the status list cannot be used: out of date: made "*" UTC, expired "*" UTC; fetch a new one") ;;
*) fail "one card, stale list: '$(cat "$tmp/one.out")'" ;;
esac
grep -q "^  ??    status  " "$tmp/one.out" || fail "status line: $(cat "$tmp/one.out")"
grep -q "^  ok    active_auth" "$tmp/one.out" || fail "the card was not read"
grep -q "^  card $serial_2 (chip $chip_2) is for $code_2" "$tmp/one.out" ||
	fail "card serials: $(cat "$tmp/one.out")"
echo "ok: one card, stale list: exit 2: $l"
one "$tmp/card-2.json" --json
[ "$one_rc" -eq 2 ] || fail "one card --json, stale list: exit $one_rc"
jq -e --arg s "$serial_2" '.verdict == "could_not_check"
    and .failed_check == "status" and (.reason | contains("expired"))
    and ([.checks[] | select(.result == "could_not_check") | .name]
         == ["status"])
    and ([.checks[] | select(.result == "ok")] | length) == 6
    and .card.card_serial == $s' "$tmp/one.out" >/dev/null ||
	fail "one card --json, stale list: $(cat "$tmp/one.out")"
echo "ok: one card --json, stale list: verdict could_not_check"
# A forged card is invalid whatever the list.
one "$tmp/clone.json"
[ "$one_rc" -eq 1 ] || fail "clone, stale list: exit $one_rc: $(cat "$tmp/one.out")"
grep -q "^INVALID: active_auth failed — this card is a copy$" "$tmp/one.out" ||
	fail "clone, stale list: $(cat "$tmp/one.out")"
echo "ok: a clone with a stale list is still INVALID (active_auth)"
# Unsigned: could not check, with the list's times.
uc printer status-list export --out "$tmp/stale.usl" --unsigned \
	>>"$tmp/ledger.log" 2>&1 || fail "status-list export --unsigned"
one "$tmp/card-1.json" --json
[ "$one_rc" -eq 2 ] || fail "unsigned list: exit $one_rc: $(cat "$tmp/one.out")"
jq -e '.verdict == "could_not_check" and .failed_check == "status"
    and (.reason | contains("not signed")) and (.reason | contains("valid until"))' \
	"$tmp/one.out" >/dev/null || fail "unsigned list: $(cat "$tmp/one.out")"
echo "ok: an unsigned list: could not check: $(jq -r .reason "$tmp/one.out")"
# Signed by a station's document signer, not the status-list signer.
uc printer status-list export --out "$tmp/stale.usl" \
	--key "$tmp/keys/signers/station-01.key" >>"$tmp/ledger.log" 2>&1 ||
	fail "status-list export --key station-01"
one "$tmp/card-1.json" --json
[ "$one_rc" -eq 2 ] || fail "wrong signer: exit $one_rc: $(cat "$tmp/one.out")"
jq -e '.verdict == "could_not_check" and .failed_check == "status"
    and (.reason | contains("not a status-list signer"))' \
	"$tmp/one.out" >/dev/null || fail "wrong signer: $(cat "$tmp/one.out")"
echo "ok: a list by the wrong signer: could not check: $(jq -r .reason "$tmp/one.out")"
# Corrupt: cut short.
head -c 40 "$tmp/today.usl" >"$tmp/stale.usl"
one "$tmp/card-1.json"
[ "$one_rc" -eq 2 ] || fail "corrupt list: exit $one_rc: $(cat "$tmp/one.out")"
grep -q "^COULD NOT CHECK: status — the status list cannot be used: not a status list" \
	"$tmp/one.out" || fail "corrupt list: $(cat "$tmp/one.out")"
echo "ok: a corrupt list: could not check: $(grep '^COULD NOT CHECK' "$tmp/one.out")"

stop "$pcscd_pid"
pcscd_pid=
exit 0
