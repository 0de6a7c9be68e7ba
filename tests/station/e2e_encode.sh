#!/bin/sh
# The issuance station on a hopper of virtual cards (the in-process vcard:
# reader), against a real ledger file:
#   1. a request of 5 members encoded on 6 cards, one of which is dead
#      (its secure channel blocked: no key opens it): it is spoiled with the
#      reason, the station goes on, every member ends with exactly one encoded card, each card
#      verifies (also against a signed status list), the audit chain holds;
#   2. running the same command again changes nothing;
#   3. a run that runs out of blank cards stops with a clear message and
#      resumes on the next hopper: no member skipped, none doubled;
#   3b. a card pulled out of a hand-fed reader mid-write: the run stops
#      saying it did not come back, nothing spoiled; the same card put back
#      on the next run is finished on the same serial;
#   4. a card written for its reserved serial but never recorded (the
#      station stopped in between) is recognised and recorded, not spoiled;
#   5. on a terminal (a pty from script(1)) one progress line is redrawn
#      in place, a spoiled card keeps its line, a summary ends the run.
. "$(dirname "$0")/../ledger/lib.sh"
VC="$UC_BUILD_DIR/src/tools/unioncard-vcard"
VERIFY="$UC_BUILD_DIR/src/tools/unioncard-verify"
export UNIONCARD_PASSPHRASE="station passphrase"

"$UC" init --province 52 --name "LĐLĐ tỉnh Bình Định" --admin admin >/dev/null
uc admin unit add TP --name "LĐLĐ huyện Tuy Phước" --parent 52
uc admin unit add TP01 --name "CĐCS Trường THPT Tuy Phước" --parent TP
uc admin account add clerk --unit TP01 --role clerk --password-file "$PWFILE"
uc admin account add approver --unit TP --role approver --password-file "$PWFILE"
uc admin account add printer --unit 52 --role printer --password-file "$PWFILE"
cat >"$TMP/m.csv" <<'CSV'
full_name,date_of_birth,gender,national_id,position,joined_on,mandatory
Huỳnh Lê Diễm Tuyết,12/03/1985,nữ,052185000123,Phó Chủ tịch,2010-05-01,1
Nguyễn Văn Đức,1990-06-05,nam,052090000789,Giáo viên,2015-01-15,0
Trần Thị Ánh Nguyệt,1992-09-21,nữ,052192000456,Kế toán,2018-08-01,0
Phạm Đức Dụ,1975-02-20,M,052075000321,Bảo vệ,1998-03-01,0
Lê Thị Hồng,1988-12-01,F,052188000654,Giáo viên,2012-09-05,0
Võ Văn Tám,1980-01-30,M,052080000111,Tạp vụ,2005-02-01,0
Đặng Thị Mai,1995-07-07,F,052195000222,Thư viện,2020-10-10,0
Bùi Văn Chín,1991-03-03,M,052091000333,Giáo viên,2016-06-06,0
Ngô Văn Mười,1993-04-04,M,052093000444,Giáo viên,2019-06-06,0
Đỗ Thị Mười Một,1994-05-05,F,052194000555,Kế toán,2021-01-04,0
CSV
uc clerk member import "$TMP/m.csv" --unit TP01 >/dev/null
uc clerk member submit --unit TP01 >/dev/null
uc approver member approve --unit TP01 --all >/dev/null
codes=$(uc clerk member list --unit TP01 --json | jq -r '.[].member_code')
first5=$(echo "$codes" | head -n 5 | paste -sd, -)
last2=$(echo "$codes" | sed -n 6,7p | paste -sd, -)
eighth=$(echo "$codes" | sed -n 8p)
ninth=$(echo "$codes" | sed -n 9p)
tenth=$(echo "$codes" | sed -n 10p)

request() { # members -> accepted request id
	id=$(uc clerk request create --unit TP01 --type regular --members "$1")
	uc clerk request submit "$id"
	uc approver request approve "$id"
	uc printer request accept "$id"
	echo "$id"
}

