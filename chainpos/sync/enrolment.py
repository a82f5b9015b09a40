"""This tier's identity towards the tier above, and its gap-free document sequence."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from chainpos.errors import AppError
from chainpos.signing import Credentials
from chainpos.sync.models import SyncTables


class NotEnrolled(AppError):
    status = 503
    code = "not_enrolled"


def enrol(session: Session, tables: SyncTables, code: str, upstream_url: str, secret: str) -> None:
    """Record (or replace) this tier's credentials; the sequence carries on."""
    row = session.get(tables.enrolment, 1)
    if row is None:
        session.add(
            tables.enrolment(id=1, code=code, upstream_url=upstream_url, secret=secret, next_seq=1)
        )
    else:
        row.code, row.upstream_url, row.secret = code, upstream_url, secret


def identity(session: Session, tables: SyncTables) -> Any:
    row = session.get(tables.enrolment, 1)
    if row is None:
        raise NotEnrolled("this tier is not enrolled yet: run `chainpos <tier> enrol`")
    return row


def credentials(session: Session, tables: SyncTables) -> tuple[str, Credentials]:
    row = identity(session, tables)
    return row.upstream_url, Credentials(row.code, row.secret)


def take_seq(session: Session, tables: SyncTables) -> int:
    """The next sequence number, taken under a row lock in the caller's transaction.

    It is consumed only if the transaction commits, so the sequence has no gaps.
    """
    row = session.get(tables.enrolment, 1, with_for_update=True)
    if row is None:
        raise NotEnrolled("this tier is not enrolled yet: run `chainpos <tier> enrol`")
    seq = int(row.next_seq)
    row.next_seq = seq + 1
    return seq


def enrol_database(
    url: str, tier: str, tables: SyncTables, code: str, upstream_url: str, secret: str
) -> None:
    """Migrate a tier's database and record its enrolment: what `chainpos <tier> enrol` does."""
    from chainpos.db import make_engine, make_session_factory, migrate, unit_of_work

    migrate(url, tier, quiet=True)
    engine = make_engine(url)
    try:
        with unit_of_work(make_session_factory(engine)) as session:
            enrol(session, tables, code, upstream_url, secret)
    finally:
        engine.dispose()
