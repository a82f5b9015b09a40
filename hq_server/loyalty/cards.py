"""Card use cases at HQ: issue, activate, report lost, unfreeze, replace, cancel.

A card that becomes hot-listed (frozen, replaced, cancelled) is published on the change
feed as entity `hot_card` in the same transaction, and a card leaving the hot list is
published again with `hot: false`, so every store learns both within one feed pull.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from chainpos.db import utcnow
from chainpos.ids import new_id
from chainpos.sync.feed import ChangeItem, publish
from hq_server.loyalty import ledger
from hq_server.loyalty.errors import CardTaken, UnknownCard, UnknownMember
from hq_server.loyalty.models import Account, Card, Counter, Member
from hq_server.loyalty.origin import Origin
from hq_server.loyalty.pins import current_state, save_state
from hq_server.loyalty.settings import LoyaltySettings
from hq_server.models import SYNC, AuditEntry
from loyalty import cards as domain
from loyalty.cards import CardEvent, CardMedium, CardState
from loyalty.stored_value import cancel_balance


def card_payload(card: Card) -> dict[str, Any]:
    return {
        "card_id": card.id,
        "number": card.number,
        "uid": card.uid,
        "medium": card.medium,
        "state": card.state,
        "member_id": card.member_id,
        "account_id": card.account_id,
        "parent_card": card.parent_card_id,
        "replaced_by": card.replaced_by,
    }


def hot_card_change(card: Card) -> ChangeItem:
    """The feed row for a card's hot-list status, keyed by its printed number."""
    entry = domain.hot_list_entry(ledger.to_domain(card))
    payload: dict[str, Any] = {
        "card_id": card.id,
        "number": card.number,
        "uid": card.uid,
        "state": card.state,
        "hot": entry is not None,
    }
    return ChangeItem("hot_card", card.number, payload)


def next_card_number(session: Session, settings: LoyaltySettings) -> str:
    counter = session.get(Counter, "card_serial", with_for_update=True)
    if counter is None:
        counter = Counter(name="card_serial", value=0)
        session.add(counter)
    counter.value += 1
    session.flush()
    return domain.make_card_number(settings.card_prefix, counter.value)


def _check_free(session: Session, number: str, uid: str | None) -> None:
    if session.scalar(select(Card.id).where(Card.number == number)) is not None:
        raise CardTaken(f"card number {number} is already issued", {"number": "taken"})
    if uid and session.scalar(select(Card.id).where(Card.uid == uid)) is not None:
        raise CardTaken(f"IC card {uid} is already issued", {"uid": "taken"})


def issue_card(
    session: Session,
    settings: LoyaltySettings,
    *,
    medium: str,
    member_id: str | None = None,
    number: str | None = None,
    uid: str | None = None,
    parent_number: str | None = None,
    activate: bool = False,
) -> dict[str, Any]:
    """Issue a card: a primary card opens an account set, a child card shares its parent's."""
    kind = CardMedium(medium)
    clean_uid = domain.normalise_card_uid(uid) if uid else None
    if kind is CardMedium.IC and clean_uid is None:
        raise _uid_required()
    clean_number = ledger.card_number(number) if number else next_card_number(session, settings)
    _check_free(session, clean_number, clean_uid)
    if member_id is not None:
        member = session.get(Member, member_id)
        if member is None or member.status != "active":
            raise UnknownMember(f"unknown member {member_id}", {"member_id": "unknown"})
    card_id = new_id()
    if parent_number is not None:
        parent = ledger.find_card(session, number=parent_number, lock=True)
        child = domain.supplementary_card(
            ledger.to_domain(parent), card_id, clean_number, kind, clean_uid
        )
        account_id, member_id = child.account_id, parent.member_id
        parent_id: str | None = parent.id
    else:
        account_id, parent_id = new_id(), None
        session.add(
            Account(
                id=account_id,
                member_id=member_id,
                sv_principal=0,
                sv_bonus=0,
                points=0,
                closed=False,
            )
        )
    card = Card(
        id=card_id,
        number=clean_number,
        uid=clean_uid,
        medium=kind.value,
        state=CardState.ISSUED.value,
        member_id=member_id,
        account_id=account_id,
        parent_card_id=parent_id,
    )
    session.add(card)
    session.flush()
    if activate:
        _transition(session, card, CardEvent.ACTIVATE)
    return card_payload(card)


def _uid_required() -> Exception:
    return domain.InvalidCardUid("an IC card needs its UID", "uid")


