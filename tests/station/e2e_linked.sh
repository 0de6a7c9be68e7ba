#!/bin/sh
# A linked request encoded by the station through the real PC/SC stack:
# our own pcscd with the vpcd driver and a printer's hopper of linked
# virtual cards (each a bank card with its own Luhn-valid PAN).
#   1. 6 members encoded in one run; each card verifies, bank_link included;
#   2. the ledger keeps, per card, HMAC-SHA256(bank-link key, PAN) and the
#      last four digits - and the PAN itself nowhere: not in the ledger
#      file, its WAL, the APDU trace, the station's output or the audit;
#   3. opensc-tool, an independent client, reads the payment application
#      of an encoded card and gets the PAN the card was made with;
#   4. a regular (not linked) blank card fed into a linked run is spoiled
#      with the reason, and a linked run without the bank-link key is
#      refused before any card is touched;
#   5. a linked card written but never recorded (the run stopped between)
#      is recovered on the next run, its PAN binding read again;
#   6. the bank's file of those cards reconciles to nothing: the station and
#      the bank file hash PANs alike; a swapped bank card is a pan_mismatch.
. "$(dirname "$0")/../ledger/lib.sh"
. "$(dirname "$0")/../e2e/pcscd-lib.sh"
VC="$UC_BUILD_DIR/src/tools/unioncard-vcard"
VERIFY="$UC_BUILD_DIR/src/tools/unioncard-verify"
READER=$PCSC_READER
export UNIONCARD_PASSPHRASE="station passphrase"
hopper_pid=
stop_all() {
	[ -z "$hopper_pid" ] || { kill "$hopper_pid" 2>/dev/null || true; }
	pcscd_stop_all
	rm -rf "$TMP"
}
trap stop_all EXIT
command -v opensc-tool >/dev/null 2>&1 || { echo "SKIP: no opensc-tool"; exit 77; }

"$UC" init --province 52 --name "LĐLĐ tỉnh Bình Định" --admin admin >/dev/null
uc admin unit add TP --name "LĐLĐ huyện Tuy Phước" --parent 52
uc admin unit add TP01 --name "CĐCS Công ty May Tuy Phước" --parent TP
uc admin account add clerk --unit TP01 --role clerk --password-file "$PWFILE"
uc admin account add approver --unit TP --role approver --password-file "$PWFILE"
uc admin account add printer --unit 52 --role printer --password-file "$PWFILE"
cat >"$TMP/m.csv" <<'CSV'
full_name,date_of_birth,gender,national_id,position,joined_on,mandatory
Huỳnh Lê Diễm Tuyết,1990-01-01,nữ,052190000001,Công nhân,2015-01-15,1
Đặng Văn Đức,1988-02-02,nam,052088000002,Tổ trưởng,2014-03-01,1
Trần Thị Lan,1992-03-03,nữ,052192000003,Công nhân,2016-05-20,0
Lê Minh Quân,1991-04-04,nam,052091000004,Kế toán,2017-07-07,0
Phạm Thị Yến,1993-05-05,nữ,052193000005,Công nhân,2018-09-09,1
Võ Văn Sơn,1989-06-06,nam,052089000006,Bảo vệ,2013-11-11,0
CSV
uc clerk member import "$TMP/m.csv" --unit TP01 >/dev/null
uc clerk member submit --unit TP01 >/dev/null
uc approver member approve --unit TP01 --all >/dev/null
rid=$(uc clerk request create --unit TP01 --type linked --all-approved)
uc clerk request submit "$rid"
uc approver request approve "$rid"
uc printer request accept "$rid"
"$UC" keys init --dir "$TMP/keys" >/dev/null || fail "keys init"
[ -f "$TMP/keys/bank-link.key" ] || fail "keys init made no bank-link key"
[ "$(stat -c %a "$TMP/keys/bank-link.key")" = 600 ] || fail "bank-link.key mode"
grep -Eqx '[0-9A-Fa-f]{64}' "$TMP/keys/bank-link.key" || fail "bank-link.key: not 32 bytes hex"
cp "$TMP/keys/bank-link.key" "$TMP/bl.before"
expect_fail 2 "$UC" keys bank-link --dir "$TMP/keys"
grep -q "never replaced" "$TMP/err" || fail "keys bank-link: $(cat "$TMP/err")"
cmp -s "$TMP/keys/bank-link.key" "$TMP/bl.before" || fail "the bank-link key changed"
ok "keys init makes a bank-link key that keys bank-link never replaces"

