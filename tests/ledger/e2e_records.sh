#!/bin/sh
# Keeping records right, through the real CLI on a ledger file: text that
# would spoil a card or a terminal refused at entry (with the ledger
# unchanged), exact yes/no words, member edit before and after approval,
# withdraw, transfer between unions, requests edited and withdrawn, find,
# list over a subtree, a formula-safe export, member show with its cards,
# card show by chip serial, unit tree.  Ends with audit verify.
. "$(dirname "$0")/lib.sh"
export UNIONCARD_TODAY=2021-07-15
HDR=full_name,date_of_birth,gender,national_id,position,joined_on,mandatory

setup_tree >/dev/null 2>&1
member_csv "$TMP/tp01.csv"
uc TP01.clerk member import "$TMP/tp01.csv" --unit TP01 2>/dev/null

# --- text checked at entry -------------------------------------------
dump_state >"$TMP/before"

printf '%s\n"Trần\nThị Mai",1988-04-04,F,052188000111,x,2012-02-02,0\n' "$HDR" \
    >"$TMP/bad.csv"
expect_fail 2 uc TP01.clerk member import "$TMP/bad.csv" --unit TP01
grep -q "bad.csv:2: full_name: contains a line break (LF)" "$TMP/err" \
    || { cat "$TMP/err"; fail "newline in a name"; }
printf '%s\nTrần Thị Mai,1988-04-04,F,052188000111,Kế\000toán,2012-02-02,0\n' \
    "$HDR" >"$TMP/bad.csv"
expect_fail 2 uc TP01.clerk member import "$TMP/bad.csv" --unit TP01
grep -q "bad.csv:2: position: contains a NUL character" "$TMP/err" \
    || { cat "$TMP/err"; fail "NUL in a position"; }
long=$(python3 -c 'print("Nguyễn " + "Văn " * 40 + "An")')
printf '%s\n%s,1988-04-04,F,052188000111,x,2012-02-02,0\n' "$HDR" "$long" \
    >"$TMP/bad.csv"
expect_fail 2 uc TP01.clerk member import "$TMP/bad.csv" --unit TP01
grep -q "full_name: too long: .* at most 128 (what the card holds)" "$TMP/err" \
    || { cat "$TMP/err"; fail "name longer than the card"; }
for word in cỏ cố 'có thể'; do
    printf '%s\nTrần Thị Mai,1988-04-04,F,052188000111,x,2012-02-02,%s\n' \
        "$HDR" "$word" >"$TMP/bad.csv"
    expect_fail 2 uc TP01.clerk member import "$TMP/bad.csv" --unit TP01
    grep -q "mandatory: mandatory '$word' is not a yes or no" "$TMP/err" \
        || { cat "$TMP/err"; fail "'$word' taken for a yes/no"; }
done
printf '%s\nTrần Thị Mai,1988-04-04,nứ,052188000111,x,2012-02-02,0\n' "$HDR" \
    >"$TMP/bad.csv"
expect_fail 2 uc TP01.clerk member import "$TMP/bad.csv" --unit TP01
grep -q "gender: gender 'nứ' is not one of nam, nữ, M, F" "$TMP/err" ||
    fail "nứ taken for nữ"

esc=$(printf 'CĐCS \033[2J\033[H')
expect_fail 2 uc admin unit add TP03 --name "$esc" --parent TP
grep -q "name: contains an escape character (ESC)" "$TMP/err" || fail "ESC"
expect_fail 2 uc admin unit add tp03 --name "CĐCS Trường" --parent TP
grep -q "code: .*only A-Z 0-9 . - _ (what the card holds)" "$TMP/err" \
    || fail "lower-case unit code"
expect_fail 2 uc admin unit add TP03 \
    --name "$(python3 -c 'print("Công đoàn " * 20)')" --parent TP
