#!/usr/bin/env python3
"""Write the virtual-card test vectors in applets-spec/vectors/.

The expected responses are computed here from the specifications alone,
independently of the C code: applets-spec/union-applet.md (FCI layout, TLV
encoding, Le rules), virtual-card.md (state file, ATR), linked-card.md (the
bank payment application of a linked card: PPSE, FCI, GPO, records) and,
for the secure-channel transcripts, the SCP03 model in
applets-spec/vectors/scp03_model.py.  tests/vcard/test_vectors.c replays
them against the virtual card, so the spec and the card cannot drift
apart.  Re-run after changing the spec, and review the diff:

    python3 scripts/gen-vcard-vectors.py applets-spec/vectors
"""
import calendar
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "applets-spec", "vectors"))
import scp03_model  # noqa: E402  (the independent SCP03 model)

from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives import serialization

AID = bytes.fromhex("F0554E494F4E4341524401")  # F0 "UNIONCARD" 01
DEV_KEY = "404142434445464748494A4B4C4D4E4F"
SERIAL = bytes.fromhex("5543010000000001")
EC_PRIV = "40989B6A9277E2783F27E47FD3D65BBC21756FEFB4629BD40ACF0264209033B9"


def tlv(tag, value):
    n = len(value)
    if n < 0x80:
        ln = bytes([n])
    elif n < 0x100:
        ln = bytes([0x81, n])
    else:
        ln = bytes([0x82, n >> 8, n & 0xFF])
    t = tag.to_bytes(1 if tag < 0x100 else 2, "big")
    return t + ln + value


def ec_public(priv_hex):
    k = ec.derive_private_key(int(priv_hex, 16), ec.SECP256R1())
    return k.public_key().public_bytes(
        serialization.Encoding.X962,
        serialization.PublicFormat.UncompressedPoint)


def e1_contents(serial):
    return b"".join([
        tlv(0xC0, b"790100000123"),
        tlv(0xC1, "Huỳnh Lê Diễm Tuyết".encode()),
        tlv(0xC2, b"CDCS.BD-0042"),
        tlv(0xC3, "Công đoàn cơ sở Trường THPT Quy Nhơn".encode()),
        tlv(0xC4, b"\x01"),
        tlv(0xC5, b"20240115"),
        tlv(0xC6, b"20290115"),
        tlv(0xC7, serial),
    ])


def ef_contents():
    # A structural stand-in for the CMS SignedData (security-object.md):
    # ContentInfo { signedData OID, [0] { OCTET STRING (600 bytes) } }.
    # Large enough that GET DATA needs GET RESPONSE.  The card only checks
    # that EF is one DER SEQUENCE; the verifier checks the signature.
    oid = bytes.fromhex("06092A864886F70D010702")
    inner = tlv(0x04, bytes((i * 7 + 3) & 0xFF for i in range(600)))
    return tlv(0x30, oid + tlv(0xA0, inner))


def state(serial, lifecycle, objects, priv, tries=5, seq=0, linked=None):
    keys = {"scp03": {"kvn": 48, "enc": DEV_KEY, "mac": DEV_KEY,
                      "dek": DEV_KEY},
            "ec_private": priv}
    if priv is not None:
        keys["ec_public"] = ec_public(priv).hex().upper()
    return {
        "format": "unioncard-vcard-state",
        "version": 1,
        "serial": serial.hex().upper(),
        "lifecycle": lifecycle,
        "objects": {k: v.hex().upper() for k, v in objects.items()},
        "counters": {"scp_sequence": seq, "auth_tries_left": tries},
        "keys": keys,
        "linked": linked,
    }


NAPAS_AID = bytes.fromhex("A0000007271010")

# The bank payment application of a linked card (linked-card.md).
PPSE_NAME = b"2PAY.SYS.DDF01"       # the contactless directory (PPSE)
PSE_NAME = b"1PAY.SYS.DDF01"        # the contact directory (PSE)
APP_LABEL = b"VIETINBANK ATM"       # 50, application label
APP_PRIORITY = 0x01                 # 87, application priority indicator
LANGUAGES = b"vien"                 # 5F2D, Vietnamese then English
AIP = b"\x18\x00"                   # 82: CVM, terminal risk management
EMV_SFI = 1                         # the records' short file identifier
EMV_RECORDS = 2                     # records 1 and 2 of SFI 1
SERVICE_CODE = "620"
TRACK2_DISCRETIONARY = "00000000"
COUNTRY_VIET_NAM = b"\x07\x04"      # 5F28, ISO 3166 numeric 704
PAN_SEQUENCE = 0x01                 # 5F34


def bcd(digits):
    """Digits ('0'-'9', and 'D' as the track 2 separator) two to a
    byte, high nibble first, an odd count padded with a final F."""
    if len(digits) % 2:
        digits += "F"
    return bytes.fromhex(digits)


