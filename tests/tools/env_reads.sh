#!/bin/sh
# What the environment may steer, held to the README's table:
#   1. the library (src/ but src/tools/) reads no environment at all:
#      no getenv, secure_getenv, environ;
#   2. every variable the tools read (getenv("X"), a password read from
#      "X", a *_ENV "X" name) is a row of README.md's "Environment" table,
#      and every row is read by some tool;
#   3. the test hooks (UNIONCARD_TODAY, UNIONCARD_KDF_ITERATIONS,
#      UNIONCARD_TEST_KILL_AT, UNIONCARD_VCARD_TEAR_AT) are named in one
#      file only, src/tools/testhooks.c, whose reads sit under
#      UC_TEST_HOOKS, and the table marks exactly those as test hooks.
set -eu
S="${UC_SOURCE_DIR:?}"
fail() { echo "FAIL: $*" >&2; exit 1; }
TMP="$(mktemp -d "${TMPDIR:-/tmp}/uc-env.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT

cd "$S"
# 1. the library
find src -name '*.[ch]' ! -path 'src/tools/*' | sort >"$TMP/lib"
[ -s "$TMP/lib" ] || fail "no library sources found under $S/src"
if xargs grep -nE '\b(secure_)?getenv[[:space:]]*\(|\benviron\b' \
    <"$TMP/lib" >"$TMP/libreads"; then
	cat "$TMP/libreads" >&2
	fail "the library reads the environment (above); tools read it and pass options"
fi
echo "ok - no getenv in $(wc -l <"$TMP/lib") library sources"

# 2. the tools' reads against the table
grep -ohE '(getenv|lgt_password|lgt_env_wipe)\("[A-Z0-9_]+"|define [A-Z0-9_]+_ENV "[A-Z0-9_]+"' \
    src/tools/*.c | sed -E 's/.*"([A-Z0-9_]+)"$/\1/' | sort -u >"$TMP/read"
[ -s "$TMP/read" ] || fail "found no variable the tools read: is the check blind?"
grep -q '^UNIONCARD_LEDGER$' "$TMP/read" || fail "the check misses UNIONCARD_LEDGER"
# shellcheck disable=SC2016 # backquotes of the Markdown, not a command
sed -n '/^## Environment$/,/^## /p' README.md |
    sed -nE 's/^\| `([A-Z0-9_]+)` \|.*/\1/p' | sort -u >"$TMP/table"
[ -s "$TMP/table" ] || fail "README.md has no Environment table"
if ! diff "$TMP/table" "$TMP/read" >"$TMP/diff"; then
	sed -n 's/^> /  read, not in the README table: /p; s/^< /  in the README table, read by no tool: /p' \
	    "$TMP/diff" >&2
	fail "the README's Environment table and the tools disagree"
fi
echo "ok - the tools read exactly the $(wc -l <"$TMP/table") variables of the README table"

# 3. the test hooks: one file, compiled only with UC_TEST_HOOKS
hooks="UNIONCARD_TODAY UNIONCARD_KDF_ITERATIONS UNIONCARD_TEST_KILL_AT UNIONCARD_VCARD_TEAR_AT"
for v in $hooks; do
	where=$(grep -rlE "\"$v\"" src | sort | tr '\n' ' ')
	[ "$where" = "src/tools/testhooks.c " ] ||
	    fail "$v is named in: ${where:-nothing} (only src/tools/testhooks.c may)"
	sed -nE "s/^\\| \`$v\` \\|([^|]*)\\|.*/\\1/p" README.md | grep -q 'test hook' ||
	    fail "README.md does not mark $v a test hook"
done
n=$(sed -n '/^## Environment$/,/^## /p' README.md | grep -c '(test hook)')
[ "$n" -eq 4 ] || fail "README.md marks $n variables as test hooks, want 4"
# the one getenv of testhooks.c, and the #if that keeps its value out
grep -c 'getenv(' src/tools/testhooks.c | grep -qx 1 ||
    fail "src/tools/testhooks.c should read the environment in one place"
awk '/getenv\(/ { g = 1 } g && /^#if UC_TEST_HOOKS$/ { ok = 1 }
    END { exit ok ? 0 : 1 }' src/tools/testhooks.c ||
    fail "src/tools/testhooks.c: the hook values are not kept under #if UC_TEST_HOOKS"
grep -q "conf.set10('UC_TEST_HOOKS', get_option('test_hooks'))" meson.build ||
    fail "meson.build does not tie UC_TEST_HOOKS to -Dtest_hooks"
grep -A1 "option('test_hooks'" meson_options.txt | grep -q 'value : false' ||
    fail "-Dtest_hooks is not off by default"
echo "ok - the four test hooks live in src/tools/testhooks.c, off unless -Dtest_hooks=true"
