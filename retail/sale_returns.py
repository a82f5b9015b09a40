"""Returning goods of a completed sale: what comes back, and through which tenders.

Pure rules over the sale document (the body the till journaled). The refund for the
returned lines comes from `retail.promotions.returns.refund_lines`: exactly what those
units paid, promotion savings unwound in proportion. This module adds the sale side:

- `sold_basket` reads the sale document back as the `PricedBasket` that priced it.
- `tender_nets` is what each tender of the sale really paid (cash less its change).
- `split_refund` sends a refund back through the sale's tenders in proportion to what
  each still holds, so partial returns in any number of steps never give back more
  through a tender than it paid, and the last return empties every tender exactly.

Decisions (docs/returns.md): gifts added by a promotion are not refundable lines;
the cash rounding of the sale is not refunded (a refund is of goods, not rounding);
a coupon's share of the refund is forfeited (a coupon is single-use and not
re-issued), so the customer gets back the refund less that share.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from retail.money import allocate
from retail.promotions.basket import LineSaving, PricedBasket, PricedLine
from retail.promotions.returns import Refund, ReturnRefused, ReturnRequest, refund_lines

#: Tenders whose share of a refund goes back to the customer's loyalty accounts.
LOYALTY_REFUNDS = frozenset({"stored_value", "points"})
#: Tenders whose share of a refund is not given back.
FORFEITED = frozenset({"coupon"})


@dataclass(frozen=True, slots=True)
class TenderRefund:
    """The part of a refund that goes back through one tender of the sale."""

    index: int  # the tender's position in the sale
    method: str
    amount: int  # fen
    reference: str | None = None
    card: str | None = None

    @property
    def to_customer(self) -> bool:
        return self.method not in FORFEITED

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "method": self.method,
            "amount": self.amount,
            "reference": self.reference,
            "card": self.card,
        }


def sold_basket(sale: Mapping[str, Any]) -> PricedBasket:
    """The sale's lines as the engine priced them; promotion gifts are left out."""
    lines = tuple(
        PricedLine(
            line_no=int(line["line_no"]),
            product_id=str(line["sku"]),
            qty=int(line["qty"]),
            weighed=False,  # a weighed line comes back by label, its weight with it
            regular_amount=int(
                line["amount"] if line.get("regular_amount") is None else line["regular_amount"]
            ),
            amount=int(line["amount"]),
            savings=tuple(
                LineSaving(str(s["promotion_id"]), str(s["name"]), int(s["amount"]))
                for s in line.get("savings") or ()
            ),
            points_multiplier=Fraction(1),
        )
        for line in sale["lines"]
        if not line.get("gift")
    )
    return PricedBasket(
        lines=lines,
        gifts=(),
        applied=(),
        regular_total=sum(line.regular_amount for line in lines),
        total=sum(line.amount for line in lines),
    )


def refund_for(
    sale: Mapping[str, Any],
    requests: Sequence[ReturnRequest],
    already_returned: Mapping[int, int],
) -> Refund:
    """What returning `requests` of `sale` refunds; refuses gifts and unknown lines."""
    gifts = {int(line["line_no"]) for line in sale["lines"] if line.get("gift")}
    for request in requests:
        if request.line_no in gifts:
            raise ReturnRefused(
                "gift_line",
                f"line {request.line_no}",
                "is a promotion gift; return the goods that earned it",
            )
    return refund_lines(sold_basket(sale), requests, already_returned)


def tender_nets(sale: Mapping[str, Any]) -> list[int]:
    """What each tender of the sale paid: as given, the change taken off the cash tenders."""
    nets = [int(t["amount"]) for t in sale["tenders"]]
    change = int(sale.get("change") or 0)
    for index in reversed(range(len(nets))):
        if change <= 0:
            break
        if sale["tenders"][index]["method"] == "cash":
            taken = min(change, nets[index])
            nets[index] -= taken
            change -= taken
    return nets


def split_refund(
    sale: Mapping[str, Any], refund: int, refunded_before: Sequence[int] | None = None
) -> list[TenderRefund]:
    """Send `refund` back through the sale's tenders, in proportion to what each still holds.

    `refunded_before[i]` is what earlier returns of this sale gave back through tender
    `i`. Refunds never take a tender below zero; a refund larger than what the tenders
    still hold (the sale's cash rounding) is cut to it.
    """
    nets = tender_nets(sale)
    before = list(refunded_before or [0] * len(nets))
    if len(before) != len(nets):
        raise ValueError("refunded_before must have one figure per tender")
    remaining = [max(net - done, 0) for net, done in zip(nets, before, strict=True)]
    amount = min(refund, sum(remaining))
    if amount <= 0:
        return []
    parts = allocate(amount, remaining)
    out = []
    for index, part in enumerate(parts):
        if part == 0:
            continue
        tender = sale["tenders"][index]
        card = tender.get("card")
        if card is None:
            card = _authorised_card(sale, index)
        out.append(TenderRefund(index, tender["method"], part, tender.get("reference"), card))
    return out


def _authorised_card(sale: Mapping[str, Any], index: int) -> str | None:
    """The card a loyalty tender was paid with, from the store's authorisation record."""
    tender = sale["tenders"][index]
    for record in sale.get("authorisations") or ():
        if record.get("reference") == tender.get("reference") and record.get("card"):
            return str(record["card"])
    return None


def refunded_per_tender(returns: Sequence[Mapping[str, Any]], tenders: int) -> list[int]:
    """What earlier returns (their `refund_tenders`) gave back through each tender."""
    done = [0] * tenders
    for earlier in returns:
        for part in earlier.get("refund_tenders") or ():
            done[int(part["index"])] += int(part["amount"])
    return done


def returned_per_line(returns: Sequence[Mapping[str, Any]]) -> dict[int, int]:
    """Units of each sale line that earlier returns took back."""
    done: dict[int, int] = {}
    for earlier in returns:
        for line in earlier.get("lines") or ():
            done[int(line["line_no"])] = done.get(int(line["line_no"]), 0) + int(line["qty"])
    return done
