"""Refunding returned lines: exactly what was paid, with promotion savings unwound.

A line's savings were spread over its units when the basket was priced (a
buy-2-get-1 spreads the free unit's value over all three units), so every unit
carries its share of the saving and what it really cost. Returning `k` of a
line's `n` units refunds that share of what the line paid, computed
cumulatively: after returns of `q` units in total, the refunds add up to
``round_half_up(paid * q / n)``. Partial returns in any number of steps
therefore add up to exactly what the line paid, never a fen more, and each
promotion's saving on the line is unwound in the same proportion (so reports
of a promotion's cost stay right).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from retail.money import allocate, round_half_up
from retail.promotions.basket import LineSaving, PricedBasket, PricedLine


class ReturnRefused(ValueError):
    """A return cannot be made as asked; `code` is stable, `field` names the input."""

    def __init__(self, code: str, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.code = code
        self.field = field
        self.message = message


@dataclass(frozen=True, slots=True)
class ReturnRequest:
    """Return `qty` units (grams for a weighed line) of sale line `line_no`."""

    line_no: int
    qty: int


@dataclass(frozen=True, slots=True)
class RefundLine:
    line_no: int
    product_id: str
    qty: int
    refund: int  # fen back to the customer
    regular_amount: int  # the returned units at regular price
    unwound: tuple[LineSaving, ...]  # promotion savings taken back with these units


@dataclass(frozen=True, slots=True)
class Refund:
    lines: tuple[RefundLine, ...] = field(default_factory=tuple)

    @property
    def total(self) -> int:
        return sum(line.refund for line in self.lines)


def _share(amount: int, part: int, whole: int) -> int:
    return round_half_up(Fraction(amount * part, whole))


def _cumulative_savings(line: PricedLine, returned: int) -> list[int]:
    saved = _share(line.regular_amount, returned, line.qty) - _share(
        line.amount, returned, line.qty
    )
    return allocate(saved, [s.amount for s in line.savings])


def refund_line(line: PricedLine, qty: int, already_returned: int = 0) -> RefundLine:
    """Refund `qty` more units of a sold line of which `already_returned` came back before."""
    field_name = f"line {line.line_no}.qty"
    if isinstance(qty, bool) or not isinstance(qty, int) or qty <= 0:
        raise ReturnRefused("out_of_range", field_name, "must be a positive quantity")
    if already_returned + qty > line.qty:
        raise ReturnRefused(
            "exceeds_sold",
            field_name,
            f"{qty} more cannot be returned: sold {line.qty}, returned {already_returned} before",
        )
    before, after = already_returned, already_returned + qty
    refund = _share(line.amount, after, line.qty) - _share(line.amount, before, line.qty)
    regular = _share(line.regular_amount, after, line.qty) - _share(
        line.regular_amount, before, line.qty
    )
    cum_after, cum_before = _cumulative_savings(line, after), _cumulative_savings(line, before)
    unwound = tuple(
        LineSaving(s.promotion_id, s.name, a - b)
        for s, a, b in zip(line.savings, cum_after, cum_before, strict=True)
        if a != b
    )
    return RefundLine(line.line_no, line.product_id, qty, refund, regular, unwound)


def refund_lines(
    sale: PricedBasket,
    requests: Sequence[ReturnRequest],
    already_returned: Mapping[int, int] | None = None,
) -> Refund:
    """Refund several lines of one sale; refuses the whole return if any request is wrong."""
    previous = dict(already_returned or {})
    asked: dict[int, int] = {}
    for request in requests:
        asked[request.line_no] = asked.get(request.line_no, 0) + request.qty
    refunded = []
    for line_no in sorted(asked):
        try:
            line = sale.line(line_no)
        except KeyError:
            raise ReturnRefused("unknown_line", f"line {line_no}", "is not on the sale") from None
        refunded.append(refund_line(line, asked[line_no], previous.get(line_no, 0)))
    return Refund(tuple(refunded))
