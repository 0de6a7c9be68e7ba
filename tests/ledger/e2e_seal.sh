#!/bin/sh
# The audit chain catches truncation and rewriting, against signed seals
# (docs/audit-seal.md), and the cards table is held to the audited
# transitions.  Whoever holds the ledger file, with the sqlite3 shell:
#   1. deletes the last rows (and the kept seals, and fixes the head);
#   2. deletes every row;
#   3. edits a row and recomputes the chain to a new head;
#   4. forges a seal file for the rewritten chain;
#   5. sets a lost card back to encoded without its audit row.
# The chain alone says "intact" to 1-3 (shown); each is caught by
# `audit verify --seal` against an earlier seal (exit 1, what was lost
# named), 5 by the replay in `audit verify` - and status-list export
# refuses to vouch for that card.
. "$(dirname "$0")/lib.sh"
VC="$UC_BUILD_DIR/src/tools/unioncard-vcard"
export UNIONCARD_TODAY=2021-07-15
export UNIONCARD_PASSPHRASE="seal passphrase"

setup_tree >/dev/null 2>&1
member_csv "$TMP/tp01.csv"
uc TP01.clerk member import "$TMP/tp01.csv" --unit TP01 2>/dev/null
"$UC" keys init --dir "$TMP/keys" >/dev/null 2>&1 || fail "keys init"
mkdir "$TMP/seals"

# the first seal, beside a status list
uc printer status-list export --out "$TMP/today.usl" --keys "$TMP/keys" \
    2>"$TMP/err" || { cat "$TMP/err" >&2; fail "status-list export"; }
[ -s "$TMP/today.usl.seal" ] || fail "status-list export wrote no .seal"
cp "$TMP/today.usl.seal" "$TMP/seals/day1.seal"
rows1=$(sql "SELECT max(id) FROM audit WHERE action = 'status-list.export'")
# more work, then a daily seal
uc TP01.clerk member submit --unit TP01 2>/dev/null
uc TP.approver member approve --unit TP01 --all 2>/dev/null
uc printer audit seal --out "$TMP/seals/day2.seal" --keys "$TMP/keys" \
    2>"$TMP/err" || { cat "$TMP/err" >&2; fail "audit seal"; }
rows2=$(sql "SELECT max(id) - 1 FROM audit")
[ "$(sql "SELECT count(*) FROM audit_seals")" = 2 ] || fail "seals not kept"
uc TP01.clerk member import "$TMP/tp01.csv" --unit TP02 2>/dev/null || true

"$UC" audit verify --seal "$TMP/seals/day1.seal" --seal "$TMP/seals/day2.seal" --trust "$TMP/keys/root.pem" --json >"$TMP/v.json" ||
    { cat "$TMP/v.json" >&2; fail "clean ledger does not verify"; }
jq -e '.intact and .kept_seals == 2 and (.seals | length) == 2 and
    all(.seals[]; .extends and .signature == "valid")' "$TMP/v.json" \
    >/dev/null || fail "verify --json: $(cat "$TMP/v.json")"
[ "$(jq '.seals[0].rows' "$TMP/v.json")" = "$rows1" ] || fail "seal 1 rows"
[ "$(jq '.seals[1].rows' "$TMP/v.json")" = "$rows2" ] || fail "seal 2 rows"
ok "clean: both seals signed, the trail extends them ($rows1, $rows2 rows)"
# a third party, as docs/audit-seal.md says: openssl for the signature,
# the exported trail for the chain
seal="$TMP/seals/day2.seal"
head -c 56 "$seal" >"$TMP/payload.bin"
python3 -c 'import sys; d=open(sys.argv[1],"rb").read(); n=int.from_bytes(d[56:60],"big"); assert len(d)==60+n; open(sys.argv[2],"wb").write(d[60:])' \
    "$seal" "$TMP/sig.der"
openssl cms -verify -binary -inform DER -in "$TMP/sig.der" \
    -content "$TMP/payload.bin" -CAfile "$TMP/keys/root.pem" -purpose any \
    -out /dev/null 2>/dev/null || fail "openssl does not verify the seal"
uc admin audit export --csv >"$TMP/trail.csv"
python3 - "$seal" "$TMP/trail.csv" <<'PY' || fail "third-party chain check"
import csv, hashlib, sys
d = open(sys.argv[1], "rb").read()
assert d[:4] == b"UCAS" and d[4] == 1 and d[5] == 0
prefix = int.from_bytes(d[6:8], "big")
rows = int.from_bytes(d[16:24], "big")
head = d[24:56]
assert prefix == 52, prefix
def f(b):
    return len(b).to_bytes(4, "big") + b
def cell(s):   # the CSV writer's formula guard, undone
    return s[1:] if s[:2] in ("'=", "'+", "'-", "'@", "'\t", "'\r") else s
