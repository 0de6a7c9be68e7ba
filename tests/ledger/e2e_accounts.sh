#!/bin/sh
# Accounts, each with its own secret: account add never takes the
# caller's UNIONCARD_PASSWORD for the new account (a file, or asked twice
# on a terminal whose prompt names the account); the password rule;
# account list, passwd (own, or an admin's reset), disable and enable;
# five wrong passwords lock an account until a time kept in the ledger,
# growing with each further one; refused logins are audited, at most 20
# rows an hour; missing directories are named before any prompt; audit
# export is the root admin's.
. "$(dirname "$0")/lib.sh"
# prompts on a pseudo-terminal: the acting password is typed, not read
# from the environment
TTY="env -u UNIONCARD_PASSWORD python3 $(dirname "$0")/tty_answer.py"

setup_tree >/dev/null 2>&1
accounts() { sql "SELECT count(*) FROM accounts"; }
n0=$(accounts)

# --- account add: where the new password comes from -----------------------
# No file and no terminal: refused, nothing added; the caller's
# UNIONCARD_PASSWORD (set here) is not taken instead.
expect_fail 2 setsid -w "$UC" --as admin account add c1 --unit TP01 \
    --role clerk </dev/null
grep -q "new password for c1: no terminal.*--password-file" "$TMP/err" ||
	fail "no terminal: $(cat "$TMP/err")"
[ "$(accounts)" = "$n0" ] || fail "an account was added without a password"
ok "account add without --password-file and without a terminal: refused," \
    "the caller's password is not reused"

printf 'clerk one secret\n' >"$TMP/c1.pw"
uc admin account add c1 --unit TP01 --role clerk --password-file "$TMP/c1.pw" \
    2>/dev/null || fail "account add with a file"
UNIONCARD_PASSWORD="clerk one secret" uc c1 member list --unit TP01 \
    >/dev/null || fail "c1 with its own password"
UNIONCARD_PASSWORD="correct horse battery" expect_fail 2 \
    uc c1 member list --unit TP01
grep -q "log in as c1: .*wrong user or password" "$TMP/err" ||
	fail "c1 with the admin's password: $(cat "$TMP/err")"
ok "account add --password-file: the account has that password, not the caller's"

# On a terminal: asked twice, each prompt naming the account.
$TTY "Password for admin: " "correct horse battery" \
    "New password for c2: " "clerk two secret" "Again: " "clerk two secret" \
    -- "$UC" --as admin account add c2 --unit TP01 --role clerk \
    >"$TMP/tty.out" 2>&1 || fail "on a terminal: $(cat "$TMP/tty.out")"
UNIONCARD_PASSWORD="clerk two secret" uc c2 member list --unit TP01 \
    >/dev/null || fail "c2 with the password typed twice"
set +e
$TTY "Password for admin: " "correct horse battery" \
    "New password for c3: " "clerk three secret" "Again: " "clerk three typo" \
    -- "$UC" --as admin account add c3 --unit TP01 --role clerk \
    >"$TMP/tty.out" 2>&1
rc=$?
set -e
[ "$rc" = 2 ] && grep -q "the two differ" "$TMP/tty.out" ||
	fail "two different passwords: exit $rc: $(cat "$TMP/tty.out")"
[ "$(sql "SELECT count(*) FROM accounts WHERE name = 'c3'")" = 0 ] ||
	fail "c3 was added"
ok "on a terminal: the password is asked twice, the prompts name the account;" \
    "two different answers add nothing"

# --- the password rule ------------------------------------------------------
for bad in "short pw1" "password123" "QWERTYUIOP" "aaaaaaaaaaaa" "c4.account"; do
	printf '%s\n' "$bad" >"$TMP/bad.pw"
	expect_fail 2 uc admin account add c4.account --unit TP01 --role clerk \
	    --password-file "$TMP/bad.pw"
	grep -q "at least 10\|commonest" "$TMP/err" ||
		fail "password '$bad': $(cat "$TMP/err")"
done
[ "$(sql "SELECT count(*) FROM accounts WHERE name = 'c4.account'")" = 0 ] ||
	fail "an account with a bad password was added"
ok "passwords under 10 characters, common ones, one character repeated and" \
    "the account's own name are refused"

# --- list, passwd, reset ----------------------------------------------------
uc admin account list --json >"$TMP/list.json"
jq -e '(map(.name) | index("c1")) != null and
    (.[] | select(.name == "c1") | .unit == "TP01" and .role == "clerk" and
    .status == "active" and .failed_logins == 1 and .locked_until == null)' \
    "$TMP/list.json" >/dev/null || fail "account list: $(cat "$TMP/list.json")"
uc admin account list | head -1 | grep -q "^name	unit	role	status" ||
	fail "account list table"
expect_fail 2 uc TP01.clerk account list
ok "account list: name, unit, role, status, failed logins (admins only)"

