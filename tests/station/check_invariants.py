#!/usr/bin/env python3
"""After the station has run to completion, do the ledger and the chips agree?

    check_invariants.py LEDGER REQUEST_ID DIR...

LEDGER is the ledger's SQLite file (docs/ledger.md), DIR... the hoppers
holding every card the station saw: virtual-card state files
(applets-spec/virtual-card.md section 1; E1's fields in
applets-spec/union-applet.md).  Checks, for the request:
  - every line's member has exactly one live card (encoded or issued);
    every other card of the request is spoiled with a reason (none left
    reserved);
  - the live card's chip is in a DIR, PERSONALIZED, and carries that
    member and that ledger serial in E1 (C0, CA);
  - no other chip, in any state, carries a live serial in E1; a
    PERSONALIZED chip carries only a serial the ledger has spoiled for the
    same member;
  - on a linked request, every live card has its bank card's last four
    digits in the ledger, and they are those of the PAN of the chip it is
    on (the HMAC is checked against the bank-link key by e2e_linked.sh).
Prints one line per violation, then the ledger's cards and the chips, and
exits 1; exits 0 silently when all hold.  One process for what would take
a dozen runs of the tools: the tests run it after every case, also in the
sanitizer build where each tool start is slow.
"""
import glob
import json
import os
import sqlite3
import sys


def tlv_fields(hexstr):
    """E1's content (as the state file keeps it): {tag: bytes}."""
    b = bytes.fromhex(hexstr)
    out, i = {}, 0
    while i + 2 <= len(b):
        tag, n = b[i], b[i + 1]
        i += 2
        if n & 0x80:  # BER long form: 81 xx, 82 xx xx
            k = n & 0x7F
            n = int.from_bytes(b[i:i + k], "big")
            i += k
        out[tag] = b[i:i + n]
        i += n
    return out


def main():
    ledger, rid, dirs = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    db = sqlite3.connect(ledger)
    prefix = int(db.execute(
        "SELECT value FROM meta WHERE key = 'prefix'").fetchone()[0])

    def text(n):
        return "%02d%09d" % (prefix, n % 1000000000)

    members = [r[0] for r in db.execute(
        "SELECT m.member_code FROM request_lines rl JOIN members m"
        " ON m.id = rl.member_id WHERE rl.request_id = ?", (rid,))]
    cards = {}
    last4 = {}
    for serial, member, status, chip, reason, ctype, l4 in db.execute(
            "SELECT c.serial, m.member_code, c.status, c.chip_serial,"
            " c.reason, c.type, c.pan_last4 FROM cards c JOIN members m"
            " ON m.id = c.member_id"
            " JOIN request_lines rl ON rl.id = c.line_id"
            " WHERE rl.request_id = ?", (rid,)):
        cards[text(serial)] = (member, status, chip, reason)
        if ctype == "linked":
            last4[text(serial)] = l4
    db.close()

    chips = []
    pans = {}
    for d in dirs:
        for f in sorted(glob.glob(os.path.join(d, "*.json"))):
            with open(f, encoding="utf-8") as fp:
                st = json.load(fp)
            e1 = tlv_fields(st["objects"].get("E1", ""))
            chips.append((st["serial"].upper(), st["lifecycle"],
                          e1.get(0xCA, b"").decode(),
                          e1.get(0xC0, b"").decode(), f))
            pans[st["serial"].upper()] = (st.get("linked") or {}).get(
                "pan", "")

    bad = []
    if not members:
        bad.append("request %d has no lines" % rid)
    live = {s: c for s, c in cards.items() if c[1] in ("encoded", "issued")}
    for m in members:
        n = sum(1 for c in live.values() if c[0] == m)
        if n != 1:
            bad.append("member %s has %d live cards" % (m, n))
    for s, (m, status, chip, reason) in cards.items():
        if s in live:
            continue
        if status != "spoiled":
            bad.append("card %s is left %s" % (s, status))
        elif not reason:
            bad.append("spoiled card %s has no reason" % s)
    live_chip = {c[2]: s for s, c in live.items()}
    found = set()
    for chip, life, ls, mc, f in chips:
        if chip in live_chip and ls != live_chip[chip]:
            bad.append("chip %s, the ledger's chip of live card %s, carries"
                       " '%s' (%s)" % (chip, live_chip[chip], ls, life))
        if not ls:
            continue
        if ls in live:
            m, _, lchip, _ = live[ls]
            if chip != lchip:
                bad.append("chip %s (%s) carries live card %s, which the"
                           " ledger has on chip %s" % (chip, life, ls, lchip))
            elif life != "PERSONALIZED" or mc != m:
                bad.append("live card %s on chip %s is %s for member '%s',"
                           " not %s" % (ls, chip, life, mc, m))
            else:
                found.add(ls)
                if ls in last4 and (not last4[ls] or
                                    not pans.get(chip, "").endswith(
                                        last4[ls])):
                    bad.append("linked card %s: the ledger's last four"
                               " '%s' are not those of chip %s's bank"
                               " card" % (ls, last4[ls], chip))
        elif life == "PERSONALIZED":
            c = cards.get(ls)
            if c is None or c[1] != "spoiled" or c[0] != mc:
                bad.append("locked chip %s carries card %s for '%s', which"
                           " the ledger has as %s" % (
                               chip, ls, mc, c[:2] if c else "unknown"))
    for s in sorted(set(live) - found):
        bad.append("live card %s is on no chip seen" % s)
    if bad:
        print("\n".join(bad))
        for s in sorted(cards):
            print("  ledger %s %s" % (s, cards[s]))
        for c in chips:
            print("  chip %s %s ledger serial '%s' member '%s' (%s)" % c)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
