#!/bin/sh
# A key file whose secure-channel ENC key alone is wrong (its MAC key fits
# the cards, so the channel's cryptograms pass): the station must stop at
# the first card with a message naming the ENC key, spoil nothing and
# leave every card BLANK; run again with the right key file, it encodes
# every member, the first on the card the wrong run held.  Then the same
# through `unioncard perso`: the card stays BLANK and takes the right keys.
. "$(dirname "$0")/lib.sh"

station_setup 2

# The key file with one bit of its ENC master key flipped.
cp -a "$TMP/keys" "$TMP/badenc"
jq -c '.enc |= (.[0:31] + (if .[31:32] == "0" then "1" else "0" end))' \
    "$TMP/keys/scp-master.json" >"$TMP/enc.json"
cat "$TMP/enc.json" >"$TMP/badenc/scp-master.json"
[ "$(jq -r .mac "$TMP/badenc/scp-master.json")" = \
  "$(jq -r .mac "$TMP/keys/scp-master.json")" ] &&
[ "$(jq -r .enc "$TMP/badenc/scp-master.json")" != \
  "$(jq -r .enc "$TMP/keys/scp-master.json")" ] || fail "bad key file"

# lifecycle STATE: the card's lifecycle, from its state file
lifecycle() { jq -r .lifecycle "$1"; }

fresh_ledger
mkdir "$TMP/h"
cp "$TMP/blank/card-0001.json" "$TMP/blank/card-0002.json" "$TMP/h/"
set +e
"$UC" --as printer encode --request "$RID" --reader "vcard:$TMP/h" \
    --keys "$TMP/badenc" --wait 1 >"$TMP/enc.out" 2>&1
rc=$?
set -e
[ "$rc" != 0 ] || fail "wrong ENC key: the station succeeded: $(cat \
    "$TMP/enc.out")"
grep -q "ENC key does not match this card" "$TMP/enc.out" &&
    grep -q "nothing spoiled" "$TMP/enc.out" ||
	fail "wrong ENC key: the message: $(cat "$TMP/enc.out")"
! grep -q "SPOILED" "$TMP/enc.out" ||
	fail "wrong ENC key: a card was spoiled: $(cat "$TMP/enc.out")"
[ "$(sql "SELECT count(*) FROM cards WHERE status = 'spoiled'")" = 0 ] ||
	fail "wrong ENC key: the ledger spoiled a card"
for c in "$TMP/h"/card-*.json; do
	[ "$(lifecycle "$c")" = BLANK ] &&
	    [ "$(jq -c .objects "$c")" = "$(jq -c .objects \
	    "$TMP/blank/$(basename "$c")")" ] ||
		fail "wrong ENC key: $(basename "$c") was changed"
done
ok "a key file with a wrong ENC key: the run stops at the first card," \
    "nothing spoiled, every card still blank"

encode "$TMP/h"
[ "$rc" = 0 ] || fail "the right key file: exit $rc: $(cat "$TMP/enc.out")"
[ "$(grep -c "^\[.*\] encoded" "$TMP/enc.out")" = 2 ] ||
	fail "the right key file: $(cat "$TMP/enc.out")"
[ "$(lifecycle "$TMP/h/card-0001.json")" = PERSONALIZED ] ||
	fail "the first card was not the wrong run's"
check_invariants "after the wrong ENC key" "$TMP/h"
ok "then the right key file: both members encoded, the first on the same card"

# unioncard perso: the same card, wrong then right.
cp "$TMP/blank/card-0003.json" "$TMP/p.json"
member="$UC_SOURCE_DIR/docs/examples/member.json"
set +e
"$UC" perso --reader "vcard:$TMP/p.json" --member "$member" \
    --keys "$TMP/badenc" >"$TMP/perso.out" 2>&1
rc=$?
set -e
[ "$rc" != 0 ] && grep -q "ENC key does not match this card" \
    "$TMP/perso.out" || fail "perso, wrong ENC key: exit $rc: $(cat \
    "$TMP/perso.out")"
[ "$(lifecycle "$TMP/p.json")" = BLANK ] ||
	fail "perso, wrong ENC key: the card is $(lifecycle "$TMP/p.json")"
"$UC" perso --reader "vcard:$TMP/p.json" --member "$member" \
    --keys "$TMP/keys" >"$TMP/perso.out" 2>&1 ||
	fail "perso, right keys: $(cat "$TMP/perso.out")"
[ "$(lifecycle "$TMP/p.json")" = PERSONALIZED ] ||
	fail "perso, right keys: the card is $(lifecycle "$TMP/p.json")"
ok "unioncard perso: a wrong ENC key leaves the card blank, the right one writes it"
