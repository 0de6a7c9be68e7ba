#!/bin/sh
# The seeds' story through the real CLI: tree, accounts, a member list in
# NFD with CRLF, approval by the superior, member codes, a regular and a
# linked request (one rejected with a reason and resubmitted), fees as the
# documents say, a replacement, targets and the progress report.
. "$(dirname "$0")/lib.sh"
export UNIONCARD_TODAY=2021-07-15

setup_tree
[ "$(uc admin unit list --json | jq length)" = 8 ] || fail "8 units"
[ "$(uc admin unit list --json | jq -r '.[] | select(.code=="GD01") | .exempt')" = true ] \
    || fail "GD01 exempt"
ok "tree of 8 units with accounts"

member_csv "$TMP/tp01.csv"
uc TP01.clerk member import "$TMP/tp01.csv" --unit TP01
uc TP01.clerk member list --unit TP01 --json >"$TMP/m.json"
[ "$(jq length "$TMP/m.json")" = 4 ] || fail "4 members"
# stored NFC, folded ASCII kept
name=$(jq -r '.[0].full_name' "$TMP/m.json")
[ "$name" = "$(printf 'Huỳnh Lê Diễm Tuyết' | python3 -c 'import sys,unicodedata;print(unicodedata.normalize("NFC",sys.stdin.read()),end="")')" ] \
    || fail "name not NFC: $name"
[ "$(jq -r '.[0].name_ascii' "$TMP/m.json")" = "HUYNH LE DIEM TUYET" ] || fail "ascii fold"
[ "$(jq -r '.[2].name_ascii' "$TMP/m.json")" = "NGUYEN VAN DUC" ] || fail "Đ -> D"
[ "$(jq -r '.[2].position' "$TMP/m.json")" = "Kế toán, thủ quỹ" ] || fail "quoted field"
[ "$(jq -r '.[1].date_of_birth' "$TMP/m.json")" = "1979-11-30" ] || fail "date"
[ "$(jq -r '[.[].mandatory] | map(tostring) | join(",")' "$TMP/m.json")" = "true,false,false,true" ] \
    || fail "mandatory"
[ "$(jq -r '.[0].member_code' "$TMP/m.json")" = null ] || fail "code before approval"
ok "NFD + CRLF list imported, stored NFC with ASCII fold"

uc TP01.clerk member submit --unit TP01
uc TP.approver member approve --unit TP01 --all
uc TP01.clerk member list --unit TP01 --json >"$TMP/m.json"
[ "$(jq -r '[.[] | select(.status=="approved")] | length' "$TMP/m.json")" = 4 ] \
    || fail "all approved"
codes=$(jq -r '.[].member_code' "$TMP/m.json")
[ "$(echo "$codes" | sort -u | wc -l)" = 4 ] || fail "distinct codes"
for c in $codes; do
    echo "$c" | grep -Eq '^52[0-9]{9}$' || fail "code $c"
done
ok "superior approved; member codes $(echo "$codes" | paste -sd " ")"

# AN01: one member rejected with a reason, corrected, resubmitted
cat >"$TMP/an01.csv" <<'CSV'
full_name,date_of_birth,gender,national_id,position,joined_on,mandatory
Trần Thị Mai,1988-04-04,F,052188000111,Điều dưỡng,2012-02-02,0
Lê Văn Hùng,1982-08-08,M,052182000222,Cán bộ công đoàn chuyên trách,2005-05-05,1
Võ Minh Tâm,1995-12-12,M,052195000333,Bác sĩ,2020-06-06,0
CSV
uc AN01.clerk member import "$TMP/an01.csv" --unit AN01
uc AN01.clerk member submit --unit AN01
uc AN.approver member reject --unit AN01 --national-id 052195000333 \
    --reason "Sai ngày vào công đoàn"
uc AN.approver member approve --unit AN01 --national-id 052188000111 052182000222
[ "$(uc AN01.clerk member list --unit AN01 --status rejected --json | jq -r '.[0].reject_reason')" \
    = "Sai ngày vào công đoàn" ] || fail "reject reason"
