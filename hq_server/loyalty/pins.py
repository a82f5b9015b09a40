"""Card PINs at HQ: set, reset, change and check, with the wrong-try lockout persisted."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from chainpos.db import unit_of_work, utcnow
from hq_server.loyalty.errors import WrongPinTry
from hq_server.loyalty.ledger import find_card, lock_cards
from hq_server.loyalty.models import Card, PinRecord
from hq_server.loyalty.settings import LoyaltySettings
from hq_server.models import AuditEntry
from loyalty import pin as domain_pin
from loyalty.pin import PinState


def _record(session: Session, card_id: str) -> PinRecord:
    record = session.get(PinRecord, card_id)
    if record is None:
        record = PinRecord(card_id=card_id, pin_hash=None, failed_tries=0, locked=False)
        session.add(record)
    return record


def save_state(session: Session, card_id: str, state: PinState) -> None:
    record = _record(session, card_id)
    record.pin_hash = state.pin_hash
    record.failed_tries = state.failed_tries
    record.locked = state.locked
    record.updated_at = utcnow()
    session.flush()


def current_state(session: Session, card_id: str) -> PinState:
    record = session.get(PinRecord, card_id)
    if record is None:
        return PinState()
    return PinState(record.pin_hash, record.failed_tries, record.locked)


def set_pin(session: Session, settings: LoyaltySettings, card: Card, pin: str) -> None:
    """Set or reset (staff, after identity checks) a card's PIN; clears the lockout."""
    save_state(session, card.id, domain_pin.set_pin(pin, settings.pin_hasher))


def change_pin(
    session: Session, settings: LoyaltySettings, card: Card, old_pin: str, new_pin: str
) -> None:
    """Change the PIN with the old one; a wrong old PIN counts as a failed try."""
    check = domain_pin.change_pin(
        current_state(session, card.id), old_pin, new_pin, settings.pin_hasher, settings.pin_policy
    )
    if not check.accepted:
        raise WrongPinTry(card.id, check.tries_left, settings.pin_policy.max_tries)
    save_state(session, card.id, check.state)


def check_pin(session: Session, settings: LoyaltySettings, card: Card, pin: str) -> None:
    """Verify the PIN for a debit; WrongPinTry (recorded after rollback) when it is wrong."""
    check = domain_pin.verify_pin(
        current_state(session, card.id), pin, settings.pin_hasher, settings.pin_policy
    )
    if not check.accepted:
        raise WrongPinTry(card.id, check.tries_left, settings.pin_policy.max_tries)
    if check.state != current_state(session, card.id):
        save_state(session, card.id, check.state)


def record_failed_try(factory: sessionmaker[Session], refused: WrongPinTry) -> None:
    """Count a wrong try in its own transaction: the refused use case rolled back."""
    with unit_of_work(factory) as session:
        lock_cards(session, [refused.card_id])
        state = current_state(session, refused.card_id)
        failed = state.failed_tries + 1
        save_state(
            session,
            refused.card_id,
            PinState(state.pin_hash, failed, state.locked or failed >= refused.max_tries),
        )


def set_card_pin(
    session: Session, settings: LoyaltySettings, number: str, pin: str, staff: str | None
) -> dict[str, str]:
    """Staff set or reset a card's PIN after checking the member's identity (audited)."""
    card = find_card(session, number=number, lock=True)
    set_pin(session, settings, card, pin)
    session.add(AuditEntry(staff_code=staff, action="loyalty.pin.reset", detail=card.number))
    return {"card": card.number, "pin": "set"}


def change_card_pin(
    session: Session, settings: LoyaltySettings, number: str, old_pin: str, new_pin: str
) -> dict[str, str]:
    """The member changes their PIN with the old one."""
    card = find_card(session, number=number, lock=True)
    change_pin(session, settings, card, old_pin, new_pin)
    return {"card": card.number, "pin": "changed"}
