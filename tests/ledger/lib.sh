# shellcheck shell=sh
# Shared by the ledger's end-to-end tests: a temp dir, the tool, checks.
set -eu

UC="${UC_BUILD_DIR:?}/src/tools/unioncard"
# These tests steer the tools through their test hooks (UNIONCARD_TODAY,
# UNIONCARD_KDF_ITERATIONS, ...), built only with meson -Dtest_hooks=true.
grep -q '^#define UC_TEST_HOOKS 1' "$UC_BUILD_DIR/config.h" || {
    echo "SKIP: needs a build with -Dtest_hooks=true (scripts/test's)"
    exit 77; }
TMP="$(mktemp -d "${TMPDIR:-/tmp}/uc-ledger.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT
export UNIONCARD_LEDGER="$TMP/ledger.db"
export UNIONCARD_PASSWORD="correct horse battery"
# A new account's password is never the caller's: account add reads it
# from a file (the test accounts all get this one).
PWFILE="$TMP/password"
printf '%s\n' "$UNIONCARD_PASSWORD" >"$PWFILE"
# Cheap password hashes for the test ledgers (see docs/ledger.md).
export UNIONCARD_KDF_ITERATIONS=1000

fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { echo "ok - $*"; }

# uc USER ARGS...: run the tool as USER
uc() { u="$1"; shift; "$UC" --as "$u" "$@"; }

# expect_fail CODE CMD...: CMD must exit with CODE; its stderr is in $TMP/err
expect_fail() {
    want="$1"; shift
    set +e
    "$@" >"$TMP/out" 2>"$TMP/err"
    got=$?
    set -e
    [ "$got" = "$want" ] || { cat "$TMP/err" >&2;
        fail "'$*' exited $got, wanted $want"; }
}

# The ledger's content without the audit trail (which gains refusal rows)
# and without the login bookkeeping (a refused login counts a wrong
# password: accounts.failed_logins, locked_until, login_refusals).
dump_state() {
    for t in $(sqlite3 "$UNIONCARD_LEDGER" "SELECT name FROM sqlite_schema
        WHERE type = 'table' AND name NOT IN ('audit', 'audit_head',
        'login_refusals') ORDER BY name"); do
        echo "== $t"
        if [ "$t" = accounts ]; then
            sqlite3 "$UNIONCARD_LEDGER" "SELECT id, name, unit_id, role,
                pw_hash, created_at, disabled FROM accounts ORDER BY 1"
        else
            sqlite3 "$UNIONCARD_LEDGER" "SELECT * FROM \"$t\" ORDER BY 1"
        fi
    done
}

sql() { sqlite3 "$UNIONCARD_LEDGER" "$@"; }

# A province with two districts and a sector union, four grassroots
# unions (one exempt), and accounts for each.
setup_tree() {
    "$UC" init --province 52 --name "LĐLĐ tỉnh Bình Định" --admin admin
    uc admin unit add TP --name "LĐLĐ huyện Tuy Phước" --parent 52
    cat >"$TMP/units.csv" <<'CSV'
code,name,parent,exempt
AN,LĐLĐ thị xã An Nhơn,52,0
GD,Công đoàn ngành Giáo dục,52,0
TP01,CĐCS Trường THPT Tuy Phước,TP,0
TP02,CĐCS Công ty May Tuy Phước,TP,no
AN01,CĐCS Bệnh viện An Nhơn,AN,0
GD01,CĐCS Trường Trung cấp luật,GD,yes
CSV
    uc admin unit import "$TMP/units.csv"
    uc admin account add printer --unit 52 --role printer --password-file "$PWFILE"
    uc admin account add liaison --unit 52 --role liaison --password-file "$PWFILE"
    for d in TP AN GD; do
        uc admin account add "$d.approver" --unit "$d" --role approver --password-file "$PWFILE"
    done
    for g in TP01 TP02 AN01 GD01; do
        uc admin account add "$g.clerk" --unit "$g" --role clerk --password-file "$PWFILE"
    done
}

# member_csv FILE: four members, names in NFD, CRLF line ends, mixed dates
member_csv() {
    python3 - "$1" <<'PY'
import sys, unicodedata
rows = [
    "full_name,date_of_birth,gender,national_id,position,joined_on,mandatory",
    "Huỳnh Lê Diễm Tuyết,12/03/1985,nữ,052185000123,Phó Trưởng ban,2010-05-01,1",
    "Dương Lê Hồng Thủy,1979-11-30,nữ,052179000456,Giáo viên,01/09/2001,0",
    "Nguyễn Văn Đức,05/06/1990,nam,052090000789,\"Kế toán, thủ quỹ\",2015-01-15,no",
    "Phạm Đức Dụ,1975-02-20,M,052075000321,Chủ tịch công đoàn,1998-03-01,yes",
]
with open(sys.argv[1], "wb") as f:
    for r in rows:
        f.write(unicodedata.normalize("NFD", r).encode() + b"\r\n")
PY
}
