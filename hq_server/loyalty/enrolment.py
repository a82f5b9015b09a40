"""Enrolment at HQ: a registered member without a card earns one under the rules in force.

Three ways in, all recorded in `loyalty_enrolments` (one row per member) with the rule
and the document that qualified:

- **at a sale**: HQ takes a sale document whose `member` names a member but no card (the
  till identified them by mobile). The sale's spend is recorded (`loyalty_member_spend`)
  and, if a free spend rule is now satisfied (cumulative or single purchase), a virtual
  card is issued and activated in the same transaction;
- **at the counter**: staff issue a card against a purchase document and the fee taken
  (`POST /cards` with `purchase_document` and `fee_paid`); the rule must qualify and the
  fee must be exactly the winning rule's;
- **by referral**: registering with a referrer whose tier a referral rule accepts.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from chainpos.errors import AppError, Conflict
from hq_server.loyalty import cards, referrals, spend, tiers
from hq_server.loyalty.errors import UnknownDocument, UnknownMember
from hq_server.loyalty.models import Card, Enrolment, Member, MemberSpendRow
from hq_server.loyalty.origin import Origin
from hq_server.loyalty.settings import LoyaltySettings
from hq_server.models import AuditEntry, Sale
from loyalty.enrolment import (
    EnrolmentDecision,
    EnrolmentFacts,
    enrolment_at_counter,
    enrolment_at_sale,
)
from loyalty.errors import LoyaltyError
from retail.documents import Document

log = logging.getLogger(__name__)


class MemberHasCard(Conflict):
    code = "member_has_card"


class PurchaseAlreadyUsed(Conflict):
    code = "purchase_already_used"


class PurchaseOfAnotherMember(Conflict):
    code = "purchase_of_another_member"


def enrolment_payload(row: Enrolment) -> dict[str, Any]:
    return {
        "member_id": row.member_id,
        "card_id": row.card_id,
        "rule": row.rule,
        "threshold": row.threshold,
        "fee": row.fee,
        "spend": row.spend,
        "document": row.document,
        "referrer_id": row.referrer_id,
        "store": row.store_code,
        "business_day": row.business_day.isoformat(),
    }


def has_card(session: Session, member_id: str) -> bool:
    """Whether the member holds or ever held a card (a cancelled card was a choice)."""
    return session.scalar(select(Card.id).where(Card.member_id == member_id).limit(1)) is not None


def _lock_member(session: Session, member_id: str) -> Member | None:
    """The member row, locked, following merges to the survivor."""
    member = session.get(Member, member_id, with_for_update=True)
    for _ in range(10):
        if member is None or member.merged_into is None:
            return member
        member = session.get(Member, member.merged_into, with_for_update=True)
    return None


def _enrol(
    session: Session,
    settings: LoyaltySettings,
    member: Member,
    decision: EnrolmentDecision,
    origin: Origin,
    *,
    spent: int,
    card: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Issue the card (a virtual one unless given) and record why."""
    assert decision.rule is not None
    if card is None:
        card = cards.issue_card(
            session, settings, medium="virtual", member_id=member.id, activate=True
        )
    row = Enrolment(
        member_id=member.id,
        card_id=card["card_id"],
        rule=decision.rule.kind.value,
        threshold=decision.rule.threshold,
        fee=decision.fee,
        spend=spent,
        document=origin.document,
        referrer_id=member.referrer_id,
        store_code=origin.store,
        staff_code=origin.staff,
        business_day=origin.business_day,
    )
    session.add(row)
    session.add(
        AuditEntry(
            staff_code=origin.staff,
            action="loyalty.member.enrol",
            detail=(
                f"member {member.id}: card {card['number']} under {row.rule} "
                f"({origin.document}, fee {row.fee} fen)"
            ),
        )
    )
    session.flush()
    return {**card, "enrolment": enrolment_payload(row)}


# --- at a sale ------------------------------------------------------------------------------


def _member_sale(doc: Document) -> tuple[str, int] | None:
    """(member id, spend) of a sale made by a member identified without a card."""
    member = doc.body.get("member")
    if not isinstance(member, dict) or member.get("card") or not member.get("member_id"):
        return None
    try:
        lines = member.get("earn_lines")
        if isinstance(lines, list) and lines:
            amount = sum(int(line["amount"]) for line in lines)
        else:
            amount = int(doc.body["total"])
    except (KeyError, TypeError, ValueError):
        return None
    return str(member["member_id"]), amount


