"""A virtual ISO 7816 member card for vpcd, built on Debian's virtualsmartcard library.

It serves what the till reads: GET DATA (UID) as a contactless reader would answer it,
SELECT of the chainpos member AID and READ BINARY of the member record. It does not
use the library's ISO 7816 file-system card, whose SELECT and UPDATE BINARY are broken
on Python 3. It reconnects when pcscd restarts, like a card left on the reader.

Run with the vicc environment made by setup.sh:
    .venv-vicc/bin/python scripts/devices/virtual_member_card.py --port 35963 --member-id M1
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import time

# On the path through .venv-vicc's debian-virtualsmartcard.pth (see setup.sh).
from virtualsmartcard.VirtualSmartcard import SmartcardOS, VirtualICC

AID = bytes.fromhex("F0") + b"CHAINPOS"
ATR = bytes.fromhex("3B888101434841494E504F5309")  # T=1, historical bytes "CHAINPOS"
SW_OK = b"\x90\x00"


def member_record(member_id: str, card_no: str) -> bytes:
    out = bytes([0xC1, len(member_id)]) + member_id.encode("ascii")
    if card_no:
        out += bytes([0xC2, len(card_no)]) + card_no.encode("ascii")
    return out


class MemberCardOS(SmartcardOS):
    def __init__(self, uid: bytes | None, record: bytes) -> None:
        self.uid = uid
        self.record = record
        self.selected = False

    def getATR(self) -> bytes:
        return ATR

    def powerUp(self) -> None:
        self.selected = False

    def reset(self) -> None:
        self.selected = False

    def execute(self, msg: bytes) -> bytes:
        if len(msg) < 4:
            return b"\x67\x00"
        cla, ins, p1, p2 = msg[0], msg[1], msg[2], msg[3]
        body = msg[4:]
        if cla == 0xFF and ins == 0xCA:
            return self.uid + SW_OK if self.uid else b"\x6a\x81"
        if ins == 0xA4 and p1 == 0x04:
            data = body[1 : 1 + body[0]] if body else b""
            self.selected = data == AID
            return SW_OK if self.selected else b"\x6a\x82"
        if ins == 0xB0:
            if not self.selected:
                return b"\x69\x86"
            offset = ((p1 & 0x7F) << 8) | p2
            le = body[0] if body else 0
            chunk = self.record[offset : offset + (le or 256)]
            return chunk + SW_OK
        return b"\x6d\x00"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--member-id", required=True)
    parser.add_argument("--card-no", default="")
    parser.add_argument("--uid", default="", help="hex UID for a contactless card")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    card_os = MemberCardOS(
        bytes.fromhex(args.uid) if args.uid else None, member_record(args.member_id, args.card_no)
    )
    while True:
        try:
            vicc = VirtualICC(None, "iso7816", args.host, args.port, logginglevel=logging.WARNING)
        except SystemExit:  # the library exits when vpcd is not there yet
            time.sleep(0.2)
            continue
        vicc.os = card_os
        print(f"virtual card connected to vpcd at {args.host}:{args.port}", flush=True)
        with contextlib.suppress(SystemExit, OSError):
            vicc.run()
        vicc.stop()
        print("vpcd went away; reconnecting", flush=True)
        time.sleep(0.2)


if __name__ == "__main__":
    main()