printf 'clerk one renewed\n' >"$TMP/c1b.pw"
UNIONCARD_PASSWORD="clerk one secret" uc c1 account passwd \
    --password-file "$TMP/c1b.pw" 2>/dev/null || fail "own passwd"
UNIONCARD_PASSWORD="clerk one secret" expect_fail 2 uc c1 unit list
UNIONCARD_PASSWORD="clerk one renewed" uc c1 unit list >/dev/null ||
	fail "c1 with its new password"
UNIONCARD_PASSWORD="clerk one renewed" expect_fail 2 \
    uc c1 account passwd c2 --password-file "$TMP/c1b.pw"
uc admin account passwd c1 --password-file "$TMP/c1.pw" 2>/dev/null ||
	fail "admin reset"
UNIONCARD_PASSWORD="clerk one secret" uc c1 unit list >/dev/null ||
	fail "c1 after the reset"
[ "$(sql "SELECT count(*) FROM audit WHERE action = 'account.reset' AND
    object = 'c1'")" = 1 ] || fail "the reset is audited"
ok "account passwd: one's own with the old password; a clerk may not reset" \
    "another's; the admin resets (audited)"

# --- lockout ----------------------------------------------------------------
for i in 1 2 3 4; do
	UNIONCARD_PASSWORD="not the password" expect_fail 2 uc c2 unit list
	grep -q "wrong user or password" "$TMP/err" && ! grep -q locked "$TMP/err" ||
		fail "wrong password $i: $(cat "$TMP/err")"
done
UNIONCARD_PASSWORD="not the password" expect_fail 2 uc c2 unit list
grep -q "after 5 wrong passwords account c2 is locked until 20" "$TMP/err" ||
	fail "the fifth: $(cat "$TMP/err")"
until=$(sql "SELECT locked_until FROM accounts WHERE name = 'c2'")
now=$(date +%s)
[ "$until" -gt "$now" ] && [ "$until" -le $((now + 60)) ] ||
	fail "locked_until $until (now $now)"
UNIONCARD_PASSWORD="clerk two secret" expect_fail 2 uc c2 unit list
grep -q "account c2 is locked until 20.*after 5 wrong passwords" "$TMP/err" ||
	fail "the right password while locked: $(cat "$TMP/err")"
[ "$(sql "SELECT failed_logins FROM accounts WHERE name = 'c2'")" = 5 ] ||
	fail "a refusal while locked counted as a wrong password"
ok "5 wrong passwords: locked until a time in the ledger; the right one is" \
    "refused with 'locked until T' meanwhile"
# The lock ran out (moved into the past in the file, not waited for): one
# more wrong password locks it again, for longer.
sql "UPDATE accounts SET locked_until = 1 WHERE name = 'c2'"
UNIONCARD_PASSWORD="not the password" expect_fail 2 uc c2 unit list
until=$(sql "SELECT locked_until FROM accounts WHERE name = 'c2'")
now=$(date +%s)
[ "$until" -gt $((now + 60)) ] && [ "$until" -le $((now + 120)) ] ||
	fail "the second lock: until $until, now $now"
sql "UPDATE accounts SET locked_until = 1 WHERE name = 'c2'"
UNIONCARD_PASSWORD="clerk two secret" uc c2 unit list >/dev/null ||
	fail "the right password after the lock"
[ "$(sql "SELECT failed_logins || '/' || coalesce(locked_until, '-') FROM
    accounts WHERE name = 'c2'")" = "0/-" ] || fail "the count starts over"
ok "past the lock one more wrong password locks it longer (doubled); the" \
    "right one then clears the count"

# --- disable, enable --------------------------------------------------------
uc admin account disable c2 2>/dev/null || fail "disable"
UNIONCARD_PASSWORD="clerk two secret" expect_fail 2 uc c2 unit list
grep -q "account c2 is disabled" "$TMP/err" || fail "disabled: $(cat "$TMP/err")"
expect_fail 2 uc admin account disable admin
grep -q "its own account" "$TMP/err" || fail "self: $(cat "$TMP/err")"
uc admin account enable c2 2>/dev/null || fail "enable"
UNIONCARD_PASSWORD="clerk two secret" uc c2 unit list >/dev/null ||
	fail "enabled again"
[ "$(sql "SELECT group_concat(action, ' ') FROM audit WHERE object = 'c2' AND
    action LIKE 'account.%able'")" = "account.disable account.enable" ] ||
	fail "disable/enable audited"
ok "account disable refuses the account's logins, enable lets it in;" \
    "an admin cannot disable itself"

# --- refused logins: no enumeration, bounded audit --------------------------
UNIONCARD_PASSWORD="whatever it is" expect_fail 2 uc nobody.here unit list
cp "$TMP/err" "$TMP/unknown.err"
UNIONCARD_PASSWORD="whatever it is" expect_fail 2 uc c1 unit list
sed 's/c1/NAME/' "$TMP/err" >"$TMP/known.err"
sed 's/nobody.here/NAME/' "$TMP/unknown.err" | cmp -s - "$TMP/known.err" ||
	fail "an unknown name reads differently: $(cat "$TMP/unknown.err" "$TMP/err")"