"$UC" keys init --dir "$TMP/keys" >/dev/null || fail "keys init"
# dead FILE: a blank whose secure channel is blocked (no tries left): it
# can never be written, whatever the keys
dead() {
	"$VC" new "$1" --keys "$TMP/keys" >/dev/null &&
	    jq '.counters.auth_tries_left = 0' "$1" >"$1.tmp" &&
	    mv "$1.tmp" "$1" || fail "dead card"
}

# 1. Five members, six cards; card 2 is dead.
r1=$(request "$first5")
mkdir "$TMP/hopper1"
"$VC" hopper "$TMP/hopper1" --count 6 --keys "$TMP/keys" >/dev/null ||
	fail "hopper"
rm "$TMP/hopper1/card-0002.json"
dead "$TMP/hopper1/card-0002.json"
uc printer encode --request "$r1" --reader "vcard:$TMP/hopper1" \
	--keys "$TMP/keys" --wait 1 >"$TMP/enc1.out" 2>&1 ||
	fail "encode: $(cat "$TMP/enc1.out")"
grep -q "SPOILED" "$TMP/enc1.out" || fail "no spoiled card: $(cat "$TMP/enc1.out")"
uc printer card list --request "$r1" --json >"$TMP/c1.json"
[ "$(jq '[.[] | select(.status == "encoded")] | length' "$TMP/c1.json")" = 5 ] ||
	fail "5 encoded: $(cat "$TMP/c1.json")"
[ "$(jq '[.[] | select(.status == "spoiled")] | length' "$TMP/c1.json")" = 1 ] ||
	fail "1 spoiled: $(cat "$TMP/c1.json")"
[ "$(jq '[.[] | select(.status == "encoded") | .member_code] | unique | length' \
    "$TMP/c1.json")" = 5 ] || fail "one encoded card per member"
spoiled=$(jq -r '.[] | select(.status == "spoiled") | .serial' "$TMP/c1.json")
uc printer card show "$spoiled" | jq -e '.reason | test("channel|authentication|cryptogram")' \
	>/dev/null || fail "spoil reason: $(uc printer card show "$spoiled")"
ok "5 members encoded on 6 cards, the dead card spoiled with its reason"

uc printer status-list export --out "$TMP/status.usl" --keys "$TMP/keys" >/dev/null
n=0
for f in "$TMP"/hopper1/card-000[13456].json; do
	"$VERIFY" --reader "vcard:$f" --trust "$TMP/keys/root.pem" \
	    --status-list "$TMP/status.usl" >"$TMP/v.out" ||
		fail "$f does not verify: $(cat "$TMP/v.out")"
	n=$((n + 1))
done
[ "$n" = 5 ] || fail "verified $n cards"
chip=$(jq -r .serial "$TMP/hopper1/card-0001.json")
[ "$(jq -r --arg c "$chip" '.[] | select(.status == "encoded") | .serial' \
    "$TMP/c1.json" | while read -r s; do uc printer card show "$s" |
    jq -r .chip_serial; done | grep -c "^$chip$")" = 1 ] ||
	fail "the ledger does not link chip $chip"
# card show takes the chip serial the verifier prints, in either case
[ "$(uc printer card show "$(echo "$chip" | tr a-f A-F)" | jq -r .chip_serial)" \
    = "$chip" ] || fail "card show by chip serial $chip"
uc admin audit verify >/dev/null || fail "audit verify"
ok "every encoded card verifies against the signed status list; audit intact"

# 2. The same command again: nothing to do, nothing changes.
before=$(dump_state)
uc printer encode --request "$r1" --reader "vcard:$TMP/hopper1" \
	--keys "$TMP/keys" --wait 1 >"$TMP/enc2.out" 2>&1 ||
	fail "second run: $(cat "$TMP/enc2.out")"
grep -q "5 done before" "$TMP/enc2.out" || fail "second run: $(cat "$TMP/enc2.out")"
[ "$(dump_state)" = "$before" ] || fail "the second run changed the ledger"
ok "running the station again changes nothing"

