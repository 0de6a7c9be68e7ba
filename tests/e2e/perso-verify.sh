#!/bin/sh
# Personalization and verification end to end, through the real stack:
# our own pcscd with the vsmartcard-vpcd driver, `unioncard-vcard serve` as
# the card, and the command-line tools a station and a field officer run.
#
#   1. keys init, perso through pcscd, unioncard-verify says valid (exit 0)
#      with every check ok;
#   2. the locked card refuses any further write: a second perso (exit 2,
#      state file unchanged) and a raw STORE DATA from opensc-tool;
#   3. a bit flipped in a data object: invalid (exit 1), `hashes` failed;
#   4. no card: could not check (exit 2), saying what it waits for;
#      a blank, a terminated card and a mistyped member code: invalid
#      (exit 1) with `objects` named and every later check not run;
#      a card that would outlive its signer is refused by perso;
#   5. the same personalization with the document signer's key inside a
#      SoftHSM2 token, named by a PKCS#11 URI, then verified.
set -u

B=${UC_BUILD_DIR:?UC_BUILD_DIR not set}
S=${UC_SOURCE_DIR:?UC_SOURCE_DIR not set}
UC=$B/src/tools/unioncard
VC=$B/src/tools/unioncard-vcard
VERIFY=$B/src/tools/unioncard-verify

tmp=$(mktemp -d /tmp/uc-e2e-perso.XXXXXX) || exit 1
. "$(dirname "$0")/../e2e/pcscd-lib.sh"
pcscd_harness

export UNIONCARD_PASSPHRASE="e2e passphrase"
READER='pcsc:Virtual PCD 00 00'

pcscd_start
serve() { card_in "$@"; }
pull() { card_out; }

# 1. Keys, a blank card, personalization, verification.
"$UC" keys init --dir "$tmp/keys" --station station-01 >/dev/null ||
	fail "keys init"
"$VC" new "$tmp/card.json" --keys "$tmp/keys" >/dev/null || fail "vcard new"
serve "$tmp/card.json"
"$UC" perso --reader "$READER" --member "$S/docs/examples/member.json" \
	--keys "$tmp/keys" --trace "$tmp/perso.trace" >"$tmp/perso.out" 2>&1 ||
	fail "perso: $(cat "$tmp/perso.out")"
grep -q "card locked" "$tmp/perso.out" || fail "perso said: $(cat "$tmp/perso.out")"
echo "ok: perso through pcscd: $(head -n 1 "$tmp/perso.out")"

"$VERIFY" --reader "$READER" --trust "$tmp/keys/root.pem" --json \
	>"$tmp/v.json" 2>"$tmp/v.err"
rc=$?
[ "$rc" -eq 0 ] || fail "verify exit $rc: $(cat "$tmp/v.json" "$tmp/v.err")"
[ "$(jq -r .verdict "$tmp/v.json")" = valid ] || fail "verdict: $(cat "$tmp/v.json")"
for c in objects hashes signature chain active_auth expiry; do
	[ "$(jq -r --arg c "$c" '.checks[] | select(.name == $c) | .ok' \
	    "$tmp/v.json")" = true ] || fail "check $c: $(cat "$tmp/v.json")"
done
[ "$(jq -r .card.member_code "$tmp/v.json")" = 52000012345 ] ||
	fail "card member code: $(cat "$tmp/v.json")"
[ "$(jq -r .card.full_name "$tmp/v.json")" = "Nguyễn Văn An" ] ||
	fail "card name: $(cat "$tmp/v.json")"
echo "ok: unioncard-verify through pcscd: valid, every check ok"

# 2. The locked card refuses any further write.
before=$(sha256sum <"$tmp/card.json")
"$UC" perso --reader "$READER" --member "$S/docs/examples/member.json" \
	--keys "$tmp/keys" >"$tmp/again.out" 2>&1
rc=$?
[ "$rc" -eq 2 ] || fail "second perso exit $rc: $(cat "$tmp/again.out")"
grep -qi "personalized\|locked" "$tmp/again.out" ||
	fail "second perso said: $(cat "$tmp/again.out")"
[ "$(sha256sum <"$tmp/card.json")" = "$before" ] ||
	fail "second perso changed the card"
echo "ok: a second perso is refused: $(head -n 1 "$tmp/again.out")"
if command -v opensc-tool >/dev/null 2>&1; then
	n=$(opensc-tool -l 2>/dev/null | awk '/Virtual PCD 00 00/ { print $1; exit }')
	out=$(opensc-tool -r "$n" -s '00 A4 04 00 0B F0554E494F4E434152440100' \
	    -s '80 E2 88 00 05 00 E1 02 C0 00' 2>&1)
	echo "$out" | tail -n 1 | grep -q "SW1=0x90" &&
		fail "a raw STORE DATA was accepted: $out"
	echo "$out" | grep -Eq "SW1=0x6(8|9), SW2=0x8(2|5)" ||
		fail "raw STORE DATA: unexpected answer: $out"
	[ "$(sha256sum <"$tmp/card.json")" = "$before" ] ||
		fail "the raw STORE DATA changed the card"
	echo "ok: a raw STORE DATA from opensc-tool is refused"
