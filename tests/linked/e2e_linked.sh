#!/bin/sh
# Linked cards end to end, through our own pcscd with the vsmartcard-vpcd
# driver and `unioncard-vcard serve` as the card:
#
#   1. an independent client, opensc-tool, walks the bank application as a
#      terminal does (PPSE, SELECT AID, GPO, READ RECORD) and reads back the
#      PAN the card was made with;
#   2. `unioncard perso` personalizes the linked card: it prints the last
#      four digits and the bank-link HMAC, and the PAN appears in none of
#      stdout, stderr, the trace file or any other file it wrote;
#   3. `unioncard-verify` says valid with bank_link ok;
#   4. the union applet's data moved onto a bank card with another PAN:
#      invalid, "union applet is not on the bank card it was issued with";
#   5. `unioncard-vcard hopper --linked` makes cards with distinct
#      Luhn-valid PANs.
set -u

B=${UC_BUILD_DIR:?UC_BUILD_DIR not set}
S=${UC_SOURCE_DIR:?UC_SOURCE_DIR not set}
UC=$B/src/tools/unioncard
VC=$B/src/tools/unioncard-vcard
VERIFY=$B/src/tools/unioncard-verify

PAN=9704151234567890
OTHER_PAN=9704159876543210
# The PAN as opensc-tool prints BCD bytes: "97 04 15 12 34 56 78 90".
PAN_SPACED=$(echo "$PAN" | sed 's/\(..\)/\1 /g; s/ $//')

command -v opensc-tool >/dev/null 2>&1 || { echo "SKIP: no opensc-tool"; exit 77; }

tmp=$(mktemp -d /tmp/uc-e2e-linked.XXXXXX) || exit 1
. "$(dirname "$0")/../e2e/pcscd-lib.sh"
pcscd_harness

export UNIONCARD_PASSPHRASE="e2e passphrase"
READER='pcsc:Virtual PCD 00 00'

pcscd_start
serve() { card_in "$@"; }
pull() { card_out; }

# 1. opensc-tool reads the PAN the card was made with.
"$UC" keys init --dir "$tmp/keys" --station station-01 >/dev/null ||
	fail "keys init"
"$VC" new "$tmp/card.json" --keys "$tmp/keys" --linked --pan "$PAN" \
	--expiry 3012 >/dev/null || fail "vcard new --linked"
serve "$tmp/card.json"
opensc_read_emv "$tmp/opensc.out"
grep -q "$PAN_SPACED" "$tmp/opensc.out" ||
	fail "opensc-tool did not read the PAN: $(cat "$tmp/opensc.out")"
[ "$(grep -c 'SW1=0x90, SW2=0x00' "$tmp/opensc.out")" -eq 4 ] ||
	fail "not four 90 00: $(cat "$tmp/opensc.out")"
# 57: PAN D YYMM: "97 04 15 12 34 56 78 90 D3 01 26 20".
grep -q "$PAN_SPACED D3 01 26 20" "$tmp/opensc.out" ||
	fail "track 2 not as specified: $(cat "$tmp/opensc.out")"
echo "ok: opensc-tool read the PAN through PPSE, SELECT, GPO, READ RECORD"

# 2. Personalization of the linked card: last four and HMAC, no PAN.
jq '.card_type = "linked"' "$S/docs/examples/member.json" \
	>"$tmp/member.json" || fail "jq member"
KEY=000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F
echo "$KEY" >"$tmp/bank.key"
mkdir "$tmp/out"
"$UC" perso --reader "$READER" --member "$tmp/member.json" \
	--keys "$tmp/keys" --bank-key "$tmp/bank.key" \
	--trace "$tmp/out/perso.trace" --json \
	>"$tmp/out/perso.json" 2>"$tmp/out/perso.err" ||
	fail "perso: $(cat "$tmp/out/perso.json" "$tmp/out/perso.err")"
[ "$(jq -r .pan_last4 "$tmp/out/perso.json")" = 7890 ] ||
	fail "last four: $(cat "$tmp/out/perso.json")"
want=$(printf %s "$PAN" | openssl dgst -sha256 -mac HMAC \
	-macopt "hexkey:$KEY" | sed 's/.*= //' | tr a-f A-F)
[ "$(jq -r .pan_hmac "$tmp/out/perso.json")" = "$want" ] ||
	fail "pan_hmac: $(cat "$tmp/out/perso.json"), want $want"
grep -q "> 00B2010C00" "$tmp/out/perso.trace" ||
	fail "the trace does not show the bank application being read"
# The text output too.
"$VC" new "$tmp/card-b.json" --keys "$tmp/keys" --linked --pan "$PAN" \
	>/dev/null || fail "vcard new b"
"$UC" perso --reader "vcard:$tmp/card-b.json" --member "$tmp/member.json" \
	--keys "$tmp/keys" --bank-key "$tmp/bank.key" \
	>"$tmp/out/perso-b.out" 2>"$tmp/out/perso-b.err" ||
	fail "perso b: $(cat "$tmp/out/perso-b.out" "$tmp/out/perso-b.err")"
