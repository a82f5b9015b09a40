"""The outbox: a document is written with its effect and delivered upstream later."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from chainpos.db import utcnow
from chainpos.sync.models import SyncTables
from retail.documents import Document


def enqueue(session: Session, tables: SyncTables, document: Document) -> None:
    """Add `document` to the outbox in the caller's transaction."""
    session.add(
        tables.outbox(
            doc_id=document.id,
            doc_type=document.type,
            payload=json.dumps(document.to_dict(), ensure_ascii=False, separators=(",", ":")),
            created_at=utcnow(),
            status="pending",
            attempts=0,
        )
    )


def pending_batch(session: Session, tables: SyncTables, limit: int) -> list[Any]:
    """The oldest undelivered documents, in the order they were written."""
    outbox = tables.outbox
    return list(
        session.scalars(
            select(outbox).where(outbox.status == "pending").order_by(outbox.id).limit(limit)
        )
    )


def depth(session: Session, tables: SyncTables) -> int:
    outbox = tables.outbox
    return int(
        session.scalar(select(func.count()).select_from(outbox).where(outbox.status == "pending"))
        or 0
    )


def quarantined(session: Session, tables: SyncTables, limit: int = 100) -> list[dict[str, Any]]:
    """Documents the next tier rejected, for a person to look at."""
    outbox = tables.outbox
    rows = session.scalars(
        select(outbox).where(outbox.status == "quarantined").order_by(outbox.id).limit(limit)
    )
    return [
        {
            "doc_id": r.doc_id,
            "doc_type": r.doc_type,
            "reason": r.last_error,
            "created_at": r.created_at.isoformat(),
        }
        for r in rows
    ]


def originate(
    session: Session,
    tables: SyncTables,
    doc_type: str,
    *,
    origin_store: str,
    origin_till: str | None,
    business_day: str,
    body: dict[str, Any],
    seq: int | None = None,
    doc_id: str | None = None,
) -> Document:
    """Write a new document of this tier into its outbox with the next sequence number.

    A caller that needs the number before it writes the body (a receipt number is made
    from it) takes it with `take_seq` in the same transaction and passes it as `seq`. A
    caller whose document id is derived from a request id (so a retry finds it) passes it.
    """
    from chainpos.ids import new_id
    from chainpos.sync.enrolment import take_seq

    document = Document(
        id=doc_id or new_id(),
        type=doc_type,
        origin_store=origin_store,
        origin_till=origin_till,
        business_day=business_day,
        seq=seq if seq is not None else take_seq(session, tables),
        created_at=utcnow().isoformat(),
        body=body,
    )
    enqueue(session, tables, document)
    return document
