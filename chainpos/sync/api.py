"""The sync endpoints a tier serves to the tier below, written once (HQ and store)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from flask import Blueprint, g, jsonify
from marshmallow import Schema, fields, validate
from sqlalchemy.orm import Session, sessionmaker

from chainpos.auth import SignedRequests
from chainpos.db import unit_of_work
from chainpos.sync.feed import ChangeItem, changes_since, head_version
from chainpos.sync.models import SyncTables
from chainpos.sync.receiver import receive_batch
from chainpos.web import doc, load, load_query
from retail.documents import Document

MAX_BATCH = 500


class DocumentBatchSchema(Schema):
    documents = fields.List(
        fields.Dict(), required=True, validate=validate.Length(min=1, max=MAX_BATCH)
    )


class AckSchema(Schema):
    doc_id = fields.String()
    status = fields.String(metadata={"enum": ["applied", "duplicate", "rejected"]})
    reason = fields.String()


class AckListSchema(Schema):
    acks = fields.List(fields.Nested(AckSchema))


class ChangesQuerySchema(Schema):
    since = fields.Integer(required=True, validate=validate.Range(min=0))
    limit = fields.Integer(load_default=1000, validate=validate.Range(min=1, max=5000))


class ChangeSchema(Schema):
    version = fields.Integer()
    entity = fields.String()
    key = fields.String()
    scope = fields.String(allow_none=True)
    payload = fields.Dict()


class ChangePageSchema(Schema):
    changes = fields.List(fields.Nested(ChangeSchema))
    head = fields.Integer()


class SnapshotQuerySchema(Schema):
    after = fields.String(load_default=None)
    limit = fields.Integer(load_default=1000, validate=validate.Range(min=1, max=5000))


class SnapshotPageSchema(Schema):
    version = fields.Integer()
    items = fields.List(fields.Nested(ChangeSchema))
    next = fields.String(allow_none=True)


def sync_blueprint(
    factory: sessionmaker[Session],
    tables: SyncTables,
    signed: SignedRequests,
    *,
    apply_document: Callable[[Session, Document, str], None],
    snapshot_page: Callable[[Session, str, str | None, int], tuple[list[ChangeItem], str | None]],
    scope_for: Callable[[str], str | None],
    after_receive: Callable[[], None] | None = None,
    apply_batch: Callable[[Session, Sequence[Document], str], None] | None = None,
) -> Blueprint:
    """`POST /documents`, `GET /changes`, `GET /snapshot` under /api/v1/sync, all signed.

    `scope_for(caller)` maps the signing key to the feed scope it may read;
    `apply_batch`, when given, applies a batch's new documents together (fast path).
    """
    bp = Blueprint("sync", __name__, url_prefix="/api/v1/sync")

    @bp.post("/documents")
    @doc(
        "Deliver journal documents; each is acknowledged applied, duplicate or rejected",
        body=DocumentBatchSchema,
        response=AckListSchema,
        security="signed",
    )
    @signed.required
    def receive() -> Any:
        batch = load(DocumentBatchSchema())
        caller: str = g.caller
        with unit_of_work(factory) as session:
            acks = receive_batch(
                session,
                tables,
                batch["documents"],
                lambda s, d: apply_document(s, d, caller),
                None if apply_batch is None else lambda s, docs: apply_batch(s, docs, caller),
            )
        if after_receive is not None:
            after_receive()
        return jsonify({"acks": [a.to_dict() for a in acks]})

    @bp.get("/changes")
    @doc(
        "Master-data changes after a version, for the caller's scope",
        query=ChangesQuerySchema,
        response=ChangePageSchema,
        security="signed",
    )
    @signed.required
    def changes() -> Any:
        query = load_query(ChangesQuerySchema())
        with unit_of_work(factory) as session:
            head = head_version(session, tables)
            page = changes_since(
                session, tables, query["since"], query["limit"], scope_for(g.caller)
            )
        return jsonify({"changes": page, "head": head})

    @bp.get("/snapshot")
    @doc(
        "A page of the current master data for the initial load",
        query=SnapshotQuerySchema,
        response=SnapshotPageSchema,
        security="signed",
    )
    @signed.required
    def snapshot() -> Any:
        query = load_query(SnapshotQuerySchema())
        with unit_of_work(factory) as session:
            version = head_version(session, tables)
            items, next_after = snapshot_page(session, g.caller, query["after"], query["limit"])
        return jsonify(
            {"version": version, "items": [i.to_dict() for i in items], "next": next_after}
        )

    return bp