# 3. Out of cards half way, then resumed on a new hopper.
r2=$(request "$last2")
mkdir "$TMP/hopper2" "$TMP/hopper3"
"$VC" hopper "$TMP/hopper2" --count 1 --keys "$TMP/keys" >/dev/null
expect_fail 2 "$UC" --as printer encode --request "$r2" \
	--reader "vcard:$TMP/hopper2" --keys "$TMP/keys" --wait 1
grep -q "no blank card" "$TMP/err" || fail "out of cards: $(cat "$TMP/err")"
grep -q "again to resume" "$TMP/err" || fail "no resume hint: $(cat "$TMP/err")"
"$VC" hopper "$TMP/hopper3" --count 1 --keys "$TMP/keys" >/dev/null
uc printer encode --request "$r2" --reader "vcard:$TMP/hopper3" \
	--keys "$TMP/keys" --wait 1 >"$TMP/enc3.out" 2>&1 ||
	fail "resume: $(cat "$TMP/enc3.out")"
grep -q "1 encoded now.*1 done before" "$TMP/enc3.out" ||
	fail "resume: $(cat "$TMP/enc3.out")"
uc printer card list --request "$r2" --json >"$TMP/c2.json"
[ "$(jq '[.[] | select(.status == "encoded")] | length' "$TMP/c2.json")" = 2 ] ||
	fail "resume: $(cat "$TMP/c2.json")"
[ "$(jq 'length' "$TMP/c2.json")" = 2 ] || fail "extra cards: $(cat "$TMP/c2.json")"
uc admin audit verify >/dev/null || fail "audit verify"
ok "out of blank cards: stopped, then resumed; two members, two cards"

# 3b. One card in a hand-fed reader, pulled out at its first write (APDU 5:
#     SELECT, SELECT, INITIALIZE UPDATE, EXTERNAL AUTHENTICATE, STORE DATA).
r5=$(request "$tenth")
"$VC" new "$TMP/hand.json" --keys "$TMP/keys" >/dev/null
UNIONCARD_VCARD_TEAR_AT=5:after expect_fail 2 "$UC" --as printer encode \
	--request "$r5" --reader "vcard:$TMP/hand.json" --keys "$TMP/keys" --wait 1
grep -q "PULLED card" "$TMP/out" || fail "no word of the pulled card: $(cat "$TMP/out")"
grep -q "did not come back" "$TMP/err" || fail "pulled: $(cat "$TMP/err")"
s5=$(uc printer card list --request "$r5" --json | jq -r '.[0].serial')
[ "$(uc printer card show "$s5" | jq -r .status)" = reserved ] ||
	fail "the pulled card's serial did not stay reserved"
[ "$(jq -r .lifecycle "$TMP/hand.json")" = PERSONALIZING ] ||
	fail "the torn card is $(jq -r .lifecycle "$TMP/hand.json")"
uc printer encode --request "$r5" --reader "vcard:$TMP/hand.json" \
	--keys "$TMP/keys" --wait 1 >"$TMP/enc5.out" 2>&1 ||
	fail "the card put back: $(cat "$TMP/enc5.out")"
