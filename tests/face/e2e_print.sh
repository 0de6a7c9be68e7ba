#!/bin/sh
# Printing through a real CUPS: the test starts its own cupsd (a unix
# socket in its temp dir, nothing else), with a cups-pdf queue writing
# into the temp dir, and stops it at the end.
#   1. a request of two encoded cards printed: one duplex job per card,
#      one PDF per card (2 pages, ID-1 media) out of cups-pdf, each face
#      recorded in the ledger with the SHA-256 of the PDF sent;
#   2. printing again prints nothing; --confirm takes the operator's word
#      once;
#   3. a misprint spoils the card's serial; encoding again gives the member
#      a new card under a new serial, and printing again prints only that
#      one - the member holds one valid card, never two;
#   4. a regular card without a chip (--without-chip): its serial taken
#      at print time, its QR valid once the card is issued; a misprint of
#      it is void and reprinted under a new serial;
#   5. one pass per card: `encode --print QUEUE --faces-out DIR` prints
#      each card's face as the card leaves the encoder, recorded as
#      `print --request` records it; a failed print leaves the card
#      encoded, unprinted, and says so.
# Needs root (cupsd and the cups-pdf backend run as root): skipped (77)
# otherwise, or when cupsd or cups-pdf are not installed.
. "$(dirname "$0")/../ledger/lib.sh"
VC="$UC_BUILD_DIR/src/tools/unioncard-vcard"
export UNIONCARD_PASSPHRASE="print passphrase"
[ "$(id -u)" = 0 ] || { echo "skip: cupsd needs root"; exit 77; }
[ -x /usr/sbin/cupsd ] && [ -x /usr/lib/cups/backend/cups-pdf ] ||
	{ echo "skip: cupsd or cups-pdf not installed (scripts/deps)"; exit 77; }

# --- our own cupsd -------------------------------------------------------
C="$TMP/cups"
Q="uctest$$"
# cups-pdf reads a queue's own settings only from /etc/cups; ours names
# its output, spool and log folders in the temp dir, and goes at the end.
CONF="/etc/cups/cups-pdf-$Q.conf"
mkdir -p "$C/spool" "$C/tmp" "$C/cache" "$C/state" "$C/log" "$C/pdf" \
	"$C/cpspool" "$C/cplog"
chmod 755 "$TMP" "$C"
chmod 1777 "$C/spool" "$C/tmp"
{
	echo "ServerRoot $C"
	echo "RequestRoot $C/spool"
	echo "TempDir $C/tmp"
	echo "CacheDir $C/cache"
	echo "StateDir $C/state"
	echo "ServerBin /usr/lib/cups"
	echo "DataDir /usr/share/cups"
	echo "AccessLog $C/log/access_log"
	echo "ErrorLog $C/log/error_log"
	echo "PageLog $C/log/page_log"
	echo "Printcap $C/printcap"
	echo "User lp"
	echo "Group lp"
	echo "SystemGroup root"
	echo "Sandboxing Relaxed"
} >"$C/cups-files.conf"
{
	echo "Listen $C/cups.sock"
	echo "LogLevel info"
	echo "WebInterface No"
	echo "Browsing No"
	echo "DefaultAuthType None"
	echo "<Location />"
	echo "  Order allow,deny"
	echo "  Allow all"
	echo "</Location>"
	echo "<Policy default>"
	echo "  <Limit All>"
	echo "    Order deny,allow"
	echo "    Allow all"
	echo "  </Limit>"
	echo "</Policy>"
} >"$C/cupsd.conf"
printf 'Out %s\nSpool %s\nLog %s\nAnonDirName %s\nTitlePref 1\nLabel 0\n' \
	"$C/pdf" "$C/cpspool" "$C/cplog" "$C/pdf" >"$CONF"
/usr/sbin/cupsd -f -c "$C/cupsd.conf" -s "$C/cups-files.conf" \
	>"$C/cupsd.out" 2>&1 &
CUPSD=$!
trap 'kill "$CUPSD" 2>/dev/null; wait "$CUPSD" 2>/dev/null; rm -f "$CONF"
	rm -rf "$TMP"' EXIT
n=0
until [ -S "$C/cups.sock" ] && lpstat -h "$C/cups.sock" -r >/dev/null 2>&1; do
	kill -0 "$CUPSD" 2>/dev/null || fail "cupsd died: $(cat "$C/cupsd.out")"
	n=$((n + 1))
	[ "$n" -le 600 ] || fail "cupsd does not answer"
	sleep 0.1
