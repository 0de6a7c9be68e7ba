#!/bin/sh
# A wrong master key costs no blank.  Blanks made for another issuer's
# keys (same key version, other keys), and a key directory of another key
# version: the station stops at the first card with a message naming the
# card's key version and the directory's, spoils nothing, leaves every
# card blank - also when run again; then the right keys encode every
# member, the first on the card the wrong runs held.  unioncard perso says
# the same.  Then, through the same stack: an unknown request says it
# does not exist (not "run again to resume"); on a terminal the progress
# line says which card the station waits for, also once the hopper is
# dry.  (A station waiting for a card holds no password or passphrase in
# its environment and dumps no core: e2e_pcsc.sh, where it can wait.)
. "$(dirname "$0")/lib.sh"

station_setup 2

lifecycle() { jq -r .lifecycle "$1"; }
spoiled() { sql "SELECT count(*) FROM cards WHERE status = 'spoiled'"; }

# refused_run KEYS WANT: the station on $TMP/h with KEYS stops, its
# message matching WANT, nothing spoiled, both cards still blank
refused_run() {
	set +e
	"$UC" --as printer encode --request "$RID" --reader "vcard:$TMP/h" \
	    --keys "$1" --wait 1 >"$TMP/enc.out" 2>&1
	rc=$?
	set -e
	[ "$rc" = 2 ] || fail "$1: exit $rc: $(cat "$TMP/enc.out")"
	grep -q "$2" "$TMP/enc.out" && grep -q "nothing spoiled" "$TMP/enc.out" ||
		fail "$1: the message: $(cat "$TMP/enc.out")"
	! grep -q SPOILED "$TMP/enc.out" ||
		fail "$1: a card was spoiled: $(cat "$TMP/enc.out")"
	[ "$(spoiled)" = 0 ] || fail "$1: the ledger spoiled a card"
	for c in "$TMP/h"/card-*.json; do
		[ "$(lifecycle "$c")" = BLANK ] ||
			fail "$1: $(basename "$c") is $(lifecycle "$c")"
	done
}

# 1. The hopper holds blanks of another issuer (key version 48 as ours).
fresh_ledger
mkdir "$TMP/h"
cp "$TMP/foreign.json" "$TMP/h/card-0001.json"
cp "$TMP/blank/card-0001.json" "$TMP/h/card-0002.json"
refused_run "$TMP/keys" "the card has key version 48 (0x30) and so has the key directory, but its master keys are not the card's"
refused_run "$TMP/keys" "key version 48 (0x30) and so has the key directory"
ok "blanks of another issuer: the run stops at the first card, naming the" \
    "key version, nothing spoiled, also on a second run"

# 2. A key directory of another key version (49) than the cards' (48).
cp -a "$TMP/keys" "$TMP/kvn49"
jq '.kvn = 49' "$TMP/keys/scp-master.json" >"$TMP/kvn.json"
cat "$TMP/kvn.json" >"$TMP/kvn49/scp-master.json"
rm "$TMP/h/card-0001.json"
cp "$TMP/blank/card-0003.json" "$TMP/h/card-0001.json"
refused_run "$TMP/kvn49" "the card has key version 48 (0x30), the key directory has 49 (0x31)"
ok "a key directory of another key version: stopped, both versions named"

# 3. The right keys: every member, the first on the card the wrong run had.
encode "$TMP/h"
[ "$rc" = 0 ] || fail "the right keys: exit $rc: $(cat "$TMP/enc.out")"
[ "$(grep -c "^\[.*\] encoded" "$TMP/enc.out")" = 2 ] ||
	fail "the right keys: $(cat "$TMP/enc.out")"
[ "$(lifecycle "$TMP/h/card-0001.json")" = PERSONALIZED ] ||
	fail "the first card was not the one the wrong run held"
check_invariants "after the wrong master keys" "$TMP/h"
ok "then the right keys: both members encoded, no blank lost"

# 4. unioncard perso on a foreign blank.
cp "$TMP/foreign.json" "$TMP/p.json"
set +e
"$UC" perso --reader "vcard:$TMP/p.json" \
    --member "$UC_SOURCE_DIR/docs/examples/member.json" --keys "$TMP/keys" \
    >"$TMP/perso.out" 2>&1
rc=$?
set -e
[ "$rc" = 2 ] && grep -q "the card has key version 48 (0x30)" "$TMP/perso.out" ||
	fail "perso: exit $rc: $(cat "$TMP/perso.out")"
[ "$(lifecycle "$TMP/p.json")" = BLANK ] || fail "perso wrote the foreign card"
ok "unioncard perso: the same message, the card left blank"

# 5. An unknown request.
set +e
"$UC" --as printer encode --request 99 --reader "vcard:$TMP/h" \
    --keys "$TMP/keys" --wait 1 >"$TMP/enc.out" 2>&1
rc=$?
set -e
[ "$rc" = 2 ] && grep -q "request 99 does not exist" "$TMP/enc.out" &&
    ! grep -q "resume" "$TMP/enc.out" ||
	fail "request 99: exit $rc: $(cat "$TMP/enc.out")"
ok "an unknown request: 'request 99 does not exist', no word of resuming"

# 6. On a terminal, a hopper with one card for two members: the line says
# whom the next card is for, and still says it when the hopper is dry.
fresh_ledger
rm -rf "$TMP/h1"
mkdir "$TMP/h1"
cp "$TMP/blank/card-0004.json" "$TMP/h1/card-0001.json"
set +e
env TERM=xterm COLUMNS=200 python3 "$UC_SOURCE_DIR/tests/ledger/tty_answer.py" \
    -- "$UC" --as printer encode --request "$RID" --reader "vcard:$TMP/h1" \
    --keys "$TMP/keys" --wait 1 >"$TMP/tty.out" 2>&1
rc=$?
set -e
tr '\r' '\n' <"$TMP/tty.out" | sed 's/\x1b\[K//g' >"$TMP/tty.lines"
second=$(sql "SELECT m.member_code || ' ' || m.full_name FROM request_lines rl
    JOIN members m ON m.id = rl.member_id WHERE rl.request_id = $RID
    ORDER BY rl.id LIMIT 1 OFFSET 1")
[ "$rc" = 2 ] || fail "a dry hopper: exit $rc: $(cat "$TMP/tty.lines")"
grep -q "^\[#\{15\}-\{15\}\] 1/2  1 encoded  0 spoiled  .* left  insert a blank card for $second (card [0-9]\{11\})$" \
    "$TMP/tty.lines" ||
	fail "the line while the hopper is dry: $(cat "$TMP/tty.lines")"
grep -q "no blank card came for $second" "$TMP/tty.lines" ||
	fail "the end of the wait: $(cat "$TMP/tty.lines")"
ok "on a terminal the progress line says 'insert a blank card for CODE" \
    "NAME (card SERIAL)', also when the hopper is dry"

