"""A priced basket as plain JSON-able data, for the sale document and later returns.

A return may be made days later at another store, from the journal: the sale
document carries what each line paid and which savings explain it, and
`priced_from_dict` gives back the `PricedBasket` that `refund_lines` needs.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from retail.promotions.basket import (
    AppliedPromotion,
    GiftLine,
    LineSaving,
    PricedBasket,
    PricedLine,
)
from retail.promotions.onsite import OnsiteAdjustment, OnsiteRecord
from retail.promotions.validation import format_fraction


def _fraction(text: str | None) -> Fraction | None:
    return None if text is None else Fraction(text)


def _fraction_text(value: Fraction | None) -> str | None:
    return None if value is None else format_fraction(value)


def priced_to_dict(priced: PricedBasket) -> dict[str, Any]:
    """The priced basket as plain data (ints, strings, lists, dicts)."""
    return {
        "lines": [
            {
                "line_no": line.line_no,
                "product_id": line.product_id,
                "qty": line.qty,
                "weighed": line.weighed,
                "regular_amount": line.regular_amount,
                "amount": line.amount,
                "savings": [[s.promotion_id, s.name, s.amount] for s in line.savings],
                "points_multiplier": format_fraction(line.points_multiplier),
                "points_promotion_id": line.points_promotion_id,
            }
            for line in priced.lines
        ],
        "gifts": [[g.product_id, g.qty, g.promotion_id, g.name, g.value] for g in priced.gifts],
        "applied": [
            [a.promotion_id, a.name, a.times, a.saving, a.coupon_code] for a in priced.applied
        ],
        "regular_total": priced.regular_total,
        "total": priced.total,
        "onsite": [
            {
                "adjustment_id": r.adjustment.adjustment_id,
                "scope": r.adjustment.scope,
                "reason": r.adjustment.reason,
                "supervisor_id": r.adjustment.supervisor_id,
                "permission": r.adjustment.permission,
                "line_no": r.adjustment.line_no,
                "percent": _fraction_text(r.adjustment.percent),
                "amount": r.adjustment.amount,
                "applied_amount": r.amount,
            }
            for r in priced.onsite
        ],
    }


def priced_from_dict(data: Mapping[str, Any]) -> PricedBasket:
    """The inverse of `priced_to_dict`."""
    lines = tuple(
        PricedLine(
            line_no=line["line_no"],
            product_id=line["product_id"],
            qty=line["qty"],
            weighed=line["weighed"],
            regular_amount=line["regular_amount"],
            amount=line["amount"],
            savings=tuple(LineSaving(pid, name, amount) for pid, name, amount in line["savings"]),
            points_multiplier=Fraction(line["points_multiplier"]),
            points_promotion_id=line["points_promotion_id"],
        )
        for line in data["lines"]
    )
    onsite = tuple(
        OnsiteRecord(
            OnsiteAdjustment(
                adjustment_id=r["adjustment_id"],
                scope=r["scope"],
                reason=r["reason"],
                supervisor_id=r["supervisor_id"],
                permission=r["permission"],
                line_no=r["line_no"],
                percent=_fraction(r["percent"]),
                amount=r["amount"],
            ),
            r["applied_amount"],
        )
        for r in data["onsite"]
    )
    return PricedBasket(
        lines=lines,
        gifts=tuple(GiftLine(*gift) for gift in data["gifts"]),
        applied=tuple(AppliedPromotion(*applied) for applied in data["applied"]),
        regular_total=data["regular_total"],
        total=data["total"],
        onsite=onsite,
    )
