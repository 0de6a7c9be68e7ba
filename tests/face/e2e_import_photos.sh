#!/bin/sh
# Photos entering with the member: `member import FILE.csv --unit U
# --photos DIR` keeps DIR/NATIONAL-ID.jpg|.png for the file's members in
# the import's own transaction:
#   1. a bad photo is listed by file name with the file's other problems,
#      and nothing is stored (no member, no photo);
#   2. a bad photo alone, or a photo of a national ID not in the file,
#      rejects the import too;
#   3. a clean file and clean photos: members and photos kept, each photo
#      audited.
. "$(dirname "$0")/../ledger/lib.sh"

# a WxH-point picture: a one-page PDF turned into JPEG or PNG by pdftoppm
picture() { # FILE jpeg|png W H
	printf '%%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 %s %s]/Contents 4 0 R>>endobj\n4 0 obj<</Length 35>>stream\n0.2 0.4 0.8 rg 50 80 200 260 re f\nendstream endobj\ntrailer<</Root 1 0 R>>\n%%%%EOF\n' \
		"$3" "$4" >"$TMP/pic.pdf"
	pdftoppm -r 72 "-$2" -singlefile "$TMP/pic.pdf" "$TMP/pic" 2>/dev/null ||
		fail "pdftoppm"
	mv "$TMP/pic.$(echo "$2" | sed 's/jpeg/jpg/')" "$1"
}

"$UC" init --province 52 --name "LĐLĐ tỉnh Bình Định" --admin admin >/dev/null
uc admin unit add TP01 --name "CĐCS Trường THPT Tuy Phước" --parent 52
uc admin account add clerk --unit TP01 --role clerk --password-file "$PWFILE"
H="full_name,date_of_birth,gender,national_id,position,joined_on,mandatory"
L1="Huỳnh Lê Diễm Tuyết,12/03/1985,nữ,052185000123,Phó Chủ tịch,2010-05-01,1"
L2="Đặng Thị Ngọc Hường,1990-06-05,nữ,052090000789,Giáo viên,2015-01-15,0"
printf '%s\n%s\n%s\nLê Văn Đức,31/02/1980,nam,052080000111,Bảo vệ,2005-03-04,0\n' \
	"$H" "$L1" "$L2" >"$TMP/bad.csv"
printf '%s\n%s\n%s\n' "$H" "$L1" "$L2" >"$TMP/m.csv"
mkdir "$TMP/photos"
picture "$TMP/photos/052185000123.jpg" jpeg 300 400
picture "$TMP/photos/052090000789.png" png 400 300
stored() {
	[ "$(sql "SELECT count(*) FROM members") $(sql "SELECT count(*) FROM member_photos")" = "0 0" ] ||
		fail "$1: something was stored"
}

# 1. a bad photo with a bad line: both listed, nothing stored
expect_fail 2 uc clerk member import "$TMP/bad.csv" --unit TP01 --photos "$TMP/photos"
grep -q "rejected, nothing changed: 2 problems" "$TMP/err" || fail "count: $(cat "$TMP/err")"
grep -q "bad.csv:4" "$TMP/err" || fail "the bad line not listed: $(cat "$TMP/err")"
grep -q "052090000789.png: photo: 400 x 300 pixels" "$TMP/err" ||
	fail "the bad photo not named: $(cat "$TMP/err")"
stored "a bad line and a bad photo"
ok "a bad photo is listed by file name with the file's bad line; nothing stored"

# 2. a bad photo alone; a photo of a national ID not in the file
expect_fail 2 uc clerk member import "$TMP/m.csv" --unit TP01 --photos "$TMP/photos"
grep -q "052090000789.png: photo: 400 x 300 pixels" "$TMP/err" ||
	fail "the bad photo alone: $(cat "$TMP/err")"
stored "a clean file, a bad photo"
picture "$TMP/photos/052090000789.png" png 600 800
picture "$TMP/photos/052000000000.jpg" jpeg 300 400
expect_fail 2 uc clerk member import "$TMP/m.csv" --unit TP01 --photos "$TMP/photos"
grep -q "052000000000.jpg: photo: no member of national ID 052000000000 in the file" "$TMP/err" ||
	fail "a stranger's photo: $(cat "$TMP/err")"
stored "a stranger's photo"
ok "a bad photo alone, or a photo of no member of the file, rejects the import"

# 3. clean: members and their photos kept, each audited
rm "$TMP/photos/052000000000.jpg"
uc clerk member import "$TMP/m.csv" --unit TP01 --photos "$TMP/photos" 2>"$TMP/imp.err" ||
	fail "clean import: $(cat "$TMP/imp.err")"
grep -q "2 members entered in TP01, 2 photo(s) kept" "$TMP/imp.err" ||
	fail "import: $(cat "$TMP/imp.err")"
[ "$(sql "SELECT group_concat(nid, ' ') FROM (SELECT m.national_id AS nid
    FROM member_photos p JOIN members m ON m.id = p.member_id ORDER BY 1)")" = \
    "052090000789 052185000123" ] || fail "photos kept: $(sql "SELECT count(*) FROM member_photos")"
[ "$(sql "SELECT count(*) FROM audit WHERE action = 'member.photo'")" = 2 ] ||
	fail "photos not audited"
[ "$(sql "SELECT count(*) FROM member_photos WHERE length(png) > 8")" = 2 ] ||
	fail "photos empty"
uc admin audit verify >/dev/null || fail "audit verify"
ok "a clean file with clean photos: 2 members and their 2 photos kept, audited"