grep -q "name: too long: .* at most 160" "$TMP/err" || fail "unit name > 160"
printf 'code,name,parent\nTP03,"CĐCS\tMay",TP\n' >"$TMP/units.csv"
expect_fail 2 uc admin unit import "$TMP/units.csv"
grep -q "units.csv:2: name: contains a tab" "$TMP/err" || fail "tab in unit"
printf 'code,name,parent,exempt\nTP03,CĐCS May,TP,cỏ\n' >"$TMP/units.csv"
expect_fail 2 uc admin unit import "$TMP/units.csv"
grep -q "units.csv:2: exempt: exempt .cỏ. is not a yes or no" "$TMP/err" \
    || fail "exempt cỏ"

dump_state >"$TMP/after"
cmp -s "$TMP/before" "$TMP/after" || { diff "$TMP/before" "$TMP/after";
    fail "a refused entry changed the ledger"; }
ok "control characters, card limits and non-words refused, nothing changed"

printf '%s\n"  Trần   Thị  Mai ",1988-04-04,Nữ,052188000111," Điều   dưỡng",2012-02-02,Có\n' \
    "$HDR" >"$TMP/tp02.csv"
uc TP02.clerk member import "$TMP/tp02.csv" --unit TP02 2>/dev/null
[ "$(sql "SELECT full_name || '|' || position || '|' || mandatory || '|' ||
    gender FROM members WHERE national_id = '052188000111'")" = \
    "Trần Thị Mai|Điều dưỡng|1|F" ] || fail "spaces collapsed, Có, Nữ"
ok "names and positions stored trimmed with runs of spaces collapsed"

# --- member edit, before and after approval ----------------------------
uc TP01.clerk member edit 052185000123 --position "Trưởng  ban" \
    --full-name "Huỳnh Lê  Diễm Tuyết" 2>"$TMP/err"
grep -q "1 fields changed" "$TMP/err" || fail "edit before approval"
[ "$(sql "SELECT position, status FROM members WHERE national_id = '052185000123'")" \
    = "Trưởng ban|entered" ] || fail "edited while entered"
expect_fail 2 uc TP01.clerk member edit 052185000123 --date-of-birth 2030-01-01
grep -q "date_of_birth: date of birth is in the future" "$TMP/err" \
    || fail "edit checks like import"
expect_fail 2 uc TP01.clerk member edit 052185000123 \
    --full-name "$(printf 'Huỳnh\nTuyết')"
grep -q "full_name: contains a line break" "$TMP/err" || fail "edit newline"
expect_fail 2 uc TP01.clerk member edit 052185000123 --national-id 052188000111
grep -q "national ID 052188000111 is already a member of unit TP02" "$TMP/err" \
    || fail "edit to a taken national ID"
expect_fail 2 uc AN01.clerk member edit 052185000123 --position x
grep -q "outside the subtree of AN01" "$TMP/err" || fail "edit scope"
[ "$(sql "SELECT count(*) FROM audit WHERE action = 'refused:member.edit'")" = 1 ] \
    || fail "refused edit audited"

uc TP01.clerk member submit --unit TP01 2>/dev/null
expect_fail 2 uc TP.approver member reject --unit TP01 \
    --national-id 052179000456 --reason "$(printf 'sai\033[2J')"
grep -q "reason: contains an escape character" "$TMP/err" || fail "ESC reason"
[ "$(sql "SELECT status || '|' || coalesce(reject_reason, '-') FROM members
    WHERE national_id = '052179000456'")" = "submitted|-" ] \
    || fail "a refused reason changed the member"
uc TP.approver member approve --unit TP01 --all 2>/dev/null
code=$(uc TP01.clerk member show 052185000123 --json | jq -r .member_code)
uc TP01.clerk member edit "$code" --mandatory không --reason "sai đối tượng" \
    2>/dev/null
uc TP01.clerk member show "$code" --json >"$TMP/m.json"
[ "$(jq -r '.status + " " + (.mandatory|tostring)' "$TMP/m.json")" = \
    "submitted false" ] || fail "an approved member edited goes back for approval"
[ "$(sql "SELECT details FROM audit WHERE action = 'member.edit' AND
    object = '$code'")" = \
    "mandatory: '1' -> '0'; status: approved -> submitted; reason=sai đối tượng" ] \
    || fail "audit keeps old and new values"
[ "$(uc admin report progress --unit TP01 --json | jq -r '.[0].approved')" = 3 ] \
    || fail "back for approval: not counted approved"
