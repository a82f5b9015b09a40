"""Member cards: numbers with a Luhn check digit, IC UIDs, the lifecycle state machine.

A card points at an account set (`account_id`: one points account and one stored-value
account). A supplementary (child) card carries its parent's `account_id`, so it earns and
spends on the parent's accounts. Replacing a card hands the same `account_id` to the new
card: balance, points and history move without a single ledger entry.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from enum import Enum
from typing import Any

from loyalty.errors import (
    CardFrozen,
    CardNotActive,
    InvalidCardNumber,
    InvalidCardTransition,
    InvalidCardUid,
)
from loyalty.pin import PinState

_UID = re.compile(r"(?:[0-9A-F]{2}){4}|(?:[0-9A-F]{2}){7}|(?:[0-9A-F]{2}){10}")
CARD_NUMBER_LENGTHS = range(12, 20)


def luhn_check_digit(body: str) -> int:
    """The Luhn (ISO/IEC 7812) check digit for a string of digits."""
    if not body.isdigit():
        raise InvalidCardNumber(f"card number must be digits only: {body!r}")
    total = 0
    for position, char in enumerate(reversed(body)):
        digit = int(char)
        if position % 2 == 0:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return (10 - total % 10) % 10


def make_card_number(prefix: str, serial: int, length: int = 16) -> str:
    """Printed card number: chain prefix + zero-padded serial + Luhn digit."""
    body_length = length - 1
    body = f"{prefix}{serial:0{body_length - len(prefix)}d}"
    if length not in CARD_NUMBER_LENGTHS or len(body) != body_length or serial < 0:
        raise InvalidCardNumber(f"serial {serial} does not fit a {length}-digit card number")
    return body + str(luhn_check_digit(body))


def normalise_card_number(raw: str) -> str:
    """Strip spaces/dashes and check length and Luhn digit; raise InvalidCardNumber."""
    text = re.sub(r"[\s\-]", "", raw)
    if not text.isdigit() or len(text) not in CARD_NUMBER_LENGTHS:
        raise InvalidCardNumber(f"card number must be 12 to 19 digits: {raw!r}")
    if luhn_check_digit(text[:-1]) != int(text[-1]):
        raise InvalidCardNumber(f"card number check digit is wrong: {raw!r}")
    return text


def normalise_card_uid(raw: str) -> str:
    """An IC card UID as upper-case hex of 4, 7 or 10 bytes (ISO 14443 single/double/triple)."""
    text = re.sub(r"[\s:\-]", "", raw).upper()
    if not _UID.fullmatch(text):
        raise InvalidCardUid(f"IC card UID must be 4, 7 or 10 bytes of hex: {raw!r}")
    return text


class CardMedium(Enum):
    """How the card is presented at the till."""

    IC = "ic"  # contactless IC card: read by UID, also carries a printed number
    PRINTED = "printed"  # magnetic/barcode card identified by its printed number
    VIRTUAL = "virtual"  # phone number or QR in the member app


class CardState(Enum):
    """Lifecycle states; REPLACED and CANCELLED are final."""

    ISSUED = "issued"
    ACTIVE = "active"
    FROZEN = "frozen"
    REPLACED = "replaced"
    CANCELLED = "cancelled"


class CardEvent(Enum):
    """What can happen to a card."""

    ACTIVATE = "activate"
    FREEZE = "freeze"  # reported lost: goes on the hot list
    UNFREEZE = "unfreeze"
    REPLACE = "replace"
    CANCEL = "cancel"


_TRANSITIONS: dict[tuple[CardState, CardEvent], CardState] = {
    (CardState.ISSUED, CardEvent.ACTIVATE): CardState.ACTIVE,
    (CardState.ISSUED, CardEvent.CANCEL): CardState.CANCELLED,
    (CardState.ACTIVE, CardEvent.FREEZE): CardState.FROZEN,
    (CardState.ACTIVE, CardEvent.REPLACE): CardState.REPLACED,
    (CardState.ACTIVE, CardEvent.CANCEL): CardState.CANCELLED,
    (CardState.FROZEN, CardEvent.UNFREEZE): CardState.ACTIVE,
    (CardState.FROZEN, CardEvent.REPLACE): CardState.REPLACED,
    (CardState.FROZEN, CardEvent.CANCEL): CardState.CANCELLED,
}


def next_state(state: CardState, event: CardEvent) -> CardState:
    """The state after `event`, or InvalidCardTransition."""
    try:
        return _TRANSITIONS[(state, event)]
    except KeyError:
        raise InvalidCardTransition(f"cannot {event.value} a card that is {state.value}") from None


@dataclass(frozen=True, slots=True)
class Card:
    """A card as the rules see it. `member_id` None means an anonymous (bearer) card."""

    card_id: str
    number: str
    medium: CardMedium
    account_id: str
    state: CardState = CardState.ISSUED
    member_id: str | None = None
    uid: str | None = None
    parent_card_id: str | None = None
    replaced_by: str | None = None
    pin: PinState = field(default_factory=PinState)

    @property
    def registered(self) -> bool:
        """A card bound to a named member (higher stored-value cap)."""
        return self.member_id is not None

    @property
    def is_supplementary(self) -> bool:
        return self.parent_card_id is not None

    @property
    def hot_listed(self) -> bool:
        """Stores must refuse this card: lost, or dead after replacement/cancellation."""
        return self.state in (CardState.FROZEN, CardState.REPLACED, CardState.CANCELLED)


def apply_event(card: Card, event: CardEvent) -> Card:
    """The card after a lifecycle event other than REPLACE (use `replace_card`)."""
    if event is CardEvent.REPLACE:
        raise InvalidCardTransition("use replace_card to replace a card", "event")
    return replace(card, state=next_state(card.state, event))


def supplementary_card(
    parent: Card, card_id: str, number: str, medium: CardMedium, uid: str | None = None
) -> Card:
    """A child card on the parent's accounts, issued to the same member."""
    if parent.is_supplementary:
        raise InvalidCardTransition("a supplementary card cannot have its own children", "parent")
    if parent.state is not CardState.ACTIVE:
        raise CardNotActive("supplementary cards hang only off an active card", "parent")
    return Card(
        card_id=card_id,
        number=number,
        medium=medium,
        account_id=parent.account_id,
        member_id=parent.member_id,
        uid=uid,
        parent_card_id=parent.card_id,
    )


