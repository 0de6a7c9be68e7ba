#!/bin/sh
# Stations on two hosts (containers) sharing one ledger: a station's claim
# on a line (the chip it bound the line's serial to, "HOST/PID", when) keeps
# another host's station off that line while the claim's lease runs, and only
# then is the serial spoiled and the member given a new card.
#
#   1. host-a binds member 1's serial to its chip and dies (SIGKILL just
#      after that ledger write), the card untouched;
#   2. host-b, with a day's lease, leaves member 1 to host-a (without
#      taking a card for it), encodes member 2, and keeps coming back to
#      member 1 until it is stopped: nothing of member 1 changes;
#   3. host-b again, with a one-second lease that has run out: member 1's
#      old serial is spoiled (naming host-a's claim) and member 1 gets a
#      new card.  The ledger and every chip agree at the end.
. "$(dirname "$0")/lib.sh"

station_setup 2
mkdir "$TMP/a" "$TMP/b"
cp "$TMP/blank/card-0001.json" "$TMP/a/"
cp "$TMP/blank/card-0002.json" "$TMP/blank/card-0003.json" \
    "$TMP/blank/card-0004.json" "$TMP/b/"
m1=$(uc printer request show "$RID" --json | jq -r '.lines[0].member_code')
m2=$(uc printer request show "$RID" --json | jq -r '.lines[1].member_code')
s1=$(uc printer card list --request "$RID" --json |
    jq -r --arg m "$m1" '.[] | select(.member_code == $m) | .serial')
[ -n "$s1" ] || fail "no serial reserved for $m1"

# 1. host-a: killed right after binding member 1's serial (ledger write 1)
set +e
UNIONCARD_TEST_KILL_AT=1:after "$UC" --as printer encode --request "$RID" \
    --reader "vcard:$TMP/a" --keys "$TMP/keys" --wait 1 --host host-a \
    >"$TMP/a.out" 2>&1
rc=$?
set -e
[ "$rc" = 137 ] || fail "host-a: exit $rc, wanted SIGKILL: $(cat "$TMP/a.out")"
chip_a=$(jq -r .serial "$TMP/a/card-0001.json")
uc printer card show "$s1" >"$TMP/s1.json"
[ "$(jq -r .chip_serial "$TMP/s1.json")" = "$chip_a" ] &&
    jq -r .bound_by "$TMP/s1.json" | grep -q "^host-a/[0-9][0-9]*$" ||
	fail "member 1's serial is not bound to host-a's chip under its" \
	    "claim: $(cat "$TMP/s1.json")"
[ "$(jq -r .lifecycle "$TMP/a/card-0001.json")" = BLANK ] ||
	fail "host-a wrote its card before it died"
ok "host-a died holding member 1's line (chip $chip_a)"

# 2. host-b while host-a's claim is live: member 2 only, until stopped
"$UC" --as printer encode --request "$RID" --reader "vcard:$TMP/b" \
    --keys "$TMP/keys" --wait 1 --host host-b --lease 86400 \
    >"$TMP/b1.out" 2>&1 &
pb=$!
i=0
until grep -q "encoded card .* for $m2" "$TMP/b1.out"; do
	i=$((i + 1))
	[ "$i" -lt 600 ] || { kill -KILL "$pb"; fail "host-b did not encode \
member 2: $(cat "$TMP/b1.out")"; }
	kill -0 "$pb" 2>/dev/null || fail "host-b ended: $(cat "$TMP/b1.out")"
	sleep 0.1
done
sleep 1 # it is looking at member 1's line again and again now
kill -0 "$pb" 2>/dev/null || fail "host-b did not wait for member 1: \
$(cat "$TMP/b1.out")"
kill -INT "$pb"
set +e
wait "$pb"
rc=$?
set -e
[ "$rc" = 2 ] || fail "host-b stopped with $rc, wanted 2: $(cat "$TMP/b1.out")"
grep -q "$m1 .*another station is writing this member's card" \
    "$TMP/b1.out" || fail "no word of member 1 left to host-a: \
$(cat "$TMP/b1.out")"
grep -q "SPOILED" "$TMP/b1.out" && fail "host-b spoiled a card under a \
live claim: $(cat "$TMP/b1.out")"
[ "$(uc printer card show "$s1" | jq -r '.status + " " + .chip_serial')" = \
    "reserved $chip_a" ] || fail "member 1's serial changed under host-a's \
claim: $(uc printer card show "$s1")"
ok "host-b left member 1 to host-a's live claim and encoded member 2"

# 3. host-b after the lease: host-a's serial spoiled, member 1 encoded anew
sleep 2
"$UC" --as printer encode --request "$RID" --reader "vcard:$TMP/b" \
    --keys "$TMP/keys" --wait 1 --host host-b --lease 1 \
    >"$TMP/b2.out" 2>&1 || fail "host-b, second run: $(cat "$TMP/b2.out")"
grep -q "SPOILED card $s1 for $m1: .*host-a/" "$TMP/b2.out" ||
	fail "host-a's serial not spoiled by name: $(cat "$TMP/b2.out")"
[ "$(uc printer card show "$s1" | jq -r .status)" = spoiled ] ||
	fail "serial $s1 is not spoiled"
uc printer card list --request "$RID" --json >"$TMP/c.json"
[ "$(jq --arg m "$m1" '[.[] | select(.member_code == $m and
    .status == "encoded")] | length' "$TMP/c.json")" = 1 ] ||
	fail "member 1 has no new card: $(cat "$TMP/c.json")"
check_invariants "two hosts" "$TMP/a" "$TMP/b"
ok "after the lease, host-a's serial was spoiled and member 1 got a new card"