uc TP.approver member approve --unit TP01 --all 2>/dev/null
[ "$(uc TP01.clerk member show 052185000123 --json | jq -r '.member_code + " " + .status')" \
    = "$code approved" ] || fail "approved again under the same code"
[ "$(uc admin report progress --unit TP01 --json | jq -r '.[0].approved')" = 4 ] \
    || fail "approved again counted once"
ok "member edit: before approval in place, after approval back for approval, audited"

# --- requests edited and withdrawn; a withdrawn request frees its members
codes=$(uc TP01.clerk member list --unit TP01 --json | jq -r '.[].member_code')
c1=$(echo "$codes" | sed -n 1p); c2=$(echo "$codes" | sed -n 2p)
c3=$(echo "$codes" | sed -n 3p); c4=$(echo "$codes" | sed -n 4p)
rid=$(uc TP01.clerk request create --unit TP01 --type regular --members "$c1,$c2")
expect_fail 2 uc TP01.clerk member edit "$c1" --position x
grep -q "member $c1 is on request $rid; take it off first" "$TMP/err" \
    || fail "edit of a member on a request"
uc TP01.clerk request edit "$rid" --add "$c3,$c4" --remove "$c1" 2>/dev/null
[ "$(uc TP01.clerk request show "$rid" --json | jq -r '[.lines[].member_code] | join(",")')" \
    = "$c2,$c3,$c4" ] || fail "lines added and removed"
expect_fail 2 uc TP01.clerk request edit "$rid" --remove "$c1"
grep -q "member $c1 is not on request $rid" "$TMP/err" || fail "remove absent"
expect_fail 2 uc TP01.clerk request edit "$rid" --remove "$c2,$c3,$c4"
grep -q "would have no lines; withdraw it instead" "$TMP/err" || fail "empty"
uc TP01.clerk request submit "$rid"
expect_fail 2 uc TP01.clerk request withdraw "$rid"
grep -q "request $rid is submitted; only a draft or rejected request" "$TMP/err" \
    || fail "withdraw a submitted request"
uc TP.approver request reject "$rid" --reason "Thiếu ảnh"
uc TP01.clerk request edit "$rid" --remove "$c4" 2>/dev/null
uc TP01.clerk request withdraw "$rid" --reason "làm lại" 2>/dev/null
[ "$(uc TP01.clerk request show "$rid" --json | jq -r .status)" = withdrawn ] \
    || fail "withdrawn"
expect_fail 2 uc TP01.clerk request submit "$rid"
grep -q "request $rid is withdrawn" "$TMP/err" || fail "withdrawn resubmitted"
rid2=$(uc TP01.clerk request create --unit TP01 --type regular --all-approved)
[ "$(uc TP01.clerk request show "$rid2" --json | jq '.lines | length')" = 4 ] \
    || fail "a withdrawn request frees its members"
[ "$(sql "SELECT group_concat(action, ',') FROM request_events WHERE request_id = $rid")" \
    = "create,edit,submit,reject,edit,withdraw" ] || fail "request events"
ok "request edited (lines added, removed) and withdrawn; its members freed"

# --- member show lists cards; card show takes a chip serial -----------
uc TP01.clerk request submit "$rid2"
uc TP.approver request approve "$rid2"
uc printer request accept "$rid2"
serial=$(uc TP01.clerk member show "$c2" --json | jq -r '.cards[0].serial')
[ "$(uc TP01.clerk member show "$c2" --json | jq -r '.cards | map(.status) | join(",")')" \
    = reserved ] || fail "member show lists the card"
expect_fail 2 uc TP01.clerk member edit "$c2" --position x
grep -q "has card $serial reserved for printing" "$TMP/err" \
    || fail "edit while printing"
ok "member show lists the member's cards (card show CHIP: tests/station/e2e_encode.sh)"

# --- withdraw ----------------------------------------------------------
uc printer card spoil "$serial" --reason "kẹt thẻ"
expect_fail 2 uc TP01.clerk member withdraw "$c1" --reason "$(printf 'x\ty')"
grep -q "reason: contains a tab" "$TMP/err" || fail "tab in reason"
uc printer card issue "$(uc TP01.clerk member show "$c3" --json |
    jq -r '.cards[0].serial')"