done
lpadmin -h "$C/cups.sock" -p "$Q" -E -v "cups-pdf:/$Q" \
	-P /usr/share/ppd/cups-pdf/CUPS-PDF_opt.ppd 2>/dev/null ||
	fail "lpadmin"
export CUPS_SERVER="$C/cups.sock"

# every job of the queue done (bounded: a stuck queue fails the test)
jobs_done() {
	n=0
	while [ -n "$(lpstat -h "$C/cups.sock" -o "$Q" 2>/dev/null)" ]; do
		n=$((n + 1))
		[ "$n" -le 1200 ] ||
			fail "jobs still queued: $(lpstat -h "$C/cups.sock" -o)"
		sleep 0.1
	done
	lpstat -h "$C/cups.sock" -W completed -o "$Q" >"$TMP/completed"
}

# --- a request of two encoded cards ----------------------------------------
"$UC" init --province 52 --name "LĐLĐ tỉnh Bình Định" --admin admin >/dev/null
uc admin unit add TP01 --name "CĐCS Trường THPT Tuy Phước" --parent 52
uc admin account add clerk --unit TP01 --role clerk --password-file "$PWFILE"
uc admin account add approver --unit 52 --role approver --password-file "$PWFILE"
uc admin account add printer --unit 52 --role printer --password-file "$PWFILE"
{
	echo "full_name,date_of_birth,gender,national_id,position,joined_on,mandatory"
	echo "Huỳnh Lê Diễm Tuyết,12/03/1985,nữ,052185000123,Phó Chủ tịch,2010-05-01,1"
	echo "Đặng Thị Ngọc Hường,1990-06-05,nữ,052090000789,Giáo viên,2015-01-15,0"
} >"$TMP/m.csv"
uc clerk member import "$TMP/m.csv" --unit TP01 >/dev/null
uc clerk member submit --unit TP01 >/dev/null
uc approver member approve --unit TP01 --all >/dev/null
rid=$(uc clerk request create --unit TP01 --type regular --all-approved)
uc clerk request submit "$rid"
uc approver request approve "$rid"
uc printer request accept "$rid"
"$UC" keys init --dir "$TMP/keys" >/dev/null || fail "keys init"
mkdir "$TMP/hopper"
"$VC" hopper "$TMP/hopper" --count 2 --keys "$TMP/keys" >/dev/null
uc printer encode --request "$rid" --reader "vcard:$TMP/hopper" \
	--keys "$TMP/keys" --wait 1 >"$TMP/enc.out" 2>&1 ||
	fail "encode: $(cat "$TMP/enc.out")"
# shellcheck disable=SC2046 # serials are digits: one word each
set -- $(uc printer card list --request "$rid" --json |
	jq -r '.[] | select(.status == "encoded") | .serial')
