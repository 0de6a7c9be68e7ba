#!/bin/sh
# bench_station_pcsc.sh - the issuance station end to end through the real
# PC/SC stack: a private pcscd with the vpcd driver (tests/e2e/pcscd-launch),
# a hopper of blank virtual cards behind it (`unioncard-vcard hopper
# --vpcd`), and `unioncard encode --reader pcsc:...` on an accepted request
# of N members against a ledger file.  Prints cards/hour and ms/card, then
# runs bench_station over the same reader for where the time goes.
#
# Usage: bench/bench_station_pcsc.sh [BUILD_DIR] [N]   (default build, 200)
# Run by hand; the figures go into docs/performance.md, never into tests.
set -eu
BUILD=$(cd "${1:-build}" && pwd)
N=${2:-200}
UC="${UC_BIN:-$BUILD/src/tools/unioncard}"
VC="$BUILD/src/tools/unioncard-vcard"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/uc-bench.XXXXXX")
export UNIONCARD_LEDGER="$TMP/ledger.db"
export UNIONCARD_PASSWORD="bench password"
export UNIONCARD_PASSPHRASE="bench passphrase"
export UNIONCARD_KDF_ITERATIONS=1000
fail() { echo "$*" >&2; exit 1; }
UC_BUILD_DIR=$BUILD
. "$(dirname "$0")/../tests/e2e/pcscd-lib.sh"
hopper_pid=
stop_all() {
	[ -n "$hopper_pid" ] && kill "$hopper_pid" 2>/dev/null && wait "$hopper_pid" 2>/dev/null
	[ -n "$pcscd_pid" ] && kill "$pcscd_pid" 2>/dev/null && wait "$pcscd_pid" 2>/dev/null
	rm -rf "$TMP"
}
trap stop_all EXIT
. "$(dirname "$0")/lib.sh"
bench_request "$N" "CĐCS Công ty May Tuy Phước"

pcscd_start
port=$VPCD_PORT
mkdir "$TMP/hopper"
"$VC" hopper "$TMP/hopper" --count "$N" --keys "$TMP/keys" >/dev/null
"$VC" hopper "$TMP/hopper" --count "$N" --keys "$TMP/keys" \
	--vpcd "127.0.0.1:$port" >"$TMP/hopper.log" 2>&1 &
hopper_pid=$!

t0=$(ms)
${BENCH_WRAP:-} "$UC" --as printer encode --request "$rid" --reader 'pcsc:Virtual PCD 00 00' \
	--keys "$TMP/keys" --wait 10 >"$TMP/enc.out" 2>&1 ||
	{ tail -n 5 "$TMP/enc.out"; exit 1; }
t1=$(ms)
tail -n 1 "$TMP/enc.out"
grep -q "$N encoded now" "$TMP/enc.out" || { echo "not all encoded"; exit 1; }
awk -v n="$N" -v t="$((t1 - t0))" 'BEGIN {
	printf "%d cards through pcscd + vpcd in %.2f s (keys, signer and ledger opened once)\n", n, t / 1000
	printf "  %.1f ms/card, %.1f cards/s, %.0f cards/hour (goal 100000)\n", t / n, n * 1000 / t, n * 3600000 / t
}'

# Where the time goes: the station library over the same reader, with its
# own timers (bench_station READER KEYS), on a second hopper of N blanks.
wait "$hopper_pid" 2>/dev/null || true
mkdir "$TMP/hopper2"
"$VC" hopper "$TMP/hopper2" --count "$N" --keys "$TMP/keys" >/dev/null
"$VC" hopper "$TMP/hopper2" --count "$N" --keys "$TMP/keys" \
	--vpcd "127.0.0.1:$port" >"$TMP/hopper2.log" 2>&1 &
hopper_pid=$!
"$BUILD/bench/bench_station" "$N" "$TMP" 'pcsc:Virtual PCD 00 00' "$TMP/keys"
