"""The till's JSON API, used by the cashier page."""

from __future__ import annotations

import json
import uuid
from typing import Any

from flask import Blueprint, current_app, g, jsonify
from sqlalchemy import or_, select
from sqlalchemy.orm import Session, sessionmaker

from chainpos import master_copy
from chainpos.auth import issue_token, require_staff
from chainpos.db import unit_of_work, utcnow
from chainpos.errors import NotFound
from chainpos.web import doc, load, load_query
from pos_terminal import discounts, returns, selling
from pos_terminal import loyalty as till_loyalty
from pos_terminal.approvals import approver
from pos_terminal.models import MASTER, TillSale
from pos_terminal.schemas import (
    ProductOutSchema,
    ProductQuerySchema,
    QuoteInSchema,
    QuoteOutSchema,
    ReturnInSchema,
    ReturnOutSchema,
    SaleInSchema,
    SaleOutSchema,
    SignInSchema,
    TokenSchema,
)
from retail.barcodes import BarcodeError, parse_scan
from retail.catalog import resolve_price
from retail.promotions.onsite import OnsiteAdjustment

bp = Blueprint("till_api", __name__, url_prefix="/api/v1")


def _factory() -> sessionmaker[Session]:
    factory: sessionmaker[Session] = current_app.extensions["chainpos.sessions"]
    return factory


@bp.post("/auth/sign-in")
@doc("Cashier sign-in with staff code and PIN", body=SignInSchema, response=TokenSchema)
def sign_in() -> Any:
    data = load(SignInSchema())
    with unit_of_work(_factory()) as session:
        staff = selling.sign_in(session, data["staff_code"], data["pin"])
        return jsonify(
            {
                "token": issue_token(staff.code, staff.role),
                "staff_code": staff.code,
                "name": staff.name,
                "role": staff.role,
            }
        )


@bp.get("/products")
@doc(
    "Look up products by barcode or name in the till's local catalog",
    query=ProductQuerySchema,
    response=ProductOutSchema,
    many=True,
    security="bearer",
)
@require_staff()
def products() -> Any:
    query = load_query(ProductQuerySchema())
    now = utcnow()
    with unit_of_work(_factory()) as session:
        store = selling.till_code(session).split("-")[0]
        if query.get("barcode"):
            # Parse it as the quote does: a scale label is found by its PLU, and
            # full-width digits from a scanner behind a Chinese IME become ASCII.
            try:
                lookup = parse_scan(query["barcode"]).lookup
            except BarcodeError:
                lookup = query["barcode"]
            found = master_copy.find_by_barcode(session, MASTER, lookup)
            rows = [found] if found is not None else []
        else:
            like = f"%{query.get('q', '')}%"
            products = MASTER.products
            rows = list(
                session.scalars(
                    select(products)
                    .where(
                        products.active,
                        or_(
                            products.name_zh.like(like),
                            products.name_en.ilike(like),
                            products.sku == query.get("q"),
                        ),
                    )
                    .order_by(products.sku)
                    .limit(50)
                )
            )
        out = []
        for product in rows:
            price = resolve_price(
                master_copy.price_records(session, MASTER, product.sku), store, now
            )
            item = ProductOutSchema().dump(product)
            item["price"] = price.price if price else None
            out.append(item)
    return jsonify(out)


@bp.post("/sales/quote")
@doc("Price a basket", body=QuoteInSchema, response=QuoteOutSchema, security="bearer")
@require_staff()
def quote() -> Any:
    data = load(QuoteInSchema())
    # Who the sale is for, with balances, found before pricing (member prices, tiers); a
    # quote never fails for want of the store: an unknown member just gets no benefits.
    member = None
    if data.get("member"):
        member = till_loyalty.member_for_sale(store_client(), data["member"])
    with unit_of_work(_factory()) as session:
        onsite = _onsite(session, data)
        priced = selling.quote(
            session,
            data["lines"],
            onsite=onsite,
            member=member,
            coupon_codes=data.get("coupon_codes", []),
        )
        out = selling.quote_out(priced)
    if data.get("member"):
        out["member"] = member.to_dict() if member else None
    return jsonify(out)


