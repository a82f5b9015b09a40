"""APDUs the till sends to member cards, and the member record format. No I/O here."""

from __future__ import annotations

from dataclasses import dataclass

#: Proprietary AID of the chainpos member application ("F0" + "CHAINPOS").
MEMBER_AID = bytes.fromhex("F0") + b"CHAINPOS"

TAG_MEMBER_ID = 0xC1
TAG_CARD_NO = 0xC2

SW_OK = (0x90, 0x00)


def get_uid_apdu() -> list[int]:
    """PC/SC part 3 GET DATA: the reader answers with a contactless card's UID."""
    return [0xFF, 0xCA, 0x00, 0x00, 0x00]


def select_aid_apdu(aid: bytes) -> list[int]:
    """SELECT by DF name (ISO 7816-4, P1=04), first or only occurrence, no FCI asked."""
    return [0x00, 0xA4, 0x04, 0x0C, len(aid), *aid]


def read_binary_apdu(offset: int = 0, length: int = 0) -> list[int]:
    """READ BINARY from the selected application's transparent file; Le=0 means up to 256."""
    return [0x00, 0xB0, (offset >> 8) & 0x7F, offset & 0xFF, length & 0xFF]


def get_response_apdu(length: int) -> list[int]:
    return [0x00, 0xC0, 0x00, 0x00, length & 0xFF]


@dataclass(frozen=True, slots=True)
class MemberRecord:
    member_id: str
    card_no: str | None = None


def encode_member_record(record: MemberRecord) -> bytes:
    """Simple TLV: C1 len member-id, C2 len card-no (both ASCII)."""
    out = bytearray(_tlv(TAG_MEMBER_ID, record.member_id.encode("ascii")))
    if record.card_no:
        out += _tlv(TAG_CARD_NO, record.card_no.encode("ascii"))
    return bytes(out)


def decode_member_record(data: bytes) -> MemberRecord | None:
    """The record, or None when `data` is not one (padding after the record is ignored)."""
    fields: dict[int, bytes] = {}
    i = 0
    while i + 2 <= len(data):
        tag, length = data[i], data[i + 1]
        if tag in (0x00, 0xFF):
            break  # erased or padding bytes end the record
        value = data[i + 2 : i + 2 + length]
        if len(value) != length:
            return None
        fields[tag] = value
        i += 2 + length
    member_id = fields.get(TAG_MEMBER_ID)
    if not member_id:
        return None
    try:
        card_no = fields.get(TAG_CARD_NO)
        return MemberRecord(member_id.decode("ascii"), card_no.decode("ascii") if card_no else None)
    except UnicodeDecodeError:
        return None


def _tlv(tag: int, value: bytes) -> bytes:
    if len(value) > 0xFF:
        raise ValueError("member record field too long")
    return bytes([tag, len(value)]) + value
