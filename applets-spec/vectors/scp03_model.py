#!/usr/bin/env python3
"""Independent model of the unioncard SCP03 profile (applets-spec/
secure-channel.md), used to cross-check the C implementation and to compute
the worked example of the spec.  Needs python3-cryptography.

    python3 scp03_model.py        prints the worked example as JSON
"""
import json
import sys

from cryptography.hazmat.primitives.cmac import CMAC
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes


def cmac(key, data):
    c = CMAC(algorithms.AES(key))
    c.update(data)
    return c.finalize()


def kdf(key, const, bits, context):
    out = b""
    i = 1
    while len(out) < bits // 8:
        out += cmac(key, bytes(11) + bytes([const, 0]) +
                    bits.to_bytes(2, "big") + bytes([i]) + context)
        i += 1
    return out[: bits // 8]


def aes_cbc(key, iv, data, enc=True):
    c = Cipher(algorithms.AES(key), modes.CBC(iv))
    x = c.encryptor() if enc else c.decryptor()
    return x.update(data) + x.finalize()


def aes_block(key, block):
    x = Cipher(algorithms.AES(key), modes.ECB()).encryptor()
    return x.update(block) + x.finalize()


def pad80(d):
    d = d + b"\x80"
    return d + bytes((-len(d)) % 16)


def unpad80(d):
    s = d.rstrip(b"\x00")
    assert s.endswith(b"\x80") and len(d) - len(s) < 16
    return s[:-1]


def diversify(master, serial):
    return {
        "enc": kdf(master["enc"], 0x81, 128, serial),
        "mac": kdf(master["mac"], 0x82, 128, serial),
        "dek": kdf(master["dek"], 0x83, 128, serial),
        "kvn": master["kvn"],
    }


class Session:
    def __init__(self, keys, host_challenge, card_challenge):
        ctx = host_challenge + card_challenge
        self.s_enc = kdf(keys["enc"], 0x04, 128, ctx)
        self.s_mac = kdf(keys["mac"], 0x06, 128, ctx)
        self.s_rmac = kdf(keys["mac"], 0x07, 128, ctx)
        self.card_cryptogram = kdf(self.s_mac, 0x00, 64, ctx)
        self.host_cryptogram = kdf(self.s_mac, 0x01, 64, ctx)
        self.chain = bytes(16)
        self.counter = 0
        self.sl = 0

    def icv(self, response):
        block = bytearray(self.counter.to_bytes(16, "big"))
        if response:
            block[0] = 0x80
        return aes_block(self.s_enc, bytes(block))

    def mac_header(self, cla, ins, p1, p2, lc):
        h = bytes([(cla & 0xE0) | 0x04, ins, p1, p2])
        return h + (bytes([lc]) if lc <= 255 else b"\x00" + lc.to_bytes(2, "big"))

    def ext_auth(self, sl):
        self.sl = sl
        m = cmac(self.s_mac, self.chain + self.mac_header(0x84, 0x82, sl, 0, 16)
                 + self.host_cryptogram)
        self.chain = m
        return bytes([0x84, 0x82, sl, 0, 16]) + self.host_cryptogram + m[:8]

    def wrap(self, cla, ins, p1, p2, data, le=None):
        self.counter += 1
        if self.sl & 0x02 and data:
            data = aes_cbc(self.s_enc, self.icv(False), pad80(data))
        lc = len(data) + 8
        m = cmac(self.s_mac, self.chain + self.mac_header(cla, ins, p1, p2, lc) + data)
        self.chain = m
        apdu = bytes([cla | 0x04, ins, p1, p2])
        apdu += bytes([lc]) if lc <= 255 else b"\x00" + lc.to_bytes(2, "big")
        apdu += data + m[:8]
        if le is not None:
            apdu += bytes([le & 0xFF]) if lc <= 255 else le.to_bytes(2, "big")
        return apdu

    def wrap_response(self, data, sw):
        if not (self.sl & 0x10):
            return data
        if not (sw == 0x9000 or sw >> 8 in (0x62, 0x63)):
            return b""
        if self.sl & 0x20 and data:
            data = aes_cbc(self.s_enc, self.icv(True), pad80(data))
        r = cmac(self.s_rmac, self.chain + data + sw.to_bytes(2, "big"))
        return data + r[:8]


def card_challenge(enc, seq, aid):
    return kdf(enc, 0x02, 64, seq.to_bytes(3, "big") + aid)


def h(b):
    return b.hex().upper()


def worked_example():
    dev = {"enc": bytes(range(0x40, 0x50)), "mac": bytes(range(0x40, 0x50)),
           "dek": bytes(range(0x40, 0x50)), "kvn": 0x30}
    serial = bytes.fromhex("5543202600000001")
    aid = bytes.fromhex("F0554E494F4E4341524401")
    keys = diversify(dev, serial)
    div_data = serial + b"\x00\x01"
    seq = 1
    hc = bytes.fromhex("0011223344556677")
    cc = card_challenge(keys["enc"], seq, aid)
    s = Session(keys, hc, cc)
    iu_resp = div_data + bytes([0x30, 0x03, 0x70]) + cc + s.card_cryptogram + \
        seq.to_bytes(3, "big")
    ex = {
        "master": {k: (h(v) if isinstance(v, bytes) else v) for k, v in dev.items()},
        "serial": h(serial), "aid": h(aid),
        "card_keys": {k: (h(v) if isinstance(v, bytes) else v) for k, v in keys.items()},
        "seq_counter": seq, "host_challenge": h(hc), "card_challenge": h(cc),
        "s_enc": h(s.s_enc), "s_mac": h(s.s_mac), "s_rmac": h(s.s_rmac),
        "card_cryptogram": h(s.card_cryptogram),
        "host_cryptogram": h(s.host_cryptogram),
        "iu_command": "805030000800112233445566770" + "0",
        "iu_response": h(iu_resp),
    }
    ex["ea_command"] = h(s.ext_auth(0x13))
    ex["ea_chain"] = h(s.chain)
    steps = []
    # (plain cla ins p1 p2 data le, response data, sw)
    cmds = [
        ((0x80, 0xE2, 0x88, 0x00, bytes.fromhex("00E10BC00331323 3C1044C616E68".replace(" ", "")), None), b"", 0x9000),
        ((0x80, 0xCA, 0x00, 0xE1, b"", 256), bytes.fromhex("E10BC003313233C1044C616E68"), 0x9000),
        ((0x80, 0xCA, 0x00, 0xE3, b"", 256), b"", 0x6A88),
        ((0x80, 0xF0, 0x80, 0x03, b"", None), b"", 0x9000),
        ((0x80, 0xE2, 0x88, 0x01, bytes(range(32)), None), b"", 0x6310),
    ]
    for (cla, ins, p1, p2, data, le), rdata, sw in cmds:
        plain = bytes([cla, ins, p1, p2])
        if data:
            plain += bytes([len(data)]) + data
        if le is not None:
            plain += b"\x00"
        w = s.wrap(cla, ins, p1, p2, data, le)
        rw = s.wrap_response(rdata, sw)
        steps.append({"plain": h(plain), "wrapped": h(w),
                      "response_plain": h(rdata) if sw == 0x9000 or sw >> 8 in (0x62, 0x63) else "",
                      "response_wire": h(rw), "sw": "%04X" % sw})
    ex["exchanges"] = steps
    return ex


if __name__ == "__main__":
    json.dump(worked_example(), sys.stdout, indent=2)
    print()