[ $# = 2 ] || fail "two encoded cards: $*"
S1=$1 S2=$2

# 1. print
uc printer print --request "$rid" --keys "$TMP/keys" --printer "$Q" \
	--out "$TMP/bureau" >"$TMP/p1.out" 2>&1 ||
	fail "print: $(cat "$TMP/p1.out")"
[ "$(grep -c "^printed card .* cups:$Q job [0-9]" "$TMP/p1.out")" = 2 ] ||
	fail "print lines: $(cat "$TMP/p1.out")"
jobs_done
[ "$(wc -l <"$TMP/completed")" = 2 ] || fail "2 jobs: $(cat "$TMP/completed")"
[ "$(find "$C/pdf" -mindepth 1 -maxdepth 1 | wc -l)" = 2 ] || fail "cups-pdf made: $(ls "$C/pdf")"
for f in "$C"/pdf/*.pdf; do
	[ "$(pdfinfo "$f" | awk '/^Pages:/ {print $2}')" = 2 ] ||
		fail "$f has not 2 pages"
	pdfinfo "$f" | grep -q "^Page size: *242\(\.[0-9]*\)\? x 153\(\.[0-9]*\)\? pts" ||
		fail "$f is not on ID-1 media: $(pdfinfo "$f" | grep 'Page size')"
done
for s in "$S1" "$S2"; do
	want=$(sha256sum "$TMP/bureau/$s.pdf" | cut -d' ' -f1 | tr a-f A-F)
	got=$(sql "SELECT hex(f.sha256) || ' ' || f.state FROM card_faces f
	    JOIN audit a ON a.action = 'card.print' AND a.object = '$s'
	    AND a.details LIKE '%' || hex(f.sha256) || '%'")
	[ "$got" = "$want printed" ] ||
		fail "card $s face row: '$got', want '$want printed'"
done
ok "2 cards printed through our cupsd + cups-pdf: 2 PDFs of 2 ID-1 pages, faces recorded with their SHA-256"

# 2. again: nothing; the operator's word
uc printer print --request "$rid" --keys "$TMP/keys" --printer "$Q" \
	>"$TMP/p2.out" 2>&1 || fail "print again: $(cat "$TMP/p2.out")"
grep -q "^0 card(s) printed, 2 printed before" "$TMP/p2.out" ||
	fail "print again: $(cat "$TMP/p2.out")"
uc printer print --confirm "$S1" >/dev/null || fail "confirm"
expect_fail 2 uc printer print --confirm "$S1"
grep -q "confirmed face" "$TMP/err" || fail "confirm twice: $(cat "$TMP/err")"
ok "printing again prints nothing; a face is confirmed once"

# 3. a misprint, a new card, printed
uc printer print --misprint "$S2" --reason "ribbon ran out" >/dev/null ||
	fail "misprint"
uc printer card show "$S2" | jq -e '.status == "spoiled" and
    (.reason | test("misprint: ribbon ran out"))' >/dev/null ||
	fail "misprinted card: $(uc printer card show "$S2")"
expect_fail 2 uc printer print --misprint "$S1"
mkdir "$TMP/hopper2"
"$VC" hopper "$TMP/hopper2" --count 1 --keys "$TMP/keys" >/dev/null
uc printer encode --request "$rid" --reader "vcard:$TMP/hopper2" \
	--keys "$TMP/keys" --wait 1 >"$TMP/enc2.out" 2>&1 ||
	fail "encode again: $(cat "$TMP/enc2.out")"
uc printer card list --request "$rid" --json >"$TMP/cards.json"
S3=$(jq -r --arg a "$S1" --arg b "$S2" '.[] | select(.status == "encoded"
    and .serial != $a and .serial != $b) | .serial' "$TMP/cards.json")
[ -n "$S3" ] || fail "no new card: $(cat "$TMP/cards.json")"
code2=$(jq -r --arg s "$S2" '.[] | select(.serial == $s) | .member_code' \
	"$TMP/cards.json")
[ "$(jq --arg c "$code2" '[.[] | select(.member_code == $c and
    .status == "encoded")] | length' "$TMP/cards.json")" = 1 ] ||
	fail "member $code2 must hold exactly one valid card"
uc printer print --request "$rid" --keys "$TMP/keys" --printer "$Q" \
	>"$TMP/p3.out" 2>&1 || fail "reprint: $(cat "$TMP/p3.out")"
grep -q "^printed card $S3 " "$TMP/p3.out" || fail "reprint: $(cat "$TMP/p3.out")"
grep -q "^1 card(s) printed, 1 printed before" "$TMP/p3.out" ||
	fail "reprint: $(cat "$TMP/p3.out")"
jobs_done
[ "$(find "$C/pdf" -mindepth 1 -maxdepth 1 | wc -l)" = 3 ] || fail "cups-pdf made: $(ls "$C/pdf")"
uc admin audit verify >/dev/null || fail "audit verify"
[ "$(sql "SELECT count(*) FROM audit WHERE action = 'card.misprint'")" = 1 ] ||
	fail "misprint not audited"
ok "a misprint spoils its serial; the new card $S3 is printed; one valid card per member"

# 4. a regular card without a chip: a serial at print time, the face is
#    the whole card; valid once handed out (card issue); a misprint of it
#    is reprinted under a new serial the same way
VERIFY="$UC_BUILD_DIR/src/tools/unioncard-verify"
{
	echo "full_name,date_of_birth,gender,national_id,position,joined_on,mandatory"
	echo "Trần Thị Ánh Nguyệt,1992-09-21,nữ,052192000456,Kế toán,2018-08-01,0"
} >"$TMP/m2.csv"
uc clerk member import "$TMP/m2.csv" --unit TP01 >/dev/null
uc clerk member submit --unit TP01 >/dev/null
uc approver member approve --unit TP01 --all >/dev/null
code3=$(uc clerk member show 052192000456 | jq -r .member_code)
rid2=$(uc clerk request create --unit TP01 --type regular --members "$code3")
uc clerk request submit "$rid2"
uc approver request approve "$rid2"
uc printer request accept "$rid2"
expect_fail 2 uc printer print --request "$rid2" --keys "$TMP/keys" --printer "$Q"
grep -q "no encoded or issued card" "$TMP/err" || fail "no chip, no flag: $(cat "$TMP/err")"
uc printer print --request "$rid2" --keys "$TMP/keys" --printer "$Q" \
	--without-chip --out "$TMP/bureau2" >"$TMP/p4.out" 2>&1 ||
	fail "print without chip: $(cat "$TMP/p4.out")"
S4=$(uc printer card list --request "$rid2" --json | jq -r '.[0].serial')
grep -q "^printed card $S4 " "$TMP/p4.out" || fail "chipless: $(cat "$TMP/p4.out")"
qr_of() { # PDF -> the back page's QR text
	pdftoppm -r 300 -f 2 -l 2 -png "$1" "$TMP/pg"
	zbarimg --nodbus -q --raw "$TMP"/pg-*2.png | head -n 1
	rm -f "$TMP"/pg-*.png
}
text4=$(qr_of "$TMP/bureau2/$S4.pdf")
uc printer print --misprint "$S4" --reason "smudged" >/dev/null ||
	fail "misprint a printed-only card"
uc printer print --request "$rid2" --keys "$TMP/keys" --printer "$Q" \
	--without-chip --out "$TMP/bureau2" >"$TMP/p5.out" 2>&1 ||
	fail "reprint without chip: $(cat "$TMP/p5.out")"
S5=$(uc printer card list --request "$rid2" --json |
	jq -r '.[] | select(.status == "reserved") | .serial')
[ -n "$S5" ] && [ "$S5" != "$S4" ] || fail "no new serial: $S5"
grep -q "^printed card $S5 " "$TMP/p5.out" || fail "reprint: $(cat "$TMP/p5.out")"
jobs_done
[ "$(find "$C/pdf" -mindepth 1 -maxdepth 1 | wc -l)" = 5 ] || fail "cups-pdf made: $(ls "$C/pdf")"
text5=$(qr_of "$TMP/bureau2/$S5.pdf")
uc printer status-list export --out "$TMP/sl.usl" --keys "$TMP/keys" >/dev/null
expect_fail 1 "$VERIFY" --qr "$text5" --trust "$TMP/keys/root.pem" \
	--status-list "$TMP/sl.usl"
grep -q "^INVALID: status failed" "$TMP/out" || fail "not handed out yet: $(cat "$TMP/out")"
uc printer print --confirm "$S5" >/dev/null || fail "confirm $S5"
uc printer card issue "$S5"
uc printer status-list export --out "$TMP/sl.usl" --keys "$TMP/keys" >/dev/null
"$VERIFY" --qr "$text5" --trust "$TMP/keys/root.pem" \
	--status-list "$TMP/sl.usl" >"$TMP/v5.out" || fail "issued: $(cat "$TMP/v5.out")"
grep -q "^VALID  $code3  Trần Thị Ánh Nguyệt .* card $S5 " "$TMP/v5.out" ||
	fail "issued: $(cat "$TMP/v5.out")"
expect_fail 1 "$VERIFY" --qr "$text4" --trust "$TMP/keys/root.pem" \
	--status-list "$TMP/sl.usl"
grep -q "^INVALID: status failed" "$TMP/out" || fail "misprinted face: $(cat "$TMP/out")"
ok "a regular card without a chip: a serial at print time, valid by its QR once issued; its misprint is void and reprinted under a new serial"

# 5. one pass per card: encode --print; the face recorded as print records it
{
	echo "full_name,date_of_birth,gender,national_id,position,joined_on,mandatory"
	echo "Lê Văn Đức,1980-01-02,nam,052080000111,Bảo vệ,2005-03-04,0"
	echo "Phạm Thị Thu Hà,1988-11-30,nữ,052188000222,Thủ quỹ,2012-09-10,0"
	echo "Võ Minh Khôi,1995-07-07,nam,052095000333,Giáo viên,2020-02-02,0"
} >"$TMP/m3.csv"
uc clerk member import "$TMP/m3.csv" --unit TP01 >/dev/null
uc clerk member submit --unit TP01 >/dev/null
uc approver member approve --unit TP01 --all >/dev/null
c6=$(uc clerk member show 052080000111 | jq -r .member_code)
c7=$(uc clerk member show 052188000222 | jq -r .member_code)
c8=$(uc clerk member show 052095000333 | jq -r .member_code)
rid3=$(uc clerk request create --unit TP01 --type regular --members "$c6,$c7")
rid4=$(uc clerk request create --unit TP01 --type regular --members "$c8")
for r in "$rid3" "$rid4"; do
	uc clerk request submit "$r"
	uc approver request approve "$r"
	uc printer request accept "$r"
done
mkdir "$TMP/hopper3"
"$VC" hopper "$TMP/hopper3" --count 3 --keys "$TMP/keys" >/dev/null
uc printer encode --request "$rid3" --reader "vcard:$TMP/hopper3" \
	--keys "$TMP/keys" --wait 1 --print "$Q" --faces-out "$TMP/pass" \
	>"$TMP/enc3.out" 2>&1 || fail "encode --print: $(cat "$TMP/enc3.out")"
# shellcheck disable=SC2046 # serials are digits: one word each
set -- $(uc printer card list --request "$rid3" --json |
	jq -r '.[] | select(.status == "encoded") | .serial')
[ $# = 2 ] || fail "two encoded cards: $*"
for s in "$@"; do
	# the card's encoded line, then its printed line: one pass per card
	grep -A1 "encoded card $s " "$TMP/enc3.out" |
		grep -q "^printed card $s .* cups:$Q job [0-9]" ||
		fail "card $s not printed after encoding: $(cat "$TMP/enc3.out")"
	want=$(sha256sum "$TMP/pass/$s.pdf" | cut -d' ' -f1 | tr a-f A-F)
	got=$(sql "SELECT hex(f.sha256) || ' ' || f.state FROM card_faces f
	    JOIN audit a ON a.action = 'card.print' AND a.object = '$s'
	    AND a.details LIKE '%' || hex(f.sha256) || '%'")
	[ "$got" = "$want printed" ] ||
		fail "card $s face row: '$got', want '$want printed'"
done
[ "$(stat -c %a "$TMP/pass/$1.pdf")" = 600 ] || fail "face PDF not 0600"
jobs_done
[ "$(find "$C/pdf" -mindepth 1 -maxdepth 1 | wc -l)" = 7 ] ||
	fail "cups-pdf made: $(ls "$C/pdf")"
text6=$(qr_of "$TMP/pass/$1.pdf")
"$VERIFY" --qr "$text6" --trust "$TMP/keys/root.pem" >"$TMP/v6.out" ||
	fail "QR of an encode --print face: $(cat "$TMP/v6.out")"
grep -q "^VALID .* card $1 " "$TMP/v6.out" || fail "QR: $(cat "$TMP/v6.out")"
uc printer print --request "$rid3" --keys "$TMP/keys" --printer "$Q" \
	>"$TMP/p6.out" 2>&1 || fail "print after encode --print: $(cat "$TMP/p6.out")"
grep -q "^0 card(s) printed, 2 printed before" "$TMP/p6.out" ||
	fail "printed twice: $(cat "$TMP/p6.out")"
ok "encode --print: each card printed as it is encoded (one PDF each, faces recorded, QR valid), not printed again"

# a print that fails: the card stays encoded, unprinted, and it is said
expect_fail 2 uc printer encode --request "$rid4" --reader "vcard:$TMP/hopper3" \
	--keys "$TMP/keys" --wait 1 --print "nosuchqueue$$"
S8=$(uc printer card list --request "$rid4" --json | jq -r '.[0].status + " " + .[0].serial')
case $S8 in "encoded "*) ;; *) fail "card after a failed print: $S8" ;; esac
S8=${S8#encoded }
grep -q "card $S8 stays encoded but is not printed" "$TMP/err" ||
	fail "failed print not said: $(cat "$TMP/err")"
[ "$(sql "SELECT count(*) FROM card_faces WHERE serial = $S8")" = 0 ] ||
	fail "an unprinted face was recorded"
uc printer print --request "$rid4" --keys "$TMP/keys" --printer "$Q" \
	>"$TMP/p7.out" 2>&1 || fail "print later: $(cat "$TMP/p7.out")"
grep -q "^printed card $S8 " "$TMP/p7.out" || fail "print later: $(cat "$TMP/p7.out")"
ok "encode --print to a queue that fails: the card stays encoded, unprinted, said so; print --request prints it later"
