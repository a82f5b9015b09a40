"""Member tiers at HQ: rolling 12-month family spend, upgrade by the crossing sale."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hq_server.loyalty.models import Account, Member, SpendRecordRow
from hq_server.loyalty.settings import LoyaltySettings
from hq_server.models import AuditEntry
from loyalty.tiers import TierChange, benefits, months_before, upgrade_after_sale


def rolling_spend(session: Session, member_id: str, as_of: date, months: int = 12) -> int:
    """Spend on all the member's accounts (primary and child cards) in (as_of − months, as_of]."""
    start = months_before(as_of, months)
    accounts = select(Account.id).where(Account.member_id == member_id)
    total = session.scalar(
        select(func.coalesce(func.sum(SpendRecordRow.amount), 0)).where(
            SpendRecordRow.account_id.in_(accounts),
            SpendRecordRow.business_day > start,
            SpendRecordRow.business_day <= as_of,
        )
    )
    return int(total or 0)


def multiplier(settings: LoyaltySettings, member: Member | None) -> Fraction:
    """The tier's points multiplier; anonymous cards earn at the entry tier."""
    code = member.tier_code if member is not None else settings.ladder.tiers[0].code
    return benefits(settings.ladder, code).points_multiplier


def upgrade_for_sale(
    session: Session, settings: LoyaltySettings, member: Member, on: date, sale_amount: int
) -> TierChange | None:
    """Upgrade at once when this sale lifts rolling spend past a higher threshold.

    Call before recording the sale's spend: `spend_before` must not include it.
    """
    before = rolling_spend(session, member.id, on, settings.ladder.window_months)
    change = upgrade_after_sale(settings.ladder, member.tier_code, before, sale_amount)
    if change is not None:
        member.tier_code = change.to_code
        session.add(
            AuditEntry(
                action="loyalty.tier.upgrade",
                detail=f"member {member.id}: {change.from_code} -> {change.to_code}",
            )
        )
    return change
