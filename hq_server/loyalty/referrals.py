"""Referral rewards at HQ: the referred member's milestones credit the referrer, once per rule.

The pure rules are `loyalty.referrals`; this module finds the referrer, the rules already
paid, and books the reward on the referrer's card: points as a `referral` lot, bonus as a
stored-value `bonus` entry. Both carry the reward's key (`referral:<rule>:<member>`) as
their document and the triggering movement's store, till, staff and business day. A row
in `loyalty_referral_rewards` (primary key = the reward's key) makes the payment once.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from chainpos.ids import new_id
from hq_server.loyalty import ledger
from hq_server.loyalty.models import Account, Card, Member, ReferralRewardRow, SvEntryRow
from hq_server.loyalty.origin import Origin
from hq_server.loyalty.settings import LoyaltySettings
from hq_server.loyalty.spend import member_spend
from loyalty.points import LotSource, PointsEntryKind, credit_entry, new_lot
from loyalty.referrals import (
    ReferralEvent,
    ReferralReward,
    ReferralTrigger,
    Referrer,
    evaluate_referral,
)
from loyalty.stored_value import SvEntryKind, grant_bonus

#: Cards that can take a reward (a frozen card's account still holds value).
_HOLDING = ("issued", "active", "frozen")


def reward_payload(row: ReferralRewardRow) -> dict[str, Any]:
    return {
        "key": row.key,
        "rule_id": row.rule_id,
        "trigger": row.trigger,
        "referrer_id": row.referrer_id,
        "referred_id": row.referred_id,
        "points": row.points,
        "bonus": row.bonus,
        "status": row.status,
        "card_id": row.card_id,
        "document": row.document,
        "store": row.store_code,
        "business_day": row.business_day.isoformat(),
    }


def _referrer(session: Session, member: Member) -> Member | None:
    """The referring member, following merges (the survivor inherits the referrals)."""
    found = session.get(Member, member.referrer_id) if member.referrer_id else None
    for _ in range(10):
        if found is None or found.merged_into is None:
            return found
        found = session.get(Member, found.merged_into)
    return None


def _wants(settings: LoyaltySettings, trigger: ReferralTrigger) -> bool:
    return any(rule.trigger is trigger for rule in settings.referrals.rules)


def reward_referrer(
    session: Session,
    settings: LoyaltySettings,
    member: Member,
    event: ReferralEvent,
    origin: Origin,
) -> list[dict[str, Any]]:
    """Pay what `event` earns `member`'s referrer under the rules in force; each rule once."""
    if member.referrer_id is None or not _wants(settings, event.trigger):
        return []
    referrer = _referrer(session, member)
    paid = frozenset(
        session.scalars(
            select(ReferralRewardRow.rule_id).where(ReferralRewardRow.referred_id == member.id)
        )
    )
    seen = (
        Referrer(referrer.id, referrer.tier_code, referrer.status == "active")
        if referrer is not None
        else None
    )
    rewards = evaluate_referral(settings.referrals, event, seen, paid)
    return [p for p in (_pay(session, settings, r, event, origin) for r in rewards) if p]


def _reward_card(session: Session, referrer_id: str) -> Card | None:
    """The referrer's first primary card whose accounts are open."""
    return session.scalar(
        select(Card)
        .join(Account, Account.id == Card.account_id)
        .where(
            Card.member_id == referrer_id,
            Card.parent_card_id.is_(None),
            Card.state.in_(_HOLDING),
            Account.closed.is_(False),
        )
        .order_by(Card.issued_at, Card.id)
        .limit(1)
    )


def _pay(
    session: Session,
    settings: LoyaltySettings,
    reward: ReferralReward,
    event: ReferralEvent,
    origin: Origin,
) -> dict[str, Any] | None:
    card = _reward_card(session, reward.referrer_member_id)
    row = ReferralRewardRow(
        key=reward.key,
        rule_id=reward.rule_id,
        trigger=event.trigger.value,
        referrer_id=reward.referrer_member_id,
        referred_id=reward.referred_member_id,
        points=reward.points,
        bonus=reward.bonus,
        status="credited" if card is not None else "unpaid",
        card_id=card.id if card is not None else None,
        account_id=card.account_id if card is not None else None,
        document=origin.document,
        store_code=origin.store,
        business_day=origin.business_day,
    )
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        # A concurrent twin paid this rule for this member first: nothing more to do.
        return None
    if card is not None:
        _credit(session, settings, card, reward, origin)
    return reward_payload(row)