prev = bytes(32)
hashes = {}
for r in list(csv.reader(open(sys.argv[2], newline="", encoding="utf-8")))[1:]:
    r = [cell(x) for x in r]
    h = hashlib.sha256(b"UCAUDIT1" + f(r[0].encode()) +
                       b"".join(f(x.encode()) for x in r[1:7]) + prev).digest()
    assert h.hex() == r[8], r
    hashes[int(r[0])] = h
    prev = h
assert hashes[rows] == head
PY
ok "a third party checks the seal with openssl and the exported trail"
cp "$UNIONCARD_LEDGER" "$TMP/clean.db"

restore() {
    cp "$TMP/clean.db" "$UNIONCARD_LEDGER"
    rm -f "$UNIONCARD_LEDGER-wal" "$UNIONCARD_LEDGER-shm"
}
# the tamperer drops the triggers that stop accidents, and the kept seals
UNGUARD="DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete;
    DROP TRIGGER audit_seals_no_delete; DELETE FROM audit_seals;"
# head_to N: make audit_head agree with row N (what a careful tamperer does)
head_to() {
    echo "UPDATE audit_head SET last_id = $1, last_hash = coalesce(
        (SELECT hash FROM audit WHERE id = $1), zeroblob(32));"
}
# caught NAME SEAL WANT: the chain alone says intact; the seal catches it
caught() {
    "$UC" audit verify >"$TMP/plain" 2>&1 ||
        fail "$1: the chain alone should not see it: $(cat "$TMP/plain")"
    expect_fail 1 "$UC" audit verify --seal "$TMP/seals/$2" \
        --trust "$TMP/keys/root.pem"
    grep -q "$3" "$TMP/err" || { cat "$TMP/err" >&2; fail "$1: not named"; }
    ok "$1: caught by $2: $(grep seal "$TMP/err" | head -1)"
}

# only the root unit's printer or admin seals; a refusal writes nothing
uc admin account add TP.admin --unit TP --role admin --password-file "$PWFILE" 2>/dev/null
for who in TP.admin TP01.clerk; do
    n=$(sql "SELECT count(*) FROM audit_seals")
    expect_fail 2 "$UC" --as "$who" audit seal --out "$TMP/no.seal" \
        --keys "$TMP/keys"
    [ ! -e "$TMP/no.seal" ] || fail "$who: a seal was written"
    [ "$(sql "SELECT count(*) FROM audit_seals")" = "$n" ] || fail "$who: kept"
    [ "$(sql "SELECT action FROM audit ORDER BY id DESC LIMIT 1")" = \
        refused:audit.seal ] || fail "$who: refusal not audited"
done
"$UC" audit verify >/dev/null || fail "after the refusals"
ok "only the root unit seals: a district admin and a clerk are refused"
cp "$UNIONCARD_LEDGER" "$TMP/clean.db"

# --- 1. the last rows deleted --------------------------------------------
restore
n=$(sql "SELECT max(id) FROM audit")
cut=$((rows2 - 2))
sql "$UNGUARD DELETE FROM audit WHERE id > $cut; $(head_to $cut)"
caught "last rows deleted" day2.seal "rows $((cut + 1))..$rows2 were deleted"
# with the kept seals left in place the ledger catches it by itself
restore
sql "DROP TRIGGER audit_no_delete; DELETE FROM audit WHERE id > $cut;
    $(head_to $cut)"
expect_fail 1 "$UC" audit verify
grep -q "no longer extends a seal: kept seal 2" "$TMP/err" || fail "kept seal"
ok "last rows deleted, kept seals left: audit verify alone catches it"

# --- 2. every row deleted ------------------------------------------------
restore
sql "$UNGUARD DELETE FROM audit; $(head_to 0)"
"$UC" audit verify | grep -q "intact: 0 rows" || fail "empty trail"
caught "all rows deleted" day1.seal "the trail ends at row 0"

# --- 3. a row edited and the chain recomputed to a new head ----------------
rechain() { # rechain FROM_ID: recompute every hash from row FROM_ID on
    python3 - "$UNIONCARD_LEDGER" "$1" <<'PY'
import hashlib, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
start = int(sys.argv[2])
def f(b):
    return len(b).to_bytes(4, "big") + b
prev = db.execute("SELECT hash FROM audit WHERE id = ?", (start - 1,)).fetchone()
prev = prev[0] if prev else bytes(32)
rows = db.execute("SELECT id, at, account, unit, action, object, details"
                  " FROM audit WHERE id >= ? ORDER BY id", (start,)).fetchall()
for r in rows:
    h = hashlib.sha256(b"UCAUDIT1" + f(str(r[0]).encode()) +
                       b"".join(f(x.encode()) for x in r[1:]) + prev).digest()
    db.execute("UPDATE audit SET prev_hash = ?, hash = ? WHERE id = ?",
               (prev, h, r[0]))
    prev = h
db.execute("UPDATE audit_head SET last_hash = ?", (prev,))
db.commit()
PY
}
restore
sql "$UNGUARD UPDATE audit SET details = 'rows=1' WHERE id = 3"
rechain 3
caught "row 3 edited, chain recomputed" day1.seal "row $rows1 is not the row sealed"
# and the later seal too
expect_fail 1 "$UC" audit verify --seal "$TMP/seals/day2.seal"
grep -q "row $rows2 is not the row sealed" "$TMP/err" || fail "day2 seal"