# 4b. Without the bank-link key the linked request is refused up front.
mkdir "$TMP/nokey"
cp -r "$TMP/keys/." "$TMP/nokey/"
rm "$TMP/nokey/bank-link.key"
mkdir "$TMP/untouched"
"$VC" hopper "$TMP/untouched" --count 1 --keys "$TMP/keys" --linked >/dev/null
expect_fail 2 "$UC" --as printer encode --request "$rid" \
	--reader "vcard:$TMP/untouched" --keys "$TMP/nokey" --wait 2
grep -q "bank-link key" "$TMP/err" || fail "refusal: $(cat "$TMP/err")"
# (accepting the request reserved one serial per line; none moved on)
uc printer card list --request "$rid" --json >"$TMP/c0.json"
[ "$(jq '[.[] | select(.status != "reserved")] | length' "$TMP/c0.json")" = 0 ] ||
	fail "a card was written without the key: $(cat "$TMP/c0.json")"
"$VC" show "$TMP/untouched/card-0001.json" --json >"$TMP/u.json"
[ "$(jq -r '.lifecycle + " " + (.scp_sequence | tostring)' "$TMP/u.json")" = "BLANK 0" ] ||
	fail "the card was touched: $(cat "$TMP/u.json")"
ok "a linked request without the bank-link key is refused before any card"

pcscd_start

# The hopper: a regular blank first (the wrong stock), then 6 linked
# (the hopper keeps cards already in its directory).
mkdir "$TMP/hopper"
"$VC" new "$TMP/hopper/card-0001.json" --keys "$TMP/keys" >/dev/null
"$VC" hopper "$TMP/hopper" --count 7 --keys "$TMP/keys" --linked >/dev/null
for f in "$TMP"/hopper/card-*.json; do
	"$VC" show "$f" --json | jq -r '.linked.pan // empty'
done >"$TMP/pans"
[ "$(sort -u "$TMP/pans" | wc -l)" -eq 6 ] || fail "pans: $(cat "$TMP/pans")"
"$VC" hopper "$TMP/hopper" --count 7 --vpcd "127.0.0.1:$VPCD_PORT" \
	>"$TMP/hopper.log" 2>&1 &
hopper_pid=$!

uc printer encode --request "$rid" --reader "pcsc:$READER" \
	--keys "$TMP/keys" --wait 10 --trace "$TMP/trace.txt" >"$TMP/enc.out" 2>&1 ||
	fail "encode: $(tail -n 5 "$TMP/enc.out")"
grep -q "6 encoded now" "$TMP/enc.out" || fail "encode: $(tail -n 3 "$TMP/enc.out")"
grep -q "1 spoiled" "$TMP/enc.out" || fail "the regular card: $(cat "$TMP/enc.out")"
kill "$hopper_pid" 2>/dev/null || true; wait "$hopper_pid" 2>/dev/null || true
hopper_pid=
uc printer card list --request "$rid" --json >"$TMP/c.json"
[ "$(jq '[.[] | select(.status == "encoded")] | length' "$TMP/c.json")" = 6 ] ||
	fail "6 encoded: $(cat "$TMP/c.json")"
[ "$(jq '[.[] | select(.status == "spoiled")] | length' "$TMP/c.json")" = 1 ] ||
	fail "1 spoiled: $(cat "$TMP/c.json")"
ok "a linked request of 6 encoded through pcscd; a regular blank spoiled"