def last_day(yymm):
    """The last day of month YYMM of 20YY (Gregorian)."""
    return calendar.monthrange(2000 + int(yymm[:2]), int(yymm[2:]))[1]


def directory_entry(aid):
    """A directory entry (61) naming the payment application."""
    return tlv(0x61, tlv(0x4F, aid) + tlv(0x50, APP_LABEL) +
               tlv(0x87, bytes([APP_PRIORITY])))


def ppse_fci(aid):
    return tlv(0x6F, tlv(0x84, PPSE_NAME) +
               tlv(0xA5, tlv(0xBF0C, directory_entry(aid))))


def pse_fci():
    return tlv(0x6F, tlv(0x84, PSE_NAME) +
               tlv(0xA5, tlv(0x88, bytes([EMV_SFI])) +
                   tlv(0x5F2D, LANGUAGES)))


def directory_record(aid):
    """The PSE's record 1 of its directory file."""
    return tlv(0x70, directory_entry(aid))


def payment_fci(aid):
    """The payment application's FCI: no PDOL."""
    return tlv(0x6F, tlv(0x84, aid) +
               tlv(0xA5, tlv(0x50, APP_LABEL) +
                   tlv(0x87, bytes([APP_PRIORITY])) +
                   tlv(0x5F2D, LANGUAGES)))


def afl():
    """One AFL entry: SFI, first record, last record, none signed."""
    return bytes([EMV_SFI << 3, 1, EMV_RECORDS, 0])


def gpo_format2():
    return tlv(0x77, tlv(0x82, AIP) + tlv(0x94, afl()))


def card_number_record(pan, expiry):
    """Record 1: track 2 equivalent, PAN, expiry date, PAN sequence."""
    track2 = pan + "D" + expiry + SERVICE_CODE + TRACK2_DISCRETIONARY
    return tlv(0x70, b"".join([
        tlv(0x57, bcd(track2)),
        tlv(0x5A, bcd(pan)),
        tlv(0x5F24, bcd(expiry + "%02d" % last_day(expiry))),
        tlv(0x5F34, bytes([PAN_SEQUENCE])),
    ]))


def issuer_record():
    """Record 2: issuer country code, service code (n3, a leading 0)."""
    return tlv(0x70, tlv(0x5F28, COUNTRY_VIET_NAM) +
               tlv(0x5F30, bcd("0" + SERVICE_CODE)))


def select_by_name(name, p2=0x00):
    """SELECT by name; P2 00: first occurrence, FCI wanted (Le 00);
    P2 0C: no FCI (no Le)."""
    return "00A404%02X%02X" % (p2, len(name)) + h(name) + \
        ("" if p2 == 0x0C else "00")


def read_record(record, sfi=EMV_SFI, cla=0x00, p2_low=4):
    return "%02XB2%02X%02X00" % (cla, record, sfi << 3 | p2_low)


GPO = "80A8000002830000"  # no PDOL: an empty 83


def fci(serial, lc, tries=5, kvn=0x30, bank_aids=()):
    prop = b"".join([
        tlv(0x80, b"\x01"),
        tlv(0x81, serial),
        tlv(0x82, bytes([lc])),
        tlv(0x83, b"\x08\x00"),
        tlv(0x84, b"\x08\x00"),
        tlv(0x85, b"\x03\x70"),
        tlv(0x86, bytes([kvn])),
        tlv(0x87, bytes([tries])),
    ])
    if bank_aids:
        prop += tlv(0x88, b"".join(tlv(0x4F, a) for a in bank_aids))
    return tlv(0x6F, tlv(0x84, AID) + tlv(0xA5, prop))


def h(b):
    return b.hex().upper()


SELECT = "00A404000B" + h(AID) + "00"


def atr():
    """The virtual card's ATR (virtual-card.md): T=1, AID in the
    historical bytes, TCK = XOR of T0 .. last historical byte."""
    a = bytes.fromhex("3B8D8131FE4580FB") + AID
    tck = 0
    for b in a[1:]:
        tck ^= b
    return h(a + bytes([tck]))
OK = "9000"


def step(note, command, response=None, sw=None):
    s = {"note": note, "command": command.replace(" ", "").upper()}
    if response is not None:
        s["response"] = response.upper()
    else:
        s["response_sw"] = sw
    return s


def get_response_chain(data):
    """Steps to read data that did not fit: 61xx then GET RESPONSE 00."""
    steps = []
    rest = data
    while rest:
        part, rest = rest[:256], rest[256:]
        sw = OK if not rest else "61%02X" % (len(rest) if len(rest) < 256 else 0)
        steps.append((part, sw))
    return steps


LINKED_SERIAL = bytes.fromhex("5543010000000002")
LINKED = {"pan": "9704150000000003", "expiry": "2912",
          "bank_aid": NAPAS_AID}


