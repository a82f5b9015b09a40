"""The store's own JSON API: stock lookups and counts."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify
from marshmallow import Schema, fields, validate
from sqlalchemy.orm import Session, sessionmaker

from chainpos import master_copy
from chainpos.db import unit_of_work
from chainpos.errors import NotFound
from chainpos.web import doc, load_query
from store_server import stock
from store_server.models import MASTER

bp = Blueprint("store_api", __name__, url_prefix="/api/v1")


class StockQuerySchema(Schema):
    barcode = fields.String(required=True, validate=validate.Length(min=1, max=32))


class StockSchema(Schema):
    sku = fields.String()
    barcode = fields.String()
    on_hand = fields.Integer()


@bp.get("/stock")
@doc("Stock on hand at this store for a barcode", query=StockQuerySchema, response=StockSchema)
def stock_lookup() -> Any:
    query = load_query(StockQuerySchema())
    factory: sessionmaker[Session] = current_app.extensions["chainpos.sessions"]
    with unit_of_work(factory) as session:
        product = master_copy.find_by_barcode(session, MASTER, query["barcode"])
        if product is None:
            raise NotFound(f"unknown barcode {query['barcode']}", {"barcode": "unknown"})
        return jsonify(
            {
                "sku": product.sku,
                "barcode": query["barcode"],
                "on_hand": stock.on_hand(session, product.sku),
            }
        )
