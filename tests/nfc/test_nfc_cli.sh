#!/bin/sh
# The user's view of the contactless path: a card made by unioncard-vcard,
# put in an emulated PN532's field by unioncard-pn532emu, read with
# `unioncard card info --reader nfc:...` and listed by `unioncard readers`.
# Usage: test_nfc_cli.sh BUILD_DIR
set -eu

tools=$1/src/tools
. "$(dirname "$0")/lib.sh"

"$tools/unioncard-vcard" new "$dir/card.json" --serial 55430100000000AB \
	>"$dir/new.out" 2>&1 || fail "unioncard-vcard new"
emulator_start emu "$tools/unioncard-pn532emu" "$dir/card.json"
LIBNFC_AUTO_SCAN=false
LIBNFC_INTRUSIVE_SCAN=false
export LIBNFC_AUTO_SCAN LIBNFC_INTRUSIVE_SCAN

timeout 30 "$tools/unioncard" card info --reader "nfc:pn532_uart:$pts" \
	--json >"$dir/info.out" 2>&1 || fail "card info exited $?"
grep -q '"serial": "55430100000000AB"' "$dir/info.out" || fail "serial"
grep -q '"lifecycle": "blank"' "$dir/info.out" || fail "lifecycle"
grep -q "\"reader\": \"nfc:pn532_uart:$pts\"" "$dir/info.out" ||
	fail "reader name"

# "nfc:" alone is libnfc's default device (here: LIBNFC_DEVICE).
LIBNFC_DEVICE="pn532_uart:$pts" timeout 30 "$tools/unioncard" card info \
	--reader nfc: --json >"$dir/default.out" 2>&1 ||
	fail "card info on nfc: exited $?"
grep -q '"serial": "55430100000000AB"' "$dir/default.out" ||
	fail "serial through the default device"

# The libnfc device named by LIBNFC_DEVICE is listed, pcscd or not.
LIBNFC_DEVICE="pn532_uart:$pts" timeout 30 "$tools/unioncard" readers \
	>"$dir/readers.out" 2>&1 || fail "readers exited $?"
grep -q "^nfc:pn532_uart:$pts" "$dir/readers.out" || fail "readers list"

# No card in the field: card info says so and exits 2.
kill -USR1 "$pid"
sleep 0.2
set +e
timeout 30 "$tools/unioncard" card info --reader "nfc:pn532_uart:$pts" \
	>"$dir/nocard.out" 2>&1
rc=$?
set -e
[ $rc -eq 2 ] || fail "card info without a card exited $rc, not 2"

kill "$pid"
wait "$pid" || fail "emulator exited with status $?"
pid=
[ ! -e "$dir/pn532" ] || fail "emulator left its link behind"
echo "ok: unioncard card info and readers over nfc:pn532_uart:$pts"
