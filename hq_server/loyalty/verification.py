"""Ledger verification: every cached balance equals the sum of its entries.

Checks each account's stored-value principal, bonus and points against its entries, and
each points lot's `remaining` against the entries booked on it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hq_server.loyalty.models import Account, PointsEntryRow, PointsLotRow, SvEntryRow


@dataclass(frozen=True, slots=True)
class Mismatch:
    """A cached figure that disagrees with its ledger."""

    kind: str  # account | lot
    id: str
    field: str
    cached: int
    ledger: int

    def __str__(self) -> str:
        return (
            f"{self.kind} {self.id}: {self.field} cached {self.cached} "
            f"but the ledger sums to {self.ledger}"
        )


def verify_ledgers(session: Session) -> list[Mismatch]:
    """All mismatches between cached balances and ledgers (empty when the books agree)."""
    sv = (
        select(
            SvEntryRow.account_id.label("account_id"),
            func.sum(SvEntryRow.principal).label("principal"),
            func.sum(SvEntryRow.bonus).label("bonus"),
        )
        .group_by(SvEntryRow.account_id)
        .subquery()
    )
    pts = (
        select(
            PointsEntryRow.account_id.label("account_id"),
            func.sum(PointsEntryRow.points).label("points"),
        )
        .group_by(PointsEntryRow.account_id)
        .subquery()
    )
    found: list[Mismatch] = []
    rows = session.execute(
        select(
            Account.id,
            Account.sv_principal,
            Account.sv_bonus,
            Account.points,
            func.coalesce(sv.c.principal, 0),
            func.coalesce(sv.c.bonus, 0),
            func.coalesce(pts.c.points, 0),
        )
        .outerjoin(sv, sv.c.account_id == Account.id)
        .outerjoin(pts, pts.c.account_id == Account.id)
        .order_by(Account.id)
    )
    for account_id, principal, bonus, points, l_principal, l_bonus, l_points in rows:
        for name, cached, ledger in (
            ("sv_principal", principal, l_principal),
            ("sv_bonus", bonus, l_bonus),
            ("points", points, l_points),
        ):
            if int(cached) != int(ledger):
                found.append(Mismatch("account", account_id, name, int(cached), int(ledger)))
    per_lot = (
        select(PointsEntryRow.lot_id.label("lot_id"), func.sum(PointsEntryRow.points).label("s"))
        .group_by(PointsEntryRow.lot_id)
        .subquery()
    )
    lots = session.execute(
        select(PointsLotRow.id, PointsLotRow.remaining, func.coalesce(per_lot.c.s, 0))
        .outerjoin(per_lot, per_lot.c.lot_id == PointsLotRow.id)
        .where(PointsLotRow.remaining != func.coalesce(per_lot.c.s, 0))
    )
    for lot_id, remaining, ledger_sum in lots:
        found.append(Mismatch("lot", lot_id, "remaining", int(remaining), int(ledger_sum)))
    return found