def linked_vector():
    """A terminal's exchange with the bank application of a linked card,
    beside the union applet (linked-card.md sections 1 and 2)."""
    aid, pan, expiry = LINKED["bank_aid"], LINKED["pan"], LINKED["expiry"]
    union_fci = h(fci(LINKED_SERIAL, 1, bank_aids=[aid])) + OK
    return {
        "description": "A linked card: the union applet names the bank "
                       "payment application in FCI tag 88 (one 4F per "
                       "AID); the bank application beside it answers "
                       "PPSE, SELECT, GET PROCESSING OPTIONS and READ "
                       "RECORD with the card's PAN "
                       "(applets-spec/linked-card.md)",
        "card": "linked-blank.json",
        "steps": [
            step("select", SELECT, union_fci),
            step("PPSE: one directory entry, the NAPAS application",
                 select_by_name(PPSE_NAME), h(ppse_fci(aid)) + OK),
            step("select the payment application (the union applet is "
                 "deselected)", select_by_name(aid),
                 h(payment_fci(aid)) + OK),
            step("the union applet's GET DATA is not the bank "
                 "application's", "00CA00FF00", None, "6D00"),
            step("GET PROCESSING OPTIONS, format 2: AIP %s, AFL SFI %d "
                 "records 1-%d" % (h(AIP), EMV_SFI, EMV_RECORDS),
                 GPO, h(gpo_format2()) + OK),
            step("record 1: track 2, PAN, expiry (last day of the "
                 "month), PAN sequence", read_record(1),
                 h(card_number_record(pan, expiry)) + OK),
            step("record 2: issuer country (Viet Nam), service code",
                 read_record(2), h(issuer_record()) + OK),
            step("no record %d" % (EMV_RECORDS + 1),
                 read_record(EMV_RECORDS + 1), None, "6A83"),
            step("the union applet again (the bank application is "
                 "deselected)", SELECT, union_fci),
            step("GPO means nothing to the union applet", GPO, None,
                 "6D00"),
        ],
    }


def linked_contact_vector():
    """The contact directory (PSE) and the bank side's refusals
    (linked-card.md sections 1 and 2)."""
    aid = LINKED["bank_aid"]
    return {
        "description": "A linked card over contact: the PSE and its "
                       "directory record, then the bank side's refusals "
                       "(SELECT P2, GPO and READ RECORD out of order or "
                       "malformed) and the selection kept across a SELECT "
                       "of an unknown AID (applets-spec/linked-card.md)",
        "card": "linked-blank.json",
        "steps": [
            step("PSE: directory in SFI %d" % EMV_SFI,
                 select_by_name(PSE_NAME), h(pse_fci()) + OK),
            step("the directory record: one entry, the NAPAS application",
                 read_record(1), h(directory_record(aid)) + OK),
            step("no second directory record", read_record(2), None,
                 "6A83"),
            step("no SFI 2", read_record(1, sfi=2), None, "6A82"),
            step("GPO with the PSE selected", GPO, None, "6985"),
            step("PPSE, no FCI (P2 0C)", select_by_name(PPSE_NAME, 0x0C),
                 OK),
            step("the PPSE has no records", read_record(1), None, "6A82"),
            step("SELECT next occurrence (P2 02): there is one",
                 select_by_name(aid, 0x02), None, "6A82"),
            step("SELECT with P2 04", select_by_name(aid, 0x04), None,
                 "6A86"),
            step("select the payment application", select_by_name(aid),
                 h(payment_fci(aid)) + OK),
            step("READ RECORD before GPO", read_record(1), None, "6985"),
            step("GPO with P1 01", "80A8010002830000", None, "6A86"),
            step("GPO with data other than 83 00 (no PDOL)",
                 "80A800000383010000", None, "6700"),
            step("GPO with CLA 00", "00A8000002830000", None, "6E00"),
            step("GPO", GPO, h(gpo_format2()) + OK),
            step("GPO a second time", GPO, None, "6985"),
            step("READ RECORD with P2 low bits 101", read_record(
                1, p2_low=5), None, "6A86"),
            step("READ RECORD of record 0", read_record(0), None, "6A86"),
            step("READ RECORD of SFI 2", read_record(1, sfi=2), None,
                 "6A82"),
            step("READ RECORD with data", "00B2010C010000", None, "6700"),
            step("READ RECORD with CLA 80", read_record(1, cla=0x80), None,
                 "6E00"),
            step("CLA with logical channel bits", read_record(1, cla=0x01),
                 None, "6E00"),
            step("GET RESPONSE with another CLA: class, as on the union "
                 "applet", "80C0000000", None, "6E00"),
            step("SELECT of an AID neither side has: the union applet "
                 "answers", "00A4040007A000000003101000", None, "6A82"),
            step("the payment application is still selected, GPO done",
                 read_record(2), h(issuer_record()) + OK),
            step("the union applet's INITIALIZE UPDATE goes to the bank "
                 "application", "8050300008010203040506070800", None,
                 "6D00"),
            step("the union applet, no FCI (P2 0C)",
                 "00A4040C0B" + h(AID), OK),
            step("READ RECORD means nothing to the union applet",
                 read_record(1), None, "6D00"),
        ],
    }


