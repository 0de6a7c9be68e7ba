#!/bin/sh
# A clerk's member list as it comes out of a spreadsheet (every problem
# in one run, ';' files, Vietnamese headers, one set of yes/no words),
# progress that counts people once (exempt units, corrected members), and
# fees that are paid (fee pay, report fees --unpaid).
. "$(dirname "$0")/lib.sh"
export UNIONCARD_TODAY=2026-11-20

setup_tree >/dev/null 2>&1
ok "tree set up"

members() { sql "SELECT count(*) FROM members"; }
imports() { sql "SELECT count(*) FROM imports"; }

# 1. Every problem of the file in one run, nothing stored.
python3 - "$TMP/bad.csv" <<'PY'
import sys
rows = [
    "full_name,date_of_birth,gender,national_id,position,joined_on,mandatory",
    "Nguyễn Văn An,05/06/1990,nam,052090000111,Kế toán,2015-01-15,có",
    "Trần Thị Bình,30/02/1985,nữ,5.2195E+10,Giáo viên,2010-05-01,không",
    "Øyvind Lê,1980-01-01,nủ,52090000112,Bảo vệ,2000-01-01,cỏ",
    "Lê Văn Cường,1980-01-01,nam,052090000111,Lái xe,2000-01-01,1",
    "Phạm Thị Dung,1980-01-01,nữ,052180000333,Thủ quỹ,2000-01-01",
    "Võ Văn Em,1979-01-01,nam,052079000444,Bảo vệ,1970-01-01,yes",
    "Đặng Thị Giang,31121,nữ,052180000555,Văn thư,2030-01-01,no",
]
open(sys.argv[1], "wb").write(("\r\n".join(rows) + "\r\n").encode())
PY
expect_fail 2 uc TP01.clerk member import "$TMP/bad.csv" --unit TP01
E="$TMP/bad.csv"
head -n 1 "$TMP/err" | grep -q "^unioncard: member import rejected, nothing changed: 11 problems$" ||
    fail "headline: $(cat "$TMP/err")"
want=$(cat <<W
  $E:3: date_of_birth: date of birth '30/02/1985' is not a real date: write it as DD/MM/YYYY (or YYYY-MM-DD), e.g. 05/06/1990
  $E:3: national_id: national ID '5.2195E+10' was turned into a number in scientific notation by the spreadsheet and its digits are lost: format the column as Text and type the 12 digits again
  $E:4: full_name: full name: 'Ø' (U+00D8, at byte 1) has no ASCII form for the bank and the card; write the name in Vietnamese or Latin letters
  $E:4: gender: gender 'nủ' is not one of nam, nữ, M, F
  $E:4: national_id: national ID '52090000112' has 11 digits; a CCCD has 12 (a CMND 9): did the spreadsheet drop a leading 0? Format the column as Text
  $E:4: mandatory: mandatory 'cỏ' is not a yes or no: write 1/0, yes/no, true/false or có/không
  $E:5: national_id: national ID 052090000111 is already on line 2 of this file: keep one of the two lines
  $E:6: mandatory: row has 6 fields, expected 7 (this one and later ones missing)
  $E:7: joined_on: joining date '1970-01-01' is before the date of birth
  $E:8: date_of_birth: date of birth '31121' is a spreadsheet day number, not a date: format the column as a date DD/MM/YYYY (or as Text) and save again
  $E:8: joined_on: joining date '2030-01-01' is in the future
W
)
[ "$(tail -n +2 "$TMP/err")" = "$want" ] || {
    printf '%s\n' "$want" >"$TMP/want"; tail -n +2 "$TMP/err" >"$TMP/got"
    diff "$TMP/want" "$TMP/got" >&2; fail "every problem, in file order"; }
[ "$(members)" = 0 ] && [ "$(imports)" = 0 ] || fail "a rejected file stored rows"
[ "$(sql "SELECT count(*) FROM audit WHERE action = 'member.import'")" = 0 ] ||
    fail "a rejected file was audited as an import"
ok "11 problems on 7 lines reported in one run (line, column, what is wrong, what is right); nothing stored"

# A value quoted back never carries an escape sequence to the terminal.
printf 'full_name,date_of_birth,gender,national_id,position,joined_on,mandatory\r\nA,1990-01-01,\033[2J,052090000111,,2015-01-15,\302\233x\r\n' \
    >"$TMP/esc.csv"