# 1./2. Each card verifies (bank_link too) and the ledger holds its PAN
# as HMAC + last four.
key=$(tr -d '\n' <"$TMP/keys/bank-link.key")
n=0
for f in "$TMP"/hopper/card-000[2-7].json; do
	"$VERIFY" --reader "vcard:$f" --trust "$TMP/keys/root.pem" --json \
		>"$TMP/v.json" 2>&1 || fail "$f does not verify: $(cat "$TMP/v.json")"
	[ "$(jq -r '.checks[] | select(.name == "bank_link") | .ok' "$TMP/v.json")" = true ] ||
		fail "no bank_link check: $(cat "$TMP/v.json")"
	pan=$("$VC" show "$f" --json | jq -r .linked.pan)
	case "$pan" in [0-9]*) ;; *) fail "no PAN from $f" ;; esac
	code=$(jq -r .card.member_code "$TMP/v.json")
	want=$(printf %s "$pan" | openssl dgst -sha256 -mac HMAC \
		-macopt "hexkey:$key" -r | cut -d' ' -f1)
	got=$(sqlite3 "$TMP/ledger.db" "SELECT lower(hex(c.pan_hmac)) || ' ' ||
		c.pan_last4 FROM cards c JOIN members m ON m.id = c.member_id
		WHERE m.member_code = '$code' AND c.status = 'encoded'")
	[ "$got" = "$want $(printf %s "$pan" | tail -c 4)" ] ||
		fail "$code: ledger has '$got', want HMAC $want and last four"
	n=$((n + 1))
done
[ "$n" = 6 ] || fail "$n cards"
ok "every card verifies with bank_link; the ledger has HMAC + last four"

uc admin audit export --csv >"$TMP/audit.csv"
sqlite3 "$TMP/ledger.db" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
while read -r pan; do
	for f in "$TMP"/ledger.db* "$TMP/trace.txt" "$TMP/enc.out" \
	    "$TMP/audit.csv" "$TMP/c.json"; do
		[ -f "$f" ] || continue
		if grep -aq "$pan" "$f"; then
			fail "a PAN is in $f"
		fi
	done
	# the trace shows APDU bytes in hex: the PAN's BCD digits, spaced
	# or not
	spaced=$(echo "$pan" | sed 's/\(..\)/\1 /g; s/ $//')
	if grep -qi "$spaced" "$TMP/trace.txt"; then fail "PAN in the trace"; fi
done <"$TMP/pans"
[ "$(grep -c 'card.pan' "$TMP/audit.csv")" = 6 ] ||
	fail "6 card.pan audit rows: $(grep card.pan "$TMP/audit.csv")"
ok "no PAN in the ledger, its WAL, the trace, the output or the audit"

# 3. An independent read of one encoded card's payment application.
f="$TMP/hopper/card-0003.json"
pan=$("$VC" show "$f" --json | jq -r .linked.pan)
case "$pan" in [0-9]*) ;; *) fail "no PAN from $f" ;; esac
card_in "$f"
opensc_read_emv "$TMP/opensc.out"
spaced=$(echo "$pan" | sed 's/\(..\)/\1 /g; s/ $//')
grep -q "$spaced" "$TMP/opensc.out" ||
	fail "opensc-tool did not read PAN ${pan%????}...: $(cat "$TMP/opensc.out")"
ok "opensc-tool reads the PAN an encoded card was made with"

uc admin audit verify >/dev/null || fail "audit verify"
ok "the audit chain holds"
[ "$(uc printer card list --request "$rid" --json |
	jq '[.[] | select(.status == "encoded" and (.pan_last4 | test("^[0-9]{4}$")))] | length')" = 6 ] ||
	fail "card list: no last four"
ok "card list shows each linked card's last four digits"

# 5. A linked card written for its reserved serial whose run stopped
#    before the ledger heard of it (`unioncard perso` plays that run): the
#    next run recognises it, reads the PAN again and records its binding.
cat >"$TMP/m7.csv" <<'CSV'
full_name,date_of_birth,gender,national_id,position,joined_on,mandatory
Ngô Thị Bích,1994-07-07,nữ,052194000007,Công nhân,2019-01-02,1
CSV
uc clerk member import "$TMP/m7.csv" --unit TP01 >/dev/null
uc clerk member submit --unit TP01 >/dev/null
uc approver member approve --unit TP01 --all >/dev/null
code7=$(uc printer member show 052194000007 | jq -r .member_code)
r2=$(uc clerk request create --unit TP01 --type linked --members "$code7")
uc clerk request submit "$r2"
uc approver request approve "$r2"
uc printer request accept "$r2"
reserved=$(uc printer card list --request "$r2" --json | jq -r '.[0].serial')
cat >"$TMP/m7.json" <<JSON
{"member_code": "$code7", "full_name": "Ngô Thị Bích", "unit_code": "TP01",
 "unit_name": "CĐCS Công ty May Tuy Phước", "card_type": "linked",
 "issued_on": "$(date +%Y-%m-%d)", "expires_on": "$(( $(date +%Y) + 5 ))-01-01",
 "card_serial": "$reserved"}