fi
pull

# 3. One bit flipped in the identity object: invalid, hashes failed.
jq '.objects["E1"] |= (.[0:30] + (if .[30:31] == "4" then "5" else "4" end) + .[31:])' \
	"$tmp/card.json" >"$tmp/tampered.json" || fail "jq"
serve "$tmp/tampered.json"
"$VERIFY" --reader "$READER" --trust "$tmp/keys/root.pem" >"$tmp/t.out" 2>&1
rc=$?
[ "$rc" -eq 1 ] || fail "tampered card: exit $rc: $(cat "$tmp/t.out")"
grep -q "^INVALID: hashes failed" "$tmp/t.out" ||
	fail "tampered card: $(cat "$tmp/t.out")"
echo "ok: tampered card: $(grep '^INVALID' "$tmp/t.out")"
pull

# 4. No card in the reader: could not check, and it says what it waited
# for and how long (--wait).
"$VERIFY" --reader "$READER" --trust "$tmp/keys/root.pem" --wait 1 \
	>"$tmp/n.out" 2>"$tmp/n.err"
rc=$?
[ "$rc" -eq 2 ] || fail "no card: exit $rc: $(cat "$tmp/n.out" "$tmp/n.err")"
[ "$(cat "$tmp/n.out")" = "COULD NOT CHECK: no card was presented on $READER within 1 s — try again" ] ||
	fail "no card: stdout '$(cat "$tmp/n.out")'"
grep -q "insert or tap a member card on $READER (waiting up to 1 s, --wait)" \
	"$tmp/n.err" || fail "no card: stderr '$(cat "$tmp/n.err")'"
"$VERIFY" --reader "$READER" --trust "$tmp/keys/root.pem" --wait 0 --json \
	>"$tmp/n.json" 2>/dev/null
rc=$?
[ "$rc" -eq 2 ] || fail "no card --json: exit $rc"
jq -e '.verdict == "could_not_check" and (.reason | startswith("no card"))
    and .checks == []' "$tmp/n.json" >/dev/null ||
	fail "no card --json: $(cat "$tmp/n.json")"
echo "ok: no card: exit 2: $(cat "$tmp/n.out")"

# 4b. A blank card, a terminated one, a mistyped member code in E1: each
# INVALID with the check that really failed, the rest not run.
# check_one NAME STATE WANT_HEADLINE
check_one() {
	serve "$2"
	"$VERIFY" --reader "$READER" --trust "$tmp/keys/root.pem" \
		>"$tmp/$1.out" 2>&1
	rc=$?
	[ "$rc" -eq 1 ] || fail "$1: exit $rc: $(cat "$tmp/$1.out")"
	[ "$(grep '^INVALID' "$tmp/$1.out")" = "$3" ] ||
		fail "$1: headline: $(cat "$tmp/$1.out")"
	[ "$(grep -c '^  --    ' "$tmp/$1.out")" -eq 6 ] ||
		fail "$1: want 6 checks not run: $(cat "$tmp/$1.out")"
	grep -q "^  FAIL  active_auth" "$tmp/$1.out" &&
		fail "$1: active_auth reported as failed"
	pull
	serve "$2"
	"$VERIFY" --reader "$READER" --trust "$tmp/keys/root.pem" --json \
		>"$tmp/$1.json" 2>/dev/null
	rc=$?
	[ "$rc" -eq 1 ] || fail "$1 --json: exit $rc"
	jq -e '.verdict == "invalid" and .failed_check == "objects"
	    and ([.checks[] | select(.result == "not_run")] | length) == 6
	    and ([.checks[] | select(.result == "failed") | .name]
	         == ["objects"])' "$tmp/$1.json" >/dev/null ||
		fail "$1 --json: $(cat "$tmp/$1.json")"
	pull
	echo "ok: $1: exit 1: $3"
}
"$VC" new "$tmp/blank.json" --keys "$tmp/keys" >/dev/null || fail "vcard new"
check_one blank "$tmp/blank.json" \
	"INVALID: objects failed — the card is blank: it was never personalized"
jq '.lifecycle = "TERMINATED"' "$tmp/card.json" >"$tmp/terminated.json" ||
	fail "jq terminated"
check_one terminated "$tmp/terminated.json" \
	"INVALID: objects failed — the card has been terminated"
