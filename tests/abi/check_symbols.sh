#!/bin/sh
# The shared library exports exactly the functions listed in
# tests/abi/libunioncard.symbols, each under the version node
# UNIONCARD_0 (src/libunioncard.map).  A function added to the API goes
# on the list in the same commit; one removed or changed in a way that
# breaks callers needs a new soversion.
#
#   tests/abi/check_symbols.sh            check (UC_BUILD_DIR, UC_SOURCE_DIR)
#   tests/abi/check_symbols.sh --update   rewrite the list from the build
set -eu

B="${UC_BUILD_DIR:-build}"
S="${UC_SOURCE_DIR:-$(dirname "$0")/../..}"
so="$B/libunioncard.so"
list="$S/tests/abi/libunioncard.symbols"
[ -f "$so" ] || { echo "FAIL: $so not built (default_library=both or shared)" >&2; exit 1; }

TMP="$(mktemp -d "${TMPDIR:-/tmp}/uc-abi.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT

# name@@NODE for every defined dynamic symbol but the node itself
nm -D --defined-only "$so" | awk '$2 != "A" { print $3 }' | sort >"$TMP/versioned"
if grep -v '@@UNIONCARD_0$' "$TMP/versioned" >"$TMP/unversioned"; then
	echo "FAIL: exported outside the UNIONCARD_0 node:" >&2
	cat "$TMP/unversioned" >&2
	exit 1
fi
sed 's/@@.*//' "$TMP/versioned" >"$TMP/exported"

if [ "${1:-}" = "--update" ]; then
	cp "$TMP/exported" "$list"
	echo "wrote $list: $(wc -l <"$list") symbols"
	exit 0
fi
if ! diff -u "$list" "$TMP/exported" >"$TMP/diff"; then
	echo "FAIL: libunioncard.so exports differ from $list" >&2
	echo "(+ exported but not listed, - listed but not exported):" >&2
	tail -n +3 "$TMP/diff" | grep '^[-+]' >&2
	echo "If the change is meant: tests/abi/check_symbols.sh --update" >&2
	exit 1
fi
echo "ok - libunioncard.so exports the $(wc -l <"$list") listed symbols, all @@UNIONCARD_0"
