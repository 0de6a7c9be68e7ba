#!/bin/sh
# The station killed (SIGKILL) at every ledger step of a run.
#
# A request of two members; the hopper holds a dead card (its secure
# channel blocked), then blank cards, so a clean run writes the ledger S
# times: bind the first serial to the dead card, spoil it, reserve a
# new one, bind it, encoded, bind, encoded (S is counted from the audit
# trail, not assumed).  Then, for
# every N in 1..S, just before and just after the N-th write
# (UNIONCARD_TEST_KILL_AT), on a fresh copy of the ledger and the cards:
#   1. the station is killed there (exit status 137, nothing else);
#   2. the ledger file still opens and passes SQLite's integrity check;
#   3. the station runs again on the same hopper (the cards it already
#      used are fed again, as a card put back would be) with one more
#      blank card, and must finish;
#   4. the ledger and the cards agree (lib.sh check_invariants).
# N = S + 1 must not fire: that proves S is every write of the run.
# Then the kills before each write again, but every card the killed run
# had is taken away and the station runs again on new blank cards:
# whatever a lost card holds, no live serial may be on it.  (Before each
# write is enough here: the ledger is the same as after the write before,
# and the cards differ only by what was written in between, which
# "before" is the one to catch.)
# With UC_TEST_SAMPLE=1 (the sanitizer build) half the cases run, every
# N in one mode or the other (lib.sh cases).  The first argument is
# the request type: regular (default) or linked.
. "$(dirname "$0")/lib.sh"

station_setup 2

# hopper DIR: the dead card first, then two blank ones
hopper() {
	rm -rf "$1"
	mkdir "$1"
	cp "$TMP/dead.json" "$1/card-0001.json"
	cp "$TMP/blank/card-0001.json" "$1/card-0002.json"
	cp "$TMP/blank/card-0002.json" "$1/card-0003.json"
}

card_writes() {
	sql "SELECT count(*) FROM audit WHERE action LIKE 'card.%'"
}

# The clean run: S ledger writes.
fresh_ledger
hopper "$TMP/h"
before=$(card_writes)
encode "$TMP/h"
[ "$rc" = 0 ] || fail "clean run: $(cat "$TMP/enc.out")"
grep -q SPOILED "$TMP/enc.out" || fail "clean run: $(cat "$TMP/enc.out")"
steps=$(($(card_writes) - before))
[ "$steps" -ge 4 ] || fail "clean run: only $steps ledger writes"
check_invariants "clean run" "$TMP/h"
ok "a clean run: two members, one dead card, $steps ledger writes"

for mode in before after; do
	for k in $(cases $((steps + 1)) "$mode"); do
		label="kill $mode ledger write $k of $steps"
		fresh_ledger
		hopper "$TMP/h"
		encode_injected UNIONCARD_TEST_KILL_AT "$k:$mode" "$TMP/h"
		if [ "$k" -le "$steps" ]; then
			[ "$rc" = 137 ] || fail "$label: the station exited" \
			    "$rc, want 137 (SIGKILL): $(cat "$TMP/enc.out")"
		else
			[ "$rc" = 0 ] || fail "$label: no kill, yet exit $rc:" \
			    "$(cat "$TMP/enc.out")"
		fi
		[ "$(sql 'PRAGMA integrity_check')" = ok ] ||
			fail "$label: the ledger file is damaged"
		cp "$TMP/blank/card-0003.json" "$TMP/h/card-0004.json"
		rerun "$label" "$TMP/h" "$TMP/h"
	done
	ok "killed $mode each of the $steps ledger writes${UC_TEST_SAMPLE:+ (sampled)}: the ledger true"
done

# Every card of the killed run taken away; the second run has new cards.
for k in $(cases "$steps" before); do
	label="kill before ledger write $k of $steps, cards taken away"
	fresh_ledger
	hopper "$TMP/h"
	encode_injected UNIONCARD_TEST_KILL_AT "$k:before" "$TMP/h"
	[ "$rc" = 137 ] || fail "$label: the station exited $rc, want 137" \
	    "(SIGKILL): $(cat "$TMP/enc.out")"
	rm -rf "$TMP/h2"
	mkdir "$TMP/h2"
	cp "$TMP/blank/card-0003.json" "$TMP/blank/card-0004.json" "$TMP/h2/"
	rerun "$label" "$TMP/h2" "$TMP/h" "$TMP/h2"
done
ok "killed before each ledger write${UC_TEST_SAMPLE:+ (sampled)}, cards lost: the ledger true"
