import itertools
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from loyalty.errors import InsufficientPoints, InvalidAmount, ReturnExceedsSale
from loyalty.points import (
    EarnedLine,
    Gift,
    LotSource,
    PointsEntryKind,
    PointsLot,
    adjust_points,
    apply_debits,
    balance,
    consumption_order,
    line_points_reversed,
    post_offline_redemption,
    redeem_gift,
    redeem_points,
    reverse_for_return,
)
from loyalty.points_expiry import ExpiryKind, ExpiryPolicy

DAY = date(2026, 11, 26)


def _lot(
    lot_id: str,
    points: int,
    *,
    remaining: int | None = None,
    valid_until: date | None = None,
    available_on: date = date(2026, 1, 1),
    earned_on: date = date(2026, 1, 1),
    lines: tuple[EarnedLine, ...] = (),
) -> PointsLot:
    return PointsLot(
        lot_id,
        "acc",
        LotSource.SALE,
        points,
        points if remaining is None else remaining,
        earned_on,
        available_on,
        valid_until,
        f"sale-{lot_id}",
        lines,
    )


def test_redemption_uses_soonest_expiring_lots_first_and_never_expiring_last() -> None:
    lots = [
        _lot("forever", 500),
        _lot("late", 300, valid_until=date(2027, 6, 30)),
        _lot("soon", 100, valid_until=date(2026, 12, 31)),
    ]
    entries = redeem_points(lots, 450, DAY, "tender-1", store_id="S001")
    assert [(e.lot_id, e.points) for e in entries] == [
        ("soon", -100),
        ("late", -300),
        ("forever", -50),
    ]
    assert all(e.kind is PointsEntryKind.REDEEM and e.store_id == "S001" for e in entries)


def test_pending_and_expired_lots_cannot_be_spent() -> None:
    lots = [
        _lot("pending", 1_000, available_on=DAY + timedelta(days=1)),
        _lot("expired", 1_000, valid_until=DAY - timedelta(days=1)),
        _lot("ok", 100),
    ]
    assert [lot.lot_id for lot in consumption_order(lots, DAY)] == ["ok"]
    with pytest.raises(InsufficientPoints):
        redeem_points(lots, 101, DAY, "tender-1")


def test_balance_separates_available_pending_and_soon_expiring() -> None:
    lots = [
        _lot("pending", 70, available_on=DAY + timedelta(days=3)),
        _lot("soon", 20, valid_until=DAY + timedelta(days=10)),
        _lot("later", 10, valid_until=DAY + timedelta(days=90)),
        _lot("gone", 999, valid_until=DAY - timedelta(days=1)),
    ]
    view = balance(lots, DAY)
    assert (view.available, view.pending, view.expiring_within_30_days) == (30, 70, 20)


def test_offline_redemption_posted_after_the_points_went_reports_the_shortfall() -> None:
    entries, shortfall = post_offline_redemption([_lot("a", 80)], 100, DAY, "tender-9")
    assert [(e.lot_id, e.points) for e in entries] == [("a", -80)]
    assert shortfall == 20
    assert post_offline_redemption([], 100, DAY, "tender-9") == ([], 100)


def test_gift_redemption_costs_points_times_quantity() -> None:
    entries = redeem_gift([_lot("a", 1_000)], Gift("MUG", "Mug", 300), 2, DAY, "gift-1")
    assert sum(e.points for e in entries) == -600
    assert entries[0].kind is PointsEntryKind.GIFT
    assert entries[0].reason == "MUG"


def test_positive_adjustment_opens_an_available_lot_with_the_reason() -> None:
    lot, entries = adjust_points(
        [],
        account_id="acc",
        points=250,
        reason="goodwill: late delivery",
        on=DAY,
        ref="adj-1",
        lot_id="lot-adj",
        expiry=ExpiryPolicy(ExpiryKind.END_OF_YEAR),
    )
    assert lot is not None
    assert lot.is_available(DAY)
    assert lot.valid_until == date(2026, 12, 31)
    assert [(e.kind, e.points, e.reason) for e in entries] == [
        (PointsEntryKind.ADJUST, 250, "goodwill: late delivery")
    ]


def test_negative_adjustment_consumes_lots() -> None:
    lot, entries = adjust_points(
        [_lot("a", 100)],
        account_id="acc",
        points=-40,
        reason="typo",
        on=DAY,
        ref="adj-2",
        lot_id="unused",
        expiry=ExpiryPolicy(),
    )
    assert lot is None
    assert [(e.lot_id, e.points) for e in entries] == [("a", -40)]


@pytest.mark.parametrize(("points", "reason"), [(10, " "), (0, "why")])
def test_adjustment_needs_a_reason_and_a_non_zero_amount(points: int, reason: str) -> None:
    with pytest.raises(InvalidAmount):
        adjust_points(
            [],
            account_id="acc",
            points=points,
            reason=reason,
            on=DAY,
            ref="r",
            lot_id="l",
            expiry=ExpiryPolicy(),
        )


SALE_LINES = (EarnedLine("l1", 10_000, 100), EarnedLine("l2", 3_000, 31), EarnedLine("l3", 999, 7))


