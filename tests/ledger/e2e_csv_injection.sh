#!/bin/sh
# CSV formula injection (OWASP): every CSV the project writes goes through
# the one writer, which neutralises a cell starting with = + - @ TAB or CR
# (a leading ' and quotes), once.
#   1. bank export: a member named =cmd|' /C calc'!A0 (and a position
#      starting with @) reaches the bank's order only as text;
#   2. audit export --csv: an account name planted by anyone through a
#      refused login (=HYPERLINK(...)) is text in the auditor's sheet;
#   3. report progress --csv: a unit named "=1+1 ..." likewise;
# and no other cell of those files is changed by the rule.
. "$(dirname "$0")/lib.sh"
export UNIONCARD_TODAY=2021-07-15

setup_tree >/dev/null 2>&1
cat >"$TMP/m.csv" <<'CSV'
full_name,date_of_birth,gender,national_id,position,joined_on,mandatory
=cmd|' /C calc'!A0,12/03/1985,nữ,052185000123,Giáo viên,2010-05-01,1
Nguyễn Văn Đức,05/06/1990,nam,052090000789,Kế toán,2015-01-15,no
CSV
uc TP01.clerk member import "$TMP/m.csv" --unit TP01 2>/dev/null
uc TP01.clerk member submit --unit TP01 2>/dev/null
uc TP.approver member approve --unit TP01 --all 2>/dev/null
rid=$(uc TP01.clerk request create --unit TP01 --type linked --all-approved)
uc TP01.clerk request submit "$rid"
uc TP.approver request approve "$rid"

# --- 1. the bank's order -------------------------------------------------
uc liaison bank export --request "$rid" --out "$TMP/order.csv" >/dev/null
# the raw line, as a spreadsheet would read it
grep -q "^52000000010,\"'=CMD|' /C CALC'!A0\",\"'=cmd|' /C calc'!A0\",052185000123," \
    "$TMP/order.csv" || { cat "$TMP/order.csv" >&2; fail "bank export: name not neutralised"; }
# no cell of the order starts with a formula character
python3 - "$TMP/order.csv" <<'PY' || fail "bank export: a live formula cell"
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="", encoding="utf-8")))
assert len(rows) == 3, rows
for row in rows:
    for cell in row:
        assert cell[:1] not in ("=", "+", "-", "@", "\t", "\r"), cell
# the other member's row is untouched by the rule
assert rows[2][2] == "Nguyễn Văn Đức" and rows[2][1] == "NGUYEN VAN DUC", rows[2]
PY
# what is stored is what was typed: the rule is the writer's, not the ledger's
[ "$(sql "SELECT full_name FROM members WHERE national_id = '052185000123'")" \
    = "=cmd|' /C calc'!A0" ] || fail "stored name changed"
ok "bank export: =cmd|' /C calc'!A0 reaches the bank's order as text"

# --- 2. audit export: planted without logging in --------------------------
evil='=HYPERLINK("http://e.vn/x","y")'
expect_fail 2 "$UC" --as "$evil" report progress
# a name no account can have is not copied into the trail at all ...
[ "$(sql "SELECT count(*) FROM audit WHERE action = 'refused:login'
    AND object = '?'")" = 1 ] || fail "the refused login was not audited as '?'"
[ "$(sql "SELECT count(*) FROM audit WHERE object LIKE '%HYPERLINK%'")" = 0 ] ||
    fail "an impossible account name reached the trail"
# ... and one that an account could have but a spreadsheet would compute
# (-1-1 is =-1-1) is written as text
evil2='-1-1'
expect_fail 2 "$UC" --as "$evil2" report progress
[ "$(sql "SELECT count(*) FROM audit WHERE action = 'refused:login'
    AND object = '$evil2'")" = 1 ] || fail "the refused login was not audited"
uc admin audit export --csv >"$TMP/audit.csv"
grep -q "\"'-1-1\"" "$TMP/audit.csv" ||
    { cat "$TMP/audit.csv" >&2; fail "audit export: account name not neutralised"; }
python3 - "$TMP/audit.csv" <<'PY' || fail "audit export: a live formula cell"
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="", encoding="utf-8")))
for row in rows:
    for cell in row:
        assert cell[:1] not in ("=", "+", "-", "@", "\t", "\r"), cell
assert any(r[5] == "'-1-1" for r in rows[1:])
PY
"$UC" audit verify >/dev/null || fail "audit verify after the export"
ok "audit export --csv: a refused login as -1-1 is text; =HYPERLINK(...) never reaches the trail"

# --- 3. report progress --csv --------------------------------------------
uc admin unit add EVIL --name "=1+1 CĐCS Ngân hàng" --parent TP 2>/dev/null
uc admin report progress --csv >"$TMP/progress.csv"
grep -q "^EVIL,\"'=1+1 CĐCS Ngân hàng\",TP," "$TMP/progress.csv" ||
    { cat "$TMP/progress.csv" >&2; fail "report progress --csv: unit name"; }
ok "report progress --csv: a unit named =1+1 is text"
