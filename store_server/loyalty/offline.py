"""The store's side of the offline policy: card states, exposure, and the journal document.

The decisions themselves are `loyalty.offline.authorise_offline_debit` (stored value, fen)
and `authorise_offline_points` (points); this module feeds them what the store knows and
keeps what they return, in the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

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
    authorise_offline_points,
)
from store_server.loyalty.models import AuthorisationRow, CardOfflineRow, CardPointsRow
from store_server.models import MASTER, SYNC

SV_DEBIT = "sv.debit"
POINTS_REDEEM = "points.redeem"


def _unposted(session: Session, operation: str, card: str | None = None) -> int:
    """Offline authorisations whose journal document HQ has not acknowledged yet.

    Fen for stored-value debits, points for points redemptions.
    """
    outbox = SYNC.outbox
    measure = AuthorisationRow.amount if operation == SV_DEBIT else AuthorisationRow.points
    query = (
        select(func.coalesce(func.sum(measure), 0))
        .join(outbox, outbox.doc_id == AuthorisationRow.doc_id)
        .where(
            AuthorisationRow.mode == "offline",
            AuthorisationRow.operation == operation,
            outbox.status != "delivered",
        )
    )
    if card is not None:
        query = query.where(AuthorisationRow.card == card)
    return int(session.scalar(query) or 0)


def store_exposure(session: Session) -> int:
    """The store's offline stored-value debits not yet posted at HQ (fen)."""
    return _unposted(session, SV_DEBIT)


def points_exposure(session: Session) -> int:
    """The store's offline points redemptions not yet posted at HQ (points)."""
    return _unposted(session, POINTS_REDEEM)


def card_touched_hq(session: Session, number: str, hq_balance: int) -> None:
    """The card just touched HQ: restart its offline counters from HQ's balance.

    HQ's balance does not include offline debits still on their way, so they stay off it.
    """
    known = hq_balance - _unposted(session, SV_DEBIT, number)
    row = session.get(CardOfflineRow, number)
    if row is None:
        row = CardOfflineRow(number=number, known_balance=known)
        session.add(row)
    row.known_balance = known
    row.offline_amount = 0
    row.offline_count = 0
    row.synced_at = utcnow()
    session.flush()


def points_touched_hq(session: Session, number: str, hq_points: int) -> None:
    """HQ just showed the card's points: keep them as the last known points, counters afresh.

    Offline redemptions HQ has not posted yet stay off them, as for stored value.
    """
    known = hq_points - _unposted(session, POINTS_REDEEM, number)
    row = session.get(CardPointsRow, number)
    if row is None:
        row = CardPointsRow(number=number, known_points=known)
        session.add(row)
    row.known_points = known
    row.offline_points = 0
    row.offline_count = 0
    row.synced_at = utcnow()
    session.flush()


def touched_hq(session: Session, number: str, balance: Mapping[str, Any]) -> None:
    """An answer from HQ showed the card's balances (`{total, points, ...}`): keep both."""
    if balance.get("total") is not None:
        card_touched_hq(session, number, int(balance["total"]))
    if balance.get("points") is not None:
        points_touched_hq(session, number, int(balance["points"]))


def card_state(session: Session, number: str) -> CardOfflineState | None:
    """What the store knows of the card (None: it never touched HQ here), with the hot list."""
    hot = master_copy.is_hot(session, MASTER, number)
    row = session.get(CardOfflineRow, number)
    if row is None:
        return CardOfflineState(number, 0, hot_listed=True) if hot else None
    return CardOfflineState(number, row.known_balance, hot, row.offline_amount, row.offline_count)


def points_state(session: Session, number: str) -> CardOfflineState | None:
    """The card's points as the store knows them (None: never shown here), with the hot list."""
    hot = master_copy.is_hot(session, MASTER, number)
    row = session.get(CardPointsRow, number)
    if row is None:
        return CardOfflineState(number, 0, hot_listed=True) if hot else None
    return CardOfflineState(number, row.known_points, hot, row.offline_points, row.offline_count)


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


def decide_points(
    session: Session, limits: OfflineLimits, number: str, points: int, key: str
) -> Authorisation | Refusal:
    """The offline rules for a points redemption (in points); keep the new state if approved."""
    state = OfflineRiskState(limits, points_state(session, number), points_exposure(session))
    decision = authorise_offline_points(state, OfflineDebitRequest(number, points, key))
    if isinstance(decision, Authorisation):
        row = session.get(CardPointsRow, number)
        assert row is not None  # an approved card is a known card
        row.known_points = decision.card.known_balance
        row.offline_points = decision.card.offline_amount
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