# --- 4. a forged seal for the rewritten chain -----------------------------
python3 - "$TMP/seals/day2.seal" "$TMP/forged.seal" "$UNIONCARD_LEDGER" \
    "$rows2" <<'PY'
import sqlite3, sys
seal = bytearray(open(sys.argv[1], "rb").read())
h = sqlite3.connect(sys.argv[3]).execute(
    "SELECT hash FROM audit WHERE id = ?", (int(sys.argv[4]),)).fetchone()[0]
seal[24:56] = h            # the new head, the old signature
open(sys.argv[2], "wb").write(seal)
PY
expect_fail 1 "$UC" audit verify --seal "$TMP/forged.seal" \
    --trust "$TMP/keys/root.pem"
grep -q "signature" "$TMP/err" || { cat "$TMP/err" >&2; fail "forged seal"; }
ok "a seal forged for the rewritten chain fails its signature"
# an unsigned seal proves nothing to --trust
python3 - "$TMP/forged.seal" "$TMP/unsigned.seal" <<'PY'
import sys
s = open(sys.argv[1], "rb").read()[:56] + bytes(4)
open(sys.argv[2], "wb").write(s)
PY
expect_fail 1 "$UC" audit verify --seal "$TMP/unsigned.seal" \
    --trust "$TMP/keys/root.pem"
grep -q "not signed" "$TMP/err" || fail "unsigned seal accepted"
# a file that is not a seal
printf 'UCAS' >"$TMP/short.seal"
expect_fail 1 "$UC" audit verify --seal "$TMP/short.seal"
grep -q "not an audit seal" "$TMP/err" || fail "short seal"
ok "an unsigned or truncated seal is refused"

# --- 5. a lost card set back to encoded by hand ----------------------------
restore
uc TP01.clerk request create --unit TP01 --type regular --all-approved \
    >"$TMP/rid"
rid=$(cat "$TMP/rid")
uc TP01.clerk request submit "$rid"
uc TP.approver request approve "$rid"
uc printer request accept "$rid"
mkdir "$TMP/hopper"
"$VC" hopper "$TMP/hopper" --count 4 --keys "$TMP/keys" >/dev/null ||
    fail "hopper"
uc printer encode --request "$rid" --reader "vcard:$TMP/hopper" \
    --keys "$TMP/keys" >"$TMP/enc.out" 2>&1 || fail "encode: $(cat "$TMP/enc.out")"
serial=$(uc printer card list --request "$rid" --json |
    jq -r '[.[] | select(.status == "encoded")][0].serial')
uc TP01.clerk card lost "$serial" --reason "mất ví" 2>/dev/null
"$UC" audit verify >/dev/null || fail "lost card: trail should hold"
cp "$UNIONCARD_LEDGER" "$TMP/lost.db"
sql "UPDATE cards SET status = 'encoded' WHERE serial = $(echo "$serial" | sed 's/^52//; s/^0*//')"
expect_fail 1 "$UC" audit verify
grep -q "card $serial is encoded in the cards table, but the audit trail says lost" \
    "$TMP/err" || { cat "$TMP/err" >&2; fail "replay did not name the card"; }
"$UC" audit verify --json >"$TMP/v.json" 2>/dev/null && fail "json: exit 0"
[ "$(jq -r .bad_card "$TMP/v.json")" = "$serial" ] || fail "json bad_card"
ok "lost -> encoded by hand: $(grep cards "$TMP/err")"
# the status list does not vouch for it, and no list is written
rm -f "$TMP/new.usl"
expect_fail 2 "$UC" --as printer status-list export --out "$TMP/new.usl" \
    --keys "$TMP/keys"
grep -q "do not match the audit trail" "$TMP/err" || { cat "$TMP/err" >&2;
    fail "status-list export: reason"; }
[ ! -e "$TMP/new.usl" ] && [ ! -e "$TMP/new.usl.seal" ] ||
    fail "a status list was written"
ok "status-list export refuses to vouch for it"
# a card row added by hand (never reserved in the trail)
cp "$TMP/lost.db" "$UNIONCARD_LEDGER"; rm -f "$UNIONCARD_LEDGER-wal" "$UNIONCARD_LEDGER-shm"
sql "INSERT INTO cards (serial, member_id, type, status, created_at, updated_at)
    SELECT 900, member_id, type, 'encoded', created_at, updated_at FROM cards LIMIT 1"
expect_fail 1 "$UC" audit verify
grep -q "card 52000000900 is encoded in the cards table, but the audit trail says never reserved" \
    "$TMP/err" || { cat "$TMP/err" >&2; fail "added card"; }
ok "a card added by hand is found"
