"""Store use cases: documents from tills, the HQ feed, stock counts, till credentials."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from chainpos import master_copy
from chainpos.db import utcnow
from chainpos.signing import derive_secret
from chainpos.sync.enrolment import identity
from chainpos.sync.feed import ChangeItem, publish
from chainpos.sync.outbox import enqueue, originate
from chainpos.sync.receiver import DocumentRejected
from retail.documents import Document, business_day_at
from store_server import returns, stock
from store_server.models import MASTER, SYNC


def store_code(session: Session) -> str:
    return str(identity(session, SYNC).code)


def store_timezone(session: Session) -> str:
    store = session.get(MASTER.stores, store_code(session))
    return store.timezone if store is not None else "Asia/Shanghai"


def till_secret(session: Session, till_code: str) -> str | None:
    """A till's signing secret, derived from the store's own; None for unknown tills."""
    me = identity(session, SYNC)
    till = session.get(MASTER.tills, till_code)
    if till is None or not till.active or till.store_code != me.code:
        return None
    return derive_secret(me.secret, till_code)


def apply_till_document(session: Session, doc: Document, till: str) -> None:
    """Apply a till's document here and pass it on to HQ in the same transaction."""
    here = store_code(session)
    if doc.origin_store != here:
        raise DocumentRejected(f"document of store {doc.origin_store} sent to store {here}")
    if doc.origin_till != till:
        raise DocumentRejected(f"document of till {doc.origin_till} sent by till {till}")
    if doc.type == "sale_return":
        returns.apply_return(session, doc, till)
        enqueue(session, SYNC, doc)
        return
    if doc.type == "sv_top_up":
        from store_server.loyalty.top_ups import keep_top_up

        keep_top_up(session, doc, till)
        enqueue(session, SYNC, doc)
        return
    if doc.type == "points_gift":
        from store_server.loyalty.gifts import keep_gift

        keep_gift(session, doc, till)
        enqueue(session, SYNC, doc)
        return
    if doc.type != "sale":
        raise DocumentRejected(f"a till does not send {doc.type} documents")
    lines = doc.body.get("lines")
    if not isinstance(lines, list) or not lines:
        raise DocumentRejected("sale has no lines")
    try:
        stock.apply_sale(session, doc.id, lines)
    except (KeyError, TypeError, ValueError) as err:
        raise DocumentRejected(f"malformed sale line: {err!r}") from None
    returns.keep_sale(session, doc, till)
    enqueue(session, SYNC, doc)
    queue_member_earning(session, doc, till)


def queue_member_earning(session: Session, doc: Document, till: str) -> None:
    """A member's sale earns points at HQ: journal it in the same transaction (DESIGN §5)."""
    from store_server.loyalty.services import queue_earning

    member = doc.body.get("member")
    if not isinstance(member, dict) or not member.get("card") or not member.get("earn_lines"):
        return
    request = {
        "idempotency_key": f"earn:{doc.id}",
        "card": member["card"],
        "lines": member["earn_lines"],
        "document": doc.id,
        "staff": doc.body.get("cashier"),
    }
    queue_earning(session, request, till)


def apply_hq_changes(session: Session, changes: Sequence[dict[str, Any]]) -> None:
    """Apply a page of HQ's feed to the local copy and republish it for the tills."""
    master_copy.apply_changes(session, MASTER, changes)
    publish(
        session,
        SYNC,
        [
            ChangeItem(
                c["entity"],
                c["key"],
                c["payload"],
                scope=c["key"] if c["entity"] == "till" else None,
            )
            for c in changes
        ],
    )


def record_stock_count(session: Session, counted: Sequence[dict[str, Any]]) -> Document:
    """A stocktake: set on-hand figures and send the count to HQ."""
    here = store_code(session)
    day = business_day_at(utcnow(), store_timezone(session)).isoformat()
    document = originate(
        session,
        SYNC,
        "stock_count",
        origin_store=here,
        origin_till=None,
        business_day=day,
        body={"lines": list(counted)},
    )
    stock.apply_count(session, document.id, counted)
    return document
