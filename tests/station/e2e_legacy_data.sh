#!/bin/sh
# A ledger filled before its entries were checked may hold a name the
# card cannot take (here a line break, planted in the file as such a
# ledger would have it) or a unit name with an escape sequence.  The
# station checks with the ledger's own entry check before it touches a
# card: it stops, names the member and the fault, spoils nothing, and the
# blank stays blank.  The good member before it is encoded as usual.
. "$(dirname "$0")/lib.sh"

station_setup 2
lifecycle() { jq -r .lifecycle "$1"; }
second=$(uc printer request show "$RID" --json | jq -r '.lines[1].member_code')
sql "UPDATE members SET full_name = 'Nguyễn Văn' || char(10) || 'Đức'
    WHERE member_code = '$second'"
mkdir "$TMP/h"
cp "$TMP/blank/card-0001.json" "$TMP/blank/card-0002.json" "$TMP/h/"
set +e
"$UC" --as printer encode --request "$RID" --reader "vcard:$TMP/h" \
    --keys "$TMP/keys" --wait 1 >"$TMP/enc.out" 2>&1
rc=$?
set -e
[ "$rc" = 2 ] || fail "exit $rc: $(cat "$TMP/enc.out")"
grep -q "$second: the ledger's full name does not fit the card: contains a line break (LF) (byte 14)" \
    "$TMP/enc.out" && grep -q "nothing spoiled" "$TMP/enc.out" ||
	fail "the message: $(cat "$TMP/enc.out")"
[ "$(sql "SELECT count(*) FROM cards WHERE status = 'spoiled'")" = 0 ] ||
	fail "a card was spoiled"
[ "$(sql "SELECT group_concat(status, ',') FROM (SELECT status FROM cards
    ORDER BY serial)")" = "encoded,reserved" ] || fail "the cards' states"
[ "$(lifecycle "$TMP/h/card-0001.json")" = PERSONALIZED ] &&
    [ "$(lifecycle "$TMP/h/card-0002.json")" = BLANK ] ||
	fail "the cards: $(lifecycle "$TMP/h/card-0001.json")," \
	    "$(lifecycle "$TMP/h/card-0002.json")"
ok "a member's name the card cannot hold: run stopped before the card," \
    "nothing spoiled, the blank still blank"

fresh_ledger
sql "UPDATE units SET name = 'CĐCS' || char(27) || '[2J' WHERE code = 'TP01'"
rm -rf "$TMP/h" && mkdir "$TMP/h"
cp "$TMP/blank/card-0001.json" "$TMP/h/"
set +e
"$UC" --as printer encode --request "$RID" --reader "vcard:$TMP/h" \
    --keys "$TMP/keys" --wait 1 >"$TMP/enc.out" 2>&1
rc=$?
set -e
[ "$rc" = 2 ] && grep -q "TP01: the ledger's unit name does not fit the card: contains an escape character (ESC)" \
    "$TMP/enc.out" || fail "unit name: exit $rc: $(cat "$TMP/enc.out")"
[ "$(sql "SELECT count(*) FROM cards WHERE status <> 'reserved'")" = 0 ] &&
    [ "$(lifecycle "$TMP/h/card-0001.json")" = BLANK ] ||
	fail "unit name: a card was touched"
ok "a unit name the card cannot hold: run stopped before any card"