def test_full_return_reverses_exactly_what_the_sale_earned() -> None:
    sale = _lot("sale", 138, lines=SALE_LINES, available_on=DAY + timedelta(days=7))
    result = reverse_for_return([sale], "sale", {"l1": 10_000, "l2": 3_000, "l3": 999}, DAY, "ret")
    assert result.points == 138
    assert [(e.lot_id, e.points, e.kind) for e in result.entries] == [
        ("sale", -138, PointsEntryKind.REVERSE)
    ]
    assert result.unrecovered == 0


def test_partial_returns_reverse_in_proportion_and_add_up_to_the_whole() -> None:
    sale = _lot("sale", 31, lines=(EarnedLine("l2", 3_000, 31),))
    first = reverse_for_return([sale], "sale", {"l2": 1_000}, DAY, "ret-1")
    second = reverse_for_return(
        [sale], "sale", {"l2": 1_000}, DAY, "ret-2", prior_returned={"l2": 1_000}
    )
    third = reverse_for_return(
        [sale], "sale", {"l2": 1_000}, DAY, "ret-3", prior_returned={"l2": 2_000}
    )
    assert [first.points, second.points, third.points] == [10, 11, 10]


def test_reversal_of_spent_points_takes_from_other_lots_then_reports_the_rest() -> None:
    sale = _lot("sale", 100, remaining=30, lines=(EarnedLine("l1", 10_000, 100),))
    other = _lot("other", 50, valid_until=date(2027, 1, 1))
    result = reverse_for_return([sale, other], "sale", {"l1": 10_000}, DAY, "ret")
    assert [(e.lot_id, e.points) for e in result.entries] == [("sale", -30), ("other", -50)]
    assert result.unrecovered == 20


def test_returning_more_than_was_sold_is_refused() -> None:
    sale = _lot("sale", 100, lines=(EarnedLine("l1", 10_000, 100),))
    with pytest.raises(ReturnExceedsSale):
        reverse_for_return([sale], "sale", {"l1": 6_000}, DAY, "r", prior_returned={"l1": 5_000})
    with pytest.raises(ReturnExceedsSale):
        reverse_for_return([sale], "sale", {"l9": 1}, DAY, "r")


def test_return_of_a_sale_that_earned_nothing_reverses_nothing() -> None:
    result = reverse_for_return([], "no-such-lot", {"l1": 100}, DAY, "r")
    assert result.entries == () and result.points == 0


def test_apply_debits_lowers_remaining_and_refuses_going_negative() -> None:
    lots = [_lot("a", 100), _lot("b", 50)]
    entries = redeem_points(lots, 120, DAY, "t")
    after = apply_debits(lots, entries)
    assert [lot.remaining for lot in after] == [0, 30]
    with pytest.raises(InsufficientPoints):
        apply_debits(after, entries)


# --- properties ---------------------------------------------------------------

lines_strategy = st.lists(
    st.tuples(st.integers(1, 100_000), st.integers(0, 5_000)), min_size=1, max_size=6
)


@given(lines_strategy, st.data())
def test_any_series_of_partial_returns_reverses_exactly_the_earned_points(
    raw: list[tuple[int, int]], data: st.DataObject
) -> None:
    lines = tuple(EarnedLine(f"l{i}", amount, points) for i, (amount, points) in enumerate(raw))
    total = sum(line.points for line in lines)
    reversed_total = 0
    returned: dict[str, int] = {}
    for line in lines:
        # return each line in up to three slices, the last one finishing it
        cuts = sorted(data.draw(st.lists(st.integers(0, line.amount), max_size=2)))
        bounds = [0, *cuts, line.amount]
        for before, after in itertools.pairwise(bounds):
            if after == before:
                continue
            sale = _lot("sale", max(total, 1), lines=lines)
            prior = {line.line_id: returned.get(line.line_id, 0)}
            result = reverse_for_return(
                [sale], "sale", {line.line_id: after - before}, DAY, "r", prior_returned=prior
            )
            returned[line.line_id] = after
            reversed_total += result.points
    assert reversed_total == total


@given(st.integers(1, 10_000), st.integers(0, 100_000), st.integers(0, 100_000))
def test_reversed_points_never_decrease_as_more_is_returned(
    amount: int, points: int, returned: int
) -> None:
    line = EarnedLine("l", amount, points)
    a = min(returned, amount)
    b = min(a + 1, amount)
    assert 0 <= line_points_reversed(line, a) <= line_points_reversed(line, b) <= points


@given(st.lists(st.integers(1, 1_000), min_size=1, max_size=8), st.data())
def test_redemption_takes_exactly_the_points_asked_and_no_lot_goes_negative(
    sizes: list[int], data: st.DataObject
) -> None:
    lots = [_lot(f"l{i}", n, valid_until=DAY + timedelta(days=i % 3)) for i, n in enumerate(sizes)]
    want = data.draw(st.integers(1, sum(sizes)))
    entries = redeem_points(lots, want, DAY, "t")
    assert -sum(e.points for e in entries) == want
    assert all(lot.remaining >= 0 for lot in apply_debits(lots, entries))