def note_member_sale(
    session: Session, settings: LoyaltySettings, doc: Document
) -> dict[str, Any] | None:
    """A sale of a member without a card on it: spend, tier, referral and enrolment.

    Never refuses the sale (it happened): a member HQ does not know is ignored. Returns
    the card issued, if the sale earned one.
    """
    found = _member_sale(doc)
    if found is None or found[1] <= 0:
        return None
    member = _lock_member(session, found[0])
    if member is None or member.status != "active":
        return None
    amount = found[1]
    origin = Origin(
        doc.id,
        date.fromisoformat(doc.business_day),
        doc.origin_store,
        doc.origin_till,
        str(doc.body.get("cashier") or "") or None,
    )
    prior = spend.member_spend(session, member.id)
    tiers.upgrade_for_sale(session, settings, member, origin, amount)
    session.add(
        MemberSpendRow(
            document=doc.id,
            member_id=member.id,
            store_code=doc.origin_store,
            business_day=origin.business_day,
            amount=amount,
        )
    )
    session.flush()
    referrals.after_spend(session, settings, member, origin)
    if has_card(session, member.id) or session.get(Enrolment, member.id) is not None:
        return None
    decision = enrolment_at_sale(
        settings.enrolment, EnrolmentFacts(prior_spend=prior, purchase=amount)
    )
    if not decision.eligible:
        return None
    return _enrol(session, settings, member, decision, origin, spent=prior + amount)


def note_member_sales(
    session: Session, settings: LoyaltySettings, docs: Sequence[Document]
) -> None:
    """`note_member_sale` for the sales of a batch, in their order.

    A loyalty refusal (say, a member on a tier the ladder no longer has) must not refuse
    the sale, which happened: that sale's loyalty part is rolled back and logged.
    """
    for doc in docs:
        if doc.type != "sale" or _member_sale(doc) is None:
            continue
        try:
            with session.begin_nested():
                note_member_sale(session, settings, doc)
        except (LoyaltyError, AppError) as err:
            log.warning("member sale %s: loyalty not applied: %s", doc.id, err)


# --- at the counter -------------------------------------------------------------------------


def issue_for_purchase(
    session: Session,
    settings: LoyaltySettings,
    origin: Origin,
    *,
    member_id: str | None,
    purchase_document: str,
    fee_paid: int,
    medium: str,
    number: str | None = None,
    uid: str | None = None,
    activate: bool = False,
) -> dict[str, Any]:
    """Issue a member's first card against a purchase and the fee taken; refuse otherwise."""
    if member_id is None:
        raise UnknownMember(
            "a card issued against a purchase is for a registered member",
            {"member_id": "required with purchase_document"},
        )
    member = _lock_member(session, member_id)
    if member is None or member.status != "active":
        raise UnknownMember(f"unknown member {member_id}", {"member_id": "unknown"})
    if has_card(session, member.id) or session.get(Enrolment, member.id) is not None:
        raise MemberHasCard(
            "the member already has a card; enrolment rules give a first card",
            {"member_id": "has a card"},
        )
    if session.scalar(select(Enrolment.member_id).where(Enrolment.document == purchase_document)):
        raise PurchaseAlreadyUsed(
            f"purchase {purchase_document} already earned a card",
            {"purchase_document": "already used"},
        )
    sale = session.get(Sale, purchase_document)
    if sale is None:
        raise UnknownDocument(
            f"HQ has no sale {purchase_document} (yet: the store may not have sent it)",
            {"purchase_document": "unknown"},
        )
    own = session.get(MemberSpendRow, purchase_document)
    if own is not None and own.member_id != member.id:
        raise PurchaseOfAnotherMember(
            f"purchase {purchase_document} was another member's",
            {"purchase_document": "another member's"},
        )
    purchase = own.amount if own is not None else sale.total
    prior = spend.member_spend(session, member.id) - (own.amount if own is not None else 0)
    decision = enrolment_at_counter(
        settings.enrolment, EnrolmentFacts(prior_spend=prior, purchase=purchase), fee_paid
    )
    card = cards.issue_card(
        session,
        settings,
        medium=medium,
        member_id=member.id,
        number=number,
        uid=uid,
        activate=activate,
    )
    at_sale = Origin(
        purchase_document, origin.business_day, sale.store_code, sale.till_code, origin.staff
    )
    return _enrol(session, settings, member, decision, at_sale, spent=prior + purchase, card=card)


# --- by referral ----------------------------------------------------------------------------


def enrol_referred(
    session: Session,
    settings: LoyaltySettings,
    member: Member,
    decision: EnrolmentDecision | None,
    today: date,
) -> dict[str, Any] | None:
    """The card a referral earns a newly registered member (a rule with a fee waits)."""
    if decision is None or not decision.eligible or decision.fee > 0:
        return None
    origin = Origin(f"referral:{member.id}", today)
    return _enrol(session, settings, member, decision, origin, spent=0)


def enrolment_of(session: Session, member_id: str) -> dict[str, Any] | None:
    row = session.get(Enrolment, member_id)
    return enrolment_payload(row) if row is not None else None


def apply_member_sales(session: Session, docs: Sequence[Document]) -> None:
    """HQ's ingestion hook: sales of members without a card, under the rules in force."""
    note_member_sales(session, LoyaltySettings.from_env(), docs)
