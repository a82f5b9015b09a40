"""Stored-value use cases at HQ: top-up, debit, refund to card, transfer, statement.

Each one locks the card, then its account, computes the entry with the pure rules in
`loyalty.stored_value`, inserts it and moves the cached balance in the same transaction.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hq_server.loyalty import ledger, referrals
from hq_server.loyalty.errors import AccountClosed, PinMissing, UnknownDocument
from hq_server.loyalty.models import Card, SvEntryRow
from hq_server.loyalty.origin import Origin
from hq_server.loyalty.pins import check_pin
from hq_server.loyalty.settings import LoyaltySettings
from loyalty import stored_value as rules
from loyalty.cards import ensure_usable
from loyalty.stored_value import SvEntry, SvEntryKind


def entry_payload(row: SvEntryRow) -> dict[str, Any]:
    return {
        "entry_id": row.id,
        "kind": row.kind,
        "principal": row.principal,
        "bonus": row.bonus,
        "amount": row.principal + row.bonus,
        # Non-zero only on an offline debit posted beyond the balance: flagged, not hidden.
        "overdraft": row.overdraft,
        "store": row.store_code,
        "till": row.till_code,
        "staff": row.staff_code,
        "document": row.document,
        "business_day": row.business_day.isoformat(),
        "at": row.created_at.isoformat(),
    }


def _answer(card: Card, rows: list[SvEntryRow], account: Any) -> dict[str, Any]:
    return {
        "card": card.number,
        "entries": [entry_payload(r) for r in rows],
        "balance": ledger.balance_payload(account),
    }


def _locked(session: Session, number: str | None, uid: str | None) -> tuple[Card, Any]:
    """Lock a usable card, then its open account (the fixed lock order)."""
    card = ledger.find_card(session, number=number, uid=uid, lock=True)
    ensure_usable(ledger.to_domain(card))
    return card, ledger.lock_account(session, card.account_id)


def top_up(
    session: Session,
    settings: LoyaltySettings,
    amount: int,
    origin: Origin,
    *,
    number: str | None = None,
    uid: str | None = None,
) -> dict[str, Any]:
    """Credit principal plus the bonus schedule's bonus, within the card's cap."""
    card, account = _locked(session, number, uid)
    entry = rules.top_up(
        settings.stored_value,
        ledger.to_domain(card),
        ledger.sv_balance(account),
        amount,
        store_id=origin.store or "",
        ref=origin.document,
    )
    row = ledger.post_sv(session, account, card.id, entry, origin)
    referrals.after_top_up(session, settings, card, amount, origin)
    return _answer(card, [row], account)


def debit(
    session: Session,
    settings: LoyaltySettings,
    amount: int,
    origin: Origin,
    *,
    number: str | None = None,
    uid: str | None = None,
    pin: str | None = None,
) -> dict[str, Any]:
    """Spend from the card in the policy's order; above the threshold the PIN is checked."""
    card, account = _locked(session, number, uid)
    domain_card = ledger.to_domain(card)
    if settings.stored_value.needs_pin(amount):
        if not pin:
            raise PinMissing("this amount needs the member's PIN", {"pin": "required"})
        check_pin(session, settings, card, pin)
    entry = rules.spend(
        settings.stored_value,
        domain_card,
        ledger.sv_balance(account),
        amount,
        store_id=origin.store or "",
        ref=origin.document,
    )
    row = ledger.post_sv(session, account, card.id, entry, origin)
    return _answer(card, [row], account)


def refund_to_card(
    session: Session,
    settings: LoyaltySettings,
    amount: int,
    original_document: str,
    origin: Origin,
    *,
    number: str | None = None,
    uid: str | None = None,
) -> dict[str, Any]:
    """Give back (part of) a card spend in the principal/bonus proportion it took."""
    card, account = _locked(session, number, uid)
    original = session.scalar(
        select(SvEntryRow)
        .where(
            SvEntryRow.account_id == account.id,
            SvEntryRow.document == original_document,
            SvEntryRow.kind == SvEntryKind.SPEND.value,
        )
        .order_by(SvEntryRow.id)
        .limit(1)
    )
    if original is None:
        raise UnknownDocument(
            f"no card spend {original_document} on this card", {"original_document": "unknown"}
        )
    prior = session.scalar(
        select(func.coalesce(func.sum(SvEntryRow.principal + SvEntryRow.bonus), 0)).where(
            SvEntryRow.refund_of == original.id
        )
    )
    spent = SvEntry(
        account.id,
        SvEntryKind.SPEND,
        original.principal,
        original.bonus,
        original.store_code or "",
        original.document,
    )
    entry = rules.refund_spend(
        spent,
        amount,
        prior_refunded=int(prior or 0),
        store_id=origin.store or "",
        ref=origin.document,
    )
    row = ledger.post_sv(session, account, card.id, entry, origin, refund_of=original.id)
    return _answer(card, [row], account)


def transfer(
    session: Session,
    settings: LoyaltySettings,
    source_number: str,
    target_number: str,
    amount: int,
    origin: Origin,
) -> dict[str, Any]:
    """Move principal between two registered cards of one member (bonus stays)."""
    source = ledger.find_card(session, number=source_number)
    target = ledger.find_card(session, number=target_number)
    cards = ledger.lock_cards(session, [source.id, target.id])
    source, target = cards[source.id], cards[target.id]
    accounts = ledger.lock_accounts(session, [source.account_id, target.account_id])
    if any(account.closed for account in accounts.values()):
        raise AccountClosed("a card's accounts are closed", {"target": "accounts closed"})
    out_entry, in_entry = rules.transfer(
        settings.stored_value,
        ledger.to_domain(source),
        ledger.to_domain(target),
        ledger.sv_balance(accounts[source.account_id]),
        ledger.sv_balance(accounts[target.account_id]),
        amount,
        store_id=origin.store or "",
        ref=origin.document,
    )
    out_row = ledger.post_sv(session, accounts[source.account_id], source.id, out_entry, origin)
    in_row = ledger.post_sv(session, accounts[target.account_id], target.id, in_entry, origin)
    return {
        "source": _answer(source, [out_row], accounts[source.account_id]),
        "target": _answer(target, [in_row], accounts[target.account_id]),
    }


def statement(session: Session, number: str, limit: int = 200) -> dict[str, Any]:
    """Every stored-value entry of the card's account, newest first."""
    card = ledger.find_card(session, number=number)
    rows = session.scalars(
        select(SvEntryRow)
        .where(SvEntryRow.account_id == card.account_id)
        .order_by(SvEntryRow.id.desc())
        .limit(limit)
    )
    return {"card": card.number, "entries": [entry_payload(r) for r in rows]}
