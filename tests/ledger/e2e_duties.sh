#!/bin/sh
# Separation of duties (docs/ledger.md, "Who may do what"): nobody runs
# the chain alone.  A district admin can neither make an approver in its
# own district nor a printer anywhere; printing (accept, the station's
# card steps, the status list) is the root unit's; an admin manages only
# accounts of units below its own (the root admin any); the account that
# entered or submitted a member or a request never approves or accepts
# it.  Each refusal: exit 2, the reason, the ledger unchanged (every
# table, row for row), the refusal audited, the chain intact.
. "$(dirname "$0")/lib.sh"
export UNIONCARD_TODAY=2021-07-15

setup_tree >/dev/null 2>&1
uc admin account add TP.admin --unit TP --role admin \
    --password-file "$PWFILE" 2>/dev/null
member_csv "$TMP/tp01.csv"

# refused NAME WHY CMD...: exit 2 naming WHY, nothing changed, audited
refused() {
	name=$1 why=$2
	shift 2
	dump_state >"$TMP/before"
	audit_before=$(sql "SELECT count(*) FROM audit")
	expect_fail 2 "$@"
	grep -q "$why" "$TMP/err" || fail "$name: the message: $(cat "$TMP/err")"
	dump_state >"$TMP/after"
	cmp -s "$TMP/before" "$TMP/after" || {
		diff "$TMP/before" "$TMP/after" >&2
		fail "$name changed the ledger"
	}
	[ "$(sql "SELECT count(*) FROM audit")" = $((audit_before + 1)) ] &&
	    sql "SELECT action FROM audit ORDER BY id DESC LIMIT 1" |
	    grep -q "^refused:" || fail "$name: the refusal is not audited"
	"$UC" audit verify >/dev/null || fail "$name broke the audit chain"
	ok "$name: refused ($(head -c 150 "$TMP/err" | tr '\n' ' '))"
}

# --- who gives roles ----------------------------------------------------------
refused "a district admin making an approver of its own district" \
    "may not manage accounts of its own unit" \
    uc TP.admin account add TP.approver2 --unit TP --role approver \
    --password-file "$PWFILE"
refused "a district admin making a printer below it" \
    "printer account is made in the root unit" \
    uc TP.admin account add TP01.printer --unit TP01 --role printer \
    --password-file "$PWFILE"
refused "the root admin making a printer outside the root" \
    "printer account is made in the root unit" \
    uc admin account add TP.printer --unit TP --role printer \
    --password-file "$PWFILE"
refused "a district admin resetting a password in its own district" \
    "may not manage accounts of its own unit" \
    uc TP.admin account passwd TP.approver --password-file "$PWFILE"
refused "a district admin disabling an account of its own district" \
    "may not manage accounts of its own unit" \
    uc TP.admin account disable TP.approver
refused "a district admin making an account in another district" \
    "outside the subtree" \
    uc TP.admin account add AN01.clerk2 --unit AN01 --role clerk \
    --password-file "$PWFILE"
uc TP.admin account add TP01.clerk2 --unit TP01 --role clerk \
    --password-file "$PWFILE" 2>/dev/null ||
	fail "a district admin making a clerk of a union below it"
uc admin account add root.approver --unit 52 --role approver \
    --password-file "$PWFILE" 2>/dev/null ||
	fail "the root admin making an account of the root unit"
ok "an admin makes accounts below its unit; the root admin in the root too"
# One role an account: a second role is a second account, made from above.
dump_state >"$TMP/before"
expect_fail 2 uc admin account add TP01.clerk --unit TP01 --role approver \
    --password-file "$PWFILE"
grep -q "an account named TP01.clerk already exists" "$TMP/err" ||
	fail "a second role: $(cat "$TMP/err")"
dump_state | cmp -s "$TMP/before" - || fail "a second role changed the ledger"
ok "a second role for an account is refused: one account, one role"

# --- nobody approves what it entered or submitted -----------------------------
uc TP01.clerk member import "$TMP/tp01.csv" --unit TP01 >/dev/null 2>&1
uc TP01.clerk member submit --unit TP01 >/dev/null 2>&1
[ "$(sql "SELECT count(*) FROM members WHERE submitted_by = (SELECT id FROM
    accounts WHERE name = 'TP01.clerk')")" = 4 ] || fail "submitted_by"
# The roles hold this by construction (a clerk is no approver); an account
# whose row was changed in the file to an approver of TP is still refused.
sql "UPDATE accounts SET role = 'approver', unit_id = (SELECT id FROM units
    WHERE code = 'TP') WHERE name = 'TP01.clerk'"
refused "the clerk who submitted the members approving them" \
    "entered or submitted this member" \
    uc TP01.clerk member approve --unit TP01 --all
sql "UPDATE accounts SET role = 'clerk', unit_id = (SELECT id FROM units
    WHERE code = 'TP01') WHERE name = 'TP01.clerk'"
uc TP.approver member approve --unit TP01 --all >/dev/null 2>&1 ||
	fail "the district's approver"
rid=$(uc TP01.clerk request create --unit TP01 --type regular --all-approved)
uc TP01.clerk request submit "$rid"
sql "UPDATE accounts SET role = 'approver', unit_id = (SELECT id FROM units
    WHERE code = 'TP') WHERE name = 'TP01.clerk'"
refused "the clerk who submitted the request approving it" \
    "created or submitted request $rid" \
    uc TP01.clerk request approve "$rid"
sql "UPDATE accounts SET role = 'clerk', unit_id = (SELECT id FROM units
    WHERE code = 'TP01') WHERE name = 'TP01.clerk'"
uc TP.approver request approve "$rid"
sql "UPDATE accounts SET role = 'printer', unit_id = 1 WHERE
    name = 'TP01.clerk'"
refused "the clerk who submitted the request accepting it" \
    "created or submitted request $rid" \
    uc TP01.clerk request accept "$rid"
sql "UPDATE accounts SET role = 'clerk', unit_id = (SELECT id FROM units
    WHERE code = 'TP01') WHERE name = 'TP01.clerk'"

# --- printing is the root unit's ----------------------------------------------
# A printer outside the root (made in the file: the tools refuse to).
sql "UPDATE accounts SET unit_id = (SELECT id FROM units WHERE code = 'TP')
    WHERE name = 'printer'"
refused "a printer of a district accepting a request" \
    "printing belongs to the issuer's own unit" \
    uc printer request accept "$rid"
refused "a printer of a district exporting the status list" \
    "the root unit exports it" \
    uc printer status-list export --out "$TMP/sl.usl" --unsigned
sql "UPDATE accounts SET unit_id = 1 WHERE name = 'printer'"
uc printer request accept "$rid" || fail "the root's printer accepts"
serial=$(uc printer card list --request "$rid" --json | jq -r '.[0].serial')
refused "a district admin spoiling a card" \
    "printing belongs to the issuer's own unit" \
    uc TP.admin card spoil "$serial" --reason "dropped"
ok "the root's printer accepts; the cards' printing steps stay the root's"
