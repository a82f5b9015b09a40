"""The ledger core: find and lock cards and accounts, post entries with their cached sums.

Lock order, everywhere: card rows (by id), then account rows (by id). Lots and PIN rows
are only touched while their account or card is locked, so they need no lock of their own.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from hq_server.loyalty.errors import AccountClosed, UnknownCard
from hq_server.loyalty.models import Account, Card, PinRecord, PointsEntryRow, PointsLotRow
from hq_server.loyalty.models import SvEntryRow as SvRow
from hq_server.loyalty.origin import Origin
from loyalty import cards as domain_cards
from loyalty.pin import PinState
from loyalty.points import EarnedLine, LotSource, PointsEntry, PointsLot
from loyalty.stored_value import Balance, SvEntry


def card_number(raw: str) -> str:
    """A printed card number, normalised; InvalidCardNumber (422) when the check digit fails."""
    return domain_cards.normalise_card_number(raw)


def find_card(
    session: Session, *, number: str | None = None, uid: str | None = None, lock: bool = False
) -> Card:
    """A card by printed number or IC UID, optionally locked; UnknownCard (404) otherwise."""
    query = select(Card)
    if number is not None:
        query = query.where(Card.number == card_number(number))
    elif uid is not None:
        query = query.where(Card.uid == domain_cards.normalise_card_uid(uid))
    else:
        raise UnknownCard("give a card number or an IC card UID", {"card": "missing"})
    if lock:
        query = query.with_for_update()
    card = session.scalar(query)
    if card is None:
        raise UnknownCard(f"unknown card {number or uid}", {"card": "unknown"})
    return card


def lock_cards(session: Session, ids: Iterable[str]) -> dict[str, Card]:
    """Lock cards in id order (the fixed order that keeps two use cases from deadlocking)."""
    wanted = sorted(set(ids))
    rows = session.scalars(
        select(Card).where(Card.id.in_(wanted)).order_by(Card.id).with_for_update()
    )
    return {card.id: card for card in rows}


def lock_accounts(session: Session, ids: Iterable[str]) -> dict[str, Account]:
    """Lock account rows in id order; callers lock their cards first."""
    wanted = sorted(set(ids))
    rows = session.scalars(
        select(Account).where(Account.id.in_(wanted)).order_by(Account.id).with_for_update()
    )
    return {account.id: account for account in rows}


def lock_account(session: Session, account_id: str, *, open_only: bool = True) -> Account:
    account = lock_accounts(session, [account_id])[account_id]
    if open_only and account.closed:
        raise AccountClosed("the card's accounts are closed", {"card": "accounts closed"})
    return account


def pin_state(session: Session, card_id: str) -> PinState:
    record = session.get(PinRecord, card_id)
    if record is None:
        return PinState()
    return PinState(record.pin_hash, record.failed_tries, record.locked)


def to_domain(card: Card, pin: PinState | None = None) -> domain_cards.Card:
    """The card as the pure rules see it."""
    return domain_cards.Card(
        card_id=card.id,
        number=card.number,
        medium=domain_cards.CardMedium(card.medium),
        account_id=card.account_id,
        state=domain_cards.CardState(card.state),
        member_id=card.member_id,
        uid=card.uid,
        parent_card_id=card.parent_card_id,
        replaced_by=card.replaced_by,
        pin=pin or PinState(),
    )


def sv_balance(account: Account) -> Balance:
    return Balance(account.sv_principal, account.sv_bonus)


def balance_payload(account: Account) -> dict[str, int]:
    return {
        "principal": account.sv_principal,
        "bonus": account.sv_bonus,
        "total": account.sv_principal + account.sv_bonus,
        "points": account.points,
    }


def post_sv(
    session: Session,
    account: Account,
    card_id: str,
    entry: SvEntry,
    origin: Origin,
    *,
    refund_of: int | None = None,
) -> SvRow:
    """Insert a stored-value entry and move the account's cached balance with it."""
    row = SvRow(
        account_id=account.id,
        card_id=card_id,
        kind=entry.kind.value,
        principal=entry.principal,
        bonus=entry.bonus,
        overdraft=entry.overdraft,
        refund_of=refund_of,
        store_code=origin.store,
        till_code=origin.till,
        staff_code=origin.staff,
        document=origin.document,
        business_day=origin.business_day,
    )
    session.add(row)
    account.sv_principal += entry.principal
    account.sv_bonus += entry.bonus
    session.flush()
    return row


def lot_from_row(row: PointsLotRow) -> PointsLot:
    return PointsLot(
        lot_id=row.id,
        account_id=row.account_id,
        source=LotSource(row.source),
        points=row.points,
        remaining=row.remaining,
        earned_on=row.earned_on,
        available_on=row.available_on,
        valid_until=row.valid_until,
        ref=row.document,
        lines=tuple(EarnedLine(*line) for line in json.loads(row.lines)),
    )


def open_lots(session: Session, account_id: str) -> dict[str, PointsLotRow]:
    """The account's lots that still hold points (read under the account's lock)."""
    rows = session.scalars(
        select(PointsLotRow)
        .where(PointsLotRow.account_id == account_id, PointsLotRow.remaining > 0)
        .order_by(PointsLotRow.id)
    )
    return {row.id: row for row in rows}


def add_lot(session: Session, lot: PointsLot, store: str | None) -> None:
    session.add(
        PointsLotRow(
            id=lot.lot_id,
            account_id=lot.account_id,
            source=lot.source.value,
            points=lot.points,
            remaining=lot.remaining,
            earned_on=lot.earned_on,
            available_on=lot.available_on,
            valid_until=lot.valid_until,
            document=lot.ref,
            lines=json.dumps([[x.line_id, x.amount, x.points] for x in lot.lines]),
            store_code=store,
        )
    )
    session.flush()


def post_points(
    session: Session,
    account: Account,
    entries: Sequence[PointsEntry],
    origin: Origin,
    lots: dict[str, PointsLotRow] | None = None,
) -> None:
    """Insert points entries; debits come off their lots' `remaining`, all sums cached."""
    if not entries:
        return
    for entry in entries:
        if entry.points < 0:
            assert lots is not None, "debits need the account's lots"
            lots[entry.lot_id].remaining += entry.points
        account.points += entry.points
    session.execute(
        insert(PointsEntryRow),
        [
            {
                "account_id": account.id,
                "lot_id": e.lot_id,
                "kind": e.kind.value,
                "points": e.points,
                "business_day": e.on,
                "document": origin.document,
                "reason": e.reason,
                "store_code": origin.store,
                "till_code": origin.till,
                "staff_code": origin.staff,
            }
            for e in entries
        ],
    )
    session.flush()
