#!/bin/sh
# The printed card end to end, through the real tools and files:
#   1. a regular request of three members encoded on virtual cards, its
#      faces rendered from the ledger: one PDF (2 pages, fonts embedded,
#      real text) and PNGs at 300 and 600 dpi per card, all 0600;
#   2. the PDF's back page rasterised by pdftoppm, its QR code read by
#      zbarimg and checked by unioncard-verify --qr: valid, naming the
#      member and the card serial the chip carries; --qr-image the same;
#      read with the chip of the same card: valid, with another card's
#      chip: the check "chip" fails;
#   3. rejected with the right check: a payload changed after signing
#      (signature), a code from another root's station (chain), a revoked
#      card (status), an expired card (expiry); a misread is "could not
#      check" (exit 2), never a verdict;
#   4. --watch --qr: one verdict a scanned line, a count at the end;
#   5. a name too long for its box at the smallest size is refused;
#   and a member's photo: checked (format, 3:4 portrait), kept in the
#   ledger, printed on that member's face only.
. "$(dirname "$0")/../ledger/lib.sh"
VC="$UC_BUILD_DIR/src/tools/unioncard-vcard"
VERIFY="$UC_BUILD_DIR/src/tools/unioncard-verify"
export UNIONCARD_PASSPHRASE="face passphrase"

"$UC" init --province 52 --name "LĐLĐ tỉnh Bình Định" --admin admin >/dev/null
uc admin unit add TP --name "LĐLĐ huyện Tuy Phước" --parent 52
uc admin unit add TP01 --name "Công đoàn cơ sở Trường Trung học phổ thông Số 1 Tuy Phước" --parent TP
uc admin account add clerk --unit TP01 --role clerk --password-file "$PWFILE"
uc admin account add approver --unit TP --role approver --password-file "$PWFILE"
uc admin account add printer --unit 52 --role printer --password-file "$PWFILE"
cat >"$TMP/m.csv" <<'CSV'
full_name,date_of_birth,gender,national_id,position,joined_on,mandatory
Huỳnh Lê Diễm Tuyết,12/03/1985,nữ,052185000123,Phó Chủ tịch,2010-05-01,1
Đặng Thị Ngọc Hường,1990-06-05,nữ,052090000789,Giáo viên,2015-01-15,0
Tôn Nữ Huyền Trân Công Tằng Tôn Nữ Thị Xuân Hương Phượng Hoàng,1992-09-21,nữ,052192000456,Kế toán,2018-08-01,0
CSV
uc clerk member import "$TMP/m.csv" --unit TP01 >/dev/null
uc clerk member submit --unit TP01 >/dev/null
uc approver member approve --unit TP01 --all >/dev/null
rid=$(uc clerk request create --unit TP01 --type regular --all-approved)
uc clerk request submit "$rid"
uc approver request approve "$rid"
uc printer request accept "$rid"
"$UC" keys init --dir "$TMP/keys" >/dev/null || fail "keys init"
"$UC" keys init --dir "$TMP/other" >/dev/null || fail "keys init (other)"
mkdir "$TMP/hopper"
"$VC" hopper "$TMP/hopper" --count 3 --keys "$TMP/keys" >/dev/null ||
	fail "hopper"
uc printer encode --request "$rid" --reader "vcard:$TMP/hopper" \
	--keys "$TMP/keys" --wait 1 >"$TMP/enc.out" 2>&1 ||
	fail "encode: $(cat "$TMP/enc.out")"

# 1. the faces of every encoded card
uc printer face render --request "$rid" --keys "$TMP/keys" \
	--out "$TMP/faces" --dpi 300,600 >"$TMP/render.out" 2>&1 ||
	fail "face render: $(cat "$TMP/render.out")"
[ "$(grep -c '^card ' "$TMP/render.out")" = 3 ] ||
	fail "3 cards rendered: $(cat "$TMP/render.out")"
serials=$(uc printer card list --request "$rid" --json |
	jq -r '.[] | select(.status == "encoded") | .serial')
[ "$(echo "$serials" | wc -l)" = 3 ] || fail "3 encoded cards: $serials"
for s in $serials; do
	for f in "$s.pdf" "$s-front-300dpi.png" "$s-back-300dpi.png" \
	    "$s-front-600dpi.png" "$s-back-600dpi.png"; do
		[ -f "$TMP/faces/$f" ] || fail "no $f"
		[ "$(stat -c %a "$TMP/faces/$f")" = 600 ] || fail "$f not 0600"
	done
	[ "$(pdfinfo "$TMP/faces/$s.pdf" | awk '/^Pages:/ {print $2}')" = 2 ] ||
		fail "$s.pdf has not 2 pages"
	pdffonts "$TMP/faces/$s.pdf" | awk 'NR > 2 && $(NF-4) != "yes" {bad = 1}
	    END {exit bad}' || fail "$s.pdf: a font is not embedded"
	file "$TMP/faces/$s-front-600dpi.png" | grep -q "2022 x 1275" ||
		fail "600 dpi is not 2022 x 1275: $(file "$TMP/faces/$s-front-600dpi.png")"
