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
grep -q '1\.2\.840\.113556\.1\.8000\.2554\.1815\.7915\.43857\.17980\.46551\.8163440\.1791926\.2' "$T/s.txt" ||
	fail "signer EKU"

# Any X.509 library reads them: Python's cryptography parses every
# extension, and no arc of any OID in them exceeds 2^28 (RFC 5280's
# floor; the old 2.25 UUID arc was 123 bits).
python3 -W ignore - "$D/root.pem" "$D/signers/hanoi-01.pem" "$D/status-list.pem" \
    <<'PY' || fail "a certificate Python's cryptography cannot read"
import sys
from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID
ARC = "1.2.840.113556.1.8000.2554.1815.7915.43857.17980.46551.8163440.1791926"
def oids(der):
    # every OBJECT IDENTIFIER (tag 06) in the DER, decoded arc by arc
    out, i = [], 0
    def walk(b):
        i = 0
        while i < len(b):
            tag = b[i]; i += 1
            n = b[i]; i += 1
            if n & 0x80:
                k = n & 0x7f; n = int.from_bytes(b[i:i + k], "big"); i += k
            v = b[i:i + n]; i += n
            if tag == 0x06:
                arcs, x = [], 0
                for c in v:
                    x = (x << 7) | (c & 0x7f)
                    if not c & 0x80:
                        arcs.append(x); x = 0
                out.append(arcs)
            elif tag & 0x20 or tag == 0x04 or tag == 0x03:
                try:
                    walk(v[1:] if tag == 0x03 else v)
                except Exception:
                    pass
    walk(der)
    return out
for path in sys.argv[1:]:
    cert = x509.load_pem_x509_certificate(open(path, "rb").read())
    for ext in cert.extensions:          # parses every extension
        _ = ext.value
    cert.subject.rfc4514_string()
    for arcs in oids(cert.public_bytes(
            __import__("cryptography.hazmat.primitives.serialization",
                       fromlist=["Encoding"]).Encoding.DER)):
        big = [a for a in arcs if a >= 2 ** 28]
        assert not big, "%s: an OID arc of %d bits" % (path, big[0].bit_length())
    if "signers" in path:
        eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage)
        assert [o.dotted_string for o in eku.value] == [ARC + ".2"], eku
        st = cert.extensions.get_extension_for_oid(x509.ObjectIdentifier(ARC + ".4"))
        assert st.value.value == b"\x0c\x08hanoi-01", st.value.value
        life = cert.not_valid_after - cert.not_valid_before
        assert life.days == 1095 + 1827, life  # signs 3 years + a card's 5
    print("ok: python3-cryptography reads", path)
PY
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
