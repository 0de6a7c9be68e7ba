#!/bin/sh
# A wiped, damaged or unwritable ledger is refused with its cause:
#   1. a 0-byte ledger is not made anew by any command but init;
#   2. a ledger with damaged pages: audit verify says BROKEN and what
#      SQLite found, status-list export refuses and writes nothing;
#   3. a file that is not a database at all;
#   4. a ledger this user may only read: read, verified, reported on,
#      while a change is refused as read-only;
#   5. a ledger this user may not read: permission denied;
#   6. a full disk: no space left, nothing half-written;
#   7. a write lock held by another process: busy.
# None of them says "ledger database error".
. "$(dirname "$0")/lib.sh"
export UNIONCARD_TODAY=2021-07-15
export UNIONCARD_PASSPHRASE="damaged passphrase"

setup_tree >/dev/null 2>&1
member_csv "$TMP/tp01.csv"
uc TP01.clerk member import "$TMP/tp01.csv" --unit TP01 2>/dev/null
"$UC" keys init --dir "$TMP/keys" >/dev/null 2>&1 || fail "keys init"
cp "$UNIONCARD_LEDGER" "$TMP/good.db"
restore() {
    cp "$TMP/good.db" "$UNIONCARD_LEDGER"
    chmod 600 "$UNIONCARD_LEDGER"
    rm -f "$UNIONCARD_LEDGER-wal" "$UNIONCARD_LEDGER-shm"
}
no_generic() { ! grep -q "ledger database error" "$TMP/err" ||
    fail "$1: the generic message"; }

# --- 1. wiped to 0 bytes -------------------------------------------------
: >"$UNIONCARD_LEDGER"
expect_fail 1 "$UC" audit verify
grep -q "the ledger file is empty (0 bytes)" "$TMP/err" || fail "verify: empty"
for cmd in "admin report progress" "TP01.clerk member list --unit TP01" \
    "printer status-list export --out $TMP/x.usl --keys $TMP/keys" \
    "admin unit add XX --name X --parent 52"; do
    # shellcheck disable=SC2086
    expect_fail 2 "$UC" --as $cmd
    grep -q "the ledger file is empty (0 bytes)" "$TMP/err" ||
        { cat "$TMP/err" >&2; fail "$cmd: not told"; }
    [ ! -s "$UNIONCARD_LEDGER" ] || fail "$cmd: re-created the ledger"
done
[ ! -e "$TMP/x.usl" ] || fail "a status list from an empty ledger"
"$UC" init --province 52 --name "LĐLĐ tỉnh Bình Định" --admin admin 2>/dev/null ||
    fail "init on the empty file"
[ "$(sql "SELECT count(*) FROM units")" = 1 ] || fail "init"
ok "a 0-byte ledger is refused by every command but init"

# --- 2. damaged pages ----------------------------------------------------
restore
python3 - "$UNIONCARD_LEDGER" <<'PY'
import sqlite3, sys
db = sys.argv[1]
c = sqlite3.connect(db)
ps = c.execute("PRAGMA page_size").fetchone()[0]
root = c.execute("SELECT rootpage FROM sqlite_schema WHERE name = 'members'").fetchone()[0]
c.close()
with open(db, "r+b") as f:
    f.seek((root - 1) * ps)          # the b-tree page header of members
    f.write(bytes([0x0d, 0xff, 0xff, 0x7f, 0xff, 0xff, 0xff, 0xff]))
PY
cp "$UNIONCARD_LEDGER" "$TMP/damaged.db"
expect_fail 1 "$UC" audit verify
grep -q "BROKEN: the database is damaged: " "$TMP/err" ||
    { cat "$TMP/err" >&2; fail "verify: damaged not told"; }
no_generic "verify"
ok "audit verify: $(cat "$TMP/err")"
"$UC" audit verify --json >"$TMP/v.json" 2>/dev/null && fail "json exit 0"
jq -e '.intact == false and (.pages | test("damaged"))' "$TMP/v.json" >/dev/null ||
    fail "verify --json: $(cat "$TMP/v.json")"
expect_fail 2 "$UC" --as printer status-list export --out "$TMP/d.usl" \
    --keys "$TMP/keys"
grep -q "damaged" "$TMP/err" || { cat "$TMP/err" >&2; fail "export: damaged"; }
no_generic "export"
[ ! -e "$TMP/d.usl" ] && [ ! -e "$TMP/d.usl.seal" ] || fail "a list was written"
cmp -s "$UNIONCARD_LEDGER" "$TMP/damaged.db" || fail "the damaged file changed"
ok "status-list export refuses a damaged ledger, writes nothing"

# --- 3. not a database ---------------------------------------------------
printf 'member_code,name\n52000000010,Huỳnh\n%01000d\n' 0 >"$UNIONCARD_LEDGER"
expect_fail 1 "$UC" audit verify
grep -q "not a database" "$TMP/err" || { cat "$TMP/err" >&2; fail "not a db"; }
expect_fail 2 "$UC" --as admin report progress
grep -q "not a database" "$TMP/err" || fail "report: not a db"
ok "a file that is not a database: $(cat "$TMP/err")"

