#!/bin/sh
# `report spoilage`: the station spoils a dead blank (its secure channel
# blocked) in each of two units' requests, a printer spoils one card by hand;
# the report counts them by reason (most frequent first), lists each card
# with its request, member, reason, time and account, narrows to one
# request, and shows each unit's clerk only the unit's own cards.
. "$(dirname "$0")/../ledger/lib.sh"
VC="$UC_BUILD_DIR/src/tools/unioncard-vcard"
export UNIONCARD_PASSPHRASE="station passphrase"

"$UC" init --province 52 --name "LĐLĐ tỉnh Bình Định" --admin admin >/dev/null
uc admin unit add TP --name "LĐLĐ huyện Tuy Phước" --parent 52
uc admin unit add TP01 --name "CĐCS Trường THPT Tuy Phước" --parent TP
uc admin unit add AN --name "LĐLĐ thị xã An Nhơn" --parent 52
uc admin unit add AN01 --name "CĐCS Công ty Gạch An Nhơn" --parent AN
uc admin account add clerk --unit TP01 --role clerk --password-file "$PWFILE"
uc admin account add approver --unit TP --role approver --password-file "$PWFILE"
uc admin account add clerkan --unit AN01 --role clerk --password-file "$PWFILE"
uc admin account add approveran --unit AN --role approver --password-file "$PWFILE"
uc admin account add printer --unit 52 --role printer --password-file "$PWFILE"
cat >"$TMP/tp.csv" <<'CSV'
full_name,date_of_birth,gender,national_id,position,joined_on,mandatory
Huỳnh Lê Diễm Tuyết,12/03/1985,nữ,052185000123,Phó Chủ tịch,2010-05-01,1
Nguyễn Văn Đức,1990-06-05,nam,052090000789,Giáo viên,2015-01-15,0
Trần Thị Ánh Nguyệt,1992-09-21,nữ,052192000456,Kế toán,2018-08-01,0
CSV
cat >"$TMP/an.csv" <<'CSV'
full_name,date_of_birth,gender,national_id,position,joined_on,mandatory
Đặng Văn Lò,1980-01-30,M,052080000111,Thợ lò,2005-02-01,0
CSV
uc clerk member import "$TMP/tp.csv" --unit TP01 >/dev/null
uc clerk member submit --unit TP01 >/dev/null
uc approver member approve --unit TP01 --all >/dev/null
uc clerkan member import "$TMP/an.csv" --unit AN01 >/dev/null
uc clerkan member submit --unit AN01 >/dev/null
uc approveran member approve --unit AN01 --all >/dev/null
"$UC" keys init --dir "$TMP/keys" >/dev/null || fail "keys init"

# request CLERK APPROVER UNIT -> an accepted request of all approved members
request() {
	id=$(uc "$1" request create --unit "$3" --type regular --all-approved)
	uc "$1" request submit "$id"
	uc "$2" request approve "$id"
	uc printer request accept "$id"
	echo "$id"
}
# encode ID HOPPER COUNT DEAD: COUNT cards, card DEAD's secure channel
# blocked (no tries left: no key opens it)
encode() {
	mkdir "$TMP/$2"
	"$VC" hopper "$TMP/$2" --count "$3" --keys "$TMP/keys" >/dev/null ||
		fail "hopper"
	jq '.counters.auth_tries_left = 0' "$TMP/$2/card-000$4.json" \
	    >"$TMP/dead.json" && mv "$TMP/dead.json" "$TMP/$2/card-000$4.json"
	uc printer encode --request "$1" --reader "vcard:$TMP/$2" \
		--keys "$TMP/keys" --wait 1 >"$TMP/$2.out" 2>&1 ||
		fail "encode: $(cat "$TMP/$2.out")"
}
r1=$(request clerk approver TP01)
r2=$(request clerkan approveran AN01)
encode "$r1" h1 4 2
encode "$r2" h2 2 1
grep -q SPOILED "$TMP/h1.out" && grep -q SPOILED "$TMP/h2.out" ||
	fail "no spoiled cards: $(cat "$TMP/h1.out" "$TMP/h2.out")"
an_code=$(uc clerkan member list --unit AN01 --json | jq -r '.[0].member_code')
# One encoded card of r1 is dropped and spoiled by hand.
dropped=$(uc printer card list --request "$r1" --json |
	jq -r '[.[] | select(.status == "encoded")][0].serial')
uc printer card spoil "$dropped" --reason "dropped at the laminator" \
	>/dev/null || fail "card spoil"

