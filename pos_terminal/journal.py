"""Writing a till document: the number it takes, the document, and the receipt it prints.

Sales, returns and top-ups all journal the same way: a gap-free sequence number from the
enrolment row, a receipt number made from it, the document and its outbox row in the
caller's transaction, and the receipt rendered from what was journaled.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from chainpos.sync.enrolment import identity, take_seq
from chainpos.sync.outbox import originate
from pos_terminal.models import MASTER, SYNC
from retail.documents import Document, business_day_at, receipt_number
from retail.receipt import PAPER_COLUMNS, Receipt, render_text


def till_code(session: Session) -> str:
    return str(identity(session, SYNC).code)


def store_of(session: Session) -> Any:
    """This till's store record from the local copy (None before the first sync)."""
    code = till_code(session).split("-")[0]
    return session.get(MASTER.stores, code)


@dataclass(frozen=True, slots=True)
class Entry:
    """Where and under which number a document is journaled."""

    till: str
    store_code: str
    store: Any  # the store's copy record, None before the first sync
    day: date
    seq: int

    def receipt_no(self, prefix: str = "") -> str:
        return prefix + receipt_number(self.store_code, self.till, self.day, self.seq)


def next_entry(session: Session, now: datetime) -> Entry:
    """Take this till's next sequence number for a document made at `now`."""
    code = till_code(session)
    store = store_of(session)
    day = business_day_at(now, store.timezone if store is not None else "Asia/Shanghai")
    return Entry(code, code.split("-")[0], store, day, take_seq(session, SYNC))


def journal(
    session: Session,
    entry: Entry,
    doc_type: str,
    body: dict[str, Any],
    receipt: Callable[[dict[str, Any]], Receipt],
    doc_id: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """Journal `body` as a `doc_type` document; the answer is the body, where it went, the receipt.

    `extra` goes into the answer (before the receipt is built from it), not the document.
    """
    document = originate(
        session,
        SYNC,
        doc_type,
        origin_store=entry.store_code,
        origin_till=entry.till,
        business_day=entry.day.isoformat(),
        body=body,
        seq=entry.seq,
        doc_id=doc_id,
    )
    return answer(document, receipt, **extra)


def answer(
    document: Document, receipt: Callable[[dict[str, Any]], Receipt], **extra: Any
) -> dict[str, Any]:
    """What the cashier gets for a journaled document: its body, where it went, the slip."""
    result = {
        **document.body,
        "business_day": document.business_day,
        "seq": document.seq,
        "doc_id": document.id,
        "created_at": document.created_at,
        **extra,
    }
    printed = receipt(result)
    result["receipt"] = asdict(printed)
    result["receipt_text"] = render_text(printed, PAPER_COLUMNS[80])
    return result
