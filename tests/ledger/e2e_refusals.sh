#!/bin/sh
# Each refusal leaves the ledger as it was (every table but the audit
# trail compared before and after); scope refusals are audited.
. "$(dirname "$0")/lib.sh"
export UNIONCARD_TODAY=2021-07-15

setup_tree
uc admin account add TP01.approver --unit TP01 --role approver --password-file "$PWFILE"
member_csv "$TMP/tp01.csv"
uc TP01.clerk member import "$TMP/tp01.csv" --unit TP01
uc TP01.clerk member submit --unit TP01
uc TP.approver member approve --unit TP01 --all
rid=$(uc TP01.clerk request create --unit TP01 --type regular --all-approved)
uc TP01.clerk request submit "$rid"

refused() { # refused NAME CMD...: exit 2, state unchanged
    name="$1"; shift
    dump_state >"$TMP/before"
    audit_before=$(sql "SELECT count(*) FROM audit")
    expect_fail 2 "$@"
    dump_state >"$TMP/after"
    cmp -s "$TMP/before" "$TMP/after" || { diff "$TMP/before" "$TMP/after" >&2;
        fail "$name changed the ledger"; }
    "$UC" audit verify >/dev/null || fail "$name broke the audit chain"
    audit_added=$(( $(sql "SELECT count(*) FROM audit") - audit_before ))
    ok "$name: refused ($(head -c 160 "$TMP/err" | tr '\n' ' '))"
}

UNIONCARD_PASSWORD=wrong refused "wrong password" \
    "$UC" --as TP01.clerk member submit --unit TP01
[ "$(sql "SELECT action || ' ' || object FROM audit ORDER BY id DESC LIMIT 1")" \
    = "refused:login TP01.clerk" ] || fail "failed login audited"
ok "failed login is on the audit trail"

refused "outside subtree" uc TP01.clerk member import "$TMP/tp01.csv" --unit AN01
[ "$audit_added" = 1 ] || fail "scope refusal not audited"
[ "$(sql "SELECT action FROM audit ORDER BY id DESC LIMIT 1")" = refused:member.import ] \
    || fail "refusal row"
refused "reading another unit's members" uc TP01.clerk member list --unit AN01
[ "$audit_added" = 1 ] || fail "read refusal not audited"
refused "approver of another district" uc AN.approver request approve "$rid"
[ "$audit_added" = 1 ] || fail "not audited"
refused "clerk adding a unit" uc TP01.clerk unit add X --name X --parent TP01
refused "approving one's own unit's request" uc TP01.approver request approve "$rid"
[ "$audit_added" = 1 ] || fail "not audited"
grep -q "own unit" "$TMP/err" || fail "message should say own unit"
[ "$(sql "SELECT action FROM audit ORDER BY id DESC LIMIT 1")" = refused:request.approve ] \
    || fail "refusal row"

uc TP.approver request approve "$rid"
uc printer request accept "$rid"
code=$(uc TP01.clerk member list --unit TP01 --json | jq -r '.[0].member_code')
refused "second live card without a replacement reason" \
    uc TP01.clerk request create --unit TP01 --type linked --members "$code"
grep -q "live card" "$TMP/err" || fail "message should name the live card"

# one bad line in an otherwise good file
{
    printf 'full_name,date_of_birth,gender,national_id,position,joined_on,mandatory\r\n'
    printf 'Ngô Thị Lan,1990-01-01,nữ,052190000001,Công nhân,2015-01-01,0\r\n'
    printf 'Đặng Văn Bình,31/02/1985,nam,052185000002,Công nhân,2015-01-01,0\r\n'
    printf 'Bùi Thị Hoa,1991-01-01,nữ,052191000003,Công nhân,2015-01-01,0\r\n'
} >"$TMP/bad.csv"
refused "CSV with a bad date" uc TP02.clerk member import "$TMP/bad.csv" --unit TP02
grep -q "bad.csv:3: date_of_birth" "$TMP/err" || fail "error must name line 3 and the field"
sed -e 's#31/02/1985#1985-02-03#' -e 's#052185000002#05218500002#' "$TMP/bad.csv" >"$TMP/bad2.csv"
refused "CSV with a short national ID" uc TP02.clerk member import "$TMP/bad2.csv" --unit TP02
grep -q "bad2.csv:3: national_id" "$TMP/err" || fail "names national_id"
sed -e 's#31/02/1985#1985-02-03#' -e 's#052185000002#052190000001#' "$TMP/bad.csv" >"$TMP/dup.csv"
refused "CSV with a duplicate line" uc TP02.clerk member import "$TMP/dup.csv" --unit TP02
grep -q "dup.csv:3: national_id.*line 2" "$TMP/err" || fail "names both lines"
sed -e 's#31/02/1985#1985-02-03#' -e 's#052185000002#052185000123#' "$TMP/bad.csv" >"$TMP/other.csv"
refused "CSV with a member of another unit" uc TP02.clerk member import "$TMP/other.csv" --unit TP02
grep -q "other.csv:3: national_id.*unit TP01" "$TMP/err" || fail "names the other unit"
[ "$(sql "SELECT count(*) FROM members WHERE unit_id = (SELECT id FROM units WHERE code='TP02')")" = 0 ] \
    || fail "no member of the bad files may be stored"
