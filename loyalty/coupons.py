"""Coupons signed by HQ with Ed25519: a store verifies a code offline but cannot mint one.

Code format (version 1): unpadded RFC 4648 base32 of `payload || signature`, where the
64-byte Ed25519 signature covers the payload. The payload is

    version u8 | key id u8 | kind u8 | flags u8 | valid_from u16 | valid_until u16
    | batch varint | serial varint | value varint | cap varint | min_spend varint
    | n stores u8 | n × store number u16 | [member tag 8 bytes] | [item len u8 | item]

Dates are days since 2020-01-01 (inclusive window, store business days); integers are
big-endian, varints are unsigned LEB128. Base32 uses only A-Z and 2-7, all in the QR
alphanumeric set, so a typical code (~140 characters) fits a version 6 QR symbol. It is
too long to type; the typable fallback is `Coupon.key` ("B<batch>-<serial>"), which only
HQ can resolve, so it works online only. Member-bound coupons carry the first 8 bytes of
SHA-256 of the member id, not the id.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import struct
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from enum import Enum
from fractions import Fraction

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from loyalty.errors import (
    CouponBadSignature,
    CouponBelowMinimumSpend,
    CouponExpired,
    CouponForeignStore,
    CouponMalformed,
    CouponNotYetValid,
    CouponWrongMember,
    InvalidConfig,
)
from retail.money import round_half_up

FORMAT_VERSION = 1
EPOCH = date(2020, 1, 1)
SIGNATURE_BYTES = 64
_HEADER = struct.Struct(">BBBBHH")
_FLAG_MEMBER = 0x01
_SEPARATORS = re.compile(r"[\s\-]")
_PERCENT_MAX = 100


class CouponKind(Enum):
    """What a coupon gives."""

    AMOUNT_OFF = 0  # `value` fen off
    PERCENT_OFF = 1  # `value` percent off, at most `cap` fen (0: no cap)
    FREE_ITEM = 2  # one `item_code` free


@dataclass(frozen=True, slots=True)
class CouponSpec:
    """What HQ puts in one code. `stores` empty means every store."""

    batch: int
    serial: int
    kind: CouponKind
    value: int
    valid_from: date
    valid_until: date
    cap: int = 0
    min_spend: int = 0
    stores: tuple[int, ...] = ()
    member_id: str | None = None
    item_code: str | None = None
    key_id: int = 0


@dataclass(frozen=True, slots=True)
class Coupon:
    """A verified coupon. `member_bound` coupons were checked against `member_id`."""

    batch: int
    serial: int
    kind: CouponKind
    value: int
    valid_from: date
    valid_until: date
    cap: int
    min_spend: int
    stores: tuple[int, ...]
    member_bound: bool
    member_id: str | None
    item_code: str | None
    key_id: int

    @property
    def key(self) -> str:
        """Unique per code: the ledger's unique key, and the typable reference."""
        return f"B{self.batch}-{self.serial}"


def member_tag(member_id: str) -> bytes:
    """The 8 bytes a member-bound coupon carries instead of the member id."""
    return hashlib.sha256(b"chainpos-coupon-member\x00" + member_id.encode()).digest()[:8]


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _day(value: date) -> int:
    days = (value - EPOCH).days
    if not 0 <= days <= 0xFFFF:
        raise InvalidConfig(f"coupon dates must fall in 2020..2199: {value}", "valid_until")
    return days


def _check_spec(spec: CouponSpec) -> None:
    numbers = (spec.batch, spec.serial, spec.value, spec.cap, spec.min_spend)
    if min(numbers) < 0 or not 0 <= spec.key_id <= 0xFF:
        raise InvalidConfig("coupon numbers must not be negative; key id is one byte")
    if spec.valid_until < spec.valid_from:
        raise InvalidConfig("coupon validity ends before it starts", "valid_until")
    if spec.kind is CouponKind.PERCENT_OFF and not 0 < spec.value <= _PERCENT_MAX:
        raise InvalidConfig("percent off must be 1..100", "value")
    if spec.kind is CouponKind.AMOUNT_OFF and spec.value <= 0:
        raise InvalidConfig("amount off must be positive", "value")
    if (spec.kind is CouponKind.FREE_ITEM) != bool(spec.item_code):
        raise InvalidConfig("a free-item coupon (and only one) names its item", "item_code")
    if len(spec.stores) > 0xFF or any(not 0 < s <= 0xFFFF for s in spec.stores):
        raise InvalidConfig("at most 255 stores, numbered 1..65535", "stores")
    if spec.item_code is not None and len(spec.item_code.encode()) > 0xFF:
        raise InvalidConfig("item code too long", "item_code")


def encode_payload(spec: CouponSpec) -> bytes:
    """The signed bytes of a coupon."""
    _check_spec(spec)
    flags = _FLAG_MEMBER if spec.member_id is not None else 0
    out = bytearray(
        _HEADER.pack(
            FORMAT_VERSION,
            spec.key_id,
            spec.kind.value,
            flags,
            _day(spec.valid_from),
            _day(spec.valid_until),
        )
    )
    for number in (spec.batch, spec.serial, spec.value, spec.cap, spec.min_spend):
        out += _varint(number)
    out.append(len(spec.stores))
    for store in spec.stores:
        out += struct.pack(">H", store)
    if spec.member_id is not None:
        out += member_tag(spec.member_id)
    if spec.item_code is not None:
        item = spec.item_code.encode()
        out += bytes([len(item)]) + item
    return bytes(out)


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def take(self, n: int) -> bytes:
        if self.pos + n > len(self.data):
            raise CouponMalformed("coupon code is truncated")
        chunk = self.data[self.pos : self.pos + n]
        self.pos += n
        return chunk

    def varint(self) -> int:
        value = shift = 0
        while True:
            byte = self.take(1)[0]
            value |= (byte & 0x7F) << shift
            if not byte & 0x80:
                return value
            shift += 7
            if shift > 63:
                raise CouponMalformed("coupon number too long")