uc printer report spoilage --json >"$TMP/all.json" || fail "report"
jq -e '.total == 3 and (.cards | length) == 3' "$TMP/all.json" >/dev/null ||
	fail "3 spoiled: $(cat "$TMP/all.json")"
# Both dead blanks fail the same way: one reason, counted twice, first.
jq -e '(.by_reason | to_entries) as $e | ($e | length) == 2 and
    $e[0].value == 2 and ($e[0].key | test("^personalization failed at")) and
    ($e[0].key | test(": .*: ") | not) and
    $e[1] == {"key": "dropped at the laminator", "value": 1}' \
    "$TMP/all.json" >/dev/null || fail "by_reason: $(cat "$TMP/all.json")"
jq -e --arg r1 "$r1" --arg r2 "$r2" --arg an "$an_code" --arg d "$dropped" '
    .cards | all(.serial | test("^52[0-9]{9}$")) and
    all(.at | test("^20[0-9]{2}-[0-9]{2}-[0-9]{2}T")) and
    all(.by == "printer") and
    ([.[] | select(.request == ($r2 | tonumber))] | length == 1 and
        .[0].member_code == $an and
        (.[0].reason | test("channel|authentication|cryptogram"))) and
    ([.[] | select(.request == ($r1 | tonumber))] | length == 2) and
    ([.[] | select(.serial == $d)][0].reason == "dropped at the laminator")' \
    "$TMP/all.json" >/dev/null || fail "cards: $(cat "$TMP/all.json")"
# Every spoiled card of the ledger is in it, and nothing else.
[ "$(jq -r '[.cards[].serial] | sort | join(",")' "$TMP/all.json")" = \
  "$(sql "SELECT group_concat(s, ',') FROM (SELECT printf('52%09d', serial)
      AS s FROM cards WHERE status = 'spoiled' ORDER BY 1)")" ] ||
	fail "not the ledger's spoiled cards: $(cat "$TMP/all.json")"
ok "the spoilage log: 3 cards, counted by reason, each with its request and member"

uc printer report spoilage --request "$r2" --json >"$TMP/r2.json"
jq -e --arg an "$an_code" '.total == 1 and .cards[0].member_code == $an and
    (.by_reason | length) == 1' "$TMP/r2.json" >/dev/null ||
	fail "--request: $(cat "$TMP/r2.json")"
uc clerk report spoilage --json >"$TMP/clerk.json"
jq -e --arg r1 "$r1" '.total == 2 and all(.cards[]; .request == ($r1 | tonumber))' \
    "$TMP/clerk.json" >/dev/null || fail "TP01's clerk sees: $(cat "$TMP/clerk.json")"
uc clerkan report spoilage --request "$r1" --json >"$TMP/an.json"
jq -e '.total == 0 and .cards == [] and .by_reason == {}' "$TMP/an.json" \
    >/dev/null || fail "AN01's clerk sees TP01's cards: $(cat "$TMP/an.json")"
ok "narrowed to one request; each unit's clerk sees only its own cards"

uc printer report spoilage >"$TMP/all.txt" || fail "text report"
[ "$(sed -n 1p "$TMP/all.txt")" = "spoiled cards: 3" ] &&
    [ "$(sed -n 2p "$TMP/all.txt")" = "by reason:" ] ||
	fail "text head: $(cat "$TMP/all.txt")"
sed -n 3p "$TMP/all.txt" | grep -q '^      2  personalization failed at ' &&
    [ "$(sed -n 4p "$TMP/all.txt")" = "      1  dropped at the laminator" ] ||
	fail "text counts: $(cat "$TMP/all.txt")"
printf 'serial\trequest\tmember_code\tat\tby\treason\n' >"$TMP/head.want"
sed -n 6p "$TMP/all.txt" | cmp -s - "$TMP/head.want" ||
	fail "text table head: $(cat "$TMP/all.txt")"
grep -q "^$dropped	$r1	.*	printer	dropped at the laminator$" "$TMP/all.txt" ||
	fail "text row: $(cat "$TMP/all.txt")"
[ "$(wc -l <"$TMP/all.txt")" = 9 ] || fail "text lines: $(cat "$TMP/all.txt")"
uc clerkan report spoilage --request "$r1" >"$TMP/none.txt"
[ "$(cat "$TMP/none.txt")" = "spoiled cards: 0" ] ||
	fail "empty text: $(cat "$TMP/none.txt")"
uc printer report spoilage --help | grep -q "second \": \"" ||
	fail "report spoilage --help"
expect_fail 2 "$UC" --as printer report spoilage --request x
ok "text: the count, the counts by reason, one line per card; --help"
