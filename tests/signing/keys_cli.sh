#!/bin/sh
# `unioncard keys` end to end, checked with the openssl command line: the
# hierarchy verifies, usages are right, keys are encrypted, revocation
# reaches the CRL, and the passphrase is never taken from argv.
set -eu
U="$UC_BUILD_DIR/src/tools/unioncard"
T=$(mktemp -d /tmp/uc-keys-cli-XXXXXX)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

export UNIONCARD_PASSPHRASE="cli test passphrase"
"$U" keys --help | grep -q 'keys init --dir DIR' || fail "help"
"$U" keys init --dir "$T/dev" --station hanoi-01 >/dev/null
D="$T/dev"
for f in root.pem root.key root.crl signers/hanoi-01.pem signers/hanoi-01.key \
    status-list.pem status-list.key scp-master.json; do
	[ -f "$D/$f" ] || fail "missing $f"
done
[ "$(stat -c %a "$D/root.key")" = 600 ] || fail "root.key mode"
grep -q 'BEGIN ENCRYPTED PRIVATE KEY' "$D/root.key" || fail "root key clear"

openssl verify -CAfile "$D/root.pem" -crl_check -CRLfile "$D/root.crl" \
    "$D/signers/hanoi-01.pem" "$D/status-list.pem" >/dev/null ||
	fail "chain does not verify"
openssl x509 -in "$D/root.pem" -noout -text >"$T/root.txt"
grep -q 'CA:TRUE, pathlen:0' "$T/root.txt" || fail "root constraints"
grep -q 'Certificate Sign, CRL Sign' "$T/root.txt" || fail "root usage"
openssl x509 -in "$D/signers/hanoi-01.pem" -noout -text >"$T/s.txt"
grep -q 'Digital Signature' "$T/s.txt" || fail "signer usage"
grep -q '9424645942167203904415219351383922614\.2' "$T/s.txt" ||
	fail "signer EKU"
if openssl pkey -in "$D/root.key" -passin pass:wrong-passphrase \
    -noout 2>/dev/null; then
	fail "root key opens with a wrong passphrase"
fi
openssl pkey -in "$D/root.key" -passin env:UNIONCARD_PASSPHRASE -noout ||
	fail "root key does not open with the passphrase"
grep -Eq '^\{"kvn": 48, "enc": "[0-9A-F]{32}", "mac": "[0-9A-F]{32}", "dek": "[0-9A-F]{32}"\}$' \
    "$D/scp-master.json" || fail "scp-master.json shape"

"$U" keys signer --dir "$D" --station hue-02 >/dev/null
printf '%s\n' "$UNIONCARD_PASSPHRASE" >"$T/pass"
unset UNIONCARD_PASSPHRASE
"$U" keys revoke-signer --dir "$D" --station hue-02 \
    --passphrase-file "$T/pass" >/dev/null
if openssl verify -CAfile "$D/root.pem" -crl_check -CRLfile "$D/root.crl" \
    "$D/signers/hue-02.pem" >/dev/null 2>&1; then
	fail "revoked signer still verifies"
fi
openssl verify -CAfile "$D/root.pem" -crl_check -CRLfile "$D/root.crl" \
    "$D/signers/hanoi-01.pem" >/dev/null || fail "other signer hit"
"$U" keys show --dir "$D" >"$T/show"
grep -q '^document signer *hue-02 .*REVOKED' "$T/show" || fail "show revoked"
grep -q '^document signer *hanoi-01 .*valid' "$T/show" || fail "show valid"

# Never from argv; no terminal and no passphrase: a clear error, exit 2.
set +e
"$U" keys signer --dir "$D" --station x --passphrase secret >/dev/null 2>&1
[ $? -eq 2 ] || fail "--passphrase accepted"
setsid -w "$U" keys signer --dir "$D" --station x </dev/null >/dev/null 2>&1
[ $? -eq 2 ] || fail "ran without a passphrase"
"$U" keys signer --dir "$D" --station x --passphrase-file /nonexistent \
    >/dev/null 2>&1
[ $? -eq 2 ] || fail "missing passphrase file"
set -e
echo "unioncard keys: ok"
