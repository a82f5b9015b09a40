"""Named sync facts (last push, last pull, last error) and nonce bookkeeping."""

from __future__ import annotations

import time

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from chainpos.db import unit_of_work, utcnow
from chainpos.signing import MAX_SKEW
from chainpos.sync.models import SyncTables

#: While idle, "last push/pull ok" is refreshed at most this often (seconds): a write and
#: an fsync on every tick of every till would be work for nothing.
IDLE_REFRESH = 30.0


class Refresh:
    """Says when an idle heartbeat is due again (always due the first time)."""

    def __init__(self, every: float = IDLE_REFRESH):
        self.every = every
        self._last: float | None = None

    def due(self, now: float) -> bool:
        if self._last is not None and now - self._last < self.every:
            return False
        self._last = now
        return True


def set_state(session: Session, tables: SyncTables, name: str, value: str) -> None:
    row = session.get(tables.state, name)
    if row is None:
        session.add(tables.state(name=name, value=value, updated_at=utcnow()))
    else:
        row.value = value
        row.updated_at = utcnow()


def get_state(session: Session, tables: SyncTables, name: str) -> str | None:
    row = session.get(tables.state, name)
    return None if row is None else str(row.value)


def record_event(factory: sessionmaker[Session], tables: SyncTables, name: str, value: str) -> None:
    """Store a sync fact in its own short transaction."""
    with unit_of_work(factory) as session:
        set_state(session, tables, name, value)


#: Expired nonces are swept now and then, not on every signed request.
_purge = Refresh(every=60.0)


def remember_nonce(
    factory: sessionmaker[Session], tables: SyncTables, key_id: str, nonce: str, timestamp: int
) -> bool:
    """Store a request nonce; False if it was already seen for that key (a replay)."""
    try:
        with unit_of_work(factory) as session:
            if _purge.due(time.monotonic()):
                horizon = int(utcnow().timestamp()) - 2 * MAX_SKEW
                session.execute(delete(tables.nonces).where(tables.nonces.timestamp < horizon))
            exists = session.scalar(
                select(tables.nonces.nonce).where(
                    tables.nonces.key_id == key_id, tables.nonces.nonce == nonce
                )
            )
            if exists is not None:
                return False
            session.add(tables.nonces(key_id=key_id, nonce=nonce, timestamp=timestamp))
    except IntegrityError:
        return False
    return True