@dataclass(frozen=True, slots=True)
class Replacement:
    """The old card (REPLACED, dead) and its successor (ACTIVE, same accounts)."""

    old: Card
    new: Card
    children_to_repoint: tuple[str, ...]


def replace_card(
    old: Card,
    new_card_id: str,
    new_number: str,
    medium: CardMedium | None = None,
    uid: str | None = None,
    children: Iterable[Card] = (),
) -> Replacement:
    """Swap a lost/damaged card: the new card takes over accounts, PIN and children."""
    state = next_state(old.state, CardEvent.REPLACE)
    new = Card(
        card_id=new_card_id,
        number=new_number,
        medium=medium or old.medium,
        account_id=old.account_id,
        state=CardState.ACTIVE,
        member_id=old.member_id,
        uid=uid,
        parent_card_id=old.parent_card_id,
        pin=old.pin,
    )
    return Replacement(
        old=replace(old, state=state, replaced_by=new_card_id),
        new=new,
        children_to_repoint=tuple(c.card_id for c in children if c.parent_card_id == old.card_id),
    )


@dataclass(frozen=True, slots=True)
class Cancellation:
    """A cancelled card and the children cancelled with it (they lose their accounts)."""

    card: Card
    children: tuple[Card, ...]
    closes_accounts: bool


def cancel_card(card: Card, children: Iterable[Card] = ()) -> Cancellation:
    """Cancel a card; a primary card takes its children and accounts with it.

    Refunding principal and forfeiting bonus is `stored_value.cancel_balance`.
    """
    cancelled = apply_event(card, CardEvent.CANCEL)
    if card.is_supplementary:
        return Cancellation(cancelled, (), closes_accounts=False)
    dependants = tuple(
        replace(child, state=CardState.CANCELLED)
        for child in children
        if child.parent_card_id == card.card_id
        and child.state is not CardState.CANCELLED
        and child.state is not CardState.REPLACED
    )
    return Cancellation(cancelled, dependants, closes_accounts=True)


def ensure_usable(card: Card) -> None:
    """Raise CardFrozen / CardNotActive unless the card may transact now."""
    if card.state is CardState.FROZEN:
        raise CardFrozen(f"card {card.number} is reported lost and frozen")
    if card.state is not CardState.ACTIVE:
        raise CardNotActive(f"card {card.number} is {card.state.value}")


def family_card_ids(primary: Card, cards: Iterable[Card]) -> tuple[str, ...]:
    """The primary card and its supplementary cards: whose spend counts toward the tier."""
    return (primary.card_id, *(c.card_id for c in cards if c.parent_card_id == primary.card_id))


@dataclass(frozen=True, slots=True)
class HotListEntry:
    """A card stores must refuse, as it travels down the change feed."""

    card_id: str
    number: str
    uid: str | None
    state: CardState

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> HotListEntry:
        return cls(
            str(data["card_id"]), str(data["number"]), data.get("uid"), CardState(data["state"])
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "card_id": self.card_id,
            "number": self.number,
            "uid": self.uid,
            "state": self.state.value,
        }


def hot_list_entry(card: Card) -> HotListEntry | None:
    """The hot-list row for a card, or None while it is usable or not yet activated."""
    if not card.hot_listed:
        return None
    return HotListEntry(card.card_id, card.number, card.uid, card.state)
