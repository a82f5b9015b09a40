"""Applying documents from the tier below exactly once, with an acknowledgement each."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm import Session

from chainpos.db import utcnow
from chainpos.sync.models import SyncTables
from retail.documents import Document, DocumentError

APPLIED = "applied"
DUPLICATE = "duplicate"
REJECTED = "rejected"


class DocumentRejected(Exception):
    """The receiver refuses a document for good; the sender quarantines it."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Ack:
    doc_id: str
    status: str
    reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"doc_id": self.doc_id, "status": self.status}
        if self.reason:
            out["reason"] = self.reason
        return out


ApplyDocument = Callable[[Session, Document], None]


def receive_batch(
    session: Session, tables: SyncTables, raw_documents: Sequence[Any], apply: ApplyDocument
) -> list[Ack]:
    """Apply each new document in its own savepoint; acknowledge every one.

    A document already received is a duplicate and changes nothing. `apply` raises
    `DocumentRejected` to refuse one; the rest of the batch goes on. The caller commits.
    """
    parsed: list[Document | Ack] = []
    for index, raw in enumerate(raw_documents):
        try:
            parsed.append(Document.from_dict(raw))
        except DocumentError as err:
            doc_id = raw.get("id") if isinstance(raw, dict) else None
            parsed.append(Ack(str(doc_id or f"#{index}"), REJECTED, f"malformed: {err}"))
    ids = [d.id for d in parsed if isinstance(d, Document)]
    known = (
        set(session.scalars(select(tables.received.doc_id).where(tables.received.doc_id.in_(ids))))
        if ids
        else set()
    )
    acks: list[Ack] = []
    for item in parsed:
        if isinstance(item, Ack):
            acks.append(item)
            continue
        if item.id in known:
            acks.append(Ack(item.id, DUPLICATE))
            continue
        acks.append(_apply_one(session, tables, item, apply))
        if acks[-1].status == APPLIED:
            known.add(item.id)
    return acks


def _apply_one(session: Session, tables: SyncTables, doc: Document, apply: ApplyDocument) -> Ack:
    savepoint = session.begin_nested()
    try:
        session.add(
            tables.received(
                doc_id=doc.id,
                doc_type=doc.type,
                origin=doc.origin,
                seq=doc.seq,
                business_day=doc.business_day,
                received_at=utcnow(),
                payload=json.dumps(doc.to_dict(), ensure_ascii=False, separators=(",", ":")),
            )
        )
        session.flush()
        apply(session, doc)
        _advance_origin(session, tables, doc.origin, doc.seq)
        session.flush()
    except DocumentRejected as refusal:
        savepoint.rollback()
        return Ack(doc.id, REJECTED, refusal.reason)
    except IntegrityError:
        # Another worker applied the same document between our check and insert.
        savepoint.rollback()
        return Ack(doc.id, DUPLICATE)
    except DataError as err:
        # A value the database cannot hold (too long, out of range) will never fit:
        # refuse this document instead of failing, and forever re-failing, the batch.
        savepoint.rollback()
        return Ack(doc.id, REJECTED, f"value does not fit: {err.orig.__class__.__name__}")
    savepoint.commit()
    return Ack(doc.id, APPLIED)


def _advance_origin(session: Session, tables: SyncTables, origin: str, seq: int) -> None:
    row = session.get(tables.origins, origin, with_for_update=True)
    if row is None:
        row = tables.origins(origin=origin, contiguous_seq=0, max_seq=0, ahead="[]")
        session.add(row)
    ahead = set(json.loads(row.ahead))
    ahead.add(seq)
    contiguous = row.contiguous_seq
    while contiguous + 1 in ahead:
        contiguous += 1
        ahead.discard(contiguous)
    row.contiguous_seq = contiguous
    row.max_seq = max(row.max_seq, seq)
    row.ahead = json.dumps(sorted(s for s in ahead if s > contiguous))
    row.last_received_at = utcnow()


def gaps(session: Session, tables: SyncTables) -> dict[str, list[list[int]]]:
    """Per origin, the ranges of sequence numbers not received yet (inclusive)."""
    out: dict[str, list[list[int]]] = {}
    for row in session.scalars(select(tables.origins).order_by(tables.origins.origin)):
        ahead = json.loads(row.ahead)
        missing: list[list[int]] = []
        expected = row.contiguous_seq + 1
        for seq in ahead:
            if seq > expected:
                missing.append([expected, seq - 1])
            expected = seq + 1
        if missing:
            out[row.origin] = missing
    return out


def origins_summary(session: Session, tables: SyncTables) -> dict[str, dict[str, int]]:
    return {
        row.origin: {"contiguous_seq": row.contiguous_seq, "max_seq": row.max_seq}
        for row in session.scalars(select(tables.origins).order_by(tables.origins.origin))
    }
