#!/usr/bin/env python3
"""Remake applets-spec/vectors/printed-card.json.

An implementation of applets-spec/printed-card.md independent of the C
library (CBOR, COSE_Sign1 and base45 written out here by hand, keys and
certificates made with python3-cryptography), so the committed vectors
check that the spec is precise enough for a third party's verifier.  The
test tests/printed/test_qr.c reads the file.  The private keys made here
are thrown away; only certificates are kept.

    scripts/gen-printed-vectors.py > applets-spec/vectors/printed-card.json
"""
import datetime
import hashlib
import json

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature)
from cryptography.x509.oid import NameOID

ARC = "2.25.9424645942167203904415219351383922614"
EKU_DOC = x509.ObjectIdentifier(ARC + ".2")
EXT_STATION = x509.ObjectIdentifier(ARC + ".4")
B45 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
T0 = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
T1 = datetime.datetime(2036, 1, 1, tzinfo=datetime.timezone.utc)


def head(major, arg):
    if arg < 24:
        return bytes([major << 5 | arg])
    for ai, n in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if arg < 1 << (8 * n):
            return bytes([major << 5 | ai]) + arg.to_bytes(n, "big")
    raise ValueError(arg)


def uint(v):
    return head(0, v)


def nint(v):
    return head(1, -1 - v)


def bstr(b):
    return head(2, len(b)) + b


def tstr(s):
    b = s.encode("utf-8")
    return head(3, len(b)) + b


def b45(data):
    out = []
    for i in range(0, len(data) - 1, 2):
        v = data[i] << 8 | data[i + 1]
        out += [B45[v % 45], B45[v // 45 % 45], B45[v // 2025]]
    if len(data) % 2:
        out += [B45[data[-1] % 45], B45[data[-1] // 45]]
    return "".join(out)


def der_utf8(s):
    b = s.encode()
    return bytes([0x0C, len(b)]) + b


def name(cn, ou=None):
    attrs = [x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
             x509.NameAttribute(NameOID.ORGANIZATION_NAME,
                                "Tong Lien doan Lao dong Viet Nam")]
    if ou:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME,
                                        ou))
    attrs.append(x509.NameAttribute(NameOID.COMMON_NAME, cn))
    return x509.Name(attrs)


def make_root(cn):
    key = ec.generate_private_key(ec.SECP256R1())
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    cert = (x509.CertificateBuilder()
            .subject_name(name(cn)).issuer_name(name(cn))
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(T0).not_valid_after(T1)
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), True)
            .add_extension(x509.KeyUsage(False, False, False, False, False,
                                         True, True, False, False), True)
            .add_extension(ski, False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski), False)
            .sign(key, hashes.SHA256()))
    return key, cert


def make_signer(root_key, root, station):
    key = ec.generate_private_key(ec.SECP256R1())
    rski = root.extensions.get_extension_for_class(
        x509.SubjectKeyIdentifier).value
    cert = (x509.CertificateBuilder()
            .subject_name(name("document signer " + station, station))
            .issuer_name(root.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(T0).not_valid_after(T1)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), True)
            .add_extension(x509.KeyUsage(True, False, False, False, False,
                                         False, False, False, False), True)
            .add_extension(x509.ExtendedKeyUsage([EKU_DOC]), False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(
                key.public_key()), False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(rski), False)
            .add_extension(x509.UnrecognizedExtension(
                EXT_STATION, der_utf8(station)), False)
            .sign(root_key, hashes.SHA256()))
    return key, cert


def kid_of(cert):
    return cert.extensions.get_extension_for_class(
        x509.SubjectKeyIdentifier).value.digest


def claims(c):
    return (head(5, 7) +
            uint(1) + tstr(c["member_code"]) +
            uint(2) + tstr(c["full_name"]) +
            uint(3) + tstr(c["unit_code"]) +
            uint(4) + tstr(c["card_serial"]) +
            uint(5) + uint(c["card_type"]) +
            uint(6) + uint(int(c["issued_on"])) +
            uint(7) + uint(int(c["expires_on"])))


def protected(kid):
    return head(5, 2) + uint(1) + nint(-7) + uint(4) + bstr(kid)


def tbs(prot, payload):
    return head(4, 4) + tstr("Signature1") + bstr(prot) + bstr(b"") + \
        bstr(payload)


def sign(key, prot, payload):
    der = key.sign(tbs(prot, payload), ec.ECDSA(hashes.SHA256()))
    r, s = decode_dss_signature(der)
    return r.to_bytes(32, "big") + s.to_bytes(32, "big")


def cose(prot, payload, sig):
    return head(6, 18) + head(4, 4) + bstr(prot) + head(5, 0) + \
        bstr(payload) + bstr(sig)


def qr(key, cert, c):
    prot = protected(kid_of(cert))
    pay = claims(c)
    sig = sign(key, prot, pay)
    msg = cose(prot, pay, sig)
    return prot, pay, sig, msg, "UC1:" + b45(msg)