expect_fail 2 uc TP01.clerk member withdraw "$c3" --reason "nhập nhầm"
grep -q "member $c3 has card .*; a member with a card is not withdrawn" "$TMP/err" \
    || fail "withdraw a member with a card"
uc TP01.clerk member edit "$c3" --position "Tổ trưởng" 2>"$TMP/err"
grep -q "card .* carries the old data; for a new one: card replace .* --reason data_change" \
    "$TMP/err" || { cat "$TMP/err"; fail "edit of a member with a card: no hint"; }
uc TP.approver member approve --unit TP01 --all 2>/dev/null
printf '%s\nLê Văn Nhầm,1990-01-01,nam,052190999999,,2015-01-01,0\n' "$HDR" \
    >"$TMP/wrong.csv"
uc TP01.clerk member import "$TMP/wrong.csv" --unit TP01 2>/dev/null
before=$(uc admin report progress --unit TP01 --json | jq -r '.[0].entered')
uc TP01.clerk member withdraw 052190999999 --reason "nhập nhầm" 2>/dev/null
[ "$(uc admin report progress --unit TP01 --json | jq -r '.[0].entered')" = \
    $((before - 1)) ] || fail "withdrawn no longer counted"
uc TP01.clerk member list --unit TP01 --json | jq -e \
    'map(select(.national_id == "052190999999")) | length == 0' >/dev/null \
    || fail "withdrawn left out of the list"
[ "$(uc TP01.clerk member list --unit TP01 --status withdrawn --json | jq -r '.[0].withdrawn_reason')" \
    = "nhập nhầm" ] || fail "list --status withdrawn"
[ "$(sql "SELECT details FROM audit WHERE action = 'member.withdraw'")" = \
    "status=entered reason=nhập nhầm" ] || fail "withdraw audited"
uc TP01.clerk member submit --unit TP01 2>"$TMP/err"
grep -q "0 members submitted" "$TMP/err" || fail "withdrawn member submitted"
uc TP01.clerk member import "$TMP/wrong.csv" --unit TP01 2>/dev/null
[ "$(uc TP01.clerk member show 052190999999 --json | jq -r .status)" = entered ] \
    || fail "re-entered"
[ "$(uc admin report progress --unit TP01 --json | jq -r '.[0].entered')" = \
    "$before" ] || fail "re-entered counted once"
ok "member withdraw: kept in the audit, no longer counted, enterable again"

# --- transfer: scope-checked on both units -----------------------------
uc admin account add TP.admin --unit TP --role admin --password-file "$PWFILE"
expect_fail 2 uc TP01.clerk member transfer 052190999999 --to TP02
grep -q "unit TP02 is outside the subtree of TP01" "$TMP/err" \
    || fail "transfer into a unit out of scope"
expect_fail 2 uc TP.admin member transfer 052190999999 --to AN01
grep -q "unit AN01 is outside the subtree of TP" "$TMP/err" \
    || fail "transfer out of the subtree"
expect_fail 2 uc AN01.clerk member transfer 052190999999 --to AN01
grep -q "unit TP01 is outside the subtree of AN01" "$TMP/err" \
    || fail "transfer from a unit out of scope"
[ "$(sql "SELECT count(*) FROM audit WHERE action = 'refused:member.transfer'")" = 3 ] \
    || fail "refused transfers audited"
uc TP.admin member transfer 052190999999 --to TP02 2>/dev/null
[ "$(uc TP.admin member show 052190999999 --json | jq -r '.unit + " " + .status')" \
    = "TP02 entered" ] || fail "moved"
uc TP.admin report progress --unit TP --json >"$TMP/p.json"
[ "$(jq -r '[.[] | "\(.unit)=\(.entered)"] | join(" ")' "$TMP/p.json")" = \
    "TP=6 TP01=4 TP02=2" ] || fail "progress follows the member: $(cat "$TMP/p.json")"
printf '%s\nĐỗ Văn Lạc,1991-01-01,nam,052191888888,,2016-01-01,0\n' "$HDR" \
    >"$TMP/lac.csv"
