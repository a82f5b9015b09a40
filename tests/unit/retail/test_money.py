"""Money: integer fen with a currency, exact allocation, rounding, text round-trips."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from retail.money import (
    DEFAULT_CURRENCY,
    CurrencyMismatch,
    Money,
    allocate,
    format_minor,
    parse_minor,
    round_cash,
    round_half_up,
)

# --- the value type ---------------------------------------------------------------


def test_money_defaults_to_yuan() -> None:
    assert Money(100).currency == DEFAULT_CURRENCY == "CNY"


def test_adding_and_subtracting_keeps_exact_fen() -> None:
    assert Money(1_999) + Money(1) == Money(2_000)
    assert Money(1_000) - Money(1_001) == Money(-1)
    assert -Money(250) == Money(-250)


def test_zero_is_falsy_and_any_other_amount_truthy() -> None:
    assert not Money.zero()
    assert Money(1)
    assert Money(-1)
    assert Money.zero("HKD") == Money(0, "HKD")


@pytest.mark.parametrize("bad", [1.5, 1.0, Decimal("1.00"), "100", None, Fraction(1, 2)])
def test_money_refuses_anything_but_an_integer(bad: Any) -> None:
    with pytest.raises(TypeError):
        Money(bad)


@pytest.mark.parametrize("flag", [True, False])
def test_money_refuses_a_bool_even_though_it_is_an_int(flag: bool) -> None:
    with pytest.raises(TypeError):
        Money(flag)


def test_adding_different_currencies_is_refused_naming_both() -> None:
    with pytest.raises(CurrencyMismatch, match=r"CNY.*HKD"):
        Money(100) + Money(100, "HKD")


def test_subtracting_different_currencies_is_refused() -> None:
    with pytest.raises(CurrencyMismatch):
        Money(100, "HKD") - Money(100)


def test_currency_mismatch_is_a_value_error() -> None:
    assert issubclass(CurrencyMismatch, ValueError)


def test_amounts_in_different_currencies_are_never_equal() -> None:
    assert Money(100) != Money(100, "HKD")


def test_comparing_amounts_in_different_currencies_is_refused() -> None:
    # Ordering is as dangerous as adding: max() over mixed tenders would pick nonsense.
    with pytest.raises(CurrencyMismatch):
        _ = Money(100, "USD") < Money(200, "CNY")


def test_amounts_in_the_same_currency_order_by_value() -> None:
    assert Money(-1) < Money(0) < Money(1)
    assert max(Money(5), Money(50), Money(7)) == Money(50)


def test_adding_a_plain_number_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        Money(100) + 1  # type: ignore[operator]


def test_money_is_immutable() -> None:
    amount = Money(100)
    with pytest.raises(AttributeError):
        amount.minor = 200  # type: ignore[misc]


def test_money_reads_as_yuan_with_its_currency() -> None:
    assert str(Money(123_456)) == "1234.56 CNY"
    assert str(Money(-5, "HKD")) == "-0.05 HKD"


@pytest.mark.parametrize(
    ("minor", "factor", "expected"),
    [
        (1_000, 3, 3_000),
        (1_000, Fraction(1, 3), 333),
        (1_000, Fraction(2, 3), 667),
        (5, Fraction(1, 2), 3),  # half away from zero
        (-5, Fraction(1, 2), -3),
        (999, Fraction(88, 100), 879),  # 12% off 9.99 is 8.7912 -> 8.79
        (0, Fraction(7, 9), 0),
    ],
)
def test_times_multiplies_exactly_and_rounds_halves_away_from_zero(
    minor: int, factor: int | Fraction, expected: int
) -> None:
    assert Money(minor).times(factor) == Money(expected)


def test_times_keeps_the_currency() -> None:
    assert Money(100, "HKD").times(2) == Money(200, "HKD")


@pytest.mark.parametrize("factor", [0.1, 1.5, 0.88])
def test_times_refuses_a_float_factor(factor: float) -> None:
    # Fraction(0.1) is the binary approximation, so a float would leak into money.
    with pytest.raises(TypeError):
        Money(1_000).times(factor)  # type: ignore[arg-type]


# --- round_half_up ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Fraction(0), 0),
        (Fraction(1, 2), 1),
        (Fraction(3, 2), 2),
        (Fraction(5, 2), 3),  # not banker's rounding
        (Fraction(-1, 2), -1),
        (Fraction(-5, 2), -3),
        (Fraction(49, 100), 0),
        (Fraction(-49, 100), 0),
        (Fraction(51, 100), 1),
        (Fraction(7), 7),
        (Fraction(-7), -7),
        (Fraction(10**20 + 1, 2), 10**20 // 2 + 1),
    ],
)
def test_round_half_up_rounds_halves_away_from_zero(value: Fraction, expected: int) -> None:
    assert round_half_up(value) == expected


@given(st.fractions())
def test_round_half_up_is_within_half_of_the_exact_value(value: Fraction) -> None:
    rounded = round_half_up(value)
    assert abs(rounded - value) <= Fraction(1, 2)
    assert round_half_up(-value) == -rounded


# --- format_minor / parse_minor ---------------------------------------------------


@pytest.mark.parametrize(
    ("minor", "text"),
    [
        (0, "0.00"),
        (5, "0.05"),
        (50, "0.50"),
        (100, "1.00"),
        (123_456, "1234.56"),
        (-5, "-0.05"),
        (-100, "-1.00"),
        (10**12, "10000000000.00"),
    ],
)
def test_format_minor_shows_two_decimal_places(minor: int, text: str) -> None:
    assert format_minor(minor) == text


@pytest.mark.parametrize(
    ("text", "minor"),
    [
        ("12.34", 1_234),
        ("12.3", 1_230),
        ("12", 1_200),
        ("0.05", 5),
        ("-0.05", -5),
        ("+3.50", 350),
        ("  7.00 ", 700),
        ("0", 0),
    ],
)
def test_parse_minor_reads_yuan_with_up_to_two_places(text: str, minor: int) -> None:
    assert parse_minor(text) == minor


@pytest.mark.parametrize(
    "text", ["", " ", "-", "abc", "1.234", "1,00", "1.2.3", ".5", "1e3", "1 000", "¥5"]
)
def test_parse_minor_refuses_what_is_not_an_amount_quoting_it(text: str) -> None:
    with pytest.raises(ValueError, match="not an amount"):
        parse_minor(text)


@pytest.mark.parametrize("text", ["--1.00", "+-1.00", "-+1.00", "++1"])
def test_parse_minor_refuses_more_than_one_sign(text: str) -> None:
    # "+-1.00" currently parses as +100: the minus is silently dropped.
    with pytest.raises(ValueError):
        parse_minor(text)


@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_format_then_parse_gives_back_the_same_fen(minor: int) -> None:
    assert parse_minor(format_minor(minor)) == minor


# --- allocate ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "weights", "expected"),
    [
        (100, [1, 1, 1], [34, 33, 33]),  # tie goes to the earliest line
        (-100, [1, 1, 1], [-34, -33, -33]),
        (1_000, [2_990, 1_590, 890], [546, 291, 163]),  # .62 .68 .71: last two win
        (10, [0, 0, 0], [4, 3, 3]),  # all-zero weights split evenly
        (0, [5, 7], [0, 0]),
        (7, [0, 1], [0, 7]),
        (1, [1, 1, 1, 1], [1, 0, 0, 0]),
        (5, [3], [5]),
        (0, [], []),
        (2, [1, 2, 1], [1, 1, 0]),  # the two halves tie: the earlier line wins
    ],
)
def test_allocate_splits_by_largest_remainder(
    total: int, weights: list[int], expected: list[int]
) -> None:
    assert allocate(total, weights) == expected


def test_allocating_a_non_zero_total_over_no_weights_is_refused() -> None:
    with pytest.raises(ValueError):
        allocate(1, [])


def test_allocate_refuses_negative_weights() -> None:
    with pytest.raises(ValueError):
        allocate(100, [1, -1, 2])


@given(
    total=st.integers(min_value=-(10**9), max_value=10**9),
    weights=st.lists(st.integers(min_value=0, max_value=10**7), min_size=1, max_size=40),
)
def test_allocated_parts_sum_exactly_and_stay_within_one_fen_of_the_share(
    total: int, weights: list[int]
) -> None:
    parts = allocate(total, weights)
    assert len(parts) == len(weights)
    assert sum(parts) == total
    basis = weights if any(weights) else [1] * len(weights)
    for part, weight in zip(parts, basis, strict=True):
        exact = Fraction(total * weight, sum(basis))
        assert abs(part - exact) < 1
        assert all(type(p) is int for p in parts)


@given(
    total=st.integers(min_value=0, max_value=10**9),
    weights=st.lists(st.integers(min_value=0, max_value=10**7), min_size=1, max_size=40),
)
def test_allocate_is_deterministic_and_symmetric_for_negative_totals(
    total: int, weights: list[int]
) -> None:
    parts = allocate(total, weights)
    assert allocate(total, list(weights)) == parts
    assert allocate(-total, weights) == [-p for p in parts]


@given(
    total=st.integers(min_value=0, max_value=10**9),
    weights=st.lists(st.integers(min_value=1, max_value=10**7), min_size=1, max_size=40),
)
def test_allocate_never_gives_a_line_the_wrong_sign(total: int, weights: list[int]) -> None:
    assert all(part >= 0 for part in allocate(total, weights))


# --- round_cash -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "step", "expected"),
    [
        (1_234, 10, 1_230),
        (1_235, 10, 1_240),  # half rounds up
        (1_239, 10, 1_240),
        (1_249, 50, 1_250),
        (1_224, 50, 1_200),
        (1_250, 100, 1_300),
        (1_230, 10, 1_230),
        (0, 10, 0),
        (1_234, 1, 1_234),
        (-1_235, 10, -1_240),  # refunds mirror sales
        (-1_234, 10, -1_230),
    ],
)
def test_round_cash_rounds_to_the_step(amount: int, step: int, expected: int) -> None:
    assert round_cash(amount, step) == expected


@pytest.mark.parametrize("step", [0, -10])
def test_round_cash_refuses_a_step_that_is_not_positive(step: int) -> None:
    with pytest.raises(ValueError, match="step"):
        round_cash(100, step)


@given(
    amount=st.integers(min_value=-(10**9), max_value=10**9),
    step=st.sampled_from([1, 5, 10, 50, 100]),
)
def test_round_cash_lands_on_the_step_within_half_a_step(amount: int, step: int) -> None:
    rounded = round_cash(amount, step)
    assert rounded % step == 0
    assert 2 * abs(rounded - amount) <= step