def short_le(command, data, le):
    """A command sent with short Le 01-FF smaller than its answer
    (union-applet.md section 3): Le bytes and 61 xx, then a GET RESPONSE
    of exactly xx bytes.  Returns the first step, that GET RESPONSE and
    the data it answers (the caller adds the original command's SW)."""
    assert 0 < le < len(data) and len(data) - le < 256
    rest = len(data) - le
    first = step(command[1], command[0][:-2] + "%02X" % le,
                 h(data[:le]) + "61%02X" % rest)
    return first, "00C00000%02X" % rest, h(data[le:])


def linked_terminated_vector():
    """A linked card whose union applet is TERMINATED: the bank side
    answers exactly as beside a live union applet, the GET RESPONSE of
    its own answers included (linked-card.md section 1)."""
    aid, pan, expiry = LINKED["bank_aid"], LINKED["pan"], LINKED["expiry"]
    union_fci = fci(LINKED_SERIAL, 0xFF, bank_aids=[aid])
    record1 = card_number_record(pan, expiry)
    sel_app, gr_app, rest_app = short_le(
        (select_by_name(aid), "select the payment application with Le "
         "10: 16 bytes of its FCI"), payment_fci(aid), 0x10)
    sel_union, gr_union, _ = short_le(
        (SELECT, "select the union applet with Le 10: 16 bytes of its "
         "FCI, then 61 xx (62 83 would end the answer)"), union_fci, 0x10)
    return {
        "description": "A linked card whose union applet is TERMINATED: "
                       "the union applet refuses everything but SELECT, "
                       "the bank application still answers PPSE, SELECT, "
                       "GET PROCESSING OPTIONS, READ RECORD and the GET "
                       "RESPONSE of its own answers "
                       "(applets-spec/linked-card.md section 1)",
        "card": "linked-terminated.json",
        "steps": [
            step("select: 62 83 and the FCI (lifecycle FF, tag 88)",
                 SELECT, h(union_fci) + "6283"),
            step("the union applet's GET DATA", "00CA00FF00", None,
                 "6985"),
            step("the union applet's GET RESPONSE", "00C0000000", None,
                 "6985"),
            step("PPSE: one directory entry, the NAPAS application",
                 select_by_name(PPSE_NAME), h(ppse_fci(aid)) + OK),
            sel_app,
            step("GET RESPONSE: the rest of the bank side's FCI", gr_app,
                 rest_app + OK),
            step("GET RESPONSE with nothing waiting (bank side selected)",
                 "00C0000000", None, "6985"),
            step("GET RESPONSE with P1 01 (bank side selected)",
                 "00C0010000", None, "6A86"),
            step("GET PROCESSING OPTIONS", GPO, h(gpo_format2()) + OK),
            step("record 1 with Le 20: 32 bytes",
                 read_record(1)[:-2] + "20",
                 h(record1[:0x20]) + "61%02X" % (len(record1) - 0x20)),
            step("GET RESPONSE (Le 00): the rest of record 1",
                 "00C0000000", h(record1[0x20:]) + OK),
            step("record 2", read_record(2), h(issuer_record()) + OK),
            sel_union,
            step("GET RESPONSE of the union applet's own answer: refused "
                 "while it is TERMINATED", gr_union, None, "6985"),
            step("GPO means nothing to the union applet", GPO, None,
                 "6D00"),
        ],
    }