expect_fail 2 uc TP01.clerk member import "$TMP/esc.csv" --unit TP01
grep -q "esc.csv:2: gender: gender '?\[2J' is not one of" "$TMP/err" || fail "ESC: $(cat "$TMP/err")"
grep -q "esc.csv:2: mandatory: mandatory '?x' is not" "$TMP/err" || fail "CSI: $(cat "$TMP/err")"
if grep -q "$(printf '\033')" "$TMP/err"; then fail "an ESC reached the terminal"; fi
ok "control characters in a quoted value are shown as '?'"

# Every missing column named at once, with its Vietnamese name.
printf 'full_name,date_of_birth\r\nA,1990-01-01\r\n' >"$TMP/short.csv"
expect_fail 2 uc TP01.clerk member import "$TMP/short.csv" --unit TP01
grep -q "5 problems" "$TMP/err" || fail "missing columns: $(cat "$TMP/err")"
grep -q "short.csv:1: national_id: required column missing from the header (name it national_id or Số CCCD)" \
    "$TMP/err" || fail "missing national_id: $(cat "$TMP/err")"
ok "every missing header column named, with its Vietnamese name"

# At most 100 problems shown, the rest counted.
python3 - "$TMP/many.csv" <<'PY'
import sys
rows = ["full_name,date_of_birth,gender,national_id,position,joined_on,mandatory"]
rows += [f"Người Thứ {i},1990-01-01,nam,0520900{i:05d},,2015-01-15,maybe" for i in range(150)]
open(sys.argv[1], "wb").write(("\r\n".join(rows) + "\r\n").encode())
PY
expect_fail 2 uc TP01.clerk member import "$TMP/many.csv" --unit TP01
head -n 1 "$TMP/err" | grep -q "150 problems$" || fail "many: $(head -n 1 "$TMP/err")"
[ "$(grep -c "many.csv:[0-9]*: mandatory:" "$TMP/err")" = 100 ] || fail "100 shown"
[ "$(tail -n 1 "$TMP/err")" = "  ... and 50 more" ] || fail "the rest counted: $(tail -n 1 "$TMP/err")"
[ "$(members)" = 0 ] || fail "many stored rows"
ok "150 bad lines: the first 100 shown, then '... and 50 more'"

# 2. A ';' file saved by Vietnamese Excel, with Vietnamese column names
# (any case, NFD), the same yes/no words in every boolean column.
python3 - "$TMP/vn.csv" <<'PY'
import sys, unicodedata
rows = [
    "\ufeffHọ và tên;Ngày sinh;GIỚI TÍNH;Số CCCD;Chức vụ;Ngày vào Công đoàn;Bắt buộc",
    "Nguyễn Văn An;05/06/1990;Nam;052090000111;Kế toán;15/01/2015;Có",
    "Trần Thị Bình;28/02/1985;NỮ;052185000222;\"Giáo viên; chủ nhiệm\";01/05/2010;KHÔNG",
    "Lê Văn Cường;1980-01-01;M;052080000333;;2000-01-01;không",
]
open(sys.argv[1], "wb").write(unicodedata.normalize("NFD", "\r\n".join(rows) + "\r\n").encode())
PY
uc TP01.clerk member import "$TMP/vn.csv" --unit TP01 2>"$TMP/err" || fail "vn: $(cat "$TMP/err")"
grep -q "3 members entered in TP01" "$TMP/err" || fail "vn: $(cat "$TMP/err")"
[ "$(sql "SELECT full_name || '|' || gender || '|' || mandatory || '|' || position
    FROM members ORDER BY id" | tr '\n' '/')" = \
    "Nguyễn Văn An|M|1|Kế toán/Trần Thị Bình|F|0|Giáo viên; chủ nhiệm/Lê Văn Cường|M|0|/" ] ||
    fail "vn rows: $(sql "SELECT full_name, gender, mandatory, position FROM members")"
ok "';' file with Vietnamese headers (upper case, NFD): 3 members, names NFC, Có/KHÔNG read"

printf 'code;name;parent;exempt\r\nTP03;CĐCS Xã Phước Lộc;TP;Có\r\nTP04;CĐCS Xã Phước Hiệp;TP;cỏ\r\nTP05;CĐCS Xã Phước Sơn;NOPE;x\r\n' \
    >"$TMP/units2.csv"
expect_fail 2 uc admin unit import "$TMP/units2.csv"
grep -q "3 problems" "$TMP/err" || fail "units: $(cat "$TMP/err")"
grep -q "units2.csv:3: exempt: exempt 'cỏ' is not a yes or no: write 1/0, yes/no, true/false or có/không" \
    "$TMP/err" || fail "units cỏ: $(cat "$TMP/err")"
