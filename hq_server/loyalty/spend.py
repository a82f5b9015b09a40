"""A member's spend, for tiers, enrolment and referral rules.

Two sources: sales on a card (`loyalty_spend`, written when the sale earns points) and
sales of a member identified without a card (`loyalty_member_spend`, written when HQ
takes the sale document). A sale is in exactly one of them, so they add up.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hq_server.loyalty.models import Account, MemberSpendRow, SpendRecordRow
from loyalty.tiers import months_before


def member_spend(
    session: Session, member_id: str, after: date | None = None, through: date | None = None
) -> int:
    """Net spend of a member in (after, through] (either end open when None), fen."""
    accounts = select(Account.id).where(Account.member_id == member_id)
    on_cards = select(func.coalesce(func.sum(SpendRecordRow.amount), 0)).where(
        SpendRecordRow.account_id.in_(accounts)
    )
    without = select(func.coalesce(func.sum(MemberSpendRow.amount), 0)).where(
        MemberSpendRow.member_id == member_id
    )
    if after is not None:
        on_cards = on_cards.where(SpendRecordRow.business_day > after)
        without = without.where(MemberSpendRow.business_day > after)
    if through is not None:
        on_cards = on_cards.where(SpendRecordRow.business_day <= through)
        without = without.where(MemberSpendRow.business_day <= through)
    return int(session.scalar(on_cards) or 0) + int(session.scalar(without) or 0)


def rolling_spend(session: Session, member_id: str, as_of: date, months: int = 12) -> int:
    """Spend on all the member's accounts (primary and child cards) in (as_of − months, as_of]."""
    return member_spend(session, member_id, months_before(as_of, months), as_of)


def rolling_spend_of(
    session: Session, member_ids: list[str], as_of: date, months: int = 12
) -> dict[str, int]:
    """`rolling_spend` for many members in two grouped queries (the period-end review)."""
    start = months_before(as_of, months)
    totals = dict.fromkeys(member_ids, 0)
    on_cards = session.execute(
        select(Account.member_id, func.sum(SpendRecordRow.amount))
        .join(Account, Account.id == SpendRecordRow.account_id)
        .where(
            Account.member_id.in_(member_ids),
            SpendRecordRow.business_day > start,
            SpendRecordRow.business_day <= as_of,
        )
        .group_by(Account.member_id)
    )
    without = session.execute(
        select(MemberSpendRow.member_id, func.sum(MemberSpendRow.amount))
        .where(
            MemberSpendRow.member_id.in_(member_ids),
            MemberSpendRow.business_day > start,
            MemberSpendRow.business_day <= as_of,
        )
        .group_by(MemberSpendRow.member_id)
    )
    for member_id, amount in [*on_cards, *without]:
        if member_id is not None:
            totals[member_id] += int(amount or 0)
    return totals