grep -q "bound to the bank card ending 7890" "$tmp/out/perso-b.out" ||
	fail "perso text: $(cat "$tmp/out/perso-b.out")"
# The PAN the card must have: never on the command line, from a file or
# standard input.
"$VC" new "$tmp/card-c.json" --keys "$tmp/keys" --linked --pan "$PAN" \
	>/dev/null || fail "vcard new c"
if "$UC" perso --reader "vcard:$tmp/card-c.json" --member "$tmp/member.json" \
	--keys "$tmp/keys" --bank-key "$tmp/bank.key" --pan "$PAN" \
	>"$tmp/pan.out" 2>&1; then
	fail "perso took a PAN from the command line"
fi
grep -q "never taken on the command line.*--pan-file" "$tmp/pan.out" ||
	fail "perso --pan: $(cat "$tmp/pan.out")"
echo "$OTHER_PAN" | "$UC" perso --reader "vcard:$tmp/card-c.json" \
	--member "$tmp/member.json" --keys "$tmp/keys" \
	--bank-key "$tmp/bank.key" --pan-file - >"$tmp/pan.out" 2>&1 &&
	fail "perso wrote a card whose PAN is not the one given"
[ "$(jq -r .lifecycle "$tmp/card-c.json")" = BLANK ] ||
	fail "the card with another PAN was written"
echo "$PAN" >"$tmp/pan.txt"
"$UC" perso --reader "vcard:$tmp/card-c.json" --member "$tmp/member.json" \
	--keys "$tmp/keys" --bank-key "$tmp/bank.key" \
	--pan-file "$tmp/pan.txt" >"$tmp/pan.out" 2>&1 ||
	fail "perso --pan-file: $(cat "$tmp/pan.out")"
[ "$(jq -r .lifecycle "$tmp/card-c.json")" = PERSONALIZED ] ||
	fail "perso --pan-file: the card is not personalized"
echo "ok: perso refuses --pan DIGITS; --pan-file - and --pan-file FILE give" \
	"the PAN the card must have"
# Neither the digits nor their BCD bytes in any file the engine wrote.
for f in "$tmp"/out/*; do
	if grep -q "$PAN\|$PAN_SPACED\|3456789" "$f"; then
		fail "the PAN is in $f"
	fi
done
echo "ok: perso of a linked card: last four 7890 and the HMAC, no PAN in" \
	"stdout, stderr or the trace"

# 3. Verified: bank_link ok.
"$VERIFY" --reader "$READER" --trust "$tmp/keys/root.pem" --json \
	>"$tmp/v.json" 2>"$tmp/v.err"
rc=$?
[ "$rc" -eq 0 ] || fail "verify exit $rc: $(cat "$tmp/v.json" "$tmp/v.err")"
[ "$(jq -r '.checks[] | select(.name == "bank_link") | .ok' "$tmp/v.json")" \
    = true ] || fail "bank_link: $(cat "$tmp/v.json")"
[ "$(jq -r .card.card_type "$tmp/v.json")" = linked ] ||
	fail "card type: $(cat "$tmp/v.json")"
if grep -q "$PAN" "$tmp/v.json" "$tmp/v.err"; then
	fail "the verifier printed the PAN"
fi
echo "ok: unioncard-verify: valid, bank_link ok"
pull

# 4. The union applet moved onto another bank card.
jq --arg p "$OTHER_PAN" '.linked.pan = $p' "$tmp/card.json" \
	>"$tmp/moved.json" || fail "jq moved"
serve "$tmp/moved.json"
"$VERIFY" --reader "$READER" --trust "$tmp/keys/root.pem" \
	>"$tmp/m.out" 2>&1
rc=$?
[ "$rc" -eq 1 ] || fail "moved card: exit $rc: $(cat "$tmp/m.out")"
grep -q "^INVALID: bank_link failed .* union applet is not on the bank card it was issued with" \
	"$tmp/m.out" || fail "moved card: $(cat "$tmp/m.out")"
grep -q "ok    active_auth" "$tmp/m.out" ||
	fail "moved card: the chip should still prove its key: $(cat "$tmp/m.out")"
echo "ok: moved union data: $(grep '^INVALID' "$tmp/m.out")"
pull

# 5. A hopper of linked cards: distinct, Luhn-valid PANs.
"$VC" hopper "$tmp/hopper" --count 12 --linked >/dev/null ||
	fail "hopper --linked"
for f in "$tmp"/hopper/card-*.json; do
	jq -r .linked.pan "$f"
done >"$tmp/pans"
[ "$(sort -u "$tmp/pans" | wc -l)" -eq 12 ] ||
	fail "hopper PANs not distinct: $(cat "$tmp/pans")"
while read -r p; do
	# Luhn in awk.
	echo "$p" | awk '{ s = 0; n = length($0);
	    for (i = n; i >= 1; i--) { d = substr($0, i, 1) + 0;
	    if ((n - i) % 2 == 1) { d *= 2; if (d > 9) d -= 9 } s += d }
	    exit (s % 10 != 0) }' || fail "hopper PAN fails Luhn: $p"
done <"$tmp/pans"
echo "ok: hopper --linked: 12 distinct Luhn-valid PANs"
exit 0