grep -q "units2.csv:4: parent: no unit 'NOPE'" "$TMP/err" || fail "units parent: $(cat "$TMP/err")"
grep -q "units2.csv:4: exempt: exempt 'x'" "$TMP/err" || fail "units x: $(cat "$TMP/err")"
[ "$(sql "SELECT count(*) FROM units WHERE code LIKE 'TP0%'")" = 2 ] || fail "units stored"
printf 'code;name;parent;exempt\r\nTP03;CĐCS Xã Phước Lộc;TP;Có\r\nTP04;CĐCS Xã Phước Hiệp;TP;KHÔNG\r\n' \
    >"$TMP/units3.csv"
uc admin unit import "$TMP/units3.csv" 2>/dev/null
[ "$(sql "SELECT group_concat(code || '=' || exempt, ' ') FROM units WHERE code IN ('TP03', 'TP04')")" = \
    "TP03=1 TP04=0" ] || fail "unit exempt words"
ok "unit import: ';' file, every problem in one run, the same yes/no words (Có, KHÔNG; cỏ refused)"

# 3. Progress counts people once.
# Exempt units are outside their parent's progress: GD01 (exempt) has
# members and a target; GD's target and count leave them out.
python3 - "$TMP/gd01.csv" <<'PY'
import sys
rows = ["full_name,date_of_birth,gender,national_id,position,joined_on,mandatory"]
rows += [f"Giáo Viên {i},1990-01-01,nữ,05219000{i:04d},,2015-01-15,0" for i in range(5)]
open(sys.argv[1], "wb").write(("\r\n".join(rows) + "\r\n").encode())
PY
uc GD01.clerk member import "$TMP/gd01.csv" --unit GD01 2>/dev/null
uc admin target set --unit GD01 --year 2026 --members 10 --deadline 2026-10-30
uc admin target set --unit TP01 --year 2026 --members 4 --deadline 2026-12-30
prog() { uc admin report progress --json | jq -r --arg u "$1" \
    '.[] | select(.unit == $u) | "\(.target) \(.entered) \(.approved) \(.percent) \(.exempt)"'; }
[ "$(prog GD01)" = "10 5 0 50 true" ] || fail "GD01: $(prog GD01)"
[ "$(prog GD)" = "null 0 0 null false" ] || fail "GD counts its exempt child: $(prog GD)"
[ "$(prog 52)" = "4 3 0 75 false" ] || fail "root: $(prog 52)"
ok "exempt GD01 (5 members, target 10) is in neither GD's nor the province's target or count"

# A rejected member corrected by a new import is one person: counted once.
uc TP01.clerk member submit --unit TP01 2>/dev/null
uc TP.approver member reject --unit TP01 --national-id 052080000333 --reason "sai ngày sinh"
printf 'full_name,date_of_birth,gender,national_id,position,joined_on,mandatory\r\nLê Văn Cường,1981-01-01,nam,052080000333,,2000-01-01,0\r\n' \
    >"$TMP/fix.csv"
uc TP01.clerk member import "$TMP/fix.csv" --unit TP01 2>/dev/null
[ "$(prog TP01)" = "4 3 0 75 false" ] || fail "re-entered counted twice: $(prog TP01)"
uc TP01.clerk member submit --unit TP01 2>/dev/null
uc TP.approver member approve --unit TP01 --all 2>/dev/null
[ "$(prog TP01)" = "4 3 3 75 false" ] || fail "approved: $(prog TP01)"
[ "$(prog TP)" = "4 3 3 75 false" ] || fail "TP: $(prog TP)"
# The counters are the member rows: the same as recomputed from them.
[ "$(sql "SELECT group_concat(unit_id || ':' || e || ':' || a, ' ') FROM (SELECT unit_id,
    sum(entered) e, sum(approved) a FROM progress_daily GROUP BY unit_id HAVING e > 0 OR a > 0)")" = \
  "$(sql "SELECT group_concat(unit_id || ':' || e || ':' || a, ' ') FROM (SELECT unit_id, count(*) e,
    sum(status = 'approved') a FROM members GROUP BY unit_id)")" ] || fail "counters drift from the rows"
# A member moved to another unit (as a transfer does) counts there only.
sql "UPDATE members SET unit_id = (SELECT id FROM units WHERE code = 'TP02')
    WHERE national_id = '052080000333'"
[ "$(prog TP01)" = "4 2 2 50 false" ] || fail "moved out: $(prog TP01)"
[ "$(prog TP02)" = "null 1 1 null false" ] || fail "moved in: $(prog TP02)"
[ "$(prog TP)" = "4 3 3 75 false" ] || fail "TP after the move: $(prog TP)"
sql "UPDATE members SET unit_id = (SELECT id FROM units WHERE code = 'TP01')
    WHERE national_id = '052080000333'"