uc TP01.clerk member import "$TMP/lac.csv" --unit TP01 2>/dev/null
uc TP01.clerk member withdraw 052191888888 --reason "nhầm đơn vị" 2>/dev/null
expect_fail 2 uc TP02.clerk member import "$TMP/lac.csv" --unit TP02
grep -q "already a member of unit TP01 (withdrawn there: move it here with member transfer" \
    "$TMP/err" || { cat "$TMP/err"; fail "re-entry elsewhere: no hint"; }
uc TP.admin member transfer 052191888888 --to TP02 2>/dev/null
uc TP02.clerk member import "$TMP/lac.csv" --unit TP02 2>/dev/null
[ "$(uc TP.admin member show 052191888888 --json | jq -r '.unit + " " + .status')" \
    = "TP02 entered" ] || fail "withdrawn, moved and entered again"
[ "$(uc TP.admin report progress --unit TP --json | jq -r '[.[] | "\(.unit)=\(.entered)"] | join(" ")')" \
    = "TP=7 TP01=4 TP02=3" ] || fail "entered in the right union, counted once"
ok "member transfer between unions, refused outside either unit's scope"

# --- find, list over a subtree, export --------------------------------
uc TP.approver member find duc >"$TMP/find"
[ "$(cut -f3 "$TMP/find" | tail -n +2 | sort | tr '\n' ',')" = \
    "Nguyễn Văn Đức,Phạm Đức Dụ," ] || { cat "$TMP/find"; fail "find duc"; }
[ "$(uc TP.approver member find 'ĐỨC' --json | jq length)" = 2 ] || fail "find ĐỨC"
[ "$(uc TP.approver member find 'dương lê' --json | jq -r '.[0].national_id')" = \
    052179000456 ] || fail "find accents and case"
[ "$(uc TP.approver member find 0521880 --json | jq -r '.[0].full_name')" = \
    "Trần Thị Mai" ] || fail "find by national ID in TP02"
[ "$(uc TP.approver member find "$c2" --json | jq -r '.[0].member_code')" = "$c2" ] \
    || fail "find by member code"
[ "$(uc AN01.clerk member find duc --json | jq length)" = 0 ] \
    || fail "find sees only the caller's subtree"
[ "$(uc TP.approver member list --unit TP --json | jq -r '[.[].unit] | unique | join(",")')" \
    = "TP01,TP02" ] || fail "list --unit covers the subtree"
ok "member find (accents, case, Đ, code, national ID, scope); list over a subtree"

printf '%s\n"=cmd|'"'"' /C calc'"'"'!A0",1980-01-01,nam,052180000001,-2+3,2001-01-01,0\n' \
    "$HDR" >"$TMP/evil.csv"
uc TP02.clerk member import "$TMP/evil.csv" --unit TP02 2>/dev/null
uc TP.approver member export --csv --unit TP --out "$TMP/tp.csv" 2>"$TMP/err"
grep -q "8 members exported" "$TMP/err" || { cat "$TMP/err"; fail "export count"; }
[ "$(stat -c %a "$TMP/tp.csv")" = 600 ] || fail "export not 0600"
grep -qF ",\"'=cmd|' /C calc'!A0\",\"'=CMD|' /C CALC'!A0\",052180000001,1980-01-01,M,\"'-2+3\"," \
    "$TMP/tp.csv" || { cat "$TMP/tp.csv"; fail "formula cells neutralised"; }
head -1 "$TMP/tp.csv" | grep -q '^member_code,full_name,name_ascii,national_id,' \
    || fail "export header"
for f in "$TMP"/tp.csv.tmp*; do
    [ ! -e "$f" ] || fail "temp file left: $f"
done
[ "$(sql "SELECT details FROM audit WHERE action = 'member.export'")" = rows=8 ] \
    || fail "export audited"
expect_fail 2 uc AN01.clerk member export --csv --unit TP
expect_fail 2 uc TP.approver member export --unit TP
grep -q "usage error: member export --csv" "$TMP/err" || fail "export without --csv"
expect_fail 2 uc TP.approver member list --unit TP --status bogus
grep -q "status 'bogus' is not one of" "$TMP/err" || fail "list --status bogus"
ok "member export --csv: 0600, formula-safe, audited, scoped"

