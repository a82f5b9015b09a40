"""Member use cases at HQ: register, find (mobile, card, QR), duplicates and merge.

The member QR code carries `M:<member id>`. It identifies like a card number does and
authorises nothing: debits above the PIN threshold still need the member's PIN.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from chainpos.ids import new_id
from hq_server.loyalty import enrolment, ledger
from hq_server.loyalty.cards import card_payload
from hq_server.loyalty.errors import DuplicateMember, UnknownMember
from hq_server.loyalty.models import Account, Card, Member
from hq_server.loyalty.settings import LoyaltySettings
from hq_server.models import AuditEntry
from hq_server.promotions.usage import member_uses
from loyalty import members as domain
from loyalty.enrolment import enrolment_by_referral
from loyalty.members import Gender, MemberProfile, MemberStatus, SourceChannel

QR_PREFIX = "M:"


def member_qr(member_id: str) -> str:
    return f"{QR_PREFIX}{member_id}"


def _profile(member: Member) -> MemberProfile:
    return MemberProfile(
        member_id=member.id,
        mobile=member.mobile,
        name=member.name,
        birthday=member.birthday,
        gender=Gender(member.gender),
        email=member.email,
        source_channel=SourceChannel(member.source_channel),
        marketing_consent=member.marketing_consent,
        referrer_id=member.referrer_id,
        enrolled_on=member.enrolled_on,
        status=MemberStatus(member.status),
        merged_into=member.merged_into,
    )


def member_payload(member: Member, *, masked: bool = False) -> dict[str, Any]:
    return {
        "member_id": member.id,
        "mobile": domain.mask_mobile(member.mobile) if masked else member.mobile,
        "name": member.name,
        "birthday": member.birthday.isoformat() if member.birthday else None,
        "gender": member.gender,
        "email": None if masked else member.email,
        "source_channel": member.source_channel,
        "marketing_consent": member.marketing_consent,
        "tier": member.tier_code,
        "status": member.status,
        "merged_into": member.merged_into,
        "enrolled_on": member.enrolled_on.isoformat(),
        "qr": member_qr(member.id),
    }


def _candidates(session: Session, profile: MemberProfile) -> list[MemberProfile]:
    clauses = [Member.mobile == profile.mobile]
    if profile.birthday is not None:
        clauses.append(Member.birthday == profile.birthday)
    rows = session.scalars(select(Member).where(or_(*clauses), Member.status == "active"))
    return [_profile(m) for m in rows]


def _duplicates(session: Session, profile: MemberProfile) -> list[dict[str, str]]:
    return [
        {"member_id": m.member_id, "reason": m.reason.value}
        for m in domain.find_duplicates(profile, _candidates(session, profile))
    ]


def register(
    session: Session,
    settings: LoyaltySettings,
    *,
    mobile: str,
    name: str,
    today: date,
    birthday: date | None = None,
    gender: str = "unspecified",
    email: str | None = None,
    source_channel: str = "store",
    marketing_consent: bool = False,
    referrer_id: str | None = None,
) -> dict[str, Any]:
    """Enrol a member; the mobile is unique, a same name and birthday is only reported."""
    profile = domain.new_member_profile(
        new_id(),
        mobile,
        name,
        today=today,
        birthday=birthday,
        gender=Gender(gender),
        email=email,
        source_channel=SourceChannel(source_channel),
        marketing_consent=marketing_consent,
        referrer_id=referrer_id,
    )
    taken = session.scalar(select(Member).where(Member.mobile == profile.mobile))
    if taken is not None:
        raise DuplicateMember(
            f"mobile {domain.mask_mobile(profile.mobile)} is already registered",
            {"mobile": "already registered", "member_id": taken.id},
        )
    decision = None
    if referrer_id is not None:
        referrer = _referrer(session, referrer_id)
        # Refused before anything is written: the referral rules name the tiers that refer.
        decision = enrolment_by_referral(settings.enrolment, referrer.tier_code)
        profile = replace(profile, referrer_id=referrer.id)
    possible = _duplicates(session, profile)
    member = Member(
        id=profile.member_id,
        mobile=profile.mobile,
        name=profile.name,
        birthday=profile.birthday,
        gender=profile.gender.value,
        email=profile.email,
        source_channel=profile.source_channel.value,
        marketing_consent=profile.marketing_consent,
        referrer_id=profile.referrer_id,
        enrolled_on=today,
        tier_code=settings.ladder.tiers[0].code,
        status="active",
    )
    session.add(member)
    session.flush()
    card = enrolment.enrol_referred(session, settings, member, decision, today)
    return {
        **member_payload(member),
        "possible_duplicates": possible,
        "card": {k: v for k, v in card.items() if k != "enrolment"} if card else None,
        "enrolment": card["enrolment"] if card else None,
    }


def _referrer(session: Session, referrer_id: str) -> Member:
    """The referring member, active (an absorbed record refers as its survivor)."""
    try:
        return _resolve(session, session.get(Member, referrer_id))
    except UnknownMember:
        raise UnknownMember(f"unknown referrer {referrer_id}", {"referrer_id": "unknown"}) from None


def _resolve(session: Session, member: Member | None) -> Member:
    """Follow `merged_into`, so old member ids in documents still resolve."""
    for _ in range(10):
        if member is None:
            break
        if member.merged_into is None:
            return member
        member = session.get(Member, member.merged_into)
    raise UnknownMember("unknown member", {"member": "unknown"})


def get_member(session: Session, member_id: str) -> Member:
    return _resolve(session, session.get(Member, member_id))


def find(
    session: Session,
    *,
    mobile: str | None = None,
    card: str | None = None,
    uid: str | None = None,
    qr: str | None = None,
    masked: bool = False,
) -> dict[str, Any]:
    """A member and their cards by mobile, card number, IC UID or member QR."""
    member: Member | None
    found_card: Card | None = None
    if mobile:
        member = session.scalar(
            select(Member).where(Member.mobile == domain.normalise_mobile(mobile))
        )
    elif card or uid:
        found_card = ledger.find_card(session, number=card, uid=uid)
        if found_card.member_id is None:
            return {"member": None, "cards": [_card_for(session, found_card, masked)]}
        member = session.get(Member, found_card.member_id)
    elif qr and qr.startswith(QR_PREFIX):
        member = session.get(Member, qr[len(QR_PREFIX) :])
    else:
        raise UnknownMember("give a mobile, card, uid or member QR", {"query": "missing"})
    resolved = _resolve(session, member)
    cards = session.scalars(select(Card).where(Card.member_id == resolved.id).order_by(Card.id))
    return {
        "member": member_payload(resolved, masked=masked),
        "cards": [_card_for(session, c, masked) for c in cards],
        # For pricing member-limited promotions at the till (quantity limits across sales).
        "promotion_uses": member_uses(session, resolved.id),
    }


def _card_for(session: Session, card: Card, with_balance: bool) -> dict[str, Any]:
    """A card; for a store (masked lookups) with its balances, shown at the till."""
    payload = card_payload(card)
    if with_balance:
        account = session.get(Account, card.account_id)
        if account is not None:
            payload["balance"] = ledger.balance_payload(account)
    return payload


def duplicates_of(session: Session, member_id: str) -> list[dict[str, str]]:
    return _duplicates(session, _profile(get_member(session, member_id)))


def merge(
    session: Session,
    settings: LoyaltySettings,
    survivor_id: str,
    absorbed_id: str,
    staff: str | None,
) -> dict[str, Any]:
    """Fold `absorbed` into `survivor`: cards (and so accounts and history) move; audited."""
    ids = sorted({survivor_id, absorbed_id})
    rows = {
        m.id: m
        for m in session.scalars(
            select(Member).where(Member.id.in_(ids)).order_by(Member.id).with_for_update()
        )
    }
    survivor, absorbed = rows.get(survivor_id), rows.get(absorbed_id)
    if survivor is None or absorbed is None:
        raise UnknownMember("both members must exist", {"member_id": "unknown"})
    cards = list(session.scalars(select(Card).where(Card.member_id == absorbed.id)))
    ladder = settings.ladder
    plan = domain.plan_merge(
        domain.MemberRecord(_profile(survivor), ladder.rank(survivor.tier_code)),
        domain.MemberRecord(
            _profile(absorbed), ladder.rank(absorbed.tier_code), tuple(c.id for c in cards)
        ),
    )
    merged = plan.survivor_profile
    survivor.birthday, survivor.gender = merged.birthday, merged.gender.value
    survivor.email, survivor.referrer_id = merged.email, merged.referrer_id
    survivor.marketing_consent = merged.marketing_consent
    survivor.enrolled_on = merged.enrolled_on or survivor.enrolled_on
    survivor.tier_code = ladder.tiers[plan.tier_rank].code
    absorbed.status, absorbed.merged_into = MemberStatus.MERGED.value, survivor.id
    for card in cards:
        card.member_id = survivor.id
    for account in session.scalars(select(Account).where(Account.member_id == absorbed.id)):
        account.member_id = survivor.id
    session.add(
        AuditEntry(
            staff_code=staff,
            action="loyalty.member.merge",
            detail=f"{absorbed.id} merged into {survivor.id}; cards {list(plan.cards_to_move)}",
        )
    )
    session.flush()
    return {
        **member_payload(survivor),
        "absorbed": absorbed.id,
        "cards_moved": [c.number for c in cards],
    }
