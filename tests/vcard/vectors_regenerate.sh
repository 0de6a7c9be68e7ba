#!/bin/sh
# The virtual-card vectors are made from the specifications alone by
# scripts/gen-vcard-vectors.py: running it again must give back every
# committed vector and card file byte for byte, so that no vector is
# edited by hand or left behind by a change of the spec.
set -eu
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
TMP="$(mktemp -d "${TMPDIR:-/tmp}/uc-vectors.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT
python3 "$ROOT/scripts/gen-vcard-vectors.py" "$TMP" >/dev/null
n=0
for f in "$TMP"/*.json "$TMP"/cards/*.json; do
	name=${f#"$TMP"/}
	cmp -s "$f" "$ROOT/applets-spec/vectors/$name" || {
		echo "FAIL: applets-spec/vectors/$name differs from what the" \
		    "generator makes of the spec" >&2
		diff "$ROOT/applets-spec/vectors/$name" "$f" | head -20 >&2
		exit 1
	}
	n=$((n + 1))
done
[ "$n" -ge 10 ] || { echo "FAIL: only $n files generated" >&2; exit 1; }
echo "ok - $n vector and card files regenerate byte for byte"