JSON
mkdir "$TMP/hopper5"
"$VC" hopper "$TMP/hopper5" --count 1 --keys "$TMP/keys" --linked >/dev/null
"$UC" perso --reader "vcard:$TMP/hopper5/card-0001.json" --member "$TMP/m7.json" \
	--keys "$TMP/keys" >"$TMP/p7.out" 2>&1 || fail "perso: $(cat "$TMP/p7.out")"
uc printer encode --request "$r2" --reader "vcard:$TMP/hopper5" \
	--keys "$TMP/keys" --wait 1 >"$TMP/enc5.out" 2>&1 ||
	fail "recovery: $(cat "$TMP/enc5.out")"
grep -q "recovered card $reserved" "$TMP/enc5.out" ||
	fail "recovery: $(cat "$TMP/enc5.out")"
pan=$("$VC" show "$TMP/hopper5/card-0001.json" --json | jq -r .linked.pan)
case "$pan" in [0-9]*) ;; *) fail "no PAN from $TMP/hopper5/card-0001.json" ;; esac
want=$(printf %s "$pan" | openssl dgst -sha256 -mac HMAC \
	-macopt "hexkey:$key" -r | cut -d' ' -f1)
got=$(sqlite3 "$TMP/ledger.db" "SELECT lower(hex(pan_hmac)) || ' ' ||
	pan_last4 || ' ' || status FROM cards WHERE pan_last4 IS NOT NULL
	AND line_id IN (SELECT id FROM request_lines WHERE request_id = $r2)")
[ "$got" = "$want $(printf %s "$pan" | tail -c 4) encoded" ] ||
	fail "recovered linked card: ledger has '$got'"
if grep -q "$pan" "$TMP/enc5.out" "$TMP/p7.out"; then fail "PAN printed"; fi
uc admin audit verify >/dev/null || fail "audit verify"
ok "a linked card written but never recorded is recovered with its PAN binding"

# 6. The station's PAN hashes and the bank file's agree: the bank's file
#    of the cards encoded above, with full PANs, reconciles to nothing;
#    the same file with one card swapped for another bank card is a
#    pan_mismatch for that member only.
uc admin account add liaison --unit 52 --role liaison --password-file "$PWFILE"
{
	echo "member_code,card_ref,full_name,pan,status,fee_vnd,issued_on"
	n=0
	for f in "$TMP"/hopper/card-000[2-7].json "$TMP/hopper5/card-0001.json"; do
		n=$((n + 1))
		"$VERIFY" --reader "vcard:$f" --trust "$TMP/keys/root.pem" --json \
			>"$TMP/v.json" || fail "verify $f"
		code=$(jq -r .card.member_code "$TMP/v.json")
		name=$(jq -r .card.full_name "$TMP/v.json")
		pan=$("$VC" show "$f" --json | jq -r .linked.pan)
		case "$pan" in [0-9]*) ;; *) fail "no PAN from $f" ;; esac
		fee=$(sqlite3 "$TMP/ledger.db" "SELECT rl.fee_vnd FROM request_lines rl
			JOIN members m ON m.id = rl.member_id WHERE m.member_code = '$code'")
		echo "$code,VTB-$n,\"$name\",$pan,active,$fee,$(date +%Y-%m-%d)"
	done
} >"$TMP/bank.csv"
uc liaison bank import "$TMP/bank.csv" --keys "$TMP/keys" >/dev/null
uc liaison bank reconcile --json >"$TMP/rec.json" ||
	fail "a clean bank file has mismatches: $(cat "$TMP/rec.json")"
[ "$(jq '[.summary[]] | add' "$TMP/rec.json")" = 0 ] ||
	fail "reconcile: $(cat "$TMP/rec.json")"
# another bank card (Luhn-valid) in place of the second card
first=$(sed -n 2p "$TMP/bank.csv" | cut -d, -f1)
sed '2s/,9704[0-9]*,/,9704159876543210,/' "$TMP/bank.csv" >"$TMP/bank2.csv"
uc liaison bank import "$TMP/bank2.csv" --keys "$TMP/keys" >/dev/null
expect_fail 1 "$UC" --as liaison bank reconcile --json
[ "$(jq -c '[.mismatches[] | [.class, .member_code]]' "$TMP/out")" = "[[\"pan_mismatch\",\"$first\"]]" ] ||
	fail "swapped card: $(cat "$TMP/out")"
if grep -q "9704159876543210" "$TMP/out" "$TMP/err"; then fail "PAN in reconcile output"; fi
ok "station and bank file agree on every PAN; a swapped bank card is a pan_mismatch"
