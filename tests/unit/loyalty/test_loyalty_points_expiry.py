from datetime import date

import pytest

from loyalty.errors import InvalidConfig
from loyalty.points import LotSource, PointsEntryKind, PointsLot, expire_points, new_lot
from loyalty.points_expiry import ExpiryKind, ExpiryPolicy, valid_until


@pytest.mark.parametrize(
    ("policy", "earned_on", "expected"),
    [
        (ExpiryPolicy(ExpiryKind.NEVER), date(2026, 3, 10), None),
        (ExpiryPolicy(ExpiryKind.DAYS, 365), date(2026, 3, 10), date(2027, 3, 10)),
        (ExpiryPolicy(ExpiryKind.DAYS, 30), date(2026, 2, 10), date(2026, 3, 12)),
        (ExpiryPolicy(ExpiryKind.END_OF_MONTH), date(2026, 2, 10), date(2026, 2, 28)),
        (ExpiryPolicy(ExpiryKind.END_OF_MONTH, 12), date(2026, 2, 10), date(2027, 2, 28)),
        (ExpiryPolicy(ExpiryKind.END_OF_MONTH, 1), date(2026, 12, 31), date(2027, 1, 31)),
        (ExpiryPolicy(ExpiryKind.END_OF_MONTH, 1), date(2024, 1, 5), date(2024, 2, 29)),
        (ExpiryPolicy(ExpiryKind.END_OF_YEAR), date(2026, 3, 10), date(2026, 12, 31)),
        (ExpiryPolicy(ExpiryKind.END_OF_YEAR, 1), date(2026, 3, 10), date(2027, 12, 31)),
        (ExpiryPolicy(ExpiryKind.ANNUAL_CLEARING, 0, 6, 30), date(2026, 3, 10), date(2026, 6, 30)),
        (ExpiryPolicy(ExpiryKind.ANNUAL_CLEARING, 0, 6, 30), date(2026, 6, 30), date(2026, 6, 30)),
        (ExpiryPolicy(ExpiryKind.ANNUAL_CLEARING, 0, 6, 30), date(2026, 7, 1), date(2027, 6, 30)),
        (ExpiryPolicy(ExpiryKind.ANNUAL_CLEARING, 1, 6, 30), date(2026, 6, 29), date(2027, 6, 30)),
    ],
)
def test_expiry_policy_gives_the_last_usable_day(
    policy: ExpiryPolicy, earned_on: date, expected: date | None
) -> None:
    assert valid_until(policy, earned_on) == expected


@pytest.mark.parametrize(
    "kwargs",
    [
        {"kind": ExpiryKind.DAYS, "n": 0},
        {"kind": ExpiryKind.END_OF_YEAR, "n": -1},
        {"kind": ExpiryKind.ANNUAL_CLEARING, "clearing_month": 2, "clearing_day": 29},
        {"kind": ExpiryKind.ANNUAL_CLEARING, "clearing_month": 13, "clearing_day": 1},
    ],
)
def test_impossible_expiry_policy_is_refused(kwargs: dict[str, object]) -> None:
    with pytest.raises(InvalidConfig):
        ExpiryPolicy(**kwargs)  # type: ignore[arg-type]


def test_expiry_policy_round_trips() -> None:
    policy = ExpiryPolicy(ExpiryKind.ANNUAL_CLEARING, 1, 3, 31)
    assert ExpiryPolicy.from_dict(policy.to_dict()) == policy


def _lot(lot_id: str, earned_on: date, policy: ExpiryPolicy, points: int = 100) -> PointsLot:
    return new_lot(
        lot_id=lot_id,
        account_id="acc",
        source=LotSource.SALE,
        points=points,
        earned_on=earned_on,
        pending_days=0,
        expiry=policy,
        ref=f"sale-{lot_id}",
    )


def test_daily_expiry_run_expires_what_is_left_of_lots_past_their_last_day() -> None:
    year_end = ExpiryPolicy(ExpiryKind.END_OF_YEAR)
    lots = [
        _lot("old", date(2025, 5, 1), year_end),
        _lot("new", date(2026, 1, 2), year_end),
        _lot("forever", date(2020, 1, 1), ExpiryPolicy()),
    ]
    entries = expire_points(lots, date(2026, 1, 1))
    assert [(e.lot_id, e.points, e.kind) for e in entries] == [
        ("old", -100, PointsEntryKind.EXPIRE)
    ]


def test_points_are_still_usable_on_their_last_day() -> None:
    lot = _lot("a", date(2026, 1, 1), ExpiryPolicy(ExpiryKind.DAYS, 10))
    assert expire_points([lot], date(2026, 1, 11)) == []
    assert len(expire_points([lot], date(2026, 1, 12))) == 1