ok "a rejected member re-entered counts once; approval adds to approved only; a moved member counts where it is"

# 4. Fees paid: the linked card of a non-mandatory member costs 50,000.
rid=$(uc TP01.clerk request create --unit TP01 --type linked --all-approved)
uc TP01.clerk request submit "$rid"
uc TP.approver request approve "$rid"
uc printer request accept "$rid" >/dev/null
code() { sql "SELECT member_code FROM members WHERE national_id = '$1'"; }
AN=$(code 052090000111); BINH=$(code 052185000222); CUONG=$(code 052080000333)
uc admin report fees --unpaid --json >"$TMP/unpaid.json"
[ "$(jq -r 'map("\(.request) \(.member_code) \(.fee_vnd) \(.payer)") | join(";")' "$TMP/unpaid.json")" = \
    "$rid $BINH 50000 member;$rid $CUONG 50000 member" ] || fail "unpaid: $(cat "$TMP/unpaid.json")"
uc TP01.clerk fee pay --request "$rid" --member "$BINH" --paid-by "Trần Thị Bình" \
    --receipt BL-2026-0042 --on 20/11/2026 >"$TMP/out"
grep -q "fee paid by Trần Thị Bình, receipt BL-2026-0042" "$TMP/out" || fail "pay: $(cat "$TMP/out")"
[ "$(sql "SELECT paid_by || '|' || receipt || '|' || date(paid_on * 86400, 'unixepoch') || '|' || a.name
    FROM fee_payments p JOIN accounts a ON a.id = p.account_id")" = \
    "Trần Thị Bình|BL-2026-0042|2026-11-20|TP01.clerk" ] || fail "payment row"
sql "SELECT details FROM audit WHERE action = 'fee.pay'" | grep -q \
    "fee_vnd=50000 paid_by=Trần Thị Bình paid_on=2026-11-20 receipt=BL-2026-0042" || fail "fee.pay audit"
[ "$(uc admin report fees --unpaid --json | jq -r 'map(.member_code) | join(" ")')" = "$CUONG" ] ||
    fail "unpaid after one payment"
[ "$(uc admin report fees --json | jq -r '.[] | "\(.payer) \(.lines) \(.total_vnd) \(.paid_vnd) \(.unpaid_vnd)"' | sort | tr '\n' ';')" = \
    "member 2 100000 50000 50000;province 1 0 0 0;" ] || fail "fees: $(uc admin report fees --json)"
ok "fee pay records who paid, when and the receipt (audited); report fees shows paid/unpaid; --unpaid lists the rest"

state=$(dump_state)
expect_fail 2 uc TP01.clerk fee pay --request "$rid" --member "$BINH" --paid-by X --receipt R2
grep -q "was paid on 2026-11-20, receipt BL-2026-0042" "$TMP/err" || fail "twice: $(cat "$TMP/err")"
expect_fail 2 uc TP01.clerk fee pay --request "$rid" --member "$AN" --paid-by X --receipt R3
grep -q "nothing to pay" "$TMP/err" || fail "zero fee: $(cat "$TMP/err")"
expect_fail 2 uc AN01.clerk fee pay --request "$rid" --member "$CUONG" --paid-by X --receipt R4
[ "$(sql "SELECT action FROM audit ORDER BY id DESC LIMIT 1")" = refused:fee.pay ] ||
    fail "the refusal is not audited"
expect_fail 2 uc TP.approver fee pay --request "$rid" --member "$CUONG" --paid-by X --receipt R5
grep -q "not permitted" "$TMP/err" || fail "approver: $(cat "$TMP/err")"
expect_fail 2 uc TP01.clerk fee pay --request "$rid" --member "$CUONG" --paid-by X --receipt R6 --on 2026-12-01
grep -q "between the request.s day and today" "$TMP/err" || fail "future: $(cat "$TMP/err")"
expect_fail 2 uc TP01.clerk fee pay --request "$rid" --member "$CUONG" --paid-by X --receipt "$(printf 'R\033[2J')"
grep -q "fee pay: invalid argument" "$TMP/err" || fail "ESC: $(cat "$TMP/err")"
expect_fail 2 uc TP01.clerk fee pay --request 999 --member "$CUONG" --paid-by X --receipt R7
grep -q "request 999 has no line" "$TMP/err" || fail "no line: $(cat "$TMP/err")"
[ "$(dump_state)" = "$state" ] || fail "a refused payment changed the ledger"
ok "paid twice, a free line, another unit's clerk (audited), an approver, a future day, an ESC in the receipt, no such line: refused, nothing changed"

uc admin audit verify >/dev/null || fail "audit chain"
ok "audit chain intact"
