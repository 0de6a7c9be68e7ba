#!/bin/sh
# A card pulled at every APDU of its personalization and read-back.
#
# A request of two members, A and B.  A clean run counts the APDUs N of
# A's card (its --trace, up to the first card's disconnect).  Then, for
# every k in 1..N and both tear modes (the card never sees APDU k / it
# processes APDU k but the answer is lost), on a fresh copy of the ledger:
#   1. the station runs on a hopper of two blank cards, A's card torn at
#      APDU k (UNIONCARD_VCARD_TEAR_AT): it must say the card was pulled
#      and then spoil its serial when the second card comes instead (or
#      eject the card untouched, torn before anything was written), go on
#      to the second card for A in the same run, then stop with exit
#      status 2 and a message when no card is left for B, never crash;
#   2. both cards are put back, a blank one joins them, and the station
#      runs again: B gets the torn card if it can still be written (or a
#      later one), and the run must finish (exit 0);
#   3. the ledger and the chips agree (lib.sh check_invariants): one live
#      card per member, on the chip the ledger names, every other card
#      spoiled with a reason, no other chip carrying a live serial, the
#      audit chain intact.
# k = N + 1 must leave A's card whole and tear B's first APDU instead:
# that proves N is the whole of one card.
# Then the torn card is put back at once (UNIONCARD_VCARD_TEAR_AT=k:MODE:back,
# an operator pushing a card pulled too early back in), for every k and
# both modes: the station must finish A on that same chip and spoil
# nothing (torn at the first SELECT, it is "ejected" untouched and,
# pushed back in, used for A all the same), B on the next.
# With UC_TEST_SAMPLE=1 (the sanitizer build) half the cases run, every
# k in one mode or the other (lib.sh cases).  The first argument is
# the request type: regular (default) or linked.
. "$(dirname "$0")/lib.sh"

station_setup 2

# hopper DIR N: the first N blank cards
hopper() {
	rm -rf "$1"
	mkdir "$1"
	i=1
	while [ "$i" -le "$2" ]; do
		cp "$TMP/blank/card-000$i.json" "$1/"
		i=$((i + 1))
	done
}

# The clean run: N APDUs for A's card, both members encoded.
fresh_ledger
hopper "$TMP/h" 2
uc printer encode --request "$RID" --reader "vcard:$TMP/h" \
	--keys "$TMP/keys" --wait 1 --trace "$TMP/clean.trace" \
	>"$TMP/enc.out" 2>&1 || fail "clean run: $(cat "$TMP/enc.out")"
n=$(sed '/^# disconnect/q' "$TMP/clean.trace" | grep -c '^> ')
[ "$n" -ge 6 ] || fail "clean run: only $n APDUs for the first card"
check_invariants "clean run" "$TMP/h"
ok "a clean run: two members, $n APDUs for the first card"

for mode in before after; do
	for k in $(cases $((n + 1)) "$mode"); do
		label="tear $mode APDU $k of $n"
		fresh_ledger
		hopper "$TMP/h" 2
		encode_injected UNIONCARD_VCARD_TEAR_AT "$k:$mode" "$TMP/h"
		[ "$rc" = 2 ] || fail "$label: the station exited $rc," \
		    "want 2: $(cat "$TMP/enc.out")"
		grep -q "no blank card" "$TMP/enc.out" &&
		    [ "$(grep -c "^\[.*\] encoded" "$TMP/enc.out")" = 1 ] ||
			fail "$label: A not encoded, or B not left" \
			    "waiting: $(cat "$TMP/enc.out")"
		# The second line of output: what became of A's first card.
		first=$(sed -n 2p "$TMP/enc.out")
		if [ "$k" -le "$n" ]; then
			echo "$first" | grep -q "SPOILED\|ejected\|PULLED" ||
				fail "$label: A's first card: $first"
			# pulled: its serial is spoiled when another card came
			serial=$(echo "$first" | sed -n 's/.*PULLED card \([0-9]*\) .*/\1/p')
			[ -z "$serial" ] || grep -q "SPOILED card $serial .*was taken out" \
			    "$TMP/enc.out" || fail "$label: the pulled card's" \
			    "serial was not spoiled: $(cat "$TMP/enc.out")"
		else
			echo "$first" | grep -q "^\[1/2\] encoded" ||
				fail "$label: A's first card was torn: $first"
		fi
		cp "$TMP/blank/card-0003.json" "$TMP/h/"
		rerun "$label" "$TMP/h" "$TMP/h"
	done
	ok "torn $mode each of the $n APDUs${UC_TEST_SAMPLE:+ (sampled)}: one live card each, the ledger true"
done

# The card put back at once: finished on the same chip, nothing spoiled.
code_a=$(uc printer request show "$RID" --json | jq -r '.lines[0].member_code')
for mode in before after; do
	for k in $(cases "$n" "$mode"); do
		label="tear $mode APDU $k of $n, the card put back"
		fresh_ledger
		hopper "$TMP/h" 3
		encode_injected UNIONCARD_VCARD_TEAR_AT "$k:$mode:back" "$TMP/h"
		[ "$rc" = 0 ] || fail "$label: the station exited $rc:" \
		    "$(cat "$TMP/enc.out")"
		grep -q "SPOILED" "$TMP/enc.out" &&
			fail "$label: a card was spoiled: $(cat "$TMP/enc.out")"
		a=$(uc printer card list --request "$RID" --json | jq -r \
		    --arg m "$code_a" '.[] | select(.member_code == $m and
		    .status == "encoded") | .serial')
		chip=$(uc printer card show "$a" | jq -r .chip_serial)
		if [ "$k" = 1 ]; then
			grep -q "ejected" "$TMP/enc.out" || fail "$label: the" \
			    "card torn at its SELECT was not ejected: $(cat "$TMP/enc.out")"
		else
			grep -q "PULLED card $a " "$TMP/enc.out" || fail \
			    "$label: no word of the pulled card: $(cat "$TMP/enc.out")"
		fi
		want=$(jq -r .serial "$TMP/h/card-0001.json")
		[ "$chip" = "$want" ] || fail "$label: A is on chip $chip," \
		    "not on the card put back, $want: $(cat "$TMP/enc.out")"
		check_invariants "$label" "$TMP/h"
	done
	ok "torn $mode each of the $n APDUs and put back${UC_TEST_SAMPLE:+ (sampled)}: finished on the same chip, nothing spoiled"
done
