"""The daily points expiry run, set-based so that a million lots take seconds, not hours.

It does in SQL exactly what `loyalty.points.expire_points` does per lot: one `expire`
entry for what is left of every lot with `valid_until < on`. Accounts are processed in
batches, each batch one transaction that locks its accounts (in id order) before it
reads their lots, so a concurrent redemption is either before or after, never between.
Running it twice on one day expires nothing the second time.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import ColumnElement, Table, and_, bindparam, func, insert, literal, select, update
from sqlalchemy.orm import Session, sessionmaker

from chainpos.db import unit_of_work, utcnow
from hq_server.loyalty.models import Account, PointsEntryRow, PointsLotRow
from loyalty.points import PointsEntryKind

_ACCOUNTS: Table = Account.__table__  # type: ignore[assignment]


def _due(on: date) -> ColumnElement[bool]:
    return and_(
        PointsLotRow.valid_until.is_not(None),
        PointsLotRow.valid_until < on,
        PointsLotRow.remaining > 0,
    )


def expire_batch(session: Session, account_ids: list[str], on: date) -> int:
    """Expire the due lots of some accounts; returns the number of lots expired."""
    ids = sorted(account_ids)
    session.execute(
        select(Account.id).where(Account.id.in_(ids)).order_by(Account.id).with_for_update()
    ).all()
    lots = select(PointsLotRow).where(PointsLotRow.account_id.in_(ids), _due(on)).subquery()
    document = f"expiry:{on.isoformat()}"
    totals = session.execute(
        select(lots.c.account_id, func.sum(lots.c.remaining), func.count()).group_by(
            lots.c.account_id
        )
    ).all()
    if not totals:
        return 0
    session.execute(
        insert(PointsEntryRow).from_select(
            [
                "account_id",
                "lot_id",
                "kind",
                "points",
                "business_day",
                "document",
                "reason",
                "created_at",
            ],
            select(
                lots.c.account_id,
                lots.c.id,
                literal(PointsEntryKind.EXPIRE.value),
                -lots.c.remaining,
                literal(on),
                literal(document),
                literal(""),
                literal(utcnow(), PointsEntryRow.created_at.type),
            ),
        )
    )
    session.execute(
        update(_ACCOUNTS)
        .where(_ACCOUNTS.c.id == bindparam("b_id"))
        .values(points=_ACCOUNTS.c.points - bindparam("b_points")),
        [{"b_id": account_id, "b_points": int(points)} for account_id, points, _ in totals],
    )
    session.execute(
        update(PointsLotRow)
        .where(PointsLotRow.account_id.in_(ids), _due(on))
        .values(remaining=0)
        .execution_options(synchronize_session=False)
    )
    return sum(int(count) for _, _, count in totals)


def expire_all(factory: sessionmaker[Session], on: date, batch: int = 500) -> int:
    """Expire every due lot on `on`, `batch` accounts per transaction; returns lots expired."""
    expired = 0
    after = ""
    while True:
        with unit_of_work(factory) as session:
            ids = list(
                session.scalars(
                    select(PointsLotRow.account_id)
                    .where(PointsLotRow.account_id > after, _due(on))
                    .group_by(PointsLotRow.account_id)
                    .order_by(PointsLotRow.account_id)
                    .limit(batch)
                )
            )
            if not ids:
                return expired
            expired += expire_batch(session, ids, on)
        after = ids[-1]
