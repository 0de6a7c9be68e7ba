#!/bin/sh
# The bank liaison through the real CLI on a ledger file:
#   1. bank export: the order of a linked request (bank names, branch,
#      payer, fee), written whole; a regular request is refused;
#   2. bank import of a file (BOM, CRLF, quoted commas, masked and full
#      PANs) with exactly one example of each mismatch class, and
#      bank reconcile --json / --csv / text finding exactly those seven;
#   3. the same file again changes nothing; a clean file -> no mismatch,
#      exit 0;
#   4. bad files (missing column, impossible date, truncated last line,
#      bad fee) rejected with file:line: column, the ledger unchanged;
#   5. no full PAN in the ledger file, its WAL, any output or the audit
#      export.
. "$(dirname "$0")/../ledger/lib.sh"
STATION="$UC_BUILD_DIR/tests/bank/bank_station"
export UNIONCARD_TODAY=2024-03-01
export UNIONCARD_PASSPHRASE="liaison test passphrase"

setup_tree >/dev/null
"$UC" keys init --dir "$TMP/keys" >/dev/null || fail "keys init"
KEY="$TMP/keys/bank-link.key"

python3 - "$TMP/tp01.csv" <<'PY'
import sys
rows = [
    "full_name,date_of_birth,gender,national_id,position,joined_on,mandatory",
    "Huỳnh Lê Diễm Tuyết,12/03/1985,nữ,052185000123,Phó Chủ tịch,2010-05-01,1",
    "Dương Lê Hồng Thủy,1979-11-30,nữ,052179000456,Giáo viên,01/09/2001,0",
    "Nguyễn Văn Đức,05/06/1990,nam,052090000789,Kế toán,2015-01-15,0",
    "Phạm Đức Dụ,1975-02-20,M,052075000321,Bảo vệ,1998-03-01,0",
    "Trần Thị Mai,1988-04-04,F,052188000111,Giáo viên,2012-02-02,0",
    "Lê Văn Hùng,1982-08-08,M,052182000222,Giáo viên,2005-05-05,0",
    "Võ Minh Tâm,1995-12-12,M,052195000333,Chủ tịch công đoàn,2019-06-06,1",
    "Đặng Thị Lan,1991-03-03,F,052191000444,Thư viện,2016-06-06,0",
    "Bùi Văn Chín,1992-09-09,M,052192000555,Tạp vụ,2017-07-07,0",
]
open(sys.argv[1], "wb").write(("\r\n".join(rows) + "\r\n").encode())
PY
uc TP01.clerk member import "$TMP/tp01.csv" --unit TP01 >/dev/null
uc TP01.clerk member submit --unit TP01 >/dev/null
uc TP.approver member approve --unit TP01 --all >/dev/null
uc TP01.clerk member list --unit TP01 --json >"$TMP/m.json"
code() { jq -r --arg n "$1" '.[] | select(.national_id == $n) | .member_code' "$TMP/m.json"; }
M1=$(code 052185000123) M2=$(code 052179000456) M3=$(code 052090000789)
M4=$(code 052075000321) M5=$(code 052188000111) M6=$(code 052182000222)
M7=$(code 052195000333) M8=$(code 052191000444) M9=$(code 052192000555)

# A regular request for M9 only; a linked one for M1..M8, union pays.
rid=$(uc TP01.clerk request create --unit TP01 --type regular --members "$M9")
lid=$(uc TP01.clerk request create --unit TP01 --type linked --payer union \
    --members "$M1,$M2,$M3,$M4,$M5,$M6,$M7,$M8")
for id in "$rid" "$lid"; do
    uc TP01.clerk request submit "$id"
    uc TP.approver request approve "$id"
done

# 1. The order for the bank.
uc liaison bank export --request "$lid" --out "$TMP/order.csv" >"$TMP/out" ||
    fail "export: $(cat "$TMP/out")"
grep -q "8 linked cards" "$TMP/out" || fail "export says: $(cat "$TMP/out")"
[ "$(head -n 1 "$TMP/order.csv" | tr -d '\r')" = \
    "member_code,bank_name,full_name,national_id,unit_code,unit_name,branch_code,branch_name,payer,fee_vnd" ] ||
    fail "order header: $(head -n 1 "$TMP/order.csv")"
