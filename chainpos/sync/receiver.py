"""Applying documents from the tier below exactly once, with an acknowledgement each."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select
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


#: Applies several new documents at once, or raises to have them applied one by one.
ApplyBatch = Callable[[Session, Sequence[Document]], None]


def receive_batch(
    session: Session,
    tables: SyncTables,
    raw_documents: Sequence[Any],
    apply: ApplyDocument,
    apply_batch: ApplyBatch | None = None,
) -> list[Ack]:
    """Apply each new document exactly once; acknowledge every one.

    A document already received is a duplicate and changes nothing. `apply` raises
    `DocumentRejected` to refuse one; the rest of the batch goes on. With `apply_batch`,
    the new documents are first tried together in one savepoint (a few statements for
    the whole batch); if anything in it fails, they are applied one by one, each in its
    own savepoint, so a refusal still touches only its own document. The caller commits.
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
    if apply_batch is not None and _apply_together(session, tables, parsed, known, apply_batch):
        return [_ack_after_batch(item, known) for item in parsed]
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


def _fresh(parsed: Sequence[Document | Ack], known: set[str]) -> list[Document]:
    """The new documents of a batch, each once (a document sent twice in it counts once)."""
    seen = set(known)
    fresh = []
    for item in parsed:
        if isinstance(item, Document) and item.id not in seen:
            seen.add(item.id)
            fresh.append(item)
    return fresh


def _apply_together(
    session: Session,
    tables: SyncTables,
    parsed: Sequence[Document | Ack],
    known: set[str],
    apply_batch: ApplyBatch,
) -> bool:
    fresh = _fresh(parsed, known)
    if len(fresh) < 2:
        return False
    savepoint = session.begin_nested()
    try:
        now = utcnow()
        session.execute(
            insert(tables.received),
            [
                {
                    "doc_id": d.id,
                    "doc_type": d.type,
                    "origin": d.origin,
                    "seq": d.seq,
                    "business_day": d.business_day,
                    "received_at": now,
                    "payload": json.dumps(d.to_dict(), ensure_ascii=False, separators=(",", ":")),
                }
                for d in fresh
            ],
        )
        apply_batch(session, fresh)
        by_origin: dict[str, list[int]] = {}
        for d in fresh:
            by_origin.setdefault(d.origin, []).append(d.seq)
        for origin in sorted(by_origin):
            _advance_origin(session, tables, origin, *by_origin[origin])
        session.flush()
    except (DocumentRejected, IntegrityError, DataError):
        savepoint.rollback()
        return False
    savepoint.commit()
    return True


def _ack_after_batch(item: Document | Ack, known: set[str]) -> Ack:
    """Acks once a batch went through together: the first copy applied, repeats duplicate."""
    if isinstance(item, Ack):
        return item
    if item.id in known:
        return Ack(item.id, DUPLICATE)
    known.add(item.id)
    return Ack(item.id, APPLIED)


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


def _advance_origin(session: Session, tables: SyncTables, origin: str, *seqs: int) -> None:
    row = session.get(tables.origins, origin, with_for_update=True)
    if row is None:
        row = tables.origins(origin=origin, contiguous_seq=0, max_seq=0, ahead="[]")
        session.add(row)
    ahead = set(json.loads(row.ahead))
    ahead.update(seqs)
    contiguous = row.contiguous_seq
    while contiguous + 1 in ahead:
        contiguous += 1
        ahead.discard(contiguous)
    row.contiguous_seq = contiguous
    row.max_seq = max(row.max_seq, *seqs)
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
