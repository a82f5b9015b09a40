"""Selling at the till: price a basket from the local copy, complete it into the journal."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from chainpos import master_copy
from chainpos.auth import check_secret
from chainpos.db import utcnow
from pos_terminal import discounts
from pos_terminal import loyalty as till_loyalty
from pos_terminal.errors import BadPin, NoPrice, SaleIdReused, SaleRefused, UnknownBarcode
from pos_terminal.journal import journal, next_entry, store_of, till_code
from pos_terminal.models import MASTER, TillSale
from pos_terminal.pricing import gift_lookup, pricing_context, promotion_book
from pos_terminal.receipts import build_receipt
from retail.barcodes import BarcodeError, parse_scan
from retail.catalog import resolve_price
from retail.checkout import promote
from retail.promotions.basket import MemberInfo
from retail.promotions.onsite import OnsiteAdjustment
from retail.sale import LOYALTY_METHODS, ItemToPrice, Quote, SaleError, Tender, settle

SELLING_ROLES = ("cashier", "supervisor", "admin")


def sign_in(session: Session, staff_code: str, pin: str) -> Any:
    staff = session.get(MASTER.staff, staff_code)
    store = till_code(session).split("-")[0]
    if (
        staff is None
        or not staff.active
        or staff.role not in SELLING_ROLES
        or staff.store_code not in (None, store)
        or not check_secret(staff.pin_hash, pin)
    ):
        raise BadPin("unknown staff code or wrong PIN")
    return staff


def price_items(
    session: Session, lines: Sequence[dict[str, Any]], at: datetime
) -> list[ItemToPrice]:
    """Look each scanned line up in the local catalog and the price in force at `at`."""
    store_code = till_code(session).split("-")[0]
    scans = []
    for index, line in enumerate(lines):
        try:
            scans.append(parse_scan(line["barcode"]))
        except BarcodeError as err:
            raise UnknownBarcode(str(err), {f"lines.{index}.barcode": str(err)}) from None
    found = master_copy.lookup_barcodes(session, MASTER, [s.lookup for s in scans])
    items: list[ItemToPrice] = []
    for index, (line, scanned) in enumerate(zip(lines, scans, strict=True)):
        field = f"lines.{index}.barcode"
        product = found.get(scanned.lookup)
        if product is None:
            raise UnknownBarcode(
                f"no product has barcode {line['barcode']}", {field: "unknown barcode"}
            )
        price = resolve_price(product.prices, store_code, at)
        if price is None:
            raise NoPrice(f"{product.sku} has no price in force", {field: "no price"})
        items.append(
            ItemToPrice(
                sku=product.sku,
                name=product.name_zh,
                barcode=line["barcode"],
                unit_price=price.price,
                tax_rate_bp=product.tax_rate_bp,
                qty=line["qty"],
                weighed=product.weighed,
                weight_grams=scanned.weight_grams,
                embedded_price=scanned.price_fen,
                category_id=product.category_code,
                brand_id=product.brand_code,
            )
        )
    return items


def quote(
    session: Session,
    lines: Sequence[dict[str, Any]],
    at: datetime | None = None,
    onsite: Sequence[OnsiteAdjustment] = (),
    member: till_loyalty.MemberOnSale | None = None,
    coupon_codes: Sequence[str] = (),
) -> Quote:
    """Price the scanned lines with the promotions in force now (or at `at`).

    An identified member gets member prices, tier discounts and birthday offers; codes
    of coupons presented unlock coupon-triggered offers.
    """
    moment = at or utcnow()
    items = price_items(session, lines, moment)
    store_code = till_code(session).split("-")[0]
    who = None
    if member is not None and member.found and member.member_id and member.tier:
        who = MemberInfo(member_id=member.member_id, tier=member.tier, birthday=member.birthday)
    book = promotion_book(session)  # first: the usage counts follow the book in force
    try:
        return promote(
            items,
            pricing_context(
                session,
                store_code,
                moment,
                who,
                frozenset(coupon_codes),
                member.promotion_uses if member is not None else None,
            ),
            book,
            gift_lookup=gift_lookup(session),
            onsite=onsite,
        )
    except SaleError as err:
        raise SaleRefused(err.message, {err.field or "lines": err.message}, code=err.code) from None


def quote_out(q: Quote) -> dict[str, Any]:
    return {
        "lines": [_line_out(line) for line in q.lines],
        "total": q.total,
        "regular_total": q.regular_total,
        "saving": q.saving,
        "applied": [asdict(s) for s in q.applied],
        "taxes": [{"rate_bp": rate, "tax": tax} for rate, tax in q.taxes.items()],
    }


def _line_out(line: Any) -> dict[str, Any]:
    out = asdict(line)
    out["stock_qty"] = line.stock_qty
    out["qty_text"] = line.qty_text
    return dict(out)


def complete_sale(
    session: Session,
    *,
    sale_id: str,
    lines: Sequence[dict[str, Any]],
    tenders: Sequence[dict[str, Any]],
    cashier: str,
    onsite: Sequence[OnsiteAdjustment] = (),
    member: dict[str, Any] | None = None,
    store_client: till_loyalty.StoreClientFactory | None = None,
) -> dict[str, Any]:
    """Complete a sale: journal + outbox in the caller's transaction; idempotent by sale id.

    Loyalty tenders (stored value, points, coupon) are authorised by the store first, with
    the tender id as idempotency key; a refusal raises and nothing is journaled. No
    transaction is held while the store is asked: SQLite transactions here take the
    database's write lock, and the till's sync worker must not wait on the network.
    """
    fingerprint = _request_fingerprint(lines, tenders, onsite, member)
    done = _already_completed(session, sale_id, fingerprint)
    if done is not None:
        return done
    now = utcnow()
    if member:
        _end_read(session)
    on_sale = _identify(store_client, member)
    codes = [str(t["code"]) for t in tenders if t.get("method") == "coupon" and t.get("code")]
    q = quote(session, lines, now, onsite, on_sale, codes)
    store = store_of(session)
    step = store.cash_rounding_step if store is not None else 1
    try:
        settlement = settle(
            q.total, [Tender(t["method"], t["amount"], t.get("reference")) for t in tenders], step
        )
    except SaleError as err:
        raise SaleRefused(
            err.message, {err.field or "tenders": err.message}, code=err.code
        ) from None
    if any(t.method in LOYALTY_METHODS for t in settlement.tenders):
        _end_read(session)
    paid, on_sale, authorisations = _loyalty(
        session, store_client, sale_id, cashier, q, settlement.tenders, tenders, on_sale
    )
    done = _already_completed(session, sale_id, fingerprint)
    if done is not None:  # the same sale completed by a retry while we asked the store
        return done
    entry = next_entry(session, now)
    body: dict[str, Any] = {
        "sale_id": sale_id,
        "cashier": cashier,
        **quote_out(q),
        "promotion_uses": dict(q.uses),
        "rounding": settlement.rounding,
        "amount_due": settlement.amount_due,
        "change": settlement.change,
        "tenders": [asdict(t) for t in paid],
        "onsite_discounts": discounts.record(onsite),
    }
    if authorisations:
        body["authorisations"] = authorisations
    if on_sale is not None:
        body["member"] = {**on_sale.to_dict(), "earn_lines": till_loyalty.earn_lines(session, q)}
    body["receipt_no"] = entry.receipt_no()
    result = journal(
        session,
        entry,
        "sale",
        body,
        lambda done: build_receipt(done, store, entry.till, copy_no=0),
        request_fingerprint=fingerprint,
    )
    session.add(
        TillSale(
            sale_id=sale_id,
            doc_id=result["doc_id"],
            seq=result["seq"],
            receipt_no=body["receipt_no"],
            business_day=result["business_day"],
            cashier=cashier,
            total=q.total,
            created_at=now,
            result=json.dumps(result, ensure_ascii=False),
            reprints=0,
        )
    )
    return result


def _loyalty(
    session: Session,
    store_client: till_loyalty.StoreClientFactory | None,
    sale_id: str,
    cashier: str,
    q: Quote,
    settled: Sequence[Tender],
    given: Sequence[dict[str, Any]],
    on_sale: till_loyalty.MemberOnSale | None,
) -> tuple[list[Tender], till_loyalty.MemberOnSale | None, list[dict[str, Any]]]:
    """Authorise the loyalty tenders through the store."""
    if not any(t.method in LOYALTY_METHODS for t in settled):
        return list(settled), on_sale, []
    if store_client is None:
        raise till_loyalty.StoreUnreachable("this till has no store link", {"store": "none"})
    client = store_client()
    paid, records = till_loyalty.authorise_tenders(
        client,
        sale_id=sale_id,
        cashier=cashier,
        quote=q,
        tenders=settled,
        given=given,
        member=on_sale,
    )
    return paid, till_loyalty.after_tenders(on_sale, records), records


def _already_completed(session: Session, sale_id: str, fingerprint: str) -> dict[str, Any] | None:
    """The first result of a sale already in the journal; another sale's id is refused."""
    existing = session.get(TillSale, sale_id)
    if existing is None:
        return None
    result: dict[str, Any] = json.loads(existing.result)
    if fingerprint != result.get("request_fingerprint"):
        raise SaleIdReused(
            f"sale {sale_id} was completed with other lines or tenders",
            {"sale_id": "already used for another sale"},
        )
    return result


def _end_read(session: Session) -> None:
    """End the read-only transaction so far (nothing was written) before a network call."""
    session.commit()


def _identify(
    store_client: till_loyalty.StoreClientFactory | None, member: dict[str, Any] | None
) -> till_loyalty.MemberOnSale | None:
    """Find the member through the store before pricing: member prices depend on it."""
    if not member:
        return None
    if store_client is None:
        raise till_loyalty.StoreUnreachable("this till has no store link", {"store": "none"})
    return till_loyalty.member_for_sale(store_client(), member)


def _request_fingerprint(
    lines: Sequence[dict[str, Any]],
    tenders: Sequence[dict[str, Any]],
    onsite: Sequence[OnsiteAdjustment] = (),
    member: dict[str, Any] | None = None,
) -> str:
    request: dict[str, Any] = {
        "lines": list(lines),
        "tenders": [{k: v for k, v in t.items() if k != "pin"} for t in tenders],
        "onsite": discounts.record(onsite),
    }
    if member:
        request["member"] = member
    return json.dumps(request, sort_keys=True, default=str)
