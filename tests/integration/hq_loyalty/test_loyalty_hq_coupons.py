"""Coupons at HQ: signed batches, the public key on the feed, redemption once chain-wide."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from hq_server.loyalty.models import CouponRedemption
from loyalty.coupons import verify_coupon
from tests.integration.hq_loyalty.conftest import Loyalty, ok, refused

TODAY = date.today()


def _batch(loyalty: Loyalty, **extra: Any) -> dict[str, Any]:
    body = {
        "kind": "amount_off",
        "value": 1_000,
        "valid_from": (TODAY - timedelta(days=1)).isoformat(),
        "valid_until": (TODAY + timedelta(days=30)).isoformat(),
        "count": 3,
        **extra,
    }
    return dict(loyalty.hq.ok(loyalty.staff("/coupons/batches", body)))


def _redeem(loyalty: Loyalty, code: str, store: str = "S001", **extra: Any) -> Any:
    return loyalty.signed("/coupons/redeem", {"code": code, "spend": 5_000, **extra}, store=store)


def test_a_batch_is_signed_with_the_key_whose_public_half_goes_down_the_feed(
    loyalty: Loyalty,
) -> None:
    batch = _batch(loyalty)
    assert len(set(batch["codes"])) == 3
    [key] = loyalty.feed("coupon_key")
    assert set(key["payload"]) == {"key_id", "algorithm", "public_key", "active"}
    public = Ed25519PublicKey.from_public_bytes(bytes.fromhex(key["payload"]["public_key"]))
    coupon = verify_coupon({key["payload"]["key_id"]: public}, batch["codes"][0], TODAY, 1, None)
    assert (coupon.batch, coupon.serial, coupon.value) == (batch["batch"], 1, 1_000)


def test_a_coupon_is_redeemed_exactly_once_across_the_chain(loyalty: Loyalty) -> None:
    code = _batch(loyalty)["codes"][0]
    assert ok(_redeem(loyalty, code))["discount"] == 1_000
    refused(_redeem(loyalty, code, store="S002"), 409, "coupon_already_redeemed")
    assert loyalty.count(CouponRedemption) == 1


def test_the_typable_key_redeems_the_same_coupon_online(loyalty: Loyalty) -> None:
    batch = _batch(loyalty)
    ok(_redeem(loyalty, f"b{batch['batch']}-2"))
    refused(_redeem(loyalty, batch["codes"][1]), 409, "coupon_already_redeemed")


def test_expired_foreign_store_forged_and_below_minimum_coupons_are_refused(
    loyalty: Loyalty,
) -> None:
    expired = _batch(loyalty, valid_from="2025-01-01", valid_until="2025-01-31")["codes"][0]
    refused(_redeem(loyalty, expired), 422, "coupon_expired")
    scoped = _batch(loyalty, stores=["S002"])["codes"][0]
    refused(_redeem(loyalty, scoped), 422, "coupon_foreign_store")
    ok(_redeem(loyalty, scoped, store="S002"))
    good = _batch(loyalty, min_spend=10_000)["codes"][0]
    refused(_redeem(loyalty, good), 422, "coupon_below_minimum_spend")
    forged = good[:20] + ("A" if good[20] != "A" else "B") + good[21:]
    refused(_redeem(loyalty, forged), 422, "coupon_bad_signature")
    refused(_redeem(loyalty, "not a coupon!"), 422, "coupon_malformed")
    assert loyalty.count(CouponRedemption) == 1


def test_a_member_bound_coupon_needs_its_member(loyalty: Loyalty) -> None:
    member = loyalty.register()["member_id"]
    code = _batch(loyalty, member_id=member)["codes"][0]
    refused(_redeem(loyalty, code), 422, "coupon_wrong_member")
    ok(_redeem(loyalty, code, member_id=member))
