#!/bin/sh
# SIGKILL during a large import, several times at random points: the
# ledger is always either before or after the import, never between, and
# the audit chain verifies.
. "$(dirname "$0")/lib.sh"
export UNIONCARD_TODAY=2021-07-15
ROWS=${UC_KILL_ROWS:-150000}
RUNS=${UC_KILL_RUNS:-6}

setup_tree >/dev/null 2>&1
awk -v n="$ROWS" 'BEGIN {
    printf "full_name,date_of_birth,gender,national_id,position,joined_on,mandatory\r\n"
    for (i = 0; i < n; i++)
        printf "Nguyễn Văn Số %d,1980-01-01,nam,7%011d,Công nhân,2010-01-01,0\r\n", i, i
}' >"$TMP/big.csv"

uc TP01.clerk member import "$TMP/big.csv" --unit TP02 >/dev/null 2>&1 && fail "clerk of TP01 in TP02"
cp "$UNIONCARD_LEDGER" "$TMP/base.db"
t0=$(date +%s%N)
uc TP02.clerk member import "$TMP/big.csv" --unit TP02 2>/dev/null
full_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
echo "# a full import of $ROWS rows takes ${full_ms} ms"

before=0 after=0 i=0
while [ $i -lt "$RUNS" ]; do
    i=$((i + 1))
    cp "$TMP/base.db" "$UNIONCARD_LEDGER"
    rm -f "$UNIONCARD_LEDGER-wal" "$UNIONCARD_LEDGER-shm"
    # kill somewhere between 5% and 155% of a full import
    ms=$(awk -v s="$(od -An -N2 -tu2 /dev/urandom)" -v f="$full_ms" \
        'BEGIN { printf "%d", f * (0.05 + (s % 1000) / 666.0) }')
    "$UC" --as TP02.clerk member import "$TMP/big.csv" --unit TP02 >/dev/null 2>&1 &
    pid=$!
    sleep "$(awk -v m="$ms" 'BEGIN { printf "%.3f", m / 1000 }')"
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    n=$(sql "SELECT count(*) FROM members")
    case "$n" in
    0) before=$((before + 1)) ;;
    "$ROWS") after=$((after + 1)) ;;
    *) fail "run $i: killed at ${ms} ms left $n of $ROWS members" ;;
    esac
    imports=$(sql "SELECT count(*) FROM imports")
    [ "$imports" = "$([ "$n" = 0 ] && echo 0 || echo 1)" ] || fail "imports table torn"
    "$UC" audit verify >/dev/null || fail "run $i: audit chain broken"
    ok "run $i: killed at ${ms} ms -> $n members, audit intact"
done
echo "# $before runs before, $after after"
