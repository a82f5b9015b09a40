"""Which price is in force for a product in a store at a moment."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from retail.catalog import PriceRecord, resolve_price

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def price(id: str, amount: int, effective_from: datetime, store: str | None = None) -> PriceRecord:
    return PriceRecord(id=id, sku="A1", price=amount, effective_from=effective_from, store=store)


def test_no_price_at_all_resolves_to_none() -> None:
    assert resolve_price([], "S001", NOW) is None


def test_only_future_prices_resolve_to_none() -> None:
    assert resolve_price([price("p1", 100, NOW + DAY)], "S001", NOW) is None


def test_the_latest_chain_price_in_force_wins() -> None:
    records = [price("p1", 100, NOW - 3 * DAY), price("p2", 120, NOW - DAY)]
    assert resolve_price(records, "S001", NOW) == records[1]
    assert resolve_price(list(reversed(records)), "S001", NOW) == records[1]


def test_a_future_chain_price_is_ignored_until_it_takes_effect() -> None:
    current, future = price("p1", 100, NOW - DAY), price("p2", 150, NOW + DAY)
    assert resolve_price([current, future], "S001", NOW) == current
    assert resolve_price([current, future], "S001", NOW + DAY) == future


def test_a_price_takes_effect_exactly_at_its_start() -> None:
    starts_now = price("p2", 150, NOW)
    assert resolve_price([price("p1", 100, NOW - DAY), starts_now], "S001", NOW) == starts_now


def test_a_store_price_in_force_wins_over_a_newer_chain_price() -> None:
    store = price("p1", 90, NOW - 2 * DAY, store="S001")
    chain = price("p2", 100, NOW - DAY)
    assert resolve_price([store, chain], "S001", NOW) == store


def test_a_future_store_price_leaves_the_chain_price_in_force_until_it_starts() -> None:
    chain = price("p1", 100, NOW - DAY)
    store = price("p2", 90, NOW + DAY, store="S001")
    assert resolve_price([chain, store], "S001", NOW) == chain
    assert resolve_price([chain, store], "S001", NOW + DAY) == store


def test_another_stores_price_never_applies() -> None:
    chain = price("p1", 100, NOW - DAY)
    other = price("p2", 80, NOW - DAY, store="S002")
    assert resolve_price([chain, other], "S001", NOW) == chain
    assert resolve_price([other], "S001", NOW) is None


def test_the_latest_store_price_wins_among_store_prices() -> None:
    older = price("p1", 90, NOW - 2 * DAY, store="S001")
    newer = price("p2", 95, NOW - DAY, store="S001")
    assert resolve_price([newer, older], "S001", NOW) == newer


def test_prices_starting_at_the_same_moment_resolve_by_id_whatever_the_order() -> None:
    a = price("0190-a", 100, NOW - DAY)
    b = price("0190-b", 110, NOW - DAY)
    assert resolve_price([a, b], "S001", NOW) == b
    assert resolve_price([b, a], "S001", NOW) == b