[ "$(wc -l <"$TMP/order.csv")" = 9 ] || fail "order rows"
row1=$(grep "^$M1," "$TMP/order.csv" | tr -d '\r')
[ "$row1" = "$M1,HUYNH LE DIEM TUYET,Huỳnh Lê Diễm Tuyết,052185000123,TP01,CĐCS Trường THPT Tuy Phước,TP,LĐLĐ huyện Tuy Phước,province,0" ] ||
    fail "order row of a mandatory member: $row1"
grep -q "^$M8,DANG THI LAN,.*,TP,LĐLĐ huyện Tuy Phước,union,50000" "$TMP/order.csv" ||
    fail "order row: Đ -> D, union pays 50000: $(grep "^$M8," "$TMP/order.csv")"
find "$TMP" -maxdepth 1 -name '*order.csv.tmp*' | grep -q . && fail "temp file left behind"
expect_fail 2 "$UC" --as liaison bank export --request "$rid" --out "$TMP/reg.csv"
grep -q "regular request: only linked cards are ordered from the bank" "$TMP/err" ||
    fail "regular request: $(cat "$TMP/err")"
[ ! -e "$TMP/reg.csv" ] || fail "a file was written for a regular request"
expect_fail 2 "$UC" --as TP01.clerk bank export --request "$lid" --out "$TMP/x.csv"
uc admin audit export --csv | grep -q "bank.export" || fail "export not audited"
ok "bank export: 8 linked lines with bank names, branch, payer and fee; regular request refused"

