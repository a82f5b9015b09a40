"""HQ's preview: what one promotion would do to a sample basket, before it goes live."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from retail.promotions.basket import PricedBasket, PricingContext, PricingLine, Usage
from retail.promotions.definitions import Promotion, Schedule
from retail.promotions.engine import price_basket


def preview_promotion(
    promotion: Promotion, lines: Sequence[PricingLine], context: PricingContext
) -> PricedBasket:
    """Price `lines` with only `promotion`, whatever its status, dates or used-up limits.

    Weekdays and hours still count (they are part of what the promotion means);
    the dates, the status and past usage are what a preview looks past.
    """
    timeless = replace(
        promotion,
        schedule=Schedule(weekdays=promotion.schedule.weekdays, hours=promotion.schedule.hours),
    )
    fresh = replace(context, usage=Usage())
    return price_basket(lines, fresh, [timeless], ignore_status=True)