# E1/C0 is its first child: C0 0B and eleven digits; the last one is
# the check digit (docs/member-code.md): one digit off.
python3 - "$tmp/card.json" "$tmp/mistyped.json" <<'PY' || fail "mistype"
import json, sys
st = json.load(open(sys.argv[1]))
e1 = bytearray.fromhex(st["objects"]["E1"])
i = 0  # the state file keeps E1's contents: its children
assert e1[i] == 0xC0 and e1[i + 1] == 11, e1[:8].hex()
d = i + 2 + 10
e1[d] = ord("0") + (e1[d] - ord("0") + 1) % 10
st["objects"]["E1"] = e1.hex().upper()
json.dump(st, open(sys.argv[2], "w"))
PY
check_one mistyped "$tmp/mistyped.json" \
	"INVALID: objects failed — the card's data is malformed"

# 4c. A card that would outlive its signer is refused before any write:
# the signer's certificate ends in 8 years, this card in 20.
jq --arg e "$(( $(date -u +%Y) + 20 ))-01-10" '.expires_on = $e' \
	"$S/docs/examples/member.json" >"$tmp/long.json" || fail "jq long"
"$VC" new "$tmp/long-card.json" --keys "$tmp/keys" >/dev/null ||
	fail "vcard new"
serve "$tmp/long-card.json"
"$UC" perso --reader "$READER" --member "$tmp/long.json" \
	--keys "$tmp/keys" >"$tmp/long.out" 2>&1
rc=$?
[ "$rc" -eq 2 ] || fail "long card: exit $rc: $(cat "$tmp/long.out")"
grep -q "station-01 signer's certificate ends on .*, before a card expiring .*: refusing to sign what would outlive its signer" \
	"$tmp/long.out" || fail "long card: $(cat "$tmp/long.out")"
pull
[ "$(jq -r .lifecycle "$tmp/long-card.json")" = BLANK ] ||
	fail "long card: the blank was written"
echo "ok: a card outliving its signer is refused, the blank untouched"

# 5. The document signer's key in SoftHSM2, through a PKCS#11 URI.
module=${UNIONCARD_PKCS11_MODULE:-/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so}
if ! command -v softhsm2-util >/dev/null 2>&1 || [ ! -r "$module" ] ||
    ! command -v pkcs11-tool >/dev/null 2>&1; then
	echo "note: SoftHSM2 or pkcs11-tool missing: PKCS#11 perso not run"
	exit 0
fi
mkdir -p "$tmp/tokens"
printf 'directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n' \
	"$tmp/tokens" >"$tmp/softhsm2.conf"
export SOFTHSM2_CONF="$tmp/softhsm2.conf"
PIN=24681357
softhsm2-util --init-token --free --label uc-station --pin $PIN \
	--so-pin 13572468 >/dev/null || fail "softhsm2-util"
pkcs11-tool --module "$module" --token-label uc-station --login --pin $PIN \
	--keypairgen --key-type EC:prime256v1 --label dsign --id 01 \
	>/dev/null 2>&1 || fail "keypairgen"
pkcs11-tool --module "$module" --token-label uc-station --read-object \
	--type pubkey --id 01 -o "$tmp/pub.der" >/dev/null 2>&1 || fail "read pubkey"
openssl pkey -pubin -inform DER -in "$tmp/pub.der" -out "$tmp/pub.pem" ||
	fail "pubkey to PEM"
"$UC" keys signer --dir "$tmp/keys" --station hsm-01 --pubkey "$tmp/pub.pem" \
	--cert-der "$tmp/hsm-01.der" >/dev/null || fail "keys signer --pubkey"
pkcs11-tool --module "$module" --token-label uc-station --login --pin $PIN \
	--write-object "$tmp/hsm-01.der" --type cert --id 01 --label dsign \
	>/dev/null 2>&1 || fail "write cert"

"$VC" new "$tmp/card2.json" --keys "$tmp/keys" >/dev/null || fail "vcard new 2"
serve "$tmp/card2.json"
"$UC" perso --reader "$READER" --member "$S/docs/examples/member.json" \
	--keys "$tmp/keys" \
	--signer "pkcs11:token=uc-station;object=dsign;pin-value=$PIN;module-path=$module" \
	>"$tmp/p11.out" 2>&1 || fail "perso with PKCS#11 signer: $(cat "$tmp/p11.out")"
grep -q "hsm-01" "$tmp/p11.out" || fail "perso did not sign as hsm-01: $(cat "$tmp/p11.out")"
"$VERIFY" --reader "$READER" --trust "$tmp/keys/root.pem" --json >"$tmp/v2.json"
rc=$?
[ "$rc" -eq 0 ] && [ "$(jq -r .verdict "$tmp/v2.json")" = valid ] ||
	fail "PKCS#11-signed card: exit $rc: $(cat "$tmp/v2.json")"
[ "$(jq -r .card.station "$tmp/v2.json")" = hsm-01 ] ||
	fail "station: $(cat "$tmp/v2.json")"
echo "ok: a card signed inside SoftHSM2 (PKCS#11 URI) verifies, station hsm-01"
exit 0