def store_client() -> till_loyalty.StoreClient:
    """The till's signed client to its store (tests put a fake in the app's extensions)."""
    override = current_app.extensions.get("chainpos.loyalty.store")
    if override is not None:
        return override()
    client: till_loyalty.StoreClient = current_app.extensions["chainpos.upstream"].client()
    return client


def _onsite(session: Session, data: dict[str, Any]) -> list[OnsiteAdjustment]:
    return discounts.authorise(
        session,
        data.get("discounts", []),
        staff_code=g.staff_code,
        staff_role=g.staff_role,
        supervisor=data.get("supervisor"),
    )


@bp.post("/sales")
@doc(
    "Complete a sale; durable in the journal before the answer. Idempotent by sale_id",
    body=SaleInSchema,
    response=SaleOutSchema,
    security="bearer",
)
@require_staff()
def complete() -> Any:
    data = load(SaleInSchema())
    sale_id = str(data["sale_id"] or uuid.uuid4())
    with unit_of_work(_factory()) as session:
        result = selling.complete_sale(
            session,
            sale_id=sale_id,
            lines=data["lines"],
            tenders=data["tenders"],
            cashier=g.staff_code,
            onsite=_onsite(session, data),
            member=data.get("member"),
            store_client=store_client,
        )
    worker = current_app.extensions.get("chainpos.worker")
    if worker is not None:
        worker.nudge()
    result = {k: v for k, v in result.items() if k != "request_fingerprint"}
    result["devices"] = _print_and_open_drawer(result)
    return jsonify(result), 201


def _print_and_open_drawer(sale: dict[str, Any]) -> dict[str, Any] | None:
    """Print the receipt and kick the drawer for cash; the sale stands whatever happens."""
    hub = current_app.extensions.get("chainpos.device_hub")
    if hub is None:
        return None
    from pos_terminal.device_hub.receipt_codec import receipt_from_json

    receipt = receipt_from_json(json.dumps(sale["receipt"], ensure_ascii=False))
    paid_in_cash = any(t["method"] == "cash" for t in sale["tenders"])
    outcome = hub.sale_completed(receipt, paid_in_cash=paid_in_cash, staff=g.staff_code)
    printing = outcome.print_outcome
    return {
        "printed": bool(printing and printing.printed),
        "print_error": (printing.error or None) if printing else None,
        "drawer_opened": outcome.drawer_kick is not None,
        "drawer_error": outcome.drawer_error or None,
    }


@bp.get("/sales/<sale_id>")
@doc("A completed sale from the journal", response=SaleOutSchema, security="bearer")
@require_staff()
def get_sale(sale_id: str) -> Any:
    with unit_of_work(_factory()) as session:
        sale = session.get(TillSale, sale_id)
        if sale is None:
            raise NotFound(f"no sale {sale_id} in this till's journal", {"sale_id": "unknown"})
        result = json.loads(sale.result)
    result.pop("request_fingerprint", None)
    return jsonify(result)


@bp.post("/returns")
@doc(
    "Take goods of an earlier sale back and refund what they paid; idempotent by return_id",
    body=ReturnInSchema,
    response=ReturnOutSchema,
    security="bearer",
)
@require_staff()
def make_return() -> Any:
    data = load(ReturnInSchema())
    return_id = str(data["return_id"] or uuid.uuid4())
    with unit_of_work(_factory()) as session:
        approved_by = approver(
            session,
            staff_code=g.staff_code,
            staff_role=g.staff_role,
            supervisor=data.get("supervisor"),
            permission="sale.return",
        )
        result = returns.make_return(
            session,
            return_id=return_id,
            sale_ref=data["sale"],
            lines=data["lines"],
            reason=data["reason"],
            cashier=g.staff_code,
            approved_by=approved_by,
            store_client=store_client,
        )
    worker = current_app.extensions.get("chainpos.worker")
    if worker is not None:
        worker.nudge()
    result["devices"] = _print_and_open_drawer(
        {"receipt": result["receipt"], "tenders": result["refund_tenders"]}
    )
    return jsonify(result), 201
