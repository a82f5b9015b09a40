"""HQ's JSON API for staff: sign-in, catalog, prices, organisation and reports."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, g, jsonify
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from chainpos.auth import issue_token, require_staff
from chainpos.db import unit_of_work
from chainpos.errors import NotFound
from chainpos.web import doc, load, load_query
from hq_server import catalog, organisation, reports
from hq_server.errors import UnknownProduct
from hq_server.models import Barcode, Price, Product
from hq_server.schemas import (
    BrandSchema,
    CategorySchema,
    CredentialsSchema,
    PriceInSchema,
    PriceOutSchema,
    ProductBatchSchema,
    ProductInSchema,
    ProductOutSchema,
    ProductPatchSchema,
    ProductQuerySchema,
    SalesReportQuerySchema,
    StaffInSchema,
    StockQuerySchema,
    StoreInSchema,
    StoreSalesSchema,
    TillInSchema,
    TokenRequestSchema,
    TokenSchema,
)

bp = Blueprint("hq_api", __name__, url_prefix="/api/v1")
ADMIN = "admin"


def _factory() -> sessionmaker[Session]:
    factory: sessionmaker[Session] = current_app.extensions["chainpos.sessions"]
    return factory


@bp.post("/auth/token")
@doc("Sign in with staff credentials", body=TokenRequestSchema, response=TokenSchema)
def token() -> Any:
    data = load(TokenRequestSchema())
    with unit_of_work(_factory()) as session:
        staff = organisation.authenticate(session, data["username"], data["password"])
        return jsonify({"token": issue_token(staff.code, staff.role), "role": staff.role})


@bp.post("/categories")
@doc("Add a category with its tax rate", body=CategorySchema, security="bearer")
@require_staff(ADMIN)
def add_category() -> Any:
    data = load(CategorySchema())
    with unit_of_work(_factory()) as session:
        catalog.add_category(session, **data)
    return jsonify(data), 201


@bp.post("/brands")
@doc("Add a brand", body=BrandSchema, security="bearer")
@require_staff(ADMIN)
def add_brand() -> Any:
    data = load(BrandSchema())
    with unit_of_work(_factory()) as session:
        catalog.add_brand(session, **data)
    return jsonify(data), 201


@bp.post("/products")
@doc(
    "Add a product with barcodes and its chain price",
    body=ProductInSchema,
    response=ProductOutSchema,
    security="bearer",
)
@require_staff(ADMIN)
def add_product() -> Any:
    data = load(ProductInSchema())
    with unit_of_work(_factory()) as session:
        catalog.add_products(session, [data], staff=g.staff_code)
        return jsonify(_product_out(session, data["sku"])), 201


@bp.post("/products/batch")
@doc(
    "Add many products in one transaction (all or nothing)",
    body=ProductBatchSchema,
    security="bearer",
)
@require_staff(ADMIN)
def add_products() -> Any:
    data = load(ProductBatchSchema())
    with unit_of_work(_factory()) as session:
        skus = catalog.add_products(session, data["products"], staff=g.staff_code)
    return jsonify({"created": len(skus)}), 201


@bp.patch("/products/<sku>")
@doc("Change a product", body=ProductPatchSchema, response=ProductOutSchema, security="bearer")
@require_staff(ADMIN)
def patch_product(sku: str) -> Any:
    data = load(ProductPatchSchema())
    with unit_of_work(_factory()) as session:
        catalog.update_product(session, sku, data)
        return jsonify(_product_out(session, sku))


@bp.get("/products")
@doc(
    "Find products by barcode or text",
    query=ProductQuerySchema,
    response=ProductOutSchema,
    many=True,
    security="bearer",
)
@require_staff()
def find_products() -> Any:
    query = load_query(ProductQuerySchema())
    with unit_of_work(_factory()) as session:
        found = catalog.find_products(
            session, barcode=query.get("barcode"), q=query.get("q"), limit=query["limit"]
        )
        return jsonify([_product_out(session, p.sku) for p in found])


def _product_out(session: Session, sku: str) -> dict[str, Any]:
    # By key: a text search for the sku can match another product's name first.
    product = session.get(Product, sku)
    if product is None:
        raise UnknownProduct(f"unknown product {sku}", {"sku": "unknown"})
    prices = session.scalars(select(Price).where(Price.sku == sku).order_by(Price.effective_from))
    out = ProductOutSchema().dump(product)
    out["barcodes"] = sorted(session.scalars(select(Barcode.code).where(Barcode.sku == sku)))
    out["prices"] = [catalog.price_payload(p) for p in prices]
    return dict(out)


@bp.post("/prices")
@doc(
    "Set a price, now or from a future time, chain-wide or for one store",
    body=PriceInSchema,
    response=PriceOutSchema,
    security="bearer",
)
@require_staff(ADMIN)
def set_price() -> Any:
    data = load(PriceInSchema())
    with unit_of_work(_factory()) as session:
        record = catalog.set_price(
            session,
            data["sku"],
            data["price"],
            store=data["store"],
            effective_from=data["effective_from"],
            staff=g.staff_code,
        )
        return jsonify(catalog.price_payload(record)), 201


@bp.post("/stores")
@doc(
    "Open a store; returns the credentials it enrols with (shown once)",
    body=StoreInSchema,
    response=CredentialsSchema,
    security="bearer",
)
@require_staff(ADMIN)
def add_store() -> Any:
    data = load(StoreInSchema())
    with unit_of_work(_factory()) as session:
        secret = organisation.add_store(
            session,
            data["code"],
            data["name"],
            timezone=data["timezone"],
            cash_rounding_step=data["cash_rounding_step"],
            region=data["region"],
        )
    return jsonify({"key_id": data["code"], "secret": secret}), 201


@bp.post("/stores/<store_code>/tills")
@doc(
    "Register a till; returns the credentials it enrols with at its store",
    body=TillInSchema,
    response=CredentialsSchema,
    security="bearer",
)
@require_staff(ADMIN)
def add_till(store_code: str) -> Any:
    data = load(TillInSchema())
    with unit_of_work(_factory()) as session:
        secret = organisation.add_till(session, store_code, data["code"])
    return jsonify({"key_id": data["code"], "secret": secret}), 201


@bp.post("/staff")
@doc("Add a staff member (PIN for tills, password for HQ)", body=StaffInSchema, security="bearer")
@require_staff(ADMIN)
def add_staff() -> Any:
    data = load(StaffInSchema())
    with unit_of_work(_factory()) as session:
        staff = organisation.add_staff(
            session,
            data["code"],
            data["name"],
            data["role"],
            pin=data["pin"],
            password=data["password"],
            store=data["store"],
        )
        return jsonify({"code": staff.code, "role": staff.role}), 201


@bp.get("/reports/sales")
@doc(
    "Sales per store for a business day",
    query=SalesReportQuerySchema,
    response=StoreSalesSchema,
    many=True,
    security="bearer",
)
@require_staff()
def sales_report() -> Any:
    query = load_query(SalesReportQuerySchema())
    with unit_of_work(_factory()) as session:
        rows = reports.sales_by_store(session, query["business_day"].isoformat())
    return jsonify({"business_day": query["business_day"].isoformat(), "stores": rows})


@bp.get("/stock")
@doc("Stock on hand per store for a barcode", query=StockQuerySchema, security="bearer")
@require_staff()
def stock() -> Any:
    query = load_query(StockQuerySchema())
    with unit_of_work(_factory()) as session:
        found = reports.stock_by_barcode(session, query["barcode"])
    if found is None:
        raise NotFound(f"unknown barcode {query['barcode']}", {"barcode": "unknown"})
    return jsonify(found)
