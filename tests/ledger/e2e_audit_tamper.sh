#!/bin/sh
# audit verify: intact on a clean ledger; after an edit, a deletion or an
# insertion made with the sqlite3 shell it exits 1 and names the row.
. "$(dirname "$0")/lib.sh"
export UNIONCARD_TODAY=2021-07-15

setup_tree
member_csv "$TMP/tp01.csv"
uc TP01.clerk member import "$TMP/tp01.csv" --unit TP01
n=$(sql "SELECT count(*) FROM audit")
"$UC" audit verify | grep -q "intact: $n rows" || fail "clean ledger"
ok "clean ledger: $n rows intact"
# --json prints the result (it used to print nothing)
"$UC" audit verify --json >"$TMP/v.json" || fail "clean --json: exit"
[ "$(jq -c '[.intact, .rows, .bad_row, .error]' "$TMP/v.json")" = \
    "[true,$n,null,null]" ] || fail "clean --json: $(cat "$TMP/v.json")"
ok "audit verify --json on a clean ledger: $(jq -c . "$TMP/v.json")"
cp "$UNIONCARD_LEDGER" "$TMP/clean.db"

tamper() { # tamper NAME WANT_ROW SQL
    cp "$TMP/clean.db" "$UNIONCARD_LEDGER"
    rm -f "$UNIONCARD_LEDGER-wal" "$UNIONCARD_LEDGER-shm"
    # the triggers stop accidents; a tamperer drops them first
    sql "DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete; $3"
    expect_fail 1 "$UC" audit verify
    grep -q "at row $2:" "$TMP/err" || { cat "$TMP/err" >&2; fail "$1: row $2 not named"; }
    expect_fail 1 "$UC" audit verify --json
    [ "$(jq -c '[.intact, .bad_row]' "$TMP/out")" = "[false,$2]" ] ||
        fail "$1: --json: $(cat "$TMP/out")"
    ok "$1: $(cat "$TMP/err")"
}

tamper "edited details" 5 "UPDATE audit SET details = 'rows=1' WHERE id = 5"
tamper "edited account" 3 "UPDATE audit SET account = 'someone' WHERE id = 3"
tamper "deleted row" 4 "DELETE FROM audit WHERE id = 4"
tamper "deleted and renumbered" 4 "DELETE FROM audit WHERE id = 4;
    UPDATE audit SET id = id - 1 WHERE id > 4"
tamper "deleted last row" "$n" "DELETE FROM audit WHERE id = $n"
tamper "inserted row at the end" $((n + 1)) "INSERT INTO audit
    SELECT $((n + 1)), at, account, unit, action, object, 'forged', hash, hash
    FROM audit WHERE id = $n"
tamper "inserted row in a gap" 2 "UPDATE audit SET id = id + 1000 WHERE id >= 2;
    INSERT INTO audit SELECT 2, at, account, unit, 'member.approve', 'x', '',
    hash, hash FROM audit WHERE id = 1"
tamper "edited head" $((n + 1)) "UPDATE audit_head SET last_id = last_id + 1"

# accidents are stopped outright
cp "$TMP/clean.db" "$UNIONCARD_LEDGER"
rm -f "$UNIONCARD_LEDGER-wal" "$UNIONCARD_LEDGER-shm"
if sql "UPDATE audit SET details = 'x' WHERE id = 2" 2>/dev/null; then
    fail "update trigger"
fi
"$UC" audit verify >/dev/null || fail "still intact"
ok "append-only triggers refuse casual edits"
