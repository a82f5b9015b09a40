"""The points gift catalog at HQ: staff keep it, members exchange points for its gifts.

A gift is priced in points per unit. Redeeming one consumes the member's available lots
soonest-expiring first (`loyalty.points.redeem_gift`; pending points are not usable),
under the card's and the account's row locks, and records the redemption with its store,
till, staff and document. A gift with a product sku is goods from the shelf: the till
that hands it over journals a `points_gift` document, which takes the goods out of the
store's stock at the store and here (`apply_gift_document`); the points were posted
online, so that document posts none.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from chainpos.db import utcnow
from chainpos.errors import Conflict, NotFound, ValidationFailed
from chainpos.sync.receiver import DocumentRejected
from hq_server.loyalty import ledger
from hq_server.loyalty.models import GiftRedemptionRow, GiftRow
from hq_server.loyalty.origin import Origin
from hq_server.loyalty.settings import LoyaltySettings
from hq_server.models import Product
from hq_server.stock import move_stock
from loyalty.cards import ensure_usable
from loyalty.points import Gift, redeem_gift
from retail.documents import Document, points_gift_document_id


class UnknownGift(NotFound):
    code = "unknown_gift"


class GiftExists(Conflict):
    code = "gift_exists"


class GiftNotAvailable(Conflict):
    """The gift is inactive, or outside its validity window on the business day."""

    code = "gift_not_available"


class UnknownSku(ValidationFailed):
    code = "unknown_sku"


class InvalidWindow(ValidationFailed):
    code = "invalid_validity_window"


class DocumentUsed(Conflict):
    code = "gift_document_used"


def gift_payload(gift: GiftRow) -> dict[str, Any]:
    return {
        "code": gift.code,
        "name_zh": gift.name_zh,
        "name_en": gift.name_en,
        "points": gift.points,
        "sku": gift.sku,
        "active": gift.active,
        "valid_from": gift.valid_from.isoformat() if gift.valid_from else None,
        "valid_until": gift.valid_until.isoformat() if gift.valid_until else None,
    }


def is_available(gift: GiftRow, on: date) -> bool:
    """Active, and within its validity window (both ends inclusive) on `on`."""
    if not gift.active:
        return False
    if gift.valid_from is not None and on < gift.valid_from:
        return False
    return gift.valid_until is None or on <= gift.valid_until


def _check_sku(session: Session, sku: str | None) -> None:
    if sku is not None and session.get(Product, sku) is None:
        raise UnknownSku(f"no product {sku} in the catalog", {"sku": "unknown product"})


def _check_window(valid_from: date | None, valid_until: date | None) -> None:
    if valid_from is not None and valid_until is not None and valid_until < valid_from:
        raise InvalidWindow(
            "the gift's validity ends before it starts", {"valid_until": "before valid_from"}
        )


def get_gift(session: Session, code: str, *, lock: bool = False) -> GiftRow:
    gift = session.get(GiftRow, code, with_for_update=lock)
    if gift is None:
        raise UnknownGift(f"no gift {code} in the catalog", {"gift": "unknown"})
    return gift


def create_gift(
    session: Session,
    *,
    code: str,
    name_zh: str,
    name_en: str,
    points: int,
    sku: str | None = None,
    active: bool = True,
    valid_from: date | None = None,
    valid_until: date | None = None,
    staff: str | None = None,
) -> dict[str, Any]:
    """Add a gift to the catalog; its code is unique for good (deactivate, never reuse)."""
    if session.get(GiftRow, code) is not None:
        raise GiftExists(f"gift {code} is already in the catalog", {"code": "already used"})
    _check_sku(session, sku)
    _check_window(valid_from, valid_until)
    gift = GiftRow(
        code=code,
        name_zh=name_zh,
        name_en=name_en,
        points=points,
        sku=sku,
        active=active,
        valid_from=valid_from,
        valid_until=valid_until,
        updated_by=staff,
    )
    session.add(gift)
    session.flush()
    return gift_payload(gift)


_CHANGEABLE = ("name_zh", "name_en", "points", "sku", "active", "valid_from", "valid_until")


def update_gift(
    session: Session, code: str, changes: dict[str, Any], staff: str | None = None
) -> dict[str, Any]:
    """Change a gift; a new points price applies to redemptions from now on."""
    gift = get_gift(session, code, lock=True)
    if "sku" in changes:
        _check_sku(session, changes["sku"])
    _check_window(
        changes.get("valid_from", gift.valid_from), changes.get("valid_until", gift.valid_until)
    )
    for name in _CHANGEABLE:
        if name in changes:
            setattr(gift, name, changes[name])
    gift.updated_by = staff
    gift.updated_at = utcnow()
    session.flush()
    return gift_payload(gift)


def deactivate_gift(session: Session, code: str, staff: str | None = None) -> dict[str, Any]:
    """Take a gift off the catalog; past redemptions keep pointing at it."""
    return update_gift(session, code, {"active": False}, staff)


def list_gifts(
    session: Session, *, active: bool | None = None, available_on: date | None = None
) -> dict[str, Any]:
    """The catalog by code; `available_on`: only what can be redeemed that day."""
    query = select(GiftRow).order_by(GiftRow.code)
    if active is not None:
        query = query.where(GiftRow.active.is_(active))
    gifts = list(session.scalars(query))
    if available_on is not None:
        gifts = [g for g in gifts if is_available(g, available_on)]
    return {"gifts": [gift_payload(g) for g in gifts]}


def redeem(
    session: Session,
    settings: LoyaltySettings,
    gift_code: str,
    quantity: int,
    origin: Origin,
    *,
    number: str | None = None,
    uid: str | None = None,
) -> dict[str, Any]:
    """Exchange available points for `quantity` of a gift, soonest-expiring lots first.

    Refused with nothing changed: unknown or unusable card, unknown gift, a gift not
    available on the business day, not enough available points (pending ones don't count).
    """
    found = ledger.find_card(session, number=number, uid=uid)
    card = ledger.lock_cards(session, [found.id])[found.id]
    ensure_usable(ledger.to_domain(card))
    gift = get_gift(session, gift_code)
    if not is_available(gift, origin.business_day):
        raise GiftNotAvailable(
            f"gift {gift.code} cannot be redeemed on {origin.business_day.isoformat()}",
            {"gift": "inactive" if not gift.active else "outside its validity window"},
        )
    used = session.scalar(
        select(GiftRedemptionRow.id).where(GiftRedemptionRow.document == origin.document)
    )
    if used is not None:
        raise DocumentUsed(
            f"document {origin.document} already redeemed a gift", {"document": "already used"}
        )
    account = ledger.lock_account(session, card.account_id)
    lots = ledger.open_lots(session, account.id)
    entries = redeem_gift(
        [ledger.lot_from_row(r) for r in lots.values()],
        Gift(gift.code, gift.name_en, gift.points),
        quantity,
        origin.business_day,
        origin.document,
        origin.store,
    )
    ledger.post_points(session, account, entries, origin, lots)
    points = -sum(e.points for e in entries)
    session.add(
        GiftRedemptionRow(
            document=origin.document,
            gift_code=gift.code,
            sku=gift.sku,
            quantity=quantity,
            points=points,
            card_id=card.id,
            account_id=account.id,
            store_code=origin.store,
            till_code=origin.till,
            staff_code=origin.staff,
            business_day=origin.business_day,
        )
    )
    session.flush()
    return {
        "card": card.number,
        "gift": gift_payload(gift),
        "quantity": quantity,
        "points": points,
        "document": origin.document,
        "lots": [{"lot_id": e.lot_id, "points": -e.points} for e in entries],
        "balance": ledger.balance_payload(account),
    }


def apply_gift_document(session: Session, doc: Document) -> None:
    """A till's `points_gift`: check it against the redemption, take the goods out of stock.

    The points were posted online; a document HQ has no redemption for (this store, this
    gift and quantity) is rejected, and so is a second document for one redemption.
    """
    body = doc.body
    try:
        redemption_id = str(body["redemption_id"])
        gift_code, quantity = str(body["gift"]["code"]), int(body["quantity"])
        lines = [(str(x["sku"]), int(x["stock_qty"])) for x in body.get("lines") or []]
    except (KeyError, TypeError, ValueError) as err:
        raise DocumentRejected(f"malformed points_gift: {err!r}") from None
    if doc.id != points_gift_document_id(redemption_id):
        raise DocumentRejected(f"points_gift {doc.id} is not the document of {redemption_id}")
    row = session.scalar(
        select(GiftRedemptionRow)
        .where(GiftRedemptionRow.document == redemption_id)
        .with_for_update()
    )
    if (
        row is None
        or row.store_code != doc.origin_store
        or (row.gift_code, row.quantity) != (gift_code, quantity)
    ):
        raise DocumentRejected(
            f"HQ has no redemption {redemption_id} of {quantity} x {gift_code} at this store"
        )
    if row.handed_over_in is not None:
        raise DocumentRejected(f"redemption {redemption_id} was handed over already")
    expected = [(row.sku, row.quantity)] if row.sku else []
    if lines != expected:
        raise DocumentRejected(f"points_gift lines {lines} are not the gift's {expected}")
    row.handed_over_in = doc.id
    if row.sku:
        move_stock(session, [(doc.origin_store, row.sku, -row.quantity)])
    session.flush()