def _decode_payload(payload: bytes) -> tuple[Coupon, bytes | None]:
    reader = _Reader(payload)
    version, key_id, kind, flags, start, end = _HEADER.unpack(reader.take(_HEADER.size))
    if version != FORMAT_VERSION:
        raise CouponMalformed(f"unknown coupon format version {version}")
    try:
        coupon_kind = CouponKind(kind)
    except ValueError:
        raise CouponMalformed(f"unknown coupon kind {kind}") from None
    batch, serial, value, cap, min_spend = (reader.varint() for _ in range(5))
    stores = tuple(struct.unpack(">H", reader.take(2))[0] for _ in range(reader.take(1)[0]))
    tag = reader.take(8) if flags & _FLAG_MEMBER else None
    item = None
    if coupon_kind is CouponKind.FREE_ITEM:
        item = reader.take(reader.take(1)[0]).decode("utf-8", errors="strict")
    if reader.pos != len(payload):
        raise CouponMalformed("trailing bytes in coupon")
    coupon = Coupon(
        batch,
        serial,
        coupon_kind,
        value,
        EPOCH + timedelta(days=start),
        EPOCH + timedelta(days=end),
        cap,
        min_spend,
        stores,
        tag is not None,
        None,
        item,
        key_id,
    )
    return coupon, tag


def issue_coupon(private_key: Ed25519PrivateKey, spec: CouponSpec) -> str:
    """Sign one coupon and return its code (upper-case base32, no padding)."""
    payload = encode_payload(spec)
    signed = payload + private_key.sign(payload)
    return base64.b32encode(signed).decode("ascii").rstrip("=")


def issue_batch(
    private_key: Ed25519PrivateKey, template: CouponSpec, first_serial: int, count: int
) -> list[str]:
    """`count` single-use codes of one batch with consecutive serials."""
    return [
        issue_coupon(private_key, replace(template, serial=first_serial + i)) for i in range(count)
    ]


def _unpack_code(code: str) -> tuple[bytes, bytes]:
    text = _SEPARATORS.sub("", code).upper()
    try:
        raw = base64.b32decode(text + "=" * (-len(text) % 8))
    except (binascii.Error, ValueError):
        raise CouponMalformed("coupon code is not base32") from None
    if len(raw) <= SIGNATURE_BYTES + _HEADER.size:
        raise CouponMalformed("coupon code is too short")
    return raw[:-SIGNATURE_BYTES], raw[-SIGNATURE_BYTES:]


def verify_coupon(
    public_key: Ed25519PublicKey | Mapping[int, Ed25519PublicKey],
    code: str,
    at: date,
    store: int,
    member: str | None,
    spend: int | None = None,
) -> Coupon:
    """Check signature, window, store scope, member binding and (if given) minimum spend.

    `public_key` is HQ's key, or key id → key while keys rotate. `at` is the store's
    business day, `store` its number, `spend` the basket amount the coupon applies to.
    """
    if isinstance(at, datetime):
        # A UTC timestamp would put a late-evening sale on the wrong day; ask for the day.
        raise TypeError("verify_coupon takes the store's business day (a date), not a datetime")
    payload, signature = _unpack_code(code)
    key_id = payload[1]
    key = public_key.get(key_id) if isinstance(public_key, Mapping) else public_key
    if key is None:
        raise CouponBadSignature(f"no public key with id {key_id}")
    try:
        key.verify(signature, payload)
    except InvalidSignature:
        raise CouponBadSignature("coupon signature does not verify") from None
    coupon, tag = _decode_payload(payload)
    if at < coupon.valid_from:
        raise CouponNotYetValid(f"coupon is valid from {coupon.valid_from.isoformat()}")
    if at > coupon.valid_until:
        raise CouponExpired(f"coupon expired on {coupon.valid_until.isoformat()}")
    if coupon.stores and store not in coupon.stores:
        raise CouponForeignStore(f"coupon is not valid at store {store}")
    if tag is not None:
        if member is None or member_tag(member) != tag:
            raise CouponWrongMember("coupon belongs to another member")
        coupon = replace(coupon, member_id=member)
    if spend is not None and spend < coupon.min_spend:
        raise CouponBelowMinimumSpend(f"coupon needs a spend of at least {coupon.min_spend} fen")
    return coupon


def coupon_discount(coupon: Coupon, spend: int, item_price: int = 0) -> int:
    """The saving in fen on an eligible `spend`; never more than the spend itself.

    For FREE_ITEM pass the item's price; percent-off rounds half up to the fen.
    """
    if coupon.kind is CouponKind.AMOUNT_OFF:
        saving = coupon.value
    elif coupon.kind is CouponKind.PERCENT_OFF:
        saving = round_half_up(Fraction(spend * coupon.value, 100))
        if coupon.cap:
            saving = min(saving, coupon.cap)
    else:
        saving = item_price
    return max(0, min(saving, spend))


def double_redemptions(redeemed_keys: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    """Coupon keys redeemed more than once (e.g. by two stores while apart from HQ).

    Takes (coupon key, redemption document id) pairs; returns key → document ids.
    """
    seen: dict[str, list[str]] = {}
    for key, document in redeemed_keys:
        seen.setdefault(key, []).append(document)
    return {key: docs for key, docs in seen.items() if len(docs) > 1}
