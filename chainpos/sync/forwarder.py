"""Pushing the outbox to the tier above, one batch at a time, acknowledged per document."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from chainpos.db import unit_of_work, utcnow
from chainpos.sync.client import SignedClient, UpstreamError
from chainpos.sync.models import SyncTables
from chainpos.sync.outbox import pending_batch
from chainpos.sync.receiver import APPLIED, DUPLICATE, REJECTED
from chainpos.sync.state import Refresh, set_state


@dataclass(frozen=True, slots=True)
class PushResult:
    sent: int = 0
    applied: int = 0
    duplicate: int = 0
    rejected: int = 0


class Forwarder:
    """Delivers pending outbox documents upstream until the outbox is empty."""

    def __init__(
        self,
        factory: sessionmaker[Session],
        tables: SyncTables,
        client: SignedClient,
        *,
        path: str = "/api/v1/sync/documents",
        batch_size: int = 100,
    ):
        self.factory = factory
        self.tables = tables
        self.client = client
        self.path = path
        self.batch_size = batch_size
        self._idle = Refresh()

    def push_once(self) -> PushResult:
        """Send batches until none is pending; raises `UpstreamError` if upstream fails."""
        total = PushResult()
        while True:
            result = self._push_batch()
            total = PushResult(
                total.sent + result.sent,
                total.applied + result.applied,
                total.duplicate + result.duplicate,
                total.rejected + result.rejected,
            )
            if result.sent < self.batch_size:
                return total

    def _push_batch(self) -> PushResult:
        with unit_of_work(self.factory) as session:
            rows = pending_batch(session, self.tables, self.batch_size)
            documents = [json.loads(row.payload) for row in rows]
            ids = [row.doc_id for row in rows]
            if ids:
                session.execute(
                    update(self.tables.outbox)
                    .where(self.tables.outbox.doc_id.in_(ids))
                    .values(attempts=self.tables.outbox.attempts + 1)
                )
        if not documents:
            if self._idle.due(time.monotonic()):
                with unit_of_work(self.factory) as session:
                    set_state(session, self.tables, "last_push_ok", utcnow().isoformat())
            return PushResult()
        try:
            answer = self.client.post(self.path, {"documents": documents})
        except UpstreamError as err:
            with unit_of_work(self.factory) as session:
                set_state(session, self.tables, "last_push_error", str(err)[:500])
            raise
        counts = {APPLIED: 0, DUPLICATE: 0, REJECTED: 0}
        now = utcnow()
        with unit_of_work(self.factory) as session:
            outbox = self.tables.outbox
            for ack in answer.get("acks", []):
                status = ack.get("status")
                if ack.get("doc_id") not in ids or status not in counts:
                    continue  # unacknowledged documents stay pending and are sent again
                counts[status] += 1
                if status == REJECTED:
                    values = {"status": "quarantined", "last_error": ack.get("reason")}
                else:
                    values = {"status": "delivered", "delivered_at": now, "last_error": None}
                session.execute(update(outbox).where(outbox.doc_id == ack["doc_id"]).values(values))
            set_state(session, self.tables, "last_push_ok", now.isoformat())
        return PushResult(len(documents), counts[APPLIED], counts[DUPLICATE], counts[REJECTED])
