"""The versioned change feed downward, and the puller that follows the tier above."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import insert, or_, select
from sqlalchemy.orm import Session, sessionmaker

from chainpos.db import unit_of_work, utcnow
from chainpos.sync.client import SignedClient
from chainpos.sync.models import SyncTables
from chainpos.sync.state import Refresh, set_state


@dataclass(frozen=True, slots=True)
class ChangeItem:
    """A master-data change: the entity's full new state under its key."""

    entity: str
    key: str
    payload: dict[str, Any] = field(default_factory=dict)
    scope: str | None = None  # a store code for store-only changes; None for all

    def to_dict(self, version: int | None = None) -> dict[str, Any]:
        out: dict[str, Any] = {"entity": self.entity, "key": self.key, "payload": self.payload}
        if self.scope is not None:
            out["scope"] = self.scope
        if version is not None:
            out["version"] = version
        return out


def head_version(session: Session, tables: SyncTables) -> int:
    head = session.get(tables.feed_head, 1)
    return 0 if head is None else int(head.version)


def publish(session: Session, tables: SyncTables, items: Sequence[ChangeItem]) -> int:
    """Append changes to the feed in the caller's transaction; returns the new head version.

    The head row is locked until commit, so writers take versions one after another
    and a reader never sees version N+1 committed while N is still in flight.
    """
    if not items:
        return head_version(session, tables)
    head = session.get(tables.feed_head, 1, with_for_update=True)
    if head is None:
        head = tables.feed_head(id=1, version=0)
        session.add(head)
        session.flush()
    first = int(head.version) + 1
    now = utcnow()
    rows = [
        {
            "version": first + offset,
            "entity": item.entity,
            "key": item.key,
            "scope": item.scope,
            "payload": json.dumps(item.payload, ensure_ascii=False, separators=(",", ":")),
            "created_at": now,
        }
        for offset, item in enumerate(items)
    ]
    for start in range(0, len(rows), 5000):
        session.execute(insert(tables.changes), rows[start : start + 5000])
    head.version = first + len(items) - 1
    return int(head.version)


def changes_since(
    session: Session, tables: SyncTables, since: int, limit: int, scope: str | None
) -> list[dict[str, Any]]:
    """Up to `limit` changes after version `since` meant for everyone or for `scope`."""
    changes = tables.changes
    query = select(changes).where(changes.version > since)
    if scope is not None:
        query = query.where(or_(changes.scope.is_(None), changes.scope == scope))
    else:
        query = query.where(changes.scope.is_(None))
    rows = session.scalars(query.order_by(changes.version).limit(limit))
    return [
        {
            "version": r.version,
            "entity": r.entity,
            "key": r.key,
            "scope": r.scope,
            "payload": json.loads(r.payload),
        }
        for r in rows
    ]


#: Applies a page of changes (dicts with entity, key, payload) in the caller's transaction.
ApplyChanges = Callable[[Session, list[dict[str, Any]]], None]


class FeedPuller:
    """Follows the upstream feed: a paged snapshot first, then changes since a cursor.

    Every page is applied in one transaction together with the cursor that records
    it, so a restart resumes exactly where the last committed page ended.
    """

    def __init__(
        self,
        factory: sessionmaker[Session],
        tables: SyncTables,
        client: SignedClient,
        apply: ApplyChanges,
        *,
        source: str = "upstream",
        page_size: int = 2000,
        on_progress: Callable[[str, int], None] | None = None,
    ):
        self.factory = factory
        self.tables = tables
        self.client = client
        self.apply = apply
        self.source = source
        self.page_size = page_size
        self.on_progress = on_progress
        self._idle = Refresh()

    def _cursor(self, session: Session) -> Any:
        cursor = session.get(self.tables.cursor, self.source, with_for_update=True)
        if cursor is None:
            cursor = self.tables.cursor(
                source=self.source,
                version=0,
                snapshot_done=False,
                snapshot_version=0,
                updated_at=utcnow(),
            )
            session.add(cursor)
        return cursor

    def pull_once(self) -> int:
        """Apply everything available upstream now; returns how many items were applied."""
        applied = 0
        while True:
            with unit_of_work(self.factory) as session:
                snapshot_done = bool(self._cursor(session).snapshot_done)
            count, more = self._snapshot_page() if not snapshot_done else self._changes_page()
            applied += count
            if not more:
                break
        if applied or self._idle.due(time.monotonic()):
            with unit_of_work(self.factory) as session:
                set_state(session, self.tables, "last_pull_ok", utcnow().isoformat())
        return applied

    def _snapshot_page(self) -> tuple[int, bool]:
        with unit_of_work(self.factory) as session:
            after = self._cursor(session).snapshot_after
        params: dict[str, Any] = {"limit": self.page_size}
        if after:
            params["after"] = after
        page = self.client.get("/api/v1/sync/snapshot", params)
        with unit_of_work(self.factory) as session:
            cursor = self._cursor(session)
            if cursor.snapshot_after != after:
                return 0, True  # another puller moved on; re-read the cursor
            self.apply(session, page["items"])
            if not after:
                cursor.snapshot_version = int(page["version"])
            cursor.snapshot_after = page.get("next")
            if page.get("next") is None:
                cursor.snapshot_done = True
                cursor.version = cursor.snapshot_version
            cursor.updated_at = utcnow()
        if self.on_progress:
            self.on_progress("snapshot", len(page["items"]))
        return len(page["items"]), True

    def _changes_page(self) -> tuple[int, bool]:
        with unit_of_work(self.factory) as session:
            since = int(self._cursor(session).version)
        page = self.client.get("/api/v1/sync/changes", {"since": since, "limit": self.page_size})
        changes = page["changes"]
        if not changes:
            return 0, False
        with unit_of_work(self.factory) as session:
            cursor = self._cursor(session)
            if int(cursor.version) != since:
                return 0, True
            self.apply(session, changes)
            cursor.version = int(changes[-1]["version"])
            cursor.updated_at = utcnow()
        if self.on_progress:
            self.on_progress("changes", len(changes))
        return len(changes), len(changes) >= self.page_size


def cursor_status(session: Session, tables: SyncTables, source: str = "upstream") -> dict[str, Any]:
    cursor = session.get(tables.cursor, source)
    if cursor is None:
        return {"version": 0, "snapshot_done": False}
    return {
        "version": int(cursor.version),
        "snapshot_done": bool(cursor.snapshot_done),
        "updated_at": cursor.updated_at.isoformat(),
    }


#: Fetches up to `limit` items of one entity with keys after `after_key`, in key order.
FetchEntity = Callable[[str, str, int], list[ChangeItem]]


def paged_snapshot(
    order: Sequence[str], fetch: FetchEntity, after: str | None, limit: int
) -> tuple[list[ChangeItem], str | None]:
    """One page of a snapshot over several entities in a fixed order.

    The cursor is `entity:key` of the last item served; returns the items and the next
    cursor, or None once every entity is exhausted.
    """
    index, after_key = 0, ""
    if after:
        entity, _, after_key = after.partition(":")
        index = order.index(entity) if entity in order else 0
    items: list[ChangeItem] = []
    while index < len(order) and len(items) < limit:
        items += fetch(order[index], after_key, limit - len(items))
        if len(items) < limit:
            index += 1
            after_key = ""
    if index >= len(order):
        return items, None
    return items, f"{items[-1].entity}:{items[-1].key}" if items else None