def _transition(session: Session, card: Card, event: CardEvent) -> None:
    was_hot = domain.hot_list_entry(ledger.to_domain(card)) is not None
    card.state = domain.apply_event(ledger.to_domain(card), event).state.value
    card.updated_at = utcnow()
    session.flush()
    if was_hot != (domain.hot_list_entry(ledger.to_domain(card)) is not None):
        publish(session, SYNC, [hot_card_change(card)])


def change_state(session: Session, number: str, event: CardEvent) -> dict[str, Any]:
    """Activate, report lost (freeze: hot-listed) or unfreeze (off the hot list)."""
    card = ledger.find_card(session, number=number, lock=True)
    _transition(session, card, event)
    return card_payload(card)


def replace_card(
    session: Session,
    settings: LoyaltySettings,
    number: str,
    *,
    medium: str | None = None,
    new_number: str | None = None,
    uid: str | None = None,
) -> dict[str, Any]:
    """Swap a lost or damaged card: the new card takes the accounts, PIN and children."""
    old = ledger.find_card(session, number=number, lock=True)
    clean_uid = domain.normalise_card_uid(uid) if uid else None
    kind = CardMedium(medium) if medium else CardMedium(old.medium)
    if kind is CardMedium.IC and clean_uid is None:
        raise _uid_required()
    clean_number = (
        ledger.card_number(new_number) if new_number else next_card_number(session, settings)
    )
    _check_free(session, clean_number, clean_uid)
    children = list(session.scalars(select(Card).where(Card.parent_card_id == old.id)))
    swap = domain.replace_card(
        ledger.to_domain(old, current_state(session, old.id)),
        new_id(),
        clean_number,
        kind,
        clean_uid,
        [ledger.to_domain(c) for c in children],
    )
    old.state, old.replaced_by, old.updated_at = swap.old.state.value, swap.new.card_id, utcnow()
    card = Card(
        id=swap.new.card_id,
        number=swap.new.number,
        uid=swap.new.uid,
        medium=swap.new.medium.value,
        state=swap.new.state.value,
        member_id=swap.new.member_id,
        account_id=swap.new.account_id,
        parent_card_id=swap.new.parent_card_id,
    )
    session.add(card)
    session.flush()
    save_state(session, card.id, swap.new.pin)
    for child in children:
        if child.id in swap.children_to_repoint:
            child.parent_card_id = card.id
    publish(session, SYNC, [hot_card_change(old)])
    return {"old": card_payload(old), "new": card_payload(card)}


def cancel_card(session: Session, number: str, origin: Origin) -> dict[str, Any]:
    """Cancel a card: a primary card closes its accounts, refunds principal, forfeits bonus."""
    found = ledger.find_card(session, number=number)
    children = list(session.scalars(select(Card).where(Card.parent_card_id == found.id)))
    locked = ledger.lock_cards(session, [found.id, *(c.id for c in children)])
    card = locked[found.id]
    outcome = domain.cancel_card(ledger.to_domain(card), [ledger.to_domain(c) for c in children])
    changed = [card]
    card.state = outcome.card.state.value
    for child in outcome.children:
        locked[child.card_id].state = child.state.value
        changed.append(locked[child.card_id])
    refund_due = forfeited = 0
    if outcome.closes_accounts:
        account = ledger.lock_account(session, card.account_id)
        settled = cancel_balance(
            outcome.card,
            ledger.sv_balance(account),
            store_id=origin.store or "",
            ref=origin.document,
        )
        for entry in settled.entries:
            ledger.post_sv(session, account, card.id, entry, origin)
        account.closed = True
        refund_due, forfeited = settled.refund_due, settled.bonus_forfeited
    session.add(
        AuditEntry(
            staff_code=origin.staff,
            action="loyalty.card.cancel",
            detail=f"card {card.number}: refund {refund_due} fen, bonus forfeited {forfeited} fen",
        )
    )
    session.flush()
    publish(session, SYNC, [hot_card_change(c) for c in changed])
    return {
        "card": card_payload(card),
        "refund_due": refund_due,
        "bonus_forfeited": forfeited,
        "cancelled_children": [c.number for c in changed[1:]],
    }


def card_details(session: Session, number: str) -> dict[str, Any]:
    card = ledger.find_card(session, number=number)
    account = session.get(Account, card.account_id)
    if account is None:
        raise UnknownCard(f"card {number} has no account", {"card": "no account"})
    pin = current_state(session, card.id)
    return {
        **card_payload(card),
        "balance": ledger.balance_payload(account),
        "pin": {
            "set": pin.pin_hash is not None,
            "locked": pin.locked,
            "failed_tries": pin.failed_tries,
        },
    }
