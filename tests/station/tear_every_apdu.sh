#!/bin/sh
# A card pulled at every APDU of its personalization and read-back.
#
# A clean run on a request of one member counts the APDUs N of one card
# (its --trace).  Then, for every k in 1..N and both tear modes (the card
# never sees APDU k / it processes APDU k but the answer is lost), on a
# fresh copy of the ledger:
#   1. the station runs with one blank card in the hopper, torn at APDU k
#      (UNIONCARD_VCARD_TEAR_AT): it must stop with exit status 2 and a
#      message (no blank card left), never crash;
#   2. the torn card stays in the hopper, a blank card joins it, and the
#      station runs again: it must finish (exit 0);
#   3. the ledger and the cards agree (lib.sh check_invariants): one live
#      card for the member, on the chip the ledger names, everything else
#      spoiled with a reason, no chip carrying a live serial but that one,
#      the audit chain intact.
# k = N + 1 must not tear at all: that proves N is the whole run.
# Then the same tears with a second blank card behind the first in the
# hopper: the station must go on to it in the same run (exit 0), and the
# torn card, whatever it holds, must not carry the member's live serial.
. "$(dirname "$0")/lib.sh"

station_setup 1

# The clean run: N APDUs, one encoded card.
fresh_ledger
mkdir "$TMP/h"
cp "$TMP/blank/card-0001.json" "$TMP/h/"
uc printer encode --request "$RID" --reader "vcard:$TMP/h" \
	--keys "$TMP/keys" --wait 1 --trace "$TMP/clean.trace" \
	>"$TMP/enc.out" 2>&1 || fail "clean run: $(cat "$TMP/enc.out")"
n=$(grep -c '^> ' "$TMP/clean.trace")
[ "$n" -ge 6 ] || fail "clean run: only $n APDUs"
check_invariants "clean run" "$TMP/h"
ok "a clean run: one card, $n APDUs (personalization and read-back)"

for mode in before after; do
	k=1
	while [ "$k" -le $((n + 1)) ]; do
		label="tear $mode APDU $k of $n"
		fresh_ledger
		rm -rf "$TMP/h"
		mkdir "$TMP/h"
		cp "$TMP/blank/card-0001.json" "$TMP/h/"
		UNIONCARD_VCARD_TEAR_AT="$k:$mode"
		export UNIONCARD_VCARD_TEAR_AT
		encode "$TMP/h"
		unset UNIONCARD_VCARD_TEAR_AT
		if [ "$k" -le "$n" ]; then
			[ "$rc" = 2 ] || fail "$label: the station exited $rc," \
			    "want 2: $(cat "$TMP/enc.out")"
			grep -q "no blank card" "$TMP/enc.out" ||
				fail "$label: $(cat "$TMP/enc.out")"
		else
			[ "$rc" = 0 ] || fail "$label: no tear, yet exit $rc:" \
			    "$(cat "$TMP/enc.out")"
		fi
		cp "$TMP/blank/card-0002.json" "$TMP/h/"
		encode "$TMP/h"
		[ "$rc" = 0 ] || fail "$label: the second run exited $rc:" \
		    "$(cat "$TMP/enc.out")"
		check_invariants "$label" "$TMP/h"
		k=$((k + 1))
	done
	ok "torn $mode each of the $n APDUs: one live card, the ledger true"
done

# The torn card leaves; the station goes on with the next in the same run.
for mode in before after; do
	k=1
	while [ "$k" -le "$n" ]; do
		label="tear $mode APDU $k of $n, next card"
		fresh_ledger
		rm -rf "$TMP/h"
		mkdir "$TMP/h"
		cp "$TMP/blank/card-0001.json" "$TMP/blank/card-0002.json" \
		    "$TMP/h/"
		UNIONCARD_VCARD_TEAR_AT="$k:$mode"
		export UNIONCARD_VCARD_TEAR_AT
		encode "$TMP/h"
		unset UNIONCARD_VCARD_TEAR_AT
		[ "$rc" = 0 ] || fail "$label: the station exited $rc:" \
		    "$(cat "$TMP/enc.out")"
		check_invariants "$label" "$TMP/h"
		k=$((k + 1))
	done
	ok "torn $mode each APDU, next card in the same run: the ledger true"
done