# --- unit tree ---------------------------------------------------------
uc TP.admin unit tree >"$TMP/tree"
[ "$(cat "$TMP/tree")" = "TP  LĐLĐ huyện Tuy Phước
  TP01  CĐCS Trường THPT Tuy Phước
  TP02  CĐCS Công ty May Tuy Phước" ] || { cat "$TMP/tree"; fail "unit tree"; }
uc admin unit tree | grep -q '^    GD01  CĐCS Trường Trung cấp luật  (exempt)$' \
    || fail "unit tree from the root"
ok "unit tree"

for s in edit withdraw transfer find export; do
    uc admin member "$s" --help | grep -q "^Example:" || fail "member $s --help"
done
for s in edit withdraw; do
    uc admin request "$s" --help | grep -q "^Example:" || fail "request $s --help"
done
uc admin unit tree --help | grep -q "^Example:" || fail "unit tree --help"
uc admin audit verify >/dev/null || fail "audit verify"
ok "help with examples; audit trail intact"

# a name stored before entries were checked cannot drive the terminal
sql "UPDATE units SET name = 'CĐCS cũ' || char(27) || '[2J' WHERE code = 'GD01'"
uc admin unit list >"$TMP/units.out"
uc admin unit tree >>"$TMP/units.out"
grep -q "$(printf '')" "$TMP/units.out" && fail "ESC reached the terminal"
[ "$(grep -c 'CĐCS cũ?\[2J' "$TMP/units.out")" = 2 ] || fail "shown as ?"
ok "control characters already stored print as '?' in listings"

# --- the README's clerk example runs as written --------------------------
# on a fresh ledger as scripts/demo builds it up to its step 3
export UNIONCARD_LEDGER="$TMP/readme.db"
mkdir "$TMP/readme"
"$UC" init --province 52 --name "LĐLĐ tỉnh Bình Định" --admin admin 2>/dev/null
uc admin unit add TP --name "LĐLĐ huyện Tuy Phước" --parent 52
uc admin unit add TP01 --name "CĐCS Trường THPT Tuy Phước" --parent TP
uc admin account add tp01.clerk --unit TP01 --role clerk --password-file "$PWFILE"
uc admin account add tp.approver --unit TP --role approver --password-file "$PWFILE"
sed -n '/^say "3\./,/^as tp01.clerk member list/p' \
    "$(dirname "$0")/../../scripts/demo" | sed -n '/^full_name/,/^CSV$/p' |
    sed '$d' >"$TMP/readme/members.csv"
[ "$(wc -l <"$TMP/readme/members.csv")" = 4 ] || fail "demo's members.csv"
uc tp01.clerk member import "$TMP/readme/members.csv" --unit TP01 2>/dev/null
uc tp01.clerk member submit --unit TP01 2>/dev/null
uc tp.approver member approve --unit TP01 --all 2>/dev/null
sed -n '/<!-- records-example -->/,/<!-- \/records-example -->/p' \
    "$(dirname "$0")/../../README.md" | sed '1,2d;$d' | sed '$d' \
    >"$TMP/readme/example.sh"
grep -q "member find" "$TMP/readme/example.sh" || fail "README block not found"
mkdir -p "$TMP/readme/bin"
printf '#!/bin/sh\nexec "%s" "$@"\n' "$UC" >"$TMP/readme/bin/unioncard"
chmod +x "$TMP/readme/bin/unioncard"
(cd "$TMP/readme" && PATH="$TMP/readme/bin:$PATH" sh -eu example.sh) \
    >"$TMP/readme/out" 2>&1 || { cat "$TMP/readme/out"; fail "README example"; }
[ "$(sql "SELECT u.code FROM members m JOIN units u ON u.id = m.unit_id
    WHERE national_id = '052090000789'")" = TP02 ] || fail "README: transfer"
[ "$(stat -c %a "$TMP/readme/tp.csv")" = 600 ] || fail "README: export"
uc admin audit verify >/dev/null || fail "README: audit verify"
ok "the README's clerk example runs as written"