done
s1=$(echo "$serials" | head -n 1)
pdftotext -f 1 -l 1 "$TMP/faces/$s1.pdf" "$TMP/front.txt"
code1=$(uc printer card show "$s1" | jq -r .member_code)
grep -q "Huỳnh Lê Diễm Tuyết" "$TMP/front.txt" || fail "name not in the PDF's text"
grep -q "12/03/1985" "$TMP/front.txt" || fail "date of birth not printed"
grep -q "$(echo "$code1" | sed 's/^\(..\)\(........\)\(.\)$/\1 \2 \3/')" \
	"$TMP/front.txt" || fail "member code $code1 not printed in groups"
grep -q "Tuy Phước" "$TMP/front.txt" || fail "unit name not printed"
ok "3 cards: PDF (2 pages, fonts embedded, text) + PNG 300/600 dpi, 0600"

# photos: checked, kept in the ledger, printed on the face
[ "$(pdfimages -list "$TMP/faces/$s1.pdf" | tail -n +3 | wc -l)" = 0 ] ||
	fail "a photo on a card without one"
pdftoppm -jpeg -f 1 -l 1 -scale-to-x 600 -scale-to-y 800 \
	"$TMP/faces/$s1.pdf" "$TMP/photo"
uc clerk member photo "$code1" "$TMP/photo-1.jpg" >"$TMP/ph.out" ||
	fail "member photo: $(cat "$TMP/ph.out")"
grep -q "photo kept (600 x 800" "$TMP/ph.out" || fail "photo: $(cat "$TMP/ph.out")"
expect_fail 2 uc clerk member photo "$code1" "$TMP/faces/$s1-front-300dpi.png"
grep -q "$s1-front-300dpi.png: photo: 1011 x 638 pixels is not a 3:4 portrait" \
	"$TMP/err" || fail "landscape photo: $(cat "$TMP/err")"
expect_fail 2 uc clerk member photo "$code1" "$TMP/m.csv"
grep -q "m.csv: photo: not a JPEG or PNG" "$TMP/err" || fail "csv photo: $(cat "$TMP/err")"
expect_fail 2 uc clerk member photo 99999999999 "$TMP/photo-1.jpg"
# a folder of photos named by national id: all checked before any is kept
mkdir "$TMP/photos"
cp "$TMP/photo-1.jpg" "$TMP/photos/052090000789.jpg"
cp "$TMP/faces/$s1-front-300dpi.png" "$TMP/photos/052192000456.png"
expect_fail 2 uc clerk member photo --dir "$TMP/photos"
grep -q "052192000456.png: photo: .* not a 3:4 portrait" "$TMP/err" ||
	fail "photo dir: $(cat "$TMP/err")"
[ "$(sql "SELECT count(*) FROM member_photos")" = 1 ] ||
	fail "a bad folder kept some photos"
rm "$TMP/photos/052192000456.png"
cp "$TMP/photo-1.jpg" "$TMP/photos/052000000000.jpg"
expect_fail 2 uc clerk member photo --dir "$TMP/photos"
[ "$(sql "SELECT count(*) FROM member_photos")" = 1 ] ||
	fail "a folder with an unknown national id kept some photos"
rm "$TMP/photos/052000000000.jpg"
uc clerk member photo --dir "$TMP/photos" >"$TMP/dir.out" ||
	fail "photo dir: $(cat "$TMP/dir.out")"
grep -q "^1 photo(s) kept" "$TMP/dir.out" || fail "photo dir: $(cat "$TMP/dir.out")"
uc printer face render --request "$rid" --keys "$TMP/keys" \
	--out "$TMP/faces" >"$TMP/render2.out" 2>&1 ||
	fail "face render with a photo: $(cat "$TMP/render2.out")"
pdfimages -list "$TMP/faces/$s1.pdf" | tail -n +3 | awk '{print $4 "x" $5}' \
	>"$TMP/images"