[ "$(uc printer card list --request "$r5" --json | jq -r '.[] |
    .serial + " " + .status')" = "$s5 encoded" ] ||
	fail "not finished on serial $s5: $(uc printer card list --request "$r5")"
"$VERIFY" --reader "vcard:$TMP/hand.json" --trust "$TMP/keys/root.pem" \
	>/dev/null || fail "the finished card does not verify"
ok "a card pulled mid-write and put back is finished on its serial, nothing spoiled"

# 4. The station wrote a card for a reserved serial and stopped before the
#    ledger heard of it: here `unioncard perso` plays that interrupted run.
r3=$(request "$eighth")
reserved=$(uc printer card list --request "$r3" --json | jq -r '.[0].serial')
[ -n "$reserved" ] && [ "$reserved" != null ] || fail "no reserved card for $r3"
name=$(uc printer member show "$eighth" | jq -r .full_name)
cat >"$TMP/m8.json" <<JSON
{"member_code": "$eighth", "full_name": "$name", "unit_code": "TP01",
 "unit_name": "CĐCS Trường THPT Tuy Phước", "card_type": "regular",
 "issued_on": "2026-11-25", "expires_on": "2031-11-24",
 "card_serial": "$reserved"}
JSON
mkdir "$TMP/hopper4"
"$VC" hopper "$TMP/hopper4" --count 1 --keys "$TMP/keys" >/dev/null
"$UC" perso --reader "vcard:$TMP/hopper4/card-0001.json" --member "$TMP/m8.json" \
	--keys "$TMP/keys" >/dev/null || fail "perso of the interrupted card"
uc printer encode --request "$r3" --reader "vcard:$TMP/hopper4" \
	--keys "$TMP/keys" --wait 1 >"$TMP/enc4.out" 2>&1 ||
	fail "recovery: $(cat "$TMP/enc4.out")"
grep -q "recovered card $reserved" "$TMP/enc4.out" ||
	fail "recovery: $(cat "$TMP/enc4.out")"
[ "$(uc printer card show "$reserved" | jq -r .status)" = encoded ] ||
	fail "recovered card: $(uc printer card show "$reserved")"
[ "$(uc printer card list --request "$r3" --json | jq length)" = 1 ] ||
	fail "recovery made extra cards"
uc admin audit verify >/dev/null || fail "audit verify"
ok "a card written but never recorded is recognised and recorded"

# 5. On a terminal: the progress line, redrawn with carriage returns.
r4=$(request "$ninth")
mkdir "$TMP/hopper5"
"$VC" hopper "$TMP/hopper5" --count 2 --keys "$TMP/keys" >/dev/null
rm "$TMP/hopper5/card-0001.json"
dead "$TMP/hopper5/card-0001.json"
if ! script -qec true /dev/null >/dev/null 2>&1; then
	echo "SKIP: no script(1) for a pty"
	exit 0
fi
TERM=xterm COLUMNS=200 script -qec "'$UC' --as printer encode --request $r4 \
	--reader 'vcard:$TMP/hopper5' --keys '$TMP/keys' --wait 1" /dev/null \
	>"$TMP/tty.out" 2>&1 || fail "encode on a pty: $(cat "$TMP/tty.out")"
tr '\r' '\n' <"$TMP/tty.out" | sed 's/\x1b\[K//g' >"$TMP/tty.lines"
grep -q '^\[#*-*\] 0/1  0 encoded  0 spoiled  --/min  -- left  insert a blank card for '"$ninth"' .* (card [0-9]\{11\})$' \
	"$TMP/tty.lines" || fail "no progress line: $(cat "$TMP/tty.lines")"
grep -q '^SPOILED card .* for '"$ninth"': ' "$TMP/tty.lines" ||
	fail "no spoiled line: $(cat "$TMP/tty.lines")"
grep -q '^\[#\{30\}\] 1/1  1 encoded  1 spoiled  .*/min  0s left' \
	"$TMP/tty.lines" || fail "no full bar: $(cat "$TMP/tty.lines")"
grep -q "^request $r4: 1 lines: 1 encoded now" "$TMP/tty.lines" ||
	fail "no summary: $(cat "$TMP/tty.lines")"
grep -q '^took [0-9]' "$TMP/tty.lines" || fail "no time: $(cat "$TMP/tty.lines")"
! grep -q '^\[[0-9]*/[0-9]*\] insert a blank card' "$TMP/tty.lines" ||
	fail "per-card lines on a terminal: $(cat "$TMP/tty.lines")"
! grep '^\[#\{30\}\] 1/1' "$TMP/tty.lines" | grep -q 'insert' ||
	fail "the bar still waits after the card came: $(cat "$TMP/tty.lines")"
ok "on a terminal: one progress line saying which card it waits for, the" \
    "spoiled card's reason, a summary"