def pem(cert):
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def main():
    root_key, root = make_root("Union Root CA (test vectors)")
    key, signer = make_signer(root_key, root, "station-01")
    oroot_key, oroot = make_root("Another Root CA (test vectors)")
    okey, osigner = make_signer(oroot_key, oroot, "station-99")
    c = {"member_code": "52000000010", "full_name": "Huỳnh Lê Diễm Tuyết",
         "unit_code": "TP01", "card_serial": "52000000001",
         "card_type": 1, "issued_on": "20261125", "expires_on": "20311124"}
    prot, pay, sig, msg, text = qr(key, signer, c)
    ex = {
        "claims": c,
        "protected_hex": prot.hex().upper(),
        "payload_hex": pay.hex().upper(),
        "sig_structure_hex": tbs(prot, pay).hex().upper(),
        "signature_hex": sig.hex().upper(),
        "cose_sign1_hex": msg.hex().upper(),
        "text": text,
    }
    cases = []

    def case(name, text, date, failed, note):
        cases.append({"name": name, "note": note, "text": text,
                      "check_date": date, "failed": failed})

    case("valid", text, "20270601", None, "the worked example, in date")
    case("valid-first-day", text, "20261125", None, "the day of issue")
    case("expired", text, "20311125", "expiry", "the day after expiry")
    case("not-yet-valid", text, "20261124", "expiry", "before issue")
    # tampered: one letter of the name changed after signing
    bad = bytearray(pay)
    i = bad.find("Tuyết".encode())
    bad[i] = ord("X")
    case("tampered-name", "UC1:" + b45(cose(prot, bytes(bad), sig)),
         "20270601", "signature", "a letter of the name changed")
    bad = bytearray(sig)
    bad[10] ^= 0x01
    case("tampered-signature", "UC1:" + b45(cose(prot, pay, bytes(bad))),
         "20270601", "signature", "one bit of r flipped")
    _, _, _, _, otext = qr(okey, osigner, c)
    case("other-root", otext, "20270601", "chain",
         "signed by a document signer of another root")
    lk = ec.generate_private_key(ec.SECP256R1())
    lprot = head(5, 2) + uint(1) + nint(-7) + uint(4) + bstr(b"\x01" * 20)
    case("unknown-kid",
         "UC1:" + b45(cose(lprot, pay, sign(lk, lprot, pay))), "20270601",
         "signature", "a kid that names no known signer")
    linked = dict(c, card_type=2, card_serial="52000000002")
    case("linked", qr(key, signer, linked)[4], "20270601", None,
         "a linked card")

    malformed = []

    def mal(name, text, field):
        malformed.append({"name": name, "text": text, "field": field})

    mal("no-prefix", text[4:], "prefix")
    mal("lower-case", "uc1:" + text[4:], "prefix")
    mal("base45-bad-char", text[:10] + "a" + text[11:], "base45")
    mal("base45-dangling", text + "0", "base45")
    mal("base45-overflow", "UC1:GGW", "base45")
    mal("untagged", "UC1:" + b45(msg[1:]), "COSE_Sign1")
    mal("long-head", "UC1:" + b45(head(6, 18) + bytes([0x98, 4]) + msg[2:]),
        "COSE_Sign1")
    es384 = head(5, 2) + uint(1) + nint(-35) + uint(4) + bstr(kid_of(signer))
    mal("alg-es384", "UC1:" + b45(cose(es384, pay, sig)), "alg")
    mal("unprotected-kid", "UC1:" + b45(
        head(6, 18) + head(4, 4) + bstr(prot) + head(5, 1) + uint(4) +
        bstr(b"11") + bstr(pay) + bstr(sig)), "unprotected")
    swapped = (head(5, 7) + uint(2) + tstr(c["full_name"]) + uint(1) +
               tstr(c["member_code"]) + pay[1 + 1 + 12 + 1 +
                                            len(tstr(c["full_name"])):])
    mal("claims-out-of-order", "UC1:" + b45(cose(prot, swapped, sig)),
        "member_code")
    mal("bad-card-type", "UC1:" + b45(cose(
        prot, pay.replace(uint(5) + uint(1), uint(5) + uint(3)), sig)),
        "card_type")
    mal("bad-date", "UC1:" + b45(cose(
        prot, pay.replace(uint(6) + uint(20261125), uint(6) +
                          uint(20261325)), sig)), "issued_on")
    mal("short-signature", "UC1:" + b45(cose(prot, pay, sig[:63])),
        "signature")
    mal("trailing-bytes", "UC1:" + b45(msg + b"\x00"), "COSE_Sign1")

    out = {
        "description": "applets-spec/printed-card.md: the signed QR code. "
                       "Made by scripts/gen-printed-vectors.py; read by "
                       "tests/printed/test_qr.c.",
        "root_pem": pem(root),
        "signer_pem": pem(signer),
        "other_root_pem": pem(oroot),
        "other_signer_pem": pem(osigner),
        "kid_hex": kid_of(signer).hex().upper(),
        "worked_example": ex,
        "cases": cases,
        "malformed": malformed,
        "published": {
            "rfc9285_base45": [
                {"bytes": "AB", "text": "BB8"},
                {"bytes": "Hello!!", "text": "%69 VD92EX0"},
                {"bytes": "base-45", "text": "UJCLQE7W581"},
                {"bytes": "ietf!", "text": "QED8WEX0"},
            ],
            "rfc9052_c21_sign1": {
                "note": "RFC 9052 (and RFC 8152) appendix C.2.1, single "
                        "ECDSA signature; key C.7.1 kid '11'",
                "cose_hex": "D28443A10126A10442313154546869732069732074"
                            "686520636F6E74656E742E58408EB33E4CA31D1C46"
                            "5AB05AAC34CC6B23D58FEF5C083106C4D25A91AEF0"
                            "B0117E2AF9A291AA32E14AB834DC56ED2A22344454"
                            "7E01F11D3B0916E5A4C345CACB36",
                "x_hex": "BAC5B11CAD8F99F9C72B05CF4B9E26D244DC189F7452"
                         "28255A219A86D6A09EFF",
                "y_hex": "20138BF82DC1B6D562BE0FA54AB7804A3A64B6D72CCF"
                         "ED6B6FB6ED28BBFC117E",
                "tbs_hex": "846A5369676E61747572653143A10126405454686973"
                           "2069732074686520636F6E74656E742E",
            },
        },
    }
    print(json.dumps(out, indent=1, ensure_ascii=False))


main()