ok "an unknown account is refused exactly as a wrong password"

i=0
while [ $i -lt 25 ]; do
	UNIONCARD_PASSWORD="guess $i" "$UC" --as "=cmd|' /C calc'!A0" unit list \
	    >/dev/null 2>&1 || true
	i=$((i + 1))
done
rows=$(sql "SELECT count(*) FROM audit WHERE action = 'refused:login'")
hours=$(sql "SELECT count(*) FROM login_refusals")
counted=$(sql "SELECT sum(refused) FROM login_refusals")
[ "$rows" -le $((20 * hours)) ] && [ "$counted" -ge 25 ] ||
	fail "refused logins: $rows audit rows, $counted counted, $hours hours"
[ "$(sql "SELECT count(*) FROM audit WHERE action = 'refused:login' AND
    object LIKE '%calc%'")" = 0 ] || fail "a name no account can have reached the audit"
sql "SELECT details FROM audit WHERE action = 'refused:login'" |
    grep -q "counted in login_refusals, not recorded here" ||
	fail "the last audited refusal says the rest are counted"
"$UC" audit verify >/dev/null || fail "audit verify"
ok "refused logins: at most 20 audit rows an hour ($rows rows, $counted" \
    "refusals counted); a name no account can have is recorded as '?'"

# --- audit export is the root admin's ---------------------------------------
uc admin account add tp.admin --unit TP --role admin --password-file "$PWFILE" \
    2>/dev/null
expect_fail 2 uc tp.admin audit export --csv
grep -q "only an admin of the root unit" "$TMP/err" ||
	fail "tp.admin audit export: $(cat "$TMP/err")"
[ ! -s "$TMP/out" ] || fail "tp.admin got some of the trail"
[ "$(sql "SELECT action || ' ' || account FROM audit ORDER BY id DESC
    LIMIT 1")" = "refused:audit.export tp.admin" ] || fail "refusal audited"
uc admin audit export --csv >"$TMP/audit.csv" || fail "root admin's export"
head -1 "$TMP/audit.csv" | grep -q "^id,at,account" || fail "export header"
ok "audit export: refused to a district admin (audited), the root admin's"

# --- missing directories, named before any prompt ---------------------------
(
	unset UNIONCARD_PASSWORD UNIONCARD_PASSPHRASE
	export UNIONCARD_LEDGER="$TMP/no/such/dir/ledger.db"
	expect_fail 2 setsid -w "$UC" init --province 52 --name P --admin a \
	    </dev/null
	grep -q "ledger $TMP/no/such/dir/ledger.db: directory $TMP/no/such/dir does not exist" \
	    "$TMP/err" || fail "init: $(cat "$TMP/err")"
	expect_fail 2 setsid -w "$UC" --as admin unit list </dev/null
	grep -q "directory $TMP/no/such/dir does not exist" "$TMP/err" &&
	    ! grep -q -i password "$TMP/err" || fail "unit list: $(cat "$TMP/err")"
	expect_fail 2 setsid -w "$UC" keys init --dir "$TMP/no/such/keys" \
	    </dev/null
	grep -q "keys --dir $TMP/no/such/keys: directory $TMP/no/such does not exist" \
	    "$TMP/err" && ! grep -q -i "passphrase\|terminal" "$TMP/err" ||
		fail "keys init: $(cat "$TMP/err")"
	unset UNIONCARD_LEDGER
	for cmd in "encode --request 1 --reader vcard:$TMP --keys $TMP/no/keys" \
	    "status-list export --out $TMP/sl.usl --keys $TMP/no/keys"; do
		# shellcheck disable=SC2086
		expect_fail 2 setsid -w "$UC" --ledger "$TMP/ledger.db" \
		    --as printer $cmd </dev/null
		grep -q -- "--keys $TMP/no/keys: directory $TMP/no/keys does not exist" \
		    "$TMP/err" && ! grep -q -i "password\|passphrase" "$TMP/err" ||
			fail "${cmd%% *}: $(cat "$TMP/err")"
	done
	expect_fail 2 setsid -w "$UC" perso --reader "vcard:$TMP/c.json" \
	    --member "$UC_SOURCE_DIR/docs/examples/member.json" \
	    --keys "$TMP/no/keys" </dev/null
	grep -q -- "--keys $TMP/no/keys: directory $TMP/no/keys does not exist" \
	    "$TMP/err" && ! grep -q -i "passphrase" "$TMP/err" ||
		fail "perso: $(cat "$TMP/err")"
) || exit 1
ok "a missing ledger or keys directory is named in one error, before any" \
    "prompt (init, a ledger command, keys init, encode, status-list export," \
    "perso)"
