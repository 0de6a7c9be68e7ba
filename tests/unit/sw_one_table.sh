#!/bin/sh
# ISO 7816 status words are named in one header, include/unioncard/sw.h
# (UC_SW_TABLE): no other file of the library, the tools or the virtual
# card #defines a status word or switches over status-word literals.
set -eu
S="${UC_SOURCE_DIR:?}"
fail() { echo "FAIL: $*" >&2; exit 1; }
cd "$S"
[ -f include/unioncard/sw.h ] || fail "include/unioncard/sw.h missing"
grep -q 'UC_SW_TABLE(SW)' include/unioncard/sw.h || fail "sw.h has no UC_SW_TABLE"
files=$(find src include -name '*.[ch]' ! -path include/unioncard/sw.h | sort)
[ -n "$files" ] || fail "no sources found"
# shellcheck disable=SC2086 # one file a word
if grep -nE '#define[[:space:]]+[A-Za-z0-9_]*SW[A-Za-z0-9_]*[[:space:]]+\(?0x[69][0-9a-fA-F]{3}u?\b' $files >"${TMPDIR:-/tmp}/uc-sw.$$"; then
	cat "${TMPDIR:-/tmp}/uc-sw.$$" >&2; rm -f "${TMPDIR:-/tmp}/uc-sw.$$"
	fail "status words #defined outside include/unioncard/sw.h (above)"
fi
# shellcheck disable=SC2086
if grep -nE 'case[[:space:]]+0x[69][0-9a-fA-F]{3}u?[[:space:]]*:' $files >"${TMPDIR:-/tmp}/uc-sw.$$"; then
	cat "${TMPDIR:-/tmp}/uc-sw.$$" >&2; rm -f "${TMPDIR:-/tmp}/uc-sw.$$"
	fail "a status-word table outside include/unioncard/sw.h (above)"
fi
rm -f "${TMPDIR:-/tmp}/uc-sw.$$"
echo "ok - status words are defined in include/unioncard/sw.h alone"
