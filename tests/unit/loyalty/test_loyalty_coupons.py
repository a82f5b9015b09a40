import base64
from dataclasses import replace
from datetime import date, datetime

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from loyalty.coupons import (
    CouponKind,
    CouponSpec,
    coupon_discount,
    double_redemptions,
    issue_batch,
    issue_coupon,
    verify_coupon,
)
from loyalty.errors import (
    CouponBadSignature,
    CouponBelowMinimumSpend,
    CouponError,
    CouponExpired,
    CouponForeignStore,
    CouponMalformed,
    CouponNotYetValid,
    CouponWrongMember,
    InvalidConfig,
)

HQ_KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
OTHER_KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(1, 33)))
PUBLIC = HQ_KEY.public_key()
DAY = date(2026, 11, 26)
SPEC = CouponSpec(
    batch=1207,
    serial=42,
    kind=CouponKind.PERCENT_OFF,
    value=20,
    cap=5_000,
    min_spend=10_000,
    valid_from=date(2026, 11, 1),
    valid_until=date(2026, 12, 31),
    stores=(1, 7),
    member_id="0192c6a4-7d3e-7c1a-9b2f-1e2d3c4b5a69",
)
MEMBER = SPEC.member_id


def test_issued_coupon_verifies_at_a_store_in_scope_for_its_member() -> None:
    code = issue_coupon(HQ_KEY, SPEC)
    coupon = verify_coupon(PUBLIC, code, DAY, store=7, member=MEMBER, spend=10_000)
    assert (coupon.batch, coupon.serial, coupon.kind, coupon.value, coupon.cap) == (
        1207,
        42,
        CouponKind.PERCENT_OFF,
        20,
        5_000,
    )
    assert coupon.member_bound and coupon.member_id == MEMBER
    assert coupon.key == "B1207-42"


def test_code_is_compact_qr_alphanumeric_text() -> None:
    code = issue_coupon(HQ_KEY, SPEC)
    assert len(code) <= 150
    assert set(code) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")


def test_code_survives_lower_case_and_grouping_dashes() -> None:
    code = issue_coupon(HQ_KEY, SPEC)
    grouped = "-".join(code[i : i + 4] for i in range(0, len(code), 4)).lower()
    assert verify_coupon(PUBLIC, grouped, DAY, 1, MEMBER).serial == 42


@pytest.mark.parametrize(
    ("at", "store", "member", "spend", "error"),
    [
        (date(2026, 10, 31), 1, MEMBER, None, CouponNotYetValid),
        (date(2027, 1, 1), 1, MEMBER, None, CouponExpired),
        (DAY, 2, MEMBER, None, CouponForeignStore),
        (DAY, 1, "someone-else", None, CouponWrongMember),
        (DAY, 1, None, None, CouponWrongMember),
        (DAY, 1, MEMBER, 9_999, CouponBelowMinimumSpend),
    ],
)
def test_coupon_is_refused_with_a_clear_reason(
    at: date, store: int, member: str | None, spend: int | None, error: type[CouponError]
) -> None:
    code = issue_coupon(HQ_KEY, SPEC)
    with pytest.raises(error) as raised:
        verify_coupon(PUBLIC, code, at, store, member, spend)
    assert raised.value.code.startswith("coupon_")


def test_window_is_inclusive_on_both_ends() -> None:
    code = issue_coupon(HQ_KEY, SPEC)
    verify_coupon(PUBLIC, code, date(2026, 11, 1), 1, MEMBER)
    verify_coupon(PUBLIC, code, date(2026, 12, 31), 1, MEMBER)


def test_verification_takes_the_business_day_not_a_timestamp() -> None:
    with pytest.raises(TypeError):
        verify_coupon(PUBLIC, issue_coupon(HQ_KEY, SPEC), datetime(2026, 11, 26, 23, 0), 1, MEMBER)


def test_bearer_coupon_for_all_stores_needs_no_member() -> None:
    spec = replace(SPEC, member_id=None, stores=())
    coupon = verify_coupon(PUBLIC, issue_coupon(HQ_KEY, spec), DAY, 99, None)
    assert not coupon.member_bound and coupon.member_id is None


def test_store_holding_another_key_cannot_mint_a_coupon() -> None:
    forged = issue_coupon(OTHER_KEY, SPEC)
    with pytest.raises(CouponBadSignature):
        verify_coupon(PUBLIC, forged, DAY, 1, MEMBER)


