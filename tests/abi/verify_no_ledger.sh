#!/bin/sh
# The field officer's verifier carries no ledger and no SQLite: it links
# libunioncard's core part (libunioncard-core.a) alone, not the shared
# library that holds the ledger.  Checked on the binary itself: its
# dynamic dependencies (no libsqlite3, no libunioncard), its symbols (no
# sqlite3_*, uc_ledger_*, lg_*, uc_station_*), and, so that the check can
# fail, the same symbols present where they belong (the ledger part and
# the shared library).
set -eu

B="${UC_BUILD_DIR:?}"
V="$B/src/tools/unioncard-verify"
fail() { echo "FAIL: $*" >&2; exit 1; }
[ -x "$V" ] || fail "$V not built"

needed=$(readelf -d "$V" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
[ -n "$needed" ] || fail "readelf found no NEEDED entries in $V"
if printf '%s\n' "$needed" | grep -E '^lib(sqlite3|unioncard)\.' >/dev/null; then
	fail "unioncard-verify needs: $(printf '%s\n' "$needed" | grep -E '^lib(sqlite3|unioncard)\.' | tr '\n' ' ')"
fi
echo "ok - unioncard-verify needs neither libsqlite3 nor libunioncard.so"

pat='sqlite3_|(^| )(uc_ledger_|lg_|uc_station_)'
syms=$(nm "$V" | awk '{ print $NF }')
[ -n "$syms" ] || fail "nm found no symbols in $V (stripped?)"
bad=$(printf '%s\n' "$syms" | grep -E "$pat" || true)
[ -z "$bad" ] || fail "unioncard-verify holds ledger or SQLite symbols: $(printf '%s\n' "$bad" | head -5 | tr '\n' ' ')"
# It does verify: the card and status-list checks are in it.
for s in uc_verify_card uc_status_list_verify uc_verify_status_list_load; do
	printf '%s\n' "$syms" | grep -x "$s" >/dev/null ||
	    fail "unioncard-verify lacks $s"
done
echo "ok - no sqlite3_, uc_ledger_, lg_ or uc_station_ symbol in unioncard-verify"

# The same patterns do find the ledger where it is.
nm "$B/libunioncard-ledger.a" 2>/dev/null | grep -E ' U sqlite3_prepare' >/dev/null ||
    fail "libunioncard-ledger.a does not use sqlite3_prepare*: is the check blind?"
nm "$B/libunioncard-ledger.a" | grep -E ' T uc_ledger_open$' >/dev/null ||
    fail "libunioncard-ledger.a lacks uc_ledger_open"
if nm "$B/libunioncard-core.a" 2>/dev/null | grep -E "$pat" >/dev/null; then
	fail "libunioncard-core.a refers to ledger or SQLite symbols"
fi
echo "ok - the ledger and SQLite are in libunioncard-ledger.a, not in the core"
