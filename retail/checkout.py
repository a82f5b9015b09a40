"""Pricing a sale with promotions: the same steps at the till, the store and HQ.

`build_quote` prices lines at their regular prices; `promote` hands them to the
promotion engine and takes back the savings it allocated to each line, the free
gifts it added and the onsite discounts that applied.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

from retail.promotions.basket import PricedBasket, PricingContext, PricingLine
from retail.promotions.engine import price_basket
from retail.promotions.index import PromotionBook
from retail.promotions.onsite import OnsiteAdjustment
from retail.promotions.usage import uses_of
from retail.sale import ItemToPrice, Quote, SaleLine, Saving, build_quote, quote_of

#: Names a gift's product for its receipt line: sku -> (name, tax rate in bp).
GiftLookup = Callable[[str], tuple[str, int]]


def pricing_line(line: SaleLine, item: ItemToPrice) -> PricingLine:
    """How the engine sees a sale line: weighed goods as grams at a price per kg."""
    if item.weighed and line.weight_grams is not None:
        return PricingLine(
            line_no=line.line_no,
            product_id=line.sku,
            qty=line.weight_grams * line.qty,
            unit_price=line.unit_price,
            category_id=item.category_id,
            brand_id=item.brand_id,
            weighed=True,
        )
    unit_price = item.embedded_price if item.embedded_price is not None else line.unit_price
    return PricingLine(
        line_no=line.line_no,
        product_id=line.sku,
        qty=line.qty,
        unit_price=unit_price,
        category_id=item.category_id,
        brand_id=item.brand_id,
    )


def promote(
    items: Sequence[ItemToPrice],
    context: PricingContext,
    book: PromotionBook,
    *,
    gift_lookup: GiftLookup,
    onsite: Sequence[OnsiteAdjustment] = (),
) -> Quote:
    """Price `items` with every promotion in force for `context`."""
    base = build_quote(items)
    priced = price_basket(
        [pricing_line(line, item) for line, item in zip(base.lines, items, strict=True)],
        context,
        book,
        onsite,
    )
    return apply_savings(base, priced, gift_lookup)


def apply_savings(base: Quote, priced: PricedBasket, gift_lookup: GiftLookup) -> Quote:
    """The base quote with the engine's savings on each line and its gifts added."""
    lines: list[SaleLine] = []
    for line in base.lines:
        engine_line = priced.line(line.line_no)
        savings = tuple(Saving(s.promotion_id, s.name, s.amount) for s in engine_line.savings)
        # The engine may round a weighed line's regular amount a fen apart from the scale
        # label's; the line's own figure stands and never goes below zero.
        taken = min(sum(s.amount for s in savings), line.amount)
        lines.append(
            replace(line, regular_amount=line.amount, amount=line.amount - taken, savings=savings)
        )
    for offset, gift in enumerate(priced.gifts, start=1):
        name, tax_rate = gift_lookup(gift.product_id)
        lines.append(
            SaleLine(
                line_no=len(base.lines) + offset,
                sku=gift.product_id,
                name=name,
                barcode="",
                qty=gift.qty,
                unit_price=gift.value // gift.qty if gift.qty else 0,
                amount=0,
                tax_rate_bp=tax_rate,
                regular_amount=gift.value,
                savings=(Saving(gift.promotion_id, gift.name, gift.value),),
                gift=True,
            )
        )
    applied = [Saving(a.promotion_id, a.name, a.saving) for a in priced.applied]
    applied += [
        Saving(r.adjustment.adjustment_id, r.adjustment.label, r.amount) for r in priced.onsite
    ]
    return quote_of(lines, applied, uses_of(priced.applied))