# The station encodes the linked cards: PANs known only as HMAC + last 4.
uc printer request accept "$lid"
uc printer request accept "$rid"
luhn() { python3 -c '
import sys
b = sys.argv[1]
for c in "0123456789":
    d = [int(x) for x in b + c][::-1]
    s = sum(x if i % 2 == 0 else (2 * x - 9 if 2 * x > 9 else 2 * x) for i, x in enumerate(d))
    if s % 10 == 0:
        print(b + c); break' "$1"; }
P1=$(luhn 970415100000001) P2=$(luhn 970415100000002) P3=$(luhn 970415100000003)
P4=$(luhn 970415100000004) P5=$(luhn 970415100000005) P6=$(luhn 970415100000006)
P7=$(luhn 970415100000007) P8=$(luhn 970415100000008)
PX=$(luhn 970415199999993)   # a card the ledger never saw
PANS="$P1 $P2 $P3 $P4 $P5 $P6 $P7 $P8 $PX"
uc printer card list --request "$lid" --json >"$TMP/c.json"
serial() { jq -r --arg m "$1" '.[] | select(.member_code == $m) | .serial' "$TMP/c.json"; }
i=1
for m in "$M1" "$M2" "$M3" "$M4" "$M5" "$M6" "$M7" "$M8"; do
    eval "pan=\$P$i"
    "$STATION" "$UNIONCARD_LEDGER" printer "$KEY" "$(serial "$m")" "$pan" issued ||
        fail "station for $m"
    i=$((i + 1))
done
uc TP01.clerk card lost "$(serial "$M6")" --reason "Mất ví"
ok "8 linked cards encoded and issued, one of them since lost"

last4() { echo "$1" | cut -c 13-16; }
mask() { echo "$(echo "$1" | cut -c 1-6)******$(last4 "$1")"; }
# bankfile OUT ROWS...: UTF-8 BOM, CRLF, an extra column with a quoted comma
bankfile() {
    out="$1"; shift
    python3 - "$out" "$@" <<'PY'
import sys
rows = ["member_code,card_ref,full_name,pan,status,fee_vnd,issued_on,note"]
rows += sys.argv[2:]
data = "\ufeff" + "\r\n".join(rows) + "\r\n"
open(sys.argv[1], "wb").write(data.encode())
PY
}
NOTE='"Chi nhánh Bình Định, PGD Tuy Phước"'

# 2. One example of each class.
bankfile "$TMP/bank1.csv" \
    "$M1,VTB-0001,Huỳnh Lê Diễm Tuyết,$(mask "$P1"),active,0,2024-02-20,$NOTE" \
    "$M2,VTB-0002,\"Dương Lê Hồng Thủy\",$P2,active,50000,20/02/2024,$NOTE" \
    "$M3,VTB-0003,NGUYEN VAN DUC,$PX,active,50000,2024-02-20," \
    "$M4,VTB-0004,Phạm Văn Dụ,$P4,active,50000,2024-02-20," \
    "$M5,VTB-0005,Trần Thị Mai,$P5,active,50000,2024-02-20," \
    "$M5,VTB-0015,Trần Thị Mai,$P5,active,50000,2024-02-21," \
    "$M6,VTB-0006,Lê Văn Hùng,$P6,active,50000,2024-02-20," \
    "$M7,VTB-0007,Võ Minh Tâm,$P7,active,50000,2024-02-20," \
    "$M9,VTB-0009,Bùi Văn Chín,$(mask "$PX"),pending,50000,2024-02-20,"
before_audit=$(sql "SELECT count(*) FROM audit")
uc liaison bank import "$TMP/bank1.csv" --keys "$TMP/keys" >"$TMP/imp1.out" 2>&1 ||
    fail "import: $(cat "$TMP/imp1.out")"
grep -q "imported 9 rows as import 1" "$TMP/imp1.out" || fail "import: $(cat "$TMP/imp1.out")"
[ "$(sql "SELECT count(*) FROM audit")" = $((before_audit + 1)) ] || fail "one audit row"
[ "$(sql "SELECT count(*) FROM bank_records")" = 9 ] || fail "9 records"
[ "$(sql "SELECT full_name FROM bank_records WHERE line = 3")" = "Dương Lê Hồng Thủy" ] ||
    fail "quoted name"
pan_row() { sql "SELECT pan_masked || ' ' || pan_last4 || ' ' ||
    coalesce(length(pan_hmac), '-') FROM bank_records WHERE line = $1"; }
[ "$(pan_row 2)" = "1 $(last4 "$P1") -" ] || fail "masked PAN: last four only: $(pan_row 2)"
[ "$(pan_row 3)" = "0 $(last4 "$P2") 32" ] || fail "full PAN: HMAC + last four: $(pan_row 3)"
ok "bank file with BOM, CRLF, quoted commas, full and masked PANs imported in one audited step"

set +e
uc liaison bank reconcile --json >"$TMP/rec.json" 2>"$TMP/rec.err"
rc=$?
set -e
[ "$rc" = 1 ] || fail "reconcile with mismatches exits $rc: $(cat "$TMP/rec.err")"
jq -e '.summary | keys_unsorted == ["missing_at_bank", "unknown_to_us",
    "pan_mismatch", "name_mismatch", "duplicate", "status_conflict",
    "fee_mismatch"] and (to_entries | map(.value) | all(. == 1))' \
    "$TMP/rec.json" >/dev/null || fail "summary: $(jq -c .summary "$TMP/rec.json")"
[ "$(jq '.mismatches | length' "$TMP/rec.json")" = 7 ] ||
    fail "7 mismatches: $(jq -c .mismatches "$TMP/rec.json")"
got=$(jq -r '.mismatches[] | "\(.class) \(.member_code)"' "$TMP/rec.json" | sort)
want=$(printf '%s\n' "missing_at_bank $M8" "unknown_to_us $M9" \
    "pan_mismatch $M3" "name_mismatch $M4" "duplicate $M5" \
    "status_conflict $M6" "fee_mismatch $M7" | sort)
[ "$got" = "$want" ] || fail "mismatches: $got"
jq -e '.mismatches | map(has("class") and has("member_code") and has("detail")) | all' \
    "$TMP/rec.json" >/dev/null || fail "mismatch keys"
det() { jq -r --arg c "$1" '.mismatches[] | select(.class == $c) | .detail' "$TMP/rec.json"; }
det pan_mismatch | grep -q "ending $(last4 "$PX") (full PAN), ledger card .* ending $(last4 "$P3")" ||
    fail "pan detail: $(det pan_mismatch)"
det name_mismatch | grep -q 'bank name "PHAM VAN DU", ledger name "PHAM DUC DU"' ||
    fail "name detail: $(det name_mismatch)"
det duplicate | grep -q "appears 2 times .*lines 6, 7" || fail "dup detail: $(det duplicate)"
det status_conflict | grep -q "is active, ledger card .* is lost" ||
    fail "status detail: $(det status_conflict)"
det fee_mismatch | grep -q "bank charged 50000 VND, .* says 0 VND" ||
    fail "fee detail: $(det fee_mismatch)"
det unknown_to_us | grep -q "no linked card" || fail "unknown detail: $(det unknown_to_us)"
det missing_at_bank | grep -q "has no row in the bank's file" ||
    fail "missing detail: $(det missing_at_bank)"
ok "reconcile --json: exactly one mismatch of each of the 7 classes, exit 1"

set +e
uc liaison bank reconcile --csv >"$TMP/rec.csv"; rc=$?
uc liaison bank reconcile >"$TMP/rec.txt"; rc2=$?
set -e
[ "$rc" = 1 ] && [ "$rc2" = 1 ] || fail "csv/text exit $rc $rc2"
[ "$(head -n 1 "$TMP/rec.csv" | tr -d '\r')" = "class,member_code,detail,line,card_ref,serial" ] ||
    fail "csv header: $(head -n 1 "$TMP/rec.csv")"
[ "$(wc -l <"$TMP/rec.csv")" = 8 ] || fail "csv rows"
grep -q "^fee_mismatch,$M7," "$TMP/rec.csv" || fail "csv fee row"
# every --json field is in the CSV, row for row (null -> empty cell)
python3 - "$TMP/rec.json" "$TMP/rec.csv" <<'PY' || fail "csv carries --json"
import csv, json, sys
j = json.load(open(sys.argv[1]))["mismatches"]
rows = list(csv.DictReader(open(sys.argv[2], newline="")))
assert len(rows) == len(j), (len(rows), len(j))
for a, b in zip(j, rows):
    assert set(a) == set(b), (set(a), set(b))
    for k, v in a.items():
        assert b[k] == ("" if v is None else str(v)), (k, v, b[k])
PY
grep "^fee_mismatch," "$TMP/rec.csv" | tr -d '\r' | grep -q '",9,VTB-0007,[0-9]\{11\}$' ||
    fail "csv fee row line, card_ref, serial: $(grep "^fee_mismatch," "$TMP/rec.csv")"
head -n 1 "$TMP/rec.txt" | grep -q "^class *count" || fail "text starts with the summary"
grep -q "^duplicate *1$" "$TMP/rec.txt" || fail "text summary row"
grep -q "^status_conflict *$M6 " "$TMP/rec.txt" || fail "text detail row"
ok "reconcile --csv and text: summary first, then one line per mismatch"

# 3. The same file again: nothing changes.
state=$(dump_state)
naudit=$(sql "SELECT count(*) FROM audit")
uc liaison bank import "$TMP/bank1.csv" --bank-key "$KEY" >"$TMP/imp2.out" ||
    fail "second import"
grep -q "already imported as import 1" "$TMP/imp2.out" || fail "second: $(cat "$TMP/imp2.out")"
[ "$(dump_state)" = "$state" ] || fail "second import changed the ledger"
[ "$(sql "SELECT count(*) FROM audit")" = "$naudit" ] || fail "second import audited"
ok "the same file again: already imported as import 1, nothing changed"

# A clean file: every live linked card, right PAN, name, status and fee.
bankfile "$TMP/bank2.csv" \
    "$M1,VTB-0001,HUYNH LE DIEM TUYET,$(mask "$P1"),active,0,2024-02-20," \
    "$M2,VTB-0002,Dương Lê Hồng Thủy,$P2,active,50000,2024-02-20," \
    "$M3,VTB-0003,Nguyễn Văn Đức,$P3,active,50000,2024-02-20," \
    "$M4,VTB-0004,Phạm Đức Dụ,$P4,active,50000,2024-02-20," \
    "$M5,VTB-0005,Trần Thị Mai,$P5,pending,50000,2024-02-20," \
    "$M6,VTB-0006,Lê Văn Hùng,$(mask "$P6"),blocked,50000,2024-02-20," \
    "$M7,VTB-0007,Võ Minh Tâm,$P7,active,0,2024-02-20," \
    "$M8,VTB-0008,Đặng Thị Lan,$P8,active,50000,2024-02-20,"
uc liaison bank import "$TMP/bank2.csv" --keys "$TMP/keys" --json >"$TMP/imp3.json" ||
    fail "clean import"
[ "$(jq -r '"\(.import_id) \(.rows) \(.already)"' "$TMP/imp3.json")" = "2 8 false" ] ||
    fail "clean import: $(cat "$TMP/imp3.json")"
uc liaison bank reconcile --json >"$TMP/rec2.json" ||
    fail "clean reconcile exits nonzero: $(cat "$TMP/rec2.json")"
jq -e '(.mismatches | length) == 0 and (.summary | length) == 7 and
    (.summary | to_entries | map(.value) | all(. == 0))' "$TMP/rec2.json" >/dev/null ||
    fail "clean: $(cat "$TMP/rec2.json")"
uc liaison bank reconcile >"$TMP/rec2.txt" || fail "clean text exit"
# importing the first file again does not make it the newest
uc liaison bank import "$TMP/bank1.csv" --keys "$TMP/keys" | grep -q "already imported as import 1" ||
    fail "old file again"
uc liaison bank reconcile --json >/dev/null || fail "old file became the newest"
ok "clean file: no mismatch, exit 0; the newest import is the one compared"

# bank imports: every import, oldest first, the newest marked
uc liaison bank imports --json >"$TMP/imports.json" || fail "bank imports"
[ "$(jq -r 'map("\(.import) \(.file) \(.rows) \(.account) \(.newest)") | join(";")' \
    "$TMP/imports.json")" = "1 bank1.csv 9 liaison false;2 bank2.csv 8 liaison true" ] ||
    fail "bank imports: $(cat "$TMP/imports.json")"
[ "$(jq -r '.[1].sha256' "$TMP/imports.json")" = "$(jq -r .sha256 "$TMP/imp3.json")" ] ||
    fail "bank imports sha256"
[ "$(jq -r '.[1].sha256' "$TMP/imports.json")" = "$(sha256sum "$TMP/bank2.csv" | cut -c 1-64)" ] ||
    fail "the stored hash is not the file's"
uc liaison bank imports >"$TMP/imports.txt"
[ "$(head -n 1 "$TMP/imports.txt" | tr -s ' \t' ' ')" = "import file rows account at newest sha256" ] ||
    fail "bank imports text: $(head -n 1 "$TMP/imports.txt")"
[ "$(wc -l <"$TMP/imports.txt")" = 3 ] || fail "bank imports rows"
expect_fail 2 uc TP01.clerk bank imports
ok "bank imports lists both imports (file, rows, who, sha256 of the bytes), the newest marked; a clerk is refused"

# 4. Bad files are rejected whole, naming file, line and column.
state=$(dump_state)
naudit=$(sql "SELECT count(*) FROM audit")
python3 - "$TMP" "$M1" "$M2" "$M3" "$P1" "$P2" "$P3" <<'PY'
import sys
d, m1, m2, m3, p1, p2, p3 = sys.argv[1:]
h = "member_code,card_ref,full_name,pan,status,fee_vnd,issued_on"
good = [f"{m1},VTB-0001,HUYNH LE DIEM TUYET,{p1},active,0,2024-02-20",
        f"{m2},VTB-0002,DUONG LE HONG THUY,{p2},active,50000,2024-02-20"]
files = {
    # no issued_on column
    "bad-missing.csv": "\ufeffmember_code,card_ref,full_name,pan,status,fee_vnd\r\n"
        + f"{m1},VTB-0001,X,{p1},active,0\r\n",
    # 30 February on line 3
    "bad-date.csv": "\r\n".join([h] + good[:1] + [good[1].replace("2024-02-20", "2024-02-30")]) + "\r\n",
    # the last line cut off in the middle
    "bad-trunc.csv": "\r\n".join([h] + good) + f"\r\n{m3},VTB-0003,NGUYEN VAN DUC,{p3}",
    # a fee written with a thousands separator, quoted, on line 4
    "bad-fee.csv": "\r\n".join([h] + good + [f'{m3},VTB-0003,NGUYEN VAN DUC,{p3},active,"50,000",2024-02-20']) + "\r\n",
}
for name, text in files.items():
    open(f"{d}/{name}", "wb").write(text.encode())
PY
bad() { # FILE EXPECTED-DIAG
    expect_fail 2 "$UC" --as liaison bank import "$TMP/$1" --keys "$TMP/keys"
    grep -q "$TMP/$2" "$TMP/err" || fail "$1: $(cat "$TMP/err")"
    grep -q "nothing changed" "$TMP/err" || fail "$1: $(cat "$TMP/err")"
    cat "$TMP/err" >>"$TMP/all.out"
    [ "$(dump_state)" = "$state" ] || fail "$1 changed the ledger"
    [ "$(sql "SELECT count(*) FROM audit")" = "$naudit" ] || fail "$1 was audited"
}
bad bad-missing.csv "bad-missing.csv:1: issued_on"
bad bad-date.csv "bad-date.csv:3: issued_on"
bad bad-trunc.csv "bad-trunc.csv:4:"
bad bad-fee.csv "bad-fee.csv:4: fee_vnd"
ok "missing column, impossible date, truncated last line, bad fee: rejected with file:line: column, ledger unchanged"

# A header and no records; a full PAN in the note column or in a name;
# not a regular file; over the size bound.
python3 - "$TMP" "$M1" "$M2" "$P1" "$P2" <<'PY'
import sys
d, m1, m2, p1, p2 = sys.argv[1:]
h = "member_code,card_ref,full_name,pan,status,fee_vnd,issued_on,note"
sp = " ".join(p2[i:i + 4] for i in range(0, 16, 4))
files = {
    "bad-empty.csv": h + "\r\n",
    "bad-note.csv": f"{h}\r\n{m1},VTB-0001,HUYNH LE DIEM TUYET,{p1[:6]}******{p1[-4:]},active,0,2024-02-20,card {p2}\r\n",
    "bad-name.csv": f"{h}\r\n{m2},VTB-0002,DUONG {sp},{p1[:6]}******{p1[-4:]},active,0,2024-02-20,\r\n",
}
for name, text in files.items():
    open(f"{d}/{name}", "wb").write(text.encode())
PY
bad bad-empty.csv "bad-empty.csv:1: a header and no records"
bad bad-note.csv "bad-note.csv:2: note: holds what looks like a full card number"
bad bad-name.csv "bad-name.csv:2: full_name: holds what looks like a full card number"
for pan in $PANS; do
    n=$(grep -c -a "$pan" "$TMP/all.out" || true)
    [ "$n" = 0 ] || fail "a refusal quoted a PAN"
done
expect_fail 2 "$UC" --as liaison bank import /dev/zero --keys "$TMP/keys"
grep -q "/dev/zero: not a regular file" "$TMP/err" || fail "/dev/zero: $(cat "$TMP/err")"
expect_fail 2 "$UC" --as liaison bank import "$TMP" --keys "$TMP/keys"
grep -q "not a regular file" "$TMP/err" || fail "directory: $(cat "$TMP/err")"
mkfifo "$TMP/bad-fifo.csv"
expect_fail 2 "$UC" --as liaison bank import "$TMP/bad-fifo.csv" --keys "$TMP/keys"
grep -q "bad-fifo.csv: not a regular file" "$TMP/err" || fail "fifo: $(cat "$TMP/err")"
rm -f "$TMP/bad-fifo.csv"
truncate -s 1100M "$TMP/bad-huge.csv"
expect_fail 2 "$UC" --as liaison bank import "$TMP/bad-huge.csv" --keys "$TMP/keys"
grep -q "bad-huge.csv: 1153433600 bytes, more than the 1073741824" "$TMP/err" ||
    fail "huge: $(cat "$TMP/err")"
rm -f "$TMP/bad-huge.csv"
[ "$(dump_state)" = "$state" ] || fail "a refused file changed the ledger"
ok "header only, a PAN in the note or the name, /dev/zero, a directory, a FIFO (without hanging), a file over 1 GiB: refused, ledger unchanged"

# 5. No full PAN anywhere the ledger or the tools wrote.
uc admin audit export --csv >"$TMP/audit.csv"
grep -q "bank.import" "$TMP/audit.csv" || fail "import not audited"
grep -q "sha256=" "$TMP/audit.csv" || fail "audit row lacks the sha256"
cat "$TMP"/imp*.out "$TMP"/imp3.json "$TMP"/rec* "$TMP/order.csv" >>"$TMP/all.out"
for pan in $PANS; do
    for f in "$UNIONCARD_LEDGER" "$UNIONCARD_LEDGER-wal" "$TMP/audit.csv" "$TMP/all.out"; do
        [ -e "$f" ] || continue
        n=$(grep -c -a "$pan" "$f" || true)
        [ "$n" = 0 ] || fail "a full PAN ($(last4 "$pan")) is in $f"
    done
done
grep -q "$(last4 "$PX")" "$TMP/rec.json" || fail "details show the last four"
uc admin audit verify >/dev/null || fail "audit chain"
ok "no full PAN in the ledger, its WAL, the audit export or any output"