def main(outdir):
    cards = os.path.join(outdir, "cards")
    os.makedirs(cards, exist_ok=True)
    e1 = e1_contents(SERIAL)
    ef = ef_contents()
    pub = ec_public(EC_PRIV)
    e2 = tlv(0x86, pub)
    E1, E2, EF = tlv(0xE1, e1), tlv(0xE2, e2), tlv(0xEF, ef)
    assert len(EF) > 256 and len(E1) < 256

    blank_serial = bytes.fromhex("5543010000000000")
    card_files = {
        "blank.json": state(blank_serial, "BLANK", {}, None),
        "personalized.json": state(SERIAL, "PERSONALIZED",
                                   {"E1": e1, "EF": ef}, EC_PRIV),
        "personalizing.json": state(SERIAL, "PERSONALIZING", {"E1": e1},
                                    EC_PRIV, tries=3, seq=7),
        "personalizing-nokey.json": state(SERIAL, "PERSONALIZING",
                                          {"E1": e1}, None),
        "terminated.json": state(SERIAL, "TERMINATED", {"E1": e1}, EC_PRIV),
        "blocked.json": state(blank_serial, "BLANK", {}, None, tries=0,
                              seq=9),
        "linked-blank.json": state(LINKED_SERIAL, "BLANK", {}, None,
                                   linked=dict(LINKED,
                                               bank_aid=h(NAPAS_AID))),
        "linked-terminated.json": state(LINKED_SERIAL, "TERMINATED", {},
                                        None, linked=dict(
                                            LINKED, bank_aid=h(NAPAS_AID))),
    }
    for name, st in card_files.items():
        with open(os.path.join(cards, name), "w") as f:
            json.dump(st, f, indent=2, ensure_ascii=False)
            f.write("\n")

    challenge = bytes(range(32))
    vectors = {}
    vectors["select.json"] = {
        "description": "SELECT of the union applet on a blank card "
                       "(union-applet.md 5.1) and the class/instruction "
                       "refusals of section 4",
        "card": "blank.json",
        "steps": [
            step("SELECT by AID, FCI wanted", SELECT,
                 h(fci(blank_serial, 0x01)) + OK),
            step("SELECT, no FCI (P2 0C)", "00A4040C0B" + h(AID), OK),
            step("SELECT of another AID", "00A404000BF0554E494F4E434152440200", None, "6A82"),
            step("partial AID is not accepted", "00A404000AF0554E494F4E4341524400", None, "6A82"),
            step("SELECT with P1 00", "00A400000B" + h(AID) + "00", None, "6A86"),
            step("SELECT with P2 04", "00A404040B" + h(AID) + "00", None, "6A86"),
            step("SELECT with CLA 80", "80A404000B" + h(AID) + "00", None, "6E00"),
            step("unknown class", "A0A404000B" + h(AID) + "00", None, "6E00"),
            step("unknown instruction", "00B0000000", None, "6D00"),
            step("SELECT without Le: data as if Le were 00",
                 "00A404000B" + h(AID), h(fci(blank_serial, 1)) + OK),
            step("GET DATA 00FF without Le on an empty card", "00CA00FF",
                 OK),
            step("GET RESPONSE with nothing pending", "00C0000000", None, "6985"),
            step("wrong short Le on SELECT: 6Cxx", "00A404000B" + h(AID) + "FF",
                 "6C%02X" % len(fci(blank_serial, 1))),
            step("re-sent with the exact Le",
                 "00A404000B" + h(AID) + "%02X" % len(fci(blank_serial, 1)),
                 h(fci(blank_serial, 1)) + OK),
        ],
    }
    vectors["blank-refusals.json"] = {
        "description": "A BLANK card: nothing stored, no key, and the "
                       "secure-messaging commands refused without a session",
        "card": "blank.json",
        "steps": [
            step("select", SELECT, h(fci(blank_serial, 1)) + OK),
            step("GET DATA E1: not present", "00CA00E100", None, "6A88"),
            step("GET DATA E2: not present", "00CA00E200", None, "6A88"),
            step("GET DATA E3: not present", "00CA00E300", None, "6A88"),
            step("GET DATA EF: not present", "00CA00EF00", None, "6A88"),
            step("GET DATA 00FF on an empty card: 9000, no data", "00CA00FF00", OK),
            step("GET DATA of an unknown tag", "00CA00C500", None, "6A86"),
            step("GET DATA with P1 01", "00CA01E100", None, "6A86"),
            step("INTERNAL AUTHENTICATE on BLANK", "0088000020" + h(challenge) + "00", None, "6985"),
            step("STORE DATA without SM (CLA 80)", "80E2880004" + "00E10100", None, "6882"),
            step("STORE DATA with CLA 84 and no session", "84E288000C00E10100" + "0102030405060708"[:16], None, "6982"),
            step("GENERATE KEY without SM", "8047800000", None, "6882"),
            step("GENERATE KEY, CLA 84, no session", "8447800008000000000000000000", None, "6982"),
            step("SET STATUS without SM", "80F0800300", None, "6882"),
            step("SET STATUS, CLA 84, no session", "84F08003080000000000000000", None, "6982"),
            step("EXTERNAL AUTHENTICATE with CLA 80", "8082010010" + "00" * 16, None, "6882"),
            step("EXTERNAL AUTHENTICATE with no INITIALIZE UPDATE", "8482010010" + "00" * 16, None, "6985"),
            step("GET RESPONSE with another CLA", "80C0000000", None, "6E00"),
        ],
    }
    ff = E1 + E2 + EF
    chain_ef = get_response_chain(EF)
    chain_ff = get_response_chain(ff)
    p = []
    p.append(step("select: lifecycle 03", SELECT, h(fci(SERIAL, 3)) + OK))
    p.append(step("GET DATA E1", "00CA00E100", h(E1) + OK))
    p.append(step("GET DATA E2", "00CA00E200", h(E2) + OK))
    p.append(step("GET DATA E3: a regular card has none", "00CA00E300", None, "6A88"))
    p.append(step("GET DATA EF (%d bytes): first 256 and 61xx" % len(EF),
                  "00CA00EF00", h(chain_ef[0][0]) + chain_ef[0][1]))
    for part, sw in chain_ef[1:]:
        p.append(step("GET RESPONSE", "00C0000000", h(part) + sw))
    p.append(step("GET DATA EF without Le: as with Le 00",
                  "00CA00EF", h(chain_ef[0][0]) + chain_ef[0][1]))
    p.append(step("GET DATA 00FF: all objects in tag order (%d bytes)" % len(ff),
                  "00CA00FF00", h(chain_ff[0][0]) + chain_ff[0][1]))
    for part, sw in chain_ff[1:]:
        p.append(step("GET RESPONSE", "00C0000000", h(part) + sw))
    p.append(step("GET DATA E1 with Le too large: 6C with the exact length",
                  "00CA00E1FF", "6C%02X" % len(E1)))
    p.append(step("re-sent with Le = xx", "00CA00E1%02X" % len(E1), h(E1) + OK))
    p.append(step("GET DATA E1 with Le 10: 16 bytes and 61xx",
                  "00CA00E110", h(E1[:16]) + "61%02X" % (len(E1) - 16)))
    p.append(step("GET RESPONSE with Le 20", "00C0000020",
                  h(E1[16:48]) + "61%02X" % (len(E1) - 48)))
    p.append(step("GET RESPONSE with a too large Le: 6Cxx",
                  "00C00000FF", "6C%02X" % (len(E1) - 48)))
    p.append(step("GET RESPONSE for the rest", "00C0000000", h(E1[48:]) + OK))
    p.append(step("GET DATA 00FF, extended Le: all in one response",
                  "00CA00FF000000", h(ff) + OK))
    p.append(step("another command drops pending data", "00CA00EF00",
                  h(chain_ef[0][0]) + chain_ef[0][1]))
    p.append(step("...", "00CA00E100", h(E1) + OK))
    p.append(step("GET RESPONSE: nothing pending any more", "00C0000000", None, "6985"))
    p.append(step("INTERNAL AUTHENTICATE (signature is random)",
                  "0088000020" + h(challenge) + "00", None, "9000"))
    p.append(step("INTERNAL AUTHENTICATE, 31-byte challenge",
                  "008800001F" + h(challenge[:31]) + "00", None, "6700"))
    p.append(step("INTERNAL AUTHENTICATE, P1 01",
                  "0088010020" + h(challenge) + "00", None, "6A86"))
    p.append(step("INTERNAL AUTHENTICATE chained: first half",
                  "1088000010" + h(challenge[:16]), OK))
    p.append(step("INTERNAL AUTHENTICATE chained: last half",
                  "0088000010" + h(challenge[16:]) + "00", None, "9000"))
    p.append(step("a second chain, in three pieces: first",
                  "108800000A" + h(challenge[:10]), OK))
    p.append(step("second piece", "108800000B" + h(challenge[10:21]), OK))
    p.append(step("last piece: 32 bytes in all",
                  "008800000B" + h(challenge[21:]) + "00", None, "9000"))
    p.append(step("a chain interrupted by another command is dropped",
                  "1088000010" + h(challenge[:16]), OK))
    p.append(step("GET DATA in between runs normally", "00CA00E200", h(E2) + OK))
    p.append(step("the tail alone is only 16 bytes",
                  "0088000010" + h(challenge[16:]) + "00", None, "6700"))
    p.append(step("STORE DATA on a PERSONALIZED card", "84E288000C00E101000000000000000000", None, "6985"))
    p.append(step("GENERATE KEY on a PERSONALIZED card", "8447800008000000000000000000", None, "6985"))
    p.append(step("SET STATUS without SM", "80F080FF00", None, "6882"))
    p.append(step("INITIALIZE UPDATE with Lc 7", "80503000070102030405060700", None, "6700"))
    p.append(step("INITIALIZE UPDATE with CLA 84", "8450300008" + "01" * 8 + "00",
                  None, "6E00"))
    vectors["personalized.json"] = {
        "description": "A PERSONALIZED card: GET DATA of each object and "
                       "00FF, GET RESPONSE chains, 6Cxx, extended Le, "
                       "INTERNAL AUTHENTICATE, command chaining, refusals",
        "card": "personalized.json",
        "steps": p,
    }
    vectors["personalizing.json"] = {
        "description": "A PERSONALIZING card: INTERNAL AUTHENTICATE once "
                       "the key exists; GET DATA 00FF with E1 and E2 only",
        "card": "personalizing.json",
        "steps": [
            step("select: lifecycle 02, 3 tries left", SELECT,
                 h(fci(SERIAL, 2, tries=3)) + OK),
            step("GET DATA 00FF", "00CA00FF00", h(E1 + E2) + OK),
            step("GET DATA EF: not yet", "00CA00EF00", None, "6A88"),
            step("INTERNAL AUTHENTICATE", "0088000020" + h(challenge) + "00", None, "9000"),
        ],
    }
    vectors["personalizing-nokey.json"] = {
        "description": "PERSONALIZING without a key: no INTERNAL AUTHENTICATE",
        "card": "personalizing-nokey.json",
        "steps": [
            step("select", SELECT, h(fci(SERIAL, 2)) + OK),
            step("INTERNAL AUTHENTICATE", "0088000020" + h(challenge) + "00", None, "6985"),
            step("GET DATA E2", "00CA00E200", None, "6A88"),
        ],
    }
    vectors["terminated.json"] = {
        "description": "A TERMINATED card answers SELECT with 62 83 and "
                       "the FCI, and refuses everything else with 69 85",
        "card": "terminated.json",
        "steps": [
            step("select", SELECT, h(fci(SERIAL, 0xFF)) + "6283"),
            step("select, no FCI", "00A4040C0B" + h(AID), "6283"),
            step("GET DATA", "00CA00E100", None, "6985"),
            step("GET DATA 00FF", "00CA00FF00", None, "6985"),
            step("GET RESPONSE", "00C0000000", None, "6985"),
            step("INTERNAL AUTHENTICATE", "0088000020" + h(challenge) + "00", None, "6985"),
            step("INITIALIZE UPDATE", "8050300008010203040506070800", None, "6985"),
            step("STORE DATA", "84E288000C00E101000000000000000000", None, "6985"),
            step("SET STATUS", "84F080FF080000000000000000", None, "6985"),
        ],
    }
    vectors["linked.json"] = linked_vector()
    vectors["linked-contact.json"] = linked_contact_vector()
    vectors["linked-terminated.json"] = linked_terminated_vector()
    vectors["blocked.json"] = {
        "description": "Secure-channel keys blocked after 5 failed "
                       "authentications: INITIALIZE UPDATE answers 69 83",
        "card": "blocked.json",
        "steps": [
            step("select: 0 tries left", SELECT, h(fci(blank_serial, 1, tries=0)) + OK),
            step("INITIALIZE UPDATE", "8050300008010203040506070800", None, "6983"),
            step("GET DATA still works", "00CA00FF00", OK),
        ],
    }
    vectors.update(sm_vectors(blank_serial, e1_contents(blank_serial), ef))
    for name, v in vectors.items():
        v = {"description": v["description"], "card": v["card"],
             "atr": atr(), "steps": v["steps"]}
        with open(os.path.join(outdir, name), "w") as f:
            json.dump(v, f, indent=2, ensure_ascii=False)
            f.write("\n")


