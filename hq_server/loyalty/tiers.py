"""Member tiers at HQ: rolling 12-month family spend, upgrade by the crossing sale.

Every move is recorded in `loyalty_tier_history`; the period-end review is `tier_review.py`.
"""

from __future__ import annotations

from datetime import date
from fractions import Fraction
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hq_server.loyalty import referrals, spend
from hq_server.loyalty.models import Member, TierHistoryRow
from hq_server.loyalty.origin import Origin
from hq_server.loyalty.settings import LoyaltySettings
from hq_server.models import AuditEntry
from loyalty.tiers import TierChange, benefits, upgrade_after_sale


def rolling_spend(session: Session, member_id: str, as_of: date, months: int = 12) -> int:
    """Spend on all the member's accounts (primary and child cards) in (as_of − months, as_of].

    Sales the member made without a card (identified by mobile) count as well.
    """
    return spend.rolling_spend(session, member_id, as_of, months)


def multiplier(settings: LoyaltySettings, member: Member | None) -> Fraction:
    """The tier's points multiplier; anonymous cards earn at the entry tier."""
    code = member.tier_code if member is not None else settings.ladder.tiers[0].code
    return benefits(settings.ladder, code).points_multiplier


def record_change(
    session: Session,
    member_id: str,
    change: TierChange,
    rolling: int,
    *,
    period: str | None = None,
    document: str | None = None,
) -> TierHistoryRow:
    """One row of tier history (the member row itself is updated by the caller)."""
    row = TierHistoryRow(
        member_id=member_id,
        from_tier=change.from_code,
        to_tier=change.to_code,
        reason=change.reason,
        period=period,
        rolling_spend=rolling,
        document=document,
    )
    session.add(row)
    return row


def upgrade_for_sale(
    session: Session,
    settings: LoyaltySettings,
    member: Member,
    origin: Origin,
    sale_amount: int,
) -> TierChange | None:
    """Upgrade at once when this sale lifts rolling spend past a higher threshold.

    Call before recording the sale's spend: `spend_before` must not include it. An
    upgrade is recorded in the tier history and may reward the member's referrer.
    """
    before = rolling_spend(session, member.id, origin.business_day, settings.ladder.window_months)
    change = upgrade_after_sale(settings.ladder, member.tier_code, before, sale_amount)
    if change is not None:
        member.tier_code = change.to_code
        record_change(session, member.id, change, before + sale_amount, document=origin.document)
        session.add(
            AuditEntry(
                action="loyalty.tier.upgrade",
                detail=f"member {member.id}: {change.from_code} -> {change.to_code}",
            )
        )
        session.flush()
        referrals.after_upgrade(session, settings, member, origin)
    return change


def history_payload(row: TierHistoryRow) -> dict[str, Any]:
    return {
        "from": row.from_tier,
        "to": row.to_tier,
        "reason": row.reason,
        "period": row.period,
        "rolling_spend": row.rolling_spend,
        "document": row.document,
        "at": row.at.isoformat(),
    }


def tier_history(session: Session, member_id: str) -> list[dict[str, Any]]:
    """A member's tier moves, oldest first."""
    rows = session.scalars(
        select(TierHistoryRow)
        .where(TierHistoryRow.member_id == member_id)
        .order_by(TierHistoryRow.id)
    )
    return [history_payload(r) for r in rows]
