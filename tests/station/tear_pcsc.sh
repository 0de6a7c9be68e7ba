#!/bin/sh
# A card torn through the real PC/SC stack (our own pcscd with the vpcd
# driver), at a few APDUs of its personalization and read-back: the first
# (SELECT), one in the secure channel, the last one that writes, the last
# of the read-back; both before the card sees the APDU and after.  The
# card is `unioncard-vcard serve --tear-at K`, which closes its connection
# (pcscd sees the card pulled) and exits 3; once the station waits for the
# next card, a blank one is inserted, and the station must go on to it
# and finish.  The
# ledger and the chips must then agree (lib.sh check_invariants).  The
# in-process reader does every APDU (tear_every_apdu.sh); this is the same
# on the stack a card printer's encoder sits behind.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../e2e/pcscd-lib.sh"
card_pid=
stop_all() {
	[ -n "$card_pid" ] && kill "$card_pid" 2>/dev/null &&
		wait "$card_pid" 2>/dev/null
	[ -n "$pcscd_pid" ] && kill "$pcscd_pid" 2>/dev/null &&
		wait "$pcscd_pid" 2>/dev/null
	rm -rf "$TMP"
}
trap stop_all EXIT

station_setup 1

pcscd_start
port=$VPCD_PORT

# The APDUs of one card on the in-process reader: the same sequence.
fresh_ledger
mkdir "$TMP/h"
cp "$TMP/blank/card-0001.json" "$TMP/h/"
uc printer encode --request "$RID" --reader "vcard:$TMP/h" \
	--keys "$TMP/keys" --wait 1 --trace "$TMP/clean.trace" \
	>"$TMP/enc.out" 2>&1 || fail "clean run: $(cat "$TMP/enc.out")"
n=$(grep -c '^> ' "$TMP/clean.trace")
last_write=$(grep '^> ' "$TMP/clean.trace" | grep -n '^> 84F0' | cut -d: -f1)
[ -n "$last_write" ] || fail "no SET STATUS in the clean run"

for mode in before after; do
	for k in 1 3 "$last_write" "$n"; do
		label="pcsc: tear $mode APDU $k of $n"
		fresh_ledger
		rm -rf "$TMP/h"
		mkdir "$TMP/h"
		cp "$TMP/blank/card-0001.json" "$TMP/blank/card-0002.json" \
		    "$TMP/h/"
		"$VC" serve "$TMP/h/card-0001.json" --vpcd "127.0.0.1:$port" \
		    --tear-at "$k" --tear-mode "$mode" >"$TMP/card1.log" 2>&1 &
		card_pid=$!
		"$UC" --as printer encode --request "$RID" \
		    --reader 'pcsc:Virtual PCD 00 00' --keys "$TMP/keys" \
		    --wait 20 >"$TMP/enc.out" 2>&1 &
		enc_pid=$!
		set +e
		wait "$card_pid"
		rc=$?
		set -e
		card_pid=
		[ "$rc" = 3 ] || fail "$label: the card exited $rc, not torn:" \
		    "$(cat "$TMP/card1.log")"
		# The next card only once the station has seen this one go
		# and waits again: a card swapped faster than the reader
		# polls looks like the same card left in.
		i=0
		until [ "$(grep -c "insert a blank card" "$TMP/enc.out")" -ge 2 ]
		do
			kill -0 "$enc_pid" 2>/dev/null ||
				fail "$label: the station ended: $(cat \
				    "$TMP/enc.out")"
			i=$((i + 1))
			[ "$i" -lt 200 ] || fail "$label: the station does not" \
			    "wait for the next card: $(cat "$TMP/enc.out")"
			sleep 0.1
		done
		"$VC" serve "$TMP/h/card-0002.json" --vpcd "127.0.0.1:$port" \
		    --once >"$TMP/card2.log" 2>&1 &
		card_pid=$!
		set +e
		wait "$enc_pid"
		rc=$?
		set -e
		[ "$rc" = 0 ] || fail "$label: the station exited $rc:" \
		    "$(cat "$TMP/enc.out")"
		grep -q "SPOILED\|ejected" "$TMP/enc.out" ||
			fail "$label: the torn card: $(cat "$TMP/enc.out")"
		set +e
		wait "$card_pid"
		set -e
		card_pid=
		check_invariants "$label" "$TMP/h"
	done
	ok "through pcscd, torn $mode APDUs 1, 3, $last_write, $n of $n:" \
	    "the station goes on to the next card, the ledger true"
done
