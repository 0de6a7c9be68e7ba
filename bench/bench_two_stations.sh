#!/bin/sh
# bench_two_stations.sh - one station against two on the same request: an
# accepted request of N members on a ledger file, blank virtual cards in
# in-process hoppers (vcard:DIR), `unioncard encode` run once alone and
# then twice at once (each with its own hopper of N blanks), each time on
# a fresh copy of the ledger.  The two stations keep off each other's
# members through their claims in the ledger (station-recovery.md); this
# prints the request's wall time and cards/hour both ways, and how often
# a station found a member the other one held.
#
# Usage: bench/bench_two_stations.sh [BUILD_DIR] [N]   (default build, 200)
# Run by hand; the figures go into docs/performance.md, never into tests.
set -eu
BUILD=$(cd "${1:-build}" && pwd)
N=${2:-200}
UC="$BUILD/src/tools/unioncard"
VC="$BUILD/src/tools/unioncard-vcard"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/uc-bench2.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
export UNIONCARD_LEDGER="$TMP/ledger.db"
export UNIONCARD_PASSWORD="bench password"
export UNIONCARD_PASSPHRASE="bench passphrase"
export UNIONCARD_KDF_ITERATIONS=1000
. "$(dirname "$0")/lib.sh"
bench_request "$N" "CĐCS Công ty May Tuy Phước"
cp "$UNIONCARD_LEDGER" "$TMP/base.db"
for h in one a b; do
	mkdir "$TMP/$h"
	"$VC" hopper "$TMP/$h" --count "$N" --keys "$TMP/keys" >/dev/null
done

encode() { # hopper output
	"$UC" --as printer encode --request "$rid" --reader "vcard:$TMP/$1" \
	    --keys "$TMP/keys" --wait 5 >"$TMP/$2" 2>&1
}
report() { # label ms
	awk -v l="$1" -v n="$N" -v t="$2" 'BEGIN {
	printf "%-14s %d cards in %.2f s: %.1f ms/card, %.0f cards/hour\n",
	    l, n, t / 1000, t / n, n * 3600000 / t }'
}

t0=$(ms)
encode one one.out || { tail -n 3 "$TMP/one.out"; exit 1; }
t1=$(ms)
report "one station" $((t1 - t0))

rm -f "$UNIONCARD_LEDGER" "$UNIONCARD_LEDGER-wal" "$UNIONCARD_LEDGER-shm"
cp "$TMP/base.db" "$UNIONCARD_LEDGER"
t0=$(ms)
encode a a.out & pa=$!
encode b b.out & pb=$!
wait "$pa" || { tail -n 3 "$TMP/a.out"; exit 1; }
wait "$pb" || { tail -n 3 "$TMP/b.out"; exit 1; }
t1=$(ms)
na=$(grep -c "\] encoded" "$TMP/a.out" || true)
nb=$(grep -c "\] encoded" "$TMP/b.out" || true)
[ $((na + nb)) -eq "$N" ] || { echo "encoded $na + $nb of $N"; exit 1; }
report "two stations" $((t1 - t0))
echo "  $na + $nb cards; $(cat "$TMP/a.out" "$TMP/b.out" |
    grep -c "another station is writing" || true) times a station found a member the other held"