[ "$(cat "$TMP/images")" = "600x800" ] || fail "the photo is not on the face: $(cat "$TMP/images")"
s2=$(echo "$serials" | sed -n 2p)
s3=$(echo "$serials" | sed -n 3p)
for s in $s2 $s3; do
	code=$(uc printer card show "$s" | jq -r .member_code)
	want=$(uc printer member show "$code" | jq -r '
	    if .national_id == "052090000789" then 1 else 0 end')
	[ "$(pdfimages -list "$TMP/faces/$s.pdf" | tail -n +3 | wc -l)" = "$want" ] ||
		fail "card $s: $want photo(s) wanted"
done
[ "$(sql "SELECT count(*) FROM audit WHERE action = 'member.photo'")" = 2 ] ||
	fail "the photos are not audited once each"
ok "a member's photo is checked (format, 3:4), kept in the ledger and printed on that member's face"

# 2. from the PDF through pdftoppm and zbarimg to the verifier
qr_of() { # PDF -> the back page's QR text
	pdftoppm -r 300 -f 2 -l 2 -png "$1" "$TMP/page"
	zbarimg --nodbus -q --raw "$TMP"/page-*2.png | head -n 1
	rm -f "$TMP"/page-*.png
}
uc printer status-list export --out "$TMP/status.usl" --keys "$TMP/keys" >/dev/null
text=$(qr_of "$TMP/faces/$s1.pdf")
case "$text" in UC1:*) ;; *) fail "QR text from the PDF: '$text'" ;; esac
"$VERIFY" --qr "$text" --trust "$TMP/keys/root.pem" --crl "$TMP/keys/root.crl" \
	--status-list "$TMP/status.usl" >"$TMP/v.out" ||
	fail "the QR code does not verify: $(cat "$TMP/v.out")"
grep -q "^VALID  $code1  Huỳnh Lê Diễm Tuyết  TP01  regular  until .* card $s1 " \
	"$TMP/v.out" || fail "verdict line: $(cat "$TMP/v.out")"
for c in signature chain expiry status; do
	grep -q "^  ok    $c " "$TMP/v.out" || fail "check $c: $(cat "$TMP/v.out")"
