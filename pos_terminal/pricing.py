"""Promotions at the till: the engine over the local copy, kept warm between sales."""

from __future__ import annotations

import gc
import logging
import threading
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from chainpos import master_copy
from pos_terminal.models import MASTER
from retail.checkout import GiftLookup
from retail.promotions.basket import MemberInfo, PricingContext
from retail.promotions.definitions import Promotion, from_dict
from retail.promotions.index import PromotionBook
from retail.promotions.validation import PromotionDefinitionError

log = logging.getLogger(__name__)


class PromotionCache:
    """The indexed promotions, rebuilt only when the local copy of them changes.

    Indexing 2,000 promotions takes longer than pricing a basket, so the book is
    built once per change of the promotions table, not once per quote.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._revision: tuple[int, int] | None = None
        self._book = PromotionBook([])

    def book(self, session: Session) -> PromotionBook:
        revision = master_copy.promotions_revision(session, MASTER)
        with self._lock:
            if revision != self._revision:
                self._book = PromotionBook(_load(session))
                self._revision = revision
                # The book is long-lived: keep the collector from walking it on every
                # quote (it was the p99 of pricing against 2,000 promotions).
                gc.freeze()
            return self._book


def _load(session: Session) -> list[Promotion]:
    promotions = []
    for definition in master_copy.promotion_definitions(session, MASTER):
        try:
            promotions.append(from_dict(definition))
        except PromotionDefinitionError as err:
            # A definition this till cannot read must not stop the lane selling.
            log.error("promotion %s ignored: %s", definition.get("id"), err)
    return promotions


def pricing_context(
    session: Session,
    store_code: str,
    at: datetime,
    member: MemberInfo | None = None,
    coupon_codes: frozenset[str] = frozenset(),
) -> PricingContext:
    """Where and when a basket is priced, for whom, with which coupons presented."""
    store = session.get(MASTER.stores, store_code)
    timezone = store.timezone if store is not None else "Asia/Shanghai"
    region = store.region if store is not None else None
    local = at.astimezone(ZoneInfo(timezone))
    return PricingContext(
        store_id=store_code, region_id=region, at=local, member=member, coupon_codes=coupon_codes
    )


_caches: dict[str, PromotionCache] = {}
_caches_lock = threading.Lock()


def promotion_book(session: Session) -> PromotionBook:
    """The promotions of the till database `session` is bound to."""
    key = str(session.get_bind().engine.url)
    with _caches_lock:
        cache = _caches.setdefault(key, PromotionCache())
    return cache.book(session)


def gift_lookup(session: Session) -> GiftLookup:
    """Name and tax rate of a gift's product from the local catalog."""

    def lookup(sku: str) -> tuple[str, int]:
        row = session.execute(
            select(MASTER.products.name_zh, MASTER.products.tax_rate_bp).where(
                MASTER.products.sku == sku
            )
        ).first()
        return (str(row[0]), int(row[1])) if row is not None else (sku, 0)

    return lookup