as_nobody() { setpriv --reuid 65534 --regid 65534 --clear-groups "$@"; }
if command -v setpriv >/dev/null && [ "$(id -u)" = 0 ]; then
    # --- 4. read-only ----------------------------------------------------
    restore
    chmod 755 "$TMP"
    chmod 644 "$UNIONCARD_LEDGER"
    as_nobody "$UC" audit verify >"$TMP/out" 2>"$TMP/err" ||
        { cat "$TMP/err" >&2; fail "read-only: verify"; }
    as_nobody "$UC" --as admin report progress --csv >"$TMP/out" 2>"$TMP/err" ||
        { cat "$TMP/err" >&2; fail "read-only: report"; }
    grep -q "^TP01," "$TMP/out" || fail "read-only: report rows"
    expect_fail 2 as_nobody "$UC" --as admin unit add XX --name X --parent 52
    grep -q "read-only" "$TMP/err" || { cat "$TMP/err" >&2; fail "read-only write"; }
    no_generic "read-only"
    cmp -s "$UNIONCARD_LEDGER" "$TMP/good.db" || fail "read-only file changed"
    ok "read-only ledger: verified and reported on; a change: $(cat "$TMP/err")"

    # --- 5. permission denied -------------------------------------------
    chmod 600 "$UNIONCARD_LEDGER"
    expect_fail 2 as_nobody "$UC" audit verify
    grep -q "Permission denied\|permission denied" "$TMP/err" ||
        { cat "$TMP/err" >&2; fail "permission"; }
    no_generic "permission"
    ok "unreadable ledger: $(cat "$TMP/err")"
    chmod 700 "$TMP"
else
    echo "skip - read-only and permission cases need root and setpriv"
fi

# --- 6. disk full ----------------------------------------------------------
restore
MNT="$TMP/full"
mkdir "$MNT"
size=$(( $(stat -c %s "$UNIONCARD_LEDGER") + 48 * 1024 ))
if mount -t tmpfs -o "size=$size" tmpfs "$MNT" 2>/dev/null; then
    trap 'umount "$MNT" 2>/dev/null; rm -rf "$TMP"' EXIT
    cp "$UNIONCARD_LEDGER" "$MNT/ledger.db"
    chmod 600 "$MNT/ledger.db"
    export UNIONCARD_LEDGER="$MNT/ledger.db"
    n=$(sql "SELECT count(*) FROM members")
    audit_n=$(sql "SELECT count(*) FROM audit")
    python3 - "$TMP/big.csv" <<'PY'
import sys
with open(sys.argv[1], "w", encoding="utf-8") as f:
    f.write("full_name,date_of_birth,gender,national_id,position,joined_on,mandatory\n")
    for i in range(3000):
        f.write("Nguyễn Văn Số %d,1990-01-01,nam,%012d,Công nhân may mặc xuất khẩu,2015-01-15,0\n"
                % (i, 52090100000 + i))
PY
    expect_fail 2 "$UC" --as TP02.clerk member import "$TMP/big.csv" --unit TP02
    grep -q "no space left on the disk" "$TMP/err" ||
        { cat "$TMP/err" >&2; fail "ENOSPC not told"; }
    no_generic "ENOSPC"
    msg=$(cat "$TMP/err")
    [ "$(sql "SELECT count(*) FROM members")" = "$n" ] || fail "ENOSPC: members changed"
    "$UC" audit verify >/dev/null 2>&1 || fail "ENOSPC: audit verify"
    ok "disk full: $msg; nothing half-written"
    export UNIONCARD_LEDGER="$TMP/ledger.db"
    umount "$MNT"
    # a full disk under --out: the export is refused, the ledger rolls back
    mount -t tmpfs -o size=4k tmpfs "$MNT" || fail "remount"
    dd if=/dev/zero of="$MNT/fill" bs=4096 count=1 2>/dev/null || true
    audit_n=$(sql "SELECT count(*) FROM audit")
    seals_n=$(sql "SELECT count(*) FROM audit_seals")
    expect_fail 2 "$UC" --as printer status-list export --out "$MNT/today.usl" \
        --keys "$TMP/keys"
    grep -q "no space left on the disk" "$TMP/err" ||
        { cat "$TMP/err" >&2; fail "export ENOSPC not told"; }
    [ "$(sql "SELECT count(*) FROM audit")" = "$audit_n" ] &&
        [ "$(sql "SELECT count(*) FROM audit_seals")" = "$seals_n" ] ||
        fail "export ENOSPC: the ledger recorded an export"
    [ "$(ls "$MNT")" = fill ] || fail "export ENOSPC left: $(ls "$MNT")"
    ok "disk full under --out: $(cat "$TMP/err")"
    umount "$MNT"
    trap 'rm -rf "$TMP"' EXIT
else
    echo "skip - disk full: cannot mount a small tmpfs here"
fi

# --- 7. busy ---------------------------------------------------------------
restore
python3 - "$UNIONCARD_LEDGER" "$UC" "$TMP/err" <<'PY' || fail "busy"
import sqlite3, subprocess, sys
db, uc, err = sys.argv[1:]
c = sqlite3.connect(db, isolation_level=None)
c.execute("BEGIN IMMEDIATE")          # the write lock, held
p = subprocess.run([uc, "--as", "admin", "unit", "add", "XX", "--name", "X",
                    "--parent", "52"], capture_output=True, text=True)
c.execute("ROLLBACK")
open(err, "w").write(p.stderr)
assert p.returncode == 2, p
assert "ledger is busy" in p.stderr, p.stderr
PY
[ "$(sql "SELECT count(*) FROM units WHERE code = 'XX'")" = 0 ] || fail "busy: unit added"
ok "write lock held elsewhere: $(cat "$TMP/err")"
