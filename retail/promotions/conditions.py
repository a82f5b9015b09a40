"""Whether a promotion may apply to this basket at all: status, time, place, person, limits."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from retail.promotions.basket import MemberInfo, PricingContext
from retail.promotions.definitions import Promotion, Schedule, Status

UNLIMITED = 10**12


def in_schedule(schedule: Schedule, at: datetime) -> bool:
    """Date range is [starts_at, ends_at); weekdays and hours are read on the store's clock."""
    if schedule.starts_at is not None and at < schedule.starts_at:
        return False
    if schedule.ends_at is not None and at >= schedule.ends_at:
        return False
    if schedule.weekdays and at.isoweekday() not in schedule.weekdays:
        return False
    if schedule.hours:
        clock = at.timetz().replace(tzinfo=None)
        return any(start <= clock < end for start, end in schedule.hours)
    return True


def birthday_in_week(member: MemberInfo, on: date) -> bool:
    """True when the member's birthday falls in the Monday-to-Sunday week of `on`.

    A 29 February birthday counts as 28 February in other years.
    """
    if member.birthday is None:
        return False
    monday = on - timedelta(days=on.isoweekday() - 1)
    sunday = monday + timedelta(days=6)
    for year in {monday.year, sunday.year}:
        month, day = member.birthday.month, member.birthday.day
        if (month, day) == (2, 29) and not _leap(year):
            day = 28
        if monday <= date(year, month, day) <= sunday:
            return True
    return False


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def audience_admits(promotion: Promotion, context: PricingContext) -> bool:
    a = promotion.audience
    if a.store_ids or a.region_ids:
        here = context.store_id in a.store_ids or (
            context.region_id is not None and context.region_id in a.region_ids
        )
        if not here:
            return False
    member = context.member
    if (a.members_only or a.tiers or a.birthday_week) and member is None:
        return False
    if member is not None and a.tiers and member.tier not in a.tiers:
        return False
    if a.birthday_week and (member is None or not birthday_in_week(member, context.at.date())):
        return False
    return a.coupon_code is None or a.coupon_code in context.coupon_codes


def remaining_times(promotion: Promotion, context: PricingContext) -> int:
    """How many more times the promotion may apply in this basket (0 when used up)."""
    limits, usage = promotion.limits, context.usage
    left = UNLIMITED
    if limits.basket is not None:
        left = min(left, limits.basket)
    if limits.chain is not None:
        left = min(left, limits.chain - usage.chain.get(promotion.id, 0))
    if limits.store is not None:
        left = min(left, limits.store - usage.store.get(promotion.id, 0))
    if limits.member is not None:
        if context.member is None:
            return 0  # a per-member limit can only be counted for a known member
        left = min(left, limits.member - usage.member.get(promotion.id, 0))
    return max(left, 0)


def eligible(promotion: Promotion, context: PricingContext, ignore_status: bool = False) -> bool:
    """Everything about the promotion except the goods in the basket admits it."""
    if not ignore_status and promotion.status is not Status.ACTIVE:
        return False
    return in_schedule(promotion.schedule, context.at) and audience_admits(promotion, context)