sed -i 's/2020-06-06/2019-06-06/' "$TMP/an01.csv"
printf 'full_name,date_of_birth,gender,national_id,position,joined_on,mandatory\nVõ Minh Tâm,1995-12-12,M,052195000333,Bác sĩ,2019-06-06,0\n' \
    >"$TMP/an01b.csv"
uc AN01.clerk member import "$TMP/an01b.csv" --unit AN01
uc AN01.clerk member submit --unit AN01
uc AN.approver member approve --unit AN01 --all
[ "$(uc AN01.clerk member list --unit AN01 --status approved --json | jq length)" = 3 ] \
    || fail "AN01 approved"
ok "member rejected with a reason, corrected and approved"

# Regular cards for TP01: rejected once, resubmitted, approved, accepted
rid=$(uc TP01.clerk request create --unit TP01 --type regular --all-approved)
echo "$rid" | grep -Eq '^[0-9]+$' || fail "request id alone: '$rid'"
uc TP01.clerk request submit "$rid"
uc TP.approver request reject "$rid" --reason "Thiếu ảnh đoàn viên"
[ "$(uc TP01.clerk request show "$rid" --json | jq -r .status)" = rejected ] || fail "rejected"
uc TP01.clerk request submit "$rid"
uc TP.approver request approve "$rid"
uc printer request accept "$rid"
uc TP01.clerk request show "$rid" --json >"$TMP/r.json"
[ "$(jq -r .status "$TMP/r.json")" = accepted ] || fail "accepted"
[ "$(jq -r .type "$TMP/r.json")" = regular ] || fail "type"
[ "$(jq -r '[.lines[] | "\(.fee_vnd)/\(.payer)"] | unique | join(" ")' "$TMP/r.json")" = "0/province" ] \
    || fail "first regular cards are 0, paid by the province"
[ "$(jq -r '[.events[].action] | join(",")' "$TMP/r.json")" = \
    "create,submit,reject,submit,approve,accept" ] || fail "events"
[ "$(jq -r '.events[2].reason' "$TMP/r.json")" = "Thiếu ảnh đoàn viên" ] || fail "reason"
[ "$(jq -r '.events[4].account' "$TMP/r.json")" = TP.approver ] || fail "who approved"
ok "regular request $rid: rejected with a reason, resubmitted, approved, accepted; 4 x 0 VND (province)"

# Linked cards for AN01, union pays for non-mandatory members
lid=$(uc AN01.clerk request create --unit AN01 --type linked --all-approved --payer union)
uc AN01.clerk request submit "$lid"
uc AN.approver request approve "$lid"
uc printer request accept "$lid"
uc AN01.clerk request show "$lid" --json >"$TMP/l.json"
[ "$(jq -r '.lines[] | select(.national_id=="052182000222") | "\(.fee_vnd)/\(.payer)"' "$TMP/l.json")" \
    = "0/province" ] || fail "mandatory linked card free"
[ "$(jq -r '[.lines[] | select(.national_id!="052182000222") | "\(.fee_vnd)/\(.payer)"] | unique | join(" ")' "$TMP/l.json")" \
    = "50000/union" ] || fail "linked card 50,000 paid by the union"
ok "linked request $lid: 0 for the mandatory member, 50,000 (union) for the others"

# Cards: issue, lose one, replace it (10,000 paid by the member)
uc printer card list --request "$rid" --json >"$TMP/c.json"
[ "$(jq length "$TMP/c.json")" = 4 ] || fail "4 cards"
[ "$(jq -r '[.[].status] | unique | join(",")' "$TMP/c.json")" = reserved ] || fail "reserved"
for s in $(jq -r '.[].serial' "$TMP/c.json"); do uc printer card issue "$s"; done
s1=$(jq -r '.[0].serial' "$TMP/c.json")
m1=$(jq -r '.[0].member_code' "$TMP/c.json")
uc TP01.clerk card lost "$s1" --reason "Mất ví"
xid=$(uc TP01.clerk request create --unit TP01 --type regular --members "$m1" --replacement lost)
uc TP01.clerk request submit "$xid"
uc TP.approver request approve "$xid"
uc printer request accept "$xid"
[ "$(uc TP01.clerk request show "$xid" --json | jq -r '.lines[0] | "\(.fee_vnd)/\(.payer)"')" \
    = "10000/member" ] || fail "a later card costs the member 10,000"
