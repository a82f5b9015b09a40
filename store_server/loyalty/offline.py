"""The store's side of the offline policy: card states, exposure, and the journal document.

The decision itself is `loyalty.offline.authorise_offline_debit`; this module feeds it what
the store knows and keeps what it returns, in the caller's transaction.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from chainpos import master_copy
from chainpos.db import utcnow
from loyalty.offline import (
    Authorisation,
    CardOfflineState,
    OfflineDebitRequest,
    OfflineLimits,
    OfflineRiskState,
    Refusal,
    authorise_offline_debit,
)
from store_server.loyalty.models import AuthorisationRow, CardOfflineRow
from store_server.models import MASTER, SYNC

SV_DEBIT = "sv.debit"


def _unposted(session: Session, card: str | None = None) -> int:
    """Offline debits whose journal document HQ has not acknowledged yet (fen)."""
    outbox = SYNC.outbox
    query = (
        select(func.coalesce(func.sum(AuthorisationRow.amount), 0))
        .join(outbox, outbox.doc_id == AuthorisationRow.doc_id)
        .where(
            AuthorisationRow.mode == "offline",
            AuthorisationRow.operation == SV_DEBIT,
            outbox.status != "delivered",
        )
    )
    if card is not None:
        query = query.where(AuthorisationRow.card == card)
    return int(session.scalar(query) or 0)


def store_exposure(session: Session) -> int:
    """The store's offline stored-value debits not yet posted at HQ (fen)."""
    return _unposted(session)


def card_touched_hq(session: Session, number: str, hq_balance: int) -> None:
    """The card just touched HQ: restart its offline counters from HQ's balance.

    HQ's balance does not include offline debits still on their way, so they stay off it.
    """
    known = hq_balance - _unposted(session, number)
    row = session.get(CardOfflineRow, number)
    if row is None:
        row = CardOfflineRow(number=number, known_balance=known)
        session.add(row)
    row.known_balance = known
    row.offline_amount = 0
    row.offline_count = 0
    row.synced_at = utcnow()
    session.flush()


def card_state(session: Session, number: str) -> CardOfflineState | None:
    """What the store knows of the card (None: it never touched HQ here), with the hot list."""
    hot = master_copy.is_hot(session, MASTER, number)
    row = session.get(CardOfflineRow, number)
    if row is None:
        return CardOfflineState(number, 0, hot_listed=True) if hot else None
    return CardOfflineState(number, row.known_balance, hot, row.offline_amount, row.offline_count)


def decide(
    session: Session, limits: OfflineLimits, number: str, amount: int, key: str
) -> Authorisation | Refusal:
    """Run the offline rules on what the store knows now; keep the card's new state if approved."""
    state = OfflineRiskState(limits, card_state(session, number), store_exposure(session))
    decision = authorise_offline_debit(state, OfflineDebitRequest(number, amount, key))
    if isinstance(decision, Authorisation):
        row = session.get(CardOfflineRow, number)
        assert row is not None  # an approved card is a known card
        row.known_balance = decision.card.known_balance
        row.offline_amount = decision.card.offline_amount
        row.offline_count = decision.card.offline_count
    return decision


def released(session: Session, number: str, amount: int, *, offline_debit: bool) -> None:
    """A debit was given back: the card's known balance rises again (and, if it was an
    offline debit, its offline counters fall: the spend did not happen)."""
    row = session.get(CardOfflineRow, number)
    if row is None:
        return
    row.known_balance += amount
    if offline_debit:
        row.offline_amount = max(row.offline_amount - amount, 0)
        row.offline_count = max(row.offline_count - 1, 0)
