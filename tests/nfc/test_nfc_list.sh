#!/bin/sh
# Debian's nfc-list (libnfc 1.8.0, pn532_uart driver) against the PN532
# emulator on a pseudo-terminal: it must open the reader and list the
# ISO 14443-4 card with the test card's UID, SAK and ATS.
# Usage: test_nfc_list.sh TESTSERVE NFC-LIST
set -eu

serve=$1
nfclist=$2
. "$(dirname "$0")/lib.sh"

emulator_start serve "$serve"

# Only the emulated reader: no scan of this machine's USB or serial ports.
LIBNFC_DEVICE="pn532_uart:$pts"
LIBNFC_AUTO_SCAN=false
LIBNFC_INTRUSIVE_SCAN=false
export LIBNFC_DEVICE LIBNFC_AUTO_SCAN LIBNFC_INTRUSIVE_SCAN

# 1. ISO 14443A only.
timeout 30 "$nfclist" -t 1 >"$dir/list-a.out" 2>&1 ||
	fail "nfc-list -t 1 exited $?"
grep -q "opened" "$dir/list-a.out" || fail "reader not opened"
grep -q "1 ISO14443A passive target(s) found" "$dir/list-a.out" ||
	fail "no ISO14443A target"
grep -Eq "UID \(NFCID1\): 11 +22 +33 +44 +55 +66 +77 *$" "$dir/list-a.out" ||
	fail "wrong UID"
grep -Eq "ATQA \(SENS_RES\): 00 +44" "$dir/list-a.out" || fail "wrong ATQA"
grep -Eq "SAK \(SEL_RES\): 20" "$dir/list-a.out" || fail "wrong SAK"
grep -Eq "ATS: 78 +80 +70 +02 +55 +4e +49 +4f +4e +43 +41 +52 +44" \
	"$dir/list-a.out" || fail "wrong ATS"

# 2. Every modulation nfc-list knows (FeliCa, B, B', SRx, CTx, iClass,
#    Jewel, Barcode): the emulator must answer each probe sensibly and
#    still report exactly the one type A card.
timeout 60 "$nfclist" >"$dir/list-all.out" 2>&1 ||
	fail "nfc-list (all types) exited $?"
[ "$(grep -c "UID (NFCID1)" "$dir/list-all.out")" -eq 1 ] ||
	fail "expected exactly one target over all modulations"
grep -q "passive target(s) found" "$dir/list-all.out" || fail "no targets"
if grep -Eq "ISO14443B|Felica|Jewel|Barcode|iClass" "$dir/list-all.out"; then
	fail "phantom targets of other types"
fi

# 3. Card taken out of the field (SIGUSR1): the reader opens, no target.
kill -USR1 "$pid"
sleep 0.3
timeout 30 "$nfclist" -t 1 >"$dir/list-none.out" 2>&1 ||
	fail "nfc-list with no card exited $?"
grep -q "opened" "$dir/list-none.out" || fail "reader not opened (no card)"
if grep -q "UID" "$dir/list-none.out"; then
	fail "a target listed although the card was removed"
fi

kill "$pid"
wait "$pid" || fail "emulator exited with status $?"
pid=
echo "ok: nfc-list on $pts"