def _credit(
    session: Session, settings: LoyaltySettings, card: Card, reward: ReferralReward, origin: Origin
) -> None:
    account = ledger.lock_account(session, card.account_id)
    booked = Origin(reward.key, origin.business_day, origin.store, origin.till, origin.staff)
    if reward.points > 0:
        lot = new_lot(
            lot_id=new_id(),
            account_id=account.id,
            source=LotSource.REFERRAL,
            points=reward.points,
            earned_on=origin.business_day,
            pending_days=0,  # nothing to return: usable at once
            expiry=settings.earn.expiry,
            ref=reward.key,
        )
        ledger.add_lot(session, lot, origin.store)
        entry = credit_entry(
            lot, PointsEntryKind.REFERRAL, f"referral of {reward.referred_member_id}"
        )
        ledger.post_points(session, account, [entry], booked)
    if reward.bonus > 0:
        bonus = grant_bonus(account.id, reward.bonus, store_id=origin.store or "", ref=reward.key)
        ledger.post_sv(session, account, card.id, bonus, booked)


def after_top_up(
    session: Session, settings: LoyaltySettings, card: Card, amount: int, origin: Origin
) -> list[dict[str, Any]]:
    """A member's first top-up (on any of their accounts) may reward their referrer.

    Call after the top-up's entry is flushed: the first top-up is the only one there.
    """
    if card.member_id is None or not _wants(settings, ReferralTrigger.FIRST_TOP_UP):
        return []
    member = session.get(Member, card.member_id)
    if member is None or member.referrer_id is None:
        return []
    accounts = select(Account.id).where(Account.member_id == member.id)
    top_ups = session.scalar(
        select(func.count(SvEntryRow.id)).where(
            SvEntryRow.account_id.in_(accounts), SvEntryRow.kind == SvEntryKind.TOP_UP.value
        )
    )
    if top_ups != 1:
        return []
    event = ReferralEvent(
        ReferralTrigger.FIRST_TOP_UP, member.id, top_up_amount=amount, first_top_up=True
    )
    return reward_referrer(session, settings, member, event, origin)


def after_upgrade(
    session: Session, settings: LoyaltySettings, member: Member, origin: Origin
) -> list[dict[str, Any]]:
    """The member reached a higher tier (by a sale or at the period-end review)."""
    event = ReferralEvent(ReferralTrigger.UPGRADE, member.id, new_tier=member.tier_code)
    return reward_referrer(session, settings, member, event, origin)


def after_spend(
    session: Session, settings: LoyaltySettings, member: Member, origin: Origin
) -> list[dict[str, Any]]:
    """After a member's sale: their spend since joining may reach a rule's threshold."""
    if member.referrer_id is None or not _wants(settings, ReferralTrigger.SPEND_REACHED):
        return []
    lifetime = member_spend(session, member.id)
    event = ReferralEvent(ReferralTrigger.SPEND_REACHED, member.id, cumulative_spend=lifetime)
    return reward_referrer(session, settings, member, event, origin)


def rewards_of(session: Session, member_id: str) -> dict[str, Any]:
    """Rewards a member earned as referrer, and those their own referral paid."""
    earned = session.scalars(
        select(ReferralRewardRow)
        .where(ReferralRewardRow.referrer_id == member_id)
        .order_by(ReferralRewardRow.created_at, ReferralRewardRow.key)
    )
    paid_for = session.scalars(
        select(ReferralRewardRow)
        .where(ReferralRewardRow.referred_id == member_id)
        .order_by(ReferralRewardRow.created_at, ReferralRewardRow.key)
    )
    return {
        "member_id": member_id,
        "earned": [reward_payload(r) for r in earned],
        "paid_for": [reward_payload(r) for r in paid_for],
    }