done
# the chip of the same card carries the same card serial
chip=$(uc printer card show "$s1" | jq -r .chip_serial)
for f in "$TMP"/hopper/*.json; do
	[ "$(jq -r .serial "$f")" = "$chip" ] && card="$f"
done
"$VERIFY" --reader "vcard:$card" --trust "$TMP/keys/root.pem" --json |
	jq -e --arg s "$s1" '.verdict == "valid"' >/dev/null ||
	fail "the chip of card $s1 does not verify"
# face and chip read together: one card, or caught
"$VERIFY" --qr "$text" --reader "vcard:$card" --trust "$TMP/keys/root.pem" \
	>"$TMP/both.out" || fail "face + chip: $(cat "$TMP/both.out")"
grep -q "^  ok    chip .* is the same card" "$TMP/both.out" ||
	fail "face + chip: $(cat "$TMP/both.out")"
for f in "$TMP"/hopper/*.json; do
	[ "$f" != "$card" ] && other_card="$f"
done
expect_fail 1 "$VERIFY" --qr "$text" --reader "vcard:$other_card" \
	--trust "$TMP/keys/root.pem"
grep -q "^INVALID: chip failed" "$TMP/out" || fail "face on another chip: $(cat "$TMP/out")"
grep -q "the printed code card $s1" "$TMP/out" || fail "face on another chip: $(cat "$TMP/out")"
"$VERIFY" --qr-image "$TMP/faces/$s1-back-300dpi.png" \
	--trust "$TMP/keys/root.pem" --json >"$TMP/v.json" ||
	fail "--qr-image: $(cat "$TMP/v.json")"
jq -e --arg s "$s1" '.verdict == "valid" and .source == "qr" and
    .card.card_serial == $s' "$TMP/v.json" >/dev/null ||
	fail "--qr-image json: $(cat "$TMP/v.json")"
ok "PDF -> pdftoppm -> zbarimg -> unioncard-verify --qr: valid; --qr-image too; a face on another card's chip is caught"

# 3. what must be refused, and why
python3 - "$text" >"$TMP/tampered" <<'PY'
import sys
A = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
t = sys.argv[1][4:]
raw = bytearray()
for i in range(0, len(t), 3):
    ch = t[i:i + 3]
    v = sum(A.index(c) * 45 ** k for k, c in enumerate(ch))
    raw += v.to_bytes(2 if len(ch) == 3 else 1, "big")
i = raw.find("Tuyết".encode())
raw[i] = ord("X")
out = []
for i in range(0, len(raw) - 1, 2):
    v = raw[i] << 8 | raw[i + 1]
    out += [A[v % 45], A[v // 45 % 45], A[v // 2025]]
if len(raw) % 2:
    out += [A[raw[-1] % 45], A[raw[-1] // 45]]
print("UC1:" + "".join(out))
PY
expect_fail 1 "$VERIFY" --qr "$(cat "$TMP/tampered")" --trust "$TMP/keys/root.pem"
grep -q "^INVALID: signature failed" "$TMP/out" || fail "tampered: $(cat "$TMP/out")"
grep -q "code claims to be .* Huỳnh Lê Diễm Xuyết" "$TMP/out" || fail "tampered claims: $(cat "$TMP/out")"

cat >"$TMP/m1.json" <<JSON
{"member_code": "$code1", "full_name": "Huỳnh Lê Diễm Tuyết",
 "unit_code": "TP01", "unit_name": "CĐCS", "card_type": "regular",
 "issued_on": "2026-11-25", "expires_on": "2031-11-24",
 "card_serial": "$s1"}
JSON
"$UC" face qr --member "$TMP/m1.json" --keys "$TMP/other" >"$TMP/other.txt"
expect_fail 1 "$VERIFY" --qr "$(cat "$TMP/other.txt")" \
	--trust "$TMP/keys/root.pem" --signers "$TMP/other/signers"
grep -q "^INVALID: chain failed" "$TMP/out" || fail "other root: $(cat "$TMP/out")"
# without the other station's certificate it is not even a known signer
expect_fail 1 "$VERIFY" --qr "$(cat "$TMP/other.txt")" --trust "$TMP/keys/root.pem"
grep -q "^INVALID: signature failed" "$TMP/out" || fail "unknown signer: $(cat "$TMP/out")"

uc admin card revoke "$s2" --reason "lost" >/dev/null
uc printer status-list export --out "$TMP/status2.usl" --keys "$TMP/keys" >/dev/null
text2=$(qr_of "$TMP/faces/$s2.pdf")
expect_fail 1 "$VERIFY" --qr "$text2" --trust "$TMP/keys/root.pem" \
	--status-list "$TMP/status2.usl"
grep -q "^INVALID: status failed" "$TMP/out" || fail "revoked: $(cat "$TMP/out")"
"$VERIFY" --qr "$text" --trust "$TMP/keys/root.pem" \
	--status-list "$TMP/status2.usl" >/dev/null || fail "card 1 is still valid"

sed 's/"issued_on": "2026-11-25", "expires_on": "2031-11-24"/"issued_on": "2020-01-10", "expires_on": "2025-01-09"/' \
	"$TMP/m1.json" >"$TMP/old.json"
"$UC" face qr --member "$TMP/old.json" --keys "$TMP/keys" >"$TMP/old.txt"
expect_fail 1 "$VERIFY" --qr "$(cat "$TMP/old.txt")" --trust "$TMP/keys/root.pem"
grep -q "^INVALID: expiry failed" "$TMP/out" || fail "expired: $(cat "$TMP/out")"
grep -q "^  ok    signature" "$TMP/out" || fail "expired: signature"

expect_fail 2 "$VERIFY" --qr "HELLO WORLD" --trust "$TMP/keys/root.pem"
grep -q "could not check" "$TMP/err" || fail "misread: $(cat "$TMP/err")"
expect_fail 2 "$VERIFY" --qr "$(echo "$text" | cut -c1-100)" --trust "$TMP/keys/root.pem"
ok "tampered -> signature, other root -> chain, revoked -> status, expired -> expiry, misread -> exit 2"

# 4. a scanner at a gate
printf '%s\n%s\nGARBAGE\n%s\n' "$text" "$text2" "$(cat "$TMP/old.txt")" |
	"$VERIFY" --watch --qr --trust "$TMP/keys/root.pem" \
	--status-list "$TMP/status2.usl" >"$TMP/watch.out" 2>/dev/null ||
	fail "watch: $(cat "$TMP/watch.out")"
[ "$(grep -c '^VALID ' "$TMP/watch.out")" = 1 ] || fail "watch: $(cat "$TMP/watch.out")"
grep -q "^INVALID .*: status " "$TMP/watch.out" || fail "watch revoked: $(cat "$TMP/watch.out")"
grep -q "^INVALID .*: expiry " "$TMP/watch.out" || fail "watch expired: $(cat "$TMP/watch.out")"
grep -q "^COULD NOT CHECK: " "$TMP/watch.out" || fail "watch garbage: $(cat "$TMP/watch.out")"
grep -q "4 code(s) read: 1 valid, 2 invalid, 1 could not check" "$TMP/watch.out" ||
	fail "watch summary: $(cat "$TMP/watch.out")"
ok "--watch --qr: one line a code, a count at the end of input"

# 5. never clipped
python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); m["full_name"]="W"*128; print(json.dumps(m))' \
	"$TMP/m1.json" >"$TMP/wide.json"
expect_fail 2 "$UC" face render --member "$TMP/wide.json" --keys "$TMP/keys" \
	--out "$TMP/wide"
grep -q "full_name: .* does not fit" "$TMP/err" || fail "wide name: $(cat "$TMP/err")"
[ -z "$(ls "$TMP/wide")" ] || fail "a clipped face was written"
ok "a name that cannot fit is refused, nothing written"
