"""When, where and for whom a promotion applies: time, place, tier, birthday, coupon, limits."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest

from retail.promotions import MemberInfo, Usage, preview_promotion, price_basket
from tests.unit.retail.promotions.promo_builders import (
    SHANGHAI,
    THURSDAY_10AM,
    context,
    line,
    member,
    products,
    promo,
)

TEN_PERCENT = {"mode": "percent", "percent": 10}


def _saving(extra: dict[str, Any], qty: int = 1, **ctx: Any) -> int:
    promotion = promo("P1", "item_discount", TEN_PERCENT, products("A"), **extra)
    return price_basket([line(1, "A", qty, 1000)], context(**ctx), [promotion]).total_saving


@pytest.mark.parametrize(
    ("schedule", "at", "applies"),
    [
        ({"starts_at": "2026-11-26T10:00:00+08:00"}, THURSDAY_10AM, True),
        ({"starts_at": "2026-11-26T10:00:01+08:00"}, THURSDAY_10AM, False),
        ({"ends_at": "2026-11-26T10:00:00+08:00"}, THURSDAY_10AM, False),
        ({"ends_at": "2026-11-26T02:00:01Z"}, THURSDAY_10AM, True),
        ({"weekdays": [4]}, THURSDAY_10AM, True),
        ({"weekdays": [6, 7]}, THURSDAY_10AM, False),
        ({"hours": [["09:00", "10:00"]]}, THURSDAY_10AM, False),
        ({"hours": [["09:00", "10:00"], ["10:00", "11:00"]]}, THURSDAY_10AM, True),
        ({"hours": [["22:00", "24:00"]]}, datetime(2026, 11, 26, 23, 59, tzinfo=SHANGHAI), True),
    ],
    ids=[
        "starts-now",
        "starts-later",
        "ended",
        "end-in-utc",
        "weekday",
        "weekend-only",
        "hour-window-is-half-open",
        "second-window",
        "until-midnight",
    ],
)
def test_time_limited_offer_follows_dates_weekdays_and_hours(
    schedule: dict[str, Any], at: datetime, applies: bool
) -> None:
    assert (_saving({"schedule": schedule}, at=at) > 0) is applies


@pytest.mark.parametrize(
    ("audience", "ctx", "applies"),
    [
        ({"store_ids": ["S001"]}, {}, True),
        ({"store_ids": ["S002"]}, {}, False),
        ({"region_ids": ["east"]}, {}, True),
        ({"region_ids": ["west"], "store_ids": ["S001"]}, {}, True),
        ({"region_ids": ["west"]}, {}, False),
        ({"tiers": ["gold"]}, {"member": member("gold")}, True),
        ({"tiers": ["gold"]}, {"member": member("silver")}, False),
        ({"tiers": ["gold"]}, {}, False),
        ({"members_only": True}, {}, False),
        ({"coupon_code": "SAVE10"}, {"coupons": ("SAVE10",)}, True),
        ({"coupon_code": "SAVE10"}, {"coupons": ("OTHER",)}, False),
    ],
    ids=[
        "store",
        "other-store",
        "region",
        "store-or-region",
        "other-region",
        "tier",
        "other-tier",
        "tier-needs-member",
        "members-only",
        "coupon",
        "wrong-coupon",
    ],
)
def test_targeting_by_store_region_tier_and_coupon(
    audience: dict[str, Any], ctx: dict[str, Any], applies: bool
) -> None:
    assert (_saving({"audience": audience}, **ctx) > 0) is applies


@pytest.mark.parametrize(
    ("birthday", "applies"),
    [
        (date(1990, 11, 23), True),  # Monday of the week
        (date(1990, 11, 29), True),  # Sunday of the week
        (date(1990, 11, 30), False),
        (date(1990, 11, 22), False),
        (None, False),
    ],
)
def test_birthday_offer_applies_in_the_members_birthday_week(
    birthday: date | None, applies: bool
) -> None:
    who = MemberInfo("M1", "silver", birthday)
    assert (_saving({"audience": {"birthday_week": True}}, member=who) > 0) is applies


def test_leap_day_birthday_counts_on_28_february() -> None:
    who = MemberInfo("M1", "silver", date(2000, 2, 29))
    at = datetime(2027, 3, 1, 12, tzinfo=SHANGHAI)  # Monday; 28 Feb 2027 is the Sunday before
    assert _saving({"audience": {"birthday_week": True}}, member=who, at=at) == 0
    at = datetime(2027, 2, 22, 12, tzinfo=SHANGHAI)
    assert _saving({"audience": {"birthday_week": True}}, member=who, at=at) == 100


@pytest.mark.parametrize("status", ["paused", "ended"])
def test_paused_or_ended_promotion_does_not_apply(status: str) -> None:
    assert _saving({"status": status}) == 0


@pytest.mark.parametrize(
    ("limits", "usage", "with_member", "units"),
    [
        ({"basket": 2}, Usage(), False, 2),
        ({"chain": 10}, Usage(chain={"P1": 7}), False, 3),
        ({"chain": 10}, Usage(chain={"P1": 10}), False, 0),
        ({"store": 4}, Usage(store={"P1": 3}), False, 1),
        ({"member": 2}, Usage(member={"P1": 1}), True, 1),
        ({"member": 2}, Usage(), False, 0),
        ({"chain": 100, "store": 5}, Usage(chain={"P1": 98}), False, 2),
    ],
    ids=[
        "per-basket",
        "chain-left",
        "chain-used-up",
        "per-store",
        "per-member",
        "per-member-needs-member",
        "tightest-scope-wins",
    ],
)
def test_quantity_limited_offer_stops_at_the_remaining_units(
    limits: dict[str, int], usage: Usage, with_member: bool, units: int
) -> None:
    promotion = promo("P1", "item_discount", TEN_PERCENT, products("A"), limits=limits)
    ctx = context(usage=usage, member=member() if with_member else None)
    priced = price_basket([line(1, "A", 5, 1000)], ctx, [promotion])
    assert priced.total_saving == 100 * units
    assert [a.times for a in priced.applied] == ([units] if units else [])


def test_limited_offer_goes_to_the_units_that_save_most() -> None:
    promotion = promo("P1", "item_discount", TEN_PERCENT, products("A", "B"), limits={"basket": 1})
    priced = price_basket([line(1, "A", 1, 1000), line(2, "B", 1, 5000)], context(), [promotion])
    assert [(p.line_no, p.saving) for p in priced.lines] == [(1, 0), (2, 500)]


def test_applied_promotions_report_times_and_coupon_for_counting() -> None:
    bogo = promo(
        "B1", "buy_n_get_m", {"buy": 1, "get": 1}, products("A"), audience={"coupon_code": "BOGO"}
    )
    priced = price_basket([line(1, "A", 5, 1000)], context(coupons=("BOGO",)), [bogo])
    [applied] = priced.applied
    assert (applied.promotion_id, applied.times, applied.saving, applied.coupon_code) == (
        "B1",
        2,
        2000,
        "BOGO",
    )


def test_preview_shows_a_scheduled_paused_promotion_on_a_sample_basket() -> None:
    promotion = promo(
        "P1",
        "item_discount",
        TEN_PERCENT,
        products("A"),
        status="paused",
        schedule={"starts_at": "2027-01-01T00:00:00+08:00"},
        limits={"chain": 1},
    )
    ctx = context(usage=Usage(chain={"P1": 1}))
    assert price_basket([line(1, "A", 2, 1000)], ctx, [promotion]).total_saving == 0
    preview = preview_promotion(promotion, [line(1, "A", 2, 1000)], ctx)
    assert preview.total_saving == 100  # past usage is ignored, the limit itself still holds