def dgi(tag, value):
    n = len(value)
    ln = bytes([n]) if n < 0xFF else b"\xFF" + n.to_bytes(2, "big")
    return tag.to_bytes(2, "big") + ln + value


def sm_vectors(serial, e1, ef):
    """Personalization of blank.json through SCP03 at level 13 (C-MAC,
    C-DECRYPTION, R-MAC), computed with applets-spec/vectors/scp03_model.py.
    blank.json holds the development keys as its static keys (not
    diversified) and sequence counter 0."""
    dev = bytes(range(0x40, 0x50))
    keys = {"enc": dev, "mac": dev, "dek": dev, "kvn": 0x30}
    hc = bytes.fromhex("0011223344556677")

    def open_session(seq, steps, host_keys=keys):
        cc = scp03_model.card_challenge(dev, seq, AID)
        s = scp03_model.Session(host_keys, hc, cc)
        iu_resp = serial + b"\x00\x01" + bytes([0x30, 0x03, 0x70]) + cc + \
            s.card_cryptogram + seq.to_bytes(3, "big")
        steps.append(step("INITIALIZE UPDATE (sequence counter %d)" % seq,
                          "8050300008" + h(hc) + "00", h(iu_resp) + OK))
        return s

    def sm(s, note, ins, p1, p2, data=b"", le=None, rdata=b"", sw=0x9000,
           exact=True):
        w = s.wrap(0x80, ins, p1, p2, data, le)
        r = s.wrap_response(rdata, sw)
        if exact:
            return step(note, h(w), h(r) + "%04X" % sw)
        return step(note, h(w), None, "%04X" % sw)

    seq_all = dgi(0x00E1, e1) + dgi(0x00EF, ef)
    blocks = [seq_all[i:i + 200] for i in range(0, len(seq_all), 200)]
    p = [step("select", SELECT, h(fci(serial, 1)) + OK)]
    s = open_session(1, p)
    p.append(step("EXTERNAL AUTHENTICATE, level 13", h(s.ext_auth(0x13)), OK))
    for i, b in enumerate(blocks):
        last = i == len(blocks) - 1
        p.append(sm(s, "STORE DATA block %d%s" % (i, " (last)" if last else ""),
                    0xE2, 0x88 if last else 0x08, i, b))
    p.append(step("GET DATA E1 outside SM (the session stays open)",
                  "00CA00E100", h(tlv(0xE1, e1)) + OK))
    p.append(step("select: PERSONALIZING", SELECT, h(fci(serial, 2)) + OK))
    p.append(step("SET STATUS after SELECT: the session is closed",
                  h(s.wrap(0x80, 0xF0, 0x80, 0x03, b"")), None, "6982"))
    s = open_session(2, p)
    p.append(step("EXTERNAL AUTHENTICATE, level 13", h(s.ext_auth(0x13)), OK))
    p.append(sm(s, "SET STATUS 03 without a key: refused", 0xF0, 0x80, 0x03,
                sw=0x6985))
    p.append(sm(s, "GENERATE KEY (E2 is random)", 0x47, 0x80, 0x00, le=0,
                exact=False))
    p.append(sm(s, "STORE DATA with DGI 00E2: refused", 0xE2, 0x88, 0x00,
                dgi(0x00E2, b"\x86\x01\x04"), sw=0x6A80))
    p.append(sm(s, "SET STATUS 02: bad P2", 0xF0, 0x80, 0x02, sw=0x6A86))
    p.append(sm(s, "SET STATUS 03", 0xF0, 0x80, 0x03))
    p.append(sm(s, "STORE DATA when PERSONALIZED: unwrapped, then refused",
                0xE2, 0x88, 0x00, blocks[0], sw=0x6985))
    p.append(sm(s, "SET STATUS FF still works in step", 0xF0, 0x80, 0xFF))
    p.append(step("select: TERMINATED", SELECT, h(fci(serial, 0xFF)) + "6283"))
    out = {"perso-sm.json": {
        "description": "Personalization of a blank card through SCP03 "
                       "(level 13: C-MAC, C-DECRYPTION, R-MAC): STORE DATA "
                       "in blocks, GENERATE KEY, SET STATUS, and the "
                       "refusals inside a session; computed with "
                       "scp03_model.py",
        "card": "blank.json",
        "steps": p,
    }}

    # Failed authentications, persisted: 63 C4, 63 C3, then a success.
    a = [step("select", SELECT, h(fci(serial, 1)) + OK)]
    for seq, left in ((1, 4), (2, 3)):
        s = open_session(seq, a)
        ea = bytearray(s.ext_auth(0x13))
        ea[5] ^= 0x01
        a.append(step("EXTERNAL AUTHENTICATE with a wrong host cryptogram",
                      h(bytes(ea)), "63C%X" % left))
        a.append(step("select shows %d tries left" % left, SELECT,
                      h(fci(serial, 1, tries=left)) + OK))
    a.append(step("EXTERNAL AUTHENTICATE without INITIALIZE UPDATE "
                  "before it (SELECT ended that): 69 85, no try lost",
                  "8482130010" + "00" * 16, None, "6985"))
    s = open_session(3, a)
    a.append(step("EXTERNAL AUTHENTICATE, correct", h(s.ext_auth(0x01)), OK))
    a.append(step("select: tries back to 5", SELECT,
                  h(fci(serial, 1)) + OK))
    out["auth-failures.json"] = {
        "description": "The failed-authentication counter: 63 Cx with the "
                       "tries left, shown in FCI tag 87, reset by a success",
        "card": "blank.json",
        "steps": a,
    }

    # A host whose Key-ENC is not the card's (a wrong key file): the
    # cryptograms use S-MAC only, so the session opens; the card cannot
    # decrypt the first write: 69 88, the session closed, nothing written.
    bad = dict(keys, enc=bytes([dev[0] ^ 0x01]) + dev[1:])
    w = [step("select", SELECT, h(fci(serial, 1)) + OK)]
    s = open_session(1, w, bad)
    w.append(step("EXTERNAL AUTHENTICATE, level 13: the host's Key-MAC is "
                  "right", h(s.ext_auth(0x13)), OK))
    w.append(sm(s, "STORE DATA of E1 encrypted under the wrong S-ENC: the "
                "padding is wrong, 69 88", 0xE2, 0x88, 0x00,
                dgi(0x00E1, e1), sw=0x6988))
    w.append(step("GENERATE KEY: the session was closed", h(s.wrap(
        0x80, 0x47, 0x80, 0x00, b"", 0)), "6982"))
    w.append(step("select: still BLANK, 5 tries", SELECT,
                  h(fci(serial, 1)) + OK))
    w.append(step("GET DATA 00FF: no object", "00CA00FF00", OK))
    s = open_session(2, w)
    w.append(step("EXTERNAL AUTHENTICATE with the right keys",
                  h(s.ext_auth(0x13)), OK))
    w.append(sm(s, "the same STORE DATA under the right S-ENC", 0xE2, 0x88,
                0x00, dgi(0x00E1, e1)))
    w.append(step("select: PERSONALIZING", SELECT, h(fci(serial, 2)) + OK))
    out["wrong-enc.json"] = {
        "description": "A host with the card's Key-MAC and another Key-ENC "
                       "(a wrong key file): the session opens, the first "
                       "encrypted STORE DATA is refused with 69 88 and the "
                       "card stays BLANK with no object; the right keys "
                       "then write it (union-applet.md 5.8); computed with "
                       "scp03_model.py",
        "card": "blank.json",
        "steps": w,
    }
    return out


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "applets-spec/vectors")