new=$(uc printer card list --request "$xid" --json | jq -r '.[0].serial')
[ "$new" != "$s1" ] || fail "new serial"
[ "$(uc printer card show "$s1" | jq -r '"\(.status) \(.replaced_by)"')" = "lost $new" ] || fail "old card"
# a data change replaces a live card: the old one stops being valid
s2=$(jq -r '.[1].serial' "$TMP/c.json")
yid=$(uc TP01.clerk card replace "$s2" --reason data_change)
uc TP01.clerk request submit "$yid"
uc TP.approver request approve "$yid"
uc printer request accept "$yid"
[ "$(uc printer card show "$s2" | jq -r .status)" = replaced ] || fail "replaced"
ok "lost card $s1 replaced by $new for 10,000 VND (member); $s2 replaced"

# Fee schedule change does not touch past lines
uc admin fee set regular.later 20000 --from 2021-08-01
[ "$(uc TP01.clerk request show "$xid" --json | jq -r '.lines[0].fee_vnd')" = 10000 ] \
    || fail "past line changed"
uc admin report fees --json >"$TMP/f.json"
[ "$(jq -r '[.[] | select(.payer=="union")] | .[0].total_vnd' "$TMP/f.json")" = 100000 ] \
    || fail "fees by union"
uc admin report cards --json | jq -e '.[] | select(.status=="issued")' >/dev/null \
    || fail "card report"
[ "$(uc TP01.clerk member show "$m1" | jq -r .member_code)" = "$m1" ] || fail "member show"
[ "$(uc admin request list --json | jq length)" = 4 ] || fail "request list"
[ "$(uc TP01.clerk request list --json | jq -r '[.[].unit] | unique | join(",")')" = TP01 ] \
    || fail "a clerk sees only its unit's requests"
ok "fee schedule dated; report fees and cards; member show; request list by scope"

# Targets and progress
uc admin target set --unit TP01 --year 2021 --members 5 --deadline 2021-10-30
uc admin target set --unit TP02 --year 2021 --members 10 --deadline 2021-10-30
uc admin target set --unit AN01 --year 2021 --members 3 --deadline 2021-10-30
uc admin target set --unit GD01 --year 2021 --members 10 --deadline 2021-10-30
uc admin report progress --as-of 2021-11-01 --json >"$TMP/p.json"
jq -e 'map(has("unit") and has("target") and has("entered") and has("approved")
    and has("percent") and has("rank") and has("exempt") and has("overdue")) | all' \
    "$TMP/p.json" >/dev/null || fail "progress keys"
row() { jq -r ".[] | select(.unit==\"$1\") | $2" "$TMP/p.json"; }
[ "$(row TP01 '"\(.target) \(.entered) \(.approved) \(.percent) \(.rank) \(.overdue)"')" \
    = "5 4 4 80 1 true" ] || fail "TP01 row: $(row TP01 .)"
[ "$(row TP02 '"\(.target) \(.entered) \(.percent) \(.rank) \(.overdue)"')" \
    = "10 0 0 2 true" ] || fail "TP02 row"
[ "$(row AN01 '"\(.percent) \(.rank) \(.overdue)"')" = "100 1 false" ] || fail "AN01 row"
[ "$(row GD01 '"\(.exempt) \(.rank) \(.overdue)"')" = "true null false" ] || fail "GD01 exempt"
[ "$(row TP '"\(.target) \(.entered) \(.approved)"')" = "15 4 4" ] || fail "TP rolled up"
[ "$(row 52 '.entered')" = 7 ] || fail "province total"
uc admin report progress --unit TP --csv | grep -q '^TP01,' || fail "csv"
ok "progress: target, percent, rank among siblings, exempt and overdue"

"$UC" --as admin status-list export --out "$TMP/status.bin" --unsigned
[ -s "$TMP/status.bin" ] && head -c 4 "$TMP/status.bin" | grep -q UCSL || fail "status list"
uc admin audit verify
uc admin audit export --csv >"$TMP/audit.csv"
grep -q 'request.reject' "$TMP/audit.csv" || fail "audit export"
ok "status list written; audit trail intact"
