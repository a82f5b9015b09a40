"""Promotions at the till: the engine over the local copy, kept warm between sales.

Quantity limits across sales are priced with HQ's counts from the feed plus this till's
own sales still in its outbox (`UsageCache`); see docs/promotions.md.
"""

from __future__ import annotations

import gc
import json
import logging
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from chainpos import master_copy
from pos_terminal.models import MASTER, SYNC
from retail.checkout import GiftLookup
from retail.promotions.basket import MemberInfo, PricingContext, Usage
from retail.promotions.definitions import Promotion, from_dict
from retail.promotions.index import PromotionBook
from retail.promotions.usage import (
    CountedUses,
    add_uses,
    counted_across_sales,
    member_of_sale,
    usage_for_sale,
    uses_in_sale,
)
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
        self._limited: frozenset[str] = frozenset()

    @property
    def limited(self) -> frozenset[str]:
        """Ids of the last book's promotions whose limits count earlier sales."""
        return self._limited

    def book(self, session: Session) -> PromotionBook:
        revision = master_copy.promotions_revision(session, MASTER)
        with self._lock:
            if revision != self._revision:
                promotions = _load(session)
                self._book = PromotionBook(promotions)
                self._limited = frozenset(
                    p.id for p in promotions if counted_across_sales(p.limits)
                )
                self._revision = revision
                # The book is long-lived: keep the collector from walking it on every
                # quote (it was the p99 of pricing against 2,000 promotions).
                gc.freeze()
            return self._book


@dataclass(frozen=True, slots=True)
class _Undelivered:
    """What one of this till's sales still in the outbox used."""

    uses: dict[str, int] = field(default_factory=dict)
    member_id: str | None = None


class UsageCache:
    """HQ's counts (the feed's copy) and this till's undelivered sales, kept between quotes.

    A quote costs one small query: the copy's (count, highest revision) and a
    fingerprint (count, sum and highest id) of the rows pending in the outbox. The
    copy is re-read when its revision moves, the pending sale ids only when the
    fingerprint does; each outbox payload is parsed once, when its sale is first seen
    pending, and the totals are kept up to date as sales come and go.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._revision: tuple[int, int, str] | None = None
        self._fingerprint: tuple[int, int, int] | None = None
        self._counted = CountedUses()
        self._pending: dict[int, _Undelivered] = {}
        self._undelivered: dict[str, int] = {}
        self._by_member: dict[str, dict[str, int]] = {}

    def usage(
        self,
        session: Session,
        store_code: str,
        limited: frozenset[str],
        member_id: str | None = None,
        member_uses: Mapping[str, int] | None = None,
    ) -> Usage:
        """Usage to price with: HQ's counts plus this till's sales not yet delivered."""
        if not limited:
            return Usage()  # nothing is limited across sales: no query at all
        copy_count, copy_revision, *fingerprint = session.execute(_STATE).one()
        revision = (int(copy_count), int(copy_revision), store_code)
        pending = (int(fingerprint[0]), int(fingerprint[1]), int(fingerprint[2]))
        with self._lock:
            if revision != self._revision:
                self._counted = master_copy.counted_uses(session, MASTER, store_code)
                self._revision = revision
            if pending != self._fingerprint:
                self._follow_outbox(session)
                self._fingerprint = pending
            return usage_for_sale(
                self._counted,
                self._undelivered,
                member_counted=member_uses if member_id is not None else None,
                member_undelivered=self._by_member.get(member_id or "", {}),
                limited=limited,
            )

    def _follow_outbox(self, session: Session) -> None:
        outbox = SYNC.outbox
        ids = set(session.scalars(select(outbox.id).where(*_PENDING_SALES)))
        for gone in set(self._pending) - ids:
            self._count(self._pending.pop(gone), -1)
        new = ids - set(self._pending)
        for start in range(0, len(new), 500):
            for row_id, payload in session.execute(
                select(outbox.id, outbox.payload).where(
                    outbox.id.in_(sorted(new)[start : start + 500])
                )
            ):
                self._pending[row_id] = sale = _undelivered(payload)
                self._count(sale, 1)

    def _count(self, sale: _Undelivered, sign: int) -> None:
        totals = [self._undelivered]
        if sale.member_id is not None:
            totals.append(self._by_member.setdefault(sale.member_id, {}))
        for total in totals:
            add_uses(total, {k: sign * v for k, v in sale.uses.items()})
            for promotion_id in [k for k, v in total.items() if v == 0]:
                del total[promotion_id]
        if sale.member_id is not None and not self._by_member[sale.member_id]:
            del self._by_member[sale.member_id]


_PENDING = SYNC.outbox.status == "pending"
_PENDING_SALES = (_PENDING, SYNC.outbox.doc_type == "sale")
#: The copy's (count, highest revision) and a fingerprint of the pending outbox rows
#: (count, sum and highest id; any type, so the (status, id) index alone answers it).
_STATE = select(
    select(func.count()).select_from(MASTER.promotion_usage).scalar_subquery(),
    select(func.coalesce(func.max(MASTER.promotion_usage.revision), 0)).scalar_subquery(),
    select(func.count()).select_from(SYNC.outbox).where(_PENDING).scalar_subquery(),
    select(func.coalesce(func.sum(SYNC.outbox.id), 0)).where(_PENDING).scalar_subquery(),
    select(func.coalesce(func.max(SYNC.outbox.id), 0)).where(_PENDING).scalar_subquery(),
)


def _undelivered(payload: str) -> _Undelivered:
    body = json.loads(payload).get("body") or {}
    try:
        uses = uses_in_sale(body)
    except ValueError:
        uses = {}  # the till wrote it; upstream will say what is wrong with it
    return _Undelivered(uses, member_of_sale(body))


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
    member_uses: Mapping[str, int] | None = None,
) -> PricingContext:
    """Where and when a basket is priced, for whom, with which coupons presented.

    `member_uses` are the member's uses of member-limited promotions as HQ counted them
    (from the member lookup); the usage of limited promotions comes from `till_usage`,
    for the promotions of the book `promotion_book` last loaded: call that first.
    """
    store = session.get(MASTER.stores, store_code)
    timezone = store.timezone if store is not None else "Asia/Shanghai"
    region = store.region if store is not None else None
    local = at.astimezone(ZoneInfo(timezone))
    member_id = member.member_id if member is not None else None
    return PricingContext(
        store_id=store_code,
        region_id=region,
        at=local,
        member=member,
        coupon_codes=coupon_codes,
        usage=till_usage(session, store_code, member_id, member_uses),
    )


@dataclass
class _TillCaches:
    promotions: PromotionCache = field(default_factory=PromotionCache)
    usage: UsageCache = field(default_factory=UsageCache)


_caches: dict[str, _TillCaches] = {}
_caches_lock = threading.Lock()


def _caches_for(session: Session) -> _TillCaches:
    key = str(session.get_bind().engine.url)
    with _caches_lock:
        return _caches.setdefault(key, _TillCaches())


def promotion_book(session: Session) -> PromotionBook:
    """The promotions of the till database `session` is bound to."""
    return _caches_for(session).promotions.book(session)


def till_usage(
    session: Session,
    store_code: str,
    member_id: str | None = None,
    member_uses: Mapping[str, int] | None = None,
) -> Usage:
    """How often the promotions with limits across sales were already used, as this till
    knows it: HQ's counts from the feed plus its own sales not yet delivered.

    Covers the promotions of the book `promotion_book` last loaded (no query for them).
    """
    caches = _caches_for(session)
    limited = caches.promotions.limited
    return caches.usage.usage(session, store_code, limited, member_id, member_uses)


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
