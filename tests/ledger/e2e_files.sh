#!/bin/sh
# Files with members' data are the owner's: the ledger and its -wal and
# -shm are created 0600 (0640 for the group named at init --group), and
# so is every file the ledger writes (bank order, status list, seals),
# each through a fresh temporary file (mkstemp) beside it, renamed into
# place.  A symbolic link (or a directory) at --out is refused, and the
# file it points to is untouched.
. "$(dirname "$0")/lib.sh"
export UNIONCARD_TODAY=2021-07-15
export UNIONCARD_PASSPHRASE="files passphrase"

mode() { stat -c %a "$1"; }
group() { stat -c %G "$1"; }

setup_tree >/dev/null 2>&1
[ "$(mode "$UNIONCARD_LEDGER")" = 600 ] || fail "ledger mode $(mode "$UNIONCARD_LEDGER")"
member_csv "$TMP/tp01.csv"
uc TP01.clerk member import "$TMP/tp01.csv" --unit TP01 2>/dev/null
uc TP01.clerk member submit --unit TP01 2>/dev/null
uc TP.approver member approve --unit TP01 --all 2>/dev/null
rid=$(uc TP01.clerk request create --unit TP01 --type linked --all-approved)
uc TP01.clerk request submit "$rid"
uc TP.approver request approve "$rid"
"$UC" keys init --dir "$TMP/keys" >/dev/null 2>&1 || fail "keys init"

# -wal and -shm exist while a connection is open: hold one (a reader in
# another process), write through the tool, and look at them
python3 - "$UNIONCARD_LEDGER" "$UC" <<'PY' || fail "wal/shm modes"
import os, sqlite3, stat, subprocess, sys
db, uc = sys.argv[1], sys.argv[2]
c = sqlite3.connect(db)
c.execute("SELECT count(*) FROM units").fetchone()
subprocess.run([uc, "--as", "admin", "target", "set", "--unit", "TP01",
                "--year", "2021", "--members", "10", "--deadline",
                "2021-10-30"], check=True, stdout=subprocess.DEVNULL)
for f in (db + "-wal", db + "-shm"):
    m = stat.S_IMODE(os.stat(f).st_mode)
    assert m == 0o600, "%s is %o" % (f, m)
c.close()
PY
ok "ledger, -wal and -shm are 0600"

uc liaison bank export --request "$rid" --out "$TMP/order.csv" >/dev/null
uc printer status-list export --out "$TMP/today.usl" --keys "$TMP/keys" 2>/dev/null
uc printer audit seal --out "$TMP/day.seal" --keys "$TMP/keys" 2>/dev/null
for f in order.csv today.usl today.usl.seal day.seal; do
    [ "$(mode "$TMP/$f")" = 600 ] || fail "$f is $(mode "$TMP/$f")"
done
for f in "$TMP"/*.tmp.*; do
    [ ! -e "$f" ] || fail "a temporary file was left: $f"
done
ok "bank order, status list and seals are 0600, no temporary file left"

# --- a symbolic link at --out ----------------------------------------------
printf 'the victim\n' >"$TMP/victim"
n=$(sql "SELECT count(*) FROM audit")
for cmd in "liaison bank export --request $rid --out" \
    "printer status-list export --keys $TMP/keys --out" \
    "printer audit seal --keys $TMP/keys --out"; do
    rm -f "$TMP/link"
    ln -s "$TMP/victim" "$TMP/link"
    # shellcheck disable=SC2086
    expect_fail 2 "$UC" --as $cmd "$TMP/link"
    grep -q "is a symbolic link: refused" "$TMP/err" ||
        { cat "$TMP/err" >&2; fail "$cmd: no reason"; }
    [ -L "$TMP/link" ] || fail "$cmd: the link was replaced"
    [ "$(cat "$TMP/victim")" = "the victim" ] || fail "$cmd: victim written"
    for f in "$TMP"/*.tmp.*; do
        [ ! -e "$f" ] || fail "$cmd: temporary file left: $f"
    done
done
[ ! -e "$TMP/link.seal" ] || fail "a seal was written beside the link"
[ "$(sql "SELECT count(*) FROM audit")" = "$n" ] || fail "audit rows added"
[ "$(sql "SELECT count(*) FROM audit_seals")" = 2 ] || fail "a seal was kept"
mkdir "$TMP/adir"
expect_fail 2 "$UC" --as liaison bank export --request "$rid" --out "$TMP/adir"
grep -q "not a regular file" "$TMP/err" || fail "directory at --out"
"$UC" audit verify >/dev/null || fail "audit verify"
ok "a symbolic link or a directory at every --out is refused; nothing written"

# --- init --group: 0640 for the named group ----------------------------------
export UNIONCARD_LEDGER="$TMP/group.db"
grp=$(id -gn nobody 2>/dev/null || echo nogroup)
"$UC" init --province 52 --name "LĐLĐ tỉnh Bình Định" --admin admin \
    --group "$grp" 2>/dev/null || fail "init --group"
[ "$(mode "$UNIONCARD_LEDGER")" = 640 ] && [ "$(group "$UNIONCARD_LEDGER")" = "$grp" ] ||
    fail "group ledger: $(stat -c '%a %G' "$UNIONCARD_LEDGER")"
uc admin account add printer --unit 52 --role printer --password-file "$PWFILE"
uc printer audit seal --out "$TMP/g.seal" --keys "$TMP/keys" 2>/dev/null
[ "$(mode "$TMP/g.seal")" = 640 ] && [ "$(group "$TMP/g.seal")" = "$grp" ] ||
    fail "group seal: $(stat -c '%a %G' "$TMP/g.seal")"
expect_fail 2 "$UC" --ledger "$TMP/g2.db" init --province 52 --name X \
    --admin admin --group no-such-group-here
grep -q "no group named 'no-such-group-here'" "$TMP/err" || fail "unknown group"
[ ! -e "$TMP/g2.db" ] || fail "a ledger was made for an unknown group"
ok "init --group $grp: ledger and seals 0640 for that group"