def test_rotated_keys_are_looked_up_by_key_id() -> None:
    code = issue_coupon(OTHER_KEY, replace(SPEC, key_id=2))
    keys = {1: PUBLIC, 2: OTHER_KEY.public_key()}
    assert verify_coupon(keys, code, DAY, 1, MEMBER).key_id == 2
    with pytest.raises(CouponBadSignature):
        verify_coupon({1: PUBLIC}, code, DAY, 1, MEMBER)


@settings(max_examples=60)
@given(st.data())
def test_any_altered_byte_is_detected(data: st.DataObject) -> None:
    code = issue_coupon(HQ_KEY, SPEC)
    raw = bytearray(base64.b32decode(code + "=" * (-len(code) % 8)))
    position = data.draw(st.integers(0, len(raw) - 1))
    raw[position] ^= data.draw(st.integers(1, 255))
    tampered = base64.b32encode(bytes(raw)).decode().rstrip("=")
    with pytest.raises((CouponBadSignature, CouponMalformed)):
        verify_coupon(PUBLIC, tampered, DAY, 1, MEMBER)


@pytest.mark.parametrize("code", ["", "NOT-BASE32-!!", "AAAA", "A" * 200 + "1"])
def test_garbage_is_malformed_not_a_crash(code: str) -> None:
    with pytest.raises(CouponError):
        verify_coupon(PUBLIC, code, DAY, 1, MEMBER)


def test_batch_codes_are_distinct_single_use_serials() -> None:
    codes = issue_batch(HQ_KEY, replace(SPEC, member_id=None), first_serial=1, count=5)
    serials = [verify_coupon(PUBLIC, c, DAY, 1, None).serial for c in codes]
    assert serials == [1, 2, 3, 4, 5]
    assert len(set(codes)) == 5


@pytest.mark.parametrize(
    ("spec", "spend", "item_price", "saving"),
    [
        (CouponSpec(1, 1, CouponKind.AMOUNT_OFF, 2_000, DAY, DAY), 15_000, 0, 2_000),
        (CouponSpec(1, 1, CouponKind.AMOUNT_OFF, 2_000, DAY, DAY), 1_500, 0, 1_500),
        (CouponSpec(1, 1, CouponKind.PERCENT_OFF, 15, DAY, DAY, cap=1_000), 5_003, 0, 750),
        (CouponSpec(1, 1, CouponKind.PERCENT_OFF, 15, DAY, DAY, cap=1_000), 50_000, 0, 1_000),
        (CouponSpec(1, 1, CouponKind.PERCENT_OFF, 15, DAY, DAY), 50_000, 0, 7_500),
        (
            CouponSpec(1, 1, CouponKind.FREE_ITEM, 0, DAY, DAY, item_code="6901234567892"),
            9_000,
            350,
            350,
        ),
    ],
)
def test_coupon_saving_never_exceeds_the_spend(
    spec: CouponSpec, spend: int, item_price: int, saving: int
) -> None:
    coupon = verify_coupon(PUBLIC, issue_coupon(HQ_KEY, spec), DAY, 1, None)
    assert coupon_discount(coupon, spend, item_price) == saving


def test_free_item_coupon_carries_its_item_code() -> None:
    spec = CouponSpec(1, 1, CouponKind.FREE_ITEM, 0, DAY, DAY, item_code="6901234567892")
    assert verify_coupon(PUBLIC, issue_coupon(HQ_KEY, spec), DAY, 1, None).item_code == (
        "6901234567892"
    )


@pytest.mark.parametrize(
    "spec",
    [
        replace(SPEC, kind=CouponKind.PERCENT_OFF, value=101),
        replace(SPEC, kind=CouponKind.AMOUNT_OFF, value=0),
        replace(SPEC, kind=CouponKind.FREE_ITEM),
        replace(SPEC, valid_until=date(2026, 10, 1)),
        replace(SPEC, stores=(0,)),
        replace(SPEC, valid_until=date(2300, 1, 1)),
    ],
)
def test_inconsistent_coupon_spec_is_not_signed(spec: CouponSpec) -> None:
    with pytest.raises(InvalidConfig):
        issue_coupon(HQ_KEY, spec)


def test_codes_redeemed_twice_while_apart_are_reported() -> None:
    found = double_redemptions([("B1-1", "doc-a"), ("B1-2", "doc-b"), ("B1-1", "doc-c")])
    assert found == {"B1-1": ["doc-a", "doc-c"]}
